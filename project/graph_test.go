package project_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
)

// orderCases are small projects with the start order Order must give: every
// service after its dependencies, services that are free at the same time
// in name order.
var orderCases = []struct {
	name  string
	yaml  string
	order []string
}{
	{
		name: "single",
		yaml: `
services:
  web:
    image: nginx
`,
		order: []string{"web"},
	},
	{
		name: "independent services in name order",
		yaml: `
services:
  zeta: {image: x}
  alpha: {image: x}
  mid: {image: x}
`,
		order: []string{"alpha", "mid", "zeta"},
	},
	{
		name: "chain",
		yaml: `
services:
  a:
    image: x
    depends_on: [b]
  b:
    image: x
    depends_on: [c]
  c:
    image: x
`,
		order: []string{"c", "b", "a"},
	},
	{
		name: "fan-out",
		yaml: `
services:
  web:
    image: x
    depends_on: [zdb, cache, queue]
  zdb: {image: x}
  cache: {image: x}
  queue: {image: x}
`,
		order: []string{"cache", "queue", "zdb", "web"},
	},
	{
		name: "fan-in",
		yaml: `
services:
  db: {image: x}
  c:
    image: x
    depends_on: [db]
  a:
    image: x
    depends_on: [db]
  b:
    image: x
    depends_on: [db]
`,
		order: []string{"db", "a", "b", "c"},
	},
	{
		name: "diamond",
		yaml: `
services:
  app:
    image: x
    depends_on: [right, left]
  left:
    image: x
    depends_on: [base]
  right:
    image: x
    depends_on: [base]
  base: {image: x}
`,
		order: []string{"base", "left", "right", "app"},
	},
	{
		// a service freed by a start takes its place among the services
		// already waiting, by name: b comes before y
		name: "freed service sorts among the waiting ones",
		yaml: `
services:
  y: {image: x}
  a: {image: x}
  b:
    image: x
    depends_on: [a]
`,
		order: []string{"a", "b", "y"},
	},
	{
		name: "implicit dependencies order too",
		yaml: `
services:
  app:
    image: x
    network_mode: service:vpn
    volumes_from: [data]
  vpn: {image: x}
  data:
    image: x
    links: [vpn]
`,
		order: []string{"vpn", "data", "app"},
	},
	{
		name: "two chains interleave by name",
		yaml: `
services:
  a2:
    image: x
    depends_on: [a1]
  a1: {image: x}
  b2:
    image: x
    depends_on: [b1]
  b1: {image: x}
`,
		order: []string{"a1", "a2", "b1", "b2"},
	},
}

func TestGraphOrder(t *testing.T) {
	for _, tc := range orderCases {
		t.Run(tc.name, func(t *testing.T) {
			p := mustLoadYAML(t, tc.yaml)
			g := p.Graph
			if got := g.Order(); !slices.Equal(got, tc.order) {
				t.Errorf("Order() = %v, want %v", got, tc.order)
			}
			want := slices.Clone(tc.order)
			slices.Reverse(want)
			if got := g.Reverse(); !slices.Equal(got, want) {
				t.Errorf("Reverse() = %v, want %v", got, want)
			}
			sorted := slices.Sorted(slices.Values(tc.order))
			if got := g.Services(); !slices.Equal(got, sorted) {
				t.Errorf("Services() = %v, want %v", got, sorted)
			}
			// the same input gives the same order every time, including
			// from a second load (map iteration must not leak through)
			for range 5 {
				if got := mustLoadYAML(t, tc.yaml).Graph.Order(); !slices.Equal(got, tc.order) {
					t.Fatalf("Order() of a second load = %v, want %v", got, tc.order)
				}
			}
		})
	}
}

// TestGraphOrderRespectsEdges checks the defining property of Order on every
// order case: each dependency comes first.
func TestGraphOrderRespectsEdges(t *testing.T) {
	for _, tc := range orderCases {
		t.Run(tc.name, func(t *testing.T) {
			g := mustLoadYAML(t, tc.yaml).Graph
			order := g.Order()
			for _, s := range g.Services() {
				for _, e := range g.Deps(s) {
					if slices.Index(order, e.To) > slices.Index(order, e.From) {
						t.Errorf("%s starts before its dependency %s in %v", e.From, e.To, order)
					}
				}
			}
		})
	}
}

