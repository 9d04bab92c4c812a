package engine

import (
	"context"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"
)

// ContainerProcesses are the processes running in one container, as the
// engine's top reports them: one row of values per process, under Titles
// (UID, PID, PPID, C, STIME, TTY, TIME, CMD).
type ContainerProcesses struct {
	ContainerInfo
	Titles    []string
	Processes [][]string
}

// ProcessLister is what Top needs of a backend.
type ProcessLister interface {
	// Containers lists the project's containers as q says.
	Containers(ctx context.Context, q ContainerQuery) ([]ContainerInfo, error)
	// Top lists the processes running in a container.
	Top(ctx context.Context, container string) (titles []string, processes [][]string, err error)
}

// Top lists the processes of the project's running containers (of the
// given services; all when none), in container name order.
func Top(ctx context.Context, r ProcessLister, projectName string, services []string) ([]ContainerProcesses, error) {
	// one-off containers of `run` too, as Compose's top shows them
	cs, err := r.Containers(ctx, ContainerQuery{Project: projectName, OneOff: true})
	if err != nil {
		return nil, err
	}
	var out []ContainerProcesses
	for _, c := range cs {
		if len(services) == 0 || slices.Contains(services, c.Service) {
			out = append(out, ContainerProcesses{ContainerInfo: c})
		}
	}
	slices.SortFunc(out, func(a, b ContainerProcesses) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	g, ctx := errgroup.WithContext(ctx)
	for i := range out {
		g.Go(func() error {
			titles, procs, err := r.Top(ctx, out[i].ID)
			if err != nil {
				return fmt.Errorf("%s: %w", out[i].Name, err)
			}
			out[i].Titles, out[i].Processes = titles, procs
			return nil
		})
	}
	return out, g.Wait()
}
