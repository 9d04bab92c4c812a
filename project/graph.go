package project

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Dependency conditions, as written in depends_on.
const (
	ConditionStarted   = types.ServiceConditionStarted
	ConditionHealthy   = types.ServiceConditionHealthy
	ConditionCompleted = types.ServiceConditionCompletedSuccessfully
)

// Edge says that service From depends on service To.
type Edge struct {
	From string
	To   string
	// Condition is service_started, service_healthy or
	// service_completed_successfully.
	Condition string
	// Required false turns a failed or missing dependency into a warning.
	Required bool
	// Restart restarts From after To is recreated or restarted.
	Restart bool
	// Implicit names what besides depends_on creates the edge: "links",
	// "volumes_from", "network_mode", "ipc", "pid", "uts" or "cgroup".
	// Empty for an edge declared only in depends_on.
	Implicit string
}

// Graph is the dependency graph of a project's enabled services. It is
// immutable once built; every listing is in a deterministic order.
type Graph struct {
	services   []string
	deps       map[string][]Edge
	dependents map[string][]Edge
}

// NewGraph builds the graph of p's services: depends_on edges plus the
// implicit ones from links, volumes_from and `service:` namespace modes. A
// dependency on a service that is not defined is an error naming both unless
// it is marked `required: false`; a cycle is an error naming its path.
func NewGraph(p *types.Project) (*Graph, error) {
	g := &Graph{deps: map[string][]Edge{}, dependents: map[string][]Edge{}}
	for name := range p.Services {
		g.services = append(g.services, name)
	}
	sort.Strings(g.services)
	for _, name := range g.services {
		s := p.Services[name]
		edges := map[string]*Edge{}
		for to, d := range s.DependsOn {
			cond := d.Condition
			if cond == "" {
				cond = ConditionStarted
			}
			edges[to] = &Edge{From: name, To: to, Condition: cond, Required: d.Required, Restart: d.Restart}
		}
		for _, ref := range implicitRefs(s) {
			if e, ok := edges[ref.to]; ok {
				if e.Implicit == "" {
					e.Implicit = ref.via
				}
				continue
			}
			edges[ref.to] = &Edge{From: name, To: ref.to, Condition: ConditionStarted, Required: true,
				Restart: ref.via != "volumes_from", Implicit: ref.via}
		}
		for _, to := range slices.Sorted(maps.Keys(edges)) {
			e := *edges[to]
			if _, ok := p.Services[to]; !ok {
				if !e.Required {
					continue
				}
				return nil, undefinedDependency(p, e)
			}
			g.deps[name] = append(g.deps[name], e)
			g.dependents[to] = append(g.dependents[to], e)
		}
	}
	for _, edges := range g.dependents {
		sort.Slice(edges, func(i, j int) bool { return edges[i].From < edges[j].From })
	}
	if cycle := g.findCycle(); cycle != nil {
		return nil, fmt.Errorf("dependency cycle: %s", strings.Join(cycle, " -> "))
	}
	return g, nil
}

func undefinedDependency(p *types.Project, e Edge) error {
	via := "depends on"
	if e.Implicit != "" {
		via = "refers through " + e.Implicit + " to"
	}
	if _, disabled := p.DisabledServices[e.To]; disabled {
		return fmt.Errorf("service %q %s service %q, which is disabled by its profiles: enable its profile with --profile or name it on the command line", e.From, via, e.To)
	}
	return fmt.Errorf("service %q %s undefined service %q: define %q or remove the reference", e.From, via, e.To, e.To)
}

type implicitRef struct{ to, via string }

