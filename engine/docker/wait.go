package docker

import (
	"context"
	"fmt"

	"github.com/docker/docker/api/types/container"
)

// WaitStopped blocks until container ctr is not running and returns its
// exit code.
func (c *Client) WaitStopped(ctx context.Context, ctr string) (int, error) {
	exited, errs := c.api.ContainerWait(ctx, ctr, container.WaitConditionNotRunning)
	return exitCode(ctx, exited, errs)
}

// exitCode reads the outcome of a ContainerWait: the container's exit
// code, or ctx's error when ctx ended first.
func exitCode(ctx context.Context, exited <-chan container.WaitResponse, errs <-chan error) (int, error) {
	select {
	case r := <-exited:
		if r.Error != nil && r.Error.Message != "" {
			return 0, fmt.Errorf("waiting for the container to stop: %s", r.Error.Message)
		}
		return int(r.StatusCode), nil
	case err := <-errs:
		if ctx.Err() != nil {
			// the wait ended with ctx
			return 0, ctx.Err()
		}
		return 0, wrap(err, "waiting for the container to stop")
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
