package planner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
)

// Compute returns the actions that converge the engine state obs on project
// p. It does no I/O and is deterministic: the same inputs give the same plan.
func Compute(p *project.Project, obs *Observed, opt Options) (*Plan, error) {
	if obs == nil {
		obs = &Observed{}
	}
	g, err := p.Graph.Subset(opt.Services, !opt.NoDeps)
	if err != nil {
		return nil, err
	}
	b := &builder{
		p:            p,
		obs:          obs,
		opt:          opt,
		plan:         &Plan{},
		netAction:    map[string]int{},
		volAction:    map[string]int{},
		startActions: map[string][]int{},
		readyActions: map[string][]int{},
		refChanged:   map[string]bool{},
		awaits:       map[string]int{},
		replaced:     map[string]bool{},
		named:        map[string]bool{},
		recreatedNet: map[string]bool{},
		pending:      map[string][]int{},
		restarted:    map[string]bool{},
		imageAction:  map[string]int{},
		cleared:      map[string][]int{},
	}
	for _, s := range opt.Services {
		b.named[s] = true
	}
	if err := b.networks(); err != nil {
		return nil, err
	}
	if err := b.volumes(); err != nil {
		return nil, err
	}
	b.orphans()
	if opt.Images != nil {
		io := *opt.Images
		io.Services = g.Services()
		io.BuildContexts = obs.BuildContexts
		if err := b.images(io); err != nil {
			return nil, err
		}
	}
	for _, name := range g.Order() {
		if err := b.service(g, name); err != nil {
			return nil, err
		}
	}
	return b.plan, nil
}

type builder struct {
	p    *project.Project
	obs  *Observed
	opt  Options
	plan *Plan

	netAction map[string]int // network key -> its CreateNetwork
	volAction map[string]int // volume key -> its CreateVolume
	// startActions are a service's StartContainer actions; readyActions the
	// last action for each of its containers (start, else rename or create).
	startActions map[string][]int
	readyActions map[string][]int
	// refChanged: the service's lowest-numbered container (the one
	// `service:` references resolve to) is created or replaced.
	refChanged map[string]bool
	awaits     map[string]int // dependency + "\x00" + condition -> await action
	// replaced holds the IDs of containers already stopped and removed
	// because a volume they mount is recreated.
	replaced map[string]bool
	named    map[string]bool // opt.Services
	// recreatedNet holds the engine names of networks this plan recreates.
	recreatedNet map[string]bool
	// pending are actions on an existing container (reconnects to a
	// recreated network) that must finish before it is stopped or removed.
	pending map[string][]int
	// restarted: the service's containers are recreated or restarted by
	// this plan, so its restart: true dependents restart too.
	restarted map[string]bool
	// imageAction is the build or pull that gets a service's image.
	imageAction map[string]int
	// cleared are, per service, the removals of containers an interrupted
	// recreate left behind, which must finish before the service's creates
	// (a new replacement may want the same temporary name).
	cleared map[string][]int
}

func (b *builder) add(a Action) int {
	a.ID = len(b.plan.Actions) + 1
	a.DependsOn = normalize(a.DependsOn)
	b.plan.Actions = append(b.plan.Actions, a)
	return a.ID
}

