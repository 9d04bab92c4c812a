package main

import (
	"strings"
	"testing"
)

// TestEveryServiceCommandCompletesServices: each command whose usage takes
// a SERVICE completes the project's service names (scale's as SERVICE=,
// cp's as SERVICE:).
func TestEveryServiceCommandCompletesServices(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"compose.yaml": "services:\n  web:\n    image: busybox\n  db:\n    image: busybox\n",
	})
	root := newRootCommand(Streams{})
	checked := 0
	for _, c := range root.Commands() {
		if !strings.Contains(c.Use, "SERVICE") {
			continue
		}
		checked++
		t.Run(c.Name(), func(t *testing.T) {
			code, out, errOut := run(t, dir, nil, "__complete", c.Name(), "")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			var got []string
			for _, l := range lines[:len(lines)-1] { // the last line is cobra's directive
				got = append(got, strings.TrimRight(l, "=:"))
			}
			if strings.Join(got, ",") != "db,web" {
				t.Fatalf("berth %s completes %q, want the services db, web", c.Name(), got)
			}
		})
	}
	if checked < 10 {
		t.Fatalf("only %d commands take SERVICE arguments", checked)
	}
}
