//go:build compat

package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// dayTwoCompose is the project the day-two comparison runs: a dependency
// gated on its health, a dependent publishing a port, a named volume.
const dayTwoCompose = `
services:
  db:
    image: IMAGE
    healthcheck:
      test: ["CMD", "/app", "health"]
      interval: 1s
      retries: 30
    volumes: [data:/data]
  web:
    image: IMAGE
    ports: ["127.0.0.1::8080"]
    depends_on:
      db: {condition: service_healthy}
volumes:
  data: {}
`

// engineState describes a project's containers as the engine holds them,
// without the project name: one line per container with its service,
// number, one-off label, config hash and state.
func (s *stack) engineState() string {
	s.t.Helper()
	var lines []string
	for _, c := range s.containers() {
		name := strings.TrimPrefix(strings.TrimPrefix(c.Names[0], "/"), s.name)
		hash := c.Labels["com.docker.compose.config-hash"]
		if c.Labels["com.docker.compose.oneoff"] == "True" {
			// the name's id is random, and so is the hash, which Compose
			// takes with the name in the service
			name, hash = "-"+c.Labels["com.docker.compose.service"]+"-run", "-"
		}
		state := c.State
		if state == "exited" {
			state += " " + strings.Fields(strings.TrimPrefix(c.Status, "Exited "))[0] // (137)
		}
		lines = append(lines, fmt.Sprintf("%s service=%s number=%s oneoff=%s hash=%.12s %s", name,
			c.Labels["com.docker.compose.service"], c.Labels["com.docker.compose.container-number"],
			c.Labels["com.docker.compose.oneoff"], hash, state))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// TestDayTwoCommandsMatchCompose runs the same day-two commands with
// Docker Compose on one project and with Berth on another, from the same
// compose file, and compares the engine's state after each.
func TestDayTwoCommandsMatchCompose(t *testing.T) {
	if *composeBin == "" {
		t.Fatal("-compose is required with -tags compat: the path of a Docker Compose v2+ binary (make compat builds one)")
	}
	c, b := newStack(t), newStack(t)
	c.write(dayTwoCompose)
	b.write(dayTwoCompose)
	steps := [][]string{
		{"up", "-d", "--wait"},
		{"stop", "web"},
		{"start", "web"},
		{"restart", "db"},
		{"pause", "web"},
		{"unpause", "web"},
		{"kill", "web"},
		{"start"},
		{"stop", "-t", "1"},
		{"up", "-d", "--wait"},
		{"scale", "web=3"},
		{"scale", "web=1"},
		{"rm", "-s", "-f", "web"},
		{"create", "web"},
		{"start", "web"},
		{"run", "--rm", "-T", "web", "args", "one-off"},
		{"run", "-T", "web", "exit", "0"},
		{"stop"},
		{"rm", "-f"},
	}
	for _, step := range steps {
		c.compose(step...)
		b.ok(nil, step...)
		if cs, bs := c.engineState(), b.engineState(); cs != bs {
			t.Fatalf("after %q the engine holds, for Compose:\n%s\nfor Berth:\n%s", strings.Join(step, " "), cs, bs)
		} else if step[0] == "up" && strings.Count(cs, "\n") < 1 {
			t.Fatalf("after %q the engine holds less than both services:\n%s", strings.Join(step, " "), cs)
		}
	}
}

// Compose's down leaves one-off containers behind (docker/compose#11711);
// Berth's removes them (TestRunExitCodeAndRemove).
