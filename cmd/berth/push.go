package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
)

// pushOptions are the flags of `berth push`.
type pushOptions struct {
	*globalOptions
	ignoreFailures bool
	includeDeps    bool
	quiet          bool
}

func newPushCommand(g *globalOptions) *cobra.Command {
	o := &pushOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "push [OPTIONS] [SERVICE...]",
		Short: "Push service images",
		Long: "Push the images of the services that have both a build section and an image (and the\n" +
			"build section's tags) to their registries.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPush(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	c.Flags().BoolVar(&o.ignoreFailures, "ignore-push-failures", false, "Push what it can and ignores images with push failures")
	c.Flags().BoolVar(&o.includeDeps, "include-deps", false, "Also push images of services declared as dependencies")
	c.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "Push without printing progress information")
	return c
}

func runPush(ctx context.Context, stdout, stderr io.Writer, o *pushOptions, services []string) error {
	p, err := o.load(ctx, nil)
	if err != nil {
		return err
	}
	if err := checkServices(p, services...); err != nil {
		return err
	}
	opts := engine.PushOptions{Services: services, IncludeDeps: o.includeDeps, IgnoreFailures: o.ignoreFailures,
		Quiet: o.quiet, Parallel: o.parallel, DryRun: o.dryRun}
	var b engine.Pusher
	if !o.dryRun {
		c, err := docker.Connect(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetEnviron(o.streams.Environ)
		b = c
	}
	var out io.Writer = stdout
	if o.quiet {
		out = io.Discard
	}
	pr := newProgress(stderr, o.progress, out)
	refs, err := engine.Push(ctx, b, p, opts, pr)
	pr.close()
	if err != nil {
		return err
	}
	if o.dryRun {
		for _, r := range refs {
			fmt.Fprintf(stdout, "push %s for %s\n", r.Ref, r.Service)
		}
	}
	return nil
}