func normalize(ids []int) []int {
	if len(ids) == 0 {
		return nil
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return slices.Compact(ids)
}

func (b *builder) networks() error {
	for _, key := range slices.Sorted(maps.Keys(b.p.Compose.Networks)) {
		n := b.p.Compose.Networks[key]
		name := networkName(b.p.Compose, key)
		if n.External {
			if _, ok := b.obs.Networks[name]; !ok {
				return fmt.Errorf("network %q is external but %s does not exist: create it with `docker network create %s`", key, name, name)
			}
			continue
		}
		res := NetworkRes(key)
		have, ok := b.obs.Networks[name]
		if !ok {
			b.netAction[key] = b.add(Action{Kind: CreateNetwork, Resource: res, Name: name, Reason: Missing})
			continue
		}
		want, err := project.NetworkHash(n)
		if err != nil {
			return err
		}
		// A network without the label was not created by Compose or Berth
		// with a known configuration: use it as it is.
		if have.ConfigHash == "" || have.ConfigHash == want {
			continue
		}
		// As Compose does: disconnect its containers, recreate it, and
		// connect them again; the containers themselves are kept.
		var disconnects []int
		var users []Container
		for _, svc := range slices.Sorted(maps.Keys(b.obs.Containers)) {
			for _, c := range sortedContainers(b.obs.Containers[svc]) {
				if !slices.Contains(c.Networks, name) {
					continue
				}
				users = append(users, c)
				disconnects = append(disconnects, b.add(Action{Kind: DisconnectNetwork, Resource: containerRes(c), Name: c.Name, Target: name, Reason: Replaced}))
			}
		}
		rm := b.add(Action{Kind: RemoveNetwork, Resource: res, Name: name, Reason: ConfigChanged, DependsOn: disconnects})
		create := b.add(Action{Kind: CreateNetwork, Resource: res, Name: name, Reason: ConfigChanged, DependsOn: []int{rm}})
		b.netAction[key] = create
		b.recreatedNet[name] = true
		for _, c := range users {
			id := b.add(Action{Kind: ConnectNetwork, Resource: containerRes(c), Name: c.Name, Target: name, Reason: ConfigChanged, DependsOn: []int{create}})
			b.pending[c.ID] = append(b.pending[c.ID], id)
		}
	}
	return nil
}

func (b *builder) volumes() error {
	for _, key := range slices.Sorted(maps.Keys(b.p.Compose.Volumes)) {
		v := b.p.Compose.Volumes[key]
		name := volumeName(b.p.Compose, key)
		if v.External {
			if _, ok := b.obs.Volumes[name]; !ok {
				return fmt.Errorf("volume %q is external but %s does not exist: create it with `docker volume create %s`", key, name, name)
			}
			continue
		}
		res := VolumeRes(key)
		have, ok := b.obs.Volumes[name]
		if !ok {
			b.volAction[key] = b.add(Action{Kind: CreateVolume, Resource: res, Name: name, Reason: Missing})
			continue
		}
		want, err := project.VolumeHash(v)
		if err != nil {
			return err
		}
		// A volume without the label was not created by Compose or Berth
		// with a known configuration: leave it alone.
		if have.ConfigHash == "" || have.ConfigHash == want {
			continue
		}
		if !b.opt.RecreateChangedVolumes {
			return fmt.Errorf("volume %q (%s) has changed configuration: recreating it would lose its data; remove it yourself or allow it with --recreate-changed-volumes", key, name)
		}
		// The volume can only go once no container mounts it: retire those
		// containers first; their services create them again later.
		var removed []int
		for _, svc := range slices.Sorted(maps.Keys(b.obs.Containers)) {
			for _, c := range sortedContainers(b.obs.Containers[svc]) {
				if b.replaced[c.ID] || !slices.Contains(c.Volumes, name) {
					continue
				}
				b.replaced[c.ID] = true
				stop := b.add(Action{Kind: StopContainer, Resource: containerRes(c), Name: c.Name, Reason: Replaced})
				removed = append(removed, b.add(Action{Kind: RemoveContainer, Resource: containerRes(c), Name: c.Name, Reason: Replaced, RemoveVolumes: true, DependsOn: []int{stop}}))
			}
		}
		rm := b.add(Action{Kind: RemoveVolume, Resource: res, Name: name, Reason: ConfigChanged, DependsOn: removed})
		b.volAction[key] = b.add(Action{Kind: CreateVolume, Resource: res, Name: name, Reason: ConfigChanged, DependsOn: []int{rm}})
	}
	return nil
}

// images adds the builds and pulls the touched services need, before any
// container action: services with the same build section (a server and
// its one-shot migration, say) are built once and the image tagged for
// each, so they get the same image and a rebuild recreates both or neither.
func (b *builder) images(opt ImageOptions) error {
	local := map[string]LocalImage{}
	for ref, li := range b.obs.Images {
		local[ref] = li
	}
	steps, err := ImageSteps(b.p, local, opt)
	if err != nil {
		return err
	}
	return b.imageActions(steps, opt.IgnorePullFailures)
}

// imageActions adds a build or pull for each step, a build once per build
// section, and records which action gets each service's image.
func (b *builder) imageActions(steps []ImageStep, ignorePullFailures bool) error {
	firstBuild := map[string]int{} // build section JSON -> action ID
	for _, st := range steps {
		if !st.Build {
			b.imageAction[st.Service] = b.add(Action{Kind: PullImage, Resource: ImageRes(st.Service, st.Ref), Name: st.Ref, Image: st.Ref, Reason: st.Reason, Detail: st.Detail, Optional: ignorePullFailures})
			continue
		}
		key, err := json.Marshal(b.p.Compose.Services[st.Service].Build)
		if err != nil {
			return fmt.Errorf("service %q: build section: %w", st.Service, err)
		}
		if id, ok := firstBuild[string(key)]; ok {
			a := &b.plan.Actions[id-1]
			if st.Ref != a.Image && !slices.Contains(a.Tags, st.Ref) {
				a.Tags = append(a.Tags, st.Ref)
			}
			b.imageAction[st.Service] = id
			continue
		}
		id := b.add(Action{Kind: BuildImage, Resource: ImageRes(st.Service, st.Ref), Name: st.Ref, Image: st.Ref, Reason: st.Reason, Detail: st.Detail})
		firstBuild[string(key)] = id
		b.imageAction[st.Service] = id
	}
	return nil
}

// ImagePlan is the plan of builds and pulls alone, for `berth build` and
// `berth pull`: one action per step, services with the same build section
// built once and the image tagged for each; with ignorePullFailures a
// failed pull is a warning.
func ImagePlan(p *project.Project, steps []ImageStep, ignorePullFailures bool) (*Plan, error) {
	b := &builder{p: p, plan: &Plan{}, imageAction: map[string]int{}}
	if err := b.imageActions(steps, ignorePullFailures); err != nil {
		return nil, err
	}
	return b.plan, nil
}

func (b *builder) orphans() {
	var names []string
	for _, svc := range slices.Sorted(maps.Keys(b.obs.Containers)) {
		if _, ok := b.p.Compose.Services[svc]; ok {
			continue
		}
		if _, ok := b.p.Compose.DisabledServices[svc]; ok {
			continue
		}
		for _, c := range sortedContainers(b.obs.Containers[svc]) {
			if b.replaced[c.ID] {
				continue
			}
			if !b.opt.RemoveOrphans {
				names = append(names, c.Name)
				continue
			}
			stop := b.add(Action{Kind: StopContainer, Resource: containerRes(c), Name: c.Name, Reason: Orphaned})
			b.add(Action{Kind: RemoveContainer, Resource: containerRes(c), Name: c.Name, Reason: Orphaned, DependsOn: []int{stop}})
		}
	}
	if len(names) > 0 {
		b.plan.Warnings = append(b.plan.Warnings, fmt.Sprintf(
			"found orphan containers (%s) for services not in the project: remove them with --remove-orphans",
			strings.Join(names, ", ")))
	}
}

func (b *builder) service(g *project.Graph, name string) error {
	s := b.p.Compose.Services[name]
	replicas := s.GetScale()
	if n, ok := b.opt.Scale[name]; ok {
		replicas = n
	}
	if s.ContainerName != "" && replicas > 1 {
		return fmt.Errorf("service %q has container_name %q and %d replicas: a container name is unique, so scale it to 1 or remove container_name", name, s.ContainerName, replicas)
	}
	resolved := Resolve(s, b.lowestID)
	wantHash, err := ServiceHash(resolved)
	if err != nil {
		return err
	}
	ref := project.ImageName(b.p.Compose, name)
	local, imageKnown := b.obs.Images[ref]
	image := local.ID
	refChanged := false
	for _, ref := range serviceRefs(s) {
		refChanged = refChanged || b.refChanged[ref]
	}

	existing := map[int]Container{}
	observed := b.interrupted(s, sortedContainers(b.obs.Containers[name]))
	// Scale down, highest numbers first.
	for i := len(observed) - 1; i >= 0; i-- {
		c := observed[i]
		if b.replaced[c.ID] {
			continue
		}
		if _, dup := existing[c.Number]; dup || c.Number > replicas || c.Number < 1 {
			stop := b.add(Action{Kind: StopContainer, Resource: containerRes(c), Name: c.Name, Reason: ScaleDown})
			b.add(Action{Kind: RemoveContainer, Resource: containerRes(c), Name: c.Name, Reason: ScaleDown, DependsOn: []int{stop}})
			continue
		}
		existing[c.Number] = c
	}

	createDeps := append(b.createDeps(s), b.cleared[name]...)
	// every create waits for every build and pull, as with Compose: a
	// failed build or pull stops `up` before any container is created,
	// not only those of its service
	for _, id := range b.imageAction {
		createDeps = append(createDeps, id)
	}
	for n := 1; n <= replicas; n++ {
		res := ContainerRes(name, n)
		cname := containerName(b.p.Compose.Name, s, n)
		c, ok := existing[n]
		if !ok {
			reason := Missing
			if b.replacedNumber(name, n) {
				reason = DependencyRecreated
			}
			create := b.add(Action{Kind: CreateContainer, Resource: res, Name: cname, Image: ref, Reason: reason, DependsOn: createDeps})
			last := append([]int{create}, b.connects(s, res, cname, create)...)
			b.finish(g, name, res, cname, reason, last)
			if n == 1 {
				b.refChanged[name] = true
			}
			continue
		}
		reason := Reason(0)
		switch {
		case b.opt.ForceRecreate || b.opt.RenewAnonVolumes:
			reason = Forced
		case b.opt.AlwaysRecreateDeps && len(b.named) > 0 && !b.named[name]:
			reason = Forced
		case b.opt.NoRecreate:
		case c.ConfigHash != wantHash:
			reason = ConfigChanged
		case imageKnown && c.Image != image:
			reason = ImageChanged
		case refChanged:
			reason = DependencyRecreated
		case missingVolume(b.p.Compose, s, c):
			reason = VolumeNotMounted
		}
		if reason == 0 {
			// a network the container should be on but is not: connect it
			// in place (Compose recreates the container for this)
			for _, key := range serviceNetworks(s) {
				net := networkName(b.p.Compose, key)
				if slices.Contains(c.Networks, net) || b.recreatedNet[net] {
					continue
				}
				deps := slices.Clone(b.pending[c.ID])
				if id, ok := b.netAction[key]; ok {
					deps = append(deps, id)
				}
				id := b.add(Action{Kind: ConnectNetwork, Resource: res, Name: c.Name, Target: net, Reason: NetworkNotAttached, DependsOn: deps})
				b.pending[c.ID] = append(b.pending[c.ID], id)
			}
		}
		if reason == 0 {
			// A stopped container is started again, except a one-shot job
			// that completed successfully with the current configuration:
			// a service others wait on with service_completed_successfully,
			// not restarted by the engine, that exited 0. Compose re-runs
			// those on every `up`; Berth treats them as converged, so a
			// second `up` plans nothing. (A server stopped with Ctrl-C
			// also exits 0, which is why the dependents' condition, not the
			// exit code alone, marks a job.)
			// TODO: paused, restarting and dead containers are left as they
			// are (unpause? recreate dead ones?).
			switch {
			case c.State == "created" || c.State == "exited" && !(awaitedCompletion(b.p.Graph, name) && completedOneShot(s, c)):
				b.finish(g, name, res, cname, NotRunning, b.pending[c.ID])
				b.restarted[name] = true
			case c.State == "running" && !b.opt.NoStart && b.dependencyRestarted(g, name):
				b.restart(g, name, res, cname, b.pending[c.ID])
			}
			continue
		}
		changes, err := diffSpec(c.Spec, resolved)
		if err != nil {
			return err
		}
		temp := fmt.Sprintf("%s_%s", c.ID[:min(12, len(c.ID))], cname)
		create := b.add(Action{Kind: CreateContainer, Resource: res, Name: temp, Replaces: c.Name, Image: ref, Reason: reason, Changes: changes, DependsOn: createDeps})
		connects := b.connects(s, res, temp, create)
		stop := b.add(Action{Kind: StopContainer, Resource: res, Name: c.Name, Reason: Replaced, DependsOn: append(append([]int{create}, connects...), b.pending[c.ID]...)})
		rm := b.add(Action{Kind: RemoveContainer, Resource: res, Name: c.Name, Reason: Replaced, RemoveVolumes: true, DependsOn: []int{stop}})
		rename := b.add(Action{Kind: RenameContainer, Resource: res, Name: temp, Target: cname, Reason: reason, DependsOn: []int{rm}})
		b.finish(g, name, res, cname, reason, append([]int{rename}, connects...))
		b.restarted[name] = true
		if n == 1 {
			b.refChanged[name] = true
		}
	}
	return nil
}

// interrupted finishes or undoes what an interrupted recreate left of the
// service's containers, and returns the containers the rest of the plan
// works from. A recreate creates the new container under a temporary name
// ("<old ID prefix>_<name>"), then stops and removes the old one and renames
// the new one; a Berth killed in between leaves a container under its
// temporary name, with or without the old one:
//   - the old container is still there: the replacement is removed (its
//     anonymous volumes are the old one's, so they are kept), and the old
//     container goes through the plan as usual;
//   - the old container is gone: the replacement is renamed to the final
//     name and goes through the plan as the service's container (started,
//     or recreated again if the configuration changed since).
func (b *builder) interrupted(s types.ServiceConfig, observed []Container) []Container {
	var kept []Container
	byNumber := map[int][]Container{}
	var numbers []int
	for _, c := range observed {
		if _, ok := byNumber[c.Number]; !ok {
			numbers = append(numbers, c.Number)
		}
		byNumber[c.Number] = append(byNumber[c.Number], c)
	}
	for _, n := range numbers {
		final := containerName(b.p.Compose.Name, s, n)
		hasFinal := false
		var temps []Container
		for _, c := range byNumber[n] {
			switch {
			case c.Name == final:
				hasFinal = true
				kept = append(kept, c)
			case temporaryName(c.Name, final):
				temps = append(temps, c)
			default:
				kept = append(kept, c)
			}
		}
		for i, t := range temps {
			res := containerRes(t)
			if !hasFinal && i == 0 {
				rename := b.add(Action{Kind: RenameContainer, Resource: res, Name: t.Name, Target: final, Reason: Interrupted})
				b.pending[t.ID] = append(b.pending[t.ID], rename)
				t.Name = final
				kept = append(kept, t)
				continue
			}
			var deps []int
			if t.State == "running" || t.State == "restarting" || t.State == "paused" {
				deps = append(deps, b.add(Action{Kind: StopContainer, Resource: res, Name: t.Name, Reason: Interrupted}))
			}
			rm := b.add(Action{Kind: RemoveContainer, Resource: res, Name: t.Name, Reason: Interrupted, DependsOn: deps})
			b.cleared[s.Name] = append(b.cleared[s.Name], rm)
		}
	}
	return sortedContainers(kept)
}

// temporaryName reports whether name is the temporary name a recreate
// gives the replacement of container final: "<12 hex digits>_<final>".
func temporaryName(name, final string) bool {
	prefix, rest, ok := strings.Cut(name, "_")
	return ok && rest == final && len(prefix) == 12 && strings.Trim(prefix, "0123456789abcdef") == ""
}

// missingVolume reports whether c lacks a named volume s mounts.
func missingVolume(p *types.Project, s types.ServiceConfig, c Container) bool {
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeVolume || v.Source == "" {
			continue
		}
		if !slices.Contains(c.Volumes, volumeName(p, v.Source)) {
			return true
		}
	}
	return false
}

