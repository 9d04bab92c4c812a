package engine

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// Backend is what Berth's orchestration needs from a container engine. The
// Docker Engine implementation lives in engine/docker, the only package
// that imports the Docker SDK; tests use a hand-written fake.
type Backend interface {
	// Host names the engine (its address), for the per-project lock.
	Host() string
	// Observe reads the project's containers, networks, volumes and local
	// images in one observation.
	Observe(ctx context.Context, p *project.Project) (*planner.Observed, error)
	// BuildContextDigests returns the digest of each named service's build
	// context as it is now, to compare with the one its image was built
	// from (planner.LocalImage.BuildContext).
	BuildContextDigests(ctx context.Context, p *project.Project, services []string) map[string]string
	// Runtime returns what carries out p's plan actions, one engine call
	// each (an await waits on the engine's events).
	Runtime(p *project.Project, opts RuntimeOptions) Runtime
	// List returns the project's containers as `ps` shows them.
	List(ctx context.Context, projectName string, all bool) ([]ContainerInfo, error)
	// EngineTime is the engine's clock now.
	EngineTime(ctx context.Context) (time.Time, error)
	// Follow streams the output and exits of the project's containers to
	// sink until every followed container has exited or ctx ends.
	Follow(ctx context.Context, projectName string, opts FollowOptions, sink LogSink) error
	// Exec runs a command in a running container and returns its exit code.
	Exec(ctx context.Context, container string, spec ExecSpec) (int, error)
	// CopyTo unpacks a tar stream into a container at dst.
	CopyTo(ctx context.Context, container, dst string, archive io.Reader) error
	// Events streams the engine's events about the project's containers
	// until ctx ends; the error channel reports why the stream ended early.
	Events(ctx context.Context, projectName string) (<-chan EngineEvent, <-chan error)
}

// ExecSpec is a command Exec runs in a container.
type ExecSpec struct {
	Cmd        []string
	User       string
	WorkingDir string
	// Env are KEY=VALUE entries added to the container's environment.
	Env        []string
	Privileged bool
	// Stdout and Stderr receive the command's output; nil discards it.
	Stdout, Stderr io.Writer
	// Stdin, when set, is the command's input; its end closes the input.
	Stdin io.Reader
	// Terminal, when set, runs the command on a TTY the size of that
	// terminal: Stdout then receives all the command's output.
	Terminal *Terminal
	// Detach starts the command and returns at once, with exit code 0.
	Detach bool
}

// EngineEvent is an event of the engine about one of the project's
// containers.
type EngineEvent struct {
	Time time.Time
	// Action is the engine's word: create, start, die, health_status:
	// healthy, destroy, ...
	Action    string
	Container string // ID
	Name      string
	Service   string
	// Attributes are the event's attributes (labels, exitCode, ...).
	Attributes map[string]string
}

// Stream is the output stream a log line was written to.
type Stream int

// The streams. A container with a TTY writes everything to Stdout.
const (
	Stdout Stream = 1
	Stderr Stream = 2
)

// LogSource is the container a log line or an exit comes from.
type LogSource struct {
	ID      string
	Name    string
	Service string
	// Number is the container's number within its service (0 when it has
	// none), which with Name tells a default name (PROJECT-SERVICE-N) from
	// a container_name.
	Number int
}

// ContainerExit reports that a followed container stopped.
type ContainerExit struct {
	LogSource
	ExitCode int
	// Restarting is true when the engine restarts the container (its
	// restart policy); Follow goes on following it.
	Restarting bool
}

// LogSink receives what Follow reads. Line is called from one goroutine per
// container, so an implementation must be safe for concurrent use; a
// container's Exit comes after its last Line.
type LogSink interface {
	// Line is one line a container wrote, without its line ending. A last
	// line without a newline is passed when the stream ends.
	Line(src LogSource, stream Stream, line string)
	// Exit reports that a container's run ended.
	Exit(e ContainerExit)
}

// FollowOptions say what Follow follows.
type FollowOptions struct {
	// Services limits Follow to these services' containers; empty means
	// every service of the project.
	Services []string
	// Index, when not 0, limits Follow to the containers with this number
	// (`logs --index`).
	Index int
	// Since is the moment, on the engine's clock (see EngineTime), from
	// which output is shown: `up` passes the time it began applying its
	// plan, so the containers it started show all their output and those
	// that were running already show what they wrote since. A container
	// that was not running at Since and has exited before Follow starts is
	// ignored. The zero time shows each container's whole log.
	Since time.Time
	// UntilCanceled follows until ctx ends, even when every followed
	// container has exited: `up --watch` recreates containers, and their
	// successors are followed as they start.
	UntilCanceled bool
	// Timestamps asks the engine for each line's time, passed to a sink
	// that implements TimedLogSink.
	Timestamps bool
	// OneOffs follows the services' one-off containers (`berth run`) too,
	// as `logs` does; attached `up` leaves them out.
	OneOffs bool
}

// Port is a published or exposed port of a container.
type Port struct {
	URL           string `json:"URL"` // host IP the port is published on
	TargetPort    uint16 `json:"TargetPort"`
	PublishedPort uint16 `json:"PublishedPort"`
	Protocol      string `json:"Protocol"`
}

// ContainerInfo describes one container of a project, as `ps` shows it.
type ContainerInfo struct {
	ID       string
	Name     string
	Image    string
	Command  string
	Project  string
	Service  string
	Number   int
	Created  time.Time
	State    string // running, exited, ...
	Status   string // the engine's words: "Up 2 minutes (healthy)"
	Health   string // "", starting, healthy, unhealthy
	ExitCode int
	Ports    []Port
	// Labels are the container's labels.
	Labels map[string]string
	// Mounts are the names of its volumes (the sources of its bind
	// mounts), Networks the names of the networks it is attached to.
	Mounts   []string
	Networks []string
	// LocalVolumes counts its volumes of the local driver.
	LocalVolumes int
}

// PortsString renders ports as Compose's ps does:
// "0.0.0.0:8080->80/tcp, 443/tcp".
func PortsString(ports []Port) string {
	var parts []string
	for _, p := range ports {
		if p.PublishedPort == 0 {
			parts = append(parts, strconv.Itoa(int(p.TargetPort))+"/"+p.Protocol)
			continue
		}
		host := p.URL
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		parts = append(parts, host+":"+strconv.Itoa(int(p.PublishedPort))+"->"+strconv.Itoa(int(p.TargetPort))+"/"+p.Protocol)
	}
	return strings.Join(parts, ", ")
}

// BuildOptions tune a build.
type BuildOptions struct {
	// NoCache builds without the builder's cache, as build.no_cache does.
	NoCache bool
	// Pull always pulls the base images, as build.pull does.
	Pull bool
	// Args are --build-arg overrides (KEY=VALUE), applied over build.args.
	// A key given without a value takes it from the environment: the caller
	// resolves it before it gets here.
	Args map[string]string
	// Quiet suppresses the builder's output: log receives nothing.
	Quiet bool
}

// RuntimeOptions tune how actions are carried out.
type RuntimeOptions struct {
	// StopTimeout overrides each service's stop_grace_period (-t).
	StopTimeout *time.Duration
	// RenewAnonVolumes (-V) gives recreated containers fresh anonymous
	// volumes instead of the old container's.
	RenewAnonVolumes bool
	// Build tunes BuildImage actions.
	Build BuildOptions
}
