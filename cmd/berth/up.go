package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// upOptions are the flags of `berth up`.
type upOptions struct {
	*globalOptions
	planFlags
	detach      bool
	wait        bool
	waitTimeout int
	timeout     int
}

func newUpCommand(g *globalOptions) *cobra.Command {
	o := &upOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "up [OPTIONS] [SERVICE...]",
		Short: "Create and start containers: plan the difference and apply it",
		Long: "Create and start the project's containers. Berth observes what runs, plans the difference\n" +
			"(see `berth plan`), and applies it: independent containers are created and started in\n" +
			"parallel, dependents wait for their dependencies' conditions.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUp(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	f := c.Flags()
	o.planFlags.register(f)
	f.BoolVarP(&o.detach, "detach", "d", false, "Detached mode: run containers in the background")
	f.BoolVar(&o.wait, "wait", false, "Wait for services to be running or healthy (implies detached mode)")
	f.IntVar(&o.waitTimeout, "wait-timeout", 0, "Maximum seconds to wait with --wait (0: no limit)")
	f.IntVarP(&o.timeout, "timeout", "t", -1, "Seconds to wait for containers to stop when replacing them")
	return c
}

func runUp(ctx context.Context, stdout, stderr io.Writer, o *upOptions, services []string) error {
	if o.waitTimeout < 0 {
		return usageError("invalid --wait-timeout %d: use a number of seconds, or 0 for no limit", o.waitTimeout)
	}
	if !o.detach && !o.wait && !o.dryRun {
		return usageError("attached mode is not available yet: run `berth up -d` (or --wait), then `docker logs -f` a container")
	}
	p, err := o.loadForChange(ctx, services)
	if err != nil {
		return err
	}
	opt, err := o.planFlags.options(p, services, o.streams)
	if err != nil {
		return err
	}
	c, err := engine.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()

	if o.dryRun {
		plan, err := computePlan(ctx, c, p, opt)
		if err != nil {
			return err
		}
		return renderPlan(stdout, p, plan, "text")
	}
	lock, err := lockProject(ctx, stderr, c.Host(), p.Name())
	if err != nil {
		return err
	}
	defer lock.Unlock()

	plan, err := computePlan(ctx, c, p, opt)
	if err != nil {
		return err
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(stderr, "berth: warning: %s\n", w)
	}
	pr := newProgress(stderr, o.progress)
	rt := c.Runtime(p, engine.RuntimeOptions{StopTimeout: seconds(o.timeout), RenewAnonVolumes: opt.RenewAnonVolumes})
	if err := engine.Execute(ctx, plan, rt, o.parallel, pr.event); err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted: actions under way were finished, nothing new was started; run `berth up` again to converge: %w", err)
		}
		return err
	}
	if o.wait && !opt.NoStart {
		return waitRunning(ctx, c, p, opt, o.waitTimeout, pr)
	}
	return nil
}

// waitRunning waits until every service `up` started is running, or healthy
// when it has a healthcheck; a one-shot service that others wait on must
// complete successfully instead.
func waitRunning(ctx context.Context, c *engine.Client, p *project.Project, opt planner.Options, timeout int, pr *progressPrinter) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(timeout)*time.Second)
		defer cancel()
	}
	g, err := p.Graph.Subset(opt.Services, !opt.NoDeps)
	if err != nil {
		return err
	}
	plan := &planner.Plan{}
	for _, svc := range g.Services() {
		cond := engine.ConditionRunningOrHealthy
		for _, e := range p.Graph.Dependents(svc) {
			if e.Condition == project.ConditionCompleted {
				cond = project.ConditionCompleted
			}
		}
		if scale := replicas(p, svc, opt); scale == 0 {
			continue
		}
		plan.Actions = append(plan.Actions, planner.Action{
			ID: len(plan.Actions) + 1, Kind: planner.AwaitCondition, Resource: "service:" + svc, Target: cond, Reason: planner.DependencyCondition,
		})
	}
	rt := c.Runtime(p, engine.RuntimeOptions{})
	err = engine.Execute(ctx, plan, rt, -1, pr.event)
	if err != nil && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("services were not ready within --wait-timeout %ds: %w", timeout, err)
	}
	return err
}

func replicas(p *project.Project, svc string, opt planner.Options) int {
	if n, ok := opt.Scale[svc]; ok {
		return n
	}
	s := p.Compose.Services[svc]
	return s.GetScale()
}

func seconds(n int) *time.Duration {
	if n < 0 {
		return nil
	}
	d := time.Duration(n) * time.Second
	return &d
}