// dependencyRestarted reports whether a service that name depends on with
// restart: true is recreated or restarted by this plan.
func (b *builder) dependencyRestarted(g *project.Graph, name string) bool {
	for _, e := range g.Deps(name) {
		if e.Restart && b.restarted[e.To] {
			return true
		}
	}
	return false
}

// restart restarts a running container after its dependencies are ready
// again (depends_on with restart: true).
func (b *builder) restart(g *project.Graph, service string, res Resource, cname string, after []int) {
	deps := slices.Clone(after)
	for _, e := range g.Deps(service) {
		switch e.Condition {
		case project.ConditionHealthy, project.ConditionCompleted:
			deps = append(deps, b.await(e.To, e.Condition, e.Required))
		default:
			deps = append(deps, b.startActions[e.To]...)
		}
	}
	id := b.add(Action{Kind: RestartContainer, Resource: res, Name: cname, Reason: DependencyRestarted, DependsOn: deps})
	b.startActions[service] = append(b.startActions[service], id)
	b.readyActions[service] = append(b.readyActions[service], id)
	b.restarted[service] = true
}

// replacedNumber reports whether container n of service was retired
// because a volume it mounts is recreated.
func (b *builder) replacedNumber(service string, n int) bool {
	for _, c := range b.obs.Containers[service] {
		if c.Number == n && b.replaced[c.ID] {
			return true
		}
	}
	return false
}

