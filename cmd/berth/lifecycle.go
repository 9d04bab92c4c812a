package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// lifecycleOptions are the flags of start, stop, restart, kill, pause and
// unpause.
type lifecycleOptions struct {
	*globalOptions
	timeout int
	noDeps  bool
	signal  string
	// removeOrphans: kill also removes the containers of services no
	// longer defined.
	removeOrphans bool
	// dependents: the operation also acts on the services that depend on
	// the named ones (restart, unless --no-deps).
	dependents bool
}

// lifecycleOp is one of engine's lifecycle functions.
type lifecycleOp func(ctx context.Context, b engine.Backend, p *project.Project, o engine.LifecycleOptions, sink engine.Sink) (*planner.Plan, error)

// newLifecycleCommands returns `start`, `stop`, `restart`, `kill`, `pause`
// and `unpause`: each maps its flags to options, makes one orchestration
// call, and renders its events (so --dry-run, --parallel and --progress
// work as for up).
func newLifecycleCommands(g *globalOptions) []*cobra.Command {
	type spec struct {
		use, short string
		op         lifecycleOp
		flags      func(*cobra.Command, *lifecycleOptions)
	}
	timeout := func(c *cobra.Command, o *lifecycleOptions) {
		c.Flags().IntVarP(&o.timeout, "timeout", "t", -1, "Seconds to wait for the containers to stop before killing them")
	}
	specs := []spec{
		{"start [SERVICE...]", "Start the services' stopped containers, dependencies first", engine.Start, nil},
		{"stop [OPTIONS] [SERVICE...]", "Stop the services' running containers, dependents first", stopOp, timeout},
		{"restart [OPTIONS] [SERVICE...]", "Restart the services' containers (and those of the services that depend on them with restart: true)", engine.Restart,
			func(c *cobra.Command, o *lifecycleOptions) {
				timeout(c, o)
				o.dependents = true
				c.Flags().BoolVar(&o.noDeps, "no-deps", false, "Don't restart the services that depend on the named ones")
			}},
		{"kill [OPTIONS] [SERVICE...]", "Send a signal to the services' running containers", engine.Kill,
			func(c *cobra.Command, o *lifecycleOptions) {
				c.Flags().StringVarP(&o.signal, "signal", "s", "SIGKILL", "Signal to send to the containers (a name such as SIGTERM, or a number)")
				orphans, _ := g.streams.Getenv("COMPOSE_REMOVE_ORPHANS")
				removeOrphans, _ := strconv.ParseBool(orphans)
				c.Flags().BoolVar(&o.removeOrphans, "remove-orphans", removeOrphans, "Also stop and remove the containers of services not defined in the compose file")
			}},
		{"pause [SERVICE...]", "Pause the services' running containers", engine.Pause, nil},
		{"unpause [SERVICE...]", "Resume the services' paused containers", engine.Unpause, nil},
	}
	var cmds []*cobra.Command
	for _, sp := range specs {
		o := &lifecycleOptions{globalOptions: g, timeout: -1}
		c := &cobra.Command{
			Use:   sp.use,
			Short: sp.short,
			RunE: func(cmd *cobra.Command, args []string) error {
				return runLifecycle(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, sp.op, args)
			},
			ValidArgsFunction: g.completeServices,
		}
		if sp.flags != nil {
			sp.flags(c, o)
		}
		cmds = append(cmds, c)
	}
	return cmds
}

// stopOp is engine.Stop as a lifecycle operation: dependents stop first.
func stopOp(ctx context.Context, b engine.Backend, p *project.Project, o engine.LifecycleOptions, sink engine.Sink) (*planner.Plan, error) {
	return engine.Stop(ctx, b, p, engine.StopOptions{Services: o.Plan.Services, Timeout: o.Timeout, Parallel: o.Parallel, DryRun: o.DryRun}, sink)
}

func runLifecycle(ctx context.Context, stdout, stderr io.Writer, o *lifecycleOptions, op lifecycleOp, services []string) error {
	if o.signal != "" {
		if err := planner.CheckSignal(o.signal); err != nil {
			return usageError("-s/--signal: %w", err)
		}
	}
	p, err := o.loadChecked(ctx, services, true)
	if err != nil {
		return err
	}
	b, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	pr := newProgress(stderr, o.progress, nil)
	plan, err := op(ctx, b, p, engine.LifecycleOptions{
		Plan:     planner.LifecycleOptions{Services: services, Dependents: o.dependents && !o.noDeps, Signal: o.signal, RemoveOrphans: o.removeOrphans},
		Timeout:  seconds(o.timeout),
		Parallel: o.parallel,
		DryRun:   o.dryRun,
	}, pr)
	pr.close()
	if err != nil {
		return err
	}
	if o.dryRun && plan != nil {
		return renderPlan(stdout, p, plan, "text")
	}
	if o.signal != "" && plan != nil && len(plan.Actions) == 0 {
		fmt.Fprintln(stderr, "No container to kill") // as Compose says
	}
	return nil
}
