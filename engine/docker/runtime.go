package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/engine"

	"github.com/compose-spec/compose-go/v2/types"
	cerrdefs "github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// dockerRuntime carries out plan actions for one project on a Docker Engine.
type dockerRuntime struct {
	c    *Client
	p    *project.Project
	opts engine.RuntimeOptions

	mu    sync.Mutex
	specs map[string]*containerSpec // by the container's name at create time
	// images caches the ID behind each image reference for this run: one
	// inspect per image, however many containers run it. A build or pull
	// of the reference forgets it.
	images map[string]*imageLookup
}

// imageLookup is one image inspect, shared by every create that needs it.
type imageLookup struct {
	once sync.Once
	id   string
	err  error
}

// imageID returns the ID of the image ref names, inspecting it once per run.
func (r *dockerRuntime) imageID(ctx context.Context, ref string) (string, error) {
	r.mu.Lock()
	l, ok := r.images[ref]
	if !ok {
		l = &imageLookup{}
		r.images[ref] = l
	}
	r.mu.Unlock()
	l.once.Do(func() {
		ins, err := r.c.api.ImageInspect(ctx, ref)
		l.id, l.err = ins.ID, err
	})
	if l.err != nil {
		// a failed lookup is not kept: the next create asks again
		r.forgetImage(ref)
	}
	return l.id, l.err
}

// forgetImage drops what the run knew of ref's image.
func (r *dockerRuntime) forgetImage(ref string) {
	r.mu.Lock()
	delete(r.images, ref)
	r.mu.Unlock()
}

// Runtime returns the engine.Runtime that applies p's plans to this engine.
func (c *Client) Runtime(p *project.Project, opts engine.RuntimeOptions) engine.Runtime {
	return &dockerRuntime{c: c, p: p, opts: opts, specs: map[string]*containerSpec{}, images: map[string]*imageLookup{}}
}

// Do carries out one action: one Engine API call (an await waits on
// events; a build or pull streams its output to progress).
func (r *dockerRuntime) Do(ctx context.Context, a planner.Action, progress func(string)) error {
	switch a.Kind {
	case planner.BuildImage:
		defer r.forgetImage(a.Image)
		for _, t := range a.Tags {
			defer r.forgetImage(t)
		}
		return r.build(ctx, a, progress)
	case planner.PullImage:
		defer r.forgetImage(a.Image)
		if err := r.c.Pull(ctx, a.Resource.Service, a.Image, r.quiet(progress)); err != nil {
			return err
		}
		progress(fmt.Sprintf("pulled %s (%s)", a.Image, a.Reason))
		return nil
	case planner.CreateNetwork:
		return r.createNetwork(ctx, a)
	case planner.RemoveNetwork:
		return r.removeNetwork(ctx, a.Name)
	case planner.CreateVolume:
		return r.createVolume(ctx, a)
	case planner.RemoveVolume:
		return ignoreNotFound(r.c.api.VolumeRemove(ctx, a.Name, false))
	case planner.RemoveImage:
		_, err := r.c.api.ImageRemove(ctx, a.Name, image.RemoveOptions{PruneChildren: true})
		if err != nil && strings.Contains(err.Error(), "unrecognized image ID") {
			// another tag of the same image (two services built from one
			// build section) was removed a moment before, taking the image
			return nil
		}
		return ignoreNotFound(err)
	case planner.CreateContainer:
		return r.createContainer(ctx, a)
	case planner.ConnectNetwork:
		return r.connect(ctx, a)
	case planner.DisconnectNetwork:
		return ignoreNotFound(r.c.api.NetworkDisconnect(ctx, a.Target, a.Name, true))
	case planner.StartContainer:
		if err := r.ensureFiles(ctx, a); err != nil {
			return err
		}
		if err := r.c.api.ContainerStart(ctx, a.Name, container.StartOptions{}); err != nil {
			return err
		}
		return r.runHooks(ctx, a, "post_start")
	case planner.RestartContainer:
		return r.c.api.ContainerRestart(ctx, a.Name, container.StopOptions{Timeout: r.stopSeconds(a)})
	case planner.StopContainer:
		return r.stop(ctx, a)
	case planner.KillContainer:
		return ignoreNotFound(r.c.api.ContainerKill(ctx, a.Name, a.Target))
	case planner.PauseContainer:
		return r.c.api.ContainerPause(ctx, a.Name)
	case planner.UnpauseContainer:
		return r.c.api.ContainerUnpause(ctx, a.Name)
	case planner.RemoveContainer:
		// the old container of a recreate takes its anonymous volumes with
		// it, except those the new container inherited, which the engine
		// keeps because they are in use
		return r.removeContainer(ctx, a.Name, r.opts.RemoveAnonVolumes || a.Reason == planner.Replaced)
	case planner.RenameContainer:
		return r.c.api.ContainerRename(ctx, a.Name, a.Target)
	case planner.AwaitCondition:
		return r.c.await(ctx, r.p.Name(), a.Resource.Service, a.Target)
	default:
		return fmt.Errorf("berth cannot carry out %s actions", a.Kind)
	}
}