// finish adds the start of a container (unless NoStart) after the actions in
// after and the readiness of the service's dependencies.
func (b *builder) finish(g *project.Graph, service string, res Resource, cname string, reason Reason, after []int) {
	if b.opt.NoStart {
		if len(after) > 0 {
			b.readyActions[service] = append(b.readyActions[service], after[0])
		}
		return
	}
	deps := slices.Clone(after)
	for _, e := range g.Deps(service) {
		switch e.Condition {
		case project.ConditionHealthy, project.ConditionCompleted:
			deps = append(deps, b.await(e.To, e.Condition, e.Required))
		default:
			deps = append(deps, b.startActions[e.To]...)
		}
	}
	start := b.add(Action{Kind: StartContainer, Resource: res, Name: cname, Reason: reason, DependsOn: deps})
	b.startActions[service] = append(b.startActions[service], start)
	b.readyActions[service] = append(b.readyActions[service], start)
}

// await is the wait for dep to meet cond; one per (dependency, condition,
// required), shared by every dependent that needs it. An await for a
// depends_on with required: false is optional: if the condition fails, its
// dependents start anyway and the failure is a warning.
func (b *builder) await(dep, cond string, required bool) int {
	key := fmt.Sprintf("%s\x00%s\x00%t", dep, cond, required)
	if id, ok := b.awaits[key]; ok {
		return id
	}
	id := b.add(Action{Kind: AwaitCondition, Resource: ServiceRes(dep), Target: cond, Reason: DependencyCondition,
		DependsOn: b.startActions[dep], Optional: !required})
	b.awaits[key] = id
	return id
}

