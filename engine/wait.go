package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// ConditionRunningOrHealthy is what `up --wait` waits for: running, and
// healthy when the service has a healthcheck.
const ConditionRunningOrHealthy = "running_or_healthy"

// WaitOptions say which services Wait waits for.
type WaitOptions struct {
	// Services and, unless NoDeps, their dependencies; empty: all.
	Services []string
	NoDeps   bool
	// Scale overrides replicas, as in `up`: a service scaled to 0 is not
	// waited for.
	Scale map[string]int
	// Timeout bounds the wait (0: no limit).
	Timeout time.Duration
}

// Wait waits until every selected service is running, or healthy when it
// has a healthcheck; a one-shot service that others wait on must complete
// successfully instead. It fails naming the service that is not.
func Wait(ctx context.Context, b Backend, p *project.Project, o WaitOptions, sink Sink) error {
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	g, err := p.Graph.Subset(o.Services, !o.NoDeps)
	if err != nil {
		return err
	}
	plan := &planner.Plan{}
	for _, svc := range g.Services() {
		cond := ConditionRunningOrHealthy
		for _, e := range p.Graph.Dependents(svc) {
			if e.Condition == project.ConditionCompleted {
				cond = project.ConditionCompleted
			}
		}
		s := p.Compose.Services[svc]
		replicas := s.GetScale()
		if n, ok := o.Scale[svc]; ok {
			replicas = n
		}
		if replicas == 0 {
			continue
		}
		plan.Actions = append(plan.Actions, planner.Action{
			ID: len(plan.Actions) + 1, Kind: planner.AwaitCondition, Resource: planner.ServiceRes(svc), Target: cond, Reason: planner.DependencyCondition,
		})
	}
	err = Execute(ctx, plan, b.Runtime(p, RuntimeOptions{}), -1, sink)
	if err != nil && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("services were not ready within --wait-timeout %s: %w", o.Timeout, err)
	}
	return err
}
