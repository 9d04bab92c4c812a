package main

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/engine/docker"
	"github.com/berth-dev/berth/project"
)

// openForReading is how the commands that only read the engine (logs,
// events, stats, top) start: load the project, check the services named
// exist in it, and connect to the engine. The caller closes the client.
func (g *globalOptions) openForReading(ctx context.Context, services []string) (*project.Project, *docker.Client, error) {
	p, err := g.load(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range services {
		if !p.Graph.Has(s) {
			return nil, nil, fmt.Errorf("no such service: %q", s)
		}
	}
	c, err := docker.Connect(ctx)
	if err != nil {
		return nil, nil, err
	}
	return p, c, nil
}
