package planner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
)

const shopYAML = `
services:
  web:
    image: shop/web
    environment:
      LOG_LEVEL: info
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
    networks: [front, back]
  migrate:
    image: shop/web
    command: ["migrate"]
    depends_on:
      db: {condition: service_healthy}
    networks: [back]
  db:
    image: postgres:16
    volumes: [orders:/var/lib/postgresql/data]
    networks: [back]
networks: {front: {}, back: {}}
volumes: {orders: {}}
`

// running is the state after a cold start of p: everything created and
// started.
func running(t testing.TB, p *project.Project, images map[string]string) *Observed {
	t.Helper()
	f := newFake(p, &Observed{Project: "shop", Images: localImages(images)})
	plan, err := Compute(p, f.obs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.apply(t, plan)
	return f.obs
}

// setState sets the state of a container; "exited" means stopped by a
// signal (exit code 137), see setExited for a one-shot that completed.
func setState(obs *Observed, svc string, n int, state string) {
	for i, c := range obs.Containers[svc] {
		if c.Number == n {
			obs.Containers[svc][i].State = state
			if state == "exited" {
				obs.Containers[svc][i].ExitCode = 137
			}
		}
	}
}

// setExited marks a container as exited with code.
func setExited(obs *Observed, svc string, n, code int) {
	setState(obs, svc, n, "exited")
	for i, c := range obs.Containers[svc] {
		if c.Number == n {
			obs.Containers[svc][i].ExitCode = code
		}
	}
}

func TestCompute(t *testing.T) {
	images := map[string]string{"shop/web": "sha256:web1", "postgres:16": "sha256:pg1"}
	tests := []struct {
		name string
		yaml string
		// observed builds the engine state from the converged one (nil:
		// an empty engine).
		observed func(t *testing.T, p *project.Project, obs *Observed) *Observed
		opt      Options
		want     string
		wantErr  string
		warning  string
		changes  []Change
	}{
		{
			name: "cold start",
			yaml: shopYAML,
			want: `1 create-network network:back (missing)
2 create-network network:front (missing)
3 create-volume volume:orders (missing)
4 create service:db:1 (missing) after 1,3
5 start service:db:1 (missing) after 4
6 create service:migrate:1 (missing) after 1
7 await service:db -> service_healthy (dependency condition) after 5
8 start service:migrate:1 (missing) after 6,7
9 create service:web:1 (missing) after 1,2
10 connect service:web:1 -> shop_front (missing) after 9
11 await service:migrate -> service_completed_successfully (dependency condition) after 8
12 start service:web:1 (missing) after 7,9,10,11
`,
		},
		{
			name:     "converged",
			yaml:     shopYAML,
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed { return obs },
			want:     "",
		},
		{
			// Compose starts it again on every `up`; Berth leaves a
			// completed one-shot alone, so a second `up` does nothing
			name: "completed one-shot stays done",
			yaml: shopYAML,
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed {
				setExited(obs, "migrate", 1, 0)
				return obs
			},
			want: "",
		},
		{
			name: "failed one-shot is run again",
			yaml: shopYAML,
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed {
				setExited(obs, "migrate", 1, 3)
				return obs
			},
			want: `1 await service:db -> service_healthy (dependency condition)
2 start service:migrate:1 (not running) after 1
`,
		},
		{
			// a server stopped with Ctrl-C exits 0 too: only a service
			// others wait on to complete counts as a finished job
			name: "server that exited 0 is started again",
			yaml: "services:\n  app:\n    image: app\n",
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed {
				setExited(obs, "app", 1, 0)
				return obs
			},
			want: "1 start service:app:1 (not running)\n",
		},
		{
			name: "exited service with a restart policy is started",
			yaml: "services:\n  app:\n    image: app\n    restart: always\n",
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed {
				setExited(obs, "app", 1, 0)
				return obs
			},
			want: "1 start service:app:1 (not running)\n",
		},
		{
			name: "environment change recreates that service only",
			yaml: shopYAML,
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed {
				p.Compose.Services["web"].Environment["LOG_LEVEL"] = ptr("debug")
				return obs
			},
			want: `1 create service:web:1 (config changed)
2 connect service:web:1 -> shop_front (missing) after 1
3 stop service:web:1 (replaced) after 1,2
4 remove service:web:1 (replaced) after 3
5 rename service:web:1 -> shop-web-1 (config changed) after 4
6 await service:db -> service_healthy (dependency condition)
7 await service:migrate -> service_completed_successfully (dependency condition)
8 start service:web:1 (config changed) after 2,5,6,7
`,
			changes: []Change{{Path: "environment.LOG_LEVEL", Old: "info", New: "debug"}},
		},
		{
			name: "image ID behind the tag changed",
			yaml: shopYAML,
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed {
				obs.Images["postgres:16"] = LocalImage{ID: "sha256:pg2"}
				return obs
			},
			want: `1 create service:db:1 (image changed)
2 stop service:db:1 (replaced) after 1
3 remove service:db:1 (replaced) after 2
4 rename service:db:1 -> shop-db-1 (image changed) after 3
5 start service:db:1 (image changed) after 4
`,
		},
		{
			name:     "force recreate",
			yaml:     "services:\n  app:\n    image: app\n",
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed { return obs },
			opt:      Options{ForceRecreate: true},
			want: `1 create service:app:1 (forced)
2 stop service:app:1 (replaced) after 1
3 remove service:app:1 (replaced) after 2
4 rename service:app:1 -> shop-app-1 (forced) after 3
5 start service:app:1 (forced) after 4
`,
		},
		{
			name: "no recreate leaves a changed container, starts a stopped one",
			yaml: "services:\n  app:\n    image: app\n",
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed {
				p.Compose.Services["app"] = withImage(p, "app", "app:2")
				setState(obs, "app", 1, "exited")
				return obs
			},
			opt:  Options{NoRecreate: true},
			want: "1 start service:app:1 (not running)\n",
		},
		{
			name: "stopped container is started",
			yaml: "services:\n  app:\n    image: app\n",
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed {
				setState(obs, "app", 1, "created")
				return obs
			},
			want: "1 start service:app:1 (not running)\n",
		},
		{
			name:     "scale up",
			yaml:     "services:\n  app:\n    image: app\n",
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed { return obs },
			opt:      Options{Scale: map[string]int{"app": 3}},
			want: `1 create service:app:2 (missing)
2 start service:app:2 (missing) after 1
3 create service:app:3 (missing)
4 start service:app:3 (missing) after 3
`,
		},
		{
			name:     "scale down removes highest numbers first",
			yaml:     "services:\n  app:\n    image: app\n    scale: 3\n",
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed { return obs },
			opt:      Options{Scale: map[string]int{"app": 1}},
			want: `1 stop service:app:3 (scale down)
2 remove service:app:3 (scale down) after 1
3 stop service:app:2 (scale down)
4 remove service:app:2 (scale down) after 3
`,
		},
		{
			name: "orphans warned about",
			yaml: "services:\n  app:\n    image: app\n  extra:\n    image: x\n    profiles: [debug]\n",
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed {
				obs.Containers["old"] = []Container{{ID: "old1", Name: "shop-old-1", Service: "old", Number: 1, State: "running"}}
				obs.Containers["extra"] = []Container{{ID: "ex1", Name: "shop-extra-1", Service: "extra", Number: 1, State: "running"}}
				return obs
			},
			want:    "",
			warning: "found orphan containers (shop-old-1) for services not in the project: remove them with --remove-orphans",
		},
		{
			name: "orphans removed",
			yaml: "services:\n  app:\n    image: app\n  extra:\n    image: x\n    profiles: [debug]\n",
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed {
				obs.Containers["old"] = []Container{{ID: "old1", Name: "shop-old-1", Service: "old", Number: 1, State: "running"}}
				obs.Containers["extra"] = []Container{{ID: "ex1", Name: "shop-extra-1", Service: "extra", Number: 1, State: "running"}}
				return obs
			},
			opt: Options{RemoveOrphans: true},
			want: `1 stop service:old:1 (orphaned)
2 remove service:old:1 (orphaned) after 1
`,
		},
		{
			name: "changed volume is an error",
			yaml: shopYAML,
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed {
				obs.Volumes["shop_orders"] = Volume{Name: "shop_orders", ConfigHash: "other"}
				return obs
			},
			wantErr: `volume "orders" (shop_orders) has changed configuration: recreating it would lose its data`,
		},
		{
			name: "changed volume recreated when allowed",
			yaml: "services:\n  db:\n    image: db\n    volumes: [data:/data]\nvolumes: {data: {}}\n",
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed {
				obs.Volumes["shop_data"] = Volume{Name: "shop_data", ConfigHash: "other"}
				return obs
			},
			opt: Options{RecreateChangedVolumes: true},
			want: `1 stop service:db:1 (replaced)
2 remove service:db:1 (replaced) after 1
3 remove-volume volume:data (config changed) after 2
4 create-volume volume:data (config changed) after 3
5 create service:db:1 (dependency recreated) after 4
6 start service:db:1 (dependency recreated) after 5
`,
		},
		{
			name: "no start",
			yaml: "services:\n  app:\n    image: app\n",
			opt:  Options{NoStart: true},
			want: `1 create-network network:default (missing)
2 create service:app:1 (missing) after 1
`,
		},
		{
			name: "named service with its dependencies",
			yaml: shopYAML,
			opt:  Options{Services: []string{"migrate"}},
			want: `1 create-network network:back (missing)
2 create-network network:front (missing)
3 create-volume volume:orders (missing)
4 create service:db:1 (missing) after 1,3
5 start service:db:1 (missing) after 4
6 create service:migrate:1 (missing) after 1
7 await service:db -> service_healthy (dependency condition) after 5
8 start service:migrate:1 (missing) after 6,7
`,
		},
		{
			name: "no deps",
			yaml: shopYAML,
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed {
				setState(obs, "db", 1, "exited")
				setState(obs, "web", 1, "exited")
				return obs
			},
			opt:  Options{Services: []string{"web"}, NoDeps: true},
			want: "1 start service:web:1 (not running)\n",
		},
		{
			name:     "always recreate deps",
			yaml:     "services:\n  app:\n    image: app\n    depends_on: [db]\n  db:\n    image: db\n",
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed { return obs },
			opt:      Options{Services: []string{"app"}, AlwaysRecreateDeps: true},
			want: `1 create service:db:1 (forced)
2 stop service:db:1 (replaced) after 1
3 remove service:db:1 (replaced) after 2
4 rename service:db:1 -> shop-db-1 (forced) after 3
5 start service:db:1 (forced) after 4
`,
		},
		{
			name:    "container_name with replicas",
			yaml:    "services:\n  app:\n    image: app\n    container_name: theapp\n",
			opt:     Options{Scale: map[string]int{"app": 2}},
			wantErr: `service "app" has container_name "theapp" and 2 replicas`,
		},
		{
			name: "network_mode service dependency recreated",
			yaml: "services:\n  vpn:\n    image: vpn\n  app:\n    image: app\n    network_mode: service:vpn\n",
			observed: func(t *testing.T, p *project.Project, obs *Observed) *Observed {
				p.Compose.Services["vpn"] = withImage(p, "vpn", "vpn:2")
				return obs
			},
			want: `1 create service:vpn:1 (config changed)
2 stop service:vpn:1 (replaced) after 1
3 remove service:vpn:1 (replaced) after 2
4 rename service:vpn:1 -> shop-vpn-1 (config changed) after 3
5 start service:vpn:1 (config changed) after 4
6 create service:app:1 (dependency recreated) after 5
7 stop service:app:1 (replaced) after 6
8 remove service:app:1 (replaced) after 7
9 rename service:app:1 -> shop-app-1 (dependency recreated) after 8
10 start service:app:1 (dependency recreated) after 5,9
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := load(t, tt.yaml)
			imgs := map[string]string{}
			for k, v := range images {
				imgs[k] = v
			}
			obs := &Observed{Project: "shop", Images: localImages(imgs)}
			if tt.observed != nil {
				obs = tt.observed(t, p, running(t, p, imgs))
			}
			plan, err := Compute(p, obs, tt.opt)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := plan.String(); got != tt.want {
				t.Errorf("plan:\n%s\nwant:\n%s", got, tt.want)
			}
			if tt.warning != "" && (len(plan.Warnings) != 1 || plan.Warnings[0] != tt.warning) {
				t.Errorf("warnings = %q, want %q", plan.Warnings, tt.warning)
			}
			if tt.changes != nil {
				if got := fmt.Sprint(plan.Actions[0].Changes); got != fmt.Sprint(tt.changes) {
					t.Errorf("changes = %s, want %s", got, fmt.Sprint(tt.changes))
				}
			}
			again, err := Compute(p, obs, tt.opt)
			if err != nil || again.String() != plan.String() {
				t.Errorf("Compute is not deterministic")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// withImage is service svc of p with its image replaced.
func withImage(p *project.Project, svc, image string) (s types.ServiceConfig) {
	s = p.Compose.Services[svc]
	s.Image = image
	return s
}
