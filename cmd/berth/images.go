package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/berth-dev/berth/engine/docker"

	"golang.org/x/sync/errgroup"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// imageFlags are the flags that decide builds and pulls before `up`.
type imageFlags struct {
	build   bool
	noBuild bool
	pull    string
}

// imageGetter is what getImages needs of the engine: *docker.Client, or a
// fake in tests.
type imageGetter interface {
	Build(ctx context.Context, p *project.Project, svc string, opts engine.BuildOptions, log func(line string)) (string, error)
	Tag(ctx context.Context, id, ref string) error
	Pull(ctx context.Context, service, ref string, log func(string)) error
}

// getImages builds and pulls what the project needs before containers are
// planned: in parallel (bounded by parallel), each line of output prefixed
// with its service. It stops at the first failure, before anything else
// runs, so nothing that needs a failed image is started.
func getImages(ctx context.Context, w io.Writer, c imageGetter, p *project.Project, steps []planner.ImageStep, bo engine.BuildOptions, parallel int, ignorePullFailures bool) error {
	if len(steps) == 0 {
		return nil
	}
	var mu sync.Mutex
	width := 0
	for _, s := range steps {
		width = max(width, len(s.Service))
	}
	logFor := func(svc string) func(string) {
		return func(line string) {
			if bo.Quiet {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(w, "%-*s | %s\n", width, svc, line)
		}
	}
	// services with the same build section (store and its one-shot
	// migrate, say) are built once and the image tagged for each, so they
	// get the same image ID and a rebuild recreates both or neither
	sameAs := map[string][]planner.ImageStep{}
	var firsts []planner.ImageStep
	seen := map[string]string{}
	for _, s := range steps {
		if !s.Build {
			firsts = append(firsts, s)
			continue
		}
		key, _ := json.Marshal(p.Compose.Services[s.Service].Build)
		if first, ok := seen[string(key)]; ok {
			sameAs[first] = append(sameAs[first], s)
			continue
		}
		seen[string(key)] = s.Service
		firsts = append(firsts, s)
	}
	g, gctx := errgroup.WithContext(ctx)
	if parallel > 0 {
		g.SetLimit(parallel)
	}
	for _, s := range firsts {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err // another build or pull failed: start no more
			}
			start := time.Now()
			if s.Build {
				id, err := c.Build(gctx, p, s.Service, bo, logFor(s.Service))
				if err != nil {
					return err
				}
				logFor(s.Service)(fmt.Sprintf("built %s (%s, %s)", s.Ref, s.Why, time.Since(start).Round(100*time.Millisecond)))
				for _, other := range sameAs[s.Service] {
					if err := c.Tag(gctx, id, other.Ref); err != nil {
						return fmt.Errorf("service %q: %w", other.Service, err)
					}
					logFor(other.Service)(fmt.Sprintf("tagged %s: the same build as %s", other.Ref, s.Service))
				}
				return nil
			}
			if err := c.Pull(gctx, s.Service, s.Ref, logFor(s.Service)); err != nil {
				if ignorePullFailures {
					logFor(s.Service)(fmt.Sprintf("warning: %v", err))
					return nil
				}
				return err
			}
			logFor(s.Service)(fmt.Sprintf("pulled %s (%s)", s.Ref, s.Why))
			return nil
		})
	}
	return g.Wait()
}

// imageSteps asks the engine which images it has and the planner what to
// build or pull for the services a plan with opt touches.
func imageSteps(ctx context.Context, c *docker.Client, p *project.Project, opt planner.Options, f imageFlags) ([]planner.ImageStep, error) {
	touched, err := p.Graph.Subset(opt.Services, !opt.NoDeps)
	if err != nil {
		return nil, err
	}
	local, err := c.LocalImages(ctx, p)
	if err != nil {
		return nil, err
	}
	return planner.ImageSteps(p, local, planner.ImageOptions{
		Services: touched.Services(), Build: f.build, NoBuild: f.noBuild, Pull: f.pull, Now: time.Now(),
	})
}

// printImageSteps shows the builds and pulls a plan needs first.
func printImageSteps(w io.Writer, steps []planner.ImageStep) {
	for _, s := range steps {
		verb := "pull"
		if s.Build {
			verb = "build"
		}
		fmt.Fprintf(w, "  %s image %s for %s (%s)\n", verb, s.Ref, s.Service, s.Why)
	}
	if len(steps) > 0 {
		fmt.Fprintln(w)
	}
}

// runImageCommand is `berth build` and `berth pull`: it loads the project,
// asks step for each named service (all when none are named), and builds or
// pulls them, or only lists them with --dry-run.
func (g *globalOptions) runImageCommand(ctx context.Context, stdout io.Writer, services []string, bo engine.BuildOptions,
	ignorePullFailures bool, step func(p *project.Project, svc string) (planner.ImageStep, bool)) error {
	p, err := g.loadForChange(ctx, services)
	if err != nil {
		return err
	}
	for _, s := range services {
		if !p.Graph.Has(s) {
			return usageError("no such service: %q", s)
		}
	}
	var steps []planner.ImageStep
	for _, svc := range p.Graph.Services() {
		if len(services) > 0 && !contains(services, svc) {
			continue
		}
		if st, ok := step(p, svc); ok {
			steps = append(steps, st)
		}
	}
	if g.dryRun {
		printImageSteps(stdout, steps)
		return nil
	}
	c, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return getImages(ctx, stdout, c, p, steps, bo, g.parallel, ignorePullFailures)
}
