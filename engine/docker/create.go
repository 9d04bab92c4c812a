package docker

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/blkiodev"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/strslice"
	"github.com/docker/docker/api/types/versions"
	"github.com/docker/go-connections/nat"

	"github.com/berth-dev/berth/project"
)

// specMinAPIVersion is the oldest Engine API Berth supports. buildContainerSpec
// assumes it, so a feature that needs a newer engine is refused rather than
// sent to a daemon that would silently ignore it.
const specMinAPIVersion = "1.41"

// containerSpec is what ContainerCreate (and the connects after it) needs.
type containerSpec struct {
	Config  *container.Config
	Host    *container.HostConfig
	Network *network.NetworkingConfig // the first network only: API < 1.44 accepts one at create
	// Extra are the other networks, connected after create, in priority order.
	Extra []extraNetwork
	// Files are secret and config contents to copy into the container before it starts.
	Files []injectedFile
	// Platform is the service's `platform:` (empty when unset). It is not part
	// of Config or HostConfig: the caller passes it to ContainerCreate's
	// platform argument (and uses it to pull), so it is returned as is.
	Platform string
}

// extraNetwork is a network to connect the container to after create.
type extraNetwork struct {
	Name     string // the engine's network name
	Endpoint *network.EndpointSettings
}

// injectedFile is a secret or config to copy into the container before it
// starts.
type injectedFile struct {
	Target   string // absolute path in the container
	Content  []byte
	Mode     uint32
	UID, GID string // empty means root (0)
}

// buildContainerSpec maps service s (with `service:` references already resolved to
// `container:<id>`) of project p into a containerSpec. labels are the labels to set
// (the caller adds Berth's/Compose's own); number is the container number.
//
// It assumes the oldest engine Berth supports (API 1.41); a caller that knows
// the negotiated version uses buildContainerSpecForAPI instead.
func buildContainerSpec(p *types.Project, s types.ServiceConfig, number int, labels map[string]string) (*containerSpec, error) {
	return buildContainerSpecForAPI(p, s, number, labels, specMinAPIVersion)
}

// buildContainerSpecForAPI is buildContainerSpec for an engine speaking
// apiVersion: fields that need a newer API are errors, never dropped.
func buildContainerSpecForAPI(p *types.Project, s types.ServiceConfig, number int, labels map[string]string, apiVersion string) (*containerSpec, error) {
	return (&specBuilder{p: p, s: s, number: number, api: apiVersion}).spec(labels)
}

// buildOneOffSpec is buildContainerSpecForAPI for a one-off container
// (`berth run`) named name: its only network alias is its name, unless
// useAliases gives it the service's too (run --use-aliases).
func buildOneOffSpec(p *types.Project, s types.ServiceConfig, name string, useAliases bool, labels map[string]string, apiVersion string) (*containerSpec, error) {
	return (&specBuilder{p: p, s: s, api: apiVersion, oneOffName: name, useAliases: useAliases}).spec(labels)
}

// specBuilder carries what every part of the mapping needs.
type specBuilder struct {
	p      *types.Project
	s      types.ServiceConfig
	number int
	api    string
	// oneOffName is the name of a one-off container, which has no number;
	// useAliases gives it the service's network aliases.
	oneOffName string
	useAliases bool
}

// spec builds the spec, its errors naming the service.
func (b *specBuilder) spec(labels map[string]string) (*containerSpec, error) {
	spec, err := b.build(labels)
	if err != nil {
		return nil, fmt.Errorf("service %q: %w", b.s.Name, err)
	}
	return spec, nil
}

// containerName is the name of the container the spec is for.
func (b *specBuilder) containerName() string {
	if b.oneOffName != "" {
		return b.oneOffName
	}
	return specContainerName(b.p, b.s.Name, b.number)
}

// needsAPI is the error for a field the engine's API version cannot carry.
func (b *specBuilder) needsAPI(field, version string) error {
	if versions.LessThan(b.api, version) {
		return fmt.Errorf("%s needs Docker Engine API %s or later (the engine speaks %s)", field, version, b.api)
	}
	return nil
}

// specUnsupported is the error for a field Berth does not honour.
func specUnsupported(field string) error {
	return fmt.Errorf("%s is not supported by Berth yet", field)
}

// Field by field, types.ServiceConfig (compose-go v2.14) is either mapped below,
// refused by checkUnsupported / an API version check, or irrelevant to creating
// a container:
//
//   - name, profiles, scale, deploy.replicas, depends_on, pull_policy: the
//     planner's business (which containers exist, in what order, which image).
//   - build, dockerfile (legacy, refused below if set), develop: building and
//     watching, not the container.
//   - extends, env_file, label_file: merged into environment / labels by the
//     loader before we see the service.
//   - container_name: the caller passes the name to ContainerCreate (it is
//     only used here to give links and aliases the right name).
//   - platform: returned in containerSpec.Platform for the caller.
//   - attach, pre_start, post_start, pre_stop: run by the runtime around
//     start/stop, not create fields.
//   - extensions (x-*): ignored, as Compose does.

