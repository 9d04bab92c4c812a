package docker

import (
	"context"
	"sort"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/berth-dev/berth/engine"
)

// List returns the project's containers (one-off ones excluded), running
// ones only unless all, sorted by service and number. One list call.
func (c *Client) List(ctx context.Context, projectName string, all bool) ([]engine.ContainerInfo, error) {
	return c.Containers(ctx, engine.ContainerQuery{Project: projectName, All: all})
}

// Containers returns the project's containers as the query says, sorted by
// service and number, one-off containers last. One list call.
func (c *Client) Containers(ctx context.Context, q engine.ContainerQuery) ([]engine.ContainerInfo, error) {
	f := projectFilter(q.Project)
	if !q.OneOff {
		f.Add("label", LabelOneOff+"=False")
	}
	cs, err := c.api.ContainerList(ctx, container.ListOptions{All: q.All, Filters: f})
	if err != nil {
		return nil, wrap(err, "listing containers")
	}
	out := make([]engine.ContainerInfo, 0, len(cs))
	for _, s := range cs {
		out = append(out, containerInfo(s))
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if oa, ob := a.Labels[LabelOneOff] == "True", b.Labels[LabelOneOff] == "True"; oa != ob {
			return ob
		}
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.Number != b.Number {
			return a.Number < b.Number
		}
		return a.Name < b.Name
	})
	return out, nil
}

// containerInfo is a listed container as ps shows it.
func containerInfo(s container.Summary) engine.ContainerInfo {
	pc := containerFromSummary(s)
	info := engine.ContainerInfo{
		ID:       s.ID,
		Name:     pc.Name,
		Image:    s.Image,
		Command:  s.Command,
		Project:  s.Labels[LabelProject],
		Service:  pc.Service,
		Number:   pc.Number,
		Created:  time.Unix(s.Created, 0),
		State:    string(s.State),
		Status:   s.Status,
		Health:   pc.Health,
		ExitCode: pc.ExitCode,
		Labels:   s.Labels,
	}
	for _, p := range s.Ports {
		info.Ports = append(info.Ports, engine.Port{URL: p.IP, TargetPort: p.PrivatePort, PublishedPort: p.PublicPort, Protocol: p.Type})
	}
	sort.Slice(info.Ports, func(i, j int) bool {
		a, b := info.Ports[i], info.Ports[j]
		if a.TargetPort != b.TargetPort {
			return a.TargetPort < b.TargetPort
		}
		if a.Protocol != b.Protocol {
			return a.Protocol < b.Protocol
		}
		return a.URL < b.URL
	})
	for _, m := range s.Mounts {
		name := m.Name
		if name == "" {
			name = m.Source
		}
		info.Mounts = append(info.Mounts, name)
		if m.Driver == "local" {
			info.LocalVolumes++
		}
	}
	if s.NetworkSettings != nil {
		for name := range s.NetworkSettings.Networks {
			info.Networks = append(info.Networks, name)
		}
		sort.Strings(info.Networks)
	}
	return info
}
