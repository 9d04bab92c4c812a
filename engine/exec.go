package engine

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/project"
)

// ExecOptions say which container `exec` runs a command in, and the
// command.
type ExecOptions struct {
	Service string
	// Index is the container's number (--index); 0 means the service's
	// lowest-numbered running container.
	Index int
	Spec  ExecSpec
}

// Exec runs a command in a running container of a service, as `exec`
// does, and returns the command's exit code. It changes nothing when the
// service is unknown or has no such running container.
func Exec(ctx context.Context, b Backend, p *project.Project, o ExecOptions) (int, error) {
	ctr, err := RunningContainer(ctx, b, p, o.Service, o.Index)
	if err != nil {
		return 0, err
	}
	return b.Exec(ctx, ctr.Name, o.Spec)
}

// RunningContainer returns the running container number index of service
// (index 0: its lowest-numbered running container), with an error naming
// what is wrong when the service is unknown or that container does not run.
func RunningContainer(ctx context.Context, b Backend, p *project.Project, service string, index int) (ContainerInfo, error) {
	running, err := runningContainers(ctx, b, p, []string{service})
	if err != nil {
		return ContainerInfo{}, err
	}
	if len(running) == 0 {
		return ContainerInfo{}, fmt.Errorf("service %q has no running container", service)
	}
	if index == 0 {
		return running[0], nil
	}
	numbers := make([]string, 0, len(running))
	for _, c := range running {
		if c.Number == index {
			return c, nil
		}
		numbers = append(numbers, "#"+strconv.Itoa(c.Number))
	}
	return ContainerInfo{}, fmt.Errorf("service %q has no running container #%d (running: %s)", service, index, strings.Join(numbers, ", "))
}

// runningContainers returns the running containers of services (empty:
// of every service) by number, failing when a service is unknown.
func runningContainers(ctx context.Context, b Backend, p *project.Project, services []string) ([]ContainerInfo, error) {
	for _, s := range services {
		if !p.Graph.Has(s) {
			return nil, fmt.Errorf("no such service: %q (services: %s)", s, strings.Join(p.Graph.Services(), ", "))
		}
	}
	cs, err := b.List(ctx, p.Name(), false)
	if err != nil {
		return nil, err
	}
	var running []ContainerInfo
	for _, c := range cs {
		if c.State == "running" && (len(services) == 0 || slices.Contains(services, c.Service)) {
			running = append(running, c)
		}
	}
	sort.Slice(running, func(i, j int) bool {
		if running[i].Service != running[j].Service {
			return running[i].Service < running[j].Service
		}
		return running[i].Number < running[j].Number
	})
	return running, nil
}
