package main

import (
	"io"
	"strings"
	"syscall"
	"testing"
)

const attachCompose = `
services:
  repl:
    image: IMAGE
    command: [echo]
    stdin_open: true
  quiet:
    image: IMAGE
    command: [sleep]
`

// TestAttach attaches to a running container: its output arrives, the
// input reaches it, Berth exits with its exit code when it stops, the
// detach keys leave it running, and signals are forwarded to it.
func TestAttach(t *testing.T) {
	s := newStack(t)
	s.write(attachCompose)
	s.ok(nil, "up", "-d")

	t.Run("output, input and exit code", func(t *testing.T) {
		in, out, errOut, _, wait := s.startIn("attach", "repl")
		say(t, in, "hello\n")
		eventually(t, "the container's answer", func() bool { return strings.Contains(out.String(), "hello\n") })
		say(t, in, "exit 5\n")
		if code := waitExit(t, "attach", wait); code != 5 {
			t.Fatalf("attach: exit %d, want the container's 5\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		if !strings.Contains(out.String(), "bye") {
			t.Errorf("attach missed the container's last output:\n%s", out)
		}
		if st := s.ps()[s.container("repl", 1)]; st.State != "exited" || st.ExitCode != 5 {
			t.Errorf("repl after exit 5: %s, code %d", st.State, st.ExitCode)
		}
	})
	t.Run("detach keys", func(t *testing.T) {
		s.ok(nil, "start", "repl")
		in, out, errOut, _, wait := s.startIn("attach", "--detach-keys", "ctrl-x,x", "repl")
		say(t, in, "ping\n")
		eventually(t, "the container's answer", func() bool { return strings.Contains(out.String(), "ping\n") })
		say(t, in, "\x18x")
		if code := waitExit(t, "attach", wait); code != 0 {
			t.Fatalf("detaching: exit %d, want 0\n%s%s", code, out, errOut)
		}
		if st := s.ps()[s.container("repl", 1)].State; st != "running" {
			t.Errorf("repl is %s after detaching, want running", st)
		}
	})
	t.Run("sig-proxy", func(t *testing.T) {
		in, out, errOut, proc, wait := s.startIn("attach", "repl")
		say(t, in, "ping\n")
		eventually(t, "the container's answer", func() bool { return strings.Contains(out.String(), "ping\n") })
		if err := proc.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := waitExit(t, "attach", wait); code != 0 {
			t.Fatalf("SIGTERM forwarded: exit %d, want the container's 0\n%s%s", code, out, errOut)
		}
		if !strings.Contains(out.String(), "got signal terminated") {
			t.Errorf("the container did not get the signal:\n%s", out)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		s.refuse(t, []badInput{
			{[]string{"attach", "nope"}, 1, `no such service: "nope"`},
			{[]string{"attach", "repl"}, 1, `service "repl" has no running container`},
			{[]string{"attach", "--index", "2", "quiet"}, 1, `has no running container #2 (its running containers are #1)`},
			{[]string{"attach", "--detach-keys", "ctrl-1", "quiet"}, 2, "invalid detach key"},
			{[]string{"attach"}, 2, "needs one SERVICE"},
		})
	})
}

// say writes text to a process's input.
func say(t *testing.T, w io.Writer, text string) {
	t.Helper()
	if _, err := io.WriteString(w, text); err != nil {
		t.Fatalf("writing %q: %v", text, err)
	}
}

// TestAttachTTY attaches a terminal to a container with a TTY: keys typed
// reach it through the raw local terminal, the default detach keys
// (ctrl-p,ctrl-q) leave it running, and a later attach gets its exit code.
func TestAttachTTY(t *testing.T) {
	s := newStack(t)
	s.write("services:\n  repl:\n    image: IMAGE\n    command: [echo]\n    tty: true\n    stdin_open: true\n")
	s.ok(nil, "up", "-d")

	ptmx, screen, wait := s.startPTY(24, 80, "attach", "repl")
	say(t, ptmx, "hello\r")
	eventually(t, "the container's answer", func() bool { return strings.Count(screen.String(), "hello") >= 2 }) // echoed, then printed
	say(t, ptmx, "\x10\x11")
	if code := waitExit(t, "attach", wait); code != 0 {
		t.Fatalf("detaching with ctrl-p,ctrl-q: exit %d, want 0\n%q", code, screen)
	}
	if st := s.ps()[s.container("repl", 1)].State; st != "running" {
		t.Fatalf("repl is %s after detaching, want running", st)
	}

	ptmx, screen, wait = s.startPTY(24, 80, "attach", "repl")
	say(t, ptmx, "again\r")
	eventually(t, "the container's answer", func() bool { return strings.Count(screen.String(), "again") >= 2 })
	say(t, ptmx, "exit 6\r")
	if code := waitExit(t, "attach", wait); code != 6 {
		t.Fatalf("attach: exit %d, want the container's 6\n%q", code, screen)
	}
}
