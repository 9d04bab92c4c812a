package docker

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/docker/docker/client"
)

// endpoint is where a docker context says the engine is.
type endpoint struct {
	Host          string
	SkipTLSVerify bool
	TLSDir        string // holds ca.pem, cert.pem and key.pem when the context has TLS material
}

// contextEndpoint resolves the docker context in effect the way the docker
// CLI does: DOCKER_HOST wins (nil result: the client's environment handling
// applies), then DOCKER_CONTEXT, then currentContext in config.json (under
// DOCKER_CONFIG, default ~/.docker). "default" or no context also gives nil.
func contextEndpoint(getenv func(string) string) (*endpoint, error) {
	if getenv("DOCKER_HOST") != "" {
		return nil, nil
	}
	dir := configDir(getenv)
	if dir == "" {
		return nil, nil
	}
	name := getenv("DOCKER_CONTEXT")
	if name == "" {
		data, err := os.ReadFile(filepath.Join(dir, "config.json"))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, nil
			}
			return nil, fmt.Errorf("reading docker config: %w", err)
		}
		var cfg struct {
			CurrentContext string `json:"currentContext"`
		}
		if err := json.Unmarshal(data, &cfg); err != nil {
			return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, "config.json"), err)
		}
		name = cfg.CurrentContext
	}
	if name == "" || name == "default" {
		return nil, nil
	}
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	metaPath := filepath.Join(dir, "contexts", "meta", id, "meta.json")
	data, err := os.ReadFile(metaPath)
	if err != nil {
		return nil, fmt.Errorf("docker context %q not found (%s): check DOCKER_CONTEXT or `docker context ls`", name, metaPath)
	}
	var meta struct {
		Endpoints map[string]struct {
			Host          string `json:"Host"`
			SkipTLSVerify bool   `json:"SkipTLSVerify"`
		} `json:"Endpoints"`
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		return nil, fmt.Errorf("reading docker context %q: %w", name, err)
	}
	ep, ok := meta.Endpoints["docker"]
	if !ok || ep.Host == "" {
		return nil, fmt.Errorf("docker context %q has no docker endpoint", name)
	}
	out := &endpoint{Host: ep.Host, SkipTLSVerify: ep.SkipTLSVerify}
	tls := filepath.Join(dir, "contexts", "tls", id, "docker")
	if _, err := os.Stat(filepath.Join(tls, "ca.pem")); err == nil {
		out.TLSDir = tls
	}
	return out, nil
}

// clientOptions are the Docker client options for the engine the
// environment and the docker context point at.
func clientOptions(getenv func(string) string) ([]client.Opt, error) {
	opts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	ep, err := contextEndpoint(getenv)
	if err != nil || ep == nil {
		return opts, err
	}
	opts = append(opts, client.WithHost(ep.Host))
	if ep.TLSDir != "" {
		opts = append(opts, client.WithTLSClientConfig(
			filepath.Join(ep.TLSDir, "ca.pem"), filepath.Join(ep.TLSDir, "cert.pem"), filepath.Join(ep.TLSDir, "key.pem")))
	}
	return opts, nil
}