// removeContainer removes a container and, with anon, its anonymous
// volumes: those the engine created with it, and those it inherited from the
// container it replaced (mounted by name, so the engine would keep them).
// A volume still in use by another container is kept.
func (r *dockerRuntime) removeContainer(ctx context.Context, name string, anon bool) error {
	var inherited []string
	if anon {
		if ins, err := r.c.api.ContainerInspect(ctx, name); err == nil {
			named := map[string]bool{}
			for _, v := range r.p.Compose.Volumes {
				named[v.Name] = true
			}
			for _, m := range ins.Mounts {
				if m.Type == mount.TypeVolume && !named[m.Name] && anonymousVolumeName(m.Name) {
					inherited = append(inherited, m.Name)
				}
			}
		}
	}
	if err := ignoreNotFound(r.c.api.ContainerRemove(ctx, name, container.RemoveOptions{RemoveVolumes: anon})); err != nil {
		return err
	}
	for _, v := range inherited {
		if err := r.c.api.VolumeRemove(ctx, v, false); err != nil && !cerrdefs.IsNotFound(err) && !cerrdefs.IsConflict(err) {
			return fmt.Errorf("removing anonymous volume %s of %s: %w", v[:12], name, err)
		}
	}
	return nil
}

// anonymousVolumeName reports whether name looks like the engine's name for
// an anonymous volume: 64 hexadecimal digits.
func anonymousVolumeName(name string) bool {
	return len(name) == 64 && strings.Trim(name, "0123456789abcdef") == ""
}

// removeNetwork removes a network. The engine sometimes still counts an
// endpoint of a container removed a moment ago ("has active endpoints"):
// that error is retried for a few seconds before it is reported.
func (r *dockerRuntime) removeNetwork(ctx context.Context, name string) error {
	deadline := time.Now().Add(5 * time.Second)
	for delay := 50 * time.Millisecond; ; delay *= 2 {
		err := ignoreNotFound(r.c.api.NetworkRemove(ctx, name))
		if err == nil || !strings.Contains(err.Error(), "active endpoints") || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
	}
}

func ignoreNotFound(err error) error {
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	return err
}

func (r *dockerRuntime) createNetwork(ctx context.Context, a planner.Action) error {
	key := a.Resource.Key
	n, ok := r.p.Compose.Networks[key]
	if !ok {
		return fmt.Errorf("network %q is not in the project", key)
	}
	hash, err := project.NetworkHash(n)
	if err != nil {
		return err
	}
	labels := map[string]string{}
	maps.Copy(labels, n.Labels)
	maps.Copy(labels, map[string]string{
		LabelProject: r.p.Name(), LabelNetwork: key, LabelVersion: ComposeVersion, LabelConfigHash: hash,
	})
	opts := network.CreateOptions{
		Driver:     n.Driver,
		Options:    n.DriverOpts,
		Internal:   n.Internal,
		Attachable: n.Attachable,
		EnableIPv4: n.EnableIPv4,
		EnableIPv6: n.EnableIPv6,
		Labels:     labels,
	}
	if n.Ipam.Driver != "" || len(n.Ipam.Config) > 0 || len(n.Ipam.Options) > 0 {
		ipam := &network.IPAM{Driver: n.Ipam.Driver, Options: n.Ipam.Options}
		for _, pool := range n.Ipam.Config {
			ipam.Config = append(ipam.Config, network.IPAMConfig{
				Subnet: pool.Subnet, Gateway: pool.Gateway, IPRange: pool.IPRange, AuxAddress: pool.AuxiliaryAddresses,
			})
		}
		opts.IPAM = ipam
	}
	if _, err := r.c.api.NetworkCreate(ctx, a.Name, opts); err != nil {
		return fmt.Errorf("creating network %s: %w", a.Name, err)
	}
	return nil
}

