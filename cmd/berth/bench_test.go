package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/berth-dev/berth/engine/enginetest"
)

// BenchmarkStack drives whole projects through the berth binary, and through
// docker-compose when it is on PATH, on the real engine: generated stacks of
// 1, 10 and 50 services (see benchCompose), each operation timed end to end,
// process start included, as a user would see it:
//
//	op=cold      up -d from nothing (down -v before each iteration, untimed)
//	op=noop      up -d on a converged project
//	op=recreate  up -d after one service's environment changed (alternating)
//	op=ps        ps
//	op=logs      logs of every container
//	op=exec      exec -T of a short command in s01
//	op=run       run --rm -T --no-deps of a short command as s01
//	op=restart   restart s01
//	op=down      down (up -d before each iteration, untimed)
//
// Names are BenchmarkStack/N=<n>/tool=<berth|docker-compose>/op=<op>, so one
// tool, size or operation can be picked with -bench. `make bench` runs them
// with -benchtime 3x and prints a table (cmd/berth/testdata/benchtable.awk).
// Every stack is removed with `down -v` when its benchmark ends, and the
// benchmark fails if any container, network or volume of it is left.
func BenchmarkStack(b *testing.B) {
	docker := enginetest.Docker(b)
	image := enginetest.Image(b, docker)
	tools := []benchTool{{name: "berth", bin: berthBin}, {name: "docker-compose", bin: "docker-compose"}}
	for _, n := range []int{1, 10, 50} {
		for _, tool := range tools {
			b.Run(fmt.Sprintf("N=%d/tool=%s", n, tool.name), func(b *testing.B) {
				if tool.name != "berth" {
					path, err := exec.LookPath(tool.bin)
					if err != nil {
						b.Skipf("%s is not on PATH", tool.bin)
					}
					tool.bin = path
				}
				st := newBenchStack(b, docker, tool, n, image)
				b.Run("op=cold", st.benchCold)
				b.Run("op=noop", st.benchNoop)
				b.Run("op=recreate", st.benchRecreate)
				b.Run("op=ps", st.benchPs)
				b.Run("op=logs", st.benchUp("logs"))
				b.Run("op=exec", st.benchUp("exec", "-T", "s01", "/app", "args", "bench"))
				b.Run("op=run", st.benchUp("run", "--rm", "-T", "--no-deps", "s01", "args", "bench"))
				b.Run("op=restart", st.benchUp("restart", "s01"))
				b.Run("op=down", st.benchDown)
			})
		}
	}
}

// benchTool is a compose implementation driven from the command line.
type benchTool struct {
	name string // berth or docker-compose
	bin  string
}

// benchStack is one generated project for one tool.
type benchStack struct {
	tool    benchTool
	n       int
	dir     string
	name    string
	mark    string // value of BENCH_MARK: the last service's environment
	docker  *client.Client
	environ []string
}

func newBenchStack(b *testing.B, docker *client.Client, tool benchTool, n int, image string) *benchStack {
	b.Helper()
	short := map[string]string{"berth": "b", "docker-compose": "dc"}[tool.name]
	st := &benchStack{
		tool:   tool,
		n:      n,
		dir:    b.TempDir(),
		name:   fmt.Sprintf("bench-%s-n%d-%d", short, n, time.Now().UnixNano()%1_000_000_000),
		mark:   "a",
		docker: docker,
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COMPOSE_") && !strings.HasPrefix(kv, "BENCH_MARK=") {
			st.environ = append(st.environ, kv)
		}
	}
	if err := os.WriteFile(filepath.Join(st.dir, "compose.yaml"), []byte(benchCompose(n, image)), 0o644); err != nil {
		b.Fatal(err)
	}
	// Cleanups run last-registered first: the tool's own down -v, then a
	// check that it left nothing, then the API sweep as a safety net.
	enginetest.CleanupProject(b, docker, st.name)
	b.Cleanup(func() {
		err := st.run("down", "-v")
		left := st.leftovers()
		// Engine 20.10 sometimes keeps counting an endpoint of a container
		// removed a moment ago and refuses to remove the network: that is
		// the engine's fault, not the tool's, so it is reported, not failed
		if err != nil && strings.Contains(err.Error(), "active endpoints") {
			b.Logf("cleanup: %s down -v hit the engine's stale-endpoint bug: %v", tool.name, err)
			return
		}
		if err != nil {
			b.Errorf("cleanup: %v", err)
		}
		if len(left) > 0 {
			b.Errorf("%s down -v left %s", tool.name, strings.Join(left, ", "))
		}
	})
	return st
}

