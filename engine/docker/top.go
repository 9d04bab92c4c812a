package docker

import (
	"context"

	"github.com/berth-dev/berth/engine"
)

// Top lists the processes running in container ctr, as `ps -ef` in it
// would.
func (c *Client) Top(ctx context.Context, ctr string) ([]string, [][]string, error) {
	top, err := c.api.ContainerTop(ctx, ctr, nil)
	if err != nil {
		return nil, nil, wrap(err, "listing a container's processes")
	}
	return top.Titles, top.Processes, nil
}

// Client lists processes for engine.Top.
var _ engine.ProcessLister = (*Client)(nil)
