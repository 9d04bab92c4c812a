package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/planner"
)

// This file turns the engine's event stream into what a person or a
// program reads while a command runs, in Compose's progress modes: tty (a
// live block redrawn in place), plain (a line per event), json (a JSON
// object per event) and quiet (errors only, which the command prints).

// renderer shows events. Its methods are called from one goroutine (a Bus
// subscriber), so it needs no locking of its own against itself.
type renderer interface {
	event(e engine.Event)
	// finish draws the final state; no event follows.
	finish()
}

// progressMode resolves auto (and an empty mode) to tty when w is a
// terminal and to plain otherwise.
func progressMode(mode string, w io.Writer) string {
	switch mode {
	case "", "auto":
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			return "tty"
		}
		return "plain"
	}
	return mode
}

// progress is a running renderer fed by the engine's event bus: commands
// pass it (it is an engine.Sink) to the orchestration functions and call
// close when the operation returns, after which everything is drawn.
type progress struct {
	bus         *engine.Bus
	r           renderer
	unsubscribe func()
	closeOnce   sync.Once
}

// newProgress starts a renderer of the mode (see progressMode) on w. Image
// output lines (builds, pulls) go to out, each prefixed with its service,
// when out is not nil (`berth build` and `berth pull` print them on
// standard output); otherwise to w.
func newProgress(w io.Writer, mode string, out io.Writer) *progress {
	var r renderer
	switch progressMode(mode, w) {
	case "json":
		r = &jsonRenderer{w: w}
	case "quiet":
		r = quietRenderer{}
	case "tty":
		r = newTTYRenderer(w, out)
	default:
		r = &plainRenderer{w: w, out: out, start: map[int]time.Time{}}
	}
	p := &progress{bus: engine.NewBus(), r: r}
	p.unsubscribe = p.bus.Subscribe(r.event)
	return p
}

// Event implements engine.Sink: it queues e for the renderer and returns.
func (p *progress) Event(e engine.Event) { p.bus.Event(e) }

// close waits until every event sent is drawn, then draws the end.
func (p *progress) close() {
	p.closeOnce.Do(func() {
		p.unsubscribe()
		p.r.finish()
	})
}

// quietRenderer shows nothing: errors reach the user as the command's error.
type quietRenderer struct{}

func (quietRenderer) event(engine.Event) {}
func (quietRenderer) finish()            {}

// plainRenderer writes a line per event, without control codes.
type plainRenderer struct {
	w, out io.Writer
	start  map[int]time.Time
}

func (p *plainRenderer) event(e engine.Event) {
	a := e.Action
	switch e.Status {
	case engine.Warning:
		fmt.Fprintf(p.w, "berth: warning: %s\n", e.Text)
	case engine.Info:
		fmt.Fprintln(p.w, e.Text)
	case engine.Progress:
		w := p.w
		if p.out != nil {
			w = p.out
		}
		fmt.Fprintf(w, "%s | %s\n", a.Resource.Service, e.Text)
	case engine.Started:
		if a.Kind == planner.AwaitCondition {
			fmt.Fprintf(p.w, " … Waiting for %s to be %s\n", a.Resource.Service, conditionWord(a.Target))
		}
	case engine.Done:
		if p.out != nil && isImage(a) {
			return // `berth build` and `berth pull` print the output alone
		}
		fmt.Fprintf(p.w, " ✔ %s %s %s (%s)\n", noun(a), displayName(a), doneVerb(a), e.Duration.Round(100*time.Millisecond))
	case engine.Failed:
		if p.out != nil && isImage(a) && a.Optional {
			// pull --ignore-pull-failures: a warning among the output
			fmt.Fprintf(p.out, "%s | warning: %v\n", a.Resource.Service, e.Err)
			return
		}
		if a.Optional {
			fmt.Fprintf(p.w, " ✘ %s %s: %v\n", noun(a), displayName(a), e.Err)
			return
		}
		// the error itself is printed once, when the command ends
		fmt.Fprintf(p.w, " ✘ %s %s Error\n", noun(a), displayName(a))
	case engine.Skipped:
		fmt.Fprintf(p.w, " - %s %s %v\n", noun(a), displayName(a), e.Err)
	}
}

func (p *plainRenderer) finish() {}

func isImage(a planner.Action) bool {
	return a.Kind == planner.BuildImage || a.Kind == planner.PullImage
}

func noun(a planner.Action) string {
	switch a.Kind {
	case planner.CreateNetwork, planner.RemoveNetwork:
		return "Network"
	case planner.CreateVolume, planner.RemoveVolume:
		return "Volume"
	case planner.RemoveImage, planner.BuildImage, planner.PullImage:
		return "Image"
	case planner.AwaitCondition:
		return "Service"
	default:
		return "Container"
	}
}

// displayName is the name a person knows the resource by: the final
// container name, never a temporary one.
func displayName(a planner.Action) string {
	switch a.Kind {
	case planner.AwaitCondition:
		return a.Resource.Service
	case planner.RenameContainer:
		return a.Target
	case planner.CreateContainer:
		if a.Replaces != "" {
			return a.Replaces
		}
	}
	return a.Name
}

func doneVerb(a planner.Action) string {
	switch a.Kind {
	case planner.CreateNetwork, planner.CreateVolume, planner.CreateContainer:
		return "Created"
	case planner.RemoveNetwork, planner.RemoveVolume, planner.RemoveContainer, planner.RemoveImage:
		return "Removed"
	case planner.StartContainer:
		return "Started"
	case planner.StopContainer:
		return "Stopped"
	case planner.RenameContainer:
		return "Replaced"
	case planner.ConnectNetwork:
		return "Connected to " + a.Target
	case planner.DisconnectNetwork:
		return "Disconnected from " + a.Target
	case planner.RestartContainer:
		return "Restarted"
	case planner.AwaitCondition:
		return conditionWord(a.Target)
	case planner.BuildImage:
		return "Built"
	case planner.PullImage:
		return "Pulled"
	case planner.KillContainer:
		return "Killed"
	case planner.PauseContainer:
		return "Paused"
	case planner.UnpauseContainer:
		return "Unpaused"
	}
	return "Done"
}

func conditionWord(cond string) string {
	switch cond {
	case "service_healthy":
		return "Healthy"
	case "service_completed_successfully":
		return "Completed"
	}
	return "Ready"
}

// eventID is how Compose names a resource in its progress: "Container
// shop-web-1", "Network shop_default", "Image shop-web".
func eventID(a planner.Action) string {
	return noun(a) + " " + displayName(a)
}
