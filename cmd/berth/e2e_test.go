package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/berth-dev/berth/engine/enginetest"
)

// berthBin is the binary the end-to-end tests drive, built once by TestMain.
var berthBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "berth-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	berthBin = filepath.Join(dir, "berth")
	build := exec.Command("go", "build", "-o", berthBin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building berth: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// stack is a project directory driven through the berth binary.
type stack struct {
	t       *testing.T
	dir     string
	name    string
	docker  *client.Client
	image   string
	environ []string
}

func newStack(t *testing.T) *stack {
	t.Helper()
	docker := enginetest.Docker(t)
	s := &stack{t: t, dir: t.TempDir(), name: enginetest.ProjectName(t), docker: docker, image: enginetest.Image(t, docker)}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COMPOSE_") {
			s.environ = append(s.environ, kv)
		}
	}
	enginetest.CleanupProject(t, docker, s.name)
	return s
}

// write writes the compose file, with IMAGE replaced by the test image.
func (s *stack) write(compose string) {
	s.t.Helper()
	compose = strings.ReplaceAll(compose, "IMAGE", s.image)
	if err := os.WriteFile(filepath.Join(s.dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// berth runs the binary in the stack's directory and returns its exit code,
// stdout and stderr.
func (s *stack) berth(env []string, args ...string) (int, string, string) {
	s.t.Helper()
	return s.berthIn(nil, env, args...)
}

// exitCode is the exit status that cmd.Run's error reports; an error other
// than a non-zero exit (the program could not be started) fails the test.
func exitCode(t testing.TB, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("running a command: %v", err)
	}
	return 0
}

// ok runs berth and fails the test unless it exits 0.
func (s *stack) ok(env []string, args ...string) string {
	s.t.Helper()
	code, out, errOut := s.berth(env, args...)
	if code != 0 {
		s.t.Fatalf("berth %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// ps returns `ps -a --format json` (one JSON object per line) by
// container name.
func (s *stack) ps() map[string]psJSON {
	s.t.Helper()
	out := map[string]psJSON{}
	dec := json.NewDecoder(strings.NewReader(s.ok(nil, "ps", "-a", "--format", "json")))
	for dec.More() {
		var r psJSON
		if err := dec.Decode(&r); err != nil {
			s.t.Fatal(err)
		}
		out[r.Name] = r
	}
	return out
}

// containers lists the project's containers, running or not, as the
// engine reports them: all of them, or those that also match extra.
func (s *stack) containers(extra ...filters.KeyValuePair) []container.Summary {
	s.t.Helper()
	f := filters.NewArgs(append([]filters.KeyValuePair{filters.Arg("label", "com.docker.compose.project="+s.name)}, extra...)...)
	cs, err := s.docker.ContainerList(context.Background(), container.ListOptions{All: true, Filters: f})
	if err != nil {
		s.t.Fatal(err)
	}
	return cs
}

// containerIDs maps the project's container names to their IDs, as the
// engine lists them.
func (s *stack) containerIDs() map[string]string {
	s.t.Helper()
	ids := map[string]string{}
	for _, c := range s.containers() {
		ids[strings.TrimPrefix(c.Names[0], "/")] = c.ID
	}
	return ids
}

func (s *stack) container(svc string, n int) string { return fmt.Sprintf("%s-%s-%d", s.name, svc, n) }

// get fetches path from the published port of a container's port 8080.
func (s *stack) get(ctr, path string) string {
	s.t.Helper()
	row, ok := s.ps()[ctr]
	if !ok {
		s.t.Fatalf("no container %s", ctr)
	}
	for _, p := range row.Publishers {
		if p.TargetPort == 8080 && p.PublishedPort != 0 {
			// the container may still be starting its server: poll until
			// it answers or the deadline passes
			c := http.Client{Timeout: 5 * time.Second}
			url := fmt.Sprintf("http://127.0.0.1:%d%s", p.PublishedPort, path)
			deadline := time.Now().Add(15 * time.Second)
			for {
				resp, err := c.Get(url)
				if err == nil {
					defer resp.Body.Close()
					b, _ := io.ReadAll(resp.Body)
					return string(b)
				}
				if time.Now().After(deadline) {
					s.t.Fatalf("GET %s on %s: %v", path, ctr, err)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
	}
	s.t.Fatalf("%s publishes no port for 8080: %+v", ctr, row.Publishers)
	return ""
}

const lifecycleCompose = `
services:
  db:
    image: IMAGE
    ports: ["127.0.0.1::8080"]
    healthcheck:
      test: ["CMD", "/app", "health"]
      interval: 1s
      retries: 30
    volumes: [data:/data]
    networks: [back]
  migrate:
    image: IMAGE
    command: ["write", "/data/ready", "yes"]
    volumes: [data:/data]
    depends_on:
      db: {condition: service_healthy}
    networks: [back]
  web:
    image: IMAGE
    ports: ["127.0.0.1::8080"]
    environment:
      LOG_LEVEL: ${LOG_LEVEL:-info}
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
    networks: [front, back]
  edge:
    image: IMAGE
    networks: [front]
networks: {front: {}, back: {}}
volumes: {data: {}}
`

// TestLifecycle drives a project through the binary on the real engine:
// up, converged, a one-field change, scale, orphans, data that survives
// recreate and down, and down -v.
func TestLifecycle(t *testing.T) {
	s := newStack(t)
	s.write(lifecycleCompose)

	s.ok(nil, "up", "-d")
	ps := s.ps()
	if got := ps[s.container("db", 1)]; got.State != "running" || got.Health != "healthy" {
		t.Fatalf("db after up: %+v", got)
	}
	if got := ps[s.container("migrate", 1)]; got.State != "exited" || got.ExitCode != 0 {
		t.Fatalf("migrate after up: %+v", got)
	}
	if got := ps[s.container("web", 1)]; got.State != "running" {
		t.Fatalf("web after up: %+v", got)
	}
	if body := s.get(s.container("web", 1), "/env/LOG_LEVEL"); body != "info" {
		t.Fatalf("web's LOG_LEVEL over the published port = %q, want info", body)
	}

	t.Run("converged", func(t *testing.T) {
		if out := s.ok(nil, "plan"); out != "No changes.\n" {
			t.Fatalf("plan after up:\n%s", out)
		}
		if code, out, _ := s.berth(nil, "plan", "--detailed-exitcode"); code != 0 {
			t.Fatalf("plan --detailed-exitcode on a converged project: exit %d\n%s", code, out)
		}
		before := s.ps()
		s.ok(nil, "up", "-d")
		for name, row := range s.ps() {
			if before[name].ID != row.ID {
				t.Errorf("second up replaced %s", name)
			}
		}
	})

	t.Run("one field change recreates exactly that container", func(t *testing.T) {
		env := []string{"LOG_LEVEL=debug"}
		out := s.ok(env, "plan")
		for _, want := range []string{"~ container " + s.container("web", 1) + " (config changed)", `environment.LOG_LEVEL: "info" → "debug"`, "Plan: 0 to create, 1 to recreate, 0 to remove."} {
			if !strings.Contains(out, want) {
				t.Fatalf("plan does not say %q:\n%s", want, out)
			}
		}
		if code, _, _ := s.berth(env, "plan", "--detailed-exitcode"); code != 2 {
			t.Fatalf("plan --detailed-exitcode with changes: exit %d, want 2", code)
		}
		before := s.ps()
		s.ok(env, "up", "-d")
		after := s.ps()
		for name, row := range after {
			changed := before[name].ID != row.ID
			if changed != (name == s.container("web", 1)) {
				t.Errorf("%s replaced = %v", name, changed)
			}
		}
		if body := s.get(s.container("web", 1), "/env/LOG_LEVEL"); body != "debug" {
			t.Fatalf("LOG_LEVEL after recreate = %q", body)
		}
		s.ok(nil, "up", "-d") // back to info for the next steps
	})

	t.Run("scale up and down", func(t *testing.T) {
		s.ok(nil, "up", "-d", "--scale", "edge=3")
		for n := 1; n <= 3; n++ {
			if s.ps()[s.container("edge", n)].State != "running" {
				t.Fatalf("edge-%d not running after --scale edge=3", n)
			}
		}
		s.ok(nil, "up", "-d", "--scale", "edge=1")
		ps := s.ps()
		if _, ok := ps[s.container("edge", 2)]; ok {
			t.Fatal("edge-2 still there after --scale edge=1")
		}
		if _, ok := ps[s.container("edge", 3)]; ok {
			t.Fatal("edge-3 still there after --scale edge=1")
		}
		if ps[s.container("edge", 1)].State != "running" {
			t.Fatal("edge-1 should stay")
		}
	})

	t.Run("network isolation", func(t *testing.T) {
		code, out := enginetest.Exec(t, s.docker, s.container("web", 1), "/app", "get", "http://db:8080/")
		if code != 0 || !strings.HasPrefix(out, "ok ") {
			t.Fatalf("web (front+back) cannot reach db: exit %d %q", code, out)
		}
		code, _ = enginetest.Exec(t, s.docker, s.container("edge", 1), "/app", "get", "http://db:8080/")
		if code == 0 {
			t.Fatal("edge (front only) reached db on back")
		}
	})

	t.Run("data in a named volume survives recreate and down", func(t *testing.T) {
		if code, out := enginetest.Exec(t, s.docker, s.container("db", 1), "/app", "write", "/data/mark", "kept"); code != 0 {
			t.Fatalf("writing to the volume: %d %s", code, out)
		}
		s.ok(nil, "up", "-d", "--force-recreate", "db")
		if got := s.get(s.container("db", 1), "/file?path=/data/mark"); got != "kept" {
			t.Fatalf("after recreate /data/mark = %q", got)
		}
		s.ok(nil, "down")
		if len(s.ps()) != 0 {
			t.Fatalf("containers left after down: %v", s.ps())
		}
		if _, err := s.docker.VolumeInspect(context.Background(), s.name+"_data"); err != nil {
			t.Fatalf("down removed the named volume: %v", err)
		}
		if _, err := s.docker.NetworkInspect(context.Background(), s.name+"_back", networkInspectOptions()); err == nil {
			t.Fatal("down left the back network")
		}
		s.ok(nil, "up", "-d")
		if got := s.get(s.container("db", 1), "/file?path=/data/mark"); got != "kept" {
			t.Fatalf("after down and up /data/mark = %q", got)
		}
	})

	t.Run("orphans", func(t *testing.T) {
		s.write(strings.Replace(lifecycleCompose, "  edge:\n    image: IMAGE\n    networks: [front]\n", "", 1))
		_, _, errOut := s.berth(nil, "up", "-d")
		if !strings.Contains(errOut, s.container("edge", 1)) || !strings.Contains(errOut, "--remove-orphans") {
			t.Fatalf("up with an orphan did not warn about it:\n%s", errOut)
		}
		if _, ok := s.ps()[s.container("edge", 1)]; !ok {
			t.Fatal("the orphan was removed without --remove-orphans")
		}
		s.ok(nil, "up", "-d", "--remove-orphans")
		if _, ok := s.ps()[s.container("edge", 1)]; ok {
			t.Fatal("--remove-orphans left the orphan")
		}
	})

	t.Run("down -v removes the volume", func(t *testing.T) {
		s.ok(nil, "down", "-v")
		vs, err := s.docker.VolumeList(context.Background(), volume.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs.Volumes {
			if v.Name == s.name+"_data" {
				t.Fatal("down -v kept the named volume")
			}
		}
	})
}

// TestUnhealthyDependencyFailsUp checks that a dependency that turns
// unhealthy fails `up --wait` with a message naming it and its last check.
func TestUnhealthyDependencyFailsUp(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  db:
    image: IMAGE
    healthcheck:
      test: ["CMD", "/app", "unhealthy"]
      interval: 1s
      retries: 1
  web:
    image: IMAGE
    depends_on:
      db: {condition: service_healthy}
`)
	code, _, errOut := s.berth(nil, "up", "--wait")
	if code == 0 {
		t.Fatal("up --wait succeeded with an unhealthy dependency")
	}
	for _, want := range []string{"dependency db is unhealthy", "database is on fire"} {
		if !strings.Contains(errOut, want) {
			t.Fatalf("error does not say %q:\n%s", want, errOut)
		}
	}
	if row, ok := s.ps()[s.container("web", 1)]; !ok || row.State == "running" {
		t.Fatalf("web should be created but not started: %+v", row)
	}
}

// TestCompletedDependency checks service_completed_successfully both ways.
func TestCompletedDependency(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  job:
    image: IMAGE
    command: ["exit", "${JOB_EXIT:-0}"]
  app:
    image: IMAGE
    depends_on:
      job: {condition: service_completed_successfully}
`)
	s.ok(nil, "up", "-d")
	if s.ps()[s.container("app", 1)].State != "running" {
		t.Fatal("app did not start after job completed")
	}
	s.ok(nil, "down")
	code, _, errOut := s.berth([]string{"JOB_EXIT=3"}, "up", "-d")
	if code == 0 || !strings.Contains(errOut, "dependency job did not complete successfully") || !strings.Contains(errOut, "exited with code 3") {
		t.Fatalf("up with a failing job: exit %d\n%s", code, errOut)
	}
}

func networkInspectOptions() network.InspectOptions { return network.InspectOptions{} }

// TestNetworkChangeAndRestartDependents checks two in-place updates on the
// engine: a network whose configuration changed is recreated with its
// containers disconnected and reconnected (not recreated), and a dependent
// with depends_on restart: true is restarted when its dependency is
// recreated.
func TestNetworkChangeAndRestartDependents(t *testing.T) {
	s := newStack(t)
	const compose = `
services:
  db:
    image: IMAGE
    environment: {GEN: "${GEN:-1}"}
    networks: [back]
  app:
    image: IMAGE
    depends_on:
      db: {condition: service_started, restart: true}
    networks: [back]
networks:
  back:
    labels: {tier: "${TIER:-one}"}
`
	s.write(compose)
	s.ok(nil, "up", "-d")
	before := s.ps()

	out := s.ok([]string{"TIER=two"}, "plan")
	for _, want := range []string{"~ network " + s.name + "_back (config changed)", "* container " + s.container("app", 1)} {
		if !strings.Contains(out, want) {
			t.Fatalf("plan does not say %q:\n%s", want, out)
		}
	}
	s.ok([]string{"TIER=two"}, "up", "-d")
	after := s.ps()
	for name, row := range after {
		if row.ID != before[name].ID {
			t.Errorf("%s was recreated for a network change", name)
		}
		if row.State != "running" {
			t.Errorf("%s is %s after the network change", name, row.State)
		}
	}
	if code, out := enginetest.Exec(t, s.docker, s.container("app", 1), "/app", "get", "http://db:8080/"); code != 0 {
		t.Fatalf("app cannot reach db after the network was recreated: %d %s", code, out)
	}
	if out := s.ok([]string{"TIER=two"}, "plan"); out != "No changes.\n" {
		t.Fatalf("not converged after the network change:\n%s", out)
	}

	app := s.inspect(s.container("app", 1))
	s.ok([]string{"TIER=two", "GEN=2"}, "up", "-d")
	restarted := s.inspect(s.container("app", 1))
	if restarted.ID != app.ID {
		t.Fatal("app was recreated; it should only restart")
	}
	if restarted.State.StartedAt == app.State.StartedAt {
		t.Fatal("app was not restarted after db was recreated")
	}
}

func (s *stack) inspect(name string) container.InspectResponse {
	s.t.Helper()
	ins, err := s.docker.ContainerInspect(context.Background(), name)
	if err != nil {
		s.t.Fatal(err)
	}
	return ins
}

// TestHooks checks post_start and pre_stop hooks run in the container.
func TestHooks(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  app:
    image: IMAGE
    ports: ["127.0.0.1::8080"]
    volumes: [state:/state]
    post_start:
      - command: ["/app", "write", "/state/started", "yes"]
    pre_stop:
      - command: ["/app", "write", "/state/stopping", "${STOP_MARK:-bye}"]
volumes: {state: {}}
`)
	s.ok(nil, "up", "-d")
	if got := s.get(s.container("app", 1), "/file?path=/state/started"); got != "yes" {
		t.Fatalf("post_start hook did not run: /state/started = %q", got)
	}
	s.ok(nil, "down")
	s.ok(nil, "up", "-d")
	if got := s.get(s.container("app", 1), "/file?path=/state/stopping"); got != "bye" {
		t.Fatalf("pre_stop hook did not run on down: /state/stopping = %q", got)
	}
	s.write(`
services:
  app:
    image: IMAGE
    post_start:
      - command: ["/app", "exit", "4"]
`)
	code, _, errOut := s.berth(nil, "up", "-d", "--force-recreate")
	if code == 0 || !strings.Contains(errOut, `post_start hook 1 (/app exit 4) exited with code 4`) {
		t.Fatalf("failing post_start hook: exit %d\n%s", code, errOut)
	}
}

// TestAnonymousVolumesCarriedOver checks a recreated container keeps its
// anonymous volumes' data, and -V gives it fresh ones.
func TestAnonymousVolumesCarriedOver(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  app:
    image: IMAGE
    ports: ["127.0.0.1::8080"]
    environment: {GEN: "${GEN:-1}"}
    volumes: ["/cache"]
`)
	s.ok(nil, "up", "-d")
	if code, out := enginetest.Exec(t, s.docker, s.container("app", 1), "/app", "write", "/cache/x", "warm"); code != 0 {
		t.Fatalf("writing to the anonymous volume: %d %s", code, out)
	}
	s.ok([]string{"GEN=2"}, "up", "-d")
	if got := s.get(s.container("app", 1), "/file?path=/cache/x"); got != "warm" {
		t.Fatalf("after recreate /cache/x = %q, want the old volume's data", got)
	}
	s.ok([]string{"GEN=2"}, "up", "-d", "-V")
	if got := s.get(s.container("app", 1), "/file?path=/cache/x"); strings.Contains(got, "warm") {
		t.Fatal("-V kept the old anonymous volume")
	}
	s.ok(nil, "down", "-v")
}

// TestInterruptedUpConverges sends Ctrl-C to `up -d` while it waits for a
// dependency: it stops at once with a non-zero exit, leaves only labelled
// containers, and the next `up` converges.
func TestInterruptedUpConverges(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  db:
    image: IMAGE
    healthcheck:
      test: ["CMD", "/app", "exit", "${HC:-1}"]
      interval: 1s
      retries: 1000
  web:
    image: IMAGE
    depends_on:
      db: {condition: service_healthy}
`)
	cmd := exec.Command(berthBin, "-p", s.name, "up", "-d")
	cmd.Dir = s.dir
	cmd.Env = s.environ
	lines := stderrLines(t, cmd)
	var log strings.Builder
	deadline := time.After(60 * time.Second)
wait:
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("up ended before waiting for db:\n%s", log.String())
			}
			log.WriteString(line + "\n")
			if strings.Contains(line, "Waiting for db") {
				break wait
			}
		case <-deadline:
			_ = cmd.Process.Kill()
			t.Fatalf("up never started waiting for db:\n%s", log.String())
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	// read to the end of stderr (the process closes it when it exits), then
	// collect the exit status: Wait must come after the last read
	drained := make(chan struct{})
	go func() {
		for line := range lines {
			log.WriteString(line + "\n")
		}
		close(drained)
	}()
	select {
	case <-drained:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-drained
		t.Fatalf("up did not stop after Ctrl-C:\n%s", log.String())
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("interrupted up: %v, want exit 130\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "interrupted") {
		t.Fatalf("interrupted up does not say so:\n%s", log.String())
	}
	ps := s.ps()
	if ps[s.container("web", 1)].State == "running" {
		t.Fatal("web started although its dependency never became healthy")
	}
	s.ok([]string{"HC=0"}, "up", "-d")
	for _, svc := range []string{"db", "web"} {
		if s.ps()[s.container(svc, 1)].State != "running" {
			t.Fatalf("%s not running after the next up", svc)
		}
	}
	if out := s.ok([]string{"HC=0"}, "plan"); out != "No changes.\n" {
		t.Fatalf("not converged:\n%s", out)
	}
}

// TestConcurrentUpsTakeTurns runs two `up -d` on one project at once: both
// succeed and no container is created twice.
func TestConcurrentUpsTakeTurns(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  a: {image: IMAGE}
  b: {image: IMAGE}
  c: {image: IMAGE, scale: 2}
`)
	type result struct {
		code   int
		stderr string
	}
	results := make(chan result, 2)
	for range 2 {
		go func() {
			cmd := exec.Command(berthBin, "-p", s.name, "up", "-d")
			cmd.Dir = s.dir
			cmd.Env = s.environ
			var errOut bytes.Buffer
			cmd.Stderr = &errOut
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			results <- result{code, errOut.String()}
		}()
	}
	for range 2 {
		r := <-results
		if r.code != 0 {
			t.Fatalf("one of two concurrent ups failed (exit %d):\n%s", r.code, r.stderr)
		}
	}
	ps := s.ps()
	if len(ps) != 4 {
		t.Fatalf("%d containers after two concurrent ups, want 4: %v", len(ps), ps)
	}
}

// TestDryRunAndPlanJSON checks `up --dry-run` and `plan` change nothing on
// the engine, not even a network, and that the JSON plan parses.
func TestDryRunAndPlanJSON(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  app:
    image: IMAGE
    networks: [front]
    volumes: [data:/data]
networks: {front: {}}
volumes: {data: {}}
`)
	out := s.ok(nil, "up", "--dry-run")
	if !strings.Contains(out, "+ network "+s.name+"_front (missing)") || !strings.Contains(out, "Plan: 3 to create, 0 to recreate, 0 to remove.") {
		t.Fatalf("up --dry-run printed:\n%s", out)
	}
	var doc struct {
		Project string `json:"project"`
		Actions []struct {
			Kind     string `json:"kind"`
			Resource string `json:"resource"`
			Reason   string `json:"reason"`
		} `json:"actions"`
		Summary struct {
			Create int `json:"create"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(s.ok(nil, "plan", "--format", "json")), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Project != s.name || doc.Summary.Create != 3 || len(doc.Actions) != 4 {
		t.Fatalf("plan --format json: %+v", doc)
	}
	ctx := context.Background()
	if _, err := s.docker.NetworkInspect(ctx, s.name+"_front", network.InspectOptions{}); err == nil {
		t.Fatal("a dry run created the network")
	}
	if _, err := s.docker.VolumeInspect(ctx, s.name+"_data"); err == nil {
		t.Fatal("a dry run created the volume")
	}
	if len(s.ps()) != 0 {
		t.Fatal("a dry run created a container")
	}
	s.ok(nil, "--dry-run", "down", "-v") // global flag position works too
}

// TestSecretsAndConfigs checks secrets and configs reach the container with
// their contents and modes, from a file, the environment and inline content.
func TestSecretsAndConfigs(t *testing.T) {
	s := newStack(t)
	if err := os.WriteFile(filepath.Join(s.dir, "key.txt"), []byte("from-file"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.write(`
services:
  app:
    image: IMAGE
    ports: ["127.0.0.1::8080"]
    secrets:
      - source: key
        mode: 0400
      - source: token
        target: /run/secrets/api_token
    configs:
      - source: settings
        target: /etc/app/settings.json
        mode: 0640
secrets:
  key: {file: ./key.txt}
  token: {environment: API_TOKEN}
configs:
  settings:
    content: '{"level": "debug"}'
`)
	s.ok([]string{"API_TOKEN=from-env"}, "up", "-d")
	app := s.container("app", 1)
	for _, c := range []struct{ path, content, mode string }{
		{"/run/secrets/key", "from-file", "400"},
		{"/run/secrets/api_token", "from-env", "444"},
		{"/etc/app/settings.json", `{"level": "debug"}`, "640"},
	} {
		if got := s.get(app, "/file?path="+c.path); got != c.content {
			t.Errorf("%s = %q, want %q", c.path, got, c.content)
		}
		if got := s.get(app, "/stat?path="+c.path); got != c.mode {
			t.Errorf("%s mode = %s, want %s", c.path, got, c.mode)
		}
	}
}

// TestMissingImage checks a service whose image is not on the engine and
// cannot be pulled fails `up` with a message that says what to do, that
// --no-build refuses to build a missing image, and that down --rmi local
// removes the image Berth names for a build-only service. The registry is
// 127.0.0.1:1, so the engine's pull attempt stays on loopback.
func TestMissingImage(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  built:
    build: ./built
  app:
    image: 127.0.0.1:1/berth-test/absent:never
`)
	code, _, errOut := s.berth(nil, "up", "-d", "app")
	if code == 0 || !strings.Contains(errOut, `service "app": could not pull image 127.0.0.1:1/berth-test/absent:never`) || !strings.Contains(errOut, "docker load") {
		t.Fatalf("up with an absent image: exit %d\n%s", code, errOut)
	}
	code, _, errOut = s.berth(nil, "up", "-d", "--no-build", "built")
	if code == 0 || !strings.Contains(errOut, "--no-build forbids building it") {
		t.Fatalf("up --no-build with an unbuilt image: exit %d\n%s", code, errOut)
	}
	if len(s.ps()) != 0 {
		t.Fatal("a failed up started containers")
	}

	// tag the test image as the built one, then down --rmi local removes it
	ctx := context.Background()
	builtTag := s.name + "-built"
	if err := s.docker.ImageTag(ctx, s.image, builtTag); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = s.docker.ImageRemove(ctx, builtTag, image.RemoveOptions{}) })
	s.ok(nil, "up", "-d", "built")
	s.ok(nil, "down", "--rmi", "local")
	if _, err := s.docker.ImageInspect(ctx, builtTag); err == nil {
		t.Fatal("down --rmi local kept the built image")
	}
	if _, err := s.docker.ImageInspect(ctx, s.image); err != nil {
		t.Fatalf("down --rmi local removed the test image itself: %v", err)
	}
}

// TestBuild checks images are built through the Engine API: a missing one
// by `up`, a rebuild recreates only that service with the reason "image
// changed", and a broken Dockerfile fails `up` with the builder's message
// and the service name before anything starts.
func TestBuild(t *testing.T) {
	s := newStack(t)
	dockerfile := "ARG GEN=1\nFROM " + s.image + "\nARG GEN\nLABEL berth.test.gen=$GEN\n"
	if err := os.MkdirAll(filepath.Join(s.dir, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "app", "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	s.write(`
services:
  app:
    build:
      context: ./app
      args: {GEN: "${GEN:-1}"}
  side:
    image: IMAGE
`)
	builtTag := s.name + "-app"
	t.Cleanup(s.removeBuiltImages)
	_, _, errOut := s.berth(nil, "up", "-d")
	if !strings.Contains(errOut, "built "+builtTag+" (missing") {
		t.Fatalf("up did not build the missing image:\n%s", errOut)
	}
	if out := s.ok(nil, "plan"); out != "No changes.\n" {
		t.Fatalf("plan after up:\n%s", out)
	}
	before := s.ps()

	s.ok([]string{"GEN=2"}, "build", "app")
	out := s.ok(nil, "plan")
	if !strings.Contains(out, "~ container "+s.container("app", 1)+" (image changed)") || strings.Contains(out, "side") {
		t.Fatalf("plan after a rebuild:\n%s", out)
	}
	s.ok(nil, "up", "-d")
	after := s.ps()
	if after[s.container("app", 1)].ID == before[s.container("app", 1)].ID {
		t.Fatal("app was not recreated after its image was rebuilt")
	}
	if after[s.container("side", 1)].ID != before[s.container("side", 1)].ID {
		t.Fatal("side was recreated by another service's rebuild")
	}
	ins, err := s.docker.ImageInspect(context.Background(), builtTag)
	if err != nil || ins.Config.Labels["berth.test.gen"] != "2" {
		t.Fatalf("rebuilt image: %v %v", err, ins.Config)
	}

	if err := os.MkdirAll(filepath.Join(s.dir, "broken"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "broken", "Dockerfile"), []byte("FROM scratch\nCOPY missing-file /\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.write(`
services:
  broken:
    build: ./broken
  needs:
    image: IMAGE
    depends_on: [broken]
`)
	code, _, errOut := s.berth(nil, "up", "-d", "--remove-orphans")
	if code == 0 || !strings.Contains(errOut, `service "broken": build failed`) || !strings.Contains(errOut, "missing-file") {
		t.Fatalf("up with a broken Dockerfile: exit %d\n%s", code, errOut)
	}
	if _, ok := s.ps()[s.container("needs", 1)]; ok {
		t.Fatal("a service depending on the failed build was created")
	}
}

// TestPull checks berth pull and up --pull against an unreachable registry
// (127.0.0.1:1, so nothing leaves loopback): the error names the image and
// says what to do; --ignore-pull-failures goes on; images only built
// locally are not pulled.
func TestPull(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  remote:
    image: 127.0.0.1:1/berth-test/remote:1
  local:
    image: IMAGE
    pull_policy: never
  built:
    build: ./built
`)
	code, _, errOut := s.berth(nil, "pull")
	if code == 0 || !strings.Contains(errOut, `service "remote": could not pull image 127.0.0.1:1/berth-test/remote:1`) || !strings.Contains(errOut, "docker load") {
		t.Fatalf("pull from an unreachable registry: exit %d\n%s", code, errOut)
	}
	if strings.Contains(errOut, "built") || strings.Contains(errOut, "local |") {
		t.Fatalf("pull touched a built or pull_policy: never service:\n%s", errOut)
	}
	code, out, errOut := s.berth(nil, "pull", "--ignore-pull-failures")
	if code != 0 || !strings.Contains(out, "warning") {
		t.Fatalf("pull --ignore-pull-failures: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := s.berth(nil, "pull", "-q", "--ignore-pull-failures"); code != 0 || out != "" {
		t.Fatalf("pull -q --ignore-pull-failures: exit %d, printed %q\n%s", code, out, errOut)
	}
	code, _, errOut = s.berth(nil, "up", "-d", "--pull", "always", "remote")
	if code == 0 || !strings.Contains(errOut, "could not pull image 127.0.0.1:1/berth-test/remote:1") {
		t.Fatalf("up --pull always: exit %d\n%s", code, errOut)
	}
	if len(s.ps()) != 0 {
		t.Fatal("a failed pull started containers")
	}
	s.ok(nil, "up", "-d", "local") // pull_policy never: uses the local image
}

func TestBuildArgs(t *testing.T) {
	o := &buildOptions{globalOptions: &globalOptions{streams: Streams{Environ: []string{"FROM_ENV=e"}}},
		buildArgs: []string{"A=1", "FROM_ENV", "UNSET", "B=x=y"}}
	bo, err := o.engineOptions()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "1", "FROM_ENV": "e", "B": "x=y"}
	if len(bo.Args) != len(want) {
		t.Fatalf("args %v, want %v", bo.Args, want)
	}
	for k, v := range want {
		if bo.Args[k] != v {
			t.Fatalf("args %v, want %v", bo.Args, want)
		}
	}
	o.buildArgs = []string{"=v"}
	if _, err := o.engineOptions(); err == nil {
		t.Fatal("--build-arg =v accepted")
	}
}

// removeBuiltImages removes the project's containers, then every image a
// test built (their Dockerfiles set the label berth.test.gen), children
// before parents: an image is removed only once no remaining image names it
// as its parent, so the classic builder's intermediate images (created in
// the same second as their children) never block a removal. It runs as a
// cleanup, before the project cleanup that newStack registered.
func (s *stack) removeBuiltImages() {
	ctx := context.Background()
	cs, _ := s.docker.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", "com.docker.compose.project="+s.name))})
	for _, c := range cs {
		_ = s.docker.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
	}
	built, err := s.docker.ImageList(ctx, image.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", "berth.test.gen"))})
	if err != nil {
		s.t.Errorf("listing the images the test built: %v", err)
		return
	}
	left := map[string]string{} // image ID → parent ID
	for _, im := range built {
		left[im.ID] = im.ParentID
	}
	for len(left) > 0 {
		parents := map[string]bool{}
		for _, parent := range left {
			parents[parent] = true
		}
		var leaves []string
		for id := range left {
			if !parents[id] {
				leaves = append(leaves, id)
			}
		}
		if len(leaves) == 0 {
			s.t.Errorf("images the test built form a parent cycle: %v", left)
			return
		}
		sort.Strings(leaves)
		for _, id := range leaves {
			delete(left, id)
			if _, err := s.docker.ImageRemove(ctx, id, image.RemoveOptions{Force: true, PruneChildren: true}); err != nil && !strings.Contains(err.Error(), "No such image") {
				s.t.Errorf("removing image %s: %v", id, err)
			}
		}
	}
}

// TestBuildFlags checks berth build's flags on the engine: --build-arg, -q
// (nothing on standard output), --no-cache (no cached step), --pull (the
// builder asks the base image's registry — here 127.0.0.1:1, so the pull
// fails on loopback and the error names the image) and --parallel.
func TestBuildFlags(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	base := "127.0.0.1:1/berth-test/base:" + s.name
	if err := s.docker.ImageTag(ctx, s.image, base); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = s.docker.ImageRemove(ctx, base, image.RemoveOptions{}) })
	if err := os.MkdirAll(filepath.Join(s.dir, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	dockerfile := "FROM " + base + "\nARG GEN=1\nLABEL berth.test.gen=$GEN\nENV STEP=two\n"
	if err := os.WriteFile(filepath.Join(s.dir, "app", "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	s.write("services:\n  app:\n    build: ./app\n")
	t.Cleanup(s.removeBuiltImages)

	if out := s.ok(nil, "build", "-q", "--build-arg", "GEN=7", "app"); out != "" {
		t.Fatalf("build -q printed %q", out)
	}
	ins, err := s.docker.ImageInspect(ctx, s.name+"-app")
	if err != nil || ins.Config.Labels["berth.test.gen"] != "7" {
		t.Fatalf("--build-arg GEN=7 did not reach the build: %v %v", err, ins.Config)
	}
	out := s.ok(nil, "--parallel", "1", "build", "--build-arg", "GEN=7", "app")
	if !strings.Contains(out, "Using cache") {
		t.Fatalf("a second identical build used no cache:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(line, "app | ") {
			t.Fatalf("build output line %q is not prefixed with its service:\n%s", line, out)
		}
	}
	if out := s.ok(nil, "build", "--no-cache", "--build-arg", "GEN=7", "app"); strings.Contains(out, "Using cache") {
		t.Fatalf("build --no-cache used the cache:\n%s", out)
	}
	code, out, errOut := s.berth(nil, "build", "--pull", "app")
	if code == 0 || !strings.Contains(out+errOut, "127.0.0.1:1/berth-test/base") {
		t.Fatalf("build --pull did not try the base image's registry: exit %d\n%s%s", code, out, errOut)
	}
}
