package docker

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/docker/docker/api/types/registry"
)

// dockerConfig is what Push reads of the docker CLI's config.json.
type dockerConfig struct {
	Auths map[string]struct {
		Auth          string `json:"auth"`
		IdentityToken string `json:"identitytoken"`
	} `json:"auths"`
	CredsStore  string            `json:"credsStore"`
	CredHelpers map[string]string `json:"credHelpers"`
}

// hubServer is the server address under which the docker CLI keeps Docker
// Hub's credentials.
const hubServer = "https://index.docker.io/v1/"

// registryAuth is the encoded X-Registry-Auth value for domain, as the
// docker CLI finds it in config.json under DOCKER_CONFIG (default
// ~/.docker): from the credential helper credHelpers names for the
// registry, else from credsStore's, else from the "auths" entry for it;
// "{}" (anonymous) when there is none. A helper is run by the protocol of
// docker-credential-helpers: `docker-credential-NAME get`, the server on
// its input, {"Username", "Secret"} on its output.
func registryAuth(ctx context.Context, getenv func(string) string, domain string) (string, error) {
	cfg := registry.AuthConfig{}
	dir := configDir(getenv)
	if dir == "" {
		return registry.EncodeAuthConfig(cfg)
	}
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("reading docker config: %w", err)
	}
	var file dockerConfig
	if len(data) > 0 {
		if err := json.Unmarshal(data, &file); err != nil {
			return "", fmt.Errorf("reading %s: %w", path, err)
		}
	}
	server := domain
	if domain == "docker.io" {
		server = hubServer
	}
	helper, field := file.CredHelpers[domain], "credHelpers"
	if helper == "" && domain == "docker.io" {
		helper = file.CredHelpers[hubServer]
	}
	if helper == "" {
		helper, field = file.CredsStore, "credsStore"
	}
	if helper != "" {
		cfg, err = helperCredentials(ctx, getenv, helper, server)
		if err != nil {
			return "", fmt.Errorf("the credentials for %s (%s names docker-credential-%s in %s): %w", domain, field, helper, path, err)
		}
		if cfg.Username != "" || cfg.IdentityToken != "" {
			return registry.EncodeAuthConfig(cfg)
		}
	}
	// the entry for the server as the docker CLI writes it, else the
	// first in order among those for the same registry
	keys := make([]string, 0, len(file.Auths))
	for key := range file.Auths {
		if authDomain(key) == domain {
			keys = append(keys, key)
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		if (a == server) != (b == server) {
			if a == server {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	if len(keys) > 0 {
		a := file.Auths[keys[0]]
		if raw, err := base64.StdEncoding.DecodeString(a.Auth); err == nil {
			cfg.Username, cfg.Password, _ = strings.Cut(string(raw), ":")
		}
		cfg.IdentityToken, cfg.ServerAddress = a.IdentityToken, keys[0]
	}
	return registry.EncodeAuthConfig(cfg)
}

// helperCredentials runs `docker-credential-<helper> get` for server, found
// on the PATH getenv gives. A helper that has no credentials for the
// server gives none (anonymous), as with the docker CLI.
func helperCredentials(ctx context.Context, getenv func(string) string, helper, server string) (registry.AuthConfig, error) {
	name := "docker-credential-" + helper
	bin := lookPath(getenv("PATH"), name)
	if bin == "" {
		return registry.AuthConfig{}, fmt.Errorf("%s is not on the PATH: install it, or remove the entry from config.json to push without credentials", name)
	}
	cmd := exec.CommandContext(ctx, bin, "get")
	cmd.Stdin = strings.NewReader(server)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(out.String() + " " + errOut.String())
		if strings.Contains(msg, "credentials not found") {
			return registry.AuthConfig{}, nil
		}
		return registry.AuthConfig{}, fmt.Errorf("%s get: %w: %s", name, err, msg)
	}
	var creds struct {
		Username, Secret string
	}
	if err := json.Unmarshal(out.Bytes(), &creds); err != nil {
		return registry.AuthConfig{}, fmt.Errorf("%s get: its output is not credentials: %w", name, err)
	}
	cfg := registry.AuthConfig{ServerAddress: server}
	if creds.Username == "<token>" {
		cfg.IdentityToken = creds.Secret
	} else {
		cfg.Username, cfg.Password = creds.Username, creds.Secret
	}
	return cfg, nil
}

// lookPath finds an executable file name in the directories of path (a
// PATH value); "" when none holds it.
func lookPath(path, name string) string {
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// configDir is the docker CLI's configuration directory: DOCKER_CONFIG,
// else ~/.docker (HOME, else the user's home directory); "" when there is
// no home directory.
func configDir(getenv func(string) string) string {
	if dir := getenv("DOCKER_CONFIG"); dir != "" {
		return dir
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return ""
		}
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
