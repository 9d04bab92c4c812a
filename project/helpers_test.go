package project_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/project"
)

// TestMain clears the one variable compose-go reads from the process
// environment itself rather than from Options.Environ, so that the tests
// see the same thing wherever they run.
func TestMain(m *testing.M) {
	os.Unsetenv("COMPOSE_DISABLE_ENV_FILE")
	os.Exit(m.Run())
}

// testProject is the project name every inline-YAML test loads with.
const testProject = "test"

// writeFiles creates files (relative path -> content) under dir, making
// parent directories as needed.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// isolate moves the test into an empty directory whose .env and compose.yaml
// would be noticed if Load ever looked at the process's directory instead of
// Options.WorkDir.
func isolate(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		".env":         "COMPOSE_PROJECT_NAME=wrongdir\nCOMPOSE_PROFILES=wrong\nTAG=wrongdir\n",
		"compose.yaml": "services:\n  wrong:\n    image: wrong\n",
	})
	t.Chdir(dir)
}

// loadYAML writes yaml as compose.yaml in a new directory and loads it with
// the fixed test project name and an empty environment.
func loadYAML(t *testing.T, yaml string) (*project.Project, error) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": yaml})
	return project.Load(context.Background(), project.Options{
		ProjectName: testProject,
		WorkDir:     dir,
		Environ:     []string{},
	})
}

// mustLoadYAML is loadYAML for input that must load.
func mustLoadYAML(t *testing.T, yaml string) *project.Project {
	t.Helper()
	p, err := loadYAML(t, yaml)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return p
}

// loadDir loads the project in dir with opts (WorkDir and a non-nil Environ
// are filled in when unset).
func loadDir(t *testing.T, dir string, opts project.Options) (*project.Project, error) {
	t.Helper()
	if opts.WorkDir == "" {
		opts.WorkDir = dir
	}
	if opts.Environ == nil {
		opts.Environ = []string{}
	}
	return project.Load(context.Background(), opts)
}

// mustLoadDir is loadDir for input that must load.
func mustLoadDir(t *testing.T, dir string, opts project.Options) *project.Project {
	t.Helper()
	p, err := loadDir(t, dir, opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return p
}
