package planner

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/berth-dev/berth/project"
)

// DownOptions are the `down` flags that change what the plan removes.
type DownOptions struct {
	// Services limits `down` to these services' containers; networks and
	// volumes are then kept. Empty means the whole project.
	Services []string
	// RemoveOrphans also removes containers of services no longer defined.
	RemoveOrphans bool
	// Volumes (-v) removes the project's named volumes too. Named volumes
	// are never removed otherwise.
	Volumes bool
	// RemoveImages (--rmi) is "local" to remove the images Berth names
	// itself (services with build: and no image:), "all" for every
	// service's image, or "" for none.
	RemoveImages string
}

// ComputeDown returns the plan that removes the project from the engine:
// every container is stopped and removed, one-off containers (`berth run`)
// first, then dependents before the services they depend on (independent
// ones in parallel), then the networks, and the named volumes only when
// asked. With services named, only their containers and one-off
// containers go. The containers of services no longer defined, one-off
// ones included, are orphans: removed only with RemoveOrphans (a one-off
// one keeping its anonymous volumes, as with Compose), otherwise named in
// a warning.
func ComputeDown(p *project.Project, obs *Observed, opt DownOptions) (*Plan, error) {
	if obs == nil {
		obs = &Observed{}
	}
	switch opt.RemoveImages {
	case "", "local", "all":
	default:
		return nil, fmt.Errorf("invalid --rmi %q: use local or all", opt.RemoveImages)
	}
	plan := &Plan{}
	add := func(a Action) int {
		a.ID = len(plan.Actions) + 1
		plan.Actions = append(plan.Actions, a)
		return a.ID
	}
	for _, s := range opt.Services {
		if !p.Graph.Has(s) {
			return nil, fmt.Errorf("no such service: %q", s)
		}
	}
	known := map[string]bool{}
	for name := range p.Compose.Services {
		known[name] = true
	}
	for name := range p.Compose.DisabledServices {
		known[name] = true
	}
	selected := map[string]bool{}
	for _, s := range opt.Services {
		selected[s] = true
	}

	// stops[svc] are the StopContainer actions of a service: a service's
	// containers stop only after those of every service depending on it.
	stops := map[string][]int{}
	var removes []int
	var orphans []string
	remove := func(svc string, after []int, reason Reason) {
		for _, c := range sortedContainers(obs.Containers[svc]) {
			res := containerRes(c)
			var stop int
			if mustStop(c) {
				stop = add(Action{Kind: StopContainer, Resource: res, Name: c.Name, Reason: reason, DependsOn: normalize(after)})
				stops[svc] = append(stops[svc], stop)
			}
			deps := after
			if stop != 0 {
				deps = []int{stop}
			}
			// an orphan keeps its anonymous volumes even with -v, as
			// with Compose
			removes = append(removes, add(Action{Kind: RemoveContainer, Resource: res, Name: c.Name, Reason: reason, RemoveVolumes: opt.Volumes && reason != Orphaned, DependsOn: normalize(deps)}))
		}
	}
	// one-off containers (`berth run`) first: nothing depends on them,
	// and the services they ran with stop after them. Those of services no
	// longer defined are orphans, as with Compose: they go only with
	// --remove-orphans, and keep their anonymous volumes even with -v.
	for _, c := range sortedOneOffs(obs.OneOffs) {
		if len(selected) > 0 && !selected[c.Service] {
			continue
		}
		reason, volumes := OneOff, opt.Volumes
		if !known[c.Service] {
			if !opt.RemoveOrphans {
				orphans = append(orphans, c.Name)
				continue
			}
			reason, volumes = Orphaned, false
		}
		res := OneOffRes(c.Service, c.Name)
		var deps []int
		if mustStop(c) {
			stop := add(Action{Kind: StopContainer, Resource: res, Name: c.Name, Reason: reason})
			stops[c.Service] = append(stops[c.Service], stop)
			deps = []int{stop}
		}
		removes = append(removes, add(Action{Kind: RemoveContainer, Resource: res, Name: c.Name, Reason: reason, RemoveVolumes: volumes, DependsOn: deps}))
	}
	// orphans first: nothing in the project depends on them
	for _, svc := range slices.Sorted(maps.Keys(obs.Containers)) {
		if known[svc] || len(opt.Services) > 0 {
			continue
		}
		if opt.RemoveOrphans {
			remove(svc, nil, Orphaned)
		} else {
			for _, c := range obs.Containers[svc] {
				orphans = append(orphans, c.Name)
			}
		}
	}
	for _, svc := range p.Graph.Reverse() {
		if len(selected) > 0 && !selected[svc] {
			continue
		}
		var after []int
		for _, e := range p.Graph.Dependents(svc) {
			after = append(after, stops[e.From]...)
		}
		remove(svc, after, Down)
	}
	// services disabled by a profile may still have containers from an
	// earlier `up --profile`: `down` removes them too
	for _, svc := range slices.Sorted(maps.Keys(p.Compose.DisabledServices)) {
		if len(selected) == 0 {
			remove(svc, nil, Down)
		}
	}
	if len(orphans) > 0 {
		slices.Sort(orphans)
		plan.Warnings = append(plan.Warnings, fmt.Sprintf(
			"found orphan containers (%s) for this project: if you removed or renamed their service, run down with --remove-orphans to remove them",
			strings.Join(orphans, ", ")))
	}
	if opt.RemoveImages != "" {
		seen := map[string]bool{}
		for _, svc := range p.Graph.Services() {
			if len(selected) > 0 && !selected[svc] {
				continue
			}
			s := p.Compose.Services[svc]
			if opt.RemoveImages == "local" && s.Image != "" {
				continue
			}
			ref := project.ImageName(p.Compose, svc)
			if seen[ref] {
				continue
			}
			seen[ref] = true
			if _, ok := obs.Images[ref]; ok {
				add(Action{Kind: RemoveImage, Resource: ImageRes(svc, ref), Name: ref, Reason: Down, DependsOn: normalize(removes)})
			}
		}
	}
	if len(opt.Services) > 0 {
		return plan, nil
	}
	for _, key := range slices.Sorted(maps.Keys(p.Compose.Networks)) {
		n := p.Compose.Networks[key]
		if bool(n.External) {
			continue
		}
		if _, ok := obs.Networks[n.Name]; ok {
			add(Action{Kind: RemoveNetwork, Resource: NetworkRes(key), Name: n.Name, Reason: Down, DependsOn: normalize(removes)})
		}
	}
	if opt.Volumes {
		for _, key := range slices.Sorted(maps.Keys(p.Compose.Volumes)) {
			v := p.Compose.Volumes[key]
			if bool(v.External) {
				continue
			}
			if _, ok := obs.Volumes[v.Name]; ok {
				add(Action{Kind: RemoveVolume, Resource: VolumeRes(key), Name: v.Name, Reason: Down, DependsOn: normalize(removes)})
			}
		}
	}
	return plan, nil
}

// mustStop reports whether c must be stopped before it is removed.
func mustStop(c Container) bool {
	return c.State == "running" || c.State == "restarting" || c.State == "paused"
}

// sortedOneOffs orders one-off containers by service, then name.
func sortedOneOffs(cs []Container) []Container {
	cs = slices.Clone(cs)
	slices.SortFunc(cs, func(a, b Container) int {
		if c := strings.Compare(a.Service, b.Service); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return cs
}
