package main

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
)

const execCompose = `
services:
  app:
    image: IMAGE
    command: [sleep]
    environment: {FROM_SERVICE: svc}
  pair:
    image: IMAGE
    command: [sleep]
    scale: 2
  idle:
    image: IMAGE
    command: [sleep]
`

// TestExec runs commands in running containers: exit codes pass through,
// standard input reaches the command, -e, -w, -u, --privileged, -d and
// --index act as in Compose, and a terminal gets a TTY of its size.
func TestExec(t *testing.T) {
	s := newStack(t)
	s.write(execCompose)
	s.ok(nil, "up", "-d")
	s.ok(nil, "stop", "idle")

	t.Run("exit code", func(t *testing.T) {
		code, out, errOut := s.berth(nil, "exec", "-T", "app", "/app", "exit", "3")
		if code != 3 {
			t.Fatalf("exit %d, want 3\n%s%s", code, out, errOut)
		}
		if errOut != "" {
			t.Errorf("a command's exit code is not an error of Berth's; stderr:\n%s", errOut)
		}
	})
	t.Run("stdin", func(t *testing.T) {
		code, out, errOut := s.berthIn(strings.NewReader("hello\nworld\n"), nil, "exec", "-T", "app", "/app", "cat", "/dev/stdin")
		if code != 0 || out != "hello\nworld\n" {
			t.Fatalf("exit %d, stdout %q, want the input back\n%s", code, out, errOut)
		}
	})
	t.Run("env", func(t *testing.T) {
		out := s.ok([]string{"FROM_HOST=host value"}, "exec", "-T", "-e", "GIVEN=a=b", "-e", "FROM_HOST", "-e", "UNSET_ANYWHERE", "app", "/app", "cat", "/proc/self/environ")
		vars := strings.Split(out, "\x00")
		for _, want := range []string{"GIVEN=a=b", "FROM_HOST=host value", "FROM_SERVICE=svc"} {
			if !contains(vars, want) {
				t.Errorf("the command's environment lacks %q: %q", want, vars)
			}
		}
		for _, v := range vars {
			if strings.HasPrefix(v, "UNSET_ANYWHERE") {
				t.Errorf("a variable set nowhere reached the command: %q", v)
			}
		}
	})
	t.Run("workdir", func(t *testing.T) {
		if out := s.ok(nil, "exec", "-T", "-w", "/proc", "app", "/app", "cat", "self/comm"); out != "app\n" {
			t.Errorf("-w /proc: reading self/comm gave %q, want the command's name", out)
		}
		if code, _, _ := s.berth(nil, "exec", "-T", "app", "/app", "cat", "self/comm"); code != 1 {
			t.Errorf("without -w the command runs in / and self/comm is missing: exit %d, want 1", code)
		}
	})
	t.Run("user and privileged", func(t *testing.T) {
		status := s.ok(nil, "exec", "-T", "-u", "1234:5678", "app", "/app", "cat", "/proc/self/status")
		if !regexp.MustCompile(`(?m)^Uid:\s+1234\s`).MatchString(status) || !regexp.MustCompile(`(?m)^Gid:\s+5678\s`).MatchString(status) {
			t.Errorf("-u 1234:5678: the command runs as\n%s", status)
		}
		capEff := regexp.MustCompile(`(?m)^CapEff:\s+(\w+)`)
		plain := capEff.FindStringSubmatch(s.ok(nil, "exec", "-T", "app", "/app", "cat", "/proc/self/status"))
		code, out, _ := s.berth(nil, "exec", "-T", "--privileged", "app", "/app", "cat", "/proc/self/status")
		switch priv := capEff.FindStringSubmatch(out); {
		case code == 0 && (plain == nil || priv == nil || plain[1] == priv[1]):
			t.Errorf("--privileged does not widen the capabilities: %v and %v", plain, priv)
		case code != 0 && !strings.Contains(out, "caps"):
			// a nested engine may be unable to grant every capability: it
			// then fails the privileged process, and only that one
			t.Errorf("--privileged: exit %d\n%s", code, out)
		}
	})
	t.Run("detach", func(t *testing.T) {
		if out := s.ok(nil, "exec", "-d", "app", "/app", "write", "/detached", "yes"); out != "" {
			t.Errorf("exec -d printed %q", out)
		}
		eventually(t, "the detached command's file", func() bool {
			code, out, _ := s.berth(nil, "exec", "-T", "app", "/app", "cat", "/detached")
			return code == 0 && out == "yes"
		})
	})
	t.Run("index", func(t *testing.T) {
		for _, n := range []int{1, 2} {
			ins, err := s.docker.ContainerInspect(context.Background(), s.container("pair", n))
			if err != nil {
				t.Fatal(err)
			}
			idx := []string{"1", "2"}[n-1]
			if out := s.ok(nil, "exec", "-T", "--index", idx, "pair", "/app", "cat", "/etc/hostname"); strings.TrimSpace(out) != ins.Config.Hostname {
				t.Errorf("--index %d ran in the container with hostname %q, want %q", n, strings.TrimSpace(out), ins.Config.Hostname)
			}
		}
	})
	t.Run("terminal", func(t *testing.T) {
		code, screen := s.berthPTY(33, 101, "exec", "app", "/app", "tty")
		if code != 0 || !strings.Contains(screen, "tty 33x101") {
			t.Errorf("under a 33x101 terminal: exit %d, screen %q, want a TTY of that size", code, screen)
		}
		code, screen = s.berthPTY(33, 101, "exec", "-T", "app", "/app", "tty")
		if code != 0 || !strings.Contains(screen, "no tty") {
			t.Errorf("-T under a terminal: exit %d, screen %q, want no TTY", code, screen)
		}
		if code, screen = s.berthPTY(24, 80, "exec", "app", "/app", "exit", "4"); code != 4 {
			t.Errorf("exit code through a TTY: %d, want 4 (screen %q)", code, screen)
		}
	})
	t.Run("interrupt", func(t *testing.T) {
		in, out, errOut, cmd, wait := s.startIn("exec", "-T", "app", "/app", "echo")
		say(t, in, "ping\n")
		eventually(t, "the command's answer", func() bool { return strings.Contains(out.String(), "ping\n") })
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		if code := waitExit(t, "exec", wait); code != 130 || errOut.String() != "" {
			t.Errorf("Ctrl-C: exit %d, want 130 without a message\n%s%s", code, out, errOut)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		before := s.ps()
		s.refuse(t, []badInput{
			{[]string{"exec", "-T", "nope", "/app", "exit", "0"}, 1, `no such service: "nope"`},
			{[]string{"exec", "-T", "idle", "/app", "exit", "0"}, 1, `service "idle" has no running container`},
			{[]string{"exec", "-T", "--index", "3", "pair", "/app", "exit", "0"}, 1, `service "pair" has no running container #3 (its running containers are #1, #2)`},
			{[]string{"exec", "-T", "--index", "0", "pair", "/app", "exit", "0"}, 2, "--index 0"},
			{[]string{"exec", "-T", "-e", "=x", "app", "/app", "exit", "0"}, 2, `invalid environment variable "=x"`},
			{[]string{"exec", "app"}, 2, "needs a SERVICE and a COMMAND"},
			{[]string{"exec"}, 2, "needs a SERVICE and a COMMAND"},
		})
		after := s.ps()
		for name, row := range before {
			if after[name].State != row.State {
				t.Errorf("%s went from %s to %s", name, row.State, after[name].State)
			}
		}
	})
}

// TestSessionCompletion: exec and attach complete a service name as their
// first argument only (exec's next one is the command); wait completes
// every argument.
func TestSessionCompletion(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: busybox\n  db:\n    image: busybox\n"})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "exec", ""}, "db,web"},
		{[]string{"__complete", "exec", "web", ""}, ""},
		{[]string{"__complete", "attach", "w"}, "web"},
		{[]string{"__complete", "attach", "web", ""}, ""},
		{[]string{"__complete", "wait", "web", ""}, "db"},
	} {
		code, out, errOut := run(t, dir, nil, tc.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if got := strings.Join(lines[:len(lines)-1], ","); got != tc.want {
			t.Errorf("%v: completions %q, want %q", tc.args, got, tc.want)
		}
	}
}