// checkUnsupported is the single list of fields Berth cannot honour: each
// one, when set, is an error naming it.
func (b *specBuilder) checkUnsupported() error {
	s := b.s
	type check struct {
		field string
		set   bool
	}
	checks := []check{
		{"gpus", len(s.Gpus) > 0},
		{"credential_spec", s.CredentialSpec != nil},
		{"use_api_socket", s.UseAPISocket},
		{"models", len(s.Models) > 0},
		{"provider", s.Provider != nil},
		// legacy v1 keys that the schema no longer accepts; refused if a
		// caller builds them by hand rather than dropped
		{"log_driver", s.LogDriver != ""},
		{"log_opt", len(s.LogOpt) > 0},
		{"net", s.Net != ""},
		{"dockerfile", s.Dockerfile != ""},
	}
	if d := s.Deploy; d != nil {
		checks = append(checks,
			check{"deploy.mode " + d.Mode, d.Mode != "" && d.Mode != "replicated"},
			check{"deploy.labels", len(d.Labels) > 0},
			check{"deploy.update_config", d.UpdateConfig != nil},
			check{"deploy.rollback_config", d.RollbackConfig != nil},
			check{"deploy.placement", len(d.Placement.Constraints) > 0 || len(d.Placement.Preferences) > 0 || d.Placement.MaxReplicas > 0},
			check{"deploy.endpoint_mode", d.EndpointMode != ""},
		)
		if rp := d.RestartPolicy; rp != nil {
			checks = append(checks,
				check{"deploy.restart_policy.delay", rp.Delay != nil},
				check{"deploy.restart_policy.window", rp.Window != nil},
			)
		}
		if l := d.Resources.Limits; l != nil {
			checks = append(checks,
				check{"deploy.resources.limits.devices", len(l.Devices) > 0},
				check{"deploy.resources.limits.generic_resources", len(l.GenericResources) > 0},
			)
		}
		if r := d.Resources.Reservations; r != nil {
			checks = append(checks,
				// the engine has no CPU reservation (Compose drops it silently)
				check{"deploy.resources.reservations.cpus", r.NanoCPUs != 0},
				check{"deploy.resources.reservations.pids", r.Pids != 0},
				check{"deploy.resources.reservations.devices", len(r.Devices) > 0},
				check{"deploy.resources.reservations.generic_resources", len(r.GenericResources) > 0},
			)
		}
	}
	for _, key := range specSortedKeys(s.Networks) {
		if n := s.Networks[key]; n != nil {
			checks = append(checks, check{"networks." + key + ".interface_name", n.InterfaceName != ""})
		}
	}
	for _, c := range checks {
		if c.set {
			return specUnsupported(c.field)
		}
	}
	return nil
}

func (b *specBuilder) build(labels map[string]string) (*containerSpec, error) {
	s := b.s
	if err := b.checkUnsupported(); err != nil {
		return nil, err
	}
	if len(s.Annotations) > 0 {
		if err := b.needsAPI("annotations", "1.43"); err != nil {
			return nil, err
		}
	}

	cfg := &container.Config{
		Image:        project.ImageName(b.p, s.Name),
		Hostname:     s.Hostname,
		Domainname:   s.DomainName,
		User:         s.User,
		WorkingDir:   s.WorkingDir,
		Env:          specEnv(s.Environment),
		Labels:       specMergeLabels(s.Labels, s.CustomLabels, labels),
		Tty:          s.Tty,
		OpenStdin:    s.StdinOpen,
		AttachStdout: true, // as Compose does; nothing is attached at create
		AttachStderr: true,
		StopSignal:   s.StopSignal,
	}
	// nil keeps the image's; an explicit empty list clears it
	if s.Command != nil {
		cfg.Cmd = strslice.StrSlice(s.Command)
	}
	if s.Entrypoint != nil {
		cfg.Entrypoint = strslice.StrSlice(s.Entrypoint)
	}
	if s.StopGracePeriod != nil {
		secs := int(time.Duration(*s.StopGracePeriod).Seconds())
		cfg.StopTimeout = &secs
	}
	hc, err := b.healthcheck()
	if err != nil {
		return nil, err
	}
	cfg.Healthcheck = hc

	exposed, bindings, err := b.ports()
	if err != nil {
		return nil, err
	}
	if len(exposed) > 0 {
		cfg.ExposedPorts = exposed
	}

	restart, err := b.restartPolicy()
	if err != nil {
		return nil, err
	}
	resources, err := b.resources()
	if err != nil {
		return nil, err
	}
	securityOpt, unconfined, err := b.securityOpts()
	if err != nil {
		return nil, err
	}
	volumesFrom, err := b.volumesFrom()
	if err != nil {
		return nil, err
	}
	for _, m := range [][2]string{{"ipc", s.Ipc}, {"pid", s.Pid}, {"cgroup", s.Cgroup}, {"uts", s.Uts}} {
		if strings.HasPrefix(m[1], types.ServicePrefix) {
			return nil, fmt.Errorf("%s %q must be resolved to container:<id> before the container is created", m[0], m[1])
		}
	}

	host := &container.HostConfig{
		PortBindings:   bindings,
		RestartPolicy:  restart,
		VolumeDriver:   s.VolumeDriver,
		VolumesFrom:    volumesFrom,
		Annotations:    map[string]string(s.Annotations),
		CapAdd:         strslice.StrSlice(s.CapAdd),
		CapDrop:        strslice.StrSlice(s.CapDrop),
		CgroupnsMode:   container.CgroupnsMode(s.Cgroup),
		DNS:            []string(s.DNS),
		DNSOptions:     s.DNSOpts,
		DNSSearch:      []string(s.DNSSearch),
		ExtraHosts:     specExtraHosts(s.ExtraHosts),
		GroupAdd:       s.GroupAdd,
		IpcMode:        container.IpcMode(s.Ipc),
		OomScoreAdj:    int(s.OomScoreAdj),
		PidMode:        container.PidMode(s.Pid),
		Privileged:     s.Privileged,
		ReadonlyRootfs: s.ReadOnly,
		SecurityOpt:    securityOpt,
		StorageOpt:     s.StorageOpt,
		UTSMode:        container.UTSMode(s.Uts),
		UsernsMode:     container.UsernsMode(s.UserNSMode),
		ShmSize:        int64(s.ShmSize),
		Sysctls:        map[string]string(s.Sysctls),
		Runtime:        s.Runtime,
		Isolation:      container.Isolation(s.Isolation),
		Resources:      resources,
		Init:           s.Init,
	}
	if unconfined {
		// security_opt systempaths=unconfined, as `docker run` does it
		host.MaskedPaths = []string{}
		host.ReadonlyPaths = []string{}
	}
	if s.Logging != nil {
		host.LogConfig = container.LogConfig{Type: s.Logging.Driver, Config: s.Logging.Options}
	}
	if len(s.Tmpfs) > 0 {
		host.Tmpfs = map[string]string{}
		for _, t := range s.Tmpfs {
			target, opts, _ := strings.Cut(t, ":")
			host.Tmpfs[target] = opts
		}
	}
	if host.Binds, host.Mounts, err = b.volumes(); err != nil {
		return nil, err
	}

	links, err := b.links()
	if err != nil {
		return nil, err
	}
	host.Links = links
	spec := &containerSpec{Config: cfg, Host: host, Platform: s.Platform}
	if err := b.networks(spec, links); err != nil {
		return nil, err
	}
	if spec.Files, err = b.files(); err != nil {
		return nil, err
	}
	if s.ReadOnly && len(spec.Files) > 0 {
		if err := b.bindReadOnlyFiles(spec); err != nil {
			return nil, err
		}
	}
	return spec, nil
}

