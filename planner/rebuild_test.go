package planner

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRebuildPlan is the plan `berth watch` asks for when a rebuild rule
// fires: `up` of that one service, without its dependencies, with --build.
// It builds that service's image and touches nothing else; whether its
// containers are recreated is planned again once the build has produced an
// image (see engine.Up).
func TestRebuildPlan(t *testing.T) {
	p := load(t, `
services:
  db: {image: db:1}
  web:
    build: ./web
    depends_on: [db]
  worker:
    build: ./worker
    depends_on: [web]
`)
	for _, d := range []string{"web", "worker"} {
		dir := filepath.Join(p.Compose.WorkingDir, d)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	images := map[string]string{"db:1": "sha256:db", "shop-web": "sha256:web1", "shop-worker": "sha256:worker1"}
	obs := running(t, p, images)
	plan, err := Compute(p, obs, Options{Services: []string{"web"}, NoDeps: true, Images: &ImageOptions{Build: true}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := plan.String(), "1 build image:shop-web (--build)\n"; got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
	// once the build produced another image, web alone is recreated
	obs.Images["shop-web"] = LocalImage{ID: "sha256:web2"}
	plan, err = Compute(p, obs, Options{Services: []string{"web"}, NoDeps: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range plan.Actions {
		if a.Resource.Service != "web" {
			t.Errorf("the rebuild of web plans %s %s", a.Kind, a.Resource)
		}
	}
	if plan.Summary().Recreate != 1 {
		t.Errorf("want web recreated (image changed):\n%s", plan)
	}
}
