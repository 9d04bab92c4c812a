package project_test

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
)

// image returns the image of service s, failing the test when s is not
// enabled.
func image(t *testing.T, p *project.Project, s string) string {
	t.Helper()
	svc, ok := p.Compose.Services[s]
	if !ok {
		t.Fatalf("service %q not loaded; services: %v", s, slices.Sorted(maps.Keys(p.Compose.Services)))
	}
	return svc.Image
}

// env returns the value of variable k in service s's environment.
func env(t *testing.T, p *project.Project, s, k string) (string, bool) {
	t.Helper()
	svc, ok := p.Compose.Services[s]
	if !ok {
		t.Fatalf("service %q not loaded", s)
	}
	v, ok := svc.Environment[k]
	if !ok || v == nil {
		return "", ok
	}
	return *v, true
}

func rel(t *testing.T, base string, files []string) []string {
	t.Helper()
	var out []string
	for _, f := range files {
		r, err := filepath.Rel(base, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(r))
	}
	return out
}

func TestDiscoveryPreference(t *testing.T) {
	isolate(t)
	all := []string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}
	for i, want := range all {
		t.Run(want, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{}
			for _, name := range all[i:] {
				files[name] = "services:\n  web:\n    image: " + name + "\n"
			}
			writeFiles(t, dir, files)
			p := mustLoadDir(t, dir, project.Options{ProjectName: testProject})
			if got := image(t, p, "web"); got != want {
				t.Errorf("loaded %s, want %s (present: %v)", got, want, all[i:])
			}
			if got := rel(t, dir, p.Compose.ComposeFiles); !slices.Equal(got, []string{want}) {
				t.Errorf("ComposeFiles = %v, want [%s]", got, want)
			}
		})
	}
}

func TestDiscoveryOverride(t *testing.T) {
	isolate(t)
	base := "services:\n  web:\n    image: base\n    environment:\n      A: base\n      B: base\n"
	tests := []struct {
		name  string
		files []string // besides the main file
		main  string
		want  []string
		image string
	}{
		{name: "no override", main: "compose.yaml", want: []string{"compose.yaml"}, image: "base"},
		{
			name: "compose.override.yaml", main: "compose.yaml",
			files: []string{"compose.override.yaml"},
			want:  []string{"compose.yaml", "compose.override.yaml"}, image: "compose.override.yaml",
		},
		{
			name: "compose.override.yml preferred", main: "compose.yaml",
			files: []string{"compose.override.yaml", "compose.override.yml"},
			want:  []string{"compose.yaml", "compose.override.yml"}, image: "compose.override.yml",
		},
		{
			name: "docker-compose.override.yml", main: "docker-compose.yml",
			files: []string{"docker-compose.override.yml"},
			want:  []string{"docker-compose.yml", "docker-compose.override.yml"}, image: "docker-compose.override.yml",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{tc.main: base}
			for _, f := range tc.files {
				files[f] = "services:\n  web:\n    image: " + f + "\n    environment:\n      B: override\n"
			}
			writeFiles(t, dir, files)
			p := mustLoadDir(t, dir, project.Options{ProjectName: testProject})
			if got := rel(t, dir, p.Compose.ComposeFiles); !slices.Equal(got, tc.want) {
				t.Errorf("ComposeFiles = %v, want %v", got, tc.want)
			}
			if got := image(t, p, "web"); got != tc.image {
				t.Errorf("image = %q, want %q", got, tc.image)
			}
			if len(tc.files) > 0 {
				a, _ := env(t, p, "web", "A")
				b, _ := env(t, p, "web", "B")
				if a != "base" || b != "override" {
					t.Errorf("environment A=%q B=%q, want the override merged over the base", a, b)
				}
			}
		})
	}
}

func TestDiscoveryFromParentDirectory(t *testing.T) {
	isolate(t)
	root := filepath.Join(t.TempDir(), "My_App")
	writeFiles(t, root, map[string]string{
		"compose.yaml":          "services:\n  web:\n    build: ./web\n",
		"compose.override.yaml": "services:\n  web:\n    image: overridden\n",
		"a/b/c/README":          "deep inside the project\n",
	})
	p := mustLoadDir(t, root, project.Options{WorkDir: filepath.Join(root, "a", "b", "c")})
	if got := rel(t, root, p.Compose.ComposeFiles); !slices.Equal(got, []string{"compose.yaml", "compose.override.yaml"}) {
		t.Errorf("ComposeFiles = %v", got)
	}
	if p.Compose.WorkingDir != root {
		t.Errorf("project directory = %s, want %s", p.Compose.WorkingDir, root)
	}
	if p.Name() != "my_app" {
		t.Errorf("project name = %q, want my_app (the directory name, lower-cased)", p.Name())
	}
	if ctx := p.Compose.Services["web"].Build.Context; ctx != filepath.Join(root, "web") {
		t.Errorf("build context = %s, want it relative to the file's directory", ctx)
	}
	if got := image(t, p, "web"); got != "overridden" {
		t.Errorf("image = %q", got)
	}
}

func TestNoConfigurationFile(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	_, err := loadDir(t, dir, project.Options{ProjectName: testProject})
	if err == nil {
		t.Fatal("Load succeeded without a compose file")
	}
	for _, want := range []string{"no configuration file provided", dir, "-f"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	// a -f that does not exist names the file
	_, err = loadDir(t, dir, project.Options{ProjectName: testProject, ConfigPaths: []string{"missing.yaml"}})
	if err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing -f file: error %v does not name it", err)
	}
}