// bindReadOnlyFiles handles the secrets and configs of a read_only service:
// the engine refuses to copy anything into a read-only root filesystem, so
// a file-backed one is bind-mounted read-only instead, as Compose does, and
// one from an environment variable or inline content, which has no host
// file, is an error here rather than after the container is created.
// files has already checked the definitions.
func (b *specBuilder) bindReadOnlyFiles(spec *containerSpec) error {
	type ref struct {
		what, file string
		explicit   bool // a mode, uid or gid, which a bind cannot apply
	}
	var refs []ref
	for _, r := range b.s.Secrets {
		refs = append(refs, ref{fmt.Sprintf("secret %q", r.Source), b.p.Secrets[r.Source].File, r.Mode != nil || r.UID != "" || r.GID != ""})
	}
	for _, r := range b.s.Configs {
		refs = append(refs, ref{fmt.Sprintf("config %q", r.Source), b.p.Configs[r.Source].File, r.Mode != nil || r.UID != "" || r.GID != ""})
	}
	if len(refs) != len(spec.Files) {
		return fmt.Errorf("internal error: %d secrets and configs but %d files", len(refs), len(spec.Files))
	}
	for i, f := range spec.Files {
		r := refs[i]
		switch {
		case r.file == "":
			return fmt.Errorf("%s: read_only: the engine cannot copy a file into a read-only root filesystem, and only a secret or config with `file:` can be bind-mounted instead", r.what)
		case r.explicit:
			return fmt.Errorf("%s: read_only: its mode, uid and gid cannot be applied, since the file is bind-mounted from the host (the engine cannot copy into a read-only root filesystem)", r.what)
		}
		src := r.file
		if !filepath.IsAbs(src) {
			src = filepath.Join(b.p.WorkingDir, src)
		}
		spec.Host.Mounts = append(spec.Host.Mounts, mount.Mount{Type: mount.TypeBind, Source: src, Target: f.Target, ReadOnly: true})
	}
	spec.Files = nil
	return nil
}

// specEnv is the environment as sorted KEY=VALUE entries. A variable with no
// value (`- KEY` that resolved to nothing) is sent as a bare KEY, as Compose
// does: the engine then unsets it, even if the image sets it.
func specEnv(env types.MappingWithEquals) []string {
	if len(env) == 0 {
		return nil
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		if v == nil {
			out = append(out, k)
		} else {
			out = append(out, k+"="+*v)
		}
	}
	slices.Sort(out)
	return out
}

