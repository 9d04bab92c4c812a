// Package docker is Berth's Docker Engine backend: it lists a project's
// containers, networks, volumes and images into the planner's observed
// state, carries out plan actions through the Engine API (one call each), and
// follows containers' output and the engine's events. It is the only package
// of Berth that imports the Docker SDK.
package docker

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/docker/docker/client"

	"github.com/berth-dev/berth/engine"
)

// Client is a connection to a Docker Engine.
type Client struct {
	api *client.Client
	// APIVersion is the Engine API version agreed with the daemon.
	APIVersion string

	hubsMu sync.Mutex
	hubs   map[string]*eventHub // by project

	// environ is the environment Push reads the CLI's configuration in
	// (nil: the process's); see SetEnviron.
	environ []string
}

// Connect opens a client configured from the environment (DOCKER_HOST,
// DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_API_VERSION) or, without
// DOCKER_HOST, from the docker context in effect (DOCKER_CONTEXT or the
// CLI's current context), negotiates the API version with the daemon and
// checks that it answers.
func Connect(ctx context.Context) (*Client, error) {
	opts, err := clientOptions(os.Getenv)
	if err != nil {
		return nil, err
	}
	api, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, fmt.Errorf("configuring the Docker client: %w", err)
	}
	ping, err := api.Ping(ctx)
	if err != nil {
		_ = api.Close()
		return nil, fmt.Errorf("cannot reach the Docker Engine at %s: %w (is dockerd running? check DOCKER_HOST)", api.DaemonHost(), err)
	}
	api.NegotiateAPIVersionPing(ping)
	return &Client{api: api, APIVersion: api.ClientVersion()}, nil
}

// Close releases the client's connections.
func (c *Client) Close() error {
	c.hubsMu.Lock()
	for _, h := range c.hubs {
		h.stop()
	}
	c.hubsMu.Unlock()
	return c.api.Close()
}

// Host is the address of the engine the client talks to.
func (c *Client) Host() string { return c.api.DaemonHost() }

// Client is a Berth backend.
var _ engine.Backend = (*Client)(nil)
