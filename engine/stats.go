package engine

import (
	"context"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// ContainerStats is a sample of one container's resource usage, as `stats`
// shows it.
type ContainerStats struct {
	ID, Name, Service string
	// CPUPercent is the share of one CPU used since the previous sample,
	// times 100 (200 means two CPUs' worth).
	CPUPercent float64
	// MemUsage is the memory used, without the page cache; MemLimit what
	// the container may use.
	MemUsage, MemLimit uint64
	MemPercent         float64
	// NetRx and NetTx are the bytes received and sent over every network.
	NetRx, NetTx uint64
	// BlockRead and BlockWrite are the bytes read from and written to
	// block devices.
	BlockRead, BlockWrite uint64
	PIDs                  uint64
}

// StatsReader is what Stats needs of a backend.
type StatsReader interface {
	// Containers lists the project's containers as q says.
	Containers(ctx context.Context, q ContainerQuery) ([]ContainerInfo, error)
	// Stats samples a container's resource usage: once, or with stream
	// about every second until ctx ends or the container stops, passing
	// each sample to fn.
	Stats(ctx context.Context, container string, stream bool, fn func(ContainerStats)) error
}

// StatsOptions say which containers Stats samples, and how long.
type StatsOptions struct {
	// Services limits the samples to these services' containers; empty
	// means every container of the project.
	Services []string
	// All includes the containers that are not running.
	All bool
	// Stream samples every Interval until ctx ends; without it, Stats
	// samples each container once.
	Stream bool
	// Interval is how often a streaming Stats shows its samples (default
	// one second).
	Interval time.Duration
}

// Stats samples the resource usage of the project's containers and passes
// the samples, in service and number order, to show: once, or with Stream
// every Interval (the first time after one Interval), the latest sample
// of each container, until ctx ends (then it returns ctx's error). While streaming, containers that appear
// are added and those that go are dropped.
func Stats(ctx context.Context, r StatsReader, projectName string, o StatsOptions, show func([]ContainerStats) error) error {
	if !o.Stream {
		cs, err := statsContainers(ctx, r, projectName, o)
		if err != nil {
			return err
		}
		out := make([]ContainerStats, len(cs))
		g, gctx := errgroup.WithContext(ctx)
		for i, c := range cs {
			out[i] = ContainerStats{ID: c.ID, Name: c.Name, Service: c.Service}
			g.Go(func() error {
				return r.Stats(gctx, c.ID, false, func(s ContainerStats) { out[i] = withIdentity(s, c) })
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		return show(out)
	}

	interval := o.Interval
	if interval <= 0 {
		interval = time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu      sync.Mutex
		latest  = map[string]ContainerStats{}
		streams = map[string]*context.CancelFunc{} // by container ID
		wg      sync.WaitGroup
	)
	defer func() {
		cancel()
		wg.Wait()
	}()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		cs, err := statsContainers(ctx, r, projectName, o)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		present := map[string]bool{}
		mu.Lock()
		for _, c := range cs {
			present[c.ID] = true
			if _, ok := streams[c.ID]; !ok {
				sctx, scancel := context.WithCancel(ctx)
				stream := &scancel
				streams[c.ID] = stream
				wg.Add(1)
				go func() {
					defer wg.Done()
					// a container that stops ends its stream: its last
					// sample stays, and the next round streams it again
					// if it is listed
					_ = r.Stats(sctx, c.ID, true, func(s ContainerStats) {
						mu.Lock()
						latest[c.ID] = withIdentity(s, c)
						mu.Unlock()
					})
					scancel()
					mu.Lock()
					if streams[c.ID] == stream {
						delete(streams, c.ID)
					}
					mu.Unlock()
				}()
			}
		}
		for id, stream := range streams {
			if !present[id] {
				(*stream)()
				delete(streams, id)
			}
		}
		for id := range latest {
			if !present[id] {
				delete(latest, id)
			}
		}
		mu.Unlock()
		// the streams' first samples come in meanwhile
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		rows := make([]ContainerStats, 0, len(cs))
		mu.Lock()
		for _, c := range cs {
			s, ok := latest[c.ID]
			if !ok {
				s = ContainerStats{ID: c.ID, Name: c.Name, Service: c.Service}
			}
			rows = append(rows, s)
		}
		mu.Unlock()
		if err := show(rows); err != nil {
			return err
		}
	}
}

// statsContainers lists the containers Stats samples.
func statsContainers(ctx context.Context, r StatsReader, projectName string, o StatsOptions) ([]ContainerInfo, error) {
	// one-off containers of `run` too, as Compose's stats shows them
	cs, err := r.Containers(ctx, ContainerQuery{Project: projectName, All: o.All, OneOff: true})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(cs, func(c ContainerInfo) bool {
		return len(o.Services) > 0 && !slices.Contains(o.Services, c.Service)
	}), nil
}

// withIdentity names a sample after the container listed.
func withIdentity(s ContainerStats, c ContainerInfo) ContainerStats {
	s.ID, s.Name, s.Service = c.ID, c.Name, c.Service
	return s
}
