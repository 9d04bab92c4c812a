package engine

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
)

// Port is a published or exposed port of a container.
type Port struct {
	URL           string `json:"URL"` // host IP the port is published on
	TargetPort    uint16 `json:"TargetPort"`
	PublishedPort uint16 `json:"PublishedPort"`
	Protocol      string `json:"Protocol"`
}

// ContainerInfo describes one container of a project, as `ps` shows it.
type ContainerInfo struct {
	ID       string
	Name     string
	Image    string
	Command  string
	Project  string
	Service  string
	Number   int
	Created  time.Time
	State    string // running, exited, ...
	Status   string // the engine's words: "Up 2 minutes (healthy)"
	Health   string // "", starting, healthy, unhealthy
	ExitCode int
	Ports    []Port
}

// List returns the project's containers (one-off ones excluded), running
// ones only unless all, sorted by service and number. One list call.
func (c *Client) List(ctx context.Context, projectName string, all bool) ([]ContainerInfo, error) {
	f := projectFilter(projectName)
	f.Add("label", LabelOneOff+"=False")
	cs, err := c.api.ContainerList(ctx, container.ListOptions{All: all, Filters: f})
	if err != nil {
		return nil, wrap(err, "listing containers")
	}
	out := make([]ContainerInfo, 0, len(cs))
	for _, s := range cs {
		pc := containerFromSummary(s)
		info := ContainerInfo{
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
			info.Ports = append(info.Ports, Port{URL: p.IP, TargetPort: p.PrivatePort, PublishedPort: p.PublicPort, Protocol: p.Type})
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

// PortsString renders ports as Compose's ps does:
// "0.0.0.0:8080->80/tcp, 443/tcp".
func PortsString(ports []Port) string {
	var parts []string
	for _, p := range ports {
		if p.PublishedPort == 0 {
			parts = append(parts, strconv.Itoa(int(p.TargetPort))+"/"+p.Protocol)
			continue
		}
		host := p.URL
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		parts = append(parts, host+":"+strconv.Itoa(int(p.PublishedPort))+"->"+strconv.Itoa(int(p.TargetPort))+"/"+p.Protocol)
	}
	return strings.Join(parts, ", ")
}
