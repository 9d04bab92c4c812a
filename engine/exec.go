package engine

import (
	"context"
)

// Execer runs commands in a service's containers, as `exec` does.
type Execer interface {
	Containers
	// Exec runs a command in a running container and returns its exit
	// code.
	Exec(ctx context.Context, container string, spec ExecSpec) (int, error)
}

// ExecOptions say which container `exec` runs a command in, and the
// command.
type ExecOptions struct {
	Service string
	// Index is the container's number (--index); 0 means the service's
	// lowest-numbered running container.
	Index int
	Spec  ExecSpec
}

// Exec runs a command in a running container of a service of the project
// named projectName, as `exec` does, and returns the command's exit code.
// It changes nothing when the service has no such running container.
func Exec(ctx context.Context, e Execer, projectName string, o ExecOptions) (int, error) {
	ctr, err := RunningContainer(ctx, e, projectName, o.Service, o.Index)
	if err != nil {
		return 0, err
	}
	return e.Exec(ctx, ctr.Name, o.Spec)
}

// RunningContainer returns the running container number index of service
// (index 0: its lowest-numbered running container, or, when none of its
// numbered containers runs, a one-off container of `run`, as Compose
// chooses), with an error naming what is wrong when that container does
// not run.
func RunningContainer(ctx context.Context, c Containers, projectName, service string, index int) (ServiceContainer, error) {
	cs, err := chooseServiceContainers(ctx, c, projectName, ContainerChoice{Service: service, Index: index, Running: true}, true)
	if err != nil {
		return ServiceContainer{}, err
	}
	return cs[0], nil
}