func TestMultipleFiles(t *testing.T) {
	isolate(t)
	base := `
services:
  web:
    image: nginx:1.26
    command: ["nginx", "-g", "daemon off;"]
    ports:
      - "8080:80"
    environment:
      LEVEL: info
      KEEP: base
    labels:
      tier: front
      team: base
  db:
    image: postgres:16
`
	tests := []struct {
		name     string
		override string
		check    func(t *testing.T, web types.ServiceConfig)
	}{
		{
			name: "later file overrides scalars and merges mappings and ports",
			override: `
services:
  web:
    image: nginx:1.27
    ports:
      - "8443:443"
    environment:
      LEVEL: debug
    labels:
      team: override
`,
			check: func(t *testing.T, web types.ServiceConfig) {
				if web.Image != "nginx:1.27" {
					t.Errorf("image = %q", web.Image)
				}
				if len(web.Ports) != 2 {
					t.Errorf("ports = %+v, want both files' ports", web.Ports)
				}
				if *web.Environment["LEVEL"] != "debug" || *web.Environment["KEEP"] != "base" {
					t.Errorf("environment = %v", web.Environment)
				}
				if web.Labels["tier"] != "front" || web.Labels["team"] != "override" {
					t.Errorf("labels = %v", web.Labels)
				}
				if len(web.Command) != 3 {
					t.Errorf("command = %v, want the base's", web.Command)
				}
			},
		},
		{
			name: "!reset removes what the base set",
			override: `
services:
  web:
    ports: !reset []
    labels: !reset {}
    command: !reset null
`,
			check: func(t *testing.T, web types.ServiceConfig) {
				if len(web.Ports) != 0 || len(web.Labels) != 0 || web.Command != nil {
					t.Errorf("ports %+v, labels %v, command %v: want all reset", web.Ports, web.Labels, web.Command)
				}
				if web.Image != "nginx:1.26" {
					t.Errorf("image = %q, want the base's", web.Image)
				}
			},
		},
		{
			name: "!override replaces instead of merging",
			override: `
services:
  web:
    ports: !override
      - "9090:80"
    environment: !override
      ONLY: this
`,
			check: func(t *testing.T, web types.ServiceConfig) {
				if len(web.Ports) != 1 || web.Ports[0].Published != "9090" {
					t.Errorf("ports = %+v, want only 9090", web.Ports)
				}
				if len(web.Environment) != 1 || *web.Environment["ONLY"] != "this" {
					t.Errorf("environment = %v, want only ONLY", web.Environment)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"base.yaml": base, "conf/override.yaml": tc.override})
			p := mustLoadDir(t, dir, project.Options{
				ProjectName: testProject,
				ConfigPaths: []string{"base.yaml", "conf/override.yaml"},
			})
			if got := rel(t, dir, p.Compose.ComposeFiles); !slices.Equal(got, []string{"base.yaml", "conf/override.yaml"}) {
				t.Errorf("ComposeFiles = %v", got)
			}
			if p.Compose.WorkingDir != dir {
				t.Errorf("project directory = %s, want the first file's", p.Compose.WorkingDir)
			}
			if got := image(t, p, "db"); got != "postgres:16" {
				t.Errorf("db image = %q", got)
			}
			tc.check(t, p.Compose.Services["web"])
		})
	}
}

func TestResetWholeService(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"compose.yaml":          "services:\n  web:\n    image: x\n  debug:\n    image: y\n",
		"compose.override.yaml": "services:\n  debug: !reset {}\n",
	})
	p := mustLoadDir(t, dir, project.Options{ProjectName: testProject})
	if got := p.Graph.Services(); !slices.Equal(got, []string{"web"}) {
		t.Errorf("services = %v, want the reset service gone", got)
	}
}

const profilesYAML = `
services:
  web:
    image: x
  db:
    image: x
    profiles: [dev]
  debug:
    image: x
    profiles: [debug]
    depends_on: [web]
  tools:
    image: x
    profiles: [debug, tools]
`

func TestProfiles(t *testing.T) {
	isolate(t)
	tests := []struct {
		name     string
		opts     project.Options
		dotenv   string
		services []string
	}{
		{name: "no profile", services: []string{"web"}},
		{name: "--profile", opts: project.Options{Profiles: []string{"debug"}}, services: []string{"debug", "tools", "web"}},
		{name: "two --profile", opts: project.Options{Profiles: []string{"dev", "tools"}}, services: []string{"db", "tools", "web"}},
		{name: "all profiles", opts: project.Options{Profiles: []string{"*"}}, services: []string{"db", "debug", "tools", "web"}},
		{name: "COMPOSE_PROFILES", opts: project.Options{Environ: []string{"COMPOSE_PROFILES=dev, tools"}}, services: []string{"db", "tools", "web"}},
		{
			name:     "--profile wins over COMPOSE_PROFILES",
			opts:     project.Options{Profiles: []string{"dev"}, Environ: []string{"COMPOSE_PROFILES=debug"}},
			services: []string{"db", "web"},
		},
		{name: "COMPOSE_PROFILES in .env", dotenv: "COMPOSE_PROFILES=tools\n", services: []string{"tools", "web"}},
		{
			name:     "the environment wins over .env",
			opts:     project.Options{Environ: []string{"COMPOSE_PROFILES=dev"}},
			dotenv:   "COMPOSE_PROFILES=tools\n",
			services: []string{"db", "web"},
		},
		{
			name:     "naming a disabled service enables and selects it",
			opts:     project.Options{Services: []string{"debug"}},
			services: []string{"debug", "web"},
		},
		{
			name:     "naming disabled services alongside enabled ones",
			opts:     project.Options{Services: []string{"db", "tools"}},
			services: []string{"db", "tools"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"compose.yaml": profilesYAML}
			if tc.dotenv != "" {
				files[".env"] = tc.dotenv
			}
			writeFiles(t, dir, files)
			tc.opts.ProjectName = testProject
			p := mustLoadDir(t, dir, tc.opts)
			if got := p.Graph.Services(); !slices.Equal(got, tc.services) {
				t.Errorf("services = %v, want %v", got, tc.services)
			}
			if got := slices.Sorted(maps.Keys(p.Compose.Services)); !slices.Equal(got, tc.services) {
				t.Errorf("model services = %v, want %v", got, tc.services)
			}
		})
	}
}

func TestUnknownServiceNamed(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": profilesYAML})
	_, err := loadDir(t, dir, project.Options{ProjectName: testProject, Services: []string{"ghost"}})
	if err == nil || !strings.Contains(err.Error(), "no such service: ghost") {
		t.Errorf("error = %v, want it to name the unknown service", err)
	}
}

