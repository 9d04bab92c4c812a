package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

const pushCompose = `
services:
  web:
    build: {context: ./web, tags: ["reg.example/web:extra"]}
    image: reg.example/web:1
    depends_on: [api]
  api:
    build: ./api
    image: reg.example/api:1
  db:
    image: postgres:16
  local:
    build: ./web
`

func TestPushRefs(t *testing.T) {
	p := loadProject(t, pushCompose, "web", "api")
	tests := []struct {
		name string
		o    PushOptions
		want string
	}{
		{"every service with a build and an image, and the build's tags", PushOptions{}, "api=reg.example/api:1 web=reg.example/web:1 web=reg.example/web:extra"},
		{"the named service only", PushOptions{Services: []string{"web"}}, "web=reg.example/web:1 web=reg.example/web:extra"},
		{"with its dependencies", PushOptions{Services: []string{"web"}, IncludeDeps: true}, "api=reg.example/api:1 web=reg.example/web:1 web=reg.example/web:extra"},
		{"a pulled image is not pushed", PushOptions{Services: []string{"db", "local"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			refs, err := PushRefs(p, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range refs {
				got = append(got, r.Service+"="+r.Ref)
			}
			if s := strings.Join(got, " "); s != tt.want {
				t.Fatalf("got %q, want %q", s, tt.want)
			}
		})
	}
	if _, err := PushRefs(p, PushOptions{Services: []string{"nosuch"}}); err == nil || !strings.Contains(err.Error(), `no such service: "nosuch"`) {
		t.Fatalf("unknown service: %v", err)
	}
}

// fakePusher fails the refs in fail and records the others.
type fakePusher struct {
	mu     sync.Mutex
	fail   map[string]bool
	pushed []string
}

func (f *fakePusher) Push(_ context.Context, ref string, log func(string)) error {
	if f.fail[ref] {
		return errors.New("connection refused")
	}
	if log != nil {
		log("Pushing")
		log("Pushing")
		log("Pushed")
	}
	f.mu.Lock()
	f.pushed = append(f.pushed, ref)
	f.mu.Unlock()
	return nil
}

func TestPushFailures(t *testing.T) {
	p := loadProject(t, pushCompose, "web", "api")
	f := &fakePusher{fail: map[string]bool{"reg.example/api:1": true}}
	if _, err := Push(context.Background(), f, p, PushOptions{Parallel: 1}, nil); err == nil || !strings.Contains(err.Error(), `service "api": connection refused`) {
		t.Fatalf("a failed push: %v", err)
	}
	var mu sync.Mutex
	var events []string
	sink := SinkFunc(func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, fmt.Sprintf("%s %s", e.Status, e.Text))
	})
	pushed, err := Push(context.Background(), f, p, PushOptions{IgnoreFailures: true}, sink)
	if err != nil || len(pushed) != 2 {
		t.Fatalf("--ignore-push-failures: pushed %v, %v", pushed, err)
	}
	log := strings.Join(events, "\n")
	if !strings.Contains(log, `warning service "api": connection refused`) || strings.Count(log, "progress Pushing") != 2 {
		t.Fatalf("events:\n%s", log)
	}
}
