package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/format"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// Runner is what `run` needs of a backend beyond Backend: one-off
// containers, which no plan knows of (only `down` removes them).
type Runner interface {
	// CreateOneOff creates the one-off container c describes, configured
	// from its service as `up` configures the service's containers, and
	// returns its ID.
	CreateOneOff(ctx context.Context, p *project.Project, c OneOff) (string, error)
	// StartOneOff starts a one-off container. Attached (io.Detach false),
	// it streams the container's input and output until it exits and
	// returns its exit code; it returns ctx's error when ctx ends first.
	StartOneOff(ctx context.Context, id string, io OneOffIO) (int, error)
	// StopOneOff stops a one-off container: within timeout, else within its
	// stop grace period, then it is killed.
	StopOneOff(ctx context.Context, id string, timeout *time.Duration) error
	// RemoveOneOff removes a one-off container and its anonymous volumes;
	// a container already gone, or that the engine is removing, is no
	// error.
	RemoveOneOff(ctx context.Context, id string) error
}

// RunBackend is a Backend that runs one-off containers.
type RunBackend interface {
	Backend
	Runner
}

// OneOff is a one-off container to create.
type OneOff struct {
	// Service is the service's configuration with run's overrides applied
	// (see OneOffService).
	Service types.ServiceConfig
	// Name is the container's name; Slug the random ID it carries.
	Name string
	Slug string
	// UseAliases gives it the service's network aliases besides its name.
	UseAliases bool
	// AutoRemove has the engine remove it, with its anonymous volumes,
	// when it exits.
	AutoRemove bool
	// Stdin keeps its standard input open for an attach.
	Stdin bool
}

// OneOffIO is how a one-off container's streams are attached: as `attach`
// attaches them (AttachSpec), from before the container starts. Stdin, when
// set, is copied to the container's input, with no detach keys; Stdout
// receives all its output when it has a TTY, which then has Terminal's
// size and follows its resizes. Signals, for Run, are all the signals
// Berth receives (see RunOptions).
type OneOffIO struct {
	// Detach starts the container without attaching.
	Detach bool
	AttachSpec
}

// RunOverrides are the command line's changes to the service's
// configuration.
type RunOverrides struct {
	// Command replaces the service's command when not empty.
	Command []string
	// Entrypoint, when not nil, replaces the entrypoint and, unless
	// Command is given, clears the command.
	Entrypoint []string
	// Env are KEY=VALUE entries, or KEY alone to take the value from the
	// project's environment (unset: left out); see ResolveEnv.
	Env []string
	// Labels are KEY=VALUE entries added to the container's labels.
	Labels     []string
	User       string
	WorkingDir string
	// Publish are ports to publish (-p) instead of the service's, which
	// are published only with ServicePorts.
	Publish      []string
	ServicePorts bool
	// Volumes are mounts added to the service's (-v).
	Volumes []string
	// CapAdd and CapDrop add and drop capabilities.
	CapAdd, CapDrop []string
	// TTY allocates a pseudo-terminal; Interactive keeps stdin open.
	TTY, Interactive bool
}

// RunOptions are what `run` does.
type RunOptions struct {
	// Service is the service to run a one-off container of.
	Service string
	// Name names the container; empty gives it Compose's name,
	// <project>-<service>-run-<12 hex digits>.
	Name      string
	Overrides RunOverrides
	// NoDeps leaves the service's dependencies alone; otherwise they are
	// brought up (as `up` brings them up) and their conditions awaited first.
	NoDeps bool
	// RemoveOrphans removes containers of services no longer defined while
	// bringing the dependencies up.
	RemoveOrphans bool
	// Images decides the builds and pulls (--build, --pull).
	Images planner.ImageOptions
	// UseAliases gives the container the service's network aliases.
	UseAliases bool
	// Remove removes the container, with its anonymous volumes, when it
	// exits or the run is interrupted (--rm).
	Remove bool
	// IO attaches the container's streams (or, with Detach, does not).
	// Attached, IO.Signals are the signals Berth receives, by name
	// (SIGINT, SIGTERM, ...); each is passed on to the running container,
	// as `docker run` passes them, and the container decides whether to
	// exit: Run then returns its exit code, and ctx's end no longer
	// interrupts the run. An interrupt (SIGINT or SIGTERM) that comes once
	// one was passed on stops the container instead (and with Remove
	// removes it), one more kills it. Without Signals, ctx's end while the
	// container runs stops it.
	IO OneOffIO
	// Notice, when set, is told in a line for the user what Run does with
	// an interrupt it takes while the container runs.
	Notice func(text string)
	// Parallel bounds the engine calls in flight (<= 0: unlimited).
	Parallel int
	// Prepared, when set, is called once the dependencies and the image
	// are ready, before the container is created: where a caller ends
	// its progress display before the container's output comes.
	Prepared func()
}

// RunResult is what Run did.
type RunResult struct {
	// Name and ID are the one-off container's.
	Name, ID string
	// ExitCode is the container's, when attached.
	ExitCode int
}

