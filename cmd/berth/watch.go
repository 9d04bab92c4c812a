package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine/docker"
	"github.com/berth-dev/berth/project"
	"github.com/berth-dev/berth/watch"
)

// watchOptions are the flags of `berth watch`.
type watchOptions struct {
	*globalOptions
	noUp  bool
	quiet bool
	prune bool
}

func newWatchCommand(g *globalOptions) *cobra.Command {
	o := &watchOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "watch [OPTIONS] [SERVICE...]",
		Short: "Watch the services' develop.watch paths and sync, rebuild or restart them on change",
		Long: "Bring the services up, then watch the paths of their develop.watch rules: changed files are\n" +
			"synced into the running containers, or the service is rebuilt or restarted, as each rule says.\n" +
			"Ctrl-C stops watching; the containers keep running.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWatch(cmd.Context(), cmd.ErrOrStderr(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	c.Flags().BoolVar(&o.noUp, "no-up", false, "Do not bring the services up before watching")
	c.Flags().BoolVar(&o.quiet, "quiet", false, "Hide build output")
	c.Flags().BoolVar(&o.prune, "prune", false, "Remove the image a rebuild replaced")
	return c
}

func runWatch(ctx context.Context, stderr io.Writer, o *watchOptions, services []string) error {
	p, err := o.loadForChange(ctx, services)
	if err != nil {
		return err
	}
	b, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	pr := newProgress(stderr, o.progress, nil)
	defer pr.close()
	reload := func(ctx context.Context) (*project.Project, error) { return o.loadForChange(ctx, services) }
	return watch.Run(ctx, b, p, watch.Options{Services: services, NoUp: o.noUp, Parallel: o.parallel, Quiet: o.quiet, Prune: o.prune, Reload: reload}, pr)
}