func TestComposeFileVariable(t *testing.T) {
	isolate(t)
	files := map[string]string{
		"compose.yaml":  "services:\n  web:\n    image: default\n",
		"conf/a.yaml":   "services:\n  web:\n    image: a\n  db:\n    image: db\n",
		"conf/b.yaml":   "services:\n  web:\n    image: b\n",
		"conf/sep.yaml": "services:\n  web:\n    image: sep\n",
	}
	tests := []struct {
		name    string
		environ []string
		dotenv  string
		want    []string
		image   string
	}{
		{name: "default discovery", want: []string{"compose.yaml"}, image: "default"},
		{name: "one file", environ: []string{"COMPOSE_FILE=conf/a.yaml"}, want: []string{"conf/a.yaml"}, image: "a"},
		{
			name:    "default separator",
			environ: []string{"COMPOSE_FILE=conf/a.yaml:conf/b.yaml"},
			want:    []string{"conf/a.yaml", "conf/b.yaml"}, image: "b",
		},
		{
			name:    "COMPOSE_PATH_SEPARATOR",
			environ: []string{"COMPOSE_FILE=conf/a.yaml;conf/sep.yaml", "COMPOSE_PATH_SEPARATOR=;"},
			want:    []string{"conf/a.yaml", "conf/sep.yaml"}, image: "sep",
		},
		{
			// the usual way to pick the files of an environment
			name:   "COMPOSE_FILE in .env",
			dotenv: "COMPOSE_FILE=compose.yaml:conf/b.yaml\n",
			want:   []string{"compose.yaml", "conf/b.yaml"}, image: "b",
		},
		{
			name:    "the environment wins over .env",
			environ: []string{"COMPOSE_FILE=conf/a.yaml"},
			dotenv:  "COMPOSE_FILE=conf/b.yaml\n",
			want:    []string{"conf/a.yaml"}, image: "a",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			fs := maps.Clone(files)
			if tc.dotenv != "" {
				fs[".env"] = tc.dotenv
			}
			writeFiles(t, dir, fs)
			p := mustLoadDir(t, dir, project.Options{ProjectName: testProject, Environ: tc.environ})
			if got := rel(t, dir, p.Compose.ComposeFiles); !slices.Equal(got, tc.want) {
				t.Errorf("ComposeFiles = %v, want %v", got, tc.want)
			}
			if got := image(t, p, "web"); got != tc.image {
				t.Errorf("image = %q, want %q", got, tc.image)
			}
		})
	}
	t.Run("-f wins over COMPOSE_FILE", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, files)
		p := mustLoadDir(t, dir, project.Options{
			ProjectName: testProject,
			ConfigPaths: []string{"conf/b.yaml"},
			Environ:     []string{"COMPOSE_FILE=conf/a.yaml"},
		})
		if got := image(t, p, "web"); got != "b" {
			t.Errorf("image = %q, want b", got)
		}
	})
}

func TestProjectName(t *testing.T) {
	isolate(t)
	tests := []struct {
		name    string
		dirName string
		yaml    string
		opts    project.Options
		dotenv  string
		want    string
		wantErr []string
	}{
		{name: "directory name", dirName: "shop", want: "shop"},
		{name: "directory name normalised", dirName: "My Shop.v2", want: "myshopv2"},
		{name: "top-level name", dirName: "shop", yaml: "name: store\n", want: "store"},
		{name: "top-level name normalised", dirName: "shop", yaml: "name: My_Store\n", want: "my_store"},
		{name: "COMPOSE_PROJECT_NAME over name:", dirName: "shop", yaml: "name: store\n", opts: project.Options{Environ: []string{"COMPOSE_PROJECT_NAME=fromenv"}}, want: "fromenv"},
		{name: "-p over everything", dirName: "shop", yaml: "name: store\n", opts: project.Options{ProjectName: "flag", Environ: []string{"COMPOSE_PROJECT_NAME=fromenv"}}, want: "flag"},
		{name: "COMPOSE_PROJECT_NAME in .env", dirName: "shop", dotenv: "COMPOSE_PROJECT_NAME=dotenv\n", want: "dotenv"},
		{name: "environment over .env", dirName: "shop", dotenv: "COMPOSE_PROJECT_NAME=dotenv\n", opts: project.Options{Environ: []string{"COMPOSE_PROJECT_NAME=fromenv"}}, want: "fromenv"},
		{
			name: "invalid -p", dirName: "shop", opts: project.Options{ProjectName: "My Project"},
			wantErr: []string{`invalid project name "My Project" (-p)`, "lowercase"},
		},
		{
			name: "-p starting with a dash", dirName: "shop", opts: project.Options{ProjectName: "-x"},
			wantErr: []string{`invalid project name "-x" (-p)`},
		},
		{
			name: "invalid COMPOSE_PROJECT_NAME", dirName: "shop", opts: project.Options{Environ: []string{"COMPOSE_PROJECT_NAME=Bad Name"}},
			wantErr: []string{`invalid project name "Bad Name"`},
		},
		{
			name: "directory with nothing usable", dirName: "---",
			wantErr: []string{"project name", "-p"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), tc.dirName)
			files := map[string]string{"compose.yaml": tc.yaml + "services:\n  web:\n    image: x\n"}
			if tc.dotenv != "" {
				files[".env"] = tc.dotenv
			}
			writeFiles(t, dir, files)
			p, err := loadDir(t, dir, tc.opts)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("Load succeeded with name %q", p.Name())
				}
				for _, want := range tc.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not contain %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if p.Name() != tc.want || p.Compose.Name != tc.want {
				t.Errorf("name = %q, want %q", p.Name(), tc.want)
			}
		})
	}
}