const edgesYAML = `
services:
  web:
    image: x
    depends_on:
      db:
        condition: service_healthy
        restart: true
      cache:
        condition: service_started
        required: false
      migrate:
        condition: service_completed_successfully
      auth:
        condition: service_started
  auth:
    image: x
    depends_on: [db]
  db: {image: x}
  cache: {image: x}
  migrate:
    image: x
    depends_on:
      db:
        condition: service_healthy
`

func TestGraphDepsAndDependents(t *testing.T) {
	g := mustLoadYAML(t, edgesYAML).Graph
	edge := func(from, to, cond string, required, restart bool) project.Edge {
		return project.Edge{From: from, To: to, Condition: cond, Required: required, Restart: restart}
	}
	tests := []struct {
		service    string
		deps       []project.Edge
		dependents []project.Edge
	}{
		{
			service: "web",
			deps: []project.Edge{
				edge("web", "auth", project.ConditionStarted, true, false),
				edge("web", "cache", project.ConditionStarted, false, false),
				edge("web", "db", project.ConditionHealthy, true, true),
				edge("web", "migrate", project.ConditionCompleted, true, false),
			},
		},
		{
			service:    "auth",
			deps:       []project.Edge{edge("auth", "db", project.ConditionStarted, true, false)},
			dependents: []project.Edge{edge("web", "auth", project.ConditionStarted, true, false)},
		},
		{
			service: "db",
			dependents: []project.Edge{
				edge("auth", "db", project.ConditionStarted, true, false),
				edge("migrate", "db", project.ConditionHealthy, true, false),
				edge("web", "db", project.ConditionHealthy, true, true),
			},
		},
		{
			service:    "cache",
			dependents: []project.Edge{edge("web", "cache", project.ConditionStarted, false, false)},
		},
		{
			service:    "migrate",
			deps:       []project.Edge{edge("migrate", "db", project.ConditionHealthy, true, false)},
			dependents: []project.Edge{edge("web", "migrate", project.ConditionCompleted, true, false)},
		},
		{service: "ghost"}, // unknown: no edges either way
	}
	for _, tc := range tests {
		t.Run(tc.service, func(t *testing.T) {
			if got := g.Deps(tc.service); !slices.Equal(got, tc.deps) {
				t.Errorf("Deps(%s) =\n  %+v\nwant\n  %+v", tc.service, got, tc.deps)
			}
			if got := g.Dependents(tc.service); !slices.Equal(got, tc.dependents) {
				t.Errorf("Dependents(%s) =\n  %+v\nwant\n  %+v", tc.service, got, tc.dependents)
			}
		})
	}
	if got, want := g.Order(), []string{"cache", "db", "auth", "migrate", "web"}; !slices.Equal(got, want) {
		t.Errorf("Order() = %v, want %v", got, want)
	}
}

func TestGraphListsAreCopies(t *testing.T) {
	g := mustLoadYAML(t, edgesYAML).Graph
	deps := g.Deps("web")
	deps[0].To = "changed"
	services := g.Services()
	services[0] = "changed"
	dependents := g.Dependents("db")
	dependents[0].From = "changed"
	if g.Deps("web")[0].To != "auth" || g.Services()[0] != "auth" || g.Dependents("db")[0].From != "auth" {
		t.Error("changing a returned slice changed the graph")
	}
}

const implicitYAML = `
services:
  app:
    image: x
    links: ["db:database"]
    volumes_from: ["data:ro", "container:outside"]
    ipc: service:shm
    pid: service:tracer
    depends_on:
      cache:
        condition: service_healthy
  proxy:
    image: x
    network_mode: service:vpn
    uts: service:vpn
    depends_on:
      db:
        condition: service_healthy
        restart: false
    links: [db]
  db: {image: x}
  data: {image: x}
  cache: {image: x}
  shm: {image: x}
  tracer: {image: x}
  vpn: {image: x}
`

