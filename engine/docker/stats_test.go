package docker

import (
	"testing"

	"github.com/docker/docker/api/types/container"

	"github.com/berth-dev/berth/engine"
)

// TestStatsSample checks the docker CLI's arithmetic on a reading: CPU
// share against the previous reading times the online CPUs, memory less
// the page cache (cgroup v1 and v2 names), I/O summed over networks and
// devices.
func TestStatsSample(t *testing.T) {
	var s container.StatsResponse
	s.ID, s.Name = "abc", "/p-web-1"
	s.CPUStats.CPUUsage.TotalUsage = 300
	s.PreCPUStats.CPUUsage.TotalUsage = 100
	s.CPUStats.SystemUsage = 2000
	s.PreCPUStats.SystemUsage = 1000
	s.CPUStats.OnlineCPUs = 2
	s.MemoryStats = container.MemoryStats{Usage: 1000, Limit: 4000, Stats: map[string]uint64{"inactive_file": 200}}
	s.Networks = map[string]container.NetworkStats{"eth0": {RxBytes: 10, TxBytes: 1}, "eth1": {RxBytes: 5, TxBytes: 2}}
	s.BlkioStats.IoServiceBytesRecursive = []container.BlkioStatEntry{{Op: "Read", Value: 7}, {Op: "write", Value: 9}, {Op: "read", Value: 1}, {Op: "Total", Value: 17}}
	s.PidsStats.Current = 4
	got := statsSample(s)
	want := engine.ContainerStats{ID: "abc", Name: "p-web-1", CPUPercent: 40, MemUsage: 800, MemLimit: 4000, MemPercent: 20,
		NetRx: 15, NetTx: 3, BlockRead: 8, BlockWrite: 9, PIDs: 4}
	if got != want {
		t.Fatalf("sample\n got %+v\nwant %+v", got, want)
	}

	// cgroup v1 names the page cache total_inactive_file
	s.MemoryStats.Stats = map[string]uint64{"total_inactive_file": 500, "inactive_file": 1}
	if got := statsSample(s); got.MemUsage != 500 {
		t.Fatalf("cgroup v1 memory %d, want 500", got.MemUsage)
	}
	// no previous reading: no CPU share, not a negative one
	s.PreCPUStats = container.CPUStats{}
	s.CPUStats.SystemUsage = 0
	if got := statsSample(s); got.CPUPercent != 0 {
		t.Fatalf("CPU without a previous reading: %v", got.CPUPercent)
	}
}
