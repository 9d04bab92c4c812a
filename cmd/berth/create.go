package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/planner"
)

// createOptions are the flags of `berth create`.
type createOptions struct {
	*globalOptions
	planFlags
	images    imageFlags
	quietPull bool
	yes       bool
}

func newCreateCommand(g *globalOptions) *cobra.Command {
	o := &createOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "create [OPTIONS] [SERVICE...]",
		Short: "Create the services' containers without starting them",
		Long: "Create the project's containers (and its networks, volumes and images) without starting\n" +
			"them: the plan of `up --no-start`.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCreate(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	f := c.Flags()
	o.planFlags.registerRecreate(f)
	o.images.register(f)
	f.BoolVar(&o.quietPull, "quiet-pull", false, "Pull without printing progress information")
	f.BoolVarP(&o.yes, "yes", "y", false, `Assume "yes" as answer to all prompts and run non-interactively`)
	return c
}

func runCreate(ctx context.Context, stdout, stderr io.Writer, o *createOptions, services []string) error {
	p, err := o.loadForChange(ctx, services)
	if err != nil {
		return err
	}
	opt, err := o.planFlags.options(p, services, o.streams)
	if err != nil {
		return err
	}
	images, err := o.images.options()
	if err != nil {
		return err
	}
	var quiet func(engine.Sink) engine.Sink
	if o.quietPull {
		// the pulls' own output lines are dropped; their start and end stay
		quiet = func(pr engine.Sink) engine.Sink {
			return engine.SinkFunc(func(e engine.Event) {
				if e.Status != engine.Progress || e.Action.Kind != planner.PullImage {
					pr.Event(e)
				}
			})
		}
	}
	return o.runUpPlan(ctx, stdout, stderr, p, engine.Create, engine.UpOptions{Plan: opt, Images: images}, quiet)
}
