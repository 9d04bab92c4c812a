package planner

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/berth-dev/berth/project"
)

// Lifecycle is a day-two operation on existing containers.
type Lifecycle int

// The lifecycle operations.
const (
	// Start starts stopped containers, dependencies first, waiting for
	// their depends_on conditions.
	Start Lifecycle = iota + 1
	// Restart restarts running containers, dependencies first where a
	// depends_on says `restart: true` (the only relations Compose's restart
	// follows), waiting for those dependencies' conditions.
	Restart
	// Kill sends a signal to running containers, all at once.
	Kill
	// Pause and Unpause pause and resume running containers.
	Pause
	Unpause
	// Remove removes stopped containers (with Stop, stops them first,
	// dependents before their dependencies).
	Remove
	// Stop stops running containers, dependents before their
	// dependencies, independent ones at once.
	Stop
)

// LifecycleOptions say what a lifecycle operation acts on.
type LifecycleOptions struct {
	// Services to act on; empty means all.
	Services []string
	// Dependents adds the services that depend on the named ones with
	// `restart: true`, transitively (restart without --no-deps), as
	// Compose's restart does.
	Dependents bool
	// Signal is what Kill sends (default SIGKILL).
	Signal string
	// Stop stops running containers before Remove removes them (rm -s).
	Stop bool
	// Volumes removes the anonymous volumes of the containers Remove
	// removes (rm -v).
	Volumes bool
	// RemoveOrphans makes Kill also stop and remove the containers of
	// services no longer defined (kill --remove-orphans).
	RemoveOrphans bool
}

