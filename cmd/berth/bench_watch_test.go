package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/enginetest"
)

// watchSaves is how many saves BenchmarkWatch times per tool.
const watchSaves = 50

// BenchmarkWatch measures save-to-served latency of a `sync` rule for
// berth and, when it is on PATH, docker-compose, on the same project in the
// same run: a file is written, and the time until the container serves the
// new content is taken, over watchSaves saves (median and p95 reported as
// median-ms and p95-ms); then 1,000 files are written at once, and the time
// until the container serves the last of them (all-1000-ms). The watched
// tree holds 2,000 directories the rule ignores; the inotify watches the
// tool holds are reported as inotify-watches.
//
//	go test -run '^$' -bench '^BenchmarkWatch$' -benchtime 1x ./cmd/berth
func BenchmarkWatch(b *testing.B) {
	docker := enginetest.Docker(b)
	image := enginetest.Image(b, docker)
	for _, tool := range []benchTool{{name: "berth", bin: berthBin}, {name: "docker-compose", bin: "docker-compose"}} {
		b.Run("tool="+tool.name, func(b *testing.B) {
			if tool.name != "berth" {
				path, err := exec.LookPath(tool.bin)
				if err != nil {
					b.Skipf("%s is not on PATH", tool.bin)
				}
				tool.bin = path
			}
			for range b.N {
				benchWatchOnce(b, tool, image)
			}
		})
	}
}

func benchWatchOnce(b *testing.B, tool benchTool, image string) {
	dir := b.TempDir()
	name := fmt.Sprintf("bench-w-%s-%d", map[string]string{"berth": "b", "docker-compose": "dc"}[tool.name], time.Now().UnixNano()%1e9)
	compose := fmt.Sprintf(`services:
  app:
    image: %s
    ports: ["127.0.0.1::8080"]
    develop:
      watch:
        - {path: ./data, action: sync, target: /data, ignore: [node_modules/]}
`, image)
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "data", "many"), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data", "hot.txt"), []byte("start"), 0o644); err != nil {
		b.Fatal(err)
	}
	// 2,000 directories the rule ignores: they should cost no inotify watch
	for i := range 2000 {
		if err := os.MkdirAll(filepath.Join(dir, "data", "node_modules", fmt.Sprintf("p%04d", i)), 0o755); err != nil {
			b.Fatal(err)
		}
	}
	run := func(args ...string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, tool.bin, append([]string{"-f", "compose.yaml", "-p", name}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s %s: %v\n%s", tool.name, strings.Join(args, " "), err, out)
		}
		return nil
	}
	b.StopTimer()
	if err := run("up", "-d"); err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := run("down", "-v"); err != nil {
			b.Error(err)
		}
	}()
	port, err := benchPort(tool, dir, name)
	if err != nil {
		b.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d/file?path=/data/", port)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, tool.bin, "-f", "compose.yaml", "-p", name, "watch", "--no-up")
	cmd.Dir = dir
	stderr, _ := cmd.StderrPipe()
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			_ = sc.Text()
		}
	}()
	// the watcher is ready when a save is served: save again until one is
	ready := time.Now().Add(time.Minute)
	for k := 0; ; k++ {
		if _, err := saveAndServe(filepath.Join(dir, "data", "hot.txt"), base+"hot.txt", fmt.Sprintf("ready %d", k), time.Second); err == nil {
			break
		}
		if time.Now().After(ready) {
			b.Fatalf("%s watch never synced a save", tool.name)
		}
	}

	watches := inotifyWatches(cmd.Process.Pid)
	b.StartTimer()
	var lat []time.Duration
	for i := range watchSaves {
		d, err := saveAndServe(filepath.Join(dir, "data", "hot.txt"), base+"hot.txt", fmt.Sprintf("save %d", i), 30*time.Second)
		if err != nil {
			b.Fatalf("%s: save %d: %v", tool.name, i, err)
		}
		lat = append(lat, d)
	}
	start := time.Now()
	for i := range 1000 {
		if err := os.WriteFile(filepath.Join(dir, "data", "many", fmt.Sprintf("f%04d.txt", i)), []byte(fmt.Sprint(i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if err := servedBy(base+"many/f0999.txt", "999", time.Minute); err != nil {
		b.Fatalf("%s: 1,000 files: %v", tool.name, err)
	}
	if err := servedBy(base+"many/f0000.txt", "0", time.Minute); err != nil {
		b.Fatalf("%s: 1,000 files: %v", tool.name, err)
	}
	all := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(all.Microseconds())/1000, "all-1000-ms")
	b.ReportMetric(float64(watches), "inotify-watches")
}

// inotifyWatches counts the inotify watches process pid holds, from
// /proc/<pid>/fdinfo: one "inotify wd:" line per watch.
func inotifyWatches(pid int) int {
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fdinfo", pid))
	if err != nil {
		return -1
	}
	n := 0
	for _, fd := range fds {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%s", pid, fd.Name()))
		if err != nil {
			continue
		}
		n += strings.Count(string(data), "inotify wd:")
	}
	return n
}

// saveAndServe writes text to file and returns how long until url serves
// it.
func saveAndServe(file, url, text string, limit time.Duration) (time.Duration, error) {
	start := time.Now()
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		return 0, err
	}
	if err := servedBy(url, text, limit); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// servedBy polls url every 2 ms until it serves want, or limit passes.
func servedBy(url, want string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if fetch(url) == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not serve %q within %s", url, want, limit)
		}
		time.Sleep(2 * time.Millisecond) // the measurement's resolution: no event says a file arrived
	}
}

// benchPort is the host port the project's app container publishes 8080 on.
func benchPort(tool benchTool, dir, name string) (int, error) {
	cmd := exec.Command(tool.bin, "-f", "compose.yaml", "-p", name, "ps", "--format", "json")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("%s ps: %w", tool.name, err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var rows []psJSON
		if strings.HasPrefix(line, "[") {
			if err := json.Unmarshal([]byte(line), &rows); err != nil {
				return 0, err
			}
		} else {
			var row psJSON
			if err := json.Unmarshal([]byte(line), &row); err != nil {
				return 0, err
			}
			rows = append(rows, row)
		}
		for _, r := range rows {
			for _, p := range r.Publishers {
				if p.TargetPort == 8080 && p.PublishedPort != 0 {
					return int(p.PublishedPort), nil
				}
			}
		}
	}
	return 0, fmt.Errorf("%s ps: no published port for 8080:\n%s", tool.name, out)
}