func (r *dockerRuntime) createVolume(ctx context.Context, a planner.Action) error {
	key := a.Resource.Key
	v, ok := r.p.Compose.Volumes[key]
	if !ok {
		return fmt.Errorf("volume %q is not in the project", key)
	}
	hash, err := project.VolumeHash(v)
	if err != nil {
		return err
	}
	labels := map[string]string{}
	maps.Copy(labels, v.Labels)
	maps.Copy(labels, map[string]string{
		LabelProject: r.p.Name(), LabelVolume: key, LabelVersion: ComposeVersion, LabelConfigHash: hash,
	})
	if _, err := r.c.api.VolumeCreate(ctx, volume.CreateOptions{Name: a.Name, Driver: v.Driver, DriverOpts: v.DriverOpts, Labels: labels}); err != nil {
		return fmt.Errorf("creating volume %s: %w", a.Name, err)
	}
	return nil
}

// firstContainerID returns the ID of service's lowest-numbered container,
// or "" when it has none: what `service:` references resolve to.
func (r *dockerRuntime) firstContainerID(ctx context.Context, service string) string {
	f := projectFilter(r.p.Name())
	f.Add("label", LabelService+"="+service)
	f.Add("label", LabelOneOff+"=False")
	cs, err := r.c.api.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil || len(cs) == 0 {
		return ""
	}
	best, bestN := "", 0
	for _, c := range cs {
		n, _ := strconv.Atoi(c.Labels[LabelNumber])
		if best == "" || n < bestN {
			best, bestN = c.ID, n
		}
	}
	return best
}

func (r *dockerRuntime) createContainer(ctx context.Context, a planner.Action) error {
	svc, number := a.Resource.Service, a.Resource.Number
	s, ok := r.p.Compose.Services[svc]
	if !ok {
		return fmt.Errorf("service %q is not in the project", svc)
	}
	s = planner.Resolve(s, func(dep string) string { return r.firstContainerID(ctx, dep) })

	ref := a.Image
	if ref == "" {
		ref = project.ImageName(r.p.Compose, svc)
	}
	imageID, err := r.imageID(ctx, ref)
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			if s.Build != nil {
				return fmt.Errorf("service %q: image %s is not built yet: run `berth build %s` or `berth up --build`", svc, ref, svc)
			}
			return fmt.Errorf("service %q: image %s is not on this engine and Berth cannot pull it here: load it with `docker load` or build it", svc, ref)
		}
		return fmt.Errorf("service %q: inspecting image %s: %w", svc, ref, err)
	}
	hash, err := planner.ServiceHash(s)
	if err != nil {
		return err
	}
	canonical, err := planner.ServiceSpec(s)
	if err != nil {
		return err
	}
	labels := map[string]string{}
	maps.Copy(labels, s.Labels)
	maps.Copy(labels, map[string]string{
		LabelProject:     r.p.Name(),
		LabelService:     svc,
		LabelNumber:      strconv.Itoa(number),
		LabelOneOff:      "False",
		LabelConfigHash:  hash,
		LabelVersion:     ComposeVersion,
		LabelWorkingDir:  r.p.Compose.WorkingDir,
		LabelConfigFiles: strings.Join(r.p.Compose.ComposeFiles, ","),
		LabelImage:       imageID,
		LabelDependsOn:   dependsOnLabel(s),
		LabelSpec:        string(canonical),
	})
	if len(r.p.EnvFiles) > 0 {
		labels[LabelEnvironmentFile] = strings.Join(r.p.EnvFiles, ",")
	}
	spec, err := buildContainerSpecForAPI(r.p.Compose, s, number, labels, r.c.APIVersion)
	if err != nil {
		return err
	}
	if a.Replaces != "" && !r.opts.RenewAnonVolumes {
		if err := r.inheritAnonVolumes(ctx, spec, a.Replaces); err != nil {
			return err
		}
	}
	var platform *ocispec.Platform
	if spec.Platform != "" {
		pl, err := platforms.Parse(spec.Platform)
		if err != nil {
			return fmt.Errorf("service %q: platform %q: %w", svc, spec.Platform, err)
		}
		platform = &pl
	}
	created, err := r.c.api.ContainerCreate(ctx, spec.Config, spec.Host, spec.Network, platform, a.Name)
	if err != nil {
		return fmt.Errorf("creating container %s: %w", a.Name, err)
	}
	r.mu.Lock()
	r.specs[a.Name] = spec
	r.mu.Unlock()
	if len(spec.Files) > 0 {
		archive, err := tarFiles(spec.Files)
		if err != nil {
			return err
		}
		if err := r.c.api.CopyToContainer(ctx, created.ID, "/", archive, container.CopyToContainerOptions{}); err != nil {
			// a container without its secrets must not be started by the
			// next `up`: take it away again
			_ = r.c.api.ContainerRemove(ctx, created.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
			return fmt.Errorf("copying secrets and configs into %s: %w", a.Name, err)
		}
	}
	return nil
}