// createDeps are the actions a container of s must wait for before it can
// be created: the networks and volumes it uses, and the containers whose
// namespaces or volumes it shares.
func (b *builder) createDeps(s types.ServiceConfig) []int {
	var deps []int
	for _, key := range slices.Sorted(maps.Keys(s.Networks)) {
		if id, ok := b.netAction[key]; ok {
			deps = append(deps, id)
		}
	}
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeVolume {
			continue
		}
		if id, ok := b.volAction[v.Source]; ok {
			deps = append(deps, id)
		}
	}
	for _, ref := range serviceRefs(s) {
		deps = append(deps, b.readyActions[ref]...)
	}
	return deps
}

// connects adds a ConnectNetwork for every network of s beyond the first,
// which the create attaches.
func (b *builder) connects(s types.ServiceConfig, res Resource, cname string, create int) []int {
	nets := serviceNetworks(s)
	var ids []int
	for i, key := range nets {
		if i == 0 {
			continue
		}
		ids = append(ids, b.add(Action{Kind: ConnectNetwork, Resource: res, Name: cname,
			Target: networkName(b.p.Compose, key), Reason: Missing, DependsOn: []int{create}}))
	}
	return ids
}

// lowestID is the ID of the service's lowest-numbered observed container.
func (b *builder) lowestID(service string) string {
	for _, c := range sortedContainers(b.obs.Containers[service]) {
		if !b.replaced[c.ID] {
			return c.ID
		}
	}
	return ""
}

