package main

import (
	"context"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
	"github.com/berth-dev/berth/project"
	"github.com/berth-dev/berth/watch"
)

// upOptions are the flags of `berth up`.
type upOptions struct {
	*globalOptions
	planFlags
	images      imageFlags
	detach      bool
	wait        bool
	waitTimeout int
	timeout     int
	watch       bool
	attachOptions
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
	o.images.register(f)
	f.BoolVar(&o.watch, "watch", false, "Watch the services' develop.watch paths and sync, rebuild or restart them as files change, while following their output")
	o.attachOptions.register(f)
	return c
}

func runUp(ctx context.Context, stdout, stderr io.Writer, o *upOptions, services []string) error {
	if o.waitTimeout < 0 {
		return usageError("invalid --wait-timeout %d: use a number of seconds, or 0 for no limit", o.waitTimeout)
	}
	detached := o.detach || o.wait
	if err := o.attachOptions.validateFlags(detached); err != nil {
		return err
	}
	if o.watch && detached {
		return usageError("--watch and -d (or --wait) cannot be combined: watch runs while up follows the services; use `berth watch` on its own instead")
	}
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
	var sel attachment
	attached := !detached && !o.dryRun && !opt.NoStart
	if attached {
		if sel, err = o.attachOptions.selection(p, opt); err != nil {
			return err
		}
	}
	b, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()

	pr := newProgress(stderr, o.progress, nil)
	res, err := engine.Up(ctx, b, p, engine.UpOptions{
		Plan:        opt,
		Images:      images,
		Runtime:     engine.RuntimeOptions{StopTimeout: seconds(o.timeout), RenewAnonVolumes: opt.RenewAnonVolumes},
		Parallel:    o.parallel,
		DryRun:      o.dryRun,
		Wait:        o.wait,
		WaitTimeout: time.Duration(o.waitTimeout) * time.Second,
		Attach:      attached,
	}, pr)
	pr.close()
	if err != nil {
		return err
	}
	if o.dryRun {
		return renderPlan(stdout, p, res.Plan, "text")
	}
	if attached && o.watch {
		// the watch loop runs beside the attached output, until Ctrl-C
		wctx, cancel := context.WithCancel(ctx)
		defer cancel()
		wpr := newProgress(stderr, o.progress, nil)
		defer wpr.close()
		reload := func(ctx context.Context) (*project.Project, error) { return o.loadForChange(ctx, services) }
		watched := make(chan error, 1)
		go func() {
			watched <- watch.Run(wctx, b, p, watch.Options{Services: services, NoUp: true, Parallel: o.parallel, Reload: reload}, wpr)
		}()
		err := runAttached(ctx, stdout, stderr, b, p, o, sel, res.Since)
		cancel()
		if werr := <-watched; werr != nil && err == nil {
			err = werr
		}
		return err
	}
	if attached {
		return runAttached(ctx, stdout, stderr, b, p, o, sel, res.Since)
	}
	return nil
}

func seconds(n int) *time.Duration {
	if n < 0 {
		return nil
	}
	d := time.Duration(n) * time.Second
	return &d
}