// inheritAnonVolumes gives the new container the anonymous volumes of the
// container it replaces, mounted where they were, so their data survives a
// recreate (as with Compose, unless -V).
func (r *dockerRuntime) inheritAnonVolumes(ctx context.Context, spec *containerSpec, old string) error {
	ins, err := r.c.api.ContainerInspect(ctx, old)
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("inspecting %s to keep its anonymous volumes: %w", old, err)
	}
	named := map[string]bool{}
	for _, v := range r.p.Compose.Volumes {
		named[v.Name] = true
	}
	taken := map[string]bool{}
	for _, m := range spec.Host.Mounts {
		if m.Source != "" {
			taken[m.Target] = true
		}
	}
	for _, b := range spec.Host.Binds {
		if parts := strings.Split(b, ":"); len(parts) >= 2 {
			taken[parts[1]] = true
		}
	}
	for _, m := range ins.Mounts {
		if m.Type != mount.TypeVolume || m.Name == "" || named[m.Name] || taken[m.Destination] {
			continue
		}
		kept := mount.Mount{Type: mount.TypeVolume, Source: m.Name, Target: m.Destination, ReadOnly: !m.RW}
		replaced := false
		for i, sm := range spec.Host.Mounts {
			if sm.Target == m.Destination && sm.Type == mount.TypeVolume && sm.Source == "" {
				spec.Host.Mounts[i] = kept
				replaced = true
			}
		}
		if !replaced {
			spec.Host.Mounts = append(spec.Host.Mounts, kept)
		}
	}
	return nil
}

// dependsOnLabel renders depends_on as Compose's label does:
// "svc:condition:restart" entries, comma separated, in name order.
func dependsOnLabel(s types.ServiceConfig) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(s.DependsOn)) {
		d := s.DependsOn[name]
		parts = append(parts, fmt.Sprintf("%s:%s:%t", name, d.Condition, d.Restart))
	}
	return strings.Join(parts, ",")
}

func tarFiles(files []injectedFile) (*bytes.Buffer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0)
	for _, f := range files {
		h := &tar.Header{
			Name:    strings.TrimPrefix(f.Target, "/"),
			Mode:    int64(f.Mode),
			Size:    int64(len(f.Content)),
			ModTime: epoch,
		}
		h.Uid, _ = strconv.Atoi(f.UID)
		h.Gid, _ = strconv.Atoi(f.GID)
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.Content); err != nil {
			return nil, err
		}
	}
	return &buf, tw.Close()
}

func (r *dockerRuntime) connect(ctx context.Context, a planner.Action) error {
	endpoint, err := r.endpoint(ctx, a)
	if err != nil {
		return err
	}
	if err := r.c.api.NetworkConnect(ctx, a.Target, a.Name, endpoint); err != nil {
		return fmt.Errorf("connecting %s to network %s: %w", a.Name, a.Target, err)
	}
	return nil
}

