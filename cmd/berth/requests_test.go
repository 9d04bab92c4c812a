package main

import (
	"testing"
)

// Upper bounds on the Engine API requests Berth makes for the N=10
// benchmark stack (benchCompose), counted by the engine proxy: today's
// counts plus a little slack for timing (a health wait may take one more
// container list and inspect). Measured on Engine 20.10 (API 1.41): cold
// up -d --wait 80-82, no-op up -d --wait 36, down 41. Docker Compose v5.5.0
// makes 67, 22 and 28: lower these towards those as Berth gets there.
const (
	maxRequestsColdUp = 82 + 6
	maxRequestsNoopUp = 36 + 4
	maxRequestsDown   = 41 + 4
)

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
			t.Errorf("%s made %d Engine API requests, more than %d: %v", op.name, n, op.max, reqs)
		}
	}
	if cs := s.namedAll(); len(cs) > 0 {
		t.Errorf("%d containers left after down", len(cs))
	}
}
