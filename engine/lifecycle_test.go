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
	p := loadProject(t, "services:\n  db: {image: db:1}\n  web: {image: web:1, depends_on: {db: {condition: service_started, restart: true}}}\n")
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

// TestRemovePlanned: rm carries out the plan the user confirmed. A
// container that appeared or started after the plan was made is neither
// stopped nor removed: RemovePlanned refuses, touching nothing. Unchanged,
// the confirmed plan is carried out as it is.
func TestRemovePlanned(t *testing.T) {
	p := loadProject(t, "services:\n  db: {image: db:1}\n  web: {image: web:1, depends_on: [db]}\n")
	ctx := context.Background()
	setup := func(t *testing.T, webState string) (*fakeBackend, *planner.Plan, LifecycleOptions) {
		t.Helper()
		f := newFakeBackend()
		f.containers["shop-db-1"] = planner.Container{ID: "1", Name: "shop-db-1", Service: "db", Number: 1, State: "exited"}
		if webState != "" {
			f.containers["shop-web-1"] = planner.Container{ID: "2", Name: "shop-web-1", Service: "web", Number: 1, State: webState}
		}
		o := LifecycleOptions{Plan: planner.LifecycleOptions{Stop: true}, DryRun: true}
		plan, err := Remove(ctx, f, p, o, nil)
		if err != nil {
			t.Fatal(err)
		}
		o.DryRun = false
		return f, plan, o
	}
	removes := func(plan *planner.Plan) []string {
		var out []string
		for _, a := range plan.Actions {
			if a.Kind == planner.RemoveContainer {
				out = append(out, a.Name)
			}
		}
		return out
	}

	t.Run("unchanged", func(t *testing.T) {
		f, plan, o := setup(t, "running")
		if got := removes(plan); !slices.Equal(got, []string{"shop-web-1", "shop-db-1"}) {
			t.Fatalf("planned removals %v", got)
		}
		if err := RemovePlanned(ctx, f, p, plan, o, nil); err != nil {
			t.Fatal(err)
		}
		want := []string{"remove service:db:1", "remove service:web:1", "stop service:web:1"}
		if got := slices.Sorted(slices.Values(f.calls)); !slices.Equal(got, want) {
			t.Errorf("called %v, want %v", f.calls, want)
		}
		if len(f.containers) != 0 {
			t.Errorf("left %v", f.containers)
		}
	})
	t.Run("a container appeared", func(t *testing.T) {
		f, plan, o := setup(t, "")
		f.containers["shop-web-1"] = planner.Container{ID: "2", Name: "shop-web-1", Service: "web", Number: 1, State: "running"}
		err := RemovePlanned(ctx, f, p, plan, o, nil)
		if err == nil || !strings.Contains(err.Error(), "confirmed: shop-db-1; now: shop-db-1, shop-web-1") {
			t.Fatalf("err = %v, want a refusal naming the change", err)
		}
		if len(f.calls) != 0 || len(f.containers) != 2 {
			t.Errorf("touched the engine: calls %v, containers %v", f.calls, f.containers)
		}
	})
	t.Run("a container started", func(t *testing.T) {
		f, plan, o := setup(t, "exited")
		c := f.containers["shop-web-1"]
		c.State = "running"
		f.containers["shop-web-1"] = c
		err := RemovePlanned(ctx, f, p, plan, o, nil)
		if err == nil || !strings.Contains(err.Error(), "shop-web-1 started after the removal was confirmed") {
			t.Fatalf("err = %v, want a refusal naming the container", err)
		}
		if len(f.calls) != 0 || len(f.containers) != 2 {
			t.Errorf("touched the engine: calls %v, containers %v", f.calls, f.containers)
		}
	})
	t.Run("a container went away", func(t *testing.T) {
		f, plan, o := setup(t, "exited")
		delete(f.containers, "shop-web-1")
		err := RemovePlanned(ctx, f, p, plan, o, nil)
		if err == nil || !strings.Contains(err.Error(), "nothing was removed") {
			t.Fatalf("err = %v, want a refusal", err)
		}
		if len(f.calls) != 0 {
			t.Errorf("called %v", f.calls)
		}
	})
	t.Run("without -s, a container started", func(t *testing.T) {
		f := newFakeBackend()
		f.containers["shop-db-1"] = planner.Container{ID: "1", Name: "shop-db-1", Service: "db", Number: 1, State: "exited"}
		o := LifecycleOptions{DryRun: true}
		plan, err := Remove(ctx, f, p, o, nil)
		if err != nil {
			t.Fatal(err)
		}
		c := f.containers["shop-db-1"]
		c.State = "running"
		f.containers["shop-db-1"] = c
		o.DryRun = false
		if err := RemovePlanned(ctx, f, p, plan, o, nil); err == nil || !strings.Contains(err.Error(), "now: none") {
			t.Fatalf("err = %v, want a refusal", err)
		}
		if len(f.calls) != 0 {
			t.Errorf("called %v", f.calls)
		}
	})
}
