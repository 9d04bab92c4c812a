package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"

	"github.com/berth-dev/berth/engine/enginetest"
)

// TestExampleStack drives examples/microservices through the binary on the
// engine: it comes up with --build --wait, an order placed through web is
// stored, a change to catalog's code shows in the plan as catalog's build
// and `up` (no --build) rebuilds and recreates only catalog,
// the order survives a recreate of store and a down/up, and down -v removes
// the volume. The images build FROM golang (make seed-images provides it
// offline).
func TestExampleStack(t *testing.T) {
	s, dir := exampleStack(t)
	docker, ctx := s.docker, context.Background()

	s.ok(nil, "up", "--build", "--wait")
	ps := s.ps()
	for _, svc := range []string{"web", "auth", "catalog", "store"} {
		if row := ps[s.container(svc, 1)]; row.State != "running" || row.Health != "healthy" {
			t.Fatalf("%s after up --build --wait: %+v", svc, row)
		}
	}
	if row := ps[s.container("migrate", 1)]; row.State != "exited" || row.ExitCode != 0 {
		t.Fatalf("migrate after up: %+v", row)
	}

	web := s.container("web", 1)
	if page := s.get(web, "/"); !strings.Contains(page, "<html") {
		t.Fatalf("web's page: %q", page)
	}
	var products []struct{ ID string }
	if err := json.Unmarshal([]byte(s.get(web, "/api/products")), &products); err != nil || len(products) == 0 {
		t.Fatalf("products: %v %v", products, err)
	}
	order := s.placeOrder(web, "e2e", products[0].ID)
	if !strings.Contains(s.get(web, "/api/orders?user=e2e"), order) {
		t.Fatal("the order is not listed")
	}

	t.Run("changing catalog's code rebuilds and recreates only catalog", func(t *testing.T) {
		before := s.ps()
		main := filepath.Join(dir, "catalog", "main.go")
		f, err := os.OpenFile(main, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		// the same change every run, so the engine's build cache serves
		// it after the first run instead of keeping a new build stage each time
		fmt.Fprint(f, "\n// changed by TestExampleStack\n")
		f.Close()
		// the plan shows the build the change calls for, and only that
		plan := s.ok(nil, "plan")
		if !strings.Contains(plan, "^ build image "+s.name+"-catalog for catalog (build context changed)") || strings.Count(plan, "^ build") != 1 {
			t.Errorf("plan after a change to catalog's code:\n%s", plan)
		}
		_, _, errOut := s.berth(nil, "up", "-d", "--wait")
		after := s.ps()
		for name, row := range after {
			replaced := row.ID != before[name].ID
			if replaced != (name == s.container("catalog", 1)) {
				t.Errorf("%s replaced = %v\n%s", name, replaced, errOut)
			}
		}
	})

	t.Run("the order survives a recreate of store", func(t *testing.T) {
		s.ok(nil, "up", "-d", "--wait", "--force-recreate", "--no-deps", "store")
		if !strings.Contains(s.get(web, "/api/orders?user=e2e"), order) {
			t.Fatal("the order is gone after store was recreated")
		}
	})

	t.Run("the order survives down and up", func(t *testing.T) {
		s.ok(nil, "down")
		s.ok(nil, "up", "-d", "--wait")
		if !strings.Contains(s.get(web, "/api/orders?user=e2e"), order) {
			t.Fatal("the order is gone after down and up")
		}
	})

	t.Run("down -v --rmi local removes the volume and the built images", func(t *testing.T) {
		s.ok(nil, "down", "-v", "--rmi", "local")
		// store and migrate share one image under two tags: both go
		for _, svc := range []string{"web", "auth", "catalog", "store", "migrate"} {
			if _, err := docker.ImageInspect(ctx, s.name+"-"+svc); err == nil {
				t.Errorf("down --rmi local kept image %s-%s", s.name, svc)
			}
		}
		if _, err := docker.VolumeInspect(ctx, s.name+"_orders"); err == nil {
			t.Fatal("down -v kept the orders volume")
		} else if !strings.Contains(err.Error(), "no such volume") && !strings.Contains(strings.ToLower(err.Error()), "not found") {
			t.Fatalf("inspecting the volume: %v", err)
		}
	})
}

// placeOrder logs in as user through the gateway and orders product; it
// returns the order's ID.
func (s *stack) placeOrder(web, user, product string) string {
	s.t.Helper()
	base := strings.TrimSuffix(s.url(web), "/")
	login, err := http.Post(base+"/api/login", "application/json", strings.NewReader(`{"user":"`+user+`"}`))
	if err != nil {
		s.t.Fatal(err)
	}
	var tok struct{ Token string }
	err = json.NewDecoder(login.Body).Decode(&tok)
	login.Body.Close()
	if err != nil || tok.Token == "" {
		s.t.Fatalf("login: %v %+v", err, tok)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/api/orders", strings.NewReader(`{"product_id":"`+product+`","quantity":1}`))
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var o struct{ ID string }
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &o) != nil || o.ID == "" {
		s.t.Fatalf("placing an order: %d %s", resp.StatusCode, body)
	}
	return o.ID
}

// url is the base URL of a container's published port 8080.
func (s *stack) url(ctr string) string {
	s.t.Helper()
	for _, p := range s.ps()[ctr].Publishers {
		if p.TargetPort == 8080 && p.PublishedPort != 0 {
			return fmt.Sprintf("http://127.0.0.1:%d/", p.PublishedPort)
		}
	}
	s.t.Fatalf("%s publishes no port for 8080", ctr)
	return ""
}

// exampleStack copies examples/microservices into a temporary directory and
// returns a stack for it, with web published on an ephemeral loopback port;
// the images it builds are removed when the test ends.
func exampleStack(t *testing.T) (*stack, string) {
	t.Helper()
	docker := enginetest.Docker(t)
	ctx := context.Background()
	if _, err := docker.ImageInspect(ctx, "golang:1.26"); err != nil {
		t.Fatalf("the example builds FROM golang:1.26, which the engine lacks: run `make seed-images` (make test does): %v", err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../examples/microservices")); err != nil {
		t.Fatal(err)
	}
	s := &stack{t: t, dir: dir, name: enginetest.ProjectName(t), docker: docker}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COMPOSE_") && !strings.HasPrefix(kv, "WEB_PORT=") {
			s.environ = append(s.environ, kv)
		}
	}
	s.environ = append(s.environ, "WEB_PORT=127.0.0.1:") // an ephemeral port on loopback
	enginetest.CleanupProject(t, docker, s.name)
	t.Cleanup(func() {
		// the images this test built: <project>-<service>
		ims, _ := docker.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("reference", s.name+"-*"))})
		for _, im := range ims {
			_, _ = docker.ImageRemove(ctx, im.ID, image.RemoveOptions{Force: true, PruneChildren: true})
		}
	})

	return s, dir
}
