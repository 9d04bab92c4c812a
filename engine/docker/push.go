package docker

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/image"

	"github.com/berth-dev/berth/engine"
)

// Push pushes the local image ref to its registry, passing the engine's
// progress messages to log. Credentials come from the docker CLI's
// config.json, as docker login left them (see registryAuth), read in the
// environment SetEnviron gave.
func (c *Client) Push(ctx context.Context, ref string, log func(string)) error {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return fmt.Errorf("invalid image reference %q: %w", ref, err)
	}
	auth, err := registryAuth(ctx, c.getenv, reference.Domain(named))
	if err != nil {
		return err
	}
	rc, err := c.api.ImagePush(ctx, familiar(ref), image.PushOptions{RegistryAuth: auth})
	if err != nil {
		return fmt.Errorf("pushing %s: %w", ref, err)
	}
	defer rc.Close()
	if err := readJSONMessages(rc, log); err != nil {
		return fmt.Errorf("pushing %s: %w", ref, err)
	}
	return nil
}

// SetEnviron sets the environment (KEY=VALUE entries) Push reads the
// docker CLI's configuration in: DOCKER_CONFIG, HOME, and PATH to find
// credential helpers. Without it, Push reads the process's environment.
func (c *Client) SetEnviron(environ []string) {
	c.environ = slices.Clone(environ)
}

// getenv looks key up in the environment SetEnviron gave, else in the
// process's.
func (c *Client) getenv(key string) string {
	if c.environ == nil {
		return os.Getenv(key)
	}
	for i := len(c.environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(c.environ[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// Client pushes images.
var _ engine.Pusher = (*Client)(nil)
