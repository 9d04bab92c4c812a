package planner

import (
	"strings"
	"testing"
)

func TestComputeLifecycle(t *testing.T) {
	p := load(t, shopYAML)
	images := map[string]string{"shop/web": "sha256:web1", "postgres:16": "sha256:pg1"}
	// web is running, db too, migrate exited 0 (a completed one-shot)
	base := func(t *testing.T) *Observed {
		obs := running(t, p, images)
		setExited(obs, "migrate", 1, 0)
		return obs
	}
	stopped := func(t *testing.T) *Observed {
		obs := base(t)
		setState(obs, "web", 1, "exited")
		setState(obs, "db", 1, "exited")
		return obs
	}
	withOrphans := func(t *testing.T) *Observed {
		obs := base(t)
		obs.Containers["old"] = []Container{
			{ID: "old2", Name: "shop-old-2", Service: "old", Number: 2, State: "exited"},
			{ID: "old1", Name: "shop-old-1", Service: "old", Number: 1, State: "running"},
		}
		return obs
	}
	tests := []struct {
		name    string
		obs     func(*testing.T) *Observed
		op      Lifecycle
		opt     LifecycleOptions
		want    string
		wantErr string
	}{
		{name: "start: dependencies first, through their conditions", obs: stopped, op: Start,
			want: "1 start service:db:1 (not running)\n" +
				"2 await service:db -> service_healthy (dependency condition) after 1\n" +
				"3 start service:migrate:1 (not running) after 2\n" +
				"4 await service:migrate -> service_completed_successfully (dependency condition) after 3\n" +
				"5 start service:web:1 (not running) after 2,4\n"},
		{name: "start of one service starts only it", obs: stopped, op: Start, opt: LifecycleOptions{Services: []string{"db"}},
			want: "1 start service:db:1 (not running)\n"},
		{name: "restart takes along only dependents with restart: true", obs: base, op: Restart, opt: LifecycleOptions{Services: []string{"db"}, Dependents: true},
			want: "1 restart service:db:1 (requested)\n"},
		{name: "restart of everything waits only on restart: true relations", obs: base, op: Restart,
			want: "1 restart service:db:1 (requested)\n2 restart service:migrate:1 (requested)\n3 restart service:web:1 (requested)\n"},
		{name: "restart --no-deps", obs: base, op: Restart, opt: LifecycleOptions{Services: []string{"db"}},
			want: "1 restart service:db:1 (requested)\n"},
		{name: "kill sends the signal to running containers", obs: base, op: Kill, opt: LifecycleOptions{Signal: "SIGTERM"},
			want: "1 kill service:db:1 -> SIGTERM (requested)\n2 kill service:web:1 -> SIGTERM (requested)\n"},
		{name: "pause", obs: base, op: Pause, want: "1 pause service:db:1 (requested)\n2 pause service:web:1 (requested)\n"},
		{name: "unpause only what is paused", obs: func(t *testing.T) *Observed {
			obs := base(t)
			setState(obs, "web", 1, "paused")
			return obs
		}, op: Unpause, want: "1 unpause service:web:1 (requested)\n"},
		{name: "rm leaves running containers", obs: base, op: Remove, want: "1 remove service:migrate:1 (requested)\n"},
		{name: "rm -s stops dependents first", obs: base, op: Remove, opt: LifecycleOptions{Stop: true},
			want: "1 stop service:web:1 (requested)\n2 remove service:web:1 (requested) after 1\n" +
				"3 remove service:migrate:1 (requested)\n" +
				"4 stop service:db:1 (requested) after 1\n5 remove service:db:1 (requested) after 4\n"},
		{name: "stop: dependents first, stopped ones left", obs: base, op: Stop,
			want: "1 stop service:web:1 (requested)\n2 stop service:db:1 (requested) after 1\n"},
		{name: "kill leaves orphans alone", obs: withOrphans, op: Kill,
			want: "1 kill service:db:1 -> SIGKILL (requested)\n2 kill service:web:1 -> SIGKILL (requested)\n"},
		{name: "kill --remove-orphans stops and removes them after the kills", obs: withOrphans, op: Kill, opt: LifecycleOptions{RemoveOrphans: true},
			want: "1 kill service:db:1 -> SIGKILL (requested)\n2 kill service:web:1 -> SIGKILL (requested)\n" +
				"3 stop service:old:1 (orphaned)\n4 remove service:old:1 (orphaned) after 3\n" +
				"5 remove service:old:2 (orphaned)\n"},
		{name: "kill --remove-orphans of one service still removes the orphans", obs: withOrphans, op: Kill,
			opt:  LifecycleOptions{Services: []string{"web"}, Signal: "SIGTERM", RemoveOrphans: true},
			want: "1 kill service:web:1 -> SIGTERM (requested)\n2 stop service:old:1 (orphaned)\n3 remove service:old:1 (orphaned) after 2\n4 remove service:old:2 (orphaned)\n"},
		{name: "kill reaches paused and one-off containers", obs: func(t *testing.T) *Observed {
			obs := base(t)
			setState(obs, "web", 1, "paused")
			obs.OneOffs = []Container{
				{ID: "r1", Name: "shop-web-run-0123456789ab", Service: "web", State: "running"},
				{ID: "r2", Name: "shop-web-run-ba9876543210", Service: "web", State: "exited"},
				{ID: "r3", Name: "shop-db-run-0123456789ab", Service: "db", State: "running"},
			}
			return obs
		}, op: Kill, opt: LifecycleOptions{Services: []string{"web"}},
			want: "1 kill service:web:1 -> SIGKILL (requested)\n2 kill oneoff:web:shop-web-run-0123456789ab -> SIGKILL (requested)\n"},
		{name: "kill with an unknown signal", obs: base, op: Kill, opt: LifecycleOptions{Signal: "SIGFOO"}, wantErr: `invalid signal "SIGFOO"`},
		{name: "unknown service", obs: base, op: Start, opt: LifecycleOptions{Services: []string{"nope"}}, wantErr: `no such service: "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := ComputeLifecycle(p, tt.obs(t), tt.op, tt.opt)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := plan.String(); got != tt.want {
				t.Errorf("plan:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestKillRemoveOrphansKeepsProfileServices checks that the containers of a
// service a profile disables are not orphans for kill --remove-orphans.
func TestKillRemoveOrphansKeepsProfileServices(t *testing.T) {
	p := load(t, "services:\n  app:\n    image: app\n  extra:\n    image: x\n    profiles: [debug]\n")
	obs := &Observed{Containers: map[string][]Container{
		"app":   {{ID: "a1", Name: "shop-app-1", Service: "app", Number: 1, State: "running"}},
		"extra": {{ID: "e1", Name: "shop-extra-1", Service: "extra", Number: 1, State: "running"}},
		"old":   {{ID: "o1", Name: "shop-old-1", Service: "old", Number: 1, State: "running"}},
	}}
	plan, err := ComputeLifecycle(p, obs, Kill, LifecycleOptions{RemoveOrphans: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "1 kill service:app:1 -> SIGKILL (requested)\n2 stop service:old:1 (orphaned)\n3 remove service:old:1 (orphaned) after 2\n"
	if got := plan.String(); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

// TestRestartFollowsRestartTrue: restart takes along the dependents whose
// depends_on says restart: true, after their dependency and its condition,
// and leaves the others, as Compose's restart does.
func TestRestartFollowsRestartTrue(t *testing.T) {
	p := load(t, `
services:
  db:
    image: postgres:16
  web:
    image: shop/web
    depends_on:
      db: {condition: service_healthy, restart: true}
  worker:
    image: shop/web
    depends_on:
      db: {condition: service_healthy}
`)
	obs := running(t, p, map[string]string{"shop/web": "sha256:web1", "postgres:16": "sha256:pg1"})
	plan, err := ComputeLifecycle(p, obs, Restart, LifecycleOptions{Services: []string{"db"}, Dependents: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "1 restart service:db:1 (requested)\n" +
		"2 await service:db -> service_healthy (dependency condition) after 1\n" +
		"3 restart service:web:1 (requested) after 2\n"
	if got := plan.String(); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}