func TestEnvFiles(t *testing.T) {
	isolate(t)
	const yaml = "services:\n  web:\n    image: img:${TAG:-none}\n    environment:\n      OTHER: ${OTHER:-unset}\n"
	files := map[string]string{
		"compose.yaml": yaml,
		".env":         "TAG=dotenv\nOTHER=dotenv\n",
		"a.env":        "TAG=a\n",
		"b.env":        "TAG=b\nOTHER=b\n",
		"names.env":    "COMPOSE_PROJECT_NAME=fromenvfile\nTAG=names\n",
	}
	tests := []struct {
		name     string
		opts     project.Options
		tag      string
		other    string
		envFiles []string
		project  string
	}{
		{name: ".env in the project directory", tag: "dotenv", other: "dotenv", envFiles: []string{".env"}},
		{name: "environment wins over .env", opts: project.Options{Environ: []string{"TAG=env"}}, tag: "env", other: "dotenv", envFiles: []string{".env"}},
		{name: "--env-file replaces .env", opts: project.Options{EnvFiles: []string{"a.env"}}, tag: "a", other: "unset", envFiles: []string{"a.env"}},
		{name: "later --env-file wins", opts: project.Options{EnvFiles: []string{"b.env", "a.env"}}, tag: "a", other: "b", envFiles: []string{"b.env", "a.env"}},
		{name: "COMPOSE_ENV_FILES", opts: project.Options{Environ: []string{"COMPOSE_ENV_FILES=a.env,b.env"}}, tag: "b", other: "b", envFiles: []string{"a.env", "b.env"}},
		{
			name: "--env-file wins over COMPOSE_ENV_FILES",
			opts: project.Options{EnvFiles: []string{"a.env"}, Environ: []string{"COMPOSE_ENV_FILES=b.env"}},
			tag:  "a", other: "unset", envFiles: []string{"a.env"},
		},
		{
			name: "COMPOSE_* from an --env-file",
			opts: project.Options{EnvFiles: []string{"names.env"}},
			tag:  "names", other: "unset", envFiles: []string{"names.env"}, project: "fromenvfile",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "app")
			writeFiles(t, dir, files)
			p := mustLoadDir(t, dir, tc.opts)
			if got, want := image(t, p, "web"), "img:"+tc.tag; got != want {
				t.Errorf("image = %q, want %q", got, want)
			}
			if got, _ := env(t, p, "web", "OTHER"); got != tc.other {
				t.Errorf("OTHER = %q, want %q", got, tc.other)
			}
			if got := rel(t, dir, p.EnvFiles); !slices.Equal(got, tc.envFiles) {
				t.Errorf("EnvFiles = %v, want %v", got, tc.envFiles)
			}
			for _, f := range p.EnvFiles {
				if !filepath.IsAbs(f) {
					t.Errorf("env file %s is not absolute", f)
				}
			}
			want := tc.project
			if want == "" {
				want = "app"
			}
			if p.Name() != want {
				t.Errorf("project name = %q, want %q", p.Name(), want)
			}
		})
	}
	t.Run("missing --env-file", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, files)
		_, err := loadDir(t, dir, project.Options{EnvFiles: []string{"nope.env"}})
		if err == nil || !strings.Contains(err.Error(), "nope.env") {
			t.Errorf("error = %v, want it to name nope.env", err)
		}
	})
}

// TestDotEnvDirectories covers which .env Compose reads when the working
// directory is not the project directory.
func TestDotEnvDirectories(t *testing.T) {
	isolate(t)
	const yaml = "services:\n  web:\n    image: img:${TAG:-none}\n"
	t.Run("compose file in a parent: the working directory's .env first", func(t *testing.T) {
		root := t.TempDir()
		writeFiles(t, root, map[string]string{
			"compose.yaml": yaml,
			".env":         "TAG=root\n",
			"sub/.env":     "TAG=sub\n",
		})
		p := mustLoadDir(t, root, project.Options{ProjectName: testProject, WorkDir: filepath.Join(root, "sub")})
		if got := image(t, p, "web"); got != "img:sub" {
			t.Errorf("image = %q, want img:sub", got)
		}
	})
	t.Run("compose file in a parent, .env only there", func(t *testing.T) {
		root := t.TempDir()
		writeFiles(t, root, map[string]string{"compose.yaml": yaml, ".env": "TAG=root\n", "sub/x": ""})
		p := mustLoadDir(t, root, project.Options{ProjectName: testProject, WorkDir: filepath.Join(root, "sub")})
		if got := image(t, p, "web"); got != "img:root" {
			t.Errorf("image = %q, want img:root", got)
		}
	})
	t.Run("COMPOSE_FILE elsewhere: .env of the working directory, then of the file's", func(t *testing.T) {
		root := filepath.Join(t.TempDir(), "root")
		writeFiles(t, root, map[string]string{
			"deploy/compose.yaml": yaml + "    environment:\n      WHERE: ${WHERE:-none}\n",
			"deploy/.env":         "TAG=deploy\nWHERE=deploy\n",
			".env":                "TAG=root\n",
		})
		p := mustLoadDir(t, root, project.Options{Environ: []string{"COMPOSE_FILE=deploy/compose.yaml"}})
		if got := image(t, p, "web"); got != "img:root" {
			t.Errorf("image = %q, want img:root", got)
		}
		if got, _ := env(t, p, "web", "WHERE"); got != "deploy" {
			t.Errorf("WHERE = %q, want deploy", got)
		}
		if p.Name() != "deploy" {
			t.Errorf("project name = %q, want deploy (the file's directory)", p.Name())
		}
	})
	t.Run("--project-directory", func(t *testing.T) {
		root := t.TempDir()
		writeFiles(t, root, map[string]string{
			"proj/compose.yaml": yaml,
			"proj/.env":         "TAG=proj\nCOMPOSE_PROJECT_NAME=projname\n",
			".env":              "TAG=root\n",
		})
		p := mustLoadDir(t, root, project.Options{ProjectDir: "proj"})
		if got := image(t, p, "web"); got != "img:proj" {
			t.Errorf("image = %q, want img:proj", got)
		}
		if p.Name() != "projname" {
			t.Errorf("project name = %q, want projname", p.Name())
		}
		if p.Compose.WorkingDir != filepath.Join(root, "proj") {
			t.Errorf("project directory = %s", p.Compose.WorkingDir)
		}
	})
}

