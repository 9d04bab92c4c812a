package engine

import (
	"context"
	"time"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// UpOptions are what `up` does, as typed options.
type UpOptions struct {
	// Plan shapes the container plan (services, recreate flags, scale, ...).
	Plan planner.Options
	// Images decides builds and pulls (--build, --no-build, --pull).
	Images planner.ImageOptions
	// Runtime tunes the actions (-t, -V, build options).
	Runtime RuntimeOptions
	// Parallel bounds the engine calls in flight (<= 0: unlimited).
	Parallel int
	// DryRun plans and returns the plan without changing anything.
	DryRun bool
	// Wait waits, after applying, until every service is running (healthy
	// when it has a healthcheck; a one-shot others wait on must complete);
	// WaitTimeout bounds it (0: no limit).
	Wait        bool
	WaitTimeout time.Duration
	// Attach asks for the engine time before applying, from which an
	// attached `up` shows the containers' output (UpResult.Since).
	Attach bool
}

// UpResult is what Up did.
type UpResult struct {
	// Plan is the plan Up carried out (or, with DryRun, would carry out).
	Plan *planner.Plan
	// Since is the engine's clock before anything was applied, with Attach.
	Since time.Time
}

// PlanUp observes the engine and plans `up`: the builds and pulls the
// touched services need, then the container plan. It changes nothing.
func PlanUp(ctx context.Context, b Backend, p *project.Project, o UpOptions) (*planner.Plan, error) {
	obs, err := b.Observe(ctx, p)
	if err != nil {
		return nil, err
	}
	return planUp(ctx, b, p, obs, o)
}

// planUp plans `up` from an observation: the images first, then the
// containers. Only here — not in every observation — are the build
// contexts of the services whose image Berth built walked, to tell
// whether their sources changed.
func planUp(ctx context.Context, b Backend, p *project.Project, obs *planner.Observed, o UpOptions) (*planner.Plan, error) {
	var labelled []string
	for _, svc := range p.Graph.Services() {
		if s := p.Compose.Services[svc]; s.Build != nil && obs.Images[project.ImageName(p.Compose, svc)].BuildContext != "" {
			labelled = append(labelled, svc)
		}
	}
	if len(labelled) > 0 {
		obs.BuildContexts = b.BuildContextDigests(ctx, p, labelled)
	}
	opt := o.Plan
	images := o.Images
	if images.Now.IsZero() {
		images.Now = time.Now()
	}
	opt.Images = &images
	return planner.Compute(p, obs, opt)
}

// Up converges the engine on the project: it takes the project's lock
// (two Berths on one project take turns), observes once, plans the
// builds, pulls and container actions, and applies them with every event
// on sink. A build or pull that fails stops everything that needs it.
//
// When a build or pull replaces the image of a service that already has
// containers, whether they must be recreated depends on the image it
// produces: Up then applies the image actions first and plans the
// containers again, so a build that produced the same image recreates
// nothing.
func Up(ctx context.Context, b Backend, p *project.Project, o UpOptions, sink Sink) (*UpResult, error) {
	if o.DryRun {
		plan, err := PlanUp(ctx, b, p, o)
		if err != nil {
			return nil, err
		}
		return &UpResult{Plan: plan}, nil
	}
	obs, unlock, err := observeForChange(ctx, b, p, sink, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	plan, err := planUp(ctx, b, p, obs, o)
	if err != nil {
		return nil, err
	}
	res := &UpResult{Plan: plan}
	if o.Attach {
		// output from here on is shown, on the engine's clock
		if res.Since, err = b.EngineTime(ctx); err != nil {
			return nil, err
		}
	}
	if replansAfterImages(p, plan, obs) {
		if err := apply(ctx, b, p, subPlan(plan, isImageAction), o.Runtime, o.Parallel, sink, "up"); err != nil {
			return res, err
		}
		if obs, err = b.Observe(ctx, p); err != nil {
			return res, err
		}
		if res.Plan, err = planner.Compute(p, obs, o.Plan); err != nil {
			return res, err
		}
		plan = res.Plan
	}
	if err := apply(ctx, b, p, plan, o.Runtime, o.Parallel, sink, "up"); err != nil {
		return res, err
	}
	if o.Wait && !o.Plan.NoStart {
		return res, Wait(ctx, b, p, WaitOptions{Services: o.Plan.Services, NoDeps: o.Plan.NoDeps, Scale: o.Plan.Scale, Timeout: o.WaitTimeout}, sink)
	}
	return res, nil
}

// replansAfterImages reports whether a build or pull in plan gets the image
// of a service that has containers already.
func replansAfterImages(p *project.Project, plan *planner.Plan, obs *planner.Observed) bool {
	refs := map[string]bool{}
	for _, a := range plan.Actions {
		if isImageAction(a) {
			refs[a.Image] = true
			for _, t := range a.Tags {
				refs[t] = true
			}
		}
	}
	if len(refs) == 0 {
		return false
	}
	for svc, cs := range obs.Containers {
		if _, ok := p.Compose.Services[svc]; ok && len(cs) > 0 && refs[project.ImageName(p.Compose, svc)] {
			return true
		}
	}
	return false
}
