package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/enginetest"
)

// crashCompose: a health-gated db with a named and an anonymous volume, an
// api that waits for it, and a web in front.
const crashCompose = `
services:
  db:
    image: IMAGE
    healthcheck:
      test: ["CMD", "/app", "health"]
      interval: 1s
      retries: 30
    volumes: [data:/data, /cache]
  api:
    image: IMAGE
    depends_on:
      db: {condition: service_healthy}
  web:
    image: IMAGE
    ports: ["127.0.0.1::8080"]
    depends_on: [api]
volumes:
  data: {}
`

// TestKilledRecreateConverges kills Berth (SIGKILL, as kill -9 does) at
// each engine call that changes something during `up -d --force-recreate`,
// right after the engine carried the call out and before Berth hears the
// answer. Each time the next `up -d --wait` must converge: one container
// per service, under its final name, running; nothing left under a
// temporary name; and the data in db's named and anonymous volumes kept.
func TestKilledRecreateConverges(t *testing.T) {
	s := newStack(t)
	s.write(crashCompose)
	s.ok(nil, "up", "-d", "--wait")
	db := s.container("db", 1)
	for _, f := range []string{"/data/x", "/cache/x"} {
		if code, out := enginetest.Exec(t, s.docker, db, "/app", "write", f, "kept"); code != 0 {
			t.Fatalf("writing %s: %d %s", f, code, out)
		}
	}
	mutating := func(r proxiedRequest) bool { return r.Method == "POST" || r.Method == "DELETE" || r.Method == "PUT" }
	anyPath := regexp.MustCompile(`.`)

	// how many changing calls a force-recreate makes, counted through the
	// proxy on an uninterrupted run
	counter := newEngineProxy(t)
	s.ok(counter.env(), "up", "-d", "--force-recreate")
	steps := 0
	for _, r := range counter.requests() {
		if mutating(r) {
			steps++
		}
	}
	if steps < 10 {
		t.Fatalf("a force-recreate of 3 services made only %d changing calls: %v", steps, counter.requests())
	}
	for k := 1; k <= steps; k++ {
		t.Run(fmt.Sprintf("killed at call %d of %d", k, steps), func(t *testing.T) {
			p := newEngineProxy(t)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, berthBin, "-p", s.name, "up", "-d", "--force-recreate")
			cmd.Dir = s.dir
			cmd.Env = append(append([]string{}, s.environ...), p.env()...)
			var (
				mu     sync.Mutex
				proc   *os.Process
				once   sync.Once
				killed = make(chan struct{})
			)
			p.addFault(faultRule{Path: anyPath, Match: mutating, Nth: k, Action: faultDropAfter, Then: func() {
				once.Do(func() {
					close(killed)
					mu.Lock()
					_ = proc.Kill()
					mu.Unlock()
				})
			}})
			mu.Lock()
			err := cmd.Start()
			proc = cmd.Process
			mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			select {
			case <-killed:
			default:
				t.Fatalf("Berth finished before its changing call %d: %v", k, p.requests())
			}
			// the engine finishes the calls the killed Berth had under way;
			// a connection it opened but the proxy had not accepted is
			// refused
			p.stopAccepting()
			if err := p.waitIdle(time.Minute); err != nil {
				t.Fatal(err)
			}
			fired := p.requests()
			before := s.namedContainers()
			planned := s.ok(nil, "plan")
			code, out, errOut := s.berth(nil, "up", "-d", "--wait")
			if code != 0 {
				t.Fatalf("up after the kill at %v: exit %d\n%s%s\non the engine before: %s\nplan: %s\non the engine after: %s", lastMutating(fired, mutating), code, out, errOut, before, planned, s.namedContainers())
			}
			checkConverged(t, s, lastMutating(fired, mutating))
		})
	}
	for _, f := range []string{"/data/x", "/cache/x"} {
		code, got := enginetest.Exec(t, s.docker, db, "/app", "cat", f)
		if code != 0 || strings.TrimSpace(got) != "kept" {
			t.Errorf("after the kills %s holds %q (exit %d), want the data written before", f, got, code)
		}
	}
	s.ok(nil, "down", "-v")
}

// lastMutating is the changing call the kill came at, for messages.
func lastMutating(reqs []proxiedRequest, mutating func(proxiedRequest) bool) string {
	for i := len(reqs) - 1; i >= 0; i-- {
		if mutating(reqs[i]) {
			return reqs[i].String()
		}
	}
	return "no call"
}

// checkConverged: a plan shows no changes, and every container of the
// project is the running container of its service under its final name.
func checkConverged(t *testing.T, s *stack, at string) {
	t.Helper()
	if out := s.ok(nil, "plan"); out != "No changes.\n" {
		t.Errorf("after the kill at %s and an up, the plan is:\n%s", at, out)
	}
	want := map[string]bool{s.container("db", 1): true, s.container("api", 1): true, s.container("web", 1): true}
	cs := s.namedAll()
	if len(cs) != len(want) {
		t.Errorf("after the kill at %s and an up: %s", at, s.namedContainers())
	}
	for _, c := range cs {
		name := strings.TrimPrefix(c.Names[0], "/")
		if !want[name] || c.State != "running" {
			t.Errorf("after the kill at %s and an up: container %s is %s", at, name, c.State)
		}
	}
}
