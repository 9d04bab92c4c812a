package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
	"github.com/berth-dev/berth/planner"
)

// downOptions are the flags of `berth down`.
type downOptions struct {
	*globalOptions
	removeOrphans bool
	volumes       bool
	timeout       int
	rmi           string
}

func newDownCommand(g *globalOptions) *cobra.Command {
	o := &downOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "down [OPTIONS] [SERVICE...]",
		Short: "Stop and remove containers and networks",
		Long: "Stop and remove the project's containers, then its networks. Dependents stop before the\n" +
			"services they depend on; independent ones stop in parallel. Named volumes are kept unless -v.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDown(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	f := c.Flags()
	f.BoolVar(&o.removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the compose file")
	f.BoolVarP(&o.volumes, "volumes", "v", false, "Remove named volumes declared in the project and anonymous volumes of its containers")
	f.IntVarP(&o.timeout, "timeout", "t", -1, "Seconds to wait for containers to stop before killing them")
	f.StringVar(&o.rmi, "rmi", "", `Remove images used by services: "local" (only images without a custom tag) or "all"`)
	return c
}

func runDown(ctx context.Context, stdout, stderr io.Writer, o *downOptions, services []string) error {
	if o.rmi != "" && o.rmi != "local" && o.rmi != "all" {
		return usageError("invalid --rmi %q: use local or all", o.rmi)
	}
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
	plan, err := engine.Down(ctx, b, p, engine.DownOptions{
		Plan:        planner.DownOptions{Services: services, RemoveOrphans: o.removeOrphans, Volumes: o.volumes, RemoveImages: o.rmi},
		StopTimeout: seconds(o.timeout),
		Parallel:    o.parallel,
		DryRun:      o.dryRun,
	}, pr)
	pr.close()
	if err != nil {
		return err
	}
	if o.dryRun {
		return renderPlan(stdout, p, plan, "text")
	}
	return nil
}
