package planner

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/project"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/render")

// computed is the plan Compute makes for yaml (project "shop") on the state
// observed builds from the converged one, or on an empty engine when
// observed is nil.
func computed(t *testing.T, yaml string, observed func(p *project.Project, obs *Observed), opt Options) *Plan {
	t.Helper()
	p := load(t, yaml)
	images := map[string]string{"shop/web": "sha256:web1", "postgres:16": "sha256:pg1"}
	obs := &Observed{Project: "shop", Images: localImages(images)}
	if observed != nil {
		obs = running(t, p, images)
		observed(p, obs)
	}
	plan, err := Compute(p, obs, opt)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

const orphanYAML = "services:\n  app:\n    image: app\n"

func addOrphan(p *project.Project, obs *Observed) {
	obs.Containers["old"] = []Container{{ID: "old1", Name: "shop-old-1", Service: "old", Number: 1, State: "running"}}
}

// renderCases are the golden cases: testdata/render/<name>.txt holds
// Render's output (with the project heading), <name>.json RenderJSON's.
func renderCases(t *testing.T) []struct {
	name string
	plan *Plan
} {
	return []struct {
		name string
		plan *Plan
	}{
		{"cold_start", computed(t, shopYAML, nil, Options{})},
		{"converged", computed(t, shopYAML, func(*project.Project, *Observed) {}, Options{})},
		{"environment_change", computed(t, shopYAML, func(p *project.Project, obs *Observed) {
			p.Compose.Services["web"].Environment["LOG_LEVEL"] = ptr("debug")
		}, Options{})},
		{"scale_down", computed(t, "services:\n  app:\n    image: app\n    scale: 3\n",
			func(*project.Project, *Observed) {}, Options{Scale: map[string]int{"app": 1}})},
		{"orphans_removed", computed(t, orphanYAML, addOrphan, Options{RemoveOrphans: true})},
		{"orphans_warning", computed(t, orphanYAML, addOrphan, Options{})},
		{"stopped_start", computed(t, orphanYAML, func(p *project.Project, obs *Observed) {
			setState(obs, "app", 1, "exited")
		}, Options{})},
		{"volume_recreate", computed(t, "services:\n  db:\n    image: db\n    volumes: [data:/data]\nvolumes: {data: {}}\n",
			func(p *project.Project, obs *Observed) {
				obs.Volumes["shop_data"] = Volume{Name: "shop_data", ConfigHash: "other"}
			}, Options{RecreateChangedVolumes: true})},
		{"absent_values", &Plan{Actions: []Action{
			{ID: 1, Kind: CreateContainer, Resource: res("service:app:1"), Name: "abc_shop-app-1", Reason: ConfigChanged, Changes: []Change{
				{Path: "environment.NEW", New: "on"},
				{Path: "environment.OLD", Old: "off"},
				{Path: "labels.quote", Old: `say "hi"`, New: "tab\there"},
			}},
			{ID: 2, Kind: StopContainer, Resource: res("service:app:1"), Name: "shop-app-1", Reason: Replaced, DependsOn: []int{1}},
			{ID: 3, Kind: RemoveContainer, Resource: res("service:app:1"), Name: "shop-app-1", Reason: Replaced, DependsOn: []int{2}},
			{ID: 4, Kind: RenameContainer, Resource: res("service:app:1"), Name: "abc_shop-app-1", Target: "shop-app-1", Reason: ConfigChanged, DependsOn: []int{3}},
		}}},
		{"down_and_connect", &Plan{Actions: []Action{
			{ID: 1, Kind: ConnectNetwork, Resource: res("service:app:1"), Name: "shop-app-1", Target: "shop_back", Reason: NetworkNotAttached},
			{ID: 2, Kind: StopContainer, Resource: res("service:old:1"), Name: "shop-old-1", Reason: Down},
			{ID: 3, Kind: RemoveContainer, Resource: res("service:old:1"), Name: "shop-old-1", Reason: Down, DependsOn: []int{2}},
			{ID: 4, Kind: RemoveNetwork, Resource: res("network:default"), Name: "shop_default", Reason: Down, DependsOn: []int{3}},
			{ID: 5, Kind: RemoveVolume, Resource: res("volume:data"), Name: "shop_data", Reason: Down, DependsOn: []int{3}},
		}, Warnings: []string{"one", "two"}}},
	}
}

func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "render", file)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./planner -run TestRender -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (rerun with -update if the change is intended)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range renderCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			var txt bytes.Buffer
			if err := Render(&txt, tc.plan, RenderOptions{Project: "shop"}); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".txt", txt.Bytes())

			var js bytes.Buffer
			if err := RenderJSON(&js, tc.plan, "shop"); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".json", js.Bytes())

			var doc struct {
				Project string `json:"project"`
				Actions []struct {
					ID     int    `json:"id"`
					Kind   Kind   `json:"kind"`
					Reason Reason `json:"reason"`
				} `json:"actions"`
				Summary  Summary  `json:"summary"`
				Warnings []string `json:"warnings"`
			}
			if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
				t.Fatalf("JSON does not parse back: %v\n%s", err, js.Bytes())
			}
			if doc.Project != "shop" || len(doc.Actions) != len(tc.plan.Actions) || len(doc.Warnings) != len(tc.plan.Warnings) {
				t.Errorf("JSON has project %q, %d actions, %d warnings; want shop, %d, %d",
					doc.Project, len(doc.Actions), len(doc.Warnings), len(tc.plan.Actions), len(tc.plan.Warnings))
			}
			for i, a := range doc.Actions {
				if w := tc.plan.Actions[i]; a.ID != w.ID || a.Kind != w.Kind || a.Reason != w.Reason {
					t.Errorf("JSON action %d = %+v, want id %d kind %s reason %s", i, a, w.ID, w.Kind, w.Reason)
				}
			}
			if doc.Summary != tc.plan.Summary() {
				t.Errorf("JSON summary = %+v, want %+v", doc.Summary, tc.plan.Summary())
			}
			if !strings.HasSuffix(js.String(), "}\n") || !strings.Contains(js.String(), "\n  \"actions\"") {
				t.Errorf("JSON is not indented with two spaces and a trailing newline:\n%s", js.String())
			}
		})
	}
}

