package engine

import (
	"context"
	"time"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// DownOptions are what `down` does.
type DownOptions struct {
	// Plan says what is removed: services, orphans, volumes, images.
	Plan planner.DownOptions
	// StopTimeout overrides each service's stop_grace_period (-t).
	StopTimeout *time.Duration
	// Parallel bounds the engine calls in flight (<= 0: unlimited).
	Parallel int
	// DryRun plans and returns the plan without changing anything.
	DryRun bool
}

// Down removes the project from the engine: containers (dependents
// first), then networks, and named volumes and images only when asked.
// It returns the plan it carried out.
func Down(ctx context.Context, b Backend, p *project.Project, o DownOptions, sink Sink) (*planner.Plan, error) {
	obs, unlock, err := observeForChange(ctx, b, p, sink, o.DryRun)
	if err != nil {
		return nil, err
	}
	defer unlock()
	plan, err := planner.ComputeDown(p, obs, o.Plan)
	if err != nil || o.DryRun {
		return plan, err
	}
	rt := RuntimeOptions{StopTimeout: o.StopTimeout}
	return plan, apply(ctx, b, p, plan, rt, o.Parallel, sink, "down")
}

// StopOptions are what Stop does.
type StopOptions struct {
	// Services to stop (empty: all).
	Services []string
	// Timeout overrides each service's stop_grace_period; zero kills.
	Timeout *time.Duration
	// Parallel bounds the engine calls in flight (<= 0: unlimited).
	Parallel int
	// DryRun plans and returns the plan without changing anything.
	DryRun bool
}

// Stop stops the running containers of the services, dependents before
// the services they depend on, independent ones in parallel. It returns
// the plan it carried out. Unlike the other lifecycle operations it does
// not wait for the project's lock: an attached `up` stops its services on
// Ctrl-C, and a second Ctrl-C must be able to kill them while the first
// stop is under way.
func Stop(ctx context.Context, b Backend, p *project.Project, o StopOptions, sink Sink) (*planner.Plan, error) {
	obs, err := b.Observe(ctx, p)
	if err != nil {
		return nil, err
	}
	plan, err := planner.ComputeLifecycle(p, obs, planner.Stop, planner.LifecycleOptions{Services: o.Services})
	if err != nil || o.DryRun {
		return plan, err
	}
	return plan, apply(ctx, b, p, plan, RuntimeOptions{StopTimeout: o.Timeout}, o.Parallel, sink, "stop")
}
