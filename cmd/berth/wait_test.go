package main

import (
	"fmt"
	"strings"
	"testing"
)

const waitCompose = `
services:
  a:
    image: IMAGE
    command: [sleep]
  b:
    image: IMAGE
    command: [sleep]
  c:
    image: IMAGE
    command: [sleep]
`

// TestWait blocks until the services' containers stop and exits with the
// code of the first to stop; --down-project then leaves nothing behind.
func TestWait(t *testing.T) {
	s := newStack(t)
	s.write(waitCompose)

	t.Run("exit code of the first", func(t *testing.T) {
		s.ok(nil, "up", "-d")
		_, out, errOut, wait := s.start("wait", "a", "b")
		eventually(t, "wait to list the containers", func() bool { return strings.Contains(errOut.String(), "to stop") })
		s.ok(nil, "kill", "a")
		eventually(t, "a's exit", func() bool { return strings.Contains(out.String(), "exited with status code 137") })
		s.ok(nil, "stop", "b")
		if code := waitExit(t, "wait", wait); code != 137 {
			t.Fatalf("wait: exit %d, want 137 (a was killed first)\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		ids := s.containerIDs()
		for _, want := range []string{
			fmt.Sprintf("container %q exited with status code 137", ids[s.container("a", 1)]),
			fmt.Sprintf("container %q exited with status code 0", ids[s.container("b", 1)]),
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("wait's output lacks %q:\n%s", want, out)
			}
		}
		if st := s.ps()[s.container("c", 1)].State; st != "running" {
			t.Errorf("c, not waited for, is %s", st)
		}
	})
	t.Run("down project", func(t *testing.T) {
		s.ok(nil, "up", "-d")
		_, out, errOut, wait := s.start("wait", "--down-project", "b")
		eventually(t, "wait to list the containers", func() bool { return strings.Contains(errOut.String(), "to stop") })
		s.ok(nil, "kill", "-s", "SIGTERM", "b")
		if code := waitExit(t, "wait", wait); code != 0 {
			t.Fatalf("wait --down-project: exit %d, want b's 0\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		if cs := s.containers(); len(cs) != 0 {
			t.Errorf("wait --down-project left %d containers", len(cs))
		}
	})
	t.Run("bad input", func(t *testing.T) {
		s.refuse(t, []badInput{
			{[]string{"wait", "nope"}, 1, `no such service: "nope"`},
			{[]string{"wait", "a", "b"}, 1, "no running container for service a, b"},
			{[]string{"wait"}, 2, "needs at least one SERVICE"},
		})
	})
}
