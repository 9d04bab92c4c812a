package docker

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/enginetest"
)

// recordingSink collects what Follow reports.
type recordingSink struct {
	mu    sync.Mutex
	lines []string // "name stream line"
	exits chan engine.ContainerExit
}

func (s *recordingSink) Line(src engine.LogSource, stream engine.Stream, line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := map[engine.Stream]string{engine.Stdout: "stdout", engine.Stderr: "stderr"}[stream]
	s.lines = append(s.lines, src.Name+" "+src.Service+" "+name+" "+line)
}

func (s *recordingSink) Exit(e engine.ContainerExit) { s.exits <- e }

func TestLineWriter(t *testing.T) {
	var got []string
	w := &lineWriter{emit: func(l string) { got = append(got, l) }}
	for _, chunk := range []string{"one\r\ntw", "o\n", "", "\nthree"} {
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	w.flush()
	if want := []string{"one", "two", "", "three"}; !slices.Equal(got, want) {
		t.Fatalf("lines = %q, want %q", got, want)
	}
}

// TestFollow runs containers that print a line and exit, one started
// before Follow and one after, next to one that runs until stopped, and
// checks both streams, the names and the exit codes.
func TestFollow(t *testing.T) {
	c := connect(t)
	docker := enginetest.Docker(t)
	image := enginetest.Image(t, docker)
	projectName := enginetest.ProjectName(t)
	enginetest.CleanupProject(t, docker, projectName)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	since, err := c.EngineTime(ctx)
	if err != nil {
		t.Fatal(err)
	}
	run := func(service string, cmd ...string) string {
		t.Helper()
		name := projectName + "-" + service + "-1"
		_, err := docker.ContainerCreate(ctx, &container.Config{
			Image: image, Cmd: cmd,
			Labels: map[string]string{LabelProject: projectName, LabelService: service, LabelNumber: "1", LabelOneOff: "False"},
		}, nil, nil, nil, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := docker.ContainerStart(ctx, name, container.StartOptions{}); err != nil {
			t.Fatal(err)
		}
		return name
	}
	sleeper := run("sleeper", "sleep")
	out := run("out", "unhealthy") // prints on stdout, exits 1
	var errName string

	sink := &recordingSink{exits: make(chan engine.ContainerExit)}
	done := make(chan error, 1)
	go func() { done <- c.Follow(ctx, projectName, engine.FollowOptions{Since: since}, sink) }()

	exits := map[string]engine.ContainerExit{}
	for len(exits) < 3 {
		select {
		case e := <-sink.exits:
			exits[e.Name] = e
			switch e.Name {
			case out:
				// started after Follow: picked up through the start event
				errName = run("err", "no-such-command") // prints on stderr, exits 2
			case errName:
				stopContainer(t, docker, sleeper)
			}
		case err := <-done:
			t.Fatalf("Follow returned %v before every container exited; exits: %+v", err, exits)
		case <-ctx.Done():
			t.Fatalf("timed out; exits so far: %+v", exits)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("Follow: %v", err)
	}
	for name, want := range map[string]int{out: 1, errName: 2, sleeper: 0} {
		if e := exits[name]; e.ExitCode != want || e.Restarting {
			t.Errorf("exit of %s = %+v, want code %d", name, e, want)
		}
	}
	if e := exits[out]; e.Service != "out" || e.ID == "" {
		t.Errorf("exit source = %+v", e.LogSource)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	for _, want := range []string{
		out + " out stdout database is on fire",
		errName + " err stderr unknown command no-such-command",
	} {
		if !slices.Contains(sink.lines, want) {
			t.Errorf("no line %q in:\n%s", want, strings.Join(sink.lines, "\n"))
		}
	}
	if len(sink.lines) != 2 {
		t.Errorf("lines:\n%s", strings.Join(sink.lines, "\n"))
	}
}

// TestFollowNothingRunning: with nothing to follow, Follow returns at once.
func TestFollowNothingRunning(t *testing.T) {
	c := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sink := &recordingSink{exits: make(chan engine.ContainerExit)}
	if err := c.Follow(ctx, enginetest.ProjectName(t), engine.FollowOptions{}, sink); err != nil {
		t.Fatal(err)
	}
}

func stopContainer(t *testing.T, docker *client.Client, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := docker.ContainerStop(ctx, name, container.StopOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestSplitTimestamp(t *testing.T) {
	for _, c := range []struct {
		in, line string
		at       time.Time
	}{
		{"2024-05-01T10:00:00.123456789Z hello world", "hello world", time.Date(2024, 5, 1, 10, 0, 0, 123456789, time.UTC)},
		{"2024-05-01T10:00:00Z", "", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
		{"no time here", "no time here", time.Time{}},
		{"", "", time.Time{}},
	} {
		at, line := splitTimestamp(c.in)
		if line != c.line || !at.Equal(c.at) {
			t.Errorf("splitTimestamp(%q) = %v %q, want %v %q", c.in, at, line, c.at, c.line)
		}
	}
}
