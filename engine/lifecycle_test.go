package engine

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/planner"
)

// TestLifecycleOperations drives stop, start, pause, unpause, kill, restart
// and rm -s through the orchestration functions on the fake backend: each
// acts on the containers the operation concerns, in dependency order, and
// a dry run calls nothing.
func TestLifecycleOperations(t *testing.T) {
	p := loadProject(t, "services:\n  db: {image: db:1}\n  web: {image: web:1, depends_on: [db]}\n")
	f := newFakeBackend()
	f.images["db:1"], f.images["web:1"] = "sha256:db", "sha256:web"
	ctx := context.Background()
	if _, err := Up(ctx, f, p, UpOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	state := func() []string {
		return []string{f.containers["shop-db-1"].State, f.containers["shop-web-1"].State}
	}
	step := func(name string, op func() error, wantCalls []string, wantState ...string) {
		t.Helper()
		f.calls = nil
		if err := op(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// calls that do not depend on each other may come in any order:
		// compare as sets, then check the order where the plan sets one
		got, want := slices.Sorted(slices.Values(f.calls)), slices.Sorted(slices.Values(wantCalls))
		if !slices.Equal(got, want) {
			t.Errorf("%s called %v, want %v", name, f.calls, wantCalls)
		}
		for i, c := range wantCalls {
			if strings.HasPrefix(c, "stop service:db") || strings.HasPrefix(c, "start service:web") || strings.HasPrefix(c, "restart service:web") {
				if j := slices.Index(f.calls, wantCalls[i-1]); j < 0 || j > slices.Index(f.calls, c) {
					t.Errorf("%s: %s came before %s: %v", name, c, wantCalls[i-1], f.calls)
				}
			}
		}
		if got := state(); !slices.Equal(got, wantState) {
			t.Errorf("after %s: %v, want %v", name, got, wantState)
		}
	}
	lo := LifecycleOptions{}
	step("stop", func() error { _, err := Stop(ctx, f, p, StopOptions{}, nil); return err },
		[]string{"stop service:web:1", "stop service:db:1"}, "exited", "exited")
	step("start --dry-run", func() error { _, err := Start(ctx, f, p, LifecycleOptions{DryRun: true}, nil); return err },
		nil, "exited", "exited")
	step("start", func() error { _, err := Start(ctx, f, p, lo, nil); return err },
		[]string{"start service:db:1", "start service:web:1"}, "running", "running")
	step("pause", func() error { _, err := Pause(ctx, f, p, lo, nil); return err },
		[]string{"pause service:db:1", "pause service:web:1"}, "paused", "paused")
	step("unpause web", func() error {
		_, err := Unpause(ctx, f, p, LifecycleOptions{Plan: planner.LifecycleOptions{Services: []string{"web"}}}, nil)
		return err
	}, []string{"unpause service:web:1"}, "paused", "running")
	step("unpause", func() error { _, err := Unpause(ctx, f, p, lo, nil); return err },
		[]string{"unpause service:db:1"}, "running", "running")
	step("kill web", func() error {
		_, err := Kill(ctx, f, p, LifecycleOptions{Plan: planner.LifecycleOptions{Services: []string{"web"}}}, nil)
		return err
	}, []string{"kill service:web:1"}, "running", "exited")
	step("restart db and its dependents", func() error {
		_, err := Restart(ctx, f, p, LifecycleOptions{Plan: planner.LifecycleOptions{Services: []string{"db"}, Dependents: true}}, nil)
		return err
	}, []string{"restart service:db:1", "restart service:web:1"}, "running", "running")
	step("rm -s", func() error {
		_, err := Remove(ctx, f, p, LifecycleOptions{Plan: planner.LifecycleOptions{Stop: true}}, nil)
		return err
	},
		[]string{"stop service:web:1", "stop service:db:1", "remove service:web:1", "remove service:db:1"}, "", "")
}
