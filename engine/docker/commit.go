package docker

import (
	"context"
	"fmt"

	"github.com/docker/docker/api/types/container"

	"github.com/berth-dev/berth/engine"
)

// Commit creates an image from the changes of container ctr.
func (c *Client) Commit(ctx context.Context, ctr string, spec engine.CommitSpec) (string, error) {
	resp, err := c.api.ContainerCommit(ctx, ctr, container.CommitOptions{
		Reference: spec.Reference, Author: spec.Author, Comment: spec.Message, Changes: spec.Changes, Pause: spec.Pause,
	})
	if err != nil {
		return "", fmt.Errorf("committing %s: %w", ctr, err)
	}
	return resp.ID, nil
}

// Client commits containers.
var _ engine.Committer = (*Client)(nil)
