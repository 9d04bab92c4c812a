package engine

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/project"
)

func TestOneOffName(t *testing.T) {
	slug, err := NewSlug()
	if err != nil {
		t.Fatal(err)
	}
	if len(slug) != 64 || strings.Trim(slug, "0123456789abcdef") != "" {
		t.Fatalf("slug %q: want 64 hexadecimal digits", slug)
	}
	if other, _ := NewSlug(); other == slug {
		t.Fatal("two slugs are the same")
	}
	if got := OneOffName("shop", "web", slug); got != "shop-web-run-"+slug[:12] {
		t.Fatalf("OneOffName = %q", got)
	}
}

const runYAML = `
services:
  web:
    image: shop/web
    container_name: the-web
    command: ["serve"]
    restart: always
    environment: {KEEP: "1", OVER: "old"}
    labels: {a: "1"}
    ports: ["8080:80"]
    cap_add: [NET_ADMIN]
    cap_drop: [CHOWN]
    volumes: [data:/data]
volumes: {data: {}}
`

func loadRun(t *testing.T) *project.Project {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(runYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(context.Background(), project.Options{ProjectName: "shop", WorkDir: dir, Environ: []string{"FROM_ENV=env"}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOneOffService(t *testing.T) {
	p := loadRun(t)
	s, err := OneOffService(p, RunOptions{Service: "web", Overrides: RunOverrides{
		Env: []string{"OVER=new", "FROM_ENV", "UNSET"}, Labels: []string{"b=2"},
		Entrypoint: []string{"/bin/sh", "-c"}, CapAdd: []string{"CHOWN"}, CapDrop: []string{"NET_ADMIN"},
		Volumes: []string{"/tmp:/host"}, TTY: true, Interactive: true,
	}})
	if err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if v := s.Environment[k]; v != nil {
			return *v
		}
		return "<unset>"
	}
	for k, want := range map[string]string{"KEEP": "1", "OVER": "new", "FROM_ENV": "env", "UNSET": "<unset>"} {
		if got := env(k); got != want {
			t.Errorf("environment %s = %q, want %q", k, got, want)
		}
	}
	switch {
	case s.ContainerName != "":
		t.Errorf("container_name %q kept: a one-off container gets its own name", s.ContainerName)
	case s.Restart != "":
		t.Errorf("restart %q kept", s.Restart)
	case len(s.Ports) != 0:
		t.Errorf("ports %v published without --service-ports", s.Ports)
	case s.Command == nil || len(s.Command) != 0:
		t.Errorf("--entrypoint without a command should clear it: %v", s.Command)
	case s.Labels["a"] != "1" || s.Labels["b"] != "2":
		t.Errorf("labels %v", s.Labels)
	case !slices.Equal(s.CapAdd, []string{"CHOWN"}) || !slices.Equal(s.CapDrop, []string{"NET_ADMIN"}):
		t.Errorf("cap_add %v, cap_drop %v", s.CapAdd, s.CapDrop)
	case len(s.Volumes) != 2 || s.Volumes[1].Target != "/host":
		t.Errorf("volumes %v", s.Volumes)
	case !s.Tty || !s.StdinOpen:
		t.Errorf("tty %v, stdin_open %v", s.Tty, s.StdinOpen)
	}
	if orig := p.Compose.Services["web"]; orig.ContainerName != "the-web" || len(orig.Ports) != 1 || len(orig.Volumes) != 1 || *orig.Environment["OVER"] != "old" || len(orig.Labels) != 1 {
		t.Errorf("the project's service was changed: %+v", orig)
	}

	s, err = OneOffService(p, RunOptions{Service: "web", Name: "mine", Overrides: RunOverrides{ServicePorts: true}})
	if err != nil || len(s.Ports) != 1 || s.ContainerName != "mine" || s.Command[0] != "serve" {
		t.Errorf("--service-ports --name mine: ports %v, name %q, command %v, %v", s.Ports, s.ContainerName, s.Command, err)
	}
}

func TestOneOffServiceBadInput(t *testing.T) {
	p := loadRun(t)
	for _, tc := range []struct {
		o    RunOptions
		want string
	}{
		{RunOptions{Service: "nope"}, `"nope"`},
		{RunOptions{Service: "web", Overrides: RunOverrides{Env: []string{"=x"}}}, `"=x"`},
		{RunOptions{Service: "web", Overrides: RunOverrides{Labels: []string{"novalue"}}}, `"novalue"`},
		{RunOptions{Service: "web", Overrides: RunOverrides{Publish: []string{"x:y:z:w"}}}, `"x:y:z:w"`},
		{RunOptions{Service: "web", Overrides: RunOverrides{Publish: []string{"80"}, ServicePorts: true}}, "--service-ports"},
		{RunOptions{Service: "web", Overrides: RunOverrides{Volumes: []string{"other:/x"}}}, `"other"`},
		{RunOptions{Service: "web", Overrides: RunOverrides{Volumes: []string{""}}}, "--volume"},
	} {
		if _, err := OneOffService(p, tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want one naming %s", tc.o, err, tc.want)
		}
	}
}

func TestForDependencies(t *testing.T) {
	dir := t.TempDir()
	const yaml = `
services:
  other: {image: x, networks: [front], volumes: [otherdata:/d]}
  app: {image: x, networks: [back], depends_on: [db]}
  db: {image: x, networks: [back, store], depends_on: [cache]}
  cache: {image: x, networks: [store]}
networks: {front: {}, back: {}, store: {}, extra: {}}
volumes: {otherdata: {}, mine: {}}
`
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(context.Background(), project.Options{ProjectName: "shop", WorkDir: dir, Enable: []string{"app"}, AllResources: true})
	if err != nil {
		t.Fatal(err)
	}
	s, err := OneOffService(p, RunOptions{Service: "app", Overrides: RunOverrides{Volumes: []string{"mine:/m"}}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := forDependencies(p, s, []string{"cache", "db"})
	if err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]bool) string { return strings.Join(slices.Sorted(maps.Keys(m)), ",") }
	nets, vols, disabled := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for k := range d.Compose.Networks {
		nets[k] = true
	}
	for k := range d.Compose.Volumes {
		vols[k] = true
	}
	for k := range d.Compose.DisabledServices {
		disabled[k] = true
	}
	if got := strings.Join(d.Graph.Services(), ","); got != "cache,db" {
		t.Errorf("services %s, want the dependencies cache,db", got)
	}
	if got := keys(nets); got != "back,store" {
		t.Errorf("networks %s, want back,store", got)
	}
	if got := keys(vols); got != "mine" {
		t.Errorf("volumes %s, want mine (the one-off container's -v)", got)
	}
	if got := keys(disabled); got != "app,other" {
		t.Errorf("disabled services %s, want app,other (neither planned nor orphans)", got)
	}
	if p.Graph.Has("other") != true || len(p.Compose.Networks) != 4 {
		t.Error("the project itself was changed")
	}
}
