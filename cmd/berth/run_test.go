package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/volume"
)

// oneOffCompose has a server with a healthcheck and a published port, and an
// app that waits for it and has an anonymous volume.
const oneOffCompose = `
services:
  db:
    image: IMAGE
    healthcheck:
      test: ["CMD", "/app", "health"]
      interval: 1s
      retries: 30
  app:
    image: IMAGE
    command: ["exit", "0"]
    environment: {FROM_FILE: "yes"}
    ports: ["127.0.0.1::8080"]
    volumes: [/scratch]
    init: true
    depends_on:
      db: {condition: service_healthy}
`

// oneOffs lists the project's one-off containers on the engine.
func (s *stack) oneOffs() []container.Summary {
	s.t.Helper()
	return s.containers(filters.Arg("label", "com.docker.compose.oneoff=True"))
}

// containerAnonVolumes are the anonymous volumes a container mounts.
func (s *stack) containerAnonVolumes(id string) []string {
	s.t.Helper()
	var out []string
	for _, m := range s.inspect(id).Mounts {
		if m.Type == "volume" && len(m.Name) == 64 {
			out = append(out, m.Name)
		}
	}
	return out
}

// volumeGone reports whether the engine no longer has volume name.
func (s *stack) volumeGone(name string) bool {
	vs, err := s.docker.VolumeList(context.Background(), volume.ListOptions{Filters: filters.NewArgs(filters.Arg("name", name))})
	if err != nil {
		s.t.Fatal(err)
	}
	return len(vs.Volumes) == 0
}

// oneOffVolumes are the volumes the project's one-off containers mounted
// since then, as the engine's events tell (the containers may be gone).
func (s *stack) oneOffVolumes(since time.Time) []string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	until := strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10)
	opts := events.ListOptions{Since: strconv.FormatInt(since.Unix(), 10), Until: until, Filters: filters.NewArgs(
		filters.Arg("type", "container"), filters.Arg("event", "create"),
		filters.Arg("label", "com.docker.compose.project="+s.name), filters.Arg("label", "com.docker.compose.oneoff=True"))}
	ids := map[string]bool{}
	for _, m := range s.events(ctx, opts) {
		ids[m.Actor.ID] = true
	}
	opts.Filters = filters.NewArgs(filters.Arg("type", "volume"), filters.Arg("event", "mount"))
	var out []string
	for _, m := range s.events(ctx, opts) {
		if ids[m.Actor.Attributes["container"]] && len(m.Actor.ID) == 64 && !slices.Contains(out, m.Actor.ID) {
			out = append(out, m.Actor.ID)
		}
	}
	return out
}

// events reads the engine's past events that opts (with Until) select.
func (s *stack) events(ctx context.Context, opts events.ListOptions) []events.Message {
	s.t.Helper()
	msgs, errs := s.docker.Events(ctx, opts)
	var out []events.Message
	for {
		select {
		case m := <-msgs:
			out = append(out, m)
		case err := <-errs:
			if err != nil && err != io.EOF {
				s.t.Fatalf("reading engine events: %v", err)
			}
			return out
		}
	}
}

var oneOffName = regexp.MustCompile(`^(.+)-app-run-[0-9a-f]{12}$`)