// implicitEdges is what implicitYAML must give, with and without
// normalisation (compose-go's normalisation writes the implicit edges into
// depends_on; without it Berth derives them itself).
var implicitEdges = map[string][]project.Edge{
	"app": {
		{From: "app", To: "cache", Condition: project.ConditionHealthy, Required: true},
		{From: "app", To: "data", Condition: project.ConditionStarted, Required: true, Restart: false, Implicit: "volumes_from"},
		{From: "app", To: "db", Condition: project.ConditionStarted, Required: true, Restart: true, Implicit: "links"},
		{From: "app", To: "shm", Condition: project.ConditionStarted, Required: true, Restart: true, Implicit: "ipc"},
		{From: "app", To: "tracer", Condition: project.ConditionStarted, Required: true, Restart: true, Implicit: "pid"},
	},
	// an explicit depends_on keeps its condition and restart; the edge
	// still says what else refers to the service
	"proxy": {
		{From: "proxy", To: "db", Condition: project.ConditionHealthy, Required: true, Restart: false, Implicit: "links"},
		{From: "proxy", To: "vpn", Condition: project.ConditionStarted, Required: true, Restart: true, Implicit: "network_mode"},
	},
}

func TestGraphImplicitEdges(t *testing.T) {
	for _, normalize := range []bool{true, false} {
		name := "normalized"
		if !normalize {
			name = "not normalized"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"compose.yaml": implicitYAML})
			p := mustLoadDir(t, dir, project.Options{ProjectName: testProject, NoNormalize: !normalize})
			g := p.Graph
			for _, from := range []string{"app", "proxy"} {
				if got := g.Deps(from); !slices.Equal(got, implicitEdges[from]) {
					t.Errorf("Deps(%s) =\n  %+v\nwant\n  %+v", from, got, implicitEdges[from])
				}
			}
			// container: references are to containers outside the project
			if g.Has("outside") || len(g.Dependents("outside")) != 0 {
				t.Error("volumes_from container:outside made an edge")
			}
			if got, want := g.Dependents("vpn"), implicitEdges["proxy"][1:]; !slices.Equal(got, want) {
				t.Errorf("Dependents(vpn) = %+v, want %+v", got, want)
			}
			want := []string{"cache", "data", "db", "shm", "tracer", "app", "vpn", "proxy"}
			if got := g.Order(); !slices.Equal(got, want) {
				t.Errorf("Order() = %v, want %v", got, want)
			}
		})
	}
}

const subsetYAML = `
services:
  web:
    image: x
    depends_on: [auth, catalog, store]
  auth: {image: x}
  catalog: {image: x}
  store:
    image: x
    depends_on: [auth, migrate]
  migrate: {image: x}
  admin:
    image: x
    depends_on: [store]
`

func TestGraphSubset(t *testing.T) {
	g := mustLoadYAML(t, subsetYAML).Graph
	tests := []struct {
		name       string
		services   []string
		withDeps   bool
		want       []string // Order() of the subset
		deps       map[string][]string
		dependents map[string][]string
	}{
		{
			name: "no names is the whole graph",
			want: []string{"auth", "catalog", "migrate", "store", "admin", "web"},
		},
		{
			name:     "with dependencies, transitively",
			services: []string{"web"},
			withDeps: true,
			want:     []string{"auth", "catalog", "migrate", "store", "web"},
			deps:     map[string][]string{"web": {"auth", "catalog", "store"}, "store": {"auth", "migrate"}},
			// admin is not in the subset, so store has only web
			dependents: map[string][]string{"store": {"web"}, "auth": {"store", "web"}},
		},
		{
			name:       "middle service with dependencies",
			services:   []string{"store"},
			withDeps:   true,
			want:       []string{"auth", "migrate", "store"},
			deps:       map[string][]string{"store": {"auth", "migrate"}},
			dependents: map[string][]string{"store": nil, "auth": {"store"}},
		},
		{
			name:     "without dependencies",
			services: []string{"store"},
			want:     []string{"store"},
			deps:     map[string][]string{"store": nil},
		},
		{
			name:       "without dependencies keeps edges inside the subset",
			services:   []string{"store", "auth"},
			want:       []string{"auth", "store"},
			deps:       map[string][]string{"store": {"auth"}},
			dependents: map[string][]string{"auth": {"store"}},
		},
		{
			name:     "several names, duplicates, with dependencies",
			services: []string{"admin", "catalog", "admin"},
			withDeps: true,
			want:     []string{"auth", "catalog", "migrate", "store", "admin"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub, err := g.Subset(tc.services, tc.withDeps)
			if err != nil {
				t.Fatalf("Subset: %v", err)
			}
			if got := sub.Order(); !slices.Equal(got, tc.want) {
				t.Errorf("Order() = %v, want %v", got, tc.want)
			}
			for _, s := range tc.want {
				if !sub.Has(s) {
					t.Errorf("Has(%s) = false", s)
				}
			}
			for _, s := range g.Services() {
				if !slices.Contains(tc.want, s) && sub.Has(s) {
					t.Errorf("Has(%s) = true for a service left out", s)
				}
			}
			for s, want := range tc.deps {
				var got []string
				for _, e := range sub.Deps(s) {
					got = append(got, e.To)
				}
				if !slices.Equal(got, want) {
					t.Errorf("Deps(%s) = %v, want %v", s, got, want)
				}
			}
			for s, want := range tc.dependents {
				var got []string
				for _, e := range sub.Dependents(s) {
					got = append(got, e.From)
				}
				if !slices.Equal(got, want) {
					t.Errorf("Dependents(%s) = %v, want %v", s, got, want)
				}
			}
		})
	}
	// the original graph is untouched by taking subsets
	if got, want := g.Order(), []string{"auth", "catalog", "migrate", "store", "admin", "web"}; !slices.Equal(got, want) {
		t.Errorf("Order() of the original after Subset = %v, want %v", got, want)
	}
}

