package planner

import (
	"strings"
	"testing"
)

func TestComputeDown(t *testing.T) {
	images := map[string]string{"shop/web": "sha256:web1", "postgres:16": "sha256:pg1"}
	tests := []struct {
		name    string
		state   func(obs *Observed)
		opt     DownOptions
		want    string
		warning string
	}{
		{
			name: "dependents stop before their dependencies, networks after the containers",
			want: `1 stop service:web:1 (down)
2 remove service:web:1 (down) after 1
3 stop service:migrate:1 (down) after 1
4 remove service:migrate:1 (down) after 3
5 stop service:db:1 (down) after 1,3
6 remove service:db:1 (down) after 5
7 remove-network network:back (down) after 2,4,6
8 remove-network network:front (down) after 2,4,6
`,
		},
		{
			name:  "stopped containers are removed without a stop",
			state: func(obs *Observed) { setState(obs, "migrate", 1, "exited") },
			want: `1 stop service:web:1 (down)
2 remove service:web:1 (down) after 1
3 remove service:migrate:1 (down) after 1
4 stop service:db:1 (down) after 1
5 remove service:db:1 (down) after 4
6 remove-network network:back (down) after 2,3,5
7 remove-network network:front (down) after 2,3,5
`,
		},
		{
			name: "-v removes named volumes",
			opt:  DownOptions{Volumes: true},
			want: `1 stop service:web:1 (down)
2 remove service:web:1 (down) after 1
3 stop service:migrate:1 (down) after 1
4 remove service:migrate:1 (down) after 3
5 stop service:db:1 (down) after 1,3
6 remove service:db:1 (down) after 5
7 remove-network network:back (down) after 2,4,6
8 remove-network network:front (down) after 2,4,6
9 remove-volume volume:orders (down) after 2,4,6
`,
		},
		{
			name: "named services only: networks and volumes stay",
			opt:  DownOptions{Services: []string{"web"}, Volumes: true},
			want: `1 stop service:web:1 (down)
2 remove service:web:1 (down) after 1
`,
		},
		{
			name: "orphans are warned about and kept",
			state: func(obs *Observed) {
				obs.Containers["old"] = []Container{{ID: "o1", Name: "shop-old-1", Service: "old", Number: 1, State: "running"}}
			},
			want: `1 stop service:web:1 (down)
2 remove service:web:1 (down) after 1
3 stop service:migrate:1 (down) after 1
4 remove service:migrate:1 (down) after 3
5 stop service:db:1 (down) after 1,3
6 remove service:db:1 (down) after 5
7 remove-network network:back (down) after 2,4,6
8 remove-network network:front (down) after 2,4,6
`,
			warning: "shop-old-1",
		},
		{
			name: "--remove-orphans removes them",
			opt:  DownOptions{RemoveOrphans: true},
			state: func(obs *Observed) {
				obs.Containers["old"] = []Container{{ID: "o1", Name: "shop-old-1", Service: "old", Number: 1, State: "running"}}
			},
			want: `1 stop service:old:1 (orphaned)
2 remove service:old:1 (orphaned) after 1
3 stop service:web:1 (down)
4 remove service:web:1 (down) after 3
5 stop service:migrate:1 (down) after 3
6 remove service:migrate:1 (down) after 5
7 stop service:db:1 (down) after 3,5
8 remove service:db:1 (down) after 7
9 remove-network network:back (down) after 2,4,6,8
10 remove-network network:front (down) after 2,4,6,8
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := load(t, shopYAML)
			obs := running(t, p, images)
			if tt.state != nil {
				tt.state(obs)
			}
			plan, err := ComputeDown(p, obs, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := plan.String(); got != tt.want {
				t.Fatalf("plan:\n%s\nwant:\n%s", got, tt.want)
			}
			if tt.warning != "" && (len(plan.Warnings) != 1 || !strings.Contains(plan.Warnings[0], tt.warning)) {
				t.Fatalf("warnings %q, want one naming %s", plan.Warnings, tt.warning)
			}
		})
	}
}

func TestComputeDownOfEmptyEngineIsEmpty(t *testing.T) {
	p := load(t, shopYAML)
	plan, err := ComputeDown(p, &Observed{}, DownOptions{Volumes: true, RemoveOrphans: true})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Empty() {
		t.Fatalf("plan for an empty engine:\n%s", plan)
	}
}

func TestComputeDownUnknownService(t *testing.T) {
	p := load(t, shopYAML)
	if _, err := ComputeDown(p, &Observed{}, DownOptions{Services: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("err = %v, want one naming the service", err)
	}
}

func TestComputeDownRemoveImages(t *testing.T) {
	const yaml = "services:\n  app:\n    image: shop/app\n  built:\n    build: .\n  twin:\n    image: shop/app\n"
	images := map[string]string{"shop/app": "sha256:a", "shop-built": "sha256:b"}
	tests := []struct {
		rmi  string
		want []string
	}{
		{"local", []string{"image:shop-built"}},
		{"all", []string{"image:shop/app", "image:shop-built"}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run("rmi="+tt.rmi, func(t *testing.T) {
			p := load(t, yaml)
			obs := running(t, p, images)
			plan, err := ComputeDown(p, obs, DownOptions{RemoveImages: tt.rmi})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range plan.Actions {
				if a.Kind == RemoveImage {
					got = append(got, a.Resource.String())
					if len(a.DependsOn) != 3 {
						t.Errorf("%s should wait for the 3 container removals, waits for %v", a.Resource, a.DependsOn)
					}
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("images removed %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := ComputeDown(load(t, yaml), &Observed{}, DownOptions{RemoveImages: "some"}); err == nil {
		t.Fatal("--rmi some accepted")
	}
}
