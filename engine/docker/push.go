package docker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/registry"

	"github.com/berth-dev/berth/engine"
)

// Push pushes the local image ref to its registry, passing the engine's
// progress messages to log. Credentials come from the docker CLI's
// config.json (its "auths" entry for the registry), as docker login left
// them; credential helpers are not consulted.
func (c *Client) Push(ctx context.Context, ref string, log func(string)) error {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return fmt.Errorf("invalid image reference %q: %w", ref, err)
	}
	auth, err := registryAuth(os.Getenv, reference.Domain(named))
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

// registryAuth is the encoded X-Registry-Auth value for domain, from the
// "auths" of config.json under DOCKER_CONFIG (default ~/.docker); "{}"
// (anonymous) when there is none.
func registryAuth(getenv func(string) string, domain string) (string, error) {
	cfg := registry.AuthConfig{}
	if dir := configDir(getenv); dir != "" {
		data, err := os.ReadFile(filepath.Join(dir, "config.json"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("reading docker config: %w", err)
		}
		var file struct {
			Auths map[string]struct {
				Auth          string `json:"auth"`
				IdentityToken string `json:"identitytoken"`
			} `json:"auths"`
		}
		if len(data) > 0 {
			if err := json.Unmarshal(data, &file); err != nil {
				return "", fmt.Errorf("reading %s: %w", filepath.Join(dir, "config.json"), err)
			}
		}
		for key, a := range file.Auths {
			if authDomain(key) != domain {
				continue
			}
			if raw, err := base64.StdEncoding.DecodeString(a.Auth); err == nil {
				cfg.Username, cfg.Password, _ = strings.Cut(string(raw), ":")
			}
			cfg.IdentityToken, cfg.ServerAddress = a.IdentityToken, key
			break
		}
	}
	return registry.EncodeAuthConfig(cfg)
}

// configDir is the docker CLI's configuration directory: DOCKER_CONFIG,
// else ~/.docker; "" when there is no home directory.
func configDir(getenv func(string) string) string {
	if dir := getenv("DOCKER_CONFIG"); dir != "" {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".docker")
}

// authDomain is the registry domain of a config.json "auths" key: Docker
// Hub's keys are URLs, others a host[:port] perhaps with a scheme.
func authDomain(key string) string {
	key = strings.TrimPrefix(strings.TrimPrefix(key, "https://"), "http://")
	key, _, _ = strings.Cut(key, "/")
	if key == "index.docker.io" || key == "registry-1.docker.io" {
		return "docker.io"
	}
	return key
}

// Client pushes images.
var _ engine.Pusher = (*Client)(nil)
