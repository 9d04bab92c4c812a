package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestUpAttached: attached `up` shows every service's output, both
// streams, prefixed with the container's name, and exits 0 once every
// container has exited on its own.
func TestUpAttached(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  out:
    image: IMAGE
    command: ["unhealthy"]
  err:
    image: IMAGE
    command: ["no-such-command"]
`)
	code, out, errOut := s.berth(nil, "up")
	if code != 0 {
		t.Fatalf("up: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		logPrefix("out", 1) + "  | database is on fire\n",
		logPrefix("err", 1) + "  | unknown command no-such-command\n",
		logPrefix("out", 1) + " exited with code 1\n",
		logPrefix("err", 1) + " exited with code 2\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	t.Run("--no-attach", func(t *testing.T) {
		code, out, errOut := s.berth(nil, "up", "--force-recreate", "--no-attach", "err")
		if code != 0 || strings.Contains(out, s.container("err", 1)) || !strings.Contains(out, "database is on fire") {
			t.Fatalf("up --no-attach err: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
	})
}

// abortCompose has a job that fails at once and a server that runs until
// stopped (and exits 0 on SIGTERM). The server has a restart policy so that
// the planner does not take it, stopped with code 0, for a completed
// one-shot, and a later `up` starts it again.
const abortCompose = `
services:
  job:
    image: IMAGE
    command: ["exit", "3"]
  server:
    image: IMAGE
    command: ["sleep"]
    # docker-init as PID 1: a SIGTERM that arrives before the program has
    # installed its handler still ends it (PID 1 ignores unhandled signals)
    init: true
    restart: unless-stopped
`

func TestUpAbortOnContainerExit(t *testing.T) {
	s := newStack(t)
	s.write(abortCompose)
	code, out, errOut := s.berth(nil, "up", "--abort-on-container-exit")
	if code != 3 {
		t.Fatalf("up --abort-on-container-exit: exit %d, want 3\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "Aborting on container exit...") {
		t.Errorf("stderr:\n%s", errOut)
	}
	if got := s.ps()[s.container("server", 1)]; got.State != "exited" {
		t.Fatalf("server after abort: %+v", got)
	}

	t.Run("--exit-code-from", func(t *testing.T) {
		// the job exits 3 first; the server, stopped, exits 0
		code, out, errOut := s.berth(nil, "up", "--exit-code-from", "server")
		if code != 0 {
			t.Fatalf("up --exit-code-from server: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		if !strings.Contains(out, logPrefix("server", 1)+" exited with code 0") {
			t.Errorf("stdout:\n%s", out)
		}
		code, _, errOut = s.berth(nil, "up", "--exit-code-from", "job")
		if code != 3 {
			t.Fatalf("up --exit-code-from job: exit %d, want 3\nstderr:\n%s", code, errOut)
		}
	})

	t.Run("usage errors", func(t *testing.T) {
		for _, args := range [][]string{
			{"up", "-d", "--abort-on-container-exit"},
			{"up", "-d", "--exit-code-from", "job"},
			{"up", "--wait", "--exit-code-from", "job"},
			{"up", "--exit-code-from", "nope"},
			{"up", "--attach", "nope"},
		} {
			if code, _, errOut := s.berth(nil, args...); code != 2 {
				t.Errorf("berth %s: exit %d, want 2\n%s", strings.Join(args, " "), code, errOut)
			}
		}
	})
}

// lockedBuffer is a bytes.Buffer a test can read while a process writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// start runs berth in the background; wait returns its exit code.
func (s *stack) start(args ...string) (cmd *exec.Cmd, stdout, stderr *lockedBuffer, wait func() int) {
	s.t.Helper()
	return s.startWith(nil, args...)
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestUpAttachedInterrupt: Ctrl-C stops the project's containers, without
// removing them, and exits 130; a following `up -d` only starts them again
// (the servers exit 0 when stopped, yet are not taken for finished jobs).
func TestUpAttachedInterrupt(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  db:
    image: IMAGE
  server:
    image: IMAGE
    depends_on: [db]
`)
	cmd, _, stderr, wait := s.start("up")
	server := s.container("server", 1)
	eventually(t, "the server to run", func() bool { return s.ps()[server].State == "running" })
	before := s.ps()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := wait(); code != 130 {
		t.Fatalf("up after Ctrl-C: exit %d, want 130\nstderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr.String(), "Gracefully stopping... (press Ctrl+C again to force)") {
		t.Errorf("stderr:\n%s", stderr)
	}
	after := s.ps()
	for _, name := range []string{server, s.container("db", 1)} {
		if got := after[name]; got.State != "exited" || got.ID != before[name].ID {
			t.Errorf("%s after Ctrl-C: %+v", name, got)
		}
	}

	code, _, errOut := s.berth(nil, "up", "-d")
	if code != 0 || strings.Contains(errOut, "Created") || strings.Contains(errOut, "Removed") || !strings.Contains(errOut, "Started") {
		t.Fatalf("up -d after Ctrl-C: exit %d\n%s", code, errOut)
	}
	for name, row := range s.ps() {
		if row.State != "running" || row.ID != before[name].ID {
			t.Errorf("%s after up -d: %+v", name, row)
		}
	}
}

// TestUpAttachedSecondInterrupt: a second Ctrl-C kills a container that
// ignores its stop signal, instead of waiting out its grace period.
func TestUpAttachedSecondInterrupt(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  stubborn:
    image: IMAGE
    command: ["sleep"]
    stop_signal: SIGUSR1
    stop_grace_period: 2m
`)
	cmd, _, stderr, wait := s.start("up")
	ctr := s.container("stubborn", 1)
	eventually(t, "the container to run", func() bool { return s.ps()[ctr].State == "running" })
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the graceful stop", func() bool { return strings.Contains(stderr.String(), "Gracefully stopping") })
	began := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := wait(); code != 130 {
		t.Fatalf("exit %d, want 130\nstderr:\n%s", code, stderr)
	}
	if took := time.Since(began); took > 30*time.Second {
		t.Fatalf("the second Ctrl-C took %s", took)
	}
	if got := s.ps()[ctr]; got.State != "exited" {
		t.Fatalf("%s: %+v", ctr, got)
	}
}