// ComputeLifecycle plans a lifecycle operation on the project's existing
// containers (one-off containers excluded): one action per container, in
// dependency order where the operation has one. It does no I/O.
func ComputeLifecycle(p *project.Project, obs *Observed, op Lifecycle, opt LifecycleOptions) (*Plan, error) {
	if obs == nil {
		obs = &Observed{}
	}
	for _, s := range opt.Services {
		if !p.Graph.Has(s) {
			return nil, fmt.Errorf("no such service: %q (services: %s)", s, strings.Join(p.Graph.Services(), ", "))
		}
	}
	selected := map[string]bool{}
	for _, s := range opt.Services {
		selected[s] = true
	}
	if opt.Dependents {
		for changed := true; changed; {
			changed = false
			for _, svc := range slices.Sorted(maps.Keys(selected)) {
				for _, e := range p.Graph.Dependents(svc) {
					if e.Restart && !selected[e.From] {
						selected[e.From], changed = true, true
					}
				}
			}
		}
	}
	in := func(svc string) bool { return len(opt.Services) == 0 || selected[svc] }
	plan := &Plan{}
	add := func(a Action) int {
		a.ID = len(plan.Actions) + 1
		a.DependsOn = normalize(a.DependsOn)
		plan.Actions = append(plan.Actions, a)
		return a.ID
	}
	running := func(c Container) bool { return c.State == "running" || c.State == "restarting" }

	switch op {
	case Start, Restart:
		done := map[string][]int{} // service -> its starts or restarts
		awaits := map[string]int{}
		for _, svc := range p.Graph.Order() {
			if !in(svc) {
				continue
			}
			var deps []int
			for _, e := range p.Graph.Deps(svc) {
				if op == Restart && !e.Restart {
					continue // as Compose's: restart orders and waits by restart: true only
				}
				switch e.Condition {
				case project.ConditionHealthy, project.ConditionCompleted:
					key := e.To + "\x00" + e.Condition
					id, ok := awaits[key]
					if !ok && len(obs.Containers[e.To]) > 0 {
						id = add(Action{Kind: AwaitCondition, Resource: ServiceRes(e.To), Target: e.Condition,
							Reason: DependencyCondition, DependsOn: done[e.To], Optional: !e.Required})
						awaits[key] = id
					}
					if id != 0 {
						deps = append(deps, id)
					}
				default:
					deps = append(deps, done[e.To]...)
				}
			}
			for _, c := range sortedContainers(obs.Containers[svc]) {
				switch {
				case op == Start && (c.State == "created" || c.State == "exited"):
					done[svc] = append(done[svc], add(Action{Kind: StartContainer, Resource: containerRes(c), Name: c.Name, Reason: NotRunning, DependsOn: deps}))
				case op == Restart && c.State != "created" && c.State != "dead":
					done[svc] = append(done[svc], add(Action{Kind: RestartContainer, Resource: containerRes(c), Name: c.Name, Reason: Requested, DependsOn: deps}))
				}
			}
		}
	case Kill, Pause, Unpause:
		if op == Kill && opt.Signal != "" {
			if err := CheckSignal(opt.Signal); err != nil {
				return nil, err
			}
		}
		for _, svc := range p.Graph.Services() {
			if !in(svc) {
				continue
			}
			for _, c := range sortedContainers(obs.Containers[svc]) {
				switch {
				case op == Kill && (running(c) || c.State == "paused"):
					add(Action{Kind: KillContainer, Resource: containerRes(c), Name: c.Name, Target: signal(opt), Reason: Requested})
				case op == Pause && c.State == "running":
					add(Action{Kind: PauseContainer, Resource: containerRes(c), Name: c.Name, Reason: Requested})
				case op == Unpause && c.State == "paused":
					add(Action{Kind: UnpauseContainer, Resource: containerRes(c), Name: c.Name, Reason: Requested})
				}
			}
		}
		if op == Kill {
			// as Compose does, kill reaches the services' one-off
			// containers too (`berth run`)
			for _, c := range sortedOneOffs(obs.OneOffs) {
				if in(c.Service) && (running(c) || c.State == "paused") {
					add(Action{Kind: KillContainer, Resource: OneOffRes(c.Service, c.Name), Name: c.Name, Target: signal(opt), Reason: Requested})
				}
			}
		}
		if op == Kill && opt.RemoveOrphans {
			for _, c := range orphans(p, obs) {
				var deps []int
				if running(c) || c.State == "paused" {
					deps = []int{add(Action{Kind: StopContainer, Resource: containerRes(c), Name: c.Name, Reason: Orphaned})}
				}
				add(Action{Kind: RemoveContainer, Resource: containerRes(c), Name: c.Name, Reason: Orphaned, DependsOn: deps})
			}
		}
	case Remove, Stop:
		stops := map[string][]int{}
		for _, svc := range p.Graph.Reverse() {
			if !in(svc) {
				continue
			}
			var after []int
			for _, e := range p.Graph.Dependents(svc) {
				after = append(after, stops[e.From]...)
			}
			for _, c := range sortedContainers(obs.Containers[svc]) {
				var deps []int
				if running(c) || c.State == "paused" {
					if op == Remove && !opt.Stop {
						continue // rm leaves running containers alone without -s
					}
					stop := add(Action{Kind: StopContainer, Resource: containerRes(c), Name: c.Name, Reason: Requested, DependsOn: after})
					stops[svc] = append(stops[svc], stop)
					deps = []int{stop}
				}
				if op == Stop {
					continue
				}
				add(Action{Kind: RemoveContainer, Resource: containerRes(c), Name: c.Name, Reason: Requested, RemoveVolumes: opt.Volumes, DependsOn: deps})
			}
		}
	default:
		return nil, fmt.Errorf("unknown lifecycle operation %d", op)
	}
	return plan, nil
}

// signal is what Kill sends: the requested signal, SIGKILL by default.
func signal(opt LifecycleOptions) string {
	if opt.Signal == "" {
		return "SIGKILL"
	}
	return opt.Signal
}

// orphans are the observed containers of services the project no longer
// defines (services a profile disables are not orphans), sorted by service
// and number.
func orphans(p *project.Project, obs *Observed) []Container {
	var out []Container
	for _, svc := range slices.Sorted(maps.Keys(obs.Containers)) {
		if _, ok := p.Compose.Services[svc]; ok {
			continue
		}
		if _, ok := p.Compose.DisabledServices[svc]; ok {
			continue
		}
		out = append(out, sortedContainers(obs.Containers[svc])...)
	}
	return out
}
