package planner

import (
	"fmt"
	"strings"
)

// Kind is what an action does. Each kind is one Engine API call (or, for
// the waits, one wait on the engine's events), so the plan printed before
// `up` runs is exactly what `up` does.
type Kind int

// The action kinds.
const (
	CreateNetwork Kind = iota + 1
	RemoveNetwork
	CreateVolume
	RemoveVolume
	// RemoveImage removes an image (`down --rmi`).
	RemoveImage
	CreateContainer
	ConnectNetwork
	// DisconnectNetwork detaches a container from a network that is about
	// to be recreated.
	DisconnectNetwork
	StartContainer
	StopContainer
	RemoveContainer
	RenameContainer
	// RestartContainer restarts a running container whose dependency was
	// recreated or restarted (depends_on with restart: true).
	RestartContainer
	// AwaitCondition waits until a dependency's containers meet the
	// depends_on condition (healthy, or exited 0) before its dependents start.
	AwaitCondition
	// BuildImage builds a service's image (and tags it for the services
	// that share its build section).
	BuildImage
	// PullImage pulls a service's image.
	PullImage
	// KillContainer sends a signal (Target; default SIGKILL) to a running
	// container.
	KillContainer
	// PauseContainer and UnpauseContainer pause and resume a container's
	// processes.
	PauseContainer
	UnpauseContainer
)

