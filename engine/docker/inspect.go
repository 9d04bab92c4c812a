package docker

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/volume"
	"golang.org/x/sync/errgroup"

	"github.com/berth-dev/berth/engine"
)

var _ engine.Inspector = (*Client)(nil)

// Projects returns the projects that have containers on the engine: those
// carrying a project label and a config hash, as Compose's ls finds them.
// One list call.
func (c *Client) Projects(ctx context.Context, all bool) ([]engine.ProjectInfo, error) {
	f := filters.NewArgs(filters.Arg("label", LabelProject), filters.Arg("label", LabelConfigHash))
	cs, err := c.api.ContainerList(ctx, container.ListOptions{All: all, Filters: f})
	if err != nil {
		return nil, wrap(err, "listing containers")
	}
	byName := map[string]*engine.ProjectInfo{}
	files := map[string][]string{}
	for _, s := range cs {
		name := s.Labels[LabelProject]
		p := byName[name]
		if p == nil {
			p = &engine.ProjectInfo{Name: name}
			byName[name] = p
		}
		p.States = append(p.States, string(s.State))
		list, ok := s.Labels[LabelConfigFiles]
		if !ok {
			files[name] = append(files[name], "N/A")
			continue
		}
		for _, f := range strings.Split(list, ",") {
			if !slices.Contains(files[name], f) {
				files[name] = append(files[name], f)
			}
		}
	}
	out := make([]engine.ProjectInfo, 0, len(byName))
	for name, p := range byName {
		p.ConfigFiles = strings.Join(files[name], ",")
		if slices.Contains(files[name], "N/A") {
			p.ConfigFiles = "N/A"
		}
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Volumes returns the project's volumes (by their project label); with
// services, those that the services' running containers mount, as
// Compose's volumes command does. Two list calls.
func (c *Client) Volumes(ctx context.Context, projectName string, services []string) ([]engine.VolumeInfo, error) {
	mounted := map[string]bool{}
	if len(services) > 0 {
		cs, err := c.api.ContainerList(ctx, container.ListOptions{Filters: projectFilter(projectName)})
		if err != nil {
			return nil, wrap(err, "listing containers")
		}
		for _, s := range cs {
			if !slices.Contains(services, s.Labels[LabelService]) {
				continue
			}
			for _, m := range s.Mounts {
				mounted[m.Name] = true
			}
		}
	}
	vs, err := c.api.VolumeList(ctx, volume.ListOptions{Filters: projectFilter(projectName)})
	if err != nil {
		return nil, wrap(err, "listing volumes")
	}
	var out []engine.VolumeInfo
	for _, v := range vs.Volumes {
		if v == nil || len(services) > 0 && !mounted[v.Name] {
			continue
		}
		out = append(out, engine.VolumeInfo{Name: v.Name, Driver: v.Driver, Scope: v.Scope, Mountpoint: v.Mountpoint, Labels: v.Labels, CreatedAt: v.CreatedAt})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ContainerImages returns the image of each of the project's containers,
// stopped and one-off ones included: one list call and one inspect per
// distinct image.
func (c *Client) ContainerImages(ctx context.Context, projectName string, services []string) ([]engine.ImageInfo, error) {
	cs, err := c.api.ContainerList(ctx, container.ListOptions{All: true, Filters: projectFilter(projectName)})
	if err != nil {
		return nil, wrap(err, "listing containers")
	}
	var selected []container.Summary
	refs := map[string]bool{}
	for _, s := range cs {
		if len(services) > 0 && !slices.Contains(services, s.Labels[LabelService]) {
			continue
		}
		selected = append(selected, s)
		refs[s.Image] = true
	}
	var mu sync.Mutex
	inspected := map[string]*image.InspectResponse{}
	g, gctx := errgroup.WithContext(ctx)
	for ref := range refs {
		g.Go(func() error {
			img, err := c.api.ImageInspect(gctx, ref)
			if errdefs.IsNotFound(err) {
				return nil
			}
			if err != nil {
				return wrap(err, "inspecting image "+ref)
			}
			mu.Lock()
			inspected[ref] = &img
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := make([]engine.ImageInfo, 0, len(selected))
	for _, s := range selected {
		info := engine.ImageInfo{Container: containerFromSummary(s).Name, ID: s.ImageID}
		if !strings.HasPrefix(s.Image, "sha256:") {
			if ref, err := reference.ParseDockerRef(s.Image); err == nil {
				info.Repository = reference.FamiliarName(ref)
				if t, ok := ref.(reference.Tagged); ok {
					info.Tag = t.Tag()
				}
			}
		}
		if img := inspected[s.Image]; img != nil {
			info.ID = img.ID
			info.Size = img.Size
			info.Platform = img.Os + "/" + img.Architecture
			if img.Variant != "" {
				info.Platform += "/" + img.Variant
			}
			if t, err := time.Parse(time.RFC3339Nano, img.Created); err == nil {
				info.Created = t
			}
			info.LastTagTime = img.Metadata.LastTagTime
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Container < out[j].Container })
	return out, nil
}