// specMergeLabels merges label maps, later ones winning; nil when all are empty.
func specMergeLabels(maps ...map[string]string) map[string]string {
	var out map[string]string
	for _, m := range maps {
		for k, v := range m {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}

func specExtraHosts(h types.HostsList) []string {
	if len(h) == 0 {
		return nil
	}
	// the Engine API wants host:ip (it splits at the first colon, so IPv6 works)
	l := h.AsList(":")
	slices.Sort(l)
	return l
}

func (b *specBuilder) healthcheck() (*container.HealthConfig, error) {
	h := b.s.HealthCheck
	if h == nil {
		return nil, nil
	}
	test := []string(h.Test)
	if h.Disable {
		test = []string{"NONE"}
	} else if len(test) > 0 {
		switch test[0] {
		case "NONE", "CMD", "CMD-SHELL":
		default:
			return nil, fmt.Errorf("healthcheck.test must start with CMD, CMD-SHELL or NONE, not %q", test[0])
		}
	}
	out := &container.HealthConfig{Test: test}
	if h.Interval != nil {
		out.Interval = time.Duration(*h.Interval)
	}
	if h.Timeout != nil {
		out.Timeout = time.Duration(*h.Timeout)
	}
	if h.StartPeriod != nil {
		out.StartPeriod = time.Duration(*h.StartPeriod)
	}
	if h.Retries != nil {
		out.Retries = int(*h.Retries)
	}
	if h.StartInterval != nil {
		if err := b.needsAPI("healthcheck.start_interval", "1.44"); err != nil {
			return nil, err
		}
		if h.StartPeriod == nil {
			// see moby/moby#48874: the engine ignores it without a start period
			return nil, errors.New("healthcheck.start_interval needs healthcheck.start_period")
		}
		out.StartInterval = time.Duration(*h.StartInterval)
	}
	return out, nil
}

// ports maps ports (and expose) to ExposedPorts and PortBindings. compose-go
// has already expanded short-syntax ranges into one entry per container port;
// a published range (8000-8010) stays a range for the engine to pick from.
func (b *specBuilder) ports() (nat.PortSet, nat.PortMap, error) {
	exposed := nat.PortSet{}
	var bindings nat.PortMap
	for _, e := range b.s.Expose {
		// "3000", "3000-3005", "3000/udp"
		specs, _, err := nat.ParsePortSpecs([]string{e})
		if err != nil {
			return nil, nil, fmt.Errorf("expose %q: %w", e, err)
		}
		for p := range specs {
			exposed[p] = struct{}{}
		}
	}
	// name, mode (host/ingress) and app_protocol are metadata: a single
	// engine publishes on the host either way, as with Compose.
	for _, pc := range b.s.Ports {
		proto := pc.Protocol
		if proto == "" {
			proto = "tcp"
		}
		port, err := nat.NewPort(proto, strconv.FormatUint(uint64(pc.Target), 10))
		if err != nil {
			return nil, nil, fmt.Errorf("ports: %w", err)
		}
		exposed[port] = struct{}{}
		if bindings == nil {
			bindings = nat.PortMap{}
		}
		bindings[port] = append(bindings[port], nat.PortBinding{HostIP: pc.HostIP, HostPort: pc.Published})
	}
	return exposed, bindings, nil
}

func (b *specBuilder) restartPolicy() (container.RestartPolicy, error) {
	var rp container.RestartPolicy
	if r := b.s.Restart; r != "" {
		name, count, hasCount := strings.Cut(r, ":")
		mode, ok := specRestartModes[name]
		if !ok || (hasCount && mode != container.RestartPolicyOnFailure) {
			return rp, fmt.Errorf("restart %q: use no, always, on-failure[:max-retries] or unless-stopped", r)
		}
		rp.Name = mode
		if hasCount {
			n, err := strconv.Atoi(count)
			if err != nil || n < 0 {
				return rp, fmt.Errorf("restart %q: the retry count must be a number", r)
			}
			rp.MaximumRetryCount = n
		}
	}
	// deploy.restart_policy wins over restart, as in Compose
	if b.s.Deploy != nil && b.s.Deploy.RestartPolicy != nil {
		p := b.s.Deploy.RestartPolicy
		mode, ok := specRestartModes[p.Condition]
		if !ok {
			return rp, fmt.Errorf("deploy.restart_policy.condition %q: use none, on-failure or any", p.Condition)
		}
		rp = container.RestartPolicy{Name: mode}
		if p.MaxAttempts != nil {
			if mode != container.RestartPolicyOnFailure {
				return rp, errors.New("deploy.restart_policy.max_attempts only applies to condition on-failure")
			}
			rp.MaximumRetryCount = int(*p.MaxAttempts)
		}
	}
	return rp, nil
}

// specRestartModes maps restart and deploy.restart_policy.condition values.
var specRestartModes = map[string]container.RestartPolicyMode{
	"":               container.RestartPolicyDisabled, // condition left out
	"no":             container.RestartPolicyDisabled,
	"none":           container.RestartPolicyDisabled,
	"always":         container.RestartPolicyAlways,
	"any":            container.RestartPolicyAlways,
	"on-failure":     container.RestartPolicyOnFailure,
	"unless-stopped": container.RestartPolicyUnlessStopped,
}

// specNanoCPUs converts compose-go's float32 CPU count without float32 noise
// (0.1 must be 100000000, not 100000001).
func specNanoCPUs(f float32) int64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
	return int64(math.Round(v * 1e9))
}

func (b *specBuilder) resources() (container.Resources, error) {
	s := b.s
	r := container.Resources{
		CgroupParent:       s.CgroupParent,
		Memory:             int64(s.MemLimit),
		MemoryReservation:  int64(s.MemReservation),
		MemorySwap:         int64(s.MemSwapLimit),
		CPUShares:          s.CPUShares,
		CPUPeriod:          s.CPUPeriod,
		CPUQuota:           s.CPUQuota,
		CPURealtimePeriod:  s.CPURTPeriod,
		CPURealtimeRuntime: s.CPURTRuntime,
		CpusetCpus:         s.CPUSet,
		NanoCPUs:           specNanoCPUs(s.CPUS),
		DeviceCgroupRules:  s.DeviceCgroupRules,
		// Windows only; a Linux engine discards them with a warning that
		// ContainerCreate returns (the caller shows create warnings)
		CPUCount:   s.CPUCount,
		CPUPercent: int64(math.Round(float64(s.CPUPercent))),
	}
	if s.MemSwappiness != 0 {
		v := int64(s.MemSwappiness)
		r.MemorySwappiness = &v
	}
	if s.OomKillDisable {
		t := true
		r.OomKillDisable = &t
	}
	if s.PidsLimit != 0 {
		v := s.PidsLimit
		r.PidsLimit = &v
	}
	if bc := s.BlkioConfig; bc != nil {
		r.BlkioWeight = bc.Weight
		for _, w := range bc.WeightDevice {
			r.BlkioWeightDevice = append(r.BlkioWeightDevice, &blkiodev.WeightDevice{Path: w.Path, Weight: w.Weight})
		}
		throttle := func(in []types.ThrottleDevice) []*blkiodev.ThrottleDevice {
			var out []*blkiodev.ThrottleDevice
			for _, t := range in {
				out = append(out, &blkiodev.ThrottleDevice{Path: t.Path, Rate: uint64(t.Rate)})
			}
			return out
		}
		r.BlkioDeviceReadBps = throttle(bc.DeviceReadBps)
		r.BlkioDeviceReadIOps = throttle(bc.DeviceReadIOps)
		r.BlkioDeviceWriteBps = throttle(bc.DeviceWriteBps)
		r.BlkioDeviceWriteIOps = throttle(bc.DeviceWriteIOps)
	}
	if s.Deploy != nil {
		if l := s.Deploy.Resources.Limits; l != nil {
			if l.MemoryBytes != 0 {
				r.Memory = int64(l.MemoryBytes)
			}
			if l.NanoCPUs != 0 {
				r.NanoCPUs = specNanoCPUs(float32(l.NanoCPUs))
			}
			if l.Pids > 0 {
				v := l.Pids
				r.PidsLimit = &v
			}
		}
		if res := s.Deploy.Resources.Reservations; res != nil && res.MemoryBytes != 0 {
			r.MemoryReservation = int64(res.MemoryBytes)
		}
	}
	var cdi []string
	for _, d := range s.Devices {
		// a CDI device (vendor.com/class=name) is asked for by name, as Compose does
		if d.Source == d.Target && strings.Contains(d.Source, "=") && strings.Contains(d.Source, "/") {
			cdi = append(cdi, d.Source)
			continue
		}
		perms := d.Permissions
		if perms == "" {
			perms = "rwm"
		}
		r.Devices = append(r.Devices, container.DeviceMapping{PathOnHost: d.Source, PathInContainer: d.Target, CgroupPermissions: perms})
	}
	if len(cdi) > 0 {
		r.DeviceRequests = append(r.DeviceRequests, container.DeviceRequest{Driver: "cdi", DeviceIDs: cdi})
	}
	for _, name := range specSortedKeys(s.Ulimits) {
		u := s.Ulimits[name]
		soft, hard := u.Single, u.Single
		if u.Soft != 0 {
			soft = u.Soft
		}
		if u.Hard != 0 {
			hard = u.Hard
		}
		r.Ulimits = append(r.Ulimits, &container.Ulimit{Name: name, Soft: int64(soft), Hard: int64(hard)})
	}
	return r, nil
}

// securityOpts passes security_opt through, inlining a seccomp profile file
// (the engine wants its JSON, as `docker run` and Compose send it) and
// turning systempaths=unconfined into empty masked/read-only path lists.
func (b *specBuilder) securityOpts() (opts []string, unconfined bool, err error) {
	for _, opt := range b.s.SecurityOpt {
		if opt == "systempaths=unconfined" {
			unconfined = true
			continue
		}
		key, val, ok := strings.Cut(opt, "=")
		if !ok {
			key, val, ok = strings.Cut(opt, ":")
		}
		if !ok && key != "no-new-privileges" {
			return nil, false, fmt.Errorf("security_opt %q: want key=value", opt)
		}
		if key == "seccomp" && val != "unconfined" && val != "builtin" {
			file := val
			if !filepath.IsAbs(file) {
				file = filepath.Join(b.p.WorkingDir, file)
			}
			raw, err := os.ReadFile(file)
			if err != nil {
				return nil, false, fmt.Errorf("security_opt seccomp profile: %w", err)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, raw); err != nil {
				return nil, false, fmt.Errorf("security_opt seccomp profile %s: %w", file, err)
			}
			opts = append(opts, "seccomp="+compact.String())
			continue
		}
		opts = append(opts, opt)
	}
	return opts, unconfined, nil
}

// volumesFrom takes entries resolved to container:<id>[:ro|:rw].
func (b *specBuilder) volumesFrom() ([]string, error) {
	var out []string
	for _, v := range b.s.VolumesFrom {
		id, ok := strings.CutPrefix(v, types.ContainerPrefix)
		if !ok || id == "" {
			return nil, fmt.Errorf("volumes_from %q must be resolved to container:<id> before the container is created", v)
		}
		if _, mode, hasMode := strings.Cut(id, ":"); hasMode && mode != "ro" && mode != "rw" {
			return nil, fmt.Errorf("volumes_from %q: the mode must be ro or rw", v)
		}
		out = append(out, id)
	}
	return out, nil
}

// volumes maps `volumes:` to Binds (binds that may create their host path,
// as Compose does: only the Binds API creates a missing source) and Mounts
// (everything else).
func (b *specBuilder) volumes() (binds []string, mounts []mount.Mount, err error) {
	for i, v := range b.s.Volumes {
		field := fmt.Sprintf("volumes[%d] (%s)", i, v.Target)
		if v.Target == "" {
			return nil, nil, fmt.Errorf("%s: no target", field)
		}
		if err := specForeignOptions(v); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", field, err)
		}
		consistency := mount.Consistency(v.Consistency)
		switch v.Type {
		case types.VolumeTypeBind:
			bind, m, err := b.bindVolume(field, v)
			if err != nil {
				return nil, nil, err
			}
			if bind != "" {
				binds = append(binds, bind)
			} else {
				mounts = append(mounts, m)
			}
		case types.VolumeTypeVolume:
			m := mount.Mount{Type: mount.TypeVolume, Target: v.Target, ReadOnly: v.ReadOnly, Consistency: consistency}
			if v.Source != "" {
				pv, ok := b.p.Volumes[v.Source]
				if !ok {
					return nil, nil, fmt.Errorf("%s: volume %q is not declared in the top-level volumes", field, v.Source)
				}
				m.Source = pv.Name
				if m.Source == "" {
					m.Source = v.Source
				}
			}
			opts := &mount.VolumeOptions{}
			if v.Volume != nil {
				opts.NoCopy = v.Volume.NoCopy
				opts.Labels = map[string]string(v.Volume.Labels)
				if v.Volume.Subpath != "" {
					if err := b.needsAPI(field+": volume.subpath", "1.45"); err != nil {
						return nil, nil, err
					}
					opts.Subpath = v.Volume.Subpath
				}
			}
			if v.Source == "" && b.s.VolumeDriver != "" {
				// an anonymous volume is created by the engine with this driver
				opts.DriverConfig = &mount.Driver{Name: b.s.VolumeDriver}
			}
			if opts.NoCopy || len(opts.Labels) > 0 || opts.Subpath != "" || opts.DriverConfig != nil {
				m.VolumeOptions = opts
			}
			mounts = append(mounts, m)
		case types.VolumeTypeTmpfs:
			if v.Source != "" {
				return nil, nil, fmt.Errorf("%s: a tmpfs mount has no source", field)
			}
			m := mount.Mount{Type: mount.TypeTmpfs, Target: v.Target, ReadOnly: v.ReadOnly}
			if t := v.Tmpfs; t != nil && (t.Size != 0 || t.Mode != 0) {
				m.TmpfsOptions = &mount.TmpfsOptions{SizeBytes: int64(t.Size), Mode: os.FileMode(t.Mode)}
			}
			mounts = append(mounts, m)
		case types.VolumeTypeNamedPipe:
			// Windows engines only; a Linux engine refuses it at create
			mounts = append(mounts, mount.Mount{Type: mount.TypeNamedPipe, Source: v.Source, Target: v.Target, ReadOnly: v.ReadOnly})
		case types.VolumeTypeImage:
			if err := b.needsAPI(field+": type image", "1.48"); err != nil {
				return nil, nil, err
			}
			m := mount.Mount{Type: mount.TypeImage, Source: v.Source, Target: v.Target, ReadOnly: v.ReadOnly}
			if v.Image != nil && v.Image.SubPath != "" {
				if err := b.needsAPI(field+": image.subpath", "1.49"); err != nil {
					return nil, nil, err
				}
				m.ImageOptions = &mount.ImageOptions{Subpath: v.Image.SubPath}
			}
			mounts = append(mounts, m)
		case types.VolumeTypeCluster:
			return nil, nil, specUnsupported(field + ": type cluster (swarm CSI volumes)")
		default:
			return nil, nil, fmt.Errorf("%s: unknown type %q", field, v.Type)
		}
	}
	return binds, mounts, nil
}

