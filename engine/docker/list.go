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
	f := projectFilter(projectName)
	f.Add("label", LabelOneOff+"=False")
	cs, err := c.api.ContainerList(ctx, container.ListOptions{All: all, Filters: f})
	if err != nil {
		return nil, wrap(err, "listing containers")
	}
	out := make([]engine.ContainerInfo, 0, len(cs))
	for _, s := range cs {
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
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Number < out[j].Number
	})
	return out, nil
}
