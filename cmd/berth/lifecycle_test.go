package main

import (
	"strings"
	"testing"
)

// TestLifecycleCommands drives stop, start, pause, unpause, kill and
// restart through the binary on the engine: each acts on the containers it
// concerns, restart takes the dependents with `restart: true` along unless
// --no-deps, and
// --dry-run prints the plan and changes nothing.
func TestLifecycleCommands(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  db:
    image: IMAGE
    stop_grace_period: 2s
  web:
    image: IMAGE
    stop_grace_period: 2s
    depends_on:
      db: {condition: service_started, restart: true}
`)
	s.ok(nil, "up", "-d")
	db, web := s.container("db", 1), s.container("web", 1)
	state := func() string { ps := s.ps(); return ps[db].State + " " + ps[web].State }

	s.ok(nil, "stop")
	if got := state(); got != "exited exited" {
		t.Fatalf("after stop: %s", got)
	}
	if out := s.ok(nil, "--dry-run", "start"); !strings.Contains(out, "> container "+db+" (not running)") {
		t.Errorf("start --dry-run:\n%s", out)
	}
	if got := state(); got != "exited exited" {
		t.Fatalf("start --dry-run changed something: %s", got)
	}
	s.ok(nil, "start")
	if got := state(); got != "running running" {
		t.Fatalf("after start: %s", got)
	}
	s.ok(nil, "pause", "web")
	if got := state(); got != "running paused" {
		t.Fatalf("after pause web: %s", got)
	}
	s.ok(nil, "unpause")
	if got := state(); got != "running running" {
		t.Fatalf("after unpause: %s", got)
	}
	s.ok(nil, "kill", "-s", "SIGKILL", "web")
	if got := state(); got != "running exited" {
		t.Fatalf("after kill web: %s", got)
	}
	s.ok(nil, "start", "web")
	before := s.inspect(web).State.StartedAt
	s.ok(nil, "restart", "--no-deps", "db")
	if s.inspect(web).State.StartedAt != before {
		t.Error("restart --no-deps db restarted web")
	}
	s.ok(nil, "restart", "db")
	if s.inspect(web).State.StartedAt == before {
		t.Error("restart db did not restart web, which depends on it")
	}
	if got := state(); got != "running running" {
		t.Fatalf("after restart: %s", got)
	}
	s.ok(nil, "down")
}
