package docker

import (
	"context"
	"errors"

	"github.com/docker/docker/api/types/container"

	"github.com/berth-dev/berth/engine"
)

// The Docker backend attaches and waits for containers.
var (
	_ engine.Attacher        = (*Client)(nil)
	_ engine.ContainerWaiter = (*Client)(nil)
)

// Attach connects spec's streams to the running container ctr until it
// stops, returning its exit code, or until spec.Stdin reads the detach
// keys. Input is passed only to a container that keeps stdin open, and
// the terminal is used only when the container has a TTY, as `docker
// attach` does.
func (c *Client) Attach(ctx context.Context, ctr string, spec engine.AttachSpec) (engine.AttachResult, error) {
	ins, err := c.api.ContainerInspect(ctx, ctr)
	if err != nil {
		return engine.AttachResult{}, wrap(err, "inspecting the container")
	}
	if ins.State == nil || !ins.State.Running {
		return engine.AttachResult{}, errors.New("the container is not running")
	}
	if ins.Config == nil || !ins.Config.OpenStdin {
		spec.Stdin = nil
	}
	return c.attachSession(ctx, ctr, ins.Config != nil && ins.Config.Tty, container.WaitConditionNextExit, spec, nil)
}

// attachSession is the session of `attach` and of an attached `run`: it
// attaches spec's streams to container ctr (its input only when
// spec.Stdin is set) and, when set, calls start, so that none of the
// output of a container started there is lost. With tty, the container's
// output is one stream and its TTY is used on spec.Terminal. spec.Signals
// are forwarded to the container. It returns once the container has met
// cond (exited, or for one the engine removes on exit been removed) and
// its output has been copied, with its exit code, or once spec.Stdin has
// read the detach keys (Detached), or with ctx's error when ctx ends.
func (c *Client) attachSession(ctx context.Context, ctr string, tty bool, cond container.WaitCondition, spec engine.AttachSpec, start func(context.Context) error) (engine.AttachResult, error) {
	// wait for the exit before attaching, so that an exit right after the
	// stream ends is not missed
	wctx, cancelWait := context.WithCancel(ctx)
	defer cancelWait()
	exited, waitErr := c.api.ContainerWait(wctx, ctr, cond)
	att, err := c.api.ContainerAttach(ctx, ctr, container.AttachOptions{Stream: true, Stdin: spec.Stdin != nil, Stdout: true, Stderr: true})
	if err != nil {
		return engine.AttachResult{}, wrap(err, "attaching")
	}
	defer att.Close()
	if start != nil {
		if err := start(ctx); err != nil {
			return engine.AttachResult{}, err
		}
	}
	if tty && spec.Terminal != nil {
		restore, err := useTerminal(ctx, spec.Terminal, func(ctx context.Context, size engine.TermSize) error {
			return c.api.ContainerResize(ctx, ctr, container.ResizeOptions{Height: size.Height, Width: size.Width})
		})
		if err != nil {
			return engine.AttachResult{}, err
		}
		defer restore()
	}
	if spec.Signals != nil {
		go c.forwardSignals(wctx, ctr, spec.Signals)
	}
	err = pipe(ctx, att, spec.Stdin, spec.Stdout, spec.Stderr, tty)
	if errors.Is(err, engine.ErrDetached) {
		return engine.AttachResult{Detached: true}, nil
	}
	if err != nil {
		return engine.AttachResult{}, err
	}
	code, err := exitCode(ctx, exited, waitErr)
	return engine.AttachResult{ExitCode: code}, err
}

// forwardSignals sends each signal received to the container until ctx
// ends (--sig-proxy).
func (c *Client) forwardSignals(ctx context.Context, ctr string, signals <-chan string) {
	for {
		select {
		case s, ok := <-signals:
			if !ok {
				return
			}
			_ = c.api.ContainerKill(ctx, ctr, s)
		case <-ctx.Done():
			return
		}
	}
}
