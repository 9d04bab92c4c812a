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
	// yes is Compose's -y/--yes, accepted and ignored: Berth never asks
	yes bool
}

func newCreateCommand(g *globalOptions) *cobra.Command {
	o := &createOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "create [OPTIONS] [SERVICE...]",
		Short: "Create the services' containers without starting them",
		Long: "Create the project's containers (and its networks, volumes and images) without starting\n" +
			"them: the plan of `up --no-start`.\n\n" +
			"Berth never asks here: where Compose asks whether to recreate a named volume whose\n" +
			"configuration changed (its data lost), Berth stops with an error unless\n" +
			"--recreate-changed-volumes. Compose's -y/--yes is accepted for compatibility and changes nothing.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCreate(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	f := c.Flags()
	o.planFlags.registerRecreate(f)
	o.images.register(f)
	f.BoolVar(&o.quietPull, "quiet-pull", false, "Pull without printing progress information")
	f.BoolVarP(&o.yes, "yes", "y", false, "Accepted for Compose compatibility; no effect (Berth never asks: see --recreate-changed-volumes)")
	_ = f.MarkHidden("yes")
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