// OneOffName is the name Compose gives a one-off container of service:
// <project>-<service>-run-<the slug's first 12 digits>.
func OneOffName(projectName, service, slug string) string {
	return fmt.Sprintf("%s-%s-run-%s", projectName, service, slug[:min(12, len(slug))])
}

// NewSlug returns a random ID for a one-off container: 64 hexadecimal
// digits, as the engine's own IDs.
func NewSlug() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a one-off container's ID: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// OneOffService is the configuration of service o.Service with o's
// overrides applied, as Compose applies them: no restart policy, the
// service's ports only with ServicePorts, and the container's name (not
// the service's container_name). It checks every override, so a bad
// value is reported before anything is created.
func OneOffService(p *project.Project, o RunOptions) (types.ServiceConfig, error) {
	s, ok := p.Compose.Services[o.Service]
	if !ok {
		return s, fmt.Errorf("no such service: %q (services: %s)", o.Service, strings.Join(p.Graph.Services(), ", "))
	}
	ov := o.Overrides
	if ov.ServicePorts && len(ov.Publish) > 0 {
		return s, errors.New("--service-ports and --publish cannot be combined: --service-ports publishes the service's own ports")
	}
	s.ContainerName = o.Name
	s.Tty, s.StdinOpen = ov.TTY, ov.Interactive
	s.Restart = ""
	if s.Deploy != nil {
		d := *s.Deploy
		d.RestartPolicy = nil
		s.Deploy = &d
	}
	if len(ov.Command) > 0 {
		s.Command = slices.Clone(ov.Command)
	}
	if ov.Entrypoint != nil {
		s.Entrypoint = slices.Clone(ov.Entrypoint)
		if len(ov.Command) == 0 {
			s.Command = types.ShellCommand{}
		}
	}
	if ov.User != "" {
		s.User = ov.User
	}
	if ov.WorkingDir != "" {
		s.WorkingDir = ov.WorkingDir
	}
	if len(ov.CapAdd) > 0 {
		s.CapAdd = append(slices.Clone(s.CapAdd), ov.CapAdd...)
		s.CapDrop = slices.DeleteFunc(slices.Clone(s.CapDrop), func(c string) bool { return slices.Contains(ov.CapAdd, c) })
	}
	if len(ov.CapDrop) > 0 {
		s.CapDrop = append(slices.Clone(s.CapDrop), ov.CapDrop...)
		s.CapAdd = slices.DeleteFunc(slices.Clone(s.CapAdd), func(c string) bool { return slices.Contains(ov.CapDrop, c) })
	}
	if len(ov.Env) > 0 {
		env, err := ResolveEnv(p, ov.Env)
		if err != nil {
			return s, err
		}
		merged := types.MappingWithEquals{}
		for k, v := range s.Environment {
			merged[k] = v
		}
		s.Environment = merged.OverrideBy(types.NewMappingWithEquals(env))
	}
	if len(ov.Labels) > 0 {
		labels := types.Labels{}
		for k, v := range s.Labels {
			labels[k] = v
		}
		for _, l := range ov.Labels {
			k, v, ok := strings.Cut(l, "=")
			if !ok || k == "" {
				return s, fmt.Errorf("invalid label %q: use KEY=VALUE", l)
			}
			labels[k] = v
		}
		s.Labels = labels
	}
	if !ov.ServicePorts {
		s.Ports = nil
		for _, pub := range ov.Publish {
			ports, err := types.ParsePortConfig(pub)
			if err != nil {
				return s, fmt.Errorf("invalid --publish %q: %w", pub, err)
			}
			s.Ports = append(s.Ports, ports...)
		}
	}
	if len(ov.Volumes) > 0 {
		s.Volumes = slices.Clone(s.Volumes)
		for _, v := range ov.Volumes {
			vol, err := format.ParseVolume(v)
			if err != nil {
				return s, fmt.Errorf("invalid --volume %q: %w", v, err)
			}
			if !strings.HasPrefix(vol.Target, "/") {
				return s, fmt.Errorf("invalid --volume %q: the path in the container must be absolute", v)
			}
			if vol.Type == types.VolumeTypeVolume && vol.Source != "" {
				if _, ok := p.Compose.Volumes[vol.Source]; !ok {
					return s, fmt.Errorf("invalid --volume %q: volume %q is not declared in the project's top-level volumes", v, vol.Source)
				}
			}
			s.Volumes = append(s.Volumes, vol)
		}
	}
	return s, nil
}