var kindNames = map[Kind]string{
	CreateNetwork:     "create-network",
	RemoveNetwork:     "remove-network",
	CreateVolume:      "create-volume",
	RemoveVolume:      "remove-volume",
	RemoveImage:       "remove-image",
	CreateContainer:   "create",
	ConnectNetwork:    "connect",
	DisconnectNetwork: "disconnect",
	RestartContainer:  "restart",
	StartContainer:    "start",
	StopContainer:     "stop",
	RemoveContainer:   "remove",
	RenameContainer:   "rename",
	AwaitCondition:    "await",
	BuildImage:        "build",
	PullImage:         "pull",
	KillContainer:     "kill",
	PauseContainer:    "pause",
	UnpauseContainer:  "unpause",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Reason says why an action is in the plan.
type Reason int

// The reasons.
const (
	// Missing: the resource does not exist.
	Missing Reason = iota + 1
	// ConfigChanged: the service's configuration differs from the one the
	// container was created with (the config hash differs).
	ConfigChanged
	// ImageChanged: the image behind the service's tag is not the one the
	// container was created from.
	ImageChanged
	// NotRunning: the container exists but is stopped.
	NotRunning
	// ScaleDown: the container is numbered above the service's replicas.
	ScaleDown
	// Orphaned: the container's service is no longer in the project.
	Orphaned
	// DependencyRecreated: a service whose namespace or volumes this one
	// shares was recreated.
	DependencyRecreated
	// Forced: --force-recreate or -V.
	Forced
	// NetworkNotAttached: a running container lacks a network it should be on.
	NetworkNotAttached
	// VolumeNotMounted: a container lacks a named volume it should mount.
	VolumeNotMounted
	// Replaced: the step retires the old container of a recreate.
	Replaced
	// DependencyCondition: a dependent waits on this condition.
	DependencyCondition
	// Down: `down` removes the project.
	Down
	// DependencyRestarted: a dependency with depends_on restart: true was
	// recreated or restarted.
	DependencyRestarted
	// BuildFlag: `up --build` rebuilds every service that has a build
	// section.
	BuildFlag
	// PolicyAlways: the service's pull_policy (or --pull) is always.
	PolicyAlways
	// PolicyBuild: the service's pull_policy (or --pull) is build.
	PolicyBuild
	// PolicyRefresh: the image is older than the service's pull_policy
	// (daily, weekly, every_<duration>) allows.
	PolicyRefresh
	// Requested: `berth build` or `berth pull` asked for it.
	Requested
	// BuildContextChanged: the service's build context or section is not
	// what its image was built from.
	BuildContextChanged
	// Interrupted: a recreate was interrupted (Berth was killed between
	// creating the replacement and renaming it); the step finishes or
	// undoes it.
	Interrupted
	// OneOff: `down` removes a one-off container of the project (one that
	// `berth run` created).
	OneOff
)

var reasonNames = map[Reason]string{
	Missing:             "missing",
	ConfigChanged:       "config changed",
	ImageChanged:        "image changed",
	NotRunning:          "not running",
	ScaleDown:           "scale down",
	Orphaned:            "orphaned",
	DependencyRecreated: "dependency recreated",
	Forced:              "forced",
	NetworkNotAttached:  "network not attached",
	VolumeNotMounted:    "volume not mounted",
	Replaced:            "replaced",
	DependencyCondition: "dependency condition",
	Down:                "down",
	DependencyRestarted: "dependency restarted",
	BuildFlag:           "--build",
	PolicyAlways:        "pull_policy always",
	PolicyBuild:         "pull_policy build",
	PolicyRefresh:       "pull_policy refresh",
	Requested:           "requested",
	Interrupted:         "interrupted recreate",
	BuildContextChanged: "build context changed",
	OneOff:              "one-off container",
}

func (r Reason) String() string {
	if s, ok := reasonNames[r]; ok {
		return s
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// Change is one field that differs between what a container was created
// with and what the project now asks for.
type Change struct {
	Path string // e.g. "environment.LOG_LEVEL", "image", "ports"
	Old  string // "" when the field was absent
	New  string // "" when the field is removed
}

// Action is one step of a plan. It carries everything a backend needs to
// carry it out, so that nothing parses names or switches on the Reason
// (reasons are for people and tests).
type Action struct {
	ID   int
	Kind Kind
	// Resource is what the action is about, typed: a network or volume of
	// the project, a container (service and number), a service (an await),
	// or a service's image.
	Resource Resource
	// Name is the engine name the action acts on: a network, volume or
	// container name (for a rename, the current name), or an image
	// reference.
	Name string
	// Target is the new name of a rename, the network of a connect or
	// disconnect, or the condition of an await.
	Target string
	// Replaces is, for the create of a recreate, the name of the container
	// the new one replaces (whose anonymous volumes it takes over).
	Replaces string
	// Image is the image reference a create runs, or a build or pull gets.
	Image string
	// Tags are more references a build gives its image: those of the
	// services that share its build section.
	Tags []string
	// RemoveVolumes removes a container's anonymous volumes with it: the
	// old container of a recreate (except the volumes its replacement took
	// over, which the engine keeps in use), and `down -v`, `rm -v`.
	RemoveVolumes bool
	// Detail says more about the reason, for people: "older than 24h0m0s".
	Detail  string
	Reason  Reason
	Changes []Change
	// DependsOn lists the IDs of actions that must finish first.
	DependsOn []int
	// Optional marks an action whose failure does not stop the actions
	// that depend on it: the wait on a depends_on with required: false.
	// The executor reports the failure as a warning.
	Optional bool
}

// Plan is the ordered list of actions that converges the engine on the
// project. Actions come in an order where every action follows the actions it
// depends on; an empty plan means nothing needs doing.
type Plan struct {
	Actions []Action
	// Warnings are things the user should know that need no action, such
	// as orphan containers left in place.
	Warnings []string
}

// Empty reports whether the plan has nothing to do.
func (p *Plan) Empty() bool { return len(p.Actions) == 0 }

// String is a compact, stable form of the plan for tests: one line per
// action, "ID kind resource [name] [-> target] (reason) after [deps]".
func (p *Plan) String() string {
	var b strings.Builder
	for _, a := range p.Actions {
		fmt.Fprintf(&b, "%d %s %s", a.ID, a.Kind, a.Resource.String())
		if a.Target != "" {
			fmt.Fprintf(&b, " -> %s", a.Target)
		}
		fmt.Fprintf(&b, " (%s)", a.Reason)
		if len(a.DependsOn) > 0 {
			deps := make([]string, len(a.DependsOn))
			for i, d := range a.DependsOn {
				deps[i] = fmt.Sprint(d)
			}
			fmt.Fprintf(&b, " after %s", strings.Join(deps, ","))
		}
		b.WriteByte('\n')
	}
	return b.String()
}
