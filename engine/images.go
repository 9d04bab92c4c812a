package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// ImagesOptions are what Build and Pull do.
type ImagesOptions struct {
	// Services whose images are built or pulled (empty: all).
	Services []string
	// Build tunes the builds (--no-cache, --pull, --build-arg, -q).
	Build BuildOptions
	// IgnorePullFailures turns a failed pull into a warning.
	IgnorePullFailures bool
	// Parallel bounds the builds and pulls in flight (<= 0: unlimited).
	Parallel int
	// DryRun plans and returns the plan without building or pulling.
	DryRun bool
}

// Build builds the images of the services that have a build section, in
// parallel, each build section once. It returns the plan it carried out.
func Build(ctx context.Context, b Backend, p *project.Project, o ImagesOptions, sink Sink) (*planner.Plan, error) {
	return images(ctx, b, p, o, sink, func(svc string) (planner.ImageStep, bool) {
		if p.Compose.Services[svc].Build == nil {
			return planner.ImageStep{}, false
		}
		return planner.ImageStep{Service: svc, Build: true, Ref: project.ImageName(p.Compose, svc), Reason: planner.Requested}, true
	}, "build")
}

// Pull pulls the images of the services that name one, except those whose
// pull_policy is never. It returns the plan it carried out.
func Pull(ctx context.Context, b Backend, p *project.Project, o ImagesOptions, sink Sink) (*planner.Plan, error) {
	return images(ctx, b, p, o, sink, func(svc string) (planner.ImageStep, bool) {
		s := p.Compose.Services[svc]
		if s.Image == "" || s.PullPolicy == "never" {
			return planner.ImageStep{}, false
		}
		return planner.ImageStep{Service: svc, Ref: s.Image, Reason: planner.Requested}, true
	}, "pull")
}

func images(ctx context.Context, b Backend, p *project.Project, o ImagesOptions, sink Sink, step func(string) (planner.ImageStep, bool), op string) (*planner.Plan, error) {
	for _, s := range o.Services {
		if !p.Graph.Has(s) {
			return nil, fmt.Errorf("no such service: %q (services: %s)", s, strings.Join(p.Graph.Services(), ", "))
		}
	}
	var steps []planner.ImageStep
	for _, svc := range p.Graph.Services() {
		if len(o.Services) > 0 && !slices.Contains(o.Services, svc) {
			continue
		}
		if st, ok := step(svc); ok {
			steps = append(steps, st)
		}
	}
	plan, err := planner.ImagePlan(p, steps, o.IgnorePullFailures)
	if err != nil || o.DryRun {
		return plan, err
	}
	return plan, apply(ctx, b, p, plan, RuntimeOptions{Build: o.Build}, o.Parallel, sink, op)
}