func TestInterpolation(t *testing.T) {
	const yaml = `
services:
  web:
    image: nginx
    environment:
      DEFAULT: ${X:-d}
      DEFAULT_UNSET_ONLY: ${X-d}
      PLAIN: ${X}
      BARE: $X
      ESCAPED: $${X}
      ALT: ${X:+alt}
      NESTED: ${X:-${Y:-inner}}
`
	tests := []struct {
		name    string
		environ []string
		want    map[string]string
	}{
		{
			name: "unset",
			want: map[string]string{"DEFAULT": "d", "DEFAULT_UNSET_ONLY": "d", "PLAIN": "", "BARE": "", "ESCAPED": "${X}", "ALT": "", "NESTED": "inner"},
		},
		{
			name:    "empty",
			environ: []string{"X="},
			want:    map[string]string{"DEFAULT": "d", "DEFAULT_UNSET_ONLY": "", "PLAIN": "", "BARE": "", "ESCAPED": "${X}", "ALT": "", "NESTED": "inner"},
		},
		{
			name:    "set",
			environ: []string{"X=v", "Y=y"},
			want:    map[string]string{"DEFAULT": "v", "DEFAULT_UNSET_ONLY": "v", "PLAIN": "v", "BARE": "v", "ESCAPED": "${X}", "ALT": "alt", "NESTED": "v"},
		},
		{
			name:    "nested default",
			environ: []string{"Y=y"},
			want:    map[string]string{"DEFAULT": "d", "NESTED": "y"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"compose.yaml": yaml})
			p := mustLoadDir(t, dir, project.Options{ProjectName: testProject, Environ: tc.environ})
			for k, want := range tc.want {
				if got, _ := env(t, p, "web", k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
	t.Run("no interpolation", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"compose.yaml": yaml})
		p := mustLoadDir(t, dir, project.Options{ProjectName: testProject, NoInterpolate: true, Environ: []string{"X=v"}})
		if got, _ := env(t, p, "web", "DEFAULT"); got != "${X:-d}" {
			t.Errorf("DEFAULT = %q, want the reference kept", got)
		}
	})
}

func TestRequiredVariable(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		environ []string
		want    string
	}{
		{
			name: "unset, with message",
			yaml: "services:\n  web:\n    image: ${IMAGE:?set IMAGE to the image to run}\n",
			want: "compose.yaml:3:5: error while interpolating services.web.image: required variable IMAGE is missing a value: set IMAGE to the image to run",
		},
		{
			name:    "empty, with :?",
			yaml:    "services:\n  web:\n    image: ${IMAGE:?set IMAGE}\n",
			environ: []string{"IMAGE="},
			want:    "compose.yaml:3:5: error while interpolating services.web.image: required variable IMAGE is missing a value: set IMAGE",
		},
		{
			name: "unset, no message",
			yaml: "services:\n  web:\n    image: nginx\n    environment:\n      TOKEN: ${TOKEN:?}\n",
			want: "compose.yaml:5:7: error while interpolating services.web.environment.TOKEN: required variable TOKEN is missing a value",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"compose.yaml": tc.yaml})
			_, err := loadDir(t, dir, project.Options{ProjectName: testProject, Environ: tc.environ})
			if err == nil || err.Error() != tc.want {
				t.Errorf("error\n  %v\nwant\n  %s", err, tc.want)
			}
		})
	}
	t.Run("set", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"compose.yaml": tests[0].yaml})
		p := mustLoadDir(t, dir, project.Options{ProjectName: testProject, Environ: []string{"IMAGE=redis"}})
		if got := image(t, p, "web"); got != "redis" {
			t.Errorf("image = %q", got)
		}
	})
}

func TestExtends(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"compose.yaml": `
services:
  base:
    image: base:1
    environment:
      FROM: base
      LEVEL: info
    labels:
      kind: base
  web:
    extends: base
    environment:
      LEVEL: debug
  api:
    extends:
      file: common/services.yaml
      service: common
    environment:
      ROLE: api
`,
		"common/services.yaml": `
services:
  common:
    build: ./ctx
    command: ["serve"]
    environment:
      ROLE: common
      SHARED: "yes"
`,
	})
	p := mustLoadDir(t, dir, project.Options{ProjectName: testProject})

	if got := image(t, p, "web"); got != "base:1" {
		t.Errorf("web image = %q, want base's", got)
	}
	for k, want := range map[string]string{"FROM": "base", "LEVEL": "debug"} {
		if got, _ := env(t, p, "web", k); got != want {
			t.Errorf("web %s = %q, want %q", k, got, want)
		}
	}
	if p.Compose.Services["web"].Labels["kind"] != "base" {
		t.Errorf("web labels = %v", p.Compose.Services["web"].Labels)
	}

	api := p.Compose.Services["api"]
	if api.Build == nil || api.Build.Context != filepath.Join(dir, "common", "ctx") {
		t.Errorf("api build = %+v, want the context relative to common/services.yaml", api.Build)
	}
	if !slices.Equal(api.Command, types.ShellCommand{"serve"}) {
		t.Errorf("api command = %v", api.Command)
	}
	for k, want := range map[string]string{"ROLE": "api", "SHARED": "yes"} {
		if got, _ := env(t, p, "api", k); got != want {
			t.Errorf("api %s = %q, want %q", k, got, want)
		}
	}
	// extends is resolved: nothing of it is left in the model or the graph
	if api.Extends != nil || len(p.Graph.Deps("api")) != 0 {
		t.Errorf("api keeps extends %+v / deps %v", api.Extends, p.Graph.Deps("api"))
	}
	if _, ok := p.Compose.Services["common"]; ok {
		t.Error("the extended file's services were imported")
	}
}

func TestExtendsErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "unknown service",
			yaml: "services:\n  web:\n    extends: ghost\n",
			want: []string{"ghost"},
		},
		{
			name: "missing file",
			yaml: "services:\n  web:\n    extends:\n      file: nope.yaml\n      service: x\n",
			want: []string{"nope.yaml"},
		},
		{
			name: "extends cycle",
			yaml: "services:\n  a:\n    extends: b\n  b:\n    extends: a\n",
			want: []string{"Circular reference", "extends a"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadYAML(t, tc.yaml)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestInclude(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"compose.yaml": `
include:
  - db/compose.yaml
  - path: cache/compose.yaml
    env_file: cache/cache.env
services:
  web:
    image: web
    depends_on: [db, cache]
`,
		"db/compose.yaml": `
services:
  db:
    build: .
    volumes:
      - data:/var/lib/data
volumes:
  data: {}
`,
		"cache/compose.yaml": "services:\n  cache:\n    image: redis:${REDIS_TAG:-latest}\n",
		"cache/cache.env":    "REDIS_TAG=7\n",
	})
	p := mustLoadDir(t, dir, project.Options{ProjectName: testProject})
	if got, want := p.Graph.Order(), []string{"cache", "db", "web"}; !slices.Equal(got, want) {
		t.Errorf("Order() = %v, want %v", got, want)
	}
	if ctx := p.Compose.Services["db"].Build.Context; ctx != filepath.Join(dir, "db") {
		t.Errorf("db build context = %s, want it relative to the included file", ctx)
	}
	if _, ok := p.Compose.Volumes["data"]; !ok {
		t.Errorf("volumes = %v, want the included volume", p.Compose.Volumes)
	}
	if got := image(t, p, "cache"); got != "redis:7" {
		t.Errorf("cache image = %q, want the include's env_file used", got)
	}
}

// TestIncludeRedefined: compose-go v2.14 merges a service defined both in
// an included file and in the including one, the including file winning
// (older Compose refused it as a conflict).
func TestIncludeRedefined(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"compose.yaml": "include:\n  - other.yaml\nservices:\n  web:\n    image: a\n",
		"other.yaml":   "services:\n  web:\n    image: b\n    command: [from-include]\n",
	})
	p := mustLoadDir(t, dir, project.Options{ProjectName: testProject})
	web := p.Compose.Services["web"]
	if web.Image != "a" || !slices.Equal(web.Command, types.ShellCommand{"from-include"}) {
		t.Errorf("web = image %q command %v, want the including file merged over the included one", web.Image, web.Command)
	}
}

func TestIncludeCycle(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"compose.yaml": "include:\n  - other.yaml\nservices:\n  web:\n    image: a\n",
		"other.yaml":   "include:\n  - compose.yaml\nservices:\n  db:\n    image: b\n",
	})
	_, err := loadDir(t, dir, project.Options{ProjectName: testProject})
	if err == nil || !strings.Contains(err.Error(), "include cycle") {
		t.Errorf("error = %v, want an include cycle", err)
	}
}

const envFileYAML = `
services:
  web:
    image: x
    env_file:
      - web.env
      - path: raw.env
        format: raw
      - path: optional.env
        required: false
    environment:
      OVERRIDDEN: environment
`

func TestServiceEnvFile(t *testing.T) {
	files := map[string]string{
		"compose.yaml": envFileYAML,
		"web.env": `# comment
PLAIN=value
QUOTED="quoted value"
SINGLE='single $HOME'
INTERP=${BASE}/bin
OVERRIDDEN=env_file
FROM_ENV
`,
		"raw.env": `RAW_QUOTED="kept"
RAW_DOLLAR=$HOME and ${BASE}
  RAW_INDENTED=x # not a comment
RAW_FROM_ENV
`,
	}
	environ := []string{"BASE=/opt", "FROM_ENV=from-environ", "RAW_FROM_ENV=raw-environ", "HOME=/home/u"}

	t.Run("resolved into environment", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, files)
		p := mustLoadDir(t, dir, project.Options{ProjectName: testProject, Environ: environ})
		want := map[string]string{
			"PLAIN":        "value",
			"QUOTED":       "quoted value",
			"SINGLE":       "single $HOME",
			"INTERP":       "/opt/bin",
			"OVERRIDDEN":   "environment",
			"FROM_ENV":     "from-environ",
			"RAW_QUOTED":   `"kept"`,
			"RAW_DOLLAR":   "$HOME and ${BASE}",
			"RAW_INDENTED": "x # not a comment",
			"RAW_FROM_ENV": "raw-environ",
		}
		got := map[string]string{}
		for k, v := range p.Compose.Services["web"].Environment {
			if v != nil {
				got[k] = *v
			}
		}
		if !maps.Equal(got, want) {
			t.Errorf("environment =\n  %v\nwant\n  %v", got, want)
		}
		if n := len(p.Compose.Services["web"].EnvFiles); n != 0 {
			t.Errorf("env_file kept (%d entries) after resolution", n)
		}
	})

	t.Run("kept with NoEnvResolution", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, files)
		p := mustLoadDir(t, dir, project.Options{ProjectName: testProject, Environ: environ, NoEnvResolution: true})
		web := p.Compose.Services["web"]
		var paths []string
		for _, f := range web.EnvFiles {
			paths = append(paths, f.Path)
		}
		want := []string{filepath.Join(dir, "web.env"), filepath.Join(dir, "raw.env"), filepath.Join(dir, "optional.env")}
		if !slices.Equal(paths, want) {
			t.Errorf("env_file paths = %v, want %v", paths, want)
		}
		if len(web.EnvFiles) == 3 && (web.EnvFiles[1].Format != "raw" || web.EnvFiles[2].Required) {
			t.Errorf("env_file entries = %+v", web.EnvFiles)
		}
		if _, ok := web.Environment["PLAIN"]; ok {
			t.Error("env_file merged into environment despite NoEnvResolution")
		}
		if got, _ := env(t, p, "web", "OVERRIDDEN"); got != "environment" {
			t.Errorf("OVERRIDDEN = %q", got)
		}
	})

	t.Run("missing required env_file", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"compose.yaml": "services:\n  web:\n    image: x\n    env_file: missing.env\n"})
		_, err := loadDir(t, dir, project.Options{ProjectName: testProject})
		if err == nil || !strings.Contains(err.Error(), "missing.env") {
			t.Errorf("error = %v, want it to name missing.env", err)
		}
	})
}

