package docker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/registry"
)

// TestRegistryAuth reads credentials as the docker CLI does: a
// credential helper (credHelpers for the registry, else credsStore) run by
// its protocol, else the "auths" entry, picked the same way whatever the
// map's order.
func TestRegistryAuth(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	bin := t.TempDir()
	// a helper that answers for two servers, logs what it was asked, and
	// knows nothing of the others
	helper := `#!/bin/sh
[ "$1" = get ] || exit 3
read -r server
echo "$server" >> "$(dirname "$0")/asked"
case "$server" in
  https://index.docker.io/v1/) echo '{"ServerURL":"hub","Username":"hub-helper","Secret":"s1"}' ;;
  helped.example) echo '{"ServerURL":"helped.example","Username":"<token>","Secret":"tok"}' ;;
  broken.example) echo 'not json' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-fake"), []byte(helper), 0o755); err != nil {
		t.Fatal(err)
	}
	auths := `"auths": {
		"https://index.docker.io/v1/": {"auth": "` + b64("hub:secret") + `"},
		"index.docker.io": {"auth": "` + b64("other:x") + `"},
		"http://127.0.0.1:5000": {"auth": "` + b64("second:x") + `"},
		"127.0.0.1:5000": {"auth": "` + b64("local:pass:word") + `"}
	}`
	tests := []struct {
		name, config, domain string
		user, password       string
		token                string
		wantErr              string
	}{
		{name: "auths: Docker Hub's URL key first", config: `{` + auths + `}`, domain: "docker.io", user: "hub", password: "secret"},
		{name: "auths: the bare host key first", config: `{` + auths + `}`, domain: "127.0.0.1:5000", user: "local", password: "pass:word"},
		{name: "auths: nothing for the registry", config: `{` + auths + `}`, domain: "elsewhere.example"},
		{name: "no config.json", domain: "docker.io"},
		{name: "credsStore", config: `{"credsStore": "fake", ` + auths + `}`, domain: "docker.io", user: "hub-helper", password: "s1"},
		{name: "credsStore with an identity token", config: `{"credsStore": "fake"}`, domain: "helped.example", token: "tok"},
		{name: "credsStore without the registry's credentials: auths", config: `{"credsStore": "fake", ` + auths + `}`, domain: "127.0.0.1:5000", user: "local", password: "pass:word"},
		{name: "credHelpers for the registry", config: `{"credsStore": "missing", "credHelpers": {"helped.example": "fake"}}`, domain: "helped.example", token: "tok"},
		{name: "a helper not installed", config: `{"credsStore": "missing"}`, domain: "docker.io", wantErr: "docker-credential-missing is not on the PATH"},
		{name: "a helper's bad answer", config: `{"credHelpers": {"broken.example": "fake"}}`, domain: "broken.example", wantErr: "its output is not credentials"},
		{name: "a config.json that is not JSON", config: `{`, domain: "docker.io", wantErr: "config.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.config != "" {
				if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(tt.config), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			env := map[string]string{"DOCKER_CONFIG": dir, "PATH": bin}
			enc, err := registryAuth(context.Background(), func(k string) string { return env[k] }, tt.domain)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			raw, err := base64.URLEncoding.DecodeString(enc)
			if err != nil {
				t.Fatalf("%q is not base64: %v", enc, err)
			}
			var got registry.AuthConfig
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if got.Username != tt.user || got.Password != tt.password || got.IdentityToken != tt.token {
				t.Errorf("got %q/%q token %q, want %q/%q token %q", got.Username, got.Password, got.IdentityToken, tt.user, tt.password, tt.token)
			}
		})
	}
}

func TestClientGetenv(t *testing.T) {
	c := &Client{}
	t.Setenv("BERTH_TEST_VAR", "process")
	if got := c.getenv("BERTH_TEST_VAR"); got != "process" {
		t.Errorf("without SetEnviron: %q, want the process's value", got)
	}
	c.SetEnviron([]string{"DOCKER_CONFIG=/a", "DOCKER_CONFIG=/b"})
	if got := c.getenv("DOCKER_CONFIG"); got != "/b" {
		t.Errorf("DOCKER_CONFIG = %q, want the last entry's /b", got)
	}
	if got := c.getenv("BERTH_TEST_VAR"); got != "" {
		t.Errorf("a variable the command's environment lacks = %q, want empty", got)
	}
}
