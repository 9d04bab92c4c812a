package docker

import (
	"context"
	"fmt"
	"io"

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

// Client exports containers.
var _ engine.Exporter = (*Client)(nil)
