package docker

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestContextEndpoint(t *testing.T) {
	dir := t.TempDir()
	writeContext := func(name, host string) {
		sum := sha256.Sum256([]byte(name))
		meta := filepath.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]))
		if err := os.MkdirAll(meta, 0o755); err != nil {
			t.Fatal(err)
		}
		body := `{"Name":"` + name + `","Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":false}}}`
		if err := os.WriteFile(filepath.Join(meta, "meta.json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeContext("remote", "tcp://10.1.2.3:2376")
	writeContext("other", "unix:///run/other.sock")
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"currentContext":"remote"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    string // "" means: the environment's defaults apply
		wantErr string
	}{
		{"DOCKER_HOST wins", map[string]string{"DOCKER_HOST": "unix:///x.sock", "DOCKER_CONTEXT": "other"}, "", ""},
		{"DOCKER_CONTEXT", map[string]string{"DOCKER_CONTEXT": "other"}, "unix:///run/other.sock", ""},
		{"current context from config.json", map[string]string{}, "tcp://10.1.2.3:2376", ""},
		{"default context", map[string]string{"DOCKER_CONTEXT": "default"}, "", ""},
		{"unknown context", map[string]string{"DOCKER_CONTEXT": "nope"}, "", `docker context "nope" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"DOCKER_CONFIG": dir}
			for k, v := range tt.env {
				env[k] = v
			}
			ep, err := contextEndpoint(func(k string) string { return env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if ep != nil {
				got = ep.Host
			}
			if got != tt.want {
				t.Fatalf("host %q, want %q", got, tt.want)
			}
		})
	}
	// no config directory at all: the environment's defaults
	ep, err := contextEndpoint(func(k string) string {
		if k == "DOCKER_CONFIG" {
			return filepath.Join(dir, "absent")
		}
		return ""
	})
	if err != nil || ep != nil {
		t.Fatalf("no config: %v %v", ep, err)
	}
}
