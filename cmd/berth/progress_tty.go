package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/planner"
)

// ttyRenderer keeps a live block on a terminal: one line per resource
// (its state and elapsed time), redrawn in place as events arrive and on a
// tick while something runs, and a summary line under it. Warnings and
// messages are printed above the block. A build's or pull's output lines
// go to out when set (`berth build`), else the last line is shown on its
// resource's line.
type ttyRenderer struct {
	w, out io.Writer
	// cols is the terminal's width: longer lines are cut, so each takes
	// one row and the block can be redrawn in place.
	cols int

	mu     sync.Mutex
	lines  []*ttyLine
	byKey  map[string]*ttyLine
	drawn  int // lines of the block on the screen
	began  time.Time
	ticker *time.Ticker
	stop   chan struct{}
	done   chan struct{}
}

// ttyLine is one resource of the block.
type ttyLine struct {
	id      string
	state   string // the word shown: Creating, Created, Waiting, ...
	mark    string // ✔ ✘ - or a spinner frame while running
	running bool
	start   time.Time
	took    time.Duration
	last    string // last output line of a build or pull
	err     string
}

const ansiClearLine = "\x1b[2K"

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func newTTYRenderer(w, out io.Writer) *ttyRenderer {
	cols := 120
	if f, ok := w.(*os.File); ok {
		if c, _, err := term.GetSize(int(f.Fd())); err == nil && c > 0 {
			cols = c
		}
	}
	r := &ttyRenderer{w: w, out: out, cols: cols, byKey: map[string]*ttyLine{}, began: time.Now(),
		ticker: time.NewTicker(100 * time.Millisecond), stop: make(chan struct{}), done: make(chan struct{})}
	go r.tick()
	return r
}

func (r *ttyRenderer) tick() {
	defer close(r.done)
	for {
		select {
		case <-r.ticker.C:
			r.mu.Lock()
			r.redraw()
			r.mu.Unlock()
		case <-r.stop:
			return
		}
	}
}

func (r *ttyRenderer) event(e engine.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a := e.Action
	switch e.Status {
	case engine.Warning, engine.Info:
		text := e.Text
		if e.Status == engine.Warning {
			text = "berth: warning: " + text
		}
		r.above(text)
		return
	case engine.Failed:
		if r.out != nil && isImage(a) && a.Optional {
			r.clear()
			fmt.Fprintf(r.out, "%s | warning: %v\n", a.Resource.Service, e.Err)
		}
	case engine.Progress:
		if r.out != nil {
			fmt.Fprintf(r.out, "%s | %s\n", a.Resource.Service, e.Text)
			return
		}
	}
	l := r.line(a)
	switch e.Status {
	case engine.Started:
		l.running, l.start = true, e.Time
		l.state = runningVerb(a)
	case engine.Progress:
		l.last = e.Text
	case engine.Done:
		l.running, l.took, l.mark = false, e.Duration, "✔"
		l.state, l.last = doneVerb(a), ""
	case engine.Failed:
		l.running, l.took, l.mark = false, e.Duration, "✘"
		l.state = "Error"
		if a.Optional {
			// a warning: the command's error, printed when it ends, has
			// every other failure
			l.err = fmt.Sprint(e.Err)
		}
	case engine.Skipped:
		l.mark, l.state = "-", "Skipped"
	}
	r.redraw()
}

// line is the block's line for the action's resource, added on first use.
// A recreate's create, stop, remove and rename share the container's line.
func (r *ttyRenderer) line(a planner.Action) *ttyLine {
	key := eventID(a)
	if a.Kind == planner.AwaitCondition {
		key = "await " + a.Resource.Service + " " + a.Target
	}
	l, ok := r.byKey[key]
	if !ok {
		l = &ttyLine{id: eventID(a), state: "Waiting", mark: " "}
		r.byKey[key] = l
		r.lines = append(r.lines, l)
	}
	return l
}

// above prints text above the block and draws the block again under it.
func (r *ttyRenderer) above(text string) {
	r.clear()
	fmt.Fprintln(r.w, text)
	r.redraw()
}

// clear moves to the block's first line, so what is written next replaces it.
func (r *ttyRenderer) clear() {
	if r.drawn > 0 {
		fmt.Fprintf(r.w, "\x1b[%dF", r.drawn)
		for range r.drawn {
			fmt.Fprint(r.w, ansiClearLine+"\n")
		}
		fmt.Fprintf(r.w, "\x1b[%dF", r.drawn)
		r.drawn = 0
	}
}

func (r *ttyRenderer) redraw() {
	if len(r.lines) == 0 {
		return
	}
	var b strings.Builder
	if r.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dF", r.drawn)
	}
	now := time.Now()
	frame := spinner[int(now.Sub(r.began)/(100*time.Millisecond))%len(spinner)]
	width := 0
	for _, l := range r.lines {
		width = max(width, len(l.id))
	}
	running, failed := 0, 0
	for _, l := range r.lines {
		mark, took := l.mark, l.took
		if l.running {
			mark, took = frame, now.Sub(l.start)
			running++
		}
		if l.mark == "✘" {
			failed++
		}
		line := fmt.Sprintf(" %s %-*s  %-10s %5.1fs", mark, width, l.id, l.state, took.Seconds())
		if l.last != "" {
			line += "  " + truncate(l.last, 60)
		}
		if l.err != "" {
			line += "  " + truncate(l.err, 120)
		}
		b.WriteString(ansiClearLine + truncate(line, r.cols-1) + "\n")
	}
	summary := fmt.Sprintf("%d/%d done", len(r.lines)-running, len(r.lines))
	if failed > 0 {
		summary += fmt.Sprintf(", %d failed", failed)
	}
	fmt.Fprintf(&b, "%s %s in %.1fs\n", ansiClearLine, summary, now.Sub(r.began).Seconds())
	r.drawn = len(r.lines) + 1
	_, _ = io.WriteString(r.w, b.String())
}

func (r *ttyRenderer) finish() {
	r.ticker.Stop()
	close(r.stop)
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	r.redraw()
}

// truncate cuts s to n characters, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	runes := []rune(s)
	if len(runes) <= n || n < 1 {
		return s
	}
	return string(runes[:n-1]) + "…"
}

// runningVerb is what a resource's line says while its action runs.
func runningVerb(a planner.Action) string {
	switch a.Kind {
	case planner.CreateNetwork, planner.CreateVolume, planner.CreateContainer:
		return "Creating"
	case planner.RemoveNetwork, planner.RemoveVolume, planner.RemoveContainer, planner.RemoveImage:
		return "Removing"
	case planner.StartContainer:
		return "Starting"
	case planner.StopContainer:
		return "Stopping"
	case planner.RestartContainer:
		return "Restarting"
	case planner.RenameContainer:
		return "Replacing"
	case planner.ConnectNetwork, planner.DisconnectNetwork:
		return "Connecting"
	case planner.AwaitCondition:
		return "Waiting"
	case planner.BuildImage:
		return "Building"
	case planner.PullImage:
		return "Pulling"
	case planner.KillContainer:
		return "Killing"
	case planner.PauseContainer:
		return "Pausing"
	case planner.UnpauseContainer:
		return "Unpausing"
	}
	return "Working"
}
