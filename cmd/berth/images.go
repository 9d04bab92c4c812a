package main

import (
	"context"
	"io"

	"github.com/spf13/pflag"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// imageFlags are the flags of `up` that decide builds and pulls.
type imageFlags struct {
	build   bool
	noBuild bool
	pull    string
}

// register registers --build, --no-build and --pull.
func (f *imageFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.build, "build", false, "Build images before starting containers")
	fs.BoolVar(&f.noBuild, "no-build", false, "Don't build an image, even if it's missing")
	fs.StringVar(&f.pull, "pull", "", "Pull images before running: always, missing, never or build (default: each service's pull_policy)")
}

// options checks the flags and returns the planner's image options.
func (f imageFlags) options() (planner.ImageOptions, error) {
	if f.build && f.noBuild {
		return planner.ImageOptions{}, usageError("--build and --no-build cannot be combined")
	}
	if f.pull == "policy" { // Compose's name for the default
		f.pull = ""
	}
	switch f.pull {
	case "", "always", "missing", "never", "build":
	default:
		return planner.ImageOptions{}, usageError("invalid --pull %q: use always, missing, never or build", f.pull)
	}
	return planner.ImageOptions{Build: f.build, NoBuild: f.noBuild, Pull: f.pull}, nil
}

// imageOperation is engine.Build or engine.Pull.
type imageOperation func(ctx context.Context, b engine.Backend, p *project.Project, o engine.ImagesOptions, sink engine.Sink) (*planner.Plan, error)

// runImageCommand is `berth build` and `berth pull`: it loads the project
// and runs op for the named services (all when none are named), the
// builders' output on stdout prefixed by service; with --dry-run it prints
// the plan instead.
func (g *globalOptions) runImageCommand(ctx context.Context, stdout, stderr io.Writer, services []string, o engine.ImagesOptions, op imageOperation) error {
	p, err := g.loadForChange(ctx, services)
	if err != nil {
		return err
	}
	if err := checkServices(p, services...); err != nil {
		return err
	}
	o.Services, o.Parallel, o.DryRun = services, g.parallel, g.dryRun
	var b engine.Backend
	if !g.dryRun {
		c, err := docker.Connect(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		b = c
	}
	var out io.Writer = stdout
	if o.Build.Quiet {
		out = io.Discard
	}
	pr := newProgress(stderr, g.progress, out)
	plan, err := op(ctx, b, p, o, pr)
	pr.close()
	if err != nil {
		return err
	}
	if g.dryRun {
		return renderPlan(stdout, p, plan, "text")
	}
	return nil
}
