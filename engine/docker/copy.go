package docker

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"

	"github.com/berth-dev/berth/engine"
)

// ServiceContainers returns the service's containers in the project,
// running or not (running only with runningOnly), by number, one-off
// containers last and only with oneOff. One list call.
func (c *Client) ServiceContainers(ctx context.Context, projectName, service string, oneOff, runningOnly bool) ([]engine.ServiceContainer, error) {
	f := projectFilter(projectName)
	f.Add("label", LabelService+"="+service)
	if !oneOff {
		f.Add("label", LabelOneOff+"=False")
	}
	cs, err := c.api.ContainerList(ctx, container.ListOptions{All: !runningOnly, Filters: f})
	if err != nil {
		return nil, wrap(err, "listing containers")
	}
	out := make([]engine.ServiceContainer, 0, len(cs))
	for _, s := range cs {
		ctr := engine.ServiceContainer{ID: s.ID, State: string(s.State), OneOff: s.Labels[LabelOneOff] == "True"}
		if len(s.Names) > 0 {
			ctr.Name = strings.TrimPrefix(s.Names[0], "/")
		}
		ctr.Number, _ = strconv.Atoi(s.Labels[LabelNumber])
		out = append(out, ctr)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].OneOff != out[j].OneOff {
			return !out[i].OneOff
		}
		if out[i].Number != out[j].Number {
			return out[i].Number < out[j].Number
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// StatPath describes path in container ctr, links not followed.
func (c *Client) StatPath(ctx context.Context, ctr, path string) (engine.PathStat, error) {
	st, err := c.api.ContainerStatPath(ctx, ctr, path)
	if err != nil {
		return engine.PathStat{}, pathError(ctr, path, err)
	}
	return engine.PathStat{Name: st.Name, Size: st.Size, Mode: st.Mode, LinkTarget: st.LinkTarget}, nil
}

// CopyFrom returns a tar stream of path in container ctr and what path is.
func (c *Client) CopyFrom(ctx context.Context, ctr, path string) (io.ReadCloser, engine.PathStat, error) {
	rc, st, err := c.api.CopyFromContainer(ctx, ctr, path)
	if err != nil {
		return nil, engine.PathStat{}, pathError(ctr, path, err)
	}
	return rc, engine.PathStat{Name: st.Name, Size: st.Size, Mode: st.Mode, LinkTarget: st.LinkTarget}, nil
}

// CopyInto unpacks archive (a tar stream) into the directory dir of
// container ctr; keepOwners keeps the entries' owners (docker cp -a).
// A file never replaces a directory.
func (c *Client) CopyInto(ctx context.Context, ctr, dir string, archive io.Reader, keepOwners bool) error {
	if err := c.api.CopyToContainer(ctx, ctr, dir, archive, container.CopyToContainerOptions{CopyUIDGID: keepOwners}); err != nil {
		return pathError(ctr, dir, err)
	}
	return nil
}

// CopyTo is CopyInto for the engine.Backend (watch's sync): it unpacks
// archive into the directory dst of container ctr, owners not kept.
func (c *Client) CopyTo(ctx context.Context, ctr, dst string, archive io.Reader) error {
	return c.CopyInto(ctx, ctr, dst, archive, false)
}

// pathError names the container and path; a missing path wraps
// engine.ErrPathNotFound.
func pathError(ctr, path string, err error) error {
	if cerrdefs.IsNotFound(err) && !strings.Contains(err.Error(), "No such container") {
		return fmt.Errorf("%s:%s: %w", ctr, path, engine.ErrPathNotFound)
	}
	return fmt.Errorf("copying %s:%s: %w", ctr, path, err)
}

// Client finds and copies files of containers for berth cp.
var _ engine.Copier = (*Client)(nil)
