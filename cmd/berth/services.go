package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
	"github.com/berth-dev/berth/project"
)

// checkServices fails (exit 1, as with Compose) naming the first of
// services the project does not define, and the ones it does.
func checkServices(p *project.Project, services ...string) error {
	for _, s := range services {
		if !p.Graph.Has(s) {
			return fmt.Errorf("no such service: %q (services: %s)", s, strings.Join(p.Graph.Services(), ", "))
		}
	}
	return nil
}

// loadChecked loads the whole project (for a change: with the named
// services' profiles enabled, see loadForChange) and checks that it
// defines the services.
func (g *globalOptions) loadChecked(ctx context.Context, services []string, forChange bool) (*project.Project, error) {
	var p *project.Project
	var err error
	if forChange {
		p, err = g.loadForChange(ctx, services)
	} else {
		p, err = g.load(ctx, nil)
	}
	if err != nil {
		return nil, err
	}
	return p, checkServices(p, services...)
}

// upOperation is engine.Up or engine.Create.
type upOperation func(ctx context.Context, b engine.Backend, p *project.Project, o engine.UpOptions, sink engine.Sink) (*engine.UpResult, error)

// runUpPlan connects, runs op (an up-shaped plan: create, scale) with its
// events rendered on stderr, and with --dry-run prints the plan instead.
// wrap, when set, filters the events on their way to the renderer.
func (g *globalOptions) runUpPlan(ctx context.Context, stdout, stderr io.Writer, p *project.Project, op upOperation, o engine.UpOptions, wrap func(engine.Sink) engine.Sink) error {
	b, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	pr := newProgress(stderr, g.progress, nil)
	var sink engine.Sink = pr
	if wrap != nil {
		sink = wrap(pr)
	}
	o.Parallel, o.DryRun = g.parallel, g.dryRun
	res, err := op(ctx, b, p, o, sink)
	pr.close()
	if err != nil {
		return err
	}
	if g.dryRun {
		return renderPlan(stdout, p, res.Plan, "text")
	}
	return nil
}