func TestRenderEmpty(t *testing.T) {
	for _, p := range []*Plan{nil, {}} {
		var b bytes.Buffer
		if err := Render(&b, p, RenderOptions{Project: "shop", Color: true}); err != nil {
			t.Fatal(err)
		}
		if b.String() != "No changes.\n" {
			t.Errorf("empty plan renders %q", b.String())
		}
	}
	var b bytes.Buffer
	if err := Render(&b, &Plan{Warnings: []string{"w"}}, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := "No changes.\nWarning: w\n"; b.String() != want {
		t.Errorf("empty plan with warning renders %q, want %q", b.String(), want)
	}
	b.Reset()
	if err := RenderJSON(&b, nil, "shop"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"actions": []`) || !strings.Contains(b.String(), `"warnings": []`) {
		t.Errorf("empty plan JSON should have empty lists:\n%s", b.String())
	}
}

func TestRenderColor(t *testing.T) {
	p := &Plan{Actions: []Action{
		{ID: 1, Kind: CreateNetwork, Resource: res("network:default"), Name: "shop_default", Reason: Missing},
		{ID: 2, Kind: RemoveVolume, Resource: res("volume:a"), Name: "shop_a", Reason: ConfigChanged},
		{ID: 3, Kind: CreateVolume, Resource: res("volume:a"), Name: "shop_a", Reason: ConfigChanged, DependsOn: []int{2}},
		{ID: 4, Kind: RemoveNetwork, Resource: res("network:old"), Name: "shop_old", Reason: Down},
		{ID: 5, Kind: StartContainer, Resource: res("service:app:1"), Name: "shop-app-1", Reason: NotRunning},
	}}
	var b bytes.Buffer
	if err := Render(&b, p, RenderOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	want := "  \x1b[32m+\x1b[0m network shop_default (missing)\n" +
		"  \x1b[33m~\x1b[0m volume shop_a (config changed)\n" +
		"  \x1b[31m-\x1b[0m network shop_old (down)\n" +
		"  > container shop-app-1 (not running)\n" +
		"\nPlan: 1 to create, 1 to recreate, 1 to remove, 1 to start.\n"
	if b.String() != want {
		t.Errorf("got:\n%q\nwant:\n%q", b.String(), want)
	}
	b.Reset()
	if err := Render(&b, p, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "\x1b[") {
		t.Errorf("color is on by default:\n%q", b.String())
	}
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestRenderWriteError(t *testing.T) {
	if err := Render(errWriter{}, &Plan{}, RenderOptions{}); err == nil {
		t.Error("Render hides the write error")
	}
	if err := RenderJSON(errWriter{}, &Plan{}, "shop"); err == nil {
		t.Error("RenderJSON hides the write error")
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		name string
		plan *Plan
		want Summary
	}{
		{"nil", nil, Summary{}},
		{"empty", &Plan{}, Summary{}},
		{"cold start", computed(t, shopYAML, nil, Options{}), Summary{Create: 6}},
		{"converged", computed(t, shopYAML, func(*project.Project, *Observed) {}, Options{}), Summary{}},
		{"recreate", computed(t, shopYAML, func(p *project.Project, obs *Observed) {
			p.Compose.Services["web"].Environment["LOG_LEVEL"] = ptr("debug")
		}, Options{}), Summary{Recreate: 1}},
		{"scale down", computed(t, "services:\n  app:\n    image: app\n    scale: 3\n",
			func(*project.Project, *Observed) {}, Options{Scale: map[string]int{"app": 1}}), Summary{Remove: 2}},
		{"scale up", computed(t, orphanYAML, func(*project.Project, *Observed) {},
			Options{Scale: map[string]int{"app": 3}}), Summary{Create: 2}},
		{"orphans removed", computed(t, orphanYAML, addOrphan, Options{RemoveOrphans: true}), Summary{Remove: 1}},
		{"stopped", computed(t, orphanYAML, func(p *project.Project, obs *Observed) {
			setState(obs, "app", 1, "created")
		}, Options{}), Summary{Start: 1}},
		{"volume recreate", computed(t, "services:\n  db:\n    image: db\n    volumes: [data:/data]\nvolumes: {data: {}}\n",
			func(p *project.Project, obs *Observed) {
				obs.Volumes["shop_data"] = Volume{Name: "shop_data", ConfigHash: "other"}
			}, Options{RecreateChangedVolumes: true}), Summary{Recreate: 2}},
		{"no start", computed(t, orphanYAML, nil, Options{NoStart: true}), Summary{Create: 2}},
		{"awaits only", &Plan{Actions: []Action{
			{ID: 1, Kind: AwaitCondition, Resource: res("service:db"), Target: "service_healthy", Reason: DependencyCondition},
		}}, Summary{}},
		{"connect only", &Plan{Actions: []Action{
			{ID: 1, Kind: ConnectNetwork, Resource: res("service:app:1"), Name: "shop-app-1", Target: "shop_back", Reason: NetworkNotAttached},
		}}, Summary{Update: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.plan.Summary(); got != tt.want {
				t.Errorf("Summary() = %+v, want %+v\n%s", got, tt.want, tt.plan)
			}
		})
	}
}

func TestKindReasonText(t *testing.T) {
	for k := range kindNames {
		text, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Kind
		if err := back.UnmarshalText(text); err != nil || back != k {
			t.Errorf("kind %s round-trips to %s, %v", k, back, err)
		}
	}
	for r := range reasonNames {
		text, err := r.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Reason
		if err := back.UnmarshalText(text); err != nil || back != r {
			t.Errorf("reason %s round-trips to %s, %v", r, back, err)
		}
	}
	var k Kind
	if err := k.UnmarshalText([]byte("launch")); err == nil {
		t.Error("unknown kind decoded")
	}
	var r Reason
	if err := r.UnmarshalText([]byte("whim")); err == nil {
		t.Error("unknown reason decoded")
	}
}

// TestRenderImageActions: builds and pulls are lines of their own with
// their reasons, counted in the summary; a shared build names its other
// tags.
func TestRenderImageActions(t *testing.T) {
	plan := &Plan{Actions: []Action{
		{ID: 1, Kind: BuildImage, Resource: ImageRes("store", "shop-store"), Name: "shop-store", Image: "shop-store", Tags: []string{"shop-migrate"}, Reason: BuildContextChanged},
		{ID: 2, Kind: PullImage, Resource: ImageRes("cache", "redis:7"), Name: "redis:7", Image: "redis:7", Reason: PolicyRefresh, Detail: "older than 24h0m0s"},
		{ID: 3, Kind: CreateContainer, Resource: res("service:store:1"), Name: "shop-store-1", Reason: Missing, DependsOn: []int{1, 2}},
	}}
	var b strings.Builder
	if err := Render(&b, plan, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "  ^ build image shop-store for store, also tagged shop-migrate (build context changed)\n" +
		"  v pull image redis:7 for cache (pull_policy refresh: older than 24h0m0s)\n" +
		"  + container shop-store-1 (missing)\n\n" +
		"Plan: 1 to create, 0 to recreate, 0 to remove, 1 to build, 1 to pull.\n"
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