func TestRawEnvFileErrors(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"no name", "=value\n", "no variable name"},
		{"whitespace in name", "MY VAR=1\n", "contains whitespace"},
		{"invalid UTF-8", "A=\xff\n", "invalid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{
				"compose.yaml": "services:\n  web:\n    image: x\n    env_file:\n      - path: raw.env\n        format: raw\n",
				"raw.env":      tc.content,
			})
			_, err := loadDir(t, dir, project.Options{ProjectName: testProject})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "raw.env") {
				t.Errorf("error = %v, want it to name raw.env and say %q", err, tc.want)
			}
		})
	}
	t.Run("byte order mark and blank lines", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{
			"compose.yaml": "services:\n  web:\n    image: x\n    env_file:\n      - path: raw.env\n        format: raw\n",
			"raw.env":      "\xEF\xBB\xBFFIRST=1\n\n   \n# SKIPPED=1\nUNSET_BARE\n",
		})
		p := mustLoadDir(t, dir, project.Options{ProjectName: testProject})
		envs := p.Compose.Services["web"].Environment
		if got, _ := env(t, p, "web", "FIRST"); got != "1" || len(envs) != 1 {
			t.Errorf("environment = %v, want only FIRST=1", envs)
		}
	})
}

func TestContainerNameUnicity(t *testing.T) {
	const yaml = `
services:
  a:
    image: x
    container_name: shared
  b:
    image: x
    container_name: shared
`
	// the same message every time, naming both services, placed at the
	// second use
	for range 5 {
		_, err := loadYAML(t, yaml)
		want := `compose.yaml:8:5: services.b: container name "shared" is already in use by service a`
		if err == nil || err.Error() != want {
			t.Fatalf("error\n  %v\nwant\n  %s", err, want)
		}
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": yaml})
	if _, err := loadDir(t, dir, project.Options{ProjectName: testProject, NoConsistency: true}); err != nil {
		t.Errorf("NoConsistency: %v", err)
	}
}

func TestExampleMicroservices(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "examples", "microservices"))
	if err != nil {
		t.Fatal(err)
	}
	isolate(t)
	load := func(t *testing.T, opts project.Options) *project.Project {
		t.Helper()
		opts.WorkDir = dir
		if opts.Environ == nil {
			opts.Environ = []string{}
		}
		p, err := project.Load(context.Background(), opts)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		return p
	}

	t.Run("whole project", func(t *testing.T) {
		p := load(t, project.Options{})
		if p.Name() != "microservices" {
			t.Errorf("name = %q", p.Name())
		}
		if got := p.Graph.Services(); !slices.Equal(got, []string{"auth", "catalog", "migrate", "store", "web"}) {
			t.Errorf("services = %v", got)
		}
		if got, want := p.Graph.Order(), []string{"auth", "catalog", "migrate", "store", "web"}; !slices.Equal(got, want) {
			t.Errorf("Order() = %v, want %v", got, want)
		}
		if got, want := p.Graph.Reverse(), []string{"web", "store", "migrate", "catalog", "auth"}; !slices.Equal(got, want) {
			t.Errorf("Reverse() = %v, want %v", got, want)
		}
		if got := slices.Sorted(maps.Keys(p.Compose.Networks)); !slices.Equal(got, []string{"back", "front"}) {
			t.Errorf("networks = %v", got)
		}
		if !p.Compose.Networks["back"].Internal {
			t.Error("network back is not internal")
		}
		if got := slices.Sorted(maps.Keys(p.Compose.Volumes)); !slices.Equal(got, []string{"orders"}) {
			t.Errorf("volumes = %v", got)
		}
		if got := slices.Sorted(maps.Keys(p.Compose.Secrets)); !slices.Equal(got, []string{"auth_key"}) {
			t.Errorf("secrets = %v", got)
		}
		if f := p.Compose.Secrets["auth_key"].File; f != filepath.Join(dir, "auth", "dev-key.txt") {
			t.Errorf("secret file = %s", f)
		}

		h := project.ConditionHealthy
		wantDeps := map[string][]project.Edge{
			"web": {
				{From: "web", To: "auth", Condition: h, Required: true},
				{From: "web", To: "catalog", Condition: h, Required: true},
				{From: "web", To: "store", Condition: h, Required: true},
			},
			"store": {
				{From: "store", To: "auth", Condition: h, Required: true},
				{From: "store", To: "migrate", Condition: project.ConditionCompleted, Required: true},
			},
			"auth": nil, "catalog": nil, "migrate": nil,
		}
		for s, want := range wantDeps {
			if got := p.Graph.Deps(s); !slices.Equal(got, want) {
				t.Errorf("Deps(%s) = %+v, want %+v", s, got, want)
			}
		}

		web := p.Compose.Services["web"]
		if len(web.Ports) != 1 || web.Ports[0].Published != "8080" || web.Ports[0].Target != 8080 {
			t.Errorf("web ports = %+v", web.Ports)
		}
		if got := slices.Sorted(maps.Keys(web.Networks)); !slices.Equal(got, []string{"back", "front"}) {
			t.Errorf("web networks = %v", got)
		}
		if web.Build == nil || web.Build.Context != filepath.Join(dir, "web") || *web.Build.Args["GO_VERSION"] != "1.26" {
			t.Errorf("web build = %+v", web.Build)
		}
		if web.Restart != "unless-stopped" {
			t.Errorf("web restart = %q, want the anchor's", web.Restart)
		}
		if got, _ := env(t, p, "web", "LOG_LEVEL"); got != "info" {
			t.Errorf("web LOG_LEVEL = %q", got)
		}
		if project.ImageName(p.Compose, "web") != "microservices-web" {
			t.Errorf("web image name = %q", project.ImageName(p.Compose, "web"))
		}
		migrate := p.Compose.Services["migrate"]
		if migrate.Restart != "no" || !slices.Equal(migrate.Command, types.ShellCommand{"/store", "-migrate"}) {
			t.Errorf("migrate = restart %q command %v", migrate.Restart, migrate.Command)
		}
		if len(p.Compose.Services["auth"].Secrets) != 1 {
			t.Errorf("auth secrets = %+v", p.Compose.Services["auth"].Secrets)
		}
	})

	t.Run("interpolated from the environment", func(t *testing.T) {
		p := load(t, project.Options{Environ: []string{"WEB_PORT=9000", "LOG_LEVEL=debug", "GO_VERSION=1.27"}})
		web := p.Compose.Services["web"]
		if len(web.Ports) != 1 || web.Ports[0].Published != "9000" {
			t.Errorf("web ports = %+v", web.Ports)
		}
		for _, s := range p.Graph.Services() {
			if s == "migrate" {
				continue
			}
			if got, _ := env(t, p, s, "LOG_LEVEL"); got != "debug" {
				t.Errorf("%s LOG_LEVEL = %q", s, got)
			}
		}
		if *p.Compose.Services["store"].Build.Args["GO_VERSION"] != "1.27" {
			t.Errorf("store GO_VERSION = %v", p.Compose.Services["store"].Build.Args)
		}
	})

	t.Run("selected services and their resources", func(t *testing.T) {
		tests := []struct {
			services                 []string
			all                      bool
			graph, networks, volumes []string
			secrets                  []string
		}{
			{services: []string{"store"}, graph: []string{"auth", "migrate", "store"}, networks: []string{"back"}, volumes: []string{"orders"}, secrets: []string{"auth_key"}},
			{services: []string{"catalog"}, graph: []string{"catalog"}, networks: []string{"back"}},
			{services: []string{"catalog"}, all: true, graph: []string{"catalog"}, networks: []string{"back", "front"}, volumes: []string{"orders"}, secrets: []string{"auth_key"}},
		}
		for _, tc := range tests {
			p := load(t, project.Options{Services: tc.services, AllResources: tc.all})
			if got := p.Graph.Order(); !slices.Equal(got, tc.graph) {
				t.Errorf("%v: Order() = %v, want %v", tc.services, got, tc.graph)
			}
			check := func(what string, got, want []string) {
				if !slices.Equal(got, want) {
					t.Errorf("%v (all=%v): %s = %v, want %v", tc.services, tc.all, what, got, want)
				}
			}
			check("networks", slices.Sorted(maps.Keys(p.Compose.Networks)), tc.networks)
			check("volumes", slices.Sorted(maps.Keys(p.Compose.Volumes)), tc.volumes)
			check("secrets", slices.Sorted(maps.Keys(p.Compose.Secrets)), tc.secrets)
		}
	})
}