// specForeignOptions refuses option blocks that do not belong to the mount's type
// (Compose warns and drops them).
func specForeignOptions(v types.ServiceVolumeConfig) error {
	bindSet := v.Bind != nil && (v.Bind.SELinux != "" || v.Bind.Propagation != "" || v.Bind.Recursive != "")
	volumeSet := v.Volume != nil && (v.Volume.NoCopy || len(v.Volume.Labels) > 0 || v.Volume.Subpath != "")
	tmpfsSet := v.Tmpfs != nil && (v.Tmpfs.Size != 0 || v.Tmpfs.Mode != 0)
	imageSet := v.Image != nil && v.Image.SubPath != ""
	for _, o := range []struct {
		name, typ string
		set       bool
	}{
		{"bind", types.VolumeTypeBind, bindSet},
		{"volume", types.VolumeTypeVolume, volumeSet},
		{"tmpfs", types.VolumeTypeTmpfs, tmpfsSet},
		{"image", types.VolumeTypeImage, imageSet},
	} {
		if o.set && v.Type != o.typ {
			return fmt.Errorf("%s options do not apply to a mount of type %s", o.name, v.Type)
		}
	}
	return nil
}

// bindVolume returns either a Binds entry or a Mount for a bind volume.
func (b *specBuilder) bindVolume(field string, v types.ServiceVolumeConfig) (string, mount.Mount, error) {
	src := v.Source
	if src == "" {
		return "", mount.Mount{}, fmt.Errorf("%s: a bind mount needs a source", field)
	}
	if !filepath.IsAbs(src) && !strings.HasPrefix(src, "/") {
		// the loader resolves paths; without that, relative to the project
		src = filepath.Join(b.p.WorkingDir, src)
	}
	create := v.Bind == nil || bool(v.Bind.CreateHostPath)
	var selinux, propagation, recursive string
	if v.Bind != nil {
		selinux, propagation, recursive = v.Bind.SELinux, v.Bind.Propagation, v.Bind.Recursive
	}
	if create && recursive == "" && !strings.Contains(src, ":") && !strings.Contains(v.Target, ":") {
		// the Binds API creates a missing host path (as a directory)
		opts := []string{"rw"}
		if v.ReadOnly {
			opts[0] = "ro"
		}
		for _, o := range []string{selinux, propagation} {
			if o != "" {
				opts = append(opts, o)
			}
		}
		switch c := v.Consistency; c {
		case "", "default":
		case "consistent", "cached", "delegated":
			opts = append(opts, c)
		default:
			return "", mount.Mount{}, fmt.Errorf("%s: unknown consistency %q", field, c)
		}
		return src + ":" + v.Target + ":" + strings.Join(opts, ","), mount.Mount{}, nil
	}
	if selinux != "" {
		// the Mount API has no relabelling
		return "", mount.Mount{}, fmt.Errorf("%s: bind.selinux %q cannot be combined with bind.create_host_path: false or bind.recursive", field, selinux)
	}
	m := mount.Mount{
		Type: mount.TypeBind, Source: src, Target: v.Target, ReadOnly: v.ReadOnly,
		Consistency: mount.Consistency(v.Consistency),
	}
	opts := &mount.BindOptions{Propagation: mount.Propagation(propagation)}
	if create {
		// API 1.42+: create the missing source; older engines ignore the
		// field and create fails loudly if the source is missing
		opts.CreateMountpoint = true
	}
	switch recursive {
	case "", "enabled":
	case "disabled":
		opts.NonRecursive = true
	case "writable":
		if err := b.needsAPI(field+": bind.recursive writable", "1.44"); err != nil {
			return "", mount.Mount{}, err
		}
		opts.ReadOnlyNonRecursive = true
	case "readonly":
		if err := b.needsAPI(field+": bind.recursive readonly", "1.44"); err != nil {
			return "", mount.Mount{}, err
		}
		opts.ReadOnlyForceRecursive = true
	default:
		return "", mount.Mount{}, fmt.Errorf("%s: unknown bind.recursive %q", field, recursive)
	}
	if *opts != (mount.BindOptions{}) {
		m.BindOptions = opts
	}
	return "", m, nil
}

