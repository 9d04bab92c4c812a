package engine

import (
	"context"
	"fmt"
	"io"
)

// Attacher connects local streams to a running container. The Docker
// backend implements it.
type Attacher interface {
	// Attach streams spec's input to the container and its output back
	// until the container stops (the result carries its exit code) or the
	// detach keys are read from the input (Detached).
	Attach(ctx context.Context, container string, spec AttachSpec) (AttachResult, error)
}

// AttachSpec are the streams Attach connects.
type AttachSpec struct {
	// Stdin, when set, is passed to a container that keeps its input open
	// (stdin_open); Attach wraps it so that the detach keys end the session.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Terminal is the local terminal, used when the container has a TTY.
	Terminal *Terminal
	// Signals are signal names (SIGINT, ...) forwarded to the container
	// (--sig-proxy); nil forwards none. With the terminal in raw mode,
	// Ctrl-C reaches a TTY as a key, not as a signal.
	Signals <-chan string
}

// AttachResult is how an attach session ended.
type AttachResult struct {
	// ExitCode is the container's exit code once it stopped.
	ExitCode int
	// Detached: the session ended on the detach keys; the container runs on.
	Detached bool
}

// AttachOptions say which container Attach attaches to.
type AttachOptions struct {
	Service string
	// Index is the container's number; 0 means the lowest-numbered
	// running container.
	Index int
	// DetachKeys is the key sequence that ends the session without
	// stopping the container, in the docker CLI's notation ("ctrl-p,ctrl-q",
	// the default when empty).
	DetachKeys string
	Spec       AttachSpec
}

// Attach attaches spec's streams to a running container of a service of
// the project named projectName, as `attach` does, until the container
// stops or the detach keys are typed.
func Attach(ctx context.Context, c Containers, a Attacher, projectName string, o AttachOptions) (AttachResult, error) {
	keys, err := ParseDetachKeys(o.DetachKeys)
	if err != nil {
		return AttachResult{}, err
	}
	ctr, err := RunningContainer(ctx, c, projectName, o.Service, o.Index)
	if err != nil {
		return AttachResult{}, err
	}
	spec := o.Spec
	if spec.Stdin != nil {
		spec.Stdin = NewDetachReader(spec.Stdin, keys)
	}
	res, err := a.Attach(ctx, ctr.ID, spec)
	if err != nil {
		return res, fmt.Errorf("attaching to %s: %w", ctr.Name, err)
	}
	return res, nil
}
