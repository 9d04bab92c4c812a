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
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	cerrdefs "github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// This file creates and removes containers: the spec built for the
// service, the anonymous volumes a replacement takes over, the secrets and
// configs copied in.

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
	// a one-off container run with --rm that a stop ended is being
	// removed by the engine already
	if err := ignoreNotFound(r.c.api.ContainerRemove(ctx, name, container.RemoveOptions{RemoveVolumes: anon})); err != nil && !removalUnderWay(err) {
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
	s, ok := r.p.Compose.Services[a.Resource.Service]
	if !ok {
		return fmt.Errorf("service %q is not in the project", a.Resource.Service)
	}
	_, err := r.create(ctx, s, createRequest{name: a.Name, ref: a.Image, number: a.Resource.Number, replaces: a.Replaces})
	return err
}

// createRequest says which container of a service create creates.
type createRequest struct {
	name string
	// ref is the image reference; "" means the service's.
	ref string
	// number is the container's number in its service; replaces the
	// container a recreate replaces (whose anonymous volumes it takes).
	number   int
	replaces string
	// oneOff, when set, makes it a one-off container (`berth run`).
	oneOff *oneOffRequest
}

// oneOffRequest is what sets a one-off container apart.
type oneOffRequest struct {
	// slug is the random ID whose first 12 digits end its name.
	slug string
	// useAliases gives it the service's network aliases.
	useAliases bool
	// autoRemove has the engine remove it, and its anonymous volumes,
	// when it exits (run --rm).
	autoRemove bool
	// stdin keeps its standard input open for an attach (run -i).
	stdin bool
}

// create creates a container of service s (its `service:` references not
// resolved yet) with Berth's and Compose's labels, copies its secrets and
// configs in, and returns its ID: the one path by which `up` and `run`
// create containers.
func (r *dockerRuntime) create(ctx context.Context, s types.ServiceConfig, req createRequest) (string, error) {
	svc := s.Name
	s = planner.Resolve(s, func(dep string) string { return r.firstContainerID(ctx, dep) })

	ref := req.ref
	if ref == "" {
		ref = project.ImageName(r.p.Compose, svc)
	}
	imageID, err := r.imageID(ctx, ref)
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			if s.Build != nil {
				return "", fmt.Errorf("service %q: image %s is not built yet: run `berth build %s` or `berth up --build`", svc, ref, svc)
			}
			return "", fmt.Errorf("service %q: image %s is not on this engine and Berth cannot pull it here: load it with `docker load` or build it", svc, ref)
		}
		return "", fmt.Errorf("service %q: inspecting image %s: %w", svc, ref, err)
	}
	hash, err := planner.ServiceHash(s)
	if err != nil {
		return "", err
	}
	canonical, err := planner.ServiceSpec(s)
	if err != nil {
		return "", err
	}
	labels := map[string]string{}
	maps.Copy(labels, s.Labels)
	maps.Copy(labels, map[string]string{
		LabelProject:     r.p.Name(),
		LabelService:     svc,
		LabelNumber:      strconv.Itoa(req.number),
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
	var spec *containerSpec
	if o := req.oneOff; o != nil {
		// as Compose labels them: no number, a slug
		delete(labels, LabelNumber)
		labels[LabelOneOff] = "True"
		labels[LabelSlug] = o.slug
		if spec, err = buildOneOffSpec(r.p.Compose, s, req.name, o.useAliases, labels, r.c.APIVersion); err != nil {
			return "", err
		}
		spec.Host.AutoRemove = o.autoRemove
		spec.Config.AttachStdin, spec.Config.StdinOnce = o.stdin, o.stdin
	} else if spec, err = buildContainerSpecForAPI(r.p.Compose, s, req.number, labels, r.c.APIVersion); err != nil {
		return "", err
	}
	if req.replaces != "" && !r.opts.RenewAnonVolumes {
		if err := r.inheritAnonVolumes(ctx, spec, req.replaces); err != nil {
			return "", err
		}
	}
	var platform *ocispec.Platform
	if spec.Platform != "" {
		pl, err := platforms.Parse(spec.Platform)
		if err != nil {
			return "", fmt.Errorf("service %q: platform %q: %w", svc, spec.Platform, err)
		}
		platform = &pl
	}
	created, err := r.c.api.ContainerCreate(ctx, spec.Config, spec.Host, spec.Network, platform, req.name)
	if err != nil {
		return "", fmt.Errorf("creating container %s: %w", req.name, err)
	}
	r.mu.Lock()
	r.specs[req.name] = spec
	r.mu.Unlock()
	if len(spec.Files) > 0 {
		archive, err := tarFiles(spec.Files)
		if err != nil {
			return "", err
		}
		if err := r.c.api.CopyToContainer(ctx, created.ID, "/", archive, container.CopyToContainerOptions{}); err != nil {
			// a container without its secrets must not be started by the
			// next `up`: take it away again
			_ = r.c.api.ContainerRemove(ctx, created.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
			return "", fmt.Errorf("copying secrets and configs into %s: %w", req.name, err)
		}
	}
	return created.ID, nil
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