// specContainerName is the name of container number n of service name.
func specContainerName(p *types.Project, name string, n int) string {
	if s, ok := p.Services[name]; ok && s.ContainerName != "" {
		return s.ContainerName
	}
	return fmt.Sprintf("%s-%s-%d", p.Name, name, n)
}

// links maps links (to the linked service's first container) and
// external_links to name:alias entries.
func (b *specBuilder) links() ([]string, error) {
	var out []string
	for _, l := range b.s.Links {
		svc, alias, ok := strings.Cut(l, ":")
		if !ok {
			alias = svc
		}
		if _, found := b.p.Services[svc]; !found {
			return nil, fmt.Errorf("links: service %q is not defined or not enabled", svc)
		}
		out = append(out, specContainerName(b.p, svc, 1)+":"+alias)
	}
	for _, l := range b.s.ExternalLinks {
		name, alias, ok := strings.Cut(l, ":")
		if !ok {
			alias = name
		}
		out = append(out, name+":"+alias)
	}
	return out, nil
}

func specSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// networks sets the network mode, the first network's endpoint and the
// networks to connect after create.
func (b *specBuilder) networks(spec *containerSpec, links []string) error {
	s := b.s
	if mode := s.NetworkMode; mode != "" {
		if strings.HasPrefix(mode, types.ServicePrefix) {
			return fmt.Errorf("network_mode %q must be resolved to container:<id> before the container is created", mode)
		}
		if mode == "disabled" {
			// not in the spec, but Compose accepts it: no networking at all
			spec.Config.NetworkDisabled = true
			mode = "none"
		}
		if s.MacAddress != "" {
			specSetLegacyMAC(spec.Config, s.MacAddress)
		}
		spec.Host.NetworkMode = container.NetworkMode(mode)
		return nil
	}
	keys := s.NetworksByPriority()
	if len(keys) == 0 {
		// the loader puts services without networks on `default`
		if _, ok := b.p.Networks["default"]; !ok {
			spec.Host.NetworkMode = "none"
			return nil
		}
		keys = []string{"default"}
	}

	primary := s.Networks[keys[0]]
	if s.MacAddress != "" && primary != nil && primary.MacAddress != "" && primary.MacAddress != s.MacAddress {
		return fmt.Errorf("mac_address %s differs from networks.%s.mac_address %s", s.MacAddress, keys[0], primary.MacAddress)
	}
	perEndpointMAC := !versions.LessThan(b.api, "1.44")
	if !perEndpointMAC {
		// before API 1.44 the MAC address is container-wide and applies to
		// the network the container is created on
		mac := s.MacAddress
		if primary != nil && primary.MacAddress != "" {
			mac = primary.MacAddress
		}
		specSetLegacyMAC(spec.Config, mac)
	}

	for i, key := range keys {
		nw, ok := b.p.Networks[key]
		if !ok {
			return fmt.Errorf("networks: %q is not declared in the top-level networks", key)
		}
		name := nw.Name
		if name == "" {
			name = key
		}
		ep := &network.EndpointSettings{Aliases: []string{b.containerName()}}
		cfg := s.Networks[key]
		if b.oneOffName == "" || b.useAliases {
			ep.Aliases = append(ep.Aliases, s.Name)
			if cfg != nil {
				ep.Aliases = append(ep.Aliases, cfg.Aliases...)
			}
		}
		if cfg != nil {
			if cfg.Ipv4Address != "" || cfg.Ipv6Address != "" || len(cfg.LinkLocalIPs) > 0 {
				ep.IPAMConfig = &network.EndpointIPAMConfig{
					IPv4Address:  cfg.Ipv4Address,
					IPv6Address:  cfg.Ipv6Address,
					LinkLocalIPs: cfg.LinkLocalIPs,
				}
			}
			if len(cfg.DriverOpts) > 0 {
				ep.DriverOpts = map[string]string(cfg.DriverOpts)
			}
			if cfg.GatewayPriority != 0 {
				if err := b.needsAPI("networks."+key+".gw_priority", "1.48"); err != nil {
					return err
				}
				ep.GwPriority = cfg.GatewayPriority
			}
			if cfg.MacAddress != "" {
				if perEndpointMAC {
					ep.MacAddress = cfg.MacAddress
				} else if i > 0 {
					return b.needsAPI("networks."+key+".mac_address (on a network other than the first)", "1.44")
				}
			}
		}
		if i == 0 {
			if perEndpointMAC && ep.MacAddress == "" {
				ep.MacAddress = s.MacAddress
			}
			ep.Links = links
			spec.Host.NetworkMode = container.NetworkMode(name)
			spec.Network = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{name: ep}}
			continue
		}
		spec.Extra = append(spec.Extra, extraNetwork{Name: name, Endpoint: ep})
	}
	return nil
}

