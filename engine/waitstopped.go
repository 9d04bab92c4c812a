package engine

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/berth-dev/berth/project"
)

// ContainerWaiter waits for containers to stop. The Docker backend
// implements it.
type ContainerWaiter interface {
	// WaitStopped blocks until the container is not running and returns
	// its exit code (at once when it is stopped already).
	WaitStopped(ctx context.Context, container string) (int, error)
}

// WaitStoppedOptions say what `wait` waits for.
type WaitStoppedOptions struct {
	// Services whose running containers are waited for; empty: all.
	Services []string
	// DownProject brings the project down once the first container stops,
	// instead of waiting for the others.
	DownProject bool
	// Down tunes that down (the plan's RemoveOrphans is always set, as
	// Compose's `wait --down-project` does).
	Down DownOptions
	// Project is the project DownProject brings down; WaitStopped fails
	// at once when DownProject is set without it.
	Project *project.Project
	// Exited, when set, is told about each container that stopped.
	Exited func(ContainerExit)
}

// WaitStopped blocks until the services' running containers stop, as
// `wait` does, and returns the first one to stop. With DownProject it
// brings the project down as soon as that first container stops.
func WaitStopped(ctx context.Context, b Backend, w ContainerWaiter, projectName string, o WaitStoppedOptions, sink Sink) (ContainerExit, error) {
	if o.DownProject && o.Project == nil {
		return ContainerExit{}, fmt.Errorf("bringing project %q down needs its compose file: run berth in its directory or name it with -f", projectName)
	}
	waited, err := runningContainers(ctx, b, projectName, o.Services)
	if err != nil {
		return ContainerExit{}, err
	}
	if len(waited) == 0 {
		if len(o.Services) == 0 {
			return ContainerExit{}, fmt.Errorf("project %q has no running container", projectName)
		}
		return ContainerExit{}, fmt.Errorf("no running container for service %s", strings.Join(o.Services, ", "))
	}

	names := make([]string, len(waited))
	for i, c := range waited {
		names[i] = c.Name
	}
	Emit(sink, Info, "Waiting for "+strings.Join(names, ", ")+" to stop")

	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	exits := make(chan ContainerExit, len(waited))
	errs := make(chan error, len(waited))
	var wg sync.WaitGroup
	for _, c := range waited {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, err := w.WaitStopped(wctx, c.ID)
			if err != nil {
				errs <- fmt.Errorf("waiting for %s: %w", c.Name, err)
				return
			}
			exits <- ContainerExit{LogSource: LogSource{ID: c.ID, Name: c.Name, Service: c.Service, Number: c.Number}, ExitCode: code}
		}()
	}
	var first *ContainerExit
	for range waited {
		select {
		case e := <-exits:
			if o.Exited != nil {
				o.Exited(e)
			}
			if first == nil {
				first = &e
			}
		case err := <-errs:
			cancel()
			wg.Wait()
			return ContainerExit{}, err
		}
		if o.DownProject {
			break
		}
	}
	cancel()
	wg.Wait()
	if o.DownProject {
		d := o.Down
		d.Plan.RemoveOrphans = true
		if _, err := Down(ctx, b, o.Project, d, sink); err != nil {
			return *first, err
		}
	}
	return *first, nil
}

// runningContainers returns the running containers of services (empty:
// of every service) of the project named projectName, by service and
// number.
func runningContainers(ctx context.Context, b Backend, projectName string, services []string) ([]ContainerInfo, error) {
	cs, err := b.List(ctx, projectName, false)
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