func TestGraphSubsetUnknownService(t *testing.T) {
	g := mustLoadYAML(t, subsetYAML).Graph
	for _, withDeps := range []bool{true, false} {
		_, err := g.Subset([]string{"web", "ghost"}, withDeps)
		want := `no such service: "ghost" (services: admin, auth, catalog, migrate, store, web)`
		if err == nil || err.Error() != want {
			t.Errorf("Subset(ghost, %v) error = %v, want %q", withDeps, err, want)
		}
	}
}

func TestGraphHas(t *testing.T) {
	p := mustLoadYAML(t, `
services:
  web: {image: x}
  db: {image: x}
  debug:
    image: x
    profiles: [debug]
`)
	tests := []struct {
		name string
		want bool
	}{
		{"web", true},
		{"db", true},
		{"debug", false}, // disabled by its profile
		{"ghost", false},
		{"", false},
		{"WEB", false},
	}
	for _, tc := range tests {
		if got := p.Graph.Has(tc.name); got != tc.want {
			t.Errorf("Has(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// graphErrorCases are projects Load must refuse, with the exact message.
var graphErrorCases = []struct {
	name string
	yaml string
	want string
}{
	{
		name: "two-service cycle",
		yaml: `
services:
  a:
    image: x
    depends_on: [b]
  b:
    image: x
    depends_on: [a]
`,
		want: "compose.yaml: dependency cycle: a -> b -> a",
	},
	{
		name: "cycle named the same whatever the file order",
		yaml: `
services:
  b:
    image: x
    depends_on: [a]
  a:
    image: x
    depends_on: [b]
`,
		want: "compose.yaml: dependency cycle: a -> b -> a",
	},
	{
		name: "three-service cycle",
		yaml: `
services:
  c:
    image: x
    depends_on: [a]
  a:
    image: x
    depends_on: [b]
  b:
    image: x
    depends_on: [c]
`,
		want: "compose.yaml: dependency cycle: a -> b -> c -> a",
	},
	{
		name: "cycle reached from a service outside it",
		yaml: `
services:
  a:
    image: x
    depends_on: [b]
  b:
    image: x
    depends_on: [c]
  c:
    image: x
    depends_on: [b]
`,
		want: "compose.yaml: dependency cycle: b -> c -> b",
	},
	{
		name: "service depending on itself",
		yaml: `
services:
  a:
    image: x
    depends_on: [a]
`,
		want: "compose.yaml: dependency cycle: a -> a",
	},
	{
		name: "cycle through an implicit edge",
		yaml: `
services:
  a:
    image: x
    links: [b]
  b:
    image: x
    depends_on: [a]
`,
		want: "compose.yaml: dependency cycle: a -> b -> a",
	},
	{
		// compose-go's consistency check finds this one; Berth's graph
		// words it and says what to do
		name: "dependency on an undefined service",
		yaml: `
services:
  a:
    image: x
    depends_on: [ghost]
`,
		want: `compose.yaml:3:3: service "a" depends on undefined service "ghost": define "ghost" or remove the reference`,
	},
	{
		// required: false excuses only a service disabled by a profile:
		// compose-go still refuses a service that is not defined at all
		name: "optional dependency on an undefined service",
		yaml: `
services:
  a:
    image: x
    depends_on:
      ghost:
        condition: service_started
        required: false
`,
		want: `compose.yaml:3:3: service "a" depends on undefined service "ghost": invalid compose project`,
	},
	{
		name: "dependency on a service disabled by a profile",
		yaml: `
services:
  a:
    image: x
    depends_on: [b]
  b:
    image: x
    profiles: [debug]
`,
		want: `compose.yaml:3:3: service "a" depends on service "b", which is disabled by its profiles: enable its profile with --profile or name it on the command line`,
	},
	{
		name: "link to an undefined service",
		yaml: `
services:
  a:
    image: x
    links: [ghost]
`,
		want: `compose.yaml:3:3: service "a" refers through links to undefined service "ghost": define "ghost" or remove the reference`,
	},
}

func TestGraphLoadErrors(t *testing.T) {
	for _, tc := range graphErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadYAML(t, tc.yaml)
			if err == nil {
				t.Fatalf("Load succeeded, want %q", tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("Load error\n  %s\nwant\n  %s", err, tc.want)
			}
			var fe *project.FileError
			if !errors.As(err, &fe) || fe.File != "compose.yaml" {
				t.Errorf("error %v is not a *FileError for compose.yaml", err)
			}
		})
	}
}

func TestGraphOptionalDependencyOnDisabledService(t *testing.T) {
	p := mustLoadYAML(t, `
services:
  a:
    image: x
    depends_on:
      b:
        condition: service_healthy
        required: false
      c:
        condition: service_started
  b:
    image: x
    profiles: [debug]
  c: {image: x}
`)
	want := []project.Edge{{From: "a", To: "c", Condition: project.ConditionStarted, Required: true}}
	if got := p.Graph.Deps("a"); !slices.Equal(got, want) {
		t.Errorf("Deps(a) = %+v, want %+v (no edge to the disabled b)", got, want)
	}
	if got := p.Graph.Order(); !slices.Equal(got, []string{"c", "a"}) {
		t.Errorf("Order() = %v", got)
	}
}

// TestNewGraph runs NewGraph on hand-built models, which is how Berth's own
// messages (rather than compose-go's consistency check) are reached.
func TestNewGraph(t *testing.T) {
	svc := func(name string, mod func(*types.ServiceConfig)) types.ServiceConfig {
		s := types.ServiceConfig{Name: name, Image: "x"}
		if mod != nil {
			mod(&s)
		}
		return s
	}
	dependsOn := func(to string, required bool) func(*types.ServiceConfig) {
		return func(s *types.ServiceConfig) {
			s.DependsOn = types.DependsOnConfig{to: {Condition: types.ServiceConditionStarted, Required: required}}
		}
	}
	tests := []struct {
		name     string
		services types.Services
		disabled types.Services
		wantErr  string
		deps     map[string][]project.Edge
	}{
		{
			name:     "undefined dependency",
			services: types.Services{"a": svc("a", dependsOn("ghost", true))},
			wantErr:  `service "a" depends on undefined service "ghost": define "ghost" or remove the reference`,
		},
		{
			name: "undefined service through links",
			services: types.Services{"a": svc("a", func(s *types.ServiceConfig) {
				s.Links = []string{"ghost:alias"}
			})},
			wantErr: `service "a" refers through links to undefined service "ghost": define "ghost" or remove the reference`,
		},
		{
			name: "undefined service through network_mode",
			services: types.Services{"a": svc("a", func(s *types.ServiceConfig) {
				s.NetworkMode = "service:ghost"
			})},
			wantErr: `service "a" refers through network_mode to undefined service "ghost": define "ghost" or remove the reference`,
		},
		{
			name:     "dependency disabled by a profile",
			services: types.Services{"a": svc("a", dependsOn("b", true))},
			disabled: types.Services{"b": svc("b", func(s *types.ServiceConfig) { s.Profiles = []string{"debug"} })},
			wantErr:  `service "a" depends on service "b", which is disabled by its profiles: enable its profile with --profile or name it on the command line`,
		},
		{
			name: "volumes_from a service disabled by a profile",
			services: types.Services{"a": svc("a", func(s *types.ServiceConfig) {
				s.VolumesFrom = []string{"b:ro"}
			})},
			disabled: types.Services{"b": svc("b", nil)},
			wantErr:  `service "a" refers through volumes_from to service "b", which is disabled by its profiles: enable its profile with --profile or name it on the command line`,
		},
		{
			name:     "optional undefined dependency is dropped",
			services: types.Services{"a": svc("a", dependsOn("ghost", false))},
			deps:     map[string][]project.Edge{"a": nil},
		},
		{
			name:     "optional disabled dependency is dropped",
			services: types.Services{"a": svc("a", dependsOn("b", false))},
			disabled: types.Services{"b": svc("b", nil)},
			deps:     map[string][]project.Edge{"a": nil},
		},
		{
			name: "empty condition means service_started",
			services: types.Services{
				"a": svc("a", func(s *types.ServiceConfig) {
					s.DependsOn = types.DependsOnConfig{"b": {Required: true, Restart: true}}
				}),
				"b": svc("b", nil),
			},
			deps: map[string][]project.Edge{"a": {{From: "a", To: "b", Condition: project.ConditionStarted, Required: true, Restart: true}}},
		},
		{
			name: "implicit references without depends_on",
			services: types.Services{
				"a": svc("a", func(s *types.ServiceConfig) {
					s.Links = []string{"b"}
					s.VolumesFrom = []string{"c:rw", "container:other"}
					s.Cgroup = "service:d"
				}),
				"b": svc("b", nil), "c": svc("c", nil), "d": svc("d", nil),
			},
			deps: map[string][]project.Edge{"a": {
				{From: "a", To: "b", Condition: project.ConditionStarted, Required: true, Restart: true, Implicit: "links"},
				{From: "a", To: "c", Condition: project.ConditionStarted, Required: true, Restart: false, Implicit: "volumes_from"},
				{From: "a", To: "d", Condition: project.ConditionStarted, Required: true, Restart: true, Implicit: "cgroup"},
			}},
		},
		{
			name: "first implicit reference names the edge",
			services: types.Services{
				"a": svc("a", func(s *types.ServiceConfig) {
					s.Links = []string{"b"}
					s.NetworkMode = "service:b"
				}),
				"b": svc("b", nil),
			},
			deps: map[string][]project.Edge{"a": {
				{From: "a", To: "b", Condition: project.ConditionStarted, Required: true, Restart: true, Implicit: "links"},
			}},
		},
		{
			name: "cycle",
			services: types.Services{
				"x": svc("x", dependsOn("y", true)),
				"y": svc("y", dependsOn("z", true)),
				"z": svc("z", dependsOn("x", true)),
			},
			wantErr: "dependency cycle: x -> y -> z -> x",
		},
		{
			name:     "no services",
			services: types.Services{},
			deps:     map[string][]project.Edge{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &types.Project{Name: testProject, Services: tc.services, DisabledServices: tc.disabled}
			g, err := project.NewGraph(p)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("NewGraph error = %v, want %q", err, tc.wantErr)
				}
				if g != nil {
					t.Error("NewGraph returned a graph with its error")
				}
				return
			}
			if err != nil {
				t.Fatalf("NewGraph: %v", err)
			}
			for s, want := range tc.deps {
				if got := g.Deps(s); !slices.Equal(got, want) {
					t.Errorf("Deps(%s) =\n  %+v\nwant\n  %+v", s, got, want)
				}
			}
			if got := len(g.Services()); got != len(tc.services) {
				t.Errorf("graph has %d services, want %d", got, len(tc.services))
			}
		})
	}
}

func TestEdgeConditionsAreComposeValues(t *testing.T) {
	for got, want := range map[string]string{
		project.ConditionStarted:   "service_started",
		project.ConditionHealthy:   "service_healthy",
		project.ConditionCompleted: "service_completed_successfully",
	} {
		if got != want {
			t.Errorf("condition constant %q, want %q", got, want)
		}
	}
}
