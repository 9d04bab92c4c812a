package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Numbered is a container ChooseContainers chooses among: ContainerInfo
// and ServiceContainer are.
type Numbered interface {
	// ContainerNumber is the container's number in its service.
	ContainerNumber() int
}

// ContainerNumber is the container's number in its service.
func (c ContainerInfo) ContainerNumber() int { return c.Number }

// ContainerNumber is the container's number in its service.
func (c ServiceContainer) ContainerNumber() int { return c.Number }

// ContainerChoice says which of a service's containers a command works on
// (its --index).
type ContainerChoice struct {
	Service string
	// Index is the container's number; 0 means none was given.
	Index int
	// AllWhenUnset: with no Index, every container (cp into a service,
	// logs); otherwise the lowest-numbered one (exec, attach, export,
	// commit, port).
	AllWhenUnset bool
	// Running says the containers chosen among are the running ones, for
	// the error messages.
	Running bool
}

// ValidIndex checks a --index given on the command line: containers are
// numbered from 1.
func ValidIndex(index int) error {
	if index < 1 {
		return fmt.Errorf("invalid --index %d: containers are numbered from 1", index)
	}
	return nil
}

// ChooseContainers returns, of cs (the service's containers, sorted by
// number), the one numbered o.Index, or with no index the lowest-numbered
// one or all of them (o.AllWhenUnset). The error names the service and the
// numbers it has.
func ChooseContainers[C Numbered](cs []C, o ContainerChoice) ([]C, error) {
	state := ""
	if o.Running {
		state = " running"
	}
	if o.Index == 0 {
		switch {
		case len(cs) == 0:
			return nil, fmt.Errorf("service %q has no%s container: run `berth up` (or `berth start`) first", o.Service, state)
		case o.AllWhenUnset:
			return cs, nil
		default:
			return cs[:1], nil
		}
	}
	if err := ValidIndex(o.Index); err != nil {
		return nil, err
	}
	numbers := make([]string, 0, len(cs))
	for i, c := range cs {
		if c.ContainerNumber() == o.Index {
			return cs[i : i+1], nil
		}
		numbers = append(numbers, "#"+strconv.Itoa(c.ContainerNumber()))
	}
	if len(numbers) == 0 {
		return nil, fmt.Errorf("service %q has no%s container #%d (it has no%s containers)", o.Service, state, o.Index, state)
	}
	return nil, fmt.Errorf("service %q has no%s container #%d (its%s containers are %s)", o.Service, state, o.Index, state, strings.Join(numbers, ", "))
}

// chooseServiceContainers lists the service's containers (the running
// ones with o.Running) and chooses among them as o says; oneOff adds the
// one-off containers of `run`, after the others, when no index is given.
func chooseServiceContainers(ctx context.Context, c Containers, projectName string, o ContainerChoice, oneOff bool) ([]ServiceContainer, error) {
	cs, err := c.ServiceContainers(ctx, projectName, o.Service, oneOff && o.Index == 0, o.Running)
	if err != nil {
		return nil, err
	}
	return ChooseContainers(cs, o)
}