// Resolve returns s with its `service:` references in network_mode, ipc and
// pid, and its volumes_from services, replaced by `container:<ID>` of the
// container id names (the service's lowest-numbered one), as Compose does
// before hashing and creating. A reference id cannot resolve is kept.
func Resolve(s types.ServiceConfig, id func(service string) string) types.ServiceConfig {
	for _, f := range []*string{&s.NetworkMode, &s.Ipc, &s.Pid} {
		if svc, ok := strings.CutPrefix(*f, types.ServicePrefix); ok {
			if cid := id(svc); cid != "" {
				*f = types.ContainerPrefix + cid
			}
		}
	}
	if len(s.VolumesFrom) > 0 {
		vf := slices.Clone(s.VolumesFrom)
		for i, v := range vf {
			if strings.HasPrefix(v, types.ContainerPrefix) {
				continue
			}
			svc, mode, hasMode := strings.Cut(v, ":")
			cid := id(svc)
			if cid == "" {
				continue
			}
			vf[i] = types.ContainerPrefix + cid
			if hasMode {
				vf[i] += ":" + mode
			}
		}
		s.VolumesFrom = vf
	}
	return s
}

// ServiceHash is the config hash of a resolved service (see Resolve):
// project.ServiceHash, Berth's one hashing path, of the service in the form
// Compose hashes once it has resolved references. Compose hashes
// volumes_from entries as bare container IDs, without "container:" and the
// access mode, so Berth does too (while it still creates the container with
// the mode). The service comes from the project Load prepared, so
// DOCKER_DEFAULT_PLATFORM and env files count as in `config --hash`.
func ServiceHash(resolved types.ServiceConfig) (string, error) {
	return project.ServiceHash(hashForm(resolved))
}

