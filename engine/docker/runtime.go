package docker

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// dockerRuntime carries out plan actions for one project on a Docker Engine.
type dockerRuntime struct {
	c    *Client
	p    *project.Project
	opts engine.RuntimeOptions

	mu    sync.Mutex
	specs map[string]*containerSpec // by the container's name at create time
	// images caches the ID behind each image reference for this run: one
	// inspect per image, however many containers run it. A build or pull
	// of the reference forgets it.
	images map[string]*imageLookup
}

// imageLookup is one image inspect, shared by every create that needs it.
type imageLookup struct {
	once sync.Once
	id   string
	err  error
}

// imageID returns the ID of the image ref names, inspecting it once per run.
func (r *dockerRuntime) imageID(ctx context.Context, ref string) (string, error) {
	r.mu.Lock()
	l, ok := r.images[ref]
	if !ok {
		l = &imageLookup{}
		r.images[ref] = l
	}
	r.mu.Unlock()
	l.once.Do(func() {
		ins, err := r.c.api.ImageInspect(ctx, ref)
		l.id, l.err = ins.ID, err
	})
	if l.err != nil {
		// a failed lookup is not kept: the next create asks again
		r.forgetImage(ref)
	}
	return l.id, l.err
}

// forgetImage drops what the run knew of ref's image.
func (r *dockerRuntime) forgetImage(ref string) {
	r.mu.Lock()
	delete(r.images, ref)
	r.mu.Unlock()
}

// Runtime returns the engine.Runtime that applies p's plans to this engine.
func (c *Client) Runtime(p *project.Project, opts engine.RuntimeOptions) engine.Runtime {
	return &dockerRuntime{c: c, p: p, opts: opts, specs: map[string]*containerSpec{}, images: map[string]*imageLookup{}}
}

// Do carries out one action: one Engine API call (an await waits on
// events; a build or pull streams its output to progress).
func (r *dockerRuntime) Do(ctx context.Context, a planner.Action, progress func(string)) error {
	switch a.Kind {
	case planner.BuildImage:
		defer r.forgetImage(a.Image)
		for _, t := range a.Tags {
			defer r.forgetImage(t)
		}
		return r.build(ctx, a, progress)
	case planner.PullImage:
		defer r.forgetImage(a.Image)
		if err := r.c.Pull(ctx, a.Resource.Service, a.Image, r.quiet(progress)); err != nil {
			return err
		}
		progress(fmt.Sprintf("pulled %s (%s)", a.Image, a.Reason))
		return nil
	case planner.CreateNetwork:
		return r.createNetwork(ctx, a)
	case planner.RemoveNetwork:
		return r.removeNetwork(ctx, a.Name)
	case planner.CreateVolume:
		return r.createVolume(ctx, a)
	case planner.RemoveVolume:
		return ignoreNotFound(r.c.api.VolumeRemove(ctx, a.Name, false))
	case planner.RemoveImage:
		_, err := r.c.api.ImageRemove(ctx, a.Name, image.RemoveOptions{PruneChildren: true})
		if err != nil && strings.Contains(err.Error(), "unrecognized image ID") {
			// another tag of the same image (two services built from one
			// build section) was removed a moment before, taking the image
			return nil
		}
		return ignoreNotFound(err)
	case planner.CreateContainer:
		return r.createContainer(ctx, a)
	case planner.ConnectNetwork:
		return r.connect(ctx, a)
	case planner.DisconnectNetwork:
		return ignoreNotFound(r.c.api.NetworkDisconnect(ctx, a.Target, a.Name, true))
	case planner.StartContainer:
		if err := r.ensureFiles(ctx, a); err != nil {
			return err
		}
		if err := r.c.api.ContainerStart(ctx, a.Name, container.StartOptions{}); err != nil {
			return err
		}
		return r.runHooks(ctx, a, "post_start")
	case planner.RestartContainer:
		return r.c.api.ContainerRestart(ctx, a.Name, container.StopOptions{Timeout: r.stopSeconds(a)})
	case planner.StopContainer:
		return r.stop(ctx, a)
	case planner.KillContainer:
		return ignoreNotFound(r.c.api.ContainerKill(ctx, a.Name, a.Target))
	case planner.PauseContainer:
		return r.c.api.ContainerPause(ctx, a.Name)
	case planner.UnpauseContainer:
		return r.c.api.ContainerUnpause(ctx, a.Name)
	case planner.RemoveContainer:
		// the old container of a recreate takes its anonymous volumes with
		// it, except those the new container inherited, which the engine
		// keeps because they are in use
		return r.removeContainer(ctx, a.Name, a.RemoveVolumes)
	case planner.RenameContainer:
		return r.c.api.ContainerRename(ctx, a.Name, a.Target)
	case planner.AwaitCondition:
		return r.c.await(ctx, r.p.Name(), a.Resource.Service, a.Target)
	default:
		return fmt.Errorf("berth cannot carry out %s actions", a.Kind)
	}
}

func ignoreNotFound(err error) error {
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	return err
}

func (r *dockerRuntime) stop(ctx context.Context, a planner.Action) error {
	// pre_stop hooks run in a running container; only a service that has
	// them costs an inspect
	if s, ok := r.p.Compose.Services[a.Resource.Service]; ok && len(s.PreStop) > 0 {
		if ins, err := r.c.api.ContainerInspect(ctx, a.Name); err == nil && ins.State != nil && ins.State.Running {
			if err := r.runHooks(ctx, a, "pre_stop"); err != nil {
				return err
			}
		}
	}
	return ignoreNotFound(r.c.api.ContainerStop(ctx, a.Name, container.StopOptions{Timeout: r.stopSeconds(a)}))
}

// stopSeconds is how long a stop waits before killing: -t, else the
// service's stop_grace_period, else the engine's default.
func (r *dockerRuntime) stopSeconds(a planner.Action) *int {
	timeout := r.opts.StopTimeout
	if timeout == nil {
		if s, ok := r.p.Compose.Services[a.Resource.Service]; ok && s.StopGracePeriod != nil {
			d := time.Duration(*s.StopGracePeriod)
			timeout = &d
		}
	}
	if timeout == nil {
		return nil
	}
	n := int(timeout.Seconds())
	return &n
}

// build builds the image of a BuildImage action's service and gives it the
// action's other tags (services that share the build section), reporting
// the builder's output and, at the end, what was built.
func (r *dockerRuntime) build(ctx context.Context, a planner.Action, progress func(string)) error {
	start := time.Now()
	svc := a.Resource.Service
	id, err := r.c.Build(ctx, r.p, svc, r.opts.Build, r.quiet(progress))
	if err != nil {
		return err
	}
	for _, ref := range a.Tags {
		if err := r.c.Tag(ctx, id, ref); err != nil {
			return fmt.Errorf("service %q: %w", svc, err)
		}
	}
	why := a.Reason.String()
	if a.Detail != "" {
		why += ": " + a.Detail
	}
	progress(fmt.Sprintf("built %s (%s, %s)", a.Image, why, time.Since(start).Round(100*time.Millisecond)))
	return nil
}

// quiet is progress, or nothing with the Quiet build option.
func (r *dockerRuntime) quiet(progress func(string)) func(string) {
	if r.opts.Build.Quiet {
		return func(string) {}
	}
	return progress
}
