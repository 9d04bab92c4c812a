package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// planOptions are the flags of `berth plan`.
type planOptions struct {
	*globalOptions
	planFlags
	format           string
	detailedExitCode bool
}

func newPlanCommand(g *globalOptions) *cobra.Command {
	o := &planOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "plan [OPTIONS] [SERVICE...]",
		Short: "Show what `up` would do, and why, without changing anything",
		Long: "Show what `up` would do, and why, without changing anything: each network, volume and\n" +
			"container to create (+), recreate (~), remove (-) or start (>), with the fields that changed.\n" +
			"A converged project prints `No changes.`",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPlan(cmd.Context(), cmd.OutOrStdout(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	o.planFlags.register(c.Flags())
	c.Flags().StringVar(&o.format, "format", "text", "Output format: text or json")
	c.Flags().BoolVar(&o.detailedExitCode, "detailed-exitcode", false, "Exit 2 when the plan has changes, 0 when it has none")
	return c
}

func runPlan(ctx context.Context, stdout io.Writer, o *planOptions, services []string) error {
	if o.format != "text" && o.format != "json" {
		return usageError("invalid --format %q: use text or json", o.format)
	}
	p, err := o.loadForChange(ctx, services)
	if err != nil {
		return err
	}
	opt, err := o.planFlags.options(p, services, o.streams)
	if err != nil {
		return err
	}
	b, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	plan, err := engine.PlanUp(ctx, b, p, engine.UpOptions{Plan: opt})
	if err != nil {
		return err
	}
	if err := renderPlan(stdout, p, plan, o.format); err != nil {
		return err
	}
	if o.detailedExitCode && !plan.Empty() {
		return &exitError{code: 2}
	}
	return nil
}

// loadForChange loads the whole project with the named services enabled
// (their profiles turned on), so that the rest of the project still counts
// when orphans are told apart.
func (g *globalOptions) loadForChange(ctx context.Context, services []string) (*project.Project, error) {
	opts := g.projectOptions(nil)
	opts.Enable = services
	return project.Load(ctx, opts)
}

func renderPlan(w io.Writer, p *project.Project, plan *planner.Plan, format string) error {
	if format == "json" {
		return planner.RenderJSON(w, plan, p.Name())
	}
	return planner.Render(w, plan, planner.RenderOptions{Project: p.Name()})
}
