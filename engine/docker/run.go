package docker

import (
	"context"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project"
)

// Client runs one-off containers.
var _ engine.RunBackend = (*Client)(nil)

// CreateOneOff creates a one-off container through the path `up` creates
// service containers by (the same spec, labels and hash), labelled
// com.docker.compose.oneoff=True with its slug and no number.
func (c *Client) CreateOneOff(ctx context.Context, p *project.Project, o engine.OneOff) (string, error) {
	r := c.Runtime(p, engine.RuntimeOptions{}).(*dockerRuntime)
	return r.create(ctx, o.Service, createRequest{
		name:   o.Name,
		oneOff: &oneOffRequest{slug: o.Slug, useAliases: o.UseAliases, autoRemove: o.AutoRemove, stdin: o.Stdin},
	})
}

// StartOneOff starts a one-off container. Attached, it attaches to its
// streams before starting it, so no output is lost, and returns its exit
// code once it has exited and its output has been copied (for a container
// the engine removes on exit, once it is removed).
func (c *Client) StartOneOff(ctx context.Context, id string, o engine.OneOffIO) (int, error) {
	start := func(ctx context.Context) error {
		return wrap(c.api.ContainerStart(ctx, id, container.StartOptions{}), "starting")
	}
	if o.Detach {
		return 0, wrap(start(ctx), "one-off container")
	}
	ins, err := c.api.ContainerInspect(ctx, id)
	if err != nil {
		return 0, wrap(err, "inspecting the one-off container")
	}
	cond := container.WaitConditionNextExit
	if ins.HostConfig != nil && ins.HostConfig.AutoRemove {
		cond = container.WaitConditionRemoved
	}
	res, err := c.attachSession(ctx, id, ins.Config != nil && ins.Config.Tty, cond, o.AttachSpec, start)
	return res.ExitCode, wrap(err, "one-off container")
}

// StopOneOff stops a one-off container within timeout, else within its
// stop_grace_period (the timeout it was created with).
func (c *Client) StopOneOff(ctx context.Context, id string, timeout *time.Duration) error {
	var opts container.StopOptions
	if timeout != nil {
		secs := int(timeout.Seconds())
		opts.Timeout = &secs
	}
	return wrap(ignoreNotFound(c.api.ContainerStop(ctx, id, opts)), "stopping the one-off container")
}

// RemoveOneOff removes a one-off container with its anonymous volumes. One
// the engine is removing already (it was created to be removed on exit)
// is waited for.
func (c *Client) RemoveOneOff(ctx context.Context, id string) error {
	err := c.api.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true})
	if !removalUnderWay(err) {
		return wrap(ignoreNotFound(err), "removing the one-off container")
	}
	waited, waitErr := c.api.ContainerWait(ctx, id, container.WaitConditionRemoved)
	select {
	case <-waited:
		return nil
	case err := <-waitErr:
		return wrap(ignoreNotFound(err), "waiting for the one-off container's removal")
	}
}

// removalUnderWay reports whether err says that the engine is removing the
// container already: one created to be removed on exit.
func removalUnderWay(err error) bool {
	return err != nil && cerrdefs.IsConflict(err) && strings.Contains(err.Error(), "already in progress")
}
