package planner

import (
	"slices"
	"strings"
	"testing"
)

// oneOffs adds one-off containers (as `berth run` leaves them) to obs: a
// running one of web, an exited one of db, and a running one of a service
// no longer in the project.
func oneOffs(obs *Observed) {
	obs.OneOffs = []Container{
		{ID: "r1", Name: "shop-web-run-0123456789ab", Service: "web", State: "running"},
		{ID: "r2", Name: "shop-db-run-ba9876543210", Service: "db", State: "exited"},
		{ID: "r3", Name: "shop-old-run-aaaaaaaaaaaa", Service: "old", State: "running"},
	}
}

func TestComputeDownOneOffs(t *testing.T) {
	images := map[string]string{"shop/web": "sha256:web1", "postgres:16": "sha256:pg1"}
	orphanWarning := "found orphan containers (shop-old-run-aaaaaaaaaaaa) for this project: if you removed or renamed their service, run down with --remove-orphans to remove them"
	tests := []struct {
		name     string
		opt      DownOptions
		want     string
		warnings []string
	}{
		{
			name: "one-off containers go first, and the services they ran with stop after them; one of a service no longer defined is an orphan, kept",
			want: `1 remove oneoff:db:shop-db-run-ba9876543210 (one-off container)
2 stop oneoff:web:shop-web-run-0123456789ab (one-off container)
3 remove oneoff:web:shop-web-run-0123456789ab (one-off container) after 2
4 stop service:web:1 (down)
5 remove service:web:1 (down) after 4
6 stop service:migrate:1 (down) after 2,4
7 remove service:migrate:1 (down) after 6
8 stop service:db:1 (down) after 2,4,6
9 remove service:db:1 (down) after 8
10 remove-network network:back (down) after 1,3,5,7,9
11 remove-network network:front (down) after 1,3,5,7,9
`,
			warnings: []string{orphanWarning},
		},
		{
			name: "-v keeps the orphan one-off container too",
			opt:  DownOptions{Volumes: true},
			want: `1 remove oneoff:db:shop-db-run-ba9876543210 (one-off container)
2 stop oneoff:web:shop-web-run-0123456789ab (one-off container)
3 remove oneoff:web:shop-web-run-0123456789ab (one-off container) after 2
4 stop service:web:1 (down)
5 remove service:web:1 (down) after 4
6 stop service:migrate:1 (down) after 2,4
7 remove service:migrate:1 (down) after 6
8 stop service:db:1 (down) after 2,4,6
9 remove service:db:1 (down) after 8
10 remove-network network:back (down) after 1,3,5,7,9
11 remove-network network:front (down) after 1,3,5,7,9
12 remove-volume volume:orders (down) after 1,3,5,7,9
`,
			warnings: []string{orphanWarning},
		},
		{
			name: "--remove-orphans removes the orphan one-off container",
			opt:  DownOptions{RemoveOrphans: true},
			want: `1 remove oneoff:db:shop-db-run-ba9876543210 (one-off container)
2 stop oneoff:old:shop-old-run-aaaaaaaaaaaa (orphaned)
3 remove oneoff:old:shop-old-run-aaaaaaaaaaaa (orphaned) after 2
4 stop oneoff:web:shop-web-run-0123456789ab (one-off container)
5 remove oneoff:web:shop-web-run-0123456789ab (one-off container) after 4
6 stop service:web:1 (down)
7 remove service:web:1 (down) after 6
8 stop service:migrate:1 (down) after 4,6
9 remove service:migrate:1 (down) after 8
10 stop service:db:1 (down) after 4,6,8
11 remove service:db:1 (down) after 10
12 remove-network network:back (down) after 1,3,5,7,9,11
13 remove-network network:front (down) after 1,3,5,7,9,11
`,
		},
		{
			name: "named services: only their one-off containers",
			opt:  DownOptions{Services: []string{"web"}},
			want: `1 stop oneoff:web:shop-web-run-0123456789ab (one-off container)
2 remove oneoff:web:shop-web-run-0123456789ab (one-off container) after 1
3 stop service:web:1 (down)
4 remove service:web:1 (down) after 3
`,
		},
		{
			name: "named services with --remove-orphans: no orphans",
			opt:  DownOptions{Services: []string{"web"}, RemoveOrphans: true},
			want: `1 stop oneoff:web:shop-web-run-0123456789ab (one-off container)
2 remove oneoff:web:shop-web-run-0123456789ab (one-off container) after 1
3 stop service:web:1 (down)
4 remove service:web:1 (down) after 3
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := load(t, shopYAML)
			obs := running(t, p, images)
			oneOffs(obs)
			plan, err := ComputeDown(p, obs, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := plan.String(); got != tt.want {
				t.Fatalf("plan:\n%s\nwant:\n%s", got, tt.want)
			}
			if !slices.Equal(plan.Warnings, tt.warnings) {
				t.Fatalf("warnings %q, want %q", plan.Warnings, tt.warnings)
			}
		})
	}
}

// TestComputeDownOneOffVolumes: -v removes the anonymous volumes of the
// one-off containers of the project's services, never those of an orphan
// one (removed with --remove-orphans), as with Compose.
func TestComputeDownOneOffVolumes(t *testing.T) {
	p := load(t, shopYAML)
	for _, volumes := range []bool{false, true} {
		obs := &Observed{}
		oneOffs(obs)
		plan, err := ComputeDown(p, obs, DownOptions{Volumes: volumes, RemoveOrphans: true})
		if err != nil {
			t.Fatal(err)
		}
		removed := 0
		for _, a := range plan.Actions {
			if a.Kind != RemoveContainer {
				continue
			}
			removed++
			want := volumes && a.Resource.Service != "old"
			if a.RemoveVolumes != want {
				t.Errorf("-v=%t: %s removes its anonymous volumes: %t, want %t", volumes, a.Resource, a.RemoveVolumes, want)
			}
		}
		if removed != 3 {
			t.Errorf("-v=%t: %d containers removed, want 3:\n%s", volumes, removed, plan)
		}
	}
}

// TestOneOffsIgnoredOutsideDown: up (with --remove-orphans too) and the
// lifecycle operations but kill (which reaches them, as Compose's does)
// plan the same with and without one-off containers.
func TestOneOffsIgnoredOutsideDown(t *testing.T) {
	images := map[string]string{"shop/web": "sha256:web1", "postgres:16": "sha256:pg1"}
	p := load(t, shopYAML)
	plans := func(obs *Observed) string {
		var b strings.Builder
		for _, opt := range []Options{{}, {RemoveOrphans: true}, {ForceRecreate: true}} {
			plan, err := Compute(p, obs, opt)
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(plan.String() + strings.Join(plan.Warnings, "\n") + "\n--\n")
		}
		for _, op := range []Lifecycle{Start, Restart, Pause, Unpause, Remove, Stop} {
			plan, err := ComputeLifecycle(p, obs, op, LifecycleOptions{Stop: true})
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(plan.String() + strings.Join(plan.Warnings, "\n") + "\n--\n")
		}
		return b.String()
	}
	obs := running(t, p, images)
	want := plans(obs)
	oneOffs(obs)
	if got := plans(obs); got != want {
		t.Fatalf("with one-off containers:\n%s\nwithout:\n%s", got, want)
	}
}

func TestOneOffResourceRoundTrip(t *testing.T) {
	r := OneOffRes("web", "shop-web-run-0123456789ab")
	if got := r.String(); got != "oneoff:web:shop-web-run-0123456789ab" {
		t.Fatalf("String() = %q", got)
	}
	back, err := ParseResource(r.String())
	if err != nil || back != r {
		t.Fatalf("ParseResource(%q) = %+v, %v", r.String(), back, err)
	}
	for _, bad := range []string{"oneoff:web", "oneoff::x", "oneoff:web:"} {
		if _, err := ParseResource(bad); err == nil {
			t.Errorf("ParseResource(%q) accepted", bad)
		}
	}
}

func TestRenderOneOffRemoval(t *testing.T) {
	p := load(t, shopYAML)
	obs := &Observed{}
	oneOffs(obs)
	plan, err := ComputeDown(p, obs, DownOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Render(&b, plan, RenderOptions{Project: "shop"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"  - container shop-web-run-0123456789ab (one-off container)\n",
		"  - container shop-db-run-ba9876543210 (one-off container)\n",
		"Plan: 0 to create, 0 to recreate, 2 to remove.",
		"Warning: found orphan containers (shop-old-run-aaaaaaaaaaaa)",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("render lacks %q:\n%s", want, b.String())
		}
	}
}