func implicitRefs(s types.ServiceConfig) []implicitRef {
	var refs []implicitRef
	for _, l := range s.Links {
		name, _, _ := strings.Cut(l, ":")
		refs = append(refs, implicitRef{name, "links"})
	}
	for _, v := range s.VolumesFrom {
		if strings.HasPrefix(v, types.ContainerPrefix) {
			continue
		}
		name, _, _ := strings.Cut(v, ":")
		refs = append(refs, implicitRef{name, "volumes_from"})
	}
	for _, ns := range []struct{ value, via string }{
		{s.NetworkMode, "network_mode"}, {s.Ipc, "ipc"}, {s.Pid, "pid"}, {s.Uts, "uts"}, {s.Cgroup, "cgroup"},
	} {
		if name, ok := strings.CutPrefix(ns.value, types.ServicePrefix); ok {
			refs = append(refs, implicitRef{name, ns.via})
		}
	}
	return refs
}

// findCycle returns a dependency cycle as a path that starts and ends with
// the same service, or nil. Services are visited in name order, so the same
// project always reports the same cycle.
func (g *Graph) findCycle() []string {
	const (
		unvisited = iota
		active
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(string) []string
	visit = func(n string) []string {
		state[n] = active
		stack = append(stack, n)
		for _, e := range g.deps[n] {
			switch state[e.To] {
			case active:
				i := slices.Index(stack, e.To)
				return append(slices.Clone(stack[i:]), e.To)
			case unvisited:
				if c := visit(e.To); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		return nil
	}
	for _, n := range g.services {
		if state[n] == unvisited {
			if c := visit(n); c != nil {
				return c
			}
		}
	}
	return nil
}

// Services lists the services in the graph by name.
func (g *Graph) Services() []string { return slices.Clone(g.services) }

// Has reports whether the graph holds service name.
func (g *Graph) Has(name string) bool {
	_, ok := slices.BinarySearch(g.services, name)
	return ok
}

// Deps lists the edges from service name to the services it depends on,
// ordered by dependency name.
func (g *Graph) Deps(name string) []Edge { return slices.Clone(g.deps[name]) }

// Dependents lists the edges into service name from the services that
// depend on it, ordered by dependent name.
func (g *Graph) Dependents(name string) []Edge { return slices.Clone(g.dependents[name]) }

// Order lists the services so that every service comes after the services it
// depends on; services that are free at the same time come in name order.
func (g *Graph) Order() []string {
	indeg := map[string]int{}
	for _, n := range g.services {
		indeg[n] = len(g.deps[n])
	}
	var ready, out []string
	for _, n := range g.services {
		if indeg[n] == 0 {
			ready = append(ready, n)
		}
	}
	for len(ready) > 0 {
		n := ready[0]
		ready = ready[1:]
		out = append(out, n)
		for _, e := range g.dependents[n] {
			indeg[e.From]--
			if indeg[e.From] == 0 {
				i, _ := slices.BinarySearch(ready, e.From)
				ready = slices.Insert(ready, i, e.From)
			}
		}
	}
	return out
}

// Reverse lists the services so that every service comes before the
// services it depends on: the order to stop them in.
func (g *Graph) Reverse() []string {
	o := g.Order()
	slices.Reverse(o)
	return o
}

// Subset returns the graph restricted to services and, with withDeps, every
// service they depend on transitively. No names means the whole graph.
func (g *Graph) Subset(services []string, withDeps bool) (*Graph, error) {
	if len(services) == 0 {
		return g, nil
	}
	keep := map[string]bool{}
	var add func(string)
	add = func(n string) {
		if keep[n] {
			return
		}
		keep[n] = true
		if withDeps {
			for _, e := range g.deps[n] {
				add(e.To)
			}
		}
	}
	for _, s := range services {
		if !g.Has(s) {
			return nil, fmt.Errorf("no such service: %q (services: %s)", s, strings.Join(g.services, ", "))
		}
		add(s)
	}
	sub := &Graph{deps: map[string][]Edge{}, dependents: map[string][]Edge{}}
	for _, n := range g.services {
		if !keep[n] {
			continue
		}
		sub.services = append(sub.services, n)
		for _, e := range g.deps[n] {
			if keep[e.To] {
				sub.deps[n] = append(sub.deps[n], e)
			}
		}
		for _, e := range g.dependents[n] {
			if keep[e.From] {
				sub.dependents[n] = append(sub.dependents[n], e)
			}
		}
	}
	return sub, nil
}
