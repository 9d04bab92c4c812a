package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// pullOptions are the flags of `berth pull`.
type pullOptions struct {
	*globalOptions
	ignoreFailures bool
	quiet          bool
}

func newPullCommand(g *globalOptions) *cobra.Command {
	o := &pullOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "pull [OPTIONS] [SERVICE...]",
		Short: "Pull the services' images",
		Long: "Pull the images of the services that name one. Images only built locally (a build\n" +
			"section and no image) are skipped, and so are services whose pull_policy is never.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPull(cmd.Context(), cmd.OutOrStdout(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	c.Flags().BoolVar(&o.ignoreFailures, "ignore-pull-failures", false, "Pull what it can and ignore images that fail to pull")
	c.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "Pull without printing progress information")
	return c
}

func runPull(ctx context.Context, stdout io.Writer, o *pullOptions, services []string) error {
	return o.runImageCommand(ctx, stdout, services, engine.BuildOptions{Quiet: o.quiet}, o.ignoreFailures, func(p *project.Project, svc string) (planner.ImageStep, bool) {
		s := p.Compose.Services[svc]
		if s.Image == "" || s.PullPolicy == "never" {
			return planner.ImageStep{}, false
		}
		return planner.ImageStep{Service: svc, Ref: s.Image, Why: "berth pull"}, true
	})
}
