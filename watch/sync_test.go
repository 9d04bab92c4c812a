package watch

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine"
)

func TestSyncRule(t *testing.T) {
	p, dir := load(t, "services:\n  app:\n    image: app:1\n    develop:\n      watch: [{path: ./src, action: sync, target: /srv}]\n", "src")
	writeFile(t, filepath.Join(dir, "src", "a.txt"), "alpha")
	writeFile(t, filepath.Join(dir, "src", "sub", "b.txt"), "beta")
	rules, _, err := Rules(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	running := func(name string) engine.ContainerInfo {
		return engine.ContainerInfo{Name: name, Service: "app", State: "running"}
	}
	f := newFakeBackend(running("shop-app-1"), running("shop-app-2"),
		engine.ContainerInfo{Name: "shop-app-3", Service: "app", State: "exited"},
		engine.ContainerInfo{Name: "shop-db-1", Service: "db", State: "running"})
	res, err := syncRule(context.Background(), f, p, rules[0],
		[]string{filepath.Join(dir, "src", "a.txt"), filepath.Join(dir, "src", "sub", "b.txt")}, []string{filepath.Join(dir, "src", "old.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if res != (syncResult{containers: 2, copied: 2, removed: 1}) {
		t.Errorf("result %+v", res)
	}
	want := []string{"/srv/a.txt alpha", "/srv/sub/b.txt beta"}
	for _, ctr := range []string{"shop-app-1", "shop-app-2"} {
		if got := f.copiedTo(ctr); !slices.Equal(got, want) {
			t.Errorf("%s got %v, want %v", ctr, got, want)
		}
	}
	if len(f.copiedTo("shop-app-3")) > 0 || len(f.copiedTo("shop-db-1")) > 0 {
		t.Errorf("copied into a stopped container or another service's: %v", f.copied)
	}
	slices.Sort(f.execs)
	if !slices.Equal(f.execs, []string{"shop-app-1: rm -rf -- /srv/old.txt", "shop-app-2: rm -rf -- /srv/old.txt"}) {
		t.Errorf("execs %v", f.execs)
	}

	f.noRM = true
	_, err = syncRule(context.Background(), f, p, rules[0], nil, []string{filepath.Join(dir, "src", "old.txt")})
	if !errors.Is(err, errNoDelete) || !strings.Contains(err.Error(), `service "app": develop.watch rule 1`) {
		t.Errorf("deleting without rm: %v", err)
	}
}
