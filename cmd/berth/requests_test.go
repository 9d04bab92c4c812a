package main

import (
	"testing"
)

// Upper bounds on the Engine API requests Berth makes for the N=10
// benchmark stack (benchCompose), counted by the engine proxy: what Docker
// Compose v5.5.0 makes for the same operations on Engine 20.10 (API 1.41).
// Berth measured 51, 16 and 27.
const (
	maxRequestsColdUp = 67
	maxRequestsNoopUp = 22
	maxRequestsDown   = 28
)

// Per-run rules, whatever the stack: one event stream shared by every wait,
// one image list (the observation), one inspect per image, and waits that
// read the state from container lists, not an inspect per container.
var requestRules = map[string]int{
	"events":            1,
	"image list":        1,
	"image inspect":     1,
	"container inspect": 0,
}

// TestRequestCounts counts the Engine API requests Berth makes for the N=10
// benchmark stack: a cold `up -d --wait`, a no-op `up -d --wait`, and
// `down`. It prints them by category and fails above the bounds.
func TestRequestCounts(t *testing.T) {
	s := newStack(t)
	s.write(benchCompose(10, s.image))
	t.Cleanup(func() {
		if code, _, errOut := s.berth(nil, "down", "-v"); code != 0 {
			t.Logf("cleanup: down -v: exit %d: %s", code, errOut)
		}
	})
	p := newEngineProxy(t)
	for _, op := range []struct {
		name string
		args []string
		max  int
	}{
		{"cold up -d --wait", []string{"up", "-d", "--wait"}, maxRequestsColdUp},
		{"no-op up -d --wait", []string{"up", "-d", "--wait"}, maxRequestsNoopUp},
		{"down", []string{"down"}, maxRequestsDown},
	} {
		p.reset()
		s.ok(p.env(), op.args...)
		reqs := p.requests()
		counts := countRequests(reqs)
		t.Logf("%s: %s", op.name, counts)
		t.Logf("%s: other: %s", op.name, otherRequests(reqs))
		if n := counts.total(); n > op.max {
			t.Errorf("%s made %d Engine API requests, more than Compose's %d: %v", op.name, n, op.max, reqs)
		}
		for cat, most := range requestRules {
			if counts[cat] > most {
				t.Errorf("%s made %d %s requests, at most %d", op.name, counts[cat], cat, most)
			}
		}
	}
	if cs := s.namedAll(); len(cs) > 0 {
		t.Errorf("%d containers left after down", len(cs))
	}
}
