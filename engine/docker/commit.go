package docker

import (
	"context"
	"fmt"
	"io"

	"github.com/docker/docker/api/types/container"

	"github.com/berth-dev/berth/engine"
)

// Export returns the filesystem of container ctr as a tar stream.
func (c *Client) Export(ctx context.Context, ctr string) (io.ReadCloser, error) {
	rc, err := c.api.ContainerExport(ctx, ctr)
	if err != nil {
		return nil, fmt.Errorf("exporting %s: %w", ctr, err)
	}
	return rc, nil
}

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

// Client exports and commits containers.
var (
	_ engine.Exporter  = (*Client)(nil)
	_ engine.Committer = (*Client)(nil)
)
