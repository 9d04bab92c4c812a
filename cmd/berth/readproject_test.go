package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnknownServiceBeforeTheEngine: every command about a project's
// services says which service is unknown, and which there are, with exit
// 1, before it connects to the engine (here, an engine that is not there).
func TestUnknownServiceBeforeTheEngine(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-engine.sock"))
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  a: {image: a}\n  b: {image: b}\n"})
	const want = `no such service: "x" (services: a, b)`
	for _, args := range [][]string{
		{"logs", "x"}, {"top", "x"}, {"stats", "--no-stream", "x"}, {"events", "x"},
		{"exec", "-T", "x", "true"}, {"attach", "x"}, {"wait", "x"},
		{"cp", "x:/a", "b"}, {"export", "-o", "fs.tar", "x"}, {"commit", "x"}, {"port", "x", "80"},
		{"push", "x"}, {"pull", "x"}, {"build", "x"}, {"ps", "x"},
	} {
		code, out, errOut := run(t, dir, nil, args...)
		if code != 1 || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("berth %s: exit %d, %q, %q; want exit 1 saying %s", strings.Join(args, " "), code, out, errOut, want)
		}
	}
}

// TestIndexFlag: --index, wherever it is, is a container number when
// given (else exit 2); commands check it before anything else.
func TestIndexFlag(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"exec", "--index", "0", "a", "true"}, {"attach", "--index", "-1", "a"},
		{"cp", "--index", "0", "a:/x", "y"}, {"export", "--index", "-2", "-o", "f", "a"},
		{"commit", "--index", "0", "a"}, {"logs", "--index", "-1", "a"}, {"port", "--index", "0", "a", "80"},
	} {
		code, _, errOut := run(t, dir, nil, args...)
		if code != 2 || !strings.Contains(errOut, "containers are numbered from 1") {
			t.Errorf("berth %s: exit %d, %q; want exit 2 saying containers are numbered from 1", strings.Join(args, " "), code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "f")); err == nil {
		t.Error("export with a bad --index wrote its output")
	}
}

// TestCommandsByProjectName runs the commands about a project's containers
// from a directory without a compose file, the project named by -p alone,
// as Compose allows.
func TestCommandsByProjectName(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  app:
    image: IMAGE
  logger:
    image: IMAGE
    command: ["args", "hello-by-name"]
`)
	s.ok(nil, "up", "-d", "--wait", "app")
	s.ok(nil, "up", "logger")
	empty := t.TempDir()
	byName := func(args ...string) string {
		t.Helper()
		code, out, errOut := s.berthAt(empty, nil, nil, args...)
		if code != 0 {
			t.Fatalf("berth -p NAME %s without a compose file: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}

	if out := byName("logs", "--no-log-prefix", "logger"); out != "hello-by-name\n" {
		t.Errorf("logs logger = %q", out)
	}
	if out := byName("logs"); !strings.Contains(out, "logger-1  | hello-by-name\n") {
		t.Errorf("logs = %q, want every service's lines", out)
	}
	if out := byName("exec", "-T", "app", "/app", "args", "by", "name"); out != "by name\n" {
		t.Errorf("exec = %q", out)
	}
	byName("exec", "-T", "app", "/app", "write", "/in.txt", "from the container")
	byName("cp", "app:/in.txt", "out.txt")
	if b, err := os.ReadFile(filepath.Join(empty, "out.txt")); err != nil || string(b) != "from the container" {
		t.Errorf("cp out of app: %q, %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(empty, "host.txt"), []byte("from the host"), 0o644); err != nil {
		t.Fatal(err)
	}
	byName("cp", "host.txt", "app:/host.txt")
	if out := byName("exec", "-T", "app", "/app", "cat", "/host.txt"); out != "from the host" {
		t.Errorf("cp into app: the container has %q", out)
	}
	if out := byName("stats", "--no-stream", "--format", "{{.Name}}", "app"); out != s.container("app", 1)+"\n" {
		t.Errorf("stats app = %q", out)
	}
	if out := byName("top", "app"); !strings.Contains(out, "/app") {
		t.Errorf("top app = %q, want the container's process", out)
	}
	byName("export", "-o", "fs.tar", "app")
	if st, err := os.Stat(filepath.Join(empty, "fs.tar")); err != nil || st.Size() == 0 {
		t.Errorf("export -o fs.tar app: %v", err)
	}

	// the services are not checked: the engine says what it does not have
	code, _, errOut := s.berthAt(empty, nil, nil, "exec", "-T", "nope", "/app", "args")
	if code != 1 || !strings.Contains(errOut, `service "nope" has no running container`) {
		t.Errorf("exec nope by name: exit %d\n%s", code, errOut)
	}
	code, _, errOut = s.berthAt(empty, nil, nil, "wait", "--down-project", "app")
	if code != 1 || !strings.Contains(errOut, "--down-project needs project") {
		t.Errorf("wait --down-project by name: exit %d\n%s", code, errOut)
	}
	s.ok(nil, "down")
}
