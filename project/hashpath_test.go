package project_test

import (
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
)

// hashPathYAML has a service that builds, one that brings its own
// platform, one that only pulls, and env files on two of them.
const hashPathYAML = `
services:
  app:
    build: .
    env_file: [app.env]
    environment:
      OVERRIDDEN: environment
  pinned:
    build: .
    platform: linux/s390x
  db:
    image: postgres
    env_file: [db.env]
`

// upHashes is the path `berth up` takes: the project Load returns, as the
// planner hashes it (these services refer to no other service's container).
func upHashes(t *testing.T, dir string, environ []string) (map[string]string, *types.Project) {
	t.Helper()
	p := mustLoadDir(t, dir, project.Options{ProjectName: testProject, Environ: environ})
	out := map[string]string{}
	for name, s := range p.Compose.Services {
		h, err := project.ServiceHash(s)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = h
	}
	return out, p.Compose
}

// configHashes is the path `berth config --hash` takes: the project loaded
// as config loads it (env files kept, platforms as written), narrowed to
// the services named, then prepared by ForContainers.
func configHashes(t *testing.T, dir string, environ []string, names []string) map[string]string {
	t.Helper()
	p := mustLoadDir(t, dir, project.Options{ProjectName: testProject, Environ: environ,
		NoEnvResolution: true, NoDefaultPlatform: true})
	model, err := p.Compose.WithSelectedServices(names, types.IgnoreDependencies)
	if err != nil {
		t.Fatal(err)
	}
	if model, err = project.ForContainers(model, true); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for name, s := range model.Services {
		if out[name], err = project.ServiceHash(s); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestServiceHashPath: `berth up` and `berth config --hash` hash the same
// thing, with and without DOCKER_DEFAULT_PLATFORM (from the environment or
// .env), with env_file entries merged into the environment, and the
// platform reaches only the services that build and name none.
func TestServiceHashPath(t *testing.T) {
	tests := []struct {
		name     string
		environ  []string
		dotenv   string
		names    []string          // services --hash names; nil for all
		platform map[string]string // service -> platform containers are created with
	}{
		{
			name:     "no default platform",
			platform: map[string]string{"app": "", "pinned": "linux/s390x", "db": ""},
		},
		{
			name:     "default platform from the environment",
			environ:  []string{"DOCKER_DEFAULT_PLATFORM=linux/amd64"},
			platform: map[string]string{"app": "linux/amd64", "pinned": "linux/s390x", "db": ""},
		},
		{
			name:     "default platform from .env",
			dotenv:   "DOCKER_DEFAULT_PLATFORM=linux/arm64\n",
			platform: map[string]string{"app": "linux/arm64", "pinned": "linux/s390x", "db": ""},
		},
		{
			name:     "the environment wins over .env",
			environ:  []string{"DOCKER_DEFAULT_PLATFORM=linux/amd64"},
			dotenv:   "DOCKER_DEFAULT_PLATFORM=linux/arm64\n",
			platform: map[string]string{"app": "linux/amd64", "pinned": "linux/s390x", "db": ""},
		},
		{
			name:     "some services hashed",
			environ:  []string{"DOCKER_DEFAULT_PLATFORM=linux/amd64"},
			names:    []string{"app"},
			platform: map[string]string{"app": "linux/amd64", "pinned": "linux/s390x", "db": ""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{
				"compose.yaml": hashPathYAML,
				"app.env":      "FROM_FILE=app\nOVERRIDDEN=env_file\n",
				"db.env":       "FROM_FILE=db\n",
			}
			if tc.dotenv != "" {
				files[".env"] = tc.dotenv
			}
			writeFiles(t, dir, files)

			up, model := upHashes(t, dir, tc.environ)
			for name, want := range tc.platform {
				s := model.Services[name]
				if s.Platform != want {
					t.Errorf("%s: platform = %q, want %q", name, s.Platform, want)
				}
				if v := s.Environment["FROM_FILE"]; name != "pinned" && (v == nil || *v != name) {
					t.Errorf("%s: env_file not merged into environment: %v", name, s.Environment)
				}
				if len(s.EnvFiles) != 0 {
					t.Errorf("%s: env_file kept: %v", name, s.EnvFiles)
				}
			}
			if v := model.Services["app"].Environment["OVERRIDDEN"]; v == nil || *v != "environment" {
				t.Errorf("app: environment does not win over env_file: %v", model.Services["app"].Environment)
			}

			got := configHashes(t, dir, tc.environ, tc.names)
			names := tc.names
			if names == nil {
				names = []string{"app", "pinned", "db"}
			}
			if len(got) != len(names) {
				t.Errorf("config --hash hashed %v, want %v", got, names)
			}
			for _, name := range names {
				if got[name] != up[name] {
					t.Errorf("%s: config --hash %s, up %s", name, got[name], up[name])
				}
			}
		})
	}
}

// TestServiceHashPathPlatformConflict: a DOCKER_DEFAULT_PLATFORM that the
// service's build.platforms excludes stops Load (and so up), as it stops
// Compose's up, but not the load `config` prints from.
func TestServiceHashPathPlatformConflict(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"compose.yaml": "services:\n  app:\n    build:\n      context: .\n      platforms: [linux/arm64]\n",
	})
	environ := []string{"DOCKER_DEFAULT_PLATFORM=linux/amd64"}
	_, err := loadDir(t, dir, project.Options{ProjectName: testProject, Environ: environ})
	if err == nil || !strings.Contains(err.Error(), "build.platforms does not include linux/amd64") {
		t.Errorf("error = %v, want the build.platforms conflict", err)
	}
	p := mustLoadDir(t, dir, project.Options{ProjectName: testProject, Environ: environ, NoDefaultPlatform: true})
	if got := p.Compose.Services["app"].Platform; got != "" {
		t.Errorf("platform = %q with NoDefaultPlatform", got)
	}
	if _, err := project.ForContainers(p.Compose, false); err == nil {
		t.Error("ForContainers accepted the conflict")
	}
}

// TestForContainersLeavesEnvFiles: without resolveEnv, env_file entries
// stay as they are (config --hash --no-env-resolution).
func TestForContainersLeavesEnvFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": hashPathYAML, "app.env": "A=1\n", "db.env": "B=2\n"})
	p := mustLoadDir(t, dir, project.Options{ProjectName: testProject, Environ: []string{"DOCKER_DEFAULT_PLATFORM=linux/amd64"},
		NoEnvResolution: true, NoDefaultPlatform: true})
	model, err := project.ForContainers(p.Compose, false)
	if err != nil {
		t.Fatal(err)
	}
	app := model.Services["app"]
	if len(app.EnvFiles) != 1 || app.Environment["A"] != nil {
		t.Errorf("env_file = %v, environment = %v: want the env file kept and not merged", app.EnvFiles, app.Environment)
	}
	if app.Platform != "linux/amd64" {
		t.Errorf("platform = %q", app.Platform)
	}
}
