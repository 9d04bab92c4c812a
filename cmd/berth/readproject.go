package main

import (
	"context"
	"errors"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
	"github.com/berth-dev/berth/project"
)

// projectOrName finds the project a command about its existing
// containers works on (ps, logs, exec, cp, ...), before anything connects
// to the engine: the project its compose file describes, with the named
// services' profiles enabled (a service its profile leaves out may still
// have containers), and the services checked (checkServices: exit 1). With
// no compose file but a project name (-p, or COMPOSE_PROJECT_NAME), it
// returns the name alone and a nil project, as Compose does: the project's
// containers are found by their label, and the services are not checked.
func (g *globalOptions) projectOrName(ctx context.Context, services []string) (*project.Project, string, error) {
	opts := g.projectOptions(nil)
	opts.NoDefaultPlatform, opts.Enable = true, services
	p, err := project.Load(ctx, opts)
	if err == nil {
		if err := checkServices(p, services...); err != nil {
			return nil, "", err
		}
		return p, p.Name(), nil
	}
	name := g.projectName
	if name == "" {
		name, _ = g.streams.Getenv("COMPOSE_PROJECT_NAME")
	}
	if errors.Is(err, project.ErrNoConfigFile) && name != "" && len(g.files) == 0 {
		return nil, strings.ToLower(name), nil
	}
	return nil, "", err
}

// environmentOnly stands in for the project of `exec` when it was found by
// name alone: -e KEY then takes KEY's value from Berth's environment.
func environmentOnly(s Streams) *project.Project {
	env := map[string]string{}
	for _, kv := range s.Environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return &project.Project{Compose: &types.Project{Environment: env}}
}

// openForReading is how the commands that only read the engine (logs,
// events, stats, top) start: find the project (projectOrName: p is nil
// when it is known by name alone), then connect to the engine. The caller
// closes the client.
func (g *globalOptions) openForReading(ctx context.Context, services []string) (p *project.Project, name string, c *docker.Client, err error) {
	if p, name, err = g.projectOrName(ctx, services); err != nil {
		return nil, "", nil, err
	}
	if c, err = docker.Connect(ctx); err != nil {
		return nil, "", nil, err
	}
	return p, name, c, nil
}

// indexFlag is a command's --index: when given, a container number
// (else a usage error); when not, 0, which each command reads its own way
// (see engine.ContainerChoice).
func indexFlag(cmd *cobra.Command, index int) (int, error) {
	if !cmd.Flags().Changed("index") {
		return 0, nil
	}
	if err := engine.ValidIndex(index); err != nil {
		return 0, usageError("%w", err)
	}
	return index, nil
}