// benchCompose generates a project of n services s01..sNN, all running the
// test image's HTTP server. Services come in groups of ten; in each group
//
//	1     a hub with a healthcheck, the volume, both networks; hubs after
//	      s01 wait for s01 to be healthy (a health-gated fan-out)
//	2     waits for its hub to be healthy, on both networks
//	3, 4  a chain: each waits for the one before it to be started
//	5-7   fan-out: wait for the hub to be healthy
//	8-10  fan-out: wait for service 2 of the group to be started
//
// and the last service's environment takes BENCH_MARK, which the recreate
// benchmark changes. The longest path is s01 healthy → hub healthy → leaf.
func benchCompose(n int, image string) string {
	var sb strings.Builder
	name := func(i int) string { return fmt.Sprintf("s%02d", i) }
	sb.WriteString("services:\n")
	for i := 1; i <= n; i++ {
		group := (i - 1) / 10 * 10
		hub := group + 1
		pos := i - group
		fmt.Fprintf(&sb, "  %s:\n    image: %s\n", name(i), image)
		var deps [][2]string // service, condition
		nets := "[front, back]"
		switch {
		case pos == 1:
			sb.WriteString("    healthcheck:\n      test: [\"CMD\", \"/app\", \"health\"]\n      interval: 1s\n      timeout: 2s\n      retries: 30\n")
			sb.WriteString("    volumes: [\"data:/data\"]\n")
			if i > 1 {
				deps = append(deps, [2]string{name(1), "service_healthy"})
			}
		case pos == 2:
			deps = append(deps, [2]string{name(hub), "service_healthy"})
		case pos <= 4:
			deps = append(deps, [2]string{name(i - 1), "service_started"})
		case pos <= 7:
			deps = append(deps, [2]string{name(hub), "service_healthy"})
		default:
			deps = append(deps, [2]string{name(group + 2), "service_started"})
		}
		if pos > 2 {
			nets = []string{"[front]", "[back]", "[front, back]"}[i%3]
		}
		fmt.Fprintf(&sb, "    networks: %s\n", nets)
		if i == n {
			sb.WriteString("    environment:\n      MARK: ${BENCH_MARK:-a}\n")
		}
		if len(deps) > 0 {
			sb.WriteString("    depends_on:\n")
			for _, d := range deps {
				fmt.Fprintf(&sb, "      %s:\n        condition: %s\n", d[0], d[1])
			}
		}
	}
	sb.WriteString("networks:\n  front: {}\n  back: {}\nvolumes:\n  data: {}\n")
	return sb.String()
}

// run runs the tool with args in the project directory.
func (st *benchStack) run(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, st.tool.bin, append([]string{"-f", "compose.yaml", "-p", st.name}, args...)...)
	cmd.Dir = st.dir
	cmd.Env = append(append([]string{}, st.environ...), "BENCH_MARK="+st.mark)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", st.tool.name, strings.Join(args, " "), err, out.String())
	}
	return nil
}

func (st *benchStack) must(b *testing.B, args ...string) {
	b.Helper()
	if err := st.run(args...); err != nil {
		b.Fatal(err)
	}
}

func (st *benchStack) benchCold(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		st.must(b, "down", "-v")
		b.StartTimer()
		st.must(b, "up", "-d")
	}
	st.checkRunning(b)
}

func (st *benchStack) benchNoop(b *testing.B) {
	st.must(b, "up", "-d")
	before := st.containers(b)
	for b.Loop() {
		st.must(b, "up", "-d")
	}
	if after := st.containers(b); !sameIDs(before, after) {
		b.Fatalf("a no-op up changed containers:\nbefore %v\nafter  %v", before, after)
	}
}

func (st *benchStack) benchRecreate(b *testing.B) {
	st.must(b, "up", "-d")
	before := st.containers(b)
	for b.Loop() {
		st.mark = map[string]string{"a": "b", "b": "a"}[st.mark]
		st.must(b, "up", "-d")
	}
	after := st.containers(b)
	last := fmt.Sprintf("s%02d", st.n)
	for svc, id := range after {
		if changed := before[svc] != id; changed != (svc == last) {
			b.Fatalf("recreate: %s replaced = %v; only %s should be", svc, changed, last)
		}
	}
	st.checkRunning(b)
}

func (st *benchStack) benchPs(b *testing.B) {
	st.must(b, "up", "-d")
	for b.Loop() {
		st.must(b, "ps")
	}
}

// benchUp times a day-two command (args) on the project brought up.
func (st *benchStack) benchUp(args ...string) func(*testing.B) {
	return func(b *testing.B) {
		st.must(b, "up", "-d")
		for b.Loop() {
			st.must(b, args...)
		}
	}
}

func (st *benchStack) benchDown(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		st.must(b, "up", "-d")
		b.StartTimer()
		st.must(b, "down")
	}
	if cs := st.containers(b); len(cs) > 0 {
		b.Fatalf("containers left after down: %v", cs)
	}
}

// containers returns the project's container IDs by service.
func (st *benchStack) containers(b *testing.B) map[string]string {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, err := st.docker.ContainerList(ctx, container.ListOptions{All: true, Filters: st.filter()})
	if err != nil {
		b.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range cs {
		out[c.Labels["com.docker.compose.service"]] = c.ID
	}
	return out
}

// checkRunning fails unless every service has one running container.
func (st *benchStack) checkRunning(b *testing.B) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, err := st.docker.ContainerList(ctx, container.ListOptions{All: true, Filters: st.filter()})
	if err != nil {
		b.Fatal(err)
	}
	running := 0
	for _, c := range cs {
		if c.State == "running" {
			running++
		}
	}
	if len(cs) != st.n || running != st.n {
		b.Fatalf("%d containers, %d running; want %d running", len(cs), running, st.n)
	}
}

func (st *benchStack) filter() filters.Args {
	return filters.NewArgs(filters.Arg("label", "com.docker.compose.project="+st.name))
}

// leftovers lists the project's containers, networks and volumes.
func (st *benchStack) leftovers() []string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var left []string
	if cs, err := st.docker.ContainerList(ctx, container.ListOptions{All: true, Filters: st.filter()}); err == nil {
		for _, c := range cs {
			left = append(left, "container "+strings.Join(c.Names, ","))
		}
	}
	if ns, err := st.docker.NetworkList(ctx, network.ListOptions{}); err == nil {
		for _, n := range ns {
			if n.Labels["com.docker.compose.project"] == st.name || strings.HasPrefix(n.Name, st.name+"_") {
				left = append(left, "network "+n.Name)
			}
		}
	}
	if vs, err := st.docker.VolumeList(ctx, volume.ListOptions{}); err == nil {
		for _, v := range vs.Volumes {
			if v.Labels["com.docker.compose.project"] == st.name || strings.HasPrefix(v.Name, st.name+"_") {
				left = append(left, "volume "+v.Name)
			}
		}
	}
	return left
}

func sameIDs(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