// specSetLegacyMAC sets the container-wide MAC address, the only one engines
// before API 1.44 take.
func specSetLegacyMAC(c *container.Config, mac string) {
	//lint:ignore SA1019 engines before API 1.44 only take the container-wide MAC address
	c.MacAddress = mac
}

// files reads the secrets and configs to copy into the container.
func (b *specBuilder) files() ([]injectedFile, error) {
	var out []injectedFile
	for _, ref := range b.s.Secrets {
		def, ok := b.p.Secrets[ref.Source]
		if !ok {
			return nil, fmt.Errorf("secrets: %q is not declared in the top-level secrets", ref.Source)
		}
		f, err := b.file("secret", types.FileReferenceConfig(ref), types.FileObjectConfig(def), "/run/secrets/")
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	for _, ref := range b.s.Configs {
		def, ok := b.p.Configs[ref.Source]
		if !ok {
			return nil, fmt.Errorf("configs: %q is not declared in the top-level configs", ref.Source)
		}
		f, err := b.file("config", types.FileReferenceConfig(ref), types.FileObjectConfig(def), "/")
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func (b *specBuilder) file(kind string, ref types.FileReferenceConfig, def types.FileObjectConfig, dir string) (injectedFile, error) {
	what := fmt.Sprintf("%s %q", kind, ref.Source)
	switch {
	case bool(def.External):
		return injectedFile{}, fmt.Errorf("%s is external: external %ss are not supported without swarm", what, kind)
	case def.Driver != "":
		return injectedFile{}, specUnsupported(what + ": driver")
	case def.TemplateDriver != "":
		return injectedFile{}, specUnsupported(what + ": template_driver")
	}
	var content []byte
	switch {
	case def.Content != "":
		content = []byte(def.Content)
	case def.Environment != "":
		v, ok := b.p.Environment[def.Environment]
		if !ok {
			return injectedFile{}, fmt.Errorf("%s: environment variable %s is not set", what, def.Environment)
		}
		content = []byte(v)
	case def.File != "":
		file := def.File
		if !filepath.IsAbs(file) {
			file = filepath.Join(b.p.WorkingDir, file)
		}
		var err error
		if content, err = os.ReadFile(file); err != nil {
			return injectedFile{}, fmt.Errorf("%s: %w", what, err)
		}
	default:
		return injectedFile{}, fmt.Errorf("%s has no file, environment or content", what)
	}
	target := ref.Target
	switch {
	case target == "":
		target = dir + ref.Source
	case !strings.HasPrefix(target, "/"):
		target = dir + target
	}
	for _, id := range [][2]string{{"uid", ref.UID}, {"gid", ref.GID}} {
		// the file is written into the container's filesystem by number
		if n, err := strconv.Atoi(id[1]); id[1] != "" && (err != nil || n < 0) {
			return injectedFile{}, fmt.Errorf("%s: %s %q must be a number", what, id[0], id[1])
		}
	}
	mode := uint32(0o444)
	if ref.Mode != nil {
		if *ref.Mode < 0 || *ref.Mode > 0o7777 {
			return injectedFile{}, fmt.Errorf("%s: mode %o is not a file mode", what, int64(*ref.Mode))
		}
		mode = uint32(*ref.Mode)
	}
	return injectedFile{Target: path.Clean(target), Content: content, Mode: mode, UID: ref.UID, GID: ref.GID}, nil
}
