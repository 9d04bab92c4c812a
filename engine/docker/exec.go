package docker

import (
	"context"
	"fmt"
	"io"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/berth-dev/berth/engine"
)

// Exec runs spec in container ctr, waits for it (the attach stream ends
// when the command does), and returns its exit code.
func (c *Client) Exec(ctx context.Context, ctr string, spec engine.ExecSpec) (int, error) {
	created, err := c.api.ContainerExecCreate(ctx, ctr, container.ExecOptions{
		Cmd: spec.Cmd, User: spec.User, Privileged: spec.Privileged, WorkingDir: spec.WorkingDir, Env: spec.Env,
		AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return 0, fmt.Errorf("exec in %s: %w", ctr, err)
	}
	att, err := c.api.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return 0, fmt.Errorf("exec in %s: %w", ctr, err)
	}
	defer att.Close()
	stdout, stderr := spec.Stdout, spec.Stderr
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	if _, err := stdcopy.StdCopy(stdout, stderr, att.Reader); err != nil && err != io.EOF {
		return 0, fmt.Errorf("exec in %s: reading its output: %w", ctr, err)
	}
	ins, err := c.api.ContainerExecInspect(ctx, created.ID)
	if err != nil {
		return 0, fmt.Errorf("exec in %s: %w", ctr, err)
	}
	return ins.ExitCode, nil
}

// CopyTo unpacks archive (a tar stream) into container ctr at dst.
func (c *Client) CopyTo(ctx context.Context, ctr, dst string, archive io.Reader) error {
	if err := c.api.CopyToContainer(ctx, ctr, dst, archive, container.CopyToContainerOptions{}); err != nil {
		return fmt.Errorf("copying into %s:%s: %w", ctr, dst, err)
	}
	return nil
}

// Events streams the engine's events about the project's containers.
func (c *Client) Events(ctx context.Context, projectName string) (<-chan engine.EngineEvent, <-chan error) {
	return c.ProjectEvents(ctx, projectName, engine.EventOptions{})
}
