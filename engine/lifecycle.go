package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// LifecycleOptions are what Start, Restart, Kill, Pause, Unpause and Remove
// do.
type LifecycleOptions struct {
	// Plan says which containers: services, dependents, signal, stop.
	Plan planner.LifecycleOptions
	// Timeout overrides each service's stop_grace_period for restarts and
	// stops (-t).
	Timeout *time.Duration
	// Parallel bounds the engine calls in flight (<= 0: unlimited).
	Parallel int
	// DryRun plans and returns the plan without changing anything.
	DryRun bool
}

// Start starts the services' stopped containers, dependencies first,
// waiting for their depends_on conditions.
func Start(ctx context.Context, b Backend, p *project.Project, o LifecycleOptions, sink Sink) (*planner.Plan, error) {
	return lifecycle(ctx, b, p, planner.Start, o, sink, "start")
}

// Restart restarts the services' containers (and, with Plan.Dependents,
// those of the services that depend on them), dependencies first.
func Restart(ctx context.Context, b Backend, p *project.Project, o LifecycleOptions, sink Sink) (*planner.Plan, error) {
	return lifecycle(ctx, b, p, planner.Restart, o, sink, "restart")
}

// Kill sends Plan.Signal (default SIGKILL) to the services' running
// containers (with Plan.RemoveOrphans, and removes the orphans). A signal
// the engine does not know is refused before anything is touched.
func Kill(ctx context.Context, b Backend, p *project.Project, o LifecycleOptions, sink Sink) (*planner.Plan, error) {
	if o.Plan.Signal != "" {
		if err := planner.CheckSignal(o.Plan.Signal); err != nil {
			return nil, err
		}
	}
	return lifecycle(ctx, b, p, planner.Kill, o, sink, "kill")
}

// Pause pauses the services' running containers.
func Pause(ctx context.Context, b Backend, p *project.Project, o LifecycleOptions, sink Sink) (*planner.Plan, error) {
	return lifecycle(ctx, b, p, planner.Pause, o, sink, "pause")
}

// Unpause resumes the services' paused containers.
func Unpause(ctx context.Context, b Backend, p *project.Project, o LifecycleOptions, sink Sink) (*planner.Plan, error) {
	return lifecycle(ctx, b, p, planner.Unpause, o, sink, "unpause")
}

// Remove removes the services' stopped containers (with Plan.Stop, stops
// the running ones first, dependents before their dependencies).
func Remove(ctx context.Context, b Backend, p *project.Project, o LifecycleOptions, sink Sink) (*planner.Plan, error) {
	return lifecycle(ctx, b, p, planner.Remove, o, sink, "rm")
}

// RemovePlanned carries out confirmed, a plan Remove made as a dry run with
// the same options, once the user has agreed to it (`rm` without -f names
// the containers and asks). Under the project's lock it observes the engine
// again and, if Remove would now remove other containers than confirmed
// does, or would have to stop one that confirmed does not stop, refuses
// without touching anything: the user never loses a container they were
// not shown. Otherwise it applies confirmed as it is.
func RemovePlanned(ctx context.Context, b Backend, p *project.Project, confirmed *planner.Plan, o LifecycleOptions, sink Sink) error {
	obs, unlock, err := observeForChange(ctx, b, p, sink, false)
	if err != nil {
		return err
	}
	defer unlock()
	now, err := planner.ComputeLifecycle(p, obs, planner.Remove, o.Plan)
	if err != nil {
		return err
	}
	if err := sameRemoval(confirmed, now); err != nil {
		return err
	}
	rt := RuntimeOptions{StopTimeout: o.Timeout}
	return apply(ctx, b, p, confirmed, rt, o.Parallel, sink, "rm")
}

// sameRemoval checks that now, the removal planned just before carrying
// out confirmed, removes the same containers and stops none that confirmed
// leaves running. (A container confirmed stops that has stopped since is
// no matter: stopping it again does nothing.)
func sameRemoval(confirmed, now *planner.Plan) error {
	names := func(p *planner.Plan, k planner.Kind) []string {
		var out []string
		for _, a := range p.Actions {
			if a.Kind == k {
				out = append(out, a.Name)
			}
		}
		slices.Sort(out)
		return out
	}
	agreed, current := names(confirmed, planner.RemoveContainer), names(now, planner.RemoveContainer)
	if !slices.Equal(agreed, current) {
		return fmt.Errorf("the containers to remove changed after they were confirmed (confirmed: %s; now: %s); nothing was removed, run `berth rm` again",
			listOrNone(agreed), listOrNone(current))
	}
	stops := names(confirmed, planner.StopContainer)
	for _, n := range names(now, planner.StopContainer) {
		if !slices.Contains(stops, n) {
			return fmt.Errorf("container %s started after the removal was confirmed; nothing was removed, run `berth rm` again", n)
		}
	}
	return nil
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Create creates the project's containers (and networks, volumes and
// images) without starting them: Up with NoStart.
func Create(ctx context.Context, b Backend, p *project.Project, o UpOptions, sink Sink) (*UpResult, error) {
	o.Plan.NoStart, o.Wait, o.Attach = true, false, false
	return Up(ctx, b, p, o, sink)
}

func lifecycle(ctx context.Context, b Backend, p *project.Project, op planner.Lifecycle, o LifecycleOptions, sink Sink, name string) (*planner.Plan, error) {
	obs, unlock, err := observeForChange(ctx, b, p, sink, o.DryRun)
	if err != nil {
		return nil, err
	}
	defer unlock()
	plan, err := planner.ComputeLifecycle(p, obs, op, o.Plan)
	if err != nil || o.DryRun {
		return plan, err
	}
	rt := RuntimeOptions{StopTimeout: o.Timeout}
	return plan, apply(ctx, b, p, plan, rt, o.Parallel, sink, name)
}
