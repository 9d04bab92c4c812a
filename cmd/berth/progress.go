package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/docker"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// applyPlan prints the plan's warnings and carries it out on the engine with
// progress on w, for the command named cmd (up, down). An interruption
// (Ctrl-C) finishes the calls under way, starts nothing new, and says to run
// cmd again. It returns the progress printer for later waits.
func applyPlan(ctx context.Context, w io.Writer, g *globalOptions, c *docker.Client, p *project.Project, plan *planner.Plan, rtOpts engine.RuntimeOptions, cmd string) (*progressPrinter, error) {
	for _, warning := range plan.Warnings {
		fmt.Fprintf(w, "berth: warning: %s\n", warning)
	}
	pr := newProgress(w, g.progress)
	if err := engine.Execute(ctx, plan, c.Runtime(p, rtOpts), g.parallel, pr.event); err != nil {
		if errors.Is(err, context.Canceled) {
			return pr, fmt.Errorf("interrupted: actions under way were finished, nothing new was started; run `berth %s` again to finish: %w", cmd, err)
		}
		return pr, err
	}
	return pr, nil
}

// progressPrinter turns executor events into the lines a person reads while
// `up` and `down` run: one line per action as it starts and as it ends.
type progressPrinter struct {
	w     io.Writer
	mode  string // auto, tty, plain, json, quiet
	start map[int]time.Time
}

func newProgress(w io.Writer, mode string) *progressPrinter {
	if mode == "" || mode == "auto" || mode == "tty" {
		mode = "plain"
	}
	return &progressPrinter{w: w, mode: mode, start: map[int]time.Time{}}
}

// event is called by engine.Execute; calls are serialized.
func (p *progressPrinter) event(e engine.Event) {
	if p.mode == "quiet" {
		return
	}
	a := e.Action
	if p.mode == "json" {
		rec := map[string]any{"id": a.ID, "kind": a.Kind.String(), "resource": a.Resource, "name": displayName(a), "status": e.Status.String()}
		if e.Err != nil {
			rec["error"] = e.Err.Error()
		}
		b, _ := json.Marshal(rec)
		fmt.Fprintln(p.w, string(b))
		return
	}
	switch e.Status {
	case engine.Started:
		p.start[a.ID] = time.Now()
		if a.Kind == planner.AwaitCondition {
			fmt.Fprintf(p.w, " %s Waiting for %s to be %s\n", "…", strings.TrimPrefix(a.Resource, "service:"), conditionWord(a.Target))
		}
	case engine.Done:
		took := time.Since(p.start[a.ID]).Round(100 * time.Millisecond)
		fmt.Fprintf(p.w, " ✔ %s %s %s (%s)\n", noun(a), displayName(a), doneVerb(a), took)
	case engine.Failed:
		fmt.Fprintf(p.w, " ✘ %s %s: %v\n", noun(a), displayName(a), e.Err)
	case engine.Skipped:
		fmt.Fprintf(p.w, " - %s %s %v\n", noun(a), displayName(a), e.Err)
	}
}

func noun(a planner.Action) string {
	switch a.Kind {
	case planner.CreateNetwork, planner.RemoveNetwork:
		return "Network"
	case planner.CreateVolume, planner.RemoveVolume:
		return "Volume"
	case planner.RemoveImage:
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
		return strings.TrimPrefix(a.Resource, "service:")
	case planner.RenameContainer:
		return a.Target
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
