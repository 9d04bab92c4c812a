package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
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
			return runPull(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	c.Flags().BoolVar(&o.ignoreFailures, "ignore-pull-failures", false, "Pull what it can and ignore images that fail to pull")
	c.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "Pull without printing progress information")
	return c
}

func runPull(ctx context.Context, stdout, stderr io.Writer, o *pullOptions, services []string) error {
	return o.runImageCommand(ctx, stdout, stderr, services, engine.ImagesOptions{Build: engine.BuildOptions{Quiet: o.quiet}, IgnorePullFailures: o.ignoreFailures}, engine.Pull)
}