func TestLoadModel(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": "services:\n  web:\n    image: ${IMG:-nginx}\n    x-custom: 1\n"})
	opts := project.Options{ProjectName: testProject, WorkDir: dir, Environ: []string{}}
	model, err := project.LoadModel(context.Background(), opts, false)
	if err != nil {
		t.Fatal(err)
	}
	services, _ := model["services"].(map[string]any)
	web, _ := services["web"].(map[string]any)
	if web["image"] != "nginx" {
		t.Errorf("model web = %v", web)
	}
	opts.NoInterpolate = true
	model, err = project.LoadModel(context.Background(), opts, true)
	if err != nil {
		t.Fatal(err)
	}
	web = model["services"].(map[string]any)["web"].(map[string]any)
	if web["image"] != "${IMG:-nginx}" {
		t.Errorf("model web without interpolation = %v", web)
	}
	_, err = project.LoadModel(context.Background(), project.Options{WorkDir: t.TempDir(), Environ: []string{}}, false)
	if err == nil {
		t.Error("LoadModel without a compose file succeeded")
	}
	var fe *project.FileError
	writeFiles(t, dir, map[string]string{"compose.yaml": "services:\n  web:\n    image: [\n"})
	if _, err := project.LoadModel(context.Background(), project.Options{ProjectName: testProject, WorkDir: dir, Environ: []string{}}, false); !errors.As(err, &fe) {
		t.Errorf("LoadModel syntax error = %v, want a *FileError", err)
	}
}

// TestLoadIgnoresProcessDirectory loads with WorkDir pointing elsewhere
// than the process's directory, which holds a compose.yaml and a .env of its
// own: nothing of those may show.
func TestLoadIgnoresProcessDirectory(t *testing.T) {
	isolate(t)
	dir := filepath.Join(t.TempDir(), "real")
	writeFiles(t, dir, map[string]string{"compose.yaml": "services:\n  web:\n    image: img:${TAG:-none}\n    profiles: [\"${COMPOSE_PROFILES:-none}\"]\n"})
	p := mustLoadDir(t, dir, project.Options{Profiles: []string{"none"}})
	if p.Name() != "real" || image(t, p, "web") != "img:none" {
		t.Errorf("name %q, image %q: the process's directory leaked in", p.Name(), image(t, p, "web"))
	}
	if _, err := os.Stat(".env"); err != nil {
		t.Fatalf("isolate did not set up the process directory: %v", err)
	}
}

// TestStdin reads the compose file from stdin (-f -): the project directory
// is WorkDir, where relative paths and .env are taken from.
func TestStdin(t *testing.T) {
	isolate(t)
	dir := filepath.Join(t.TempDir(), "piped")
	writeFiles(t, dir, map[string]string{
		"input.yaml": "services:\n  web:\n    build: ./web\n    image: img:${TAG:-none}\n",
		".env":       "TAG=dotenv\n",
	})
	in, err := os.Open(filepath.Join(dir, "input.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	stdin := os.Stdin
	os.Stdin = in
	defer func() { os.Stdin = stdin }()

	p := mustLoadDir(t, dir, project.Options{ConfigPaths: []string{"-"}})
	if p.Name() != "piped" || p.Compose.WorkingDir != dir {
		t.Errorf("name %q, directory %s: want WorkDir's", p.Name(), p.Compose.WorkingDir)
	}
	if got := image(t, p, "web"); got != "img:dotenv" {
		t.Errorf("image = %q, want WorkDir's .env used", got)
	}
	if ctx := p.Compose.Services["web"].Build.Context; ctx != filepath.Join(dir, "web") {
		t.Errorf("build context = %s", ctx)
	}
}
