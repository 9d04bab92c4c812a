package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run runs berth in dir with env and returns its exit code and output.
func run(t *testing.T, dir string, env []string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, Streams{In: strings.NewReader(""), Out: &out, Err: &errOut, Environ: env, WorkDir: dir})
	return code, out.String(), errOut.String()
}

// writeFiles creates files (name → content) under a new temporary directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const exampleFile = "../../examples/microservices/compose.yaml"

func TestVersion(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
		code int
	}{
		{"flag", []string{"--version"}, "Berth version dev", 0},
		{"short flag", []string{"-v"}, "Berth version dev", 0},
		{"command", []string{"version"}, "Berth version dev", 0},
		{"short", []string{"version", "--short"}, "dev\n", 0},
		{"json", []string{"version", "--format", "json"}, `"version":"dev"`, 0},
		{"bad format", []string{"version", "--format", "xml"}, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, t.TempDir(), nil, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if !strings.Contains(out, tt.want) {
				t.Fatalf("output %q does not contain %q", out, tt.want)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: busybox\n"})
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"unknown flag", nil, []string{"config", "--bogus"}, "unknown flag: --bogus; run 'berth config --help' for usage"},
		{"unknown command", nil, []string{"launch"}, `unknown command "launch"`},
		{"bad progress", nil, []string{"--progress", "fancy", "config"}, `invalid --progress value "fancy"`},
		{"zero parallel", nil, []string{"--parallel", "0", "config"}, "invalid --parallel value 0"},
		{"bad parallel env", []string{"COMPOSE_PARALLEL_LIMIT=many"}, []string{"config"}, `COMPOSE_PARALLEL_LIMIT must be a whole number, not "many"`},
		{"bad progress env", []string{"COMPOSE_PROGRESS=loud"}, []string{"config"}, `invalid --progress value "loud"`},
		{"missing project dir", nil, []string{"--project-directory", "nowhere", "config"}, `--project-directory "nowhere" is not a directory`},
		{"empty env file", nil, []string{"--env-file", "", "config"}, "--env-file number 1 is empty"},
		{"ls filter not a regex", nil, []string{"ls", "--filter", "name=["}, `invalid --filter "name=[": the name is a regular expression: error parsing regexp: missing closing ]`},
		{"ls filter of another key", nil, []string{"ls", "--filter", "status=running"}, `invalid --filter "status=running": the only filter is name=NAME`},
		{"ls filter, one bad of two", nil, []string{"ls", "--filter", "name=shop", "--filter", "name=(x"}, `invalid --filter "name=(x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, dir, tt.env, tt.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2 (stdout %q, stderr %q)", code, out, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Fatalf("stderr %q does not contain %q", errOut, tt.want)
			}
			if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
				t.Fatalf("stderr looks like a crash: %q", errOut)
			}
		})
	}
}

// TestLsFilterCheckedBeforeConnecting: a bad --filter is a usage error
// even when no engine answers: ls checks it before connecting.
func TestLsFilterCheckedBeforeConnecting(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/berth-test/docker.sock")
	t.Setenv("DOCKER_CONTEXT", "")
	code, _, errOut := run(t, t.TempDir(), nil, "ls", "--filter", "name=[")
	if code != 2 || !strings.Contains(errOut, `invalid --filter "name=["`) || strings.Contains(errOut, "cannot reach") {
		t.Fatalf("exit %d, stderr %q: want a usage error naming the filter", code, errOut)
	}
}

// TestLsNameFilter: a name filter matches the project of that name, or
// one its regular expression matches.
func TestLsNameFilter(t *testing.T) {
	f, err := parseLsFilters([]string{"name=^shop$", "name=demo"})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"shop": true, "shop2": false, "my-demo-1": true, "other": false} {
		if got := f.match(name); got != want {
			t.Errorf("match(%q) = %t, want %t", name, got, want)
		}
	}
	if none, _ := parseLsFilters(nil); !none.match("anything") {
		t.Error("no filter does not match everything")
	}
}

func TestBadComposeFileIsAClearError(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: busybox\n    imagee: typo\n"})
	code, _, errOut := run(t, dir, nil, "config")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	want := "berth: compose.yaml:4:5: services.web additional properties 'imagee' not allowed\n"
	if errOut != want {
		t.Fatalf("stderr %q, want %q", errOut, want)
	}
}

func TestGlobalProjectOptions(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"compose.yaml":      "services:\n  web:\n    image: busybox\n",
		"other.yaml":        "services:\n  web:\n    image: alpine\n  db:\n    image: busybox\n",
		"sub/compose.yaml":  "name: fromfile\nservices:\n  api:\n    image: busybox\n",
		"sub/deeper/.keep":  "",
		"env/compose.yaml":  "services:\n  web:\n    image: busybox:${TAG}\n",
		"env/prod.env":      "TAG=prod\n",
		"env/.env":          "TAG=dotenv\n",
		"prof/compose.yaml": "services:\n  web:\n    image: busybox\n  debug:\n    image: busybox\n    profiles: [debug]\n",
	})
	tests := []struct {
		name string
		dir  string
		env  []string
		args []string
		want string
	}{
		{"-p names the project", dir, nil, []string{"-p", "shop", "config"}, "name: shop\n"},
		{"COMPOSE_PROJECT_NAME", dir, []string{"COMPOSE_PROJECT_NAME=envname"}, []string{"config"}, "name: envname\n"},
		{"-p wins over COMPOSE_PROJECT_NAME", dir, []string{"COMPOSE_PROJECT_NAME=envname"}, []string{"-p", "flag", "config"}, "name: flag\n"},
		{"directory name by default", filepath.Join(dir, "sub", "deeper"), nil, []string{"config", "--services"}, "api\n"},
		{"repeated -f overrides", dir, nil, []string{"-f", "compose.yaml", "-f", "other.yaml", "config", "--images"}, "busybox\nalpine\n"},
		{"COMPOSE_FILE", dir, []string{"COMPOSE_FILE=other.yaml"}, []string{"config", "--services"}, "db\nweb\n"},
		{"COMPOSE_FILE with separator", dir, []string{"COMPOSE_FILE=compose.yaml,other.yaml", "COMPOSE_PATH_SEPARATOR=,"}, []string{"config", "--services"}, "db\nweb\n"},
		{"--project-directory", dir, nil, []string{"--project-directory", "sub", "config", "--services"}, "api\n"},
		{".env in the project directory", filepath.Join(dir, "env"), nil, []string{"config", "--images"}, "busybox:dotenv\n"},
		{"--env-file", filepath.Join(dir, "env"), nil, []string{"--env-file", "prod.env", "config", "--images"}, "busybox:prod\n"},
		{"COMPOSE_ENV_FILES", filepath.Join(dir, "env"), []string{"COMPOSE_ENV_FILES=prod.env"}, []string{"config", "--images"}, "busybox:prod\n"},
		{"environment wins over .env", filepath.Join(dir, "env"), []string{"TAG=shell"}, []string{"config", "--images"}, "busybox:shell\n"},
		{"--profile", filepath.Join(dir, "prof"), nil, []string{"--profile", "debug", "config", "--services"}, "debug\nweb\n"},
		{"COMPOSE_PROFILES", filepath.Join(dir, "prof"), []string{"COMPOSE_PROFILES=debug"}, []string{"config", "--services"}, "debug\nweb\n"},
		{"no profile", filepath.Join(dir, "prof"), nil, []string{"config", "--services"}, "web\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, tt.dir, tt.env, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if strings.HasPrefix(tt.want, "name:") {
				// the whole rendering is covered by the golden tests
				if !strings.HasPrefix(out, tt.want) {
					t.Fatalf("output %q does not start with %q", out, tt.want)
				}
				return
			}
			if out != tt.want {
				t.Fatalf("output %q, want %q", out, tt.want)
			}
		})
	}
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			code, out, errOut := run(t, t.TempDir(), nil, "completion", shell)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(out, "berth") || len(out) < 500 {
				t.Fatalf("%s completion script looks wrong:\n%s", shell, out)
			}
		})
	}
}

func TestCompleteServiceNames(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"compose.yaml": "services:\n  web:\n    image: busybox\n  worker:\n    image: busybox\n  db:\n    image: busybox\n" +
			"  debug:\n    image: busybox\n    profiles: [tools, debug]\n",
	})
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"all services", []string{"__complete", "config", ""}, []string{"db", "web", "worker"}},
		{"prefix", []string{"__complete", "config", "w"}, []string{"web", "worker"}},
		{"skips given", []string{"__complete", "config", "web", ""}, []string{"db", "worker"}},
		{"example stack by -f", []string{"-f", filepath.Join(mustAbs(t, exampleFile)), "__complete", "config", "ca"}, []string{"catalog"}},
		{"profiles", []string{"__complete", "--profile", ""}, []string{"debug", "tools"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, dir, nil, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			got := lines[:len(lines)-1] // the last line is cobra's directive
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("completions %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVersionJSONIsValid(t *testing.T) {
	_, out, _ := run(t, t.TempDir(), nil, "version", "--format", "json")
	var v map[string]string
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("version --format json printed %q: %v", out, err)
	}
	if v["version"] != "dev" || !strings.HasPrefix(v["go"], "go") {
		t.Fatalf("unexpected version JSON %v", v)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestCreateYesAcceptedAndHidden: create takes Compose's -y/--yes (for
// scripts written for Compose) but hides it, for Berth never asks; what
// Compose's -y answers for (recreating a changed volume) is
// --recreate-changed-volumes.
func TestCreateYesAcceptedAndHidden(t *testing.T) {
	for _, args := range [][]string{{"create", "-y"}, {"create", "--yes", "--recreate-changed-volumes"}} {
		root := newRootCommand(Streams{})
		c, rest, err := root.Traverse(args)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.ParseFlags(rest); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if f := c.Flags().Lookup("yes"); f == nil || !f.Hidden || f.Value.String() != "true" {
			t.Errorf("%v: --yes is %+v, want a hidden flag set", args, f)
		}
	}
}
