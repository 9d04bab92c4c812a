package planner

import (
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/project"
)

// TestComputeDrift covers engine state that drifted from what the project
// asks for without the config hash changing, and restarts of dependents.
func TestComputeDrift(t *testing.T) {
	images := map[string]string{"shop/web": "sha256:web1", "postgres:16": "sha256:pg1"}
	const restartYAML = "services:\n  app:\n    image: app\n    depends_on:\n      db: {condition: service_started, restart: true}\n" +
		"  db:\n    image: db\n    environment: {A: b}\n"
	tests := []struct {
		name  string
		yaml  string
		drift func(p *project.Project, obs *Observed)
		want  string
	}{
		{
			name: "network whose config changed is recreated, containers reconnected",
			yaml: shopYAML,
			drift: func(p *project.Project, obs *Observed) {
				obs.Networks["shop_back"] = Network{Name: "shop_back", ConfigHash: "old"}
			},
			want: `1 disconnect service:db:1 -> shop_back (replaced)
2 disconnect service:migrate:1 -> shop_back (replaced)
3 disconnect service:web:1 -> shop_back (replaced)
4 remove-network network:back (config changed) after 1,2,3
5 create-network network:back (config changed) after 4
6 connect service:db:1 -> shop_back (config changed) after 5
7 connect service:migrate:1 -> shop_back (config changed) after 5
8 connect service:web:1 -> shop_back (config changed) after 5
`,
		},
		{
			name: "network without Berth's label is used as it is",
			yaml: shopYAML,
			drift: func(p *project.Project, obs *Observed) {
				obs.Networks["shop_back"] = Network{Name: "shop_back"}
			},
			want: "",
		},
		{
			name: "container missing a network is connected in place",
			yaml: shopYAML,
			drift: func(p *project.Project, obs *Observed) {
				web := &obs.Containers["web"][0]
				web.Networks = slices.DeleteFunc(web.Networks, func(n string) bool { return n == "shop_front" })
			},
			want: "1 connect service:web:1 -> shop_front (network not attached)\n",
		},
		{
			name: "container missing a named volume is recreated",
			yaml: shopYAML,
			drift: func(p *project.Project, obs *Observed) {
				obs.Containers["db"][0].Volumes = nil
			},
			want: `1 create service:db:1 (volume not mounted)
2 stop service:db:1 (replaced) after 1
3 remove service:db:1 (replaced) after 2
4 rename service:db:1 -> shop-db-1 (volume not mounted) after 3
5 start service:db:1 (volume not mounted) after 4
`,
		},
		{
			name: "restart: true dependent restarts after its dependency is recreated",
			yaml: restartYAML,
			drift: func(p *project.Project, obs *Observed) {
				p.Compose.Services["db"].Environment["A"] = ptr("c")
			},
			want: `1 create service:db:1 (config changed)
2 stop service:db:1 (replaced) after 1
3 remove service:db:1 (replaced) after 2
4 rename service:db:1 -> shop-db-1 (config changed) after 3
5 start service:db:1 (config changed) after 4
6 restart service:app:1 (dependency restarted) after 5
`,
		},
		{
			name: "restart: true dependent restarts after its dependency is started again",
			yaml: restartYAML,
			drift: func(p *project.Project, obs *Observed) {
				setState(obs, "db", 1, "exited")
			},
			want: `1 start service:db:1 (not running)
2 restart service:app:1 (dependency restarted) after 1
`,
		},
		{
			name: "a dependent without restart: true is left running",
			yaml: "services:\n  app:\n    image: app\n    depends_on: [db]\n  db:\n    image: db\n    environment: {A: b}\n",
			drift: func(p *project.Project, obs *Observed) {
				p.Compose.Services["db"].Environment["A"] = ptr("c")
			},
			want: `1 create service:db:1 (config changed)
2 stop service:db:1 (replaced) after 1
3 remove service:db:1 (replaced) after 2
4 rename service:db:1 -> shop-db-1 (config changed) after 3
5 start service:db:1 (config changed) after 4
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := load(t, tt.yaml)
			obs := running(t, p, images)
			tt.drift(p, obs)
			plan, err := Compute(p, obs, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := plan.String(); got != tt.want {
				t.Fatalf("plan:\n%s\nwant:\n%s", got, tt.want)
			}
			// applying the plan converges
			f := newFake(p, obs)
			f.apply(t, plan)
			again, err := Compute(p, f.obs, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !again.Empty() {
				t.Fatalf("not converged after applying the plan:\n%s", again)
			}
		})
	}
}

// TestServiceHashVolumesFrom pins how volumes_from enters the hash: as the
// bare container ID, as Compose hashes it, whatever the access mode.
func TestServiceHashVolumesFrom(t *testing.T) {
	p := load(t, "services:\n  app:\n    image: app\n    volumes_from: [\"db:ro\"]\n  db:\n    image: db\n")
	resolved := Resolve(p.Compose.Services["app"], func(string) string { return "abc123" })
	if got := resolved.VolumesFrom; len(got) != 1 || got[0] != "container:abc123:ro" {
		t.Fatalf("resolved volumes_from %v: the container must still be created read-only", got)
	}
	bare := p.Compose.Services["app"]
	bare.VolumesFrom = []string{"abc123"}
	want, err := project.ServiceHash(bare)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ServiceHash(resolved)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("ServiceHash %s, want Compose's %s", got, want)
	}
}

func TestComputeOptionalDependencyAndExternals(t *testing.T) {
	p := load(t, "services:\n  app:\n    image: app\n    depends_on:\n      db: {condition: service_healthy, required: false}\n  db:\n    image: db\n")
	plan, err := Compute(p, &Observed{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range plan.Actions {
		if a.Kind == AwaitCondition {
			found = true
			if !a.Optional {
				t.Fatalf("await for a required: false dependency is not optional: %+v", a)
			}
		}
	}
	if !found {
		t.Fatalf("no await in\n%s", plan)
	}

	ext := load(t, "services:\n  app:\n    image: app\n    networks: [shared]\n    volumes: [data:/data]\nnetworks:\n  shared: {external: true}\nvolumes:\n  data: {external: true, name: keep}\n")
	if _, err := Compute(ext, &Observed{Volumes: map[string]Volume{"keep": {Name: "keep"}}}, Options{}); err == nil ||
		!strings.Contains(err.Error(), `network "shared" is external but shared does not exist`) {
		t.Fatalf("missing external network: %v", err)
	}
	if _, err := Compute(ext, &Observed{Networks: map[string]Network{"shared": {Name: "shared"}}}, Options{}); err == nil ||
		!strings.Contains(err.Error(), `volume "data" is external but keep does not exist`) {
		t.Fatalf("missing external volume: %v", err)
	}
	plan, err = Compute(ext, &Observed{Networks: map[string]Network{"shared": {Name: "shared"}}, Volumes: map[string]Volume{"keep": {Name: "keep"}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range plan.Actions {
		if a.Kind == CreateNetwork || a.Kind == CreateVolume {
			t.Fatalf("plan creates an external resource:\n%s", plan)
		}
	}
}
