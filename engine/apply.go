package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// apply reports plan's warnings and carries the plan out on b, for the
// operation named op (up, down, ...). An interruption (ctx canceled)
// finishes the calls under way, starts nothing new, and says to run op
// again.
func apply(ctx context.Context, b Backend, p *project.Project, plan *planner.Plan, rt RuntimeOptions, parallel int, sink Sink, op string) error {
	for _, w := range plan.Warnings {
		Emit(sink, Warning, w)
	}
	if err := Execute(ctx, plan, b.Runtime(p, rt), parallel, sink); err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted: actions under way were finished, nothing new was started; run `berth %s` again to finish: %w", op, err)
		}
		return err
	}
	return nil
}

// observeForChange takes the project's lock, unless dryRun (a dry run
// changes nothing, so it need not wait its turn), and observes the engine.
// The returned function releases the lock.
func observeForChange(ctx context.Context, b Backend, p *project.Project, sink Sink, dryRun bool) (*planner.Observed, func(), error) {
	unlock := func() {}
	if !dryRun {
		lock, err := lockProject(ctx, sink, b.Host(), p.Name())
		if err != nil {
			return nil, nil, err
		}
		unlock = lock.Unlock
	}
	obs, err := b.Observe(ctx, p)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return obs, unlock, nil
}

// subPlan is the part of plan made of the actions keep selects, with the
// dependencies on the others dropped: the rest of a plan whose first part
// has run.
func subPlan(plan *planner.Plan, keep func(planner.Action) bool) *planner.Plan {
	out := &planner.Plan{Warnings: plan.Warnings}
	kept := map[int]bool{}
	for _, a := range plan.Actions {
		if !keep(a) {
			continue
		}
		kept[a.ID] = true
		var deps []int
		for _, d := range a.DependsOn {
			if kept[d] {
				deps = append(deps, d)
			}
		}
		a.DependsOn = deps
		out.Actions = append(out.Actions, a)
	}
	return out
}

func isImageAction(a planner.Action) bool {
	return a.Kind == planner.BuildImage || a.Kind == planner.PullImage
}
