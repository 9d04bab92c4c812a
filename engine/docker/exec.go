package docker

import (
	"context"
	"fmt"

	"github.com/docker/docker/api/types/container"

	"github.com/berth-dev/berth/engine"
)

// Exec runs spec in container ctr and returns its exit code: it streams
// spec.Stdin to the command and its output back until the command ends,
// on a TTY when spec.Terminal is set; with spec.Detach it only starts the
// command.
func (c *Client) Exec(ctx context.Context, ctr string, spec engine.ExecSpec) (int, error) {
	tty := spec.Terminal != nil
	attach := !spec.Detach
	created, err := c.api.ContainerExecCreate(ctx, ctr, container.ExecOptions{
		Cmd: spec.Cmd, User: spec.User, Privileged: spec.Privileged, WorkingDir: spec.WorkingDir, Env: spec.Env, Tty: tty,
		AttachStdin: attach && spec.Stdin != nil, AttachStdout: attach, AttachStderr: attach,
	})
	if err != nil {
		return 0, fmt.Errorf("exec in %s: %w", ctr, err)
	}
	if spec.Detach {
		if err := c.api.ContainerExecStart(ctx, created.ID, container.ExecStartOptions{Detach: true, Tty: tty}); err != nil {
			return 0, fmt.Errorf("exec in %s: %w", ctr, err)
		}
		return 0, nil
	}
	att, err := c.api.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{Tty: tty})
	if err != nil {
		return 0, fmt.Errorf("exec in %s: %w", ctr, err)
	}
	defer att.Close()
	if tty {
		restore, err := useTerminal(ctx, spec.Terminal, func(ctx context.Context, size engine.TermSize) error {
			return c.api.ContainerExecResize(ctx, created.ID, container.ResizeOptions{Height: size.Height, Width: size.Width})
		})
		if err != nil {
			return 0, fmt.Errorf("exec in %s: %w", ctr, err)
		}
		defer restore()
	}
	if err := pipe(ctx, att, spec.Stdin, spec.Stdout, spec.Stderr, tty); err != nil {
		return 0, fmt.Errorf("exec in %s: %w", ctr, err)
	}
	ins, err := c.api.ContainerExecInspect(ctx, created.ID)
	if err != nil {
		return 0, fmt.Errorf("exec in %s: %w", ctr, err)
	}
	return ins.ExitCode, nil
}