// endpoint returns the settings (aliases, addresses) a container has on
// network a.Target: from the spec it was created with in this run, or, for a
// container created earlier, rebuilt from its service.
func (r *dockerRuntime) endpoint(ctx context.Context, a planner.Action) (*network.EndpointSettings, error) {
	r.mu.Lock()
	spec := r.specs[a.Name]
	r.mu.Unlock()
	if spec == nil {
		svc, number := a.Resource.Service, a.Resource.Number
		s, ok := r.p.Compose.Services[svc]
		if !ok {
			return nil, nil
		}
		s = planner.Resolve(s, func(dep string) string { return r.firstContainerID(ctx, dep) })
		var err error
		if spec, err = buildContainerSpecForAPI(r.p.Compose, s, number, nil, r.c.APIVersion); err != nil {
			return nil, err
		}
	}
	if spec.Network != nil {
		if ep, ok := spec.Network.EndpointsConfig[a.Target]; ok {
			return ep, nil
		}
	}
	for _, x := range spec.Extra {
		if x.Name == a.Target {
			return x.Endpoint, nil
		}
	}
	return nil, nil
}

func (r *dockerRuntime) stop(ctx context.Context, a planner.Action) error {
	// pre_stop hooks run in a running container; only a service that has
	// them costs an inspect
	if s, ok := r.p.Compose.Services[a.Resource.Service]; ok && len(s.PreStop) > 0 {
		if ins, err := r.c.api.ContainerInspect(ctx, a.Name); err == nil && ins.State != nil && ins.State.Running {
			if err := r.runHooks(ctx, a, "pre_stop"); err != nil {
				return err
			}
		}
	}
	return ignoreNotFound(r.c.api.ContainerStop(ctx, a.Name, container.StopOptions{Timeout: r.stopSeconds(a)}))
}

// stopSeconds is how long a stop waits before killing: -t, else the
// service's stop_grace_period, else the engine's default.
func (r *dockerRuntime) stopSeconds(a planner.Action) *int {
	timeout := r.opts.StopTimeout
	if timeout == nil {
		if s, ok := r.p.Compose.Services[a.Resource.Service]; ok && s.StopGracePeriod != nil {
			d := time.Duration(*s.StopGracePeriod)
			timeout = &d
		}
	}
	if timeout == nil {
		return nil
	}
	n := int(timeout.Seconds())
	return &n
}

// build builds the image of a BuildImage action's service and gives it the
// action's other tags (services that share the build section), reporting
// the builder's output and, at the end, what was built.
func (r *dockerRuntime) build(ctx context.Context, a planner.Action, progress func(string)) error {
	start := time.Now()
	svc := a.Resource.Service
	id, err := r.c.Build(ctx, r.p, svc, r.opts.Build, r.quiet(progress))
	if err != nil {
		return err
	}
	for _, ref := range a.Tags {
		if err := r.c.Tag(ctx, id, ref); err != nil {
			return fmt.Errorf("service %q: %w", svc, err)
		}
	}
	why := a.Reason.String()
	if a.Detail != "" {
		why += ": " + a.Detail
	}
	progress(fmt.Sprintf("built %s (%s, %s)", a.Image, why, time.Since(start).Round(100*time.Millisecond)))
	return nil
}

// quiet is progress, or nothing with the Quiet build option.
func (r *dockerRuntime) quiet(progress func(string)) func(string) {
	if r.opts.Build.Quiet {
		return func(string) {}
	}
	return progress
}

// ensureFiles copies a service's secrets and configs into a container this
// run did not create before it starts: a Berth interrupted between a
// create and its copy (or whose create's answer was lost) leaves a
// container without them, which must not start as it is.
func (r *dockerRuntime) ensureFiles(ctx context.Context, a planner.Action) error {
	r.mu.Lock()
	_, created := r.specs[a.Name]
	r.mu.Unlock()
	s, ok := r.p.Compose.Services[a.Resource.Service]
	if created || !ok || len(s.Secrets)+len(s.Configs) == 0 {
		return nil
	}
	spec, err := buildContainerSpecForAPI(r.p.Compose, s, a.Resource.Number, nil, r.c.APIVersion)
	if err != nil || len(spec.Files) == 0 {
		return err
	}
	archive, err := tarFiles(spec.Files)
	if err != nil {
		return err
	}
	if err := r.c.api.CopyToContainer(ctx, a.Name, "/", archive, container.CopyToContainerOptions{}); err != nil {
		return fmt.Errorf("copying secrets and configs into %s: %w", a.Name, err)
	}
	return nil
}