// TestRunExitCodeAndRemove: attached, Berth exits with the container's
// code; --rm leaves no container and no anonymous volume; the one-off
// container is Compose's (name, labels); dependencies come up first.
func TestRunExitCodeAndRemove(t *testing.T) {
	s := newStack(t)
	s.write(oneOffCompose)

	since := time.Now().Add(-time.Second)
	code, out, errOut := s.berth(nil, "run", "--rm", "app", "exit", "3")
	if code != 3 {
		t.Fatalf("run --rm app exit 3: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	vols := s.oneOffVolumes(since)
	if len(vols) != 1 {
		t.Fatalf("the one-off container mounted anonymous volumes %v, want the one of /scratch", vols)
	}
	if !s.volumeGone(vols[0]) {
		t.Fatalf("--rm left the anonymous volume %s", vols[0])
	}
	if got := s.ps()[s.container("db", 1)]; got.State != "running" || got.Health != "healthy" {
		t.Fatalf("the dependency db after run: %+v", got)
	}
	if _, ok := s.ps()[s.container("app", 1)]; ok {
		t.Fatal("run created the service's own container")
	}
	if left := s.oneOffs(); len(left) != 0 {
		t.Fatalf("--rm left %s", left[0].Names)
	}

	t.Run("output and arguments", func(t *testing.T) {
		code, out, errOut := s.berth(nil, "run", "--rm", "-T", "app", "args", "one", "--two")
		if code != 0 || out != "one --two\n" {
			t.Fatalf("run app args one --two: exit %d, stdout %q\nstderr:\n%s", code, out, errOut)
		}
	})

	t.Run("without --rm the container stays, named and labelled as Compose does", func(t *testing.T) {
		s.ok(nil, "run", "app", "exit", "0")
		left := s.oneOffs()
		if len(left) != 1 {
			t.Fatalf("%d one-off containers, want 1", len(left))
		}
		c := left[0]
		if name := strings.TrimPrefix(c.Names[0], "/"); !oneOffName.MatchString(name) || !strings.HasPrefix(name, s.name+"-") {
			t.Fatalf("one-off container named %q", name)
		}
		l := c.Labels
		if l["com.docker.compose.service"] != "app" || len(l["com.docker.compose.slug"]) != 64 || l["com.docker.compose.container-number"] != "" || l["com.docker.compose.config-hash"] == "" {
			t.Fatalf("labels: %v", l)
		}
		if !strings.HasSuffix(strings.TrimPrefix(c.Names[0], "/"), l["com.docker.compose.slug"][:12]) {
			t.Fatalf("name %s does not end with the slug's first 12 digits %s", c.Names[0], l["com.docker.compose.slug"])
		}
		if ins := s.inspect(c.ID); ins.HostConfig.RestartPolicy.Name != "" && ins.HostConfig.RestartPolicy.Name != "no" {
			t.Fatalf("restart policy %q", ins.HostConfig.RestartPolicy.Name)
		}

		// up and plan leave it alone, --remove-orphans too; down removes it
		if out := s.ok(nil, "plan", "db"); out != "No changes.\n" {
			t.Fatalf("plan with a one-off container:\n%s", out)
		}
		s.ok(nil, "up", "-d", "--remove-orphans", "db")
		if len(s.oneOffs()) != 1 {
			t.Fatal("up --remove-orphans removed the one-off container")
		}
		vols := s.containerAnonVolumes(c.ID)
		s.ok(nil, "down", "-v")
		if left := s.oneOffs(); len(left) != 0 {
			t.Fatalf("down left the one-off container %s", left[0].Names)
		}
		for _, v := range vols {
			if !s.volumeGone(v) {
				t.Errorf("down -v left the one-off container's anonymous volume %s", v)
			}
		}
	})
}

// TestRunInterrupted: Ctrl-C while the container runs is passed to it, as
// Compose passes it: Berth exits with the container's own code once it has
// exited, and --rm leaves neither it nor its anonymous volume.
func TestRunInterrupted(t *testing.T) {
	s := newStack(t)
	s.write(oneOffCompose)
	in, out, stderr, cmd, wait := s.startIn("run", "--rm", "--no-deps", "app", "echo")
	defer in.Close()
	say(t, in, "ping\n")
	eventually(t, "the container's answer", func() bool { return strings.Contains(out.String(), "ping\n") })
	cs := s.oneOffs()
	if len(cs) != 1 || cs[0].State != "running" {
		t.Fatalf("one-off containers %v, want one running", cs)
	}
	vols := s.containerAnonVolumes(cs[0].ID)
	if len(vols) != 1 {
		t.Fatalf("anonymous volumes %v, want the one of /scratch", vols)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, "run", wait); code != 0 {
		t.Fatalf("run after Ctrl-C: exit %d, want the container's 0\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	if !strings.Contains(out.String(), "got signal interrupt") || !strings.Contains(stderr.String(), "SIGINT passed to "+strings.TrimPrefix(cs[0].Names[0], "/")) {
		t.Errorf("the container was not told of the Ctrl-C\nstdout:\n%s\nstderr:\n%s", out, stderr)
	}
	if left := s.oneOffs(); len(left) != 0 {
		t.Fatalf("Ctrl-C left %s", left[0].Names)
	}
	if !s.volumeGone(vols[0]) {
		t.Fatalf("Ctrl-C left the anonymous volume %s", vols[0])
	}
	if _, ok := s.ps()[s.container("db", 1)]; ok {
		t.Fatal("--no-deps started the dependency")
	}
}

// TestRunInterruptedBeforeStart: Ctrl-C while the dependencies come up
// stops there: no one-off container is left, and Berth exits 130.
func TestRunInterruptedBeforeStart(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  sick:
    image: IMAGE
    command: ["sleep"]
    healthcheck: {test: ["CMD", "/app", "unhealthy"], interval: 1s, retries: 1000}
  app:
    image: IMAGE
    depends_on:
      sick: {condition: service_healthy}
`)
	cmd, _, stderr, wait := s.start("run", "--rm", "app", "exit", "0")
	eventually(t, "the dependency to run", func() bool { return s.ps()[s.container("sick", 1)].State == "running" })
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, "run", wait); code != 130 {
		t.Fatalf("run after Ctrl-C while its dependency came up: exit %d, want 130\nstderr:\n%s", code, stderr)
	}
	if left := s.oneOffs(); len(left) != 0 {
		t.Fatalf("Ctrl-C left %s", left[0].Names)
	}
}

// TestRunOverrides: -e, --entrypoint, -w, -u, --name, -l and -d.
func TestRunOverrides(t *testing.T) {
	s := newStack(t)
	s.write(oneOffCompose)
	run := func(args ...string) string {
		t.Helper()
		return s.ok([]string{"FROM_HOST=host"}, append([]string{"run", "--rm", "--no-deps"}, args...)...)
	}
	if out := run("-e", "A=1", "-e", "FROM_HOST", "app", "env", "A"); out != "1\n" {
		t.Errorf("-e A=1: %q", out)
	}
	if out := run("-e", "FROM_HOST", "app", "env", "FROM_HOST"); out != "host\n" {
		t.Errorf("-e FROM_HOST: %q", out)
	}
	if out := run("app", "env", "FROM_FILE"); out != "yes\n" {
		t.Errorf("the service's environment: %q", out)
	}
	if out := run("--entrypoint", "/app args", "app"); out != "\n" {
		t.Errorf("--entrypoint without a command clears the command: %q", out)
	}
	if out := run("--entrypoint", "/app args", "app", "x", "y"); out != "x y\n" {
		t.Errorf("--entrypoint with a command: %q", out)
	}
	if out := run("-w", "/work/dir", "app", "pwd"); out != "/work/dir\n" {
		t.Errorf("-w: %q", out)
	}
	if out := run("-u", "1234:5678", "app", "id"); out != "1234:5678\n" {
		t.Errorf("-u: %q", out)
	}

	name := s.name + "-named"
	out := s.ok(nil, "run", "-d", "--no-deps", "--name", name, "-l", "team=blue", "app", "sleep")
	ins := s.inspect(name)
	if out != ins.ID+"\n" {
		t.Fatalf("run -d --name printed %q, want the container's ID %s", out, ins.ID)
	}
	if !ins.State.Running || ins.Config.Labels["team"] != "blue" || ins.Config.Labels["com.docker.compose.oneoff"] != "True" {
		t.Fatalf("run -d --name -l: running %v, labels %v", ins.State.Running, ins.Config.Labels)
	}
	aliases := func(name string) []string {
		var out []string
		for _, ep := range s.inspect(name).NetworkSettings.Networks {
			out = append(out, ep.Aliases...)
		}
		return out
	}
	if got := aliases(name); slices.Contains(got, "app") {
		t.Errorf("a one-off container has the service's alias without --use-aliases: %v", got)
	}
	// --rm -d: the engine removes it when it exits, down included
	out = s.ok(nil, "run", "-d", "--rm", "--no-deps", "--use-aliases", "--cap-add", "NET_ADMIN", "app", "sleep")
	id := strings.TrimSpace(out)
	name = strings.TrimPrefix(s.inspect(id).Name, "/")
	if len(id) != 64 || !oneOffName.MatchString(name) {
		t.Fatalf("run -d printed %q, want the ID of a container named as Compose names it (it is %q)", out, name)
	}
	if ins := s.inspect(name); !ins.HostConfig.AutoRemove || !slices.Contains(ins.HostConfig.CapAdd, "CAP_NET_ADMIN") && !slices.Contains(ins.HostConfig.CapAdd, "NET_ADMIN") || !slices.Contains(aliases(name), "app") {
		t.Fatalf("run -d --rm --use-aliases --cap-add NET_ADMIN: auto-remove %v, cap_add %v, aliases %v", ins.HostConfig.AutoRemove, ins.HostConfig.CapAdd, aliases(name))
	}
	// with no numbered container of app running, exec reaches the one-off
	// container, as Compose's does
	if out := s.ok(nil, "exec", "-T", "app", "/app", "env", "HOSTNAME"); out != id[:12]+"\n" {
		t.Fatalf("exec into the service with only a one-off container running: %q, want its hostname %s", out, id[:12])
	}
	s.ok(nil, "down")
	if left := s.oneOffs(); len(left) != 0 {
		t.Fatalf("down left %s", left[0].Names)
	}
}

// TestRunPorts: the service's ports are published only with
// --service-ports; -p publishes others.
func TestRunPorts(t *testing.T) {
	s := newStack(t)
	s.write(oneOffCompose)
	run := func(args ...string) container.InspectResponse {
		t.Helper()
		id := strings.TrimSpace(s.ok(nil, append([]string{"run", "-d", "--no-deps"}, append(args, "app", "serve")...)...))
		return s.inspect(id)
	}
	if got := run().HostConfig.PortBindings; len(got) != 0 {
		t.Errorf("run without --service-ports publishes %v", got)
	}
	if got := run("-p", "127.0.0.1::8080", "-p", "127.0.0.1::9090").HostConfig.PortBindings; len(got) != 2 {
		t.Errorf("run -p -p publishes %v, want 2 ports", got)
	}
	ins := run("--service-ports")
	if got := ins.HostConfig.PortBindings; len(got) != 1 {
		t.Fatalf("run --service-ports publishes %v, want the service's port", got)
	}
	var url string
	eventually(t, "the published port", func() bool {
		ins = s.inspect(ins.ID)
		if b := ins.NetworkSettings.Ports["8080/tcp"]; len(b) > 0 && b[0].HostPort != "" {
			url = "http://127.0.0.1:" + b[0].HostPort + "/"
			return true
		}
		return false
	})
	c := http.Client{Timeout: 2 * time.Second}
	eventually(t, "the one-off server to answer on "+url, func() bool {
		resp, err := c.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// TestRunBadInput: mistakes are named, exit 1 or 2, and create nothing.
func TestRunBadInput(t *testing.T) {
	s := newStack(t)
	s.write(oneOffCompose)
	s.refuse(t, []badInput{
		{[]string{"run", "nope"}, 1, "nope"},
		{[]string{"run", "-e", "=x", "app"}, 2, `"=x"`},
		{[]string{"run", "-p", "notaport", "app"}, 2, "notaport"},
		{[]string{"run", "-v", "undeclared:/data", "app"}, 2, "undeclared"},
		{[]string{"run", "-v", ":", "app"}, 2, "--volume"},
		{[]string{"run", "-l", "novalue", "app"}, 2, "novalue"},
		{[]string{"run", "-P", "-p", "8080", "app"}, 2, "--service-ports"},
		{[]string{"run", "-T", "-t", "app"}, 2, "--tty"},
		{[]string{"run", "--pull", "sometimes", "app"}, 2, "sometimes"},
		{[]string{"run", "-v", "/x:relative", "app"}, 2, "absolute"},
		{[]string{"run"}, 2, "SERVICE"},
	})
	if ps := s.ps(); len(ps) != 0 {
		t.Fatalf("bad input created %v", ps)
	}
	if left := s.oneOffs(); len(left) != 0 {
		t.Fatalf("bad input created %s", left[0].Names)
	}
}

// TestRunStdin: the container's input is Berth's (-i is on by default).
func TestRunStdin(t *testing.T) {
	s := newStack(t)
	s.write(oneOffCompose)
	code, out, _ := s.berthIn(strings.NewReader("line one\nline two\n"), nil, "run", "--rm", "--no-deps", "-T", "app", "stdin")
	if code != 0 || out != "line one\nline two\n" {
		t.Fatalf("run app stdin: exit %d, stdout %q", code, out)
	}
	code, out, _ = s.berthIn(strings.NewReader("not read\n"), nil, "run", "--rm", "--no-deps", "-i=false", "app", "stdin")
	if code != 0 || len(out) != 0 {
		t.Fatalf("run -i=false app stdin: exit %d, stdout %q", code, out)
	}
}

// TestRunBuild: the service's image is built when it is missing (or with
// --build) before its one-off container is created.
func TestRunBuild(t *testing.T) {
	s := newStack(t)
	if err := os.MkdirAll(filepath.Join(s.dir, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "app", "Dockerfile"), []byte("FROM "+s.image+"\nLABEL berth.test.gen=1\nENV BUILT=yes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.write("services:\n  app:\n    build: ./app\n")
	t.Cleanup(s.removeBuiltImages)
	if out := s.ok(nil, "run", "--rm", "app", "env", "BUILT"); out != "yes\n" {
		t.Fatalf("run of a service whose image is missing: %q", out)
	}
	code, out, errOut := s.berth(nil, "--progress", "plain", "run", "--rm", "--build", "app", "env", "BUILT")
	if code != 0 || out != "yes\n" || !strings.Contains(errOut, "--build") {
		t.Fatalf("run --build: exit %d, stdout %q\nstderr:\n%s", code, out, errOut)
	}
}

// TestRunInterruptedTwice: when the container does not exit on the
// Ctrl-C passed to it, a second Ctrl-C stops it and a third kills it,
// instead of waiting out its stop grace period; --rm removes it.
func TestRunInterruptedTwice(t *testing.T) {
	s := newStack(t)
	// stdin copies its input and ignores SIGINT and SIGTERM; as PID 1 it
	// ignores SIGUSR1
	s.write(`
services:
  stubborn:
    image: IMAGE
    command: ["stdin"]
    stop_signal: SIGUSR1
    stop_grace_period: 90s
`)
	in, _, stderr, cmd, wait := s.startIn("run", "--rm", "stubborn")
	defer in.Close()
	eventually(t, "the one-off container to run", func() bool {
		cs := s.oneOffs()
		return len(cs) == 1 && cs[0].State == "running"
	})
	start := time.Now()
	for _, step := range []string{"SIGINT passed to", "stopping", "killing"} {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		eventually(t, "Berth to say "+step, func() bool { return strings.Contains(stderr.String(), step) })
	}
	if code := waitExit(t, "run", wait); code != 130 {
		t.Fatalf("run after three Ctrl-C: exit %d, want 130\nstderr:\n%s", code, stderr)
	}
	if d := time.Since(start); d > 45*time.Second {
		t.Fatalf("the third Ctrl-C did not kill the container: Berth took %s", d)
	}
	if !strings.Contains(stderr.String(), "killed and removed") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if left := s.oneOffs(); len(left) != 0 {
		t.Fatalf("three Ctrl-C left %s", left[0].Names)
	}
}

// TestRunTerminal: on a terminal the one-off container gets a TTY of the
// terminal's size (-T: none), keys typed reach it through the raw local
// terminal, and Berth exits with its exit code.
func TestRunTerminal(t *testing.T) {
	s := newStack(t)
	s.write(oneOffCompose)
	code, screen := s.berthPTY(33, 101, "run", "--rm", "--no-deps", "app", "tty")
	if code != 0 || !strings.Contains(screen, "tty 33x101") {
		t.Errorf("under a 33x101 terminal: exit %d, screen %q, want a TTY of that size", code, screen)
	}
	code, screen = s.berthPTY(33, 101, "run", "--rm", "--no-deps", "-T", "app", "tty")
	if code != 0 || !strings.Contains(screen, "no tty") {
		t.Errorf("-T under a terminal: exit %d, screen %q, want no TTY", code, screen)
	}
	ptmx, out, wait := s.startPTY(24, 80, "run", "--rm", "--no-deps", "app", "echo")
	say(t, ptmx, "hello\r")
	eventually(t, "the container's answer", func() bool { return strings.Count(out.String(), "hello") >= 2 }) // echoed, then printed
	say(t, ptmx, "exit 6\r")
	if code := waitExit(t, "run", wait); code != 6 {
		t.Fatalf("run on a terminal: exit %d, want the container's 6\n%q", code, out)
	}

	// -d keeps the TTY, as Compose does, for a later attach
	code, screen = s.berthPTY(24, 80, "run", "-d", "--rm", "--no-deps", "app", "sleep")
	id := regexp.MustCompile(`[0-9a-f]{64}`).FindString(screen)
	if code != 0 || id == "" {
		t.Fatalf("run -d on a terminal: exit %d, screen %q, want the container's ID", code, screen)
	}
	if ins := s.inspect(id); !ins.Config.Tty {
		t.Errorf("run -d on a terminal created %s without a TTY", ins.Name)
	}
}
