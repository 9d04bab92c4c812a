package docker

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

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
	if o.Detach {
		return 0, wrap(c.api.ContainerStart(ctx, id, container.StartOptions{}), "starting the one-off container")
	}
	ins, err := c.api.ContainerInspect(ctx, id)
	if err != nil {
		return 0, wrap(err, "inspecting the one-off container")
	}
	tty := ins.Config != nil && ins.Config.Tty
	att, err := c.api.ContainerAttach(ctx, id, container.AttachOptions{Stream: true, Stdin: o.Stdin != nil, Stdout: true, Stderr: true})
	if err != nil {
		return 0, wrap(err, "attaching to the one-off container")
	}
	defer att.Close()
	cond := container.WaitConditionNextExit
	if ins.HostConfig != nil && ins.HostConfig.AutoRemove {
		cond = container.WaitConditionRemoved
	}
	waited, waitErr := c.api.ContainerWait(ctx, id, cond)

	copied := make(chan error, 1)
	go func() {
		stdout, stderr := orDiscard(o.Stdout), orDiscard(o.Stderr)
		var err error
		if tty {
			_, err = io.Copy(stdout, att.Reader)
		} else {
			_, err = stdcopy.StdCopy(stdout, stderr, att.Reader)
		}
		copied <- err
	}()
	if o.Stdin != nil {
		go func() {
			// the copy ends with the input, or stays blocked on it until
			// Berth exits; the container's stdin closes either way
			_, _ = io.Copy(att.Conn, o.Stdin)
			_ = att.CloseWrite()
		}()
	}
	if err := c.api.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return 0, wrap(err, "starting the one-off container")
	}
	if tty && o.TerminalSize != nil {
		resize := func() {
			if h, w := o.TerminalSize(); h > 0 && w > 0 {
				_ = c.api.ContainerResize(ctx, id, container.ResizeOptions{Height: h, Width: w})
			}
		}
		resize()
		go func() {
			for {
				select {
				case <-o.Resized:
					resize()
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	select {
	case err := <-copied:
		if err != nil && ctx.Err() == nil {
			return 0, wrap(err, "reading the one-off container's output")
		}
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case w := <-waited:
		if w.Error != nil && w.Error.Message != "" {
			return 0, fmt.Errorf("waiting for the one-off container: %s", w.Error.Message)
		}
		return int(w.StatusCode), nil
	case err := <-waitErr:
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, wrap(err, "waiting for the one-off container")
	}
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
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