// ServiceSpec is the canonical JSON of a resolved service that Berth stores
// on its container to name changed fields later; it is what ServiceHash
// hashes.
func ServiceSpec(resolved types.ServiceConfig) ([]byte, error) {
	return project.CanonicalJSON(hashForm(resolved))
}

func hashForm(s types.ServiceConfig) types.ServiceConfig {
	if len(s.VolumesFrom) == 0 {
		return s
	}
	vf := make([]string, len(s.VolumesFrom))
	for i, v := range s.VolumesFrom {
		rest, ok := strings.CutPrefix(v, types.ContainerPrefix)
		if !ok {
			vf[i] = v
			continue
		}
		id, _, _ := strings.Cut(rest, ":")
		vf[i] = id
	}
	s.VolumesFrom = vf
	return s
}

// serviceRefs lists the services whose containers s shares a namespace or
// volumes with.
func serviceRefs(s types.ServiceConfig) []string {
	var refs []string
	for _, f := range []string{s.NetworkMode, s.Ipc, s.Pid} {
		if svc, ok := strings.CutPrefix(f, types.ServicePrefix); ok {
			refs = append(refs, svc)
		}
	}
	for _, v := range s.VolumesFrom {
		if strings.HasPrefix(v, types.ContainerPrefix) {
			continue
		}
		svc, _, _ := strings.Cut(v, ":")
		refs = append(refs, svc)
	}
	slices.Sort(refs)
	return slices.Compact(refs)
}

