package docker

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/docker/docker/api/types/registry"
)

func TestRegistryAuth(t *testing.T) {
	dir := t.TempDir()
	cfg := `{"auths": {
		"https://index.docker.io/v1/": {"auth": "` + base64.StdEncoding.EncodeToString([]byte("hub:secret")) + `"},
		"127.0.0.1:5000": {"auth": "` + base64.StdEncoding.EncodeToString([]byte("local:pass:word")) + `"}
	}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "DOCKER_CONFIG" {
			return dir
		}
		return ""
	}
	tests := []struct{ domain, user, password string }{
		{"docker.io", "hub", "secret"},
		{"127.0.0.1:5000", "local", "pass:word"},
		{"elsewhere.example", "", ""},
	}
	for _, tt := range tests {
		enc, err := registryAuth(getenv, tt.domain)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.URLEncoding.DecodeString(enc)
		if err != nil {
			t.Fatalf("%s: %q is not base64: %v", tt.domain, enc, err)
		}
		var got registry.AuthConfig
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		if got.Username != tt.user || got.Password != tt.password {
			t.Errorf("%s: got %q/%q, want %q/%q", tt.domain, got.Username, got.Password, tt.user, tt.password)
		}
	}
	if _, err := registryAuth(func(string) string { return t.TempDir() }, "docker.io"); err != nil {
		t.Fatalf("no config.json: %v", err)
	}
}
