package docker

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/docker/docker/api/types/container"

	"github.com/berth-dev/berth/engine"
)

// Stats samples container ctr's resource usage: once, or with stream
// about every second until ctx ends or the container stops, passing each
// sample to fn. A sample's CPU share is measured against the engine's
// previous one (a single sample takes two readings, a second apart).
func (c *Client) Stats(ctx context.Context, ctr string, stream bool, fn func(engine.ContainerStats)) error {
	resp, err := c.api.ContainerStats(ctx, ctr, stream)
	if err != nil {
		return wrap(err, "reading a container's resource usage")
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var s container.StatsResponse
		if err := dec.Decode(&s); err != nil {
			if errors.Is(err, io.EOF) || ctx.Err() != nil {
				return nil
			}
			return wrap(err, "reading a container's resource usage")
		}
		fn(statsSample(s))
		if !stream {
			return nil
		}
	}
}

// statsSample computes what `stats` shows from the engine's readings, as
// the docker CLI does on Linux.
func statsSample(s container.StatsResponse) engine.ContainerStats {
	out := engine.ContainerStats{
		ID: s.ID, Name: strings.TrimPrefix(s.Name, "/"),
		MemLimit: s.MemoryStats.Limit, PIDs: s.PidsStats.Current,
	}
	cpuDelta := float64(s.CPUStats.CPUUsage.TotalUsage) - float64(s.PreCPUStats.CPUUsage.TotalUsage)
	systemDelta := float64(s.CPUStats.SystemUsage) - float64(s.PreCPUStats.SystemUsage)
	cpus := float64(s.CPUStats.OnlineCPUs)
	if cpus == 0 {
		cpus = float64(len(s.CPUStats.CPUUsage.PercpuUsage))
	}
	if systemDelta > 0 && cpuDelta > 0 {
		out.CPUPercent = cpuDelta / systemDelta * cpus * 100
	}
	// memory without the page cache: cgroup v1 names it total_inactive_file,
	// v2 inactive_file
	out.MemUsage = s.MemoryStats.Usage
	if v, ok := s.MemoryStats.Stats["total_inactive_file"]; ok && v < s.MemoryStats.Usage {
		out.MemUsage = s.MemoryStats.Usage - v
	} else if v := s.MemoryStats.Stats["inactive_file"]; v < s.MemoryStats.Usage {
		out.MemUsage = s.MemoryStats.Usage - v
	}
	if s.MemoryStats.Limit != 0 {
		out.MemPercent = float64(out.MemUsage) / float64(s.MemoryStats.Limit) * 100
	}
	for _, n := range s.Networks {
		out.NetRx += n.RxBytes
		out.NetTx += n.TxBytes
	}
	for _, e := range s.BlkioStats.IoServiceBytesRecursive {
		switch strings.ToLower(e.Op) {
		case "read":
			out.BlockRead += e.Value
		case "write":
			out.BlockWrite += e.Value
		}
	}
	return out
}

// Client samples resource usage for engine.Stats.
var _ engine.StatsReader = (*Client)(nil)