// serviceNetworks lists the network keys of s: highest priority first, then
// by name. The first is attached at create, the others connected after.
func serviceNetworks(s types.ServiceConfig) []string {
	keys := slices.Sorted(maps.Keys(s.Networks))
	prio := func(k string) int {
		if n := s.Networks[k]; n != nil {
			return n.Priority
		}
		return 0
	}
	sort.SliceStable(keys, func(i, j int) bool { return prio(keys[i]) > prio(keys[j]) })
	return keys
}

func networkName(p *types.Project, key string) string {
	if n, ok := p.Networks[key]; ok && n.Name != "" {
		return n.Name
	}
	return p.Name + "_" + key
}

func volumeName(p *types.Project, key string) string {
	if v, ok := p.Volumes[key]; ok && v.Name != "" {
		return v.Name
	}
	return p.Name + "_" + key
}

func containerName(projectName string, s types.ServiceConfig, n int) string {
	if s.ContainerName != "" {
		return s.ContainerName
	}
	return projectName + "-" + s.Name + "-" + strconv.Itoa(n)
}

func containerRes(c Container) Resource {
	return ContainerRes(c.Service, c.Number)
}

func sortedContainers(cs []Container) []Container {
	cs = slices.Clone(cs)
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].Number != cs[j].Number {
			return cs[i].Number < cs[j].Number
		}
		return cs[i].ID < cs[j].ID
	})
	return cs
}

// diffSpec lists the fields that differ between the spec a container was
// created with and the service it should now run. No spec, no changes.
func diffSpec(spec string, s types.ServiceConfig) ([]Change, error) {
	if spec == "" {
		return nil, nil
	}
	data, err := project.CanonicalJSON(hashForm(s))
	if err != nil {
		return nil, err
	}
	var oldV, newV any
	if err := json.Unmarshal([]byte(spec), &oldV); err != nil {
		// An unreadable spec only loses the field list, not the recreate.
		return nil, nil
	}
	if err := json.Unmarshal(data, &newV); err != nil {
		return nil, err
	}
	oldF, newF := map[string]string{}, map[string]string{}
	flatten("", oldV, oldF)
	flatten("", newV, newF)
	var changes []Change
	for _, k := range slices.Sorted(maps.Keys(oldF)) {
		if nv, ok := newF[k]; !ok || nv != oldF[k] {
			changes = append(changes, Change{Path: k, Old: oldF[k], New: newF[k]})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(newF)) {
		if _, ok := oldF[k]; !ok {
			changes = append(changes, Change{Path: k, New: newF[k]})
		}
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return changes, nil
}

// flatten records the leaves of v by dotted path; lists and scalars are
// leaves, strings rendered bare and everything else as compact JSON.
func flatten(prefix string, v any, out map[string]string) {
	if m, ok := v.(map[string]any); ok && len(m) > 0 {
		for k, sub := range m {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, sub, out)
		}
		return
	}
	if prefix == "" {
		return
	}
	if str, ok := v.(string); ok {
		out[prefix] = str
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	out[prefix] = strings.TrimSpace(buf.String())
}

// awaitedCompletion reports whether some service waits for service to
// complete successfully: the mark of a one-shot job.
func awaitedCompletion(g *project.Graph, service string) bool {
	for _, e := range g.Dependents(service) {
		if e.Condition == project.ConditionCompleted {
			return true
		}
	}
	return false
}

// completedOneShot reports whether c is a container of a service that is
// not restarted by the engine and that exited with code 0.
func completedOneShot(s types.ServiceConfig, c Container) bool {
	if c.State != "exited" || c.ExitCode != 0 {
		return false
	}
	switch s.Restart {
	case "", types.RestartPolicyNo:
		return s.Deploy == nil || s.Deploy.RestartPolicy == nil || s.Deploy.RestartPolicy.Condition == "none"
	}
	return false
}