// Run runs a one-off container of a service: it brings the service's
// dependencies up through Up (and their conditions awaited) unless
// NoDeps — Up with the service's dependencies alone, so the networks and
// volumes are created either way —, gets the service's image as `up`
// would, creates the container and starts it. Attached, it returns once
// the container has exited, with its exit code. When ctx ends before the
// container starts, or (without o.IO.Signals) while it runs, the container
// is stopped (and with Remove, removed) and Run returns an error wrapping
// ctx's; an interrupt Run takes from o.IO.Signals does the same, with an
// error wrapping context.Canceled.
func Run(ctx context.Context, b RunBackend, p *project.Project, o RunOptions, sink Sink) (*RunResult, error) {
	s, err := OneOffService(p, o)
	if err != nil {
		return nil, err
	}
	var deps []string
	if !o.NoDeps {
		g, err := p.Graph.Subset([]string{o.Service}, true)
		if err != nil {
			return nil, err
		}
		deps = slices.DeleteFunc(g.Services(), func(n string) bool { return n == o.Service })
	}
	only, err := forDependencies(p, s, deps)
	if err != nil {
		return nil, err
	}
	up := UpOptions{Plan: planner.Options{RemoveOrphans: o.RemoveOrphans}, Images: o.Images, Parallel: o.Parallel}
	if _, err := Up(ctx, b, only, up, sink); err != nil {
		return nil, err
	}
	if err := runImage(ctx, b, p, o, sink); err != nil {
		return nil, err
	}
	if !o.NoDeps {
		if err := awaitDependencies(ctx, b, p, o.Service, sink); err != nil {
			return nil, err
		}
	}

	if o.Prepared != nil {
		o.Prepared()
	}
	slug, err := NewSlug()
	if err != nil {
		return nil, err
	}
	if s.ContainerName == "" {
		s.ContainerName = OneOffName(p.Name(), o.Service, slug)
	}
	res := &RunResult{Name: s.ContainerName}
	// created even if ctx ends meanwhile, so that it is known and can be
	// taken away again
	res.ID, err = b.CreateOneOff(context.WithoutCancel(ctx), p, OneOff{
		Service: s, Name: s.ContainerName, Slug: slug, UseAliases: o.UseAliases,
		AutoRemove: o.Remove, Stdin: o.Overrides.Interactive && !o.IO.Detach,
	})
	if err != nil {
		return nil, err
	}
	if ctx.Err() == nil {
		if !o.IO.Detach && o.IO.Signals != nil {
			return res, startPassingSignals(ctx, b, res, o)
		}
		res.ExitCode, err = b.StartOneOff(ctx, res.ID, o.IO)
	}
	if ctx.Err() != nil {
		return res, takeAway(ctx, b, res, o.Remove, nil, ctx.Err())
	}
	if err != nil && o.Remove {
		err = errors.Join(err, b.RemoveOneOff(context.WithoutCancel(ctx), res.ID))
	}
	return res, err
}

// forDependencies is p as `run` brings it up before creating the one-off
// container of s: only the dependencies enabled (the other services
// disabled, so that they are neither planned nor taken for orphans), and
// only the networks and volumes the dependencies and the one-off
// container use.
func forDependencies(p *project.Project, s types.ServiceConfig, deps []string) (*project.Project, error) {
	var others []string
	for _, name := range p.Graph.Services() {
		if name != s.Name && !slices.Contains(deps, name) {
			others = append(others, name)
		}
	}
	m := p.Compose.WithServicesDisabled(others...)
	m.Services[s.Name] = s
	m = m.WithoutUnnecessaryResources().WithServicesDisabled(s.Name)
	g, err := project.NewGraph(m)
	if err != nil {
		return nil, err
	}
	return &project.Project{Compose: m, Graph: g, EnvFiles: p.EnvFiles}, nil
}

// runImage builds or pulls the run service's image as `up` would: when it
// is missing, or as --build, --pull or its pull_policy say.
func runImage(ctx context.Context, b Backend, p *project.Project, o RunOptions, sink Sink) error {
	obs, err := b.Observe(ctx, p)
	if err != nil {
		return err
	}
	opt := o.Images
	opt.Services = []string{o.Service}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	steps, err := planner.ImageSteps(p, obs.Images, opt)
	if err != nil || len(steps) == 0 {
		return err
	}
	plan, err := planner.ImagePlan(p, steps, false)
	if err != nil {
		return err
	}
	return apply(ctx, b, p, plan, RuntimeOptions{}, o.Parallel, sink, "run")
}

// awaitDependencies waits for the depends_on conditions of service
// (service_healthy, service_completed_successfully) before its one-off
// container starts; a dependency with required: false that fails is a
// warning.
func awaitDependencies(ctx context.Context, b Backend, p *project.Project, service string, sink Sink) error {
	plan := &planner.Plan{}
	for _, e := range p.Graph.Deps(service) {
		if e.Condition != project.ConditionHealthy && e.Condition != project.ConditionCompleted {
			continue
		}
		plan.Actions = append(plan.Actions, planner.Action{
			ID: len(plan.Actions) + 1, Kind: planner.AwaitCondition, Resource: planner.ServiceRes(e.To),
			Target: e.Condition, Reason: planner.DependencyCondition, Optional: !e.Required,
		})
	}
	if plan.Empty() {
		return nil
	}
	return Execute(ctx, plan, b.Runtime(p, RuntimeOptions{}), -1, sink)
}
