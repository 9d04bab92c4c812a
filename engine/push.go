package engine

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// Pusher is what `berth push` needs from the engine.
type Pusher interface {
	// Push pushes the local image ref to its registry, passing progress
	// lines to log (which may be nil).
	Push(ctx context.Context, ref string, log func(string)) error
}

// PushOptions are what Push does.
type PushOptions struct {
	// Services whose images are pushed (empty: all).
	Services []string
	// IncludeDeps also pushes the images of the services they depend on.
	IncludeDeps bool
	// IgnoreFailures turns a failed push into a warning.
	IgnoreFailures bool
	// Quiet sends no progress lines.
	Quiet bool
	// Parallel bounds the pushes in flight (<= 0: unlimited).
	Parallel int
	// DryRun returns what would be pushed without pushing.
	DryRun bool
}

// PushRef is one image reference Push pushes, and the service it is for.
type PushRef struct {
	Service string
	Ref     string
}

// PushRefs lists what Push pushes: for each selected service that has a
// build section and an image, the image and its build tags. Services that
// only pull an image, or build one only known here, have nothing to push.
func PushRefs(p *project.Project, o PushOptions) ([]PushRef, error) {
	g, err := p.Graph.Subset(o.Services, o.IncludeDeps)
	if err != nil {
		return nil, err
	}
	var refs []PushRef
	for _, svc := range g.Services() {
		s := p.Compose.Services[svc]
		if s.Build == nil || s.Image == "" {
			continue
		}
		for _, ref := range append([]string{s.Image}, s.Build.Tags...) {
			if !slices.ContainsFunc(refs, func(r PushRef) bool { return r.Ref == ref }) {
				refs = append(refs, PushRef{Service: svc, Ref: ref})
			}
		}
	}
	return refs, nil
}

// Push pushes the services' images (see PushRefs) in parallel. Each push's
// progress lines are Progress events of the image; a push that fails
// stops the others, unless IgnoreFailures makes it a warning. It returns
// what it pushed (with DryRun, what it would push).
func Push(ctx context.Context, b Pusher, p *project.Project, o PushOptions, sink Sink) ([]PushRef, error) {
	refs, err := PushRefs(p, o)
	if err != nil || o.DryRun {
		return refs, err
	}
	g, gctx := errgroup.WithContext(ctx)
	if o.Parallel > 0 {
		g.SetLimit(o.Parallel)
	}
	var mu sync.Mutex
	var pushed []PushRef
	for _, r := range refs {
		g.Go(func() error {
			a := planner.Action{Resource: planner.Resource{Kind: planner.ImageResource, Service: r.Service, Key: r.Ref}, Name: r.Ref, Image: r.Ref}
			var log func(string)
			if !o.Quiet && sink != nil {
				last := ""
				log = func(line string) {
					// the engine repeats "<layer> Pushing" for every chunk
					if line != last {
						last = line
						sink.Event(Event{Time: time.Now(), Action: a, Status: Progress, Text: line})
					}
				}
			}
			if err := b.Push(gctx, r.Ref, log); err != nil {
				err = fmt.Errorf("service %q: %w", r.Service, err)
				if o.IgnoreFailures {
					Emit(sink, Warning, err.Error())
					return nil
				}
				return err
			}
			mu.Lock()
			pushed = append(pushed, r)
			mu.Unlock()
			if !o.Quiet {
				Emit(sink, Info, fmt.Sprintf("Pushed %s", r.Ref))
			}
			return nil
		})
	}
	err = g.Wait()
	slices.SortFunc(pushed, func(a, b PushRef) int { return slices.Index(refs, a) - slices.Index(refs, b) })
	return pushed, err
}
