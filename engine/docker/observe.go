package docker

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"golang.org/x/sync/errgroup"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// Observe reads the project's state from the engine: one list call each for
// containers (by project label), networks, volumes and images, made
// concurrently, plus an inspect for each image whose pull_policy depends on
// its age (daily, weekly, every_<duration>).
func (c *Client) Observe(ctx context.Context, p *project.Project) (*planner.Observed, error) {
	obs := &planner.Observed{
		Project:    p.Name(),
		Containers: map[string][]planner.Container{},
		Networks:   map[string]planner.Network{},
		Volumes:    map[string]planner.Volume{},
		Images:     map[string]planner.LocalImage{},
	}
	var (
		containers []container.Summary
		networks   []network.Summary
		volumes    volume.ListResponse
		images     []image.Summary
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		containers, err = c.api.ContainerList(gctx, container.ListOptions{All: true, Filters: projectFilter(p.Name())})
		return wrap(err, "listing containers")
	})
	g.Go(func() (err error) {
		networks, err = c.api.NetworkList(gctx, network.ListOptions{})
		return wrap(err, "listing networks")
	})
	g.Go(func() (err error) {
		volumes, err = c.api.VolumeList(gctx, volume.ListOptions{})
		return wrap(err, "listing volumes")
	})
	g.Go(func() (err error) {
		images, err = c.api.ImageList(gctx, image.ListOptions{})
		return wrap(err, "listing images")
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}

	for _, s := range containers {
		ctr := containerFromSummary(s)
		if s.Labels[LabelOneOff] == "True" {
			// `berth run`'s containers: only `down` acts on them
			obs.OneOffs = append(obs.OneOffs, ctr)
			continue
		}
		obs.Containers[ctr.Service] = append(obs.Containers[ctr.Service], ctr)
	}
	for svc := range obs.Containers {
		cs := obs.Containers[svc]
		sort.Slice(cs, func(i, j int) bool { return cs[i].Number < cs[j].Number })
	}

	wantNet := map[string]bool{}
	for _, n := range p.Compose.Networks {
		wantNet[n.Name] = true
	}
	for _, n := range networks {
		if wantNet[n.Name] || n.Labels[LabelProject] == p.Name() {
			obs.Networks[n.Name] = planner.Network{ID: n.ID, Name: n.Name, ConfigHash: n.Labels[LabelConfigHash]}
		}
	}
	wantVol := map[string]bool{}
	for _, v := range p.Compose.Volumes {
		wantVol[v.Name] = true
	}
	for _, v := range volumes.Volumes {
		if wantVol[v.Name] || v.Labels[LabelProject] == p.Name() {
			obs.Volumes[v.Name] = planner.Volume{Name: v.Name, ConfigHash: v.Labels[LabelConfigHash]}
		}
	}

	byTag := map[string]image.Summary{}
	for _, im := range images {
		for _, tag := range im.RepoTags {
			byTag[tag] = im
		}
	}
	for _, svc := range p.Graph.Services() {
		ref := project.ImageName(p.Compose, svc)
		im, ok := byTag[familiar(ref)]
		if !ok {
			continue
		}
		li := planner.LocalImage{ID: im.ID, BuildContext: im.Labels[LabelBuildContext]}
		// a pull_policy that depends on the image's age (daily, weekly,
		// every_<duration>) needs when it was last tagged
		if policy, _, _ := p.Compose.Services[svc].GetPullPolicy(); policy == types.PullPolicyRefresh {
			ins, err := c.api.ImageInspect(ctx, ref)
			if err != nil {
				return nil, fmt.Errorf("inspecting image %s: %w", ref, err)
			}
			li.Tagged = ins.Metadata.LastTagTime
			if li.Tagged.IsZero() {
				li.Tagged, _ = time.Parse(time.RFC3339Nano, ins.Created)
			}
		}
		obs.Images[ref] = li
	}
	return obs, nil
}

// familiar turns an image reference into the form the engine lists tags
// in: "busybox" → "busybox:latest", "docker.io/library/x:1" → "x:1".
func familiar(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return reference.FamiliarString(reference.TagNameOnly(named))
}

var exitRe = regexp.MustCompile(`^Exited \((-?\d+)\)`)

func containerFromSummary(s container.Summary) planner.Container {
	ctr := planner.Container{
		ID:         s.ID,
		Service:    s.Labels[LabelService],
		ConfigHash: s.Labels[LabelConfigHash],
		Image:      s.Labels[LabelImage],
		State:      string(s.State),
		Spec:       s.Labels[LabelSpec],
	}
	if len(s.Names) > 0 {
		ctr.Name = strings.TrimPrefix(s.Names[0], "/")
	}
	ctr.Number, _ = strconv.Atoi(s.Labels[LabelNumber])
	switch {
	case strings.Contains(s.Status, "(healthy)"):
		ctr.Health = "healthy"
	case strings.Contains(s.Status, "(unhealthy)"):
		ctr.Health = "unhealthy"
	case strings.Contains(s.Status, "(health: starting)"):
		ctr.Health = "starting"
	}
	if m := exitRe.FindStringSubmatch(s.Status); m != nil {
		ctr.ExitCode, _ = strconv.Atoi(m[1])
	}
	if s.NetworkSettings != nil {
		for name := range s.NetworkSettings.Networks {
			ctr.Networks = append(ctr.Networks, name)
		}
		sort.Strings(ctr.Networks)
	}
	for _, m := range s.Mounts {
		if m.Type == mount.TypeVolume && m.Name != "" {
			ctr.Volumes = append(ctr.Volumes, m.Name)
		}
	}
	sort.Strings(ctr.Volumes)
	return ctr
}

func projectFilter(name string) filters.Args {
	return filters.NewArgs(filters.Arg("label", LabelProject+"="+name))
}

func wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
