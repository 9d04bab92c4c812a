package main

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// updateGolden rewrites the golden files under testdata/config from what
// Berth prints: go test ./cmd/berth -run TestConfigGolden -update. Review the
// diff against Compose's behaviour before committing it.
var updateGolden = flag.Bool("update", false, "rewrite the golden files of TestConfigGolden")

// composeBin, when set, is a Docker Compose v2+ binary (standalone, as
// docker-compose) that TestConfigGolden runs in Berth's place, so the same
// goldens are checked against Compose itself: `make compat` builds Compose
// v5.5.0, the release on Berth's compose-go, and passes it here. Cases
// where Berth differs on purpose (composeDiffers) are not run then, and
// failures are compared by exit code only: Berth's messages add the file,
// line and what to do.
var composeBin = flag.String("compose", "", "run TestConfigGolden's cases through this Docker Compose binary instead of Berth")

// dirPlaceholder stands for the temporary directory the fixtures are copied
// to, so that goldens holding absolute paths are the same on every machine.
const dirPlaceholder = "@DIR@"

// configCase runs `berth ARGS` in a copy of testdata/config/<fixture> and
// compares what it prints with a golden file in that fixture directory.
type configCase struct {
	name    string
	fixture string
	// from copies files from outside testdata into the fixture copy
	// (destination relative to it → source relative to this package).
	from map[string]string
	args []string
	env  []string
	// want is the golden file for standard output (or for outFile), in the
	// fixture directory; empty when the case prints nothing checked here.
	want string
	// outFile, when set, is the file (relative to the fixture copy) that
	// -o wrote; standard output must then be empty.
	outFile string
	code    int
	// stderr lists substrings standard error must contain.
	stderr []string
	// composeDiffers says how Berth differs from Compose on purpose in this
	// case; the case is not run against Compose (-compose).
	composeDiffers string
	// unordered marks output whose order Compose takes from Go map
	// iteration, which changes from run to run, where Berth sorts (or, for
	// --services, picks the dependency order that visits names in order):
	// against Compose, the lines are compared as a set.
	unordered bool
}

// Base environments. Each case gets exactly these variables, never the real
// process environment, so that every output is reproducible.
var (
	noEnv    = []string{}
	shopEnv  = []string{"GO_VERSION=1.26"}
	interEnv = []string{"SET=value", "EMPTY="}
)

var exampleFiles = map[string]string{
	"compose.yaml":     "../../examples/microservices/compose.yaml",
	"auth/dev-key.txt": "../../examples/microservices/auth/dev-key.txt",
}

// The goldens are what Docker Compose v5.5.0's `config` command prints (it
// is built with compose-go v2.14.0, the library Berth loads and renders
// with); `make compat` runs every case through Compose itself (-compose) to
// hold that: same key order (compose-go's struct order for the
// project, sorted keys for the raw model of --no-interpolate and for maps),
// `$` written `$$` except with --no-interpolate, the default network added
// by normalisation, no trailing newline after JSON.
//
// Where Compose's order is Go map order, and so changes from run to run,
// Berth sorts and the golden holds the sorted list: --volumes, --networks,
// --images (by service name), --variables (table rows), --services
// --no-interpolate; --services lists dependencies before their dependents
// like Compose, and among the orders Compose may print Berth always prints
// the one that visits services by name.
//
// Not covered here because Berth differs on purpose: with -q Berth prints
// nothing whatever the flags (Compose only points os.Stdout at /dev/null, so
// the lists it writes to its CLI's output stream, --services and the like,
// still appear), and -o also takes the lists (Compose writes only the model
// to the file and prints the lists).
// --variables is only run on files that use each variable one way: the
// default or alternate value compose-go reports for a variable written
// several ways depends on map order, in Compose as in Berth.
var configCases = []configCase{
	// profiles
	{name: "profiles/default", fixture: "profiles", args: []string{"config"}, env: noEnv, want: "want.yaml"},
	{name: "profiles/flag", fixture: "profiles", args: []string{"--profile", "debug", "config"}, env: noEnv, want: "want-debug.yaml"},
	{name: "profiles/env", fixture: "profiles", args: []string{"config", "--services"}, env: []string{"COMPOSE_PROFILES=tools"}, want: "want-tools-services.txt", unordered: true},
	{name: "profiles/flag-beats-env", fixture: "profiles", args: []string{"--profile", "debug", "config", "--services"}, env: []string{"COMPOSE_PROFILES=tools"}, want: "want-debug-services.txt", unordered: true},
	{name: "profiles/services-default", fixture: "profiles", args: []string{"config", "--services"}, env: noEnv, want: "want-services.txt", unordered: true},
	{name: "profiles/list", fixture: "profiles", args: []string{"config", "--profiles"}, env: noEnv, want: "want-profiles.txt"},
	// naming a service enables it whatever its profiles, and selects its
	// dependencies with it
	{name: "profiles/service-arg", fixture: "profiles", args: []string{"config", "debug"}, env: noEnv, want: "want-service-debug.yaml"},

	// extends, include, overrides
	{name: "extends", fixture: "extends", args: []string{"config"}, env: noEnv, want: "want.yaml"},
	// relative paths stay relative, those of the extended file rebased on
	// the project directory. (--no-env-resolution too: env files would be
	// read relative to the process's directory, which is not the project's
	// in this test.)
	{name: "extends/no-path-resolution", fixture: "extends", args: []string{"config", "--no-path-resolution", "--no-env-resolution"}, env: noEnv, want: "want-no-path-resolution.yaml"},
	{name: "include", fixture: "include", args: []string{"config"}, env: noEnv, want: "want.yaml"},
	{name: "overrides/reset-override", fixture: "overrides", args: []string{"-f", "compose.yaml", "-f", "prod.yaml", "config"}, env: noEnv, want: "want-prod.yaml"},
	{name: "overrides/discovered", fixture: "overrides", args: []string{"config"}, env: noEnv, want: "want-discovered.yaml"},

	// env files
	{name: "envfiles/dotenv", fixture: "envfiles", args: []string{"config"}, env: noEnv, want: "want.yaml"},
	{name: "envfiles/flag", fixture: "envfiles", args: []string{"--env-file", "alt.env", "config"}, env: noEnv, want: "want-alt.yaml"},
	{name: "envfiles/compose-env-files", fixture: "envfiles", args: []string{"config"}, env: []string{"COMPOSE_ENV_FILES=alt.env,extra.env"}, want: "want-compose-env-files.yaml"},
	{name: "envfiles/process-env-wins", fixture: "envfiles", args: []string{"config"}, env: []string{"TAG=9.9"}, want: "want-process-env.yaml"},
	{name: "envfiles/no-env-resolution", fixture: "envfiles", args: []string{"config", "--no-env-resolution"}, env: noEnv, want: "want-no-env-resolution.yaml"},
	// COMPOSE_* settings in .env count as if set in the environment
	{name: "dotenv-compose-vars", fixture: "dotenv-compose-vars", args: []string{"config"}, env: noEnv, want: "want.yaml"},
	{name: "dotenv-compose-vars/env-wins", fixture: "dotenv-compose-vars", args: []string{"config"}, env: []string{"COMPOSE_PROFILES=", "COMPOSE_PROJECT_NAME=other"}, want: "want-env-wins.yaml"},
	// the hash of what a container is created from: env files merged into
	// the environment, unless --no-env-resolution (and paths kept relative
	// there, as the env file's path is part of what is hashed)
	{name: "envfiles/hash", fixture: "envfiles", args: []string{"config", "--hash", "*"}, env: noEnv, want: "want-hash.txt"},
	{name: "envfiles/hash-no-env-resolution", fixture: "envfiles", args: []string{"config", "--hash", "app", "--no-env-resolution", "--no-path-resolution"}, env: noEnv, want: "want-hash-no-env-resolution.txt"},
	{name: "envfiles/environment", fixture: "envfiles", args: []string{"config", "--environment"}, env: []string{"TAG=9.9"}, want: "want-environment.txt"},

	// interpolation
	{name: "interpolation/yaml", fixture: "interpolation", args: []string{"config"}, env: interEnv, want: "want.yaml"},
	{name: "required/set", fixture: "required", args: []string{"config"}, env: []string{"DB_PASSWORD=s3cret"}, want: "want.yaml"},
	{name: "required/missing", fixture: "required", args: []string{"config"}, env: noEnv, code: 1,
		stderr: []string{"compose.yaml:5:", "error while interpolating services.db.environment.POSTGRES_PASSWORD: required variable DB_PASSWORD is missing a value: set DB_PASSWORD in .env or the environment"}},
	{name: "required/missing-quiet", fixture: "required", args: []string{"config", "-q"}, env: []string{"DB_PASSWORD="}, code: 1,
		stderr: []string{"required variable DB_PASSWORD is missing a value"}},
	// literal dollars stay escaped, and a $ that comes from a variable's
	// value is escaped too
	{name: "dollar/yaml", fixture: "dollar", args: []string{"config"}, env: []string{"SECRET=pa$word"}, want: "want.yaml"},
	{name: "dollar/json", fixture: "dollar", args: []string{"config", "--format", "json"}, env: []string{"SECRET=pa$word"}, want: "want.json"},
	{name: "dollar/no-interpolate", fixture: "dollar", args: []string{"config", "--no-interpolate"}, env: noEnv, want: "want-no-interpolate.yaml"},

	// the example stack
	{name: "example/yaml", fixture: "example", from: exampleFiles, args: []string{"config"}, env: noEnv, want: "want.yaml"},
	{name: "example/json", fixture: "example", from: exampleFiles, args: []string{"config", "--format", "json"}, env: noEnv, want: "want.json"},
	{name: "example/services", fixture: "example", from: exampleFiles, args: []string{"config", "--services"}, env: noEnv, want: "want-services.txt", unordered: true},
	{name: "example/images", fixture: "example", from: exampleFiles, args: []string{"config", "--images"}, env: noEnv, want: "want-images.txt", unordered: true},
	{name: "example/variables", fixture: "example", from: exampleFiles, args: []string{"config", "--variables"}, env: noEnv, want: "want-variables.txt", unordered: true},
	// store with what it depends on; the front network no selected service
	// uses is left out
	{name: "example/service-arg", fixture: "example", from: exampleFiles, args: []string{"config", "store"}, env: []string{"LOG_LEVEL=debug"}, want: "want-store.yaml"},

	// every flag, on one project
	{name: "flags/yaml", fixture: "flags", args: []string{"config"}, env: shopEnv, want: "want.yaml"},
	{name: "flags/format-yaml", fixture: "flags", args: []string{"config", "--format", "yaml"}, env: shopEnv, want: "want.yaml"},
	{name: "flags/json", fixture: "flags", args: []string{"config", "--format", "json"}, env: shopEnv, want: "want.json"},
	{name: "flags/services", fixture: "flags", args: []string{"config", "--services"}, env: shopEnv, want: "want-services.txt", unordered: true},
	{name: "flags/services-no-interpolate", fixture: "flags", args: []string{"config", "--services", "--no-interpolate"}, env: noEnv, want: "want-services-no-interpolate.txt", unordered: true},
	{name: "flags/volumes", fixture: "flags", args: []string{"config", "--volumes"}, env: shopEnv, want: "want-volumes.txt", unordered: true},
	{name: "flags/volumes-profile", fixture: "flags", args: []string{"--profile", "tools", "config", "--volumes"}, env: shopEnv, want: "want-volumes-tools.txt", unordered: true},
	{name: "flags/networks", fixture: "flags", args: []string{"config", "--networks"}, env: shopEnv, want: "want-networks.txt", unordered: true},
	// the listings load the project with the --no-* flags, as Compose
	// does: without normalisation the default network is undefined
	{name: "flags/networks-no-normalize", fixture: "flags", args: []string{"config", "--networks", "--no-normalize"}, env: shopEnv, code: 1,
		stderr: []string{`service "frontend" refers to undefined network default`}},
	{name: "flags/networks-no-normalize-no-consistency", fixture: "flags", args: []string{"config", "--networks", "--no-normalize", "--no-consistency"}, env: shopEnv, want: "want-networks-no-normalize.txt", unordered: true},
	{name: "flags/profiles", fixture: "flags", args: []string{"config", "--profiles"}, env: shopEnv, want: "want-profiles.txt"},
	{name: "flags/images", fixture: "flags", args: []string{"config", "--images"}, env: shopEnv, want: "want-images.txt", unordered: true},
	{name: "flags/images-service", fixture: "flags", args: []string{"config", "--images", "backend"}, env: shopEnv, want: "want-images-backend.txt", unordered: true},
	{name: "flags/hash-all", fixture: "flags", args: []string{"config", "--hash", "*"}, env: shopEnv, want: "want-hash.txt"},
	{name: "flags/hash-some", fixture: "flags", args: []string{"config", "--hash", "frontend,db"}, env: shopEnv, want: "want-hash-some.txt"},
	{name: "flags/quiet", fixture: "flags", args: []string{"config", "-q"}, env: shopEnv, want: "want-empty.txt"},
	{name: "flags/quiet-long", fixture: "flags", args: []string{"config", "--quiet"}, env: shopEnv, want: "want-empty.txt"},
	{name: "flags/output", fixture: "flags", args: []string{"config", "-o", "out.yaml"}, env: shopEnv, want: "want.yaml", outFile: "out.yaml"},
	{name: "flags/output-json", fixture: "flags", args: []string{"config", "--format", "json", "--output", "out.json"}, env: shopEnv, want: "want.json", outFile: "out.json"},
	{name: "flags/no-interpolate", fixture: "flags", args: []string{"config", "--no-interpolate"}, env: noEnv, want: "want-no-interpolate.yaml"},
	// Compose warns that it cannot select services from the raw model
	{name: "flags/no-interpolate-services", fixture: "flags", args: []string{"config", "--no-interpolate", "frontend"}, env: noEnv, want: "want-no-interpolate.yaml",
		stderr: []string{"--no-interpolate ignores the services named (frontend)"}},
	{name: "flags/no-interpolate-json", fixture: "flags", args: []string{"config", "--no-interpolate", "--format", "json"}, env: noEnv, want: "want-no-interpolate.json"},
	// without normalisation there is no implicit default network, so the
	// reference to it is an error, as with Compose
	{name: "flags/no-normalize", fixture: "flags", args: []string{"config", "--no-normalize"}, env: shopEnv, code: 1,
		stderr: []string{`service "frontend" refers to undefined network default`}},
	{name: "flags/no-normalize-no-consistency", fixture: "flags", args: []string{"config", "--no-normalize", "--no-consistency"}, env: shopEnv, want: "want-no-normalize.yaml"},
	{name: "profiles/no-normalize", fixture: "profiles", args: []string{"config", "--no-normalize"}, env: noEnv, want: "want-no-normalize.yaml"},
	{name: "flags/variables", fixture: "flags", args: []string{"config", "--variables"}, env: noEnv, want: "want-variables.txt", unordered: true},
	{name: "flags/variables-json", fixture: "flags", args: []string{"config", "--variables", "--format", "json"}, env: noEnv, want: "want-variables.json"},
	{name: "flags/variables-yaml", fixture: "flags", args: []string{"config", "--variables", "--format", "yaml"}, env: noEnv, want: "want-variables.yaml"},
	{name: "flags/environment", fixture: "flags", args: []string{"config", "--environment"}, env: append([]string{"HTTP_PORT=9090"}, shopEnv...), want: "want-environment.txt"},
	{name: "flags/service-args", fixture: "flags", args: []string{"config", "frontend"}, env: shopEnv, want: "want-frontend.yaml"},
	{name: "flags/service-args-profile", fixture: "flags", args: []string{"config", "adminer", "db"}, env: shopEnv, want: "want-adminer-db.yaml"},
	{name: "flags/env-override", fixture: "flags", args: []string{"config", "frontend"}, env: append([]string{"HTTP_PORT=9090", "FRONTEND_TAG=2.1"}, shopEnv...), want: "want-frontend-env.yaml"},
	{name: "flags/convert-alias", fixture: "flags", args: []string{"convert"}, env: shopEnv, want: "want.yaml",
		composeDiffers: "Berth keeps `convert`, the alias of config that Compose v2 had"},
	{name: "flags/resolve-image-digests", fixture: "flags", args: []string{"config", "--resolve-image-digests"}, env: shopEnv, code: 1,
		stderr: []string{"--resolve-image-digests", "registr"}},
	{name: "flags/unknown-service", fixture: "flags", args: []string{"config", "nope"}, env: shopEnv, code: 1,
		stderr: []string{"no such service: nope"}},
	{name: "invalid/quiet", fixture: "invalid", args: []string{"config", "-q"}, env: noEnv, code: 1,
		stderr: []string{"compose.yaml:4:", "additional properties 'prots' not allowed"}},
	{name: "invalid/yaml", fixture: "invalid", args: []string{"config"}, env: noEnv, code: 1,
		stderr: []string{"compose.yaml:4:", "additional properties 'prots' not allowed"}},
}

func TestConfigGolden(t *testing.T) {
	for _, tc := range configCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			dir := filepath.Join(root, tc.fixture)
			copyFixture(t, filepath.Join("testdata", "config", tc.fixture), dir)
			for dst, src := range tc.from {
				copyFile(t, src, filepath.Join(dir, dst))
			}

			var stdout, stderr bytes.Buffer
			env := append([]string(nil), tc.env...)
			if *composeBin != "" {
				if tc.composeDiffers != "" {
					t.Skip("Berth differs from Compose on purpose: " + tc.composeDiffers)
				}
				code, out, errOut := runCompose(t, dir, env, tc.args)
				if (code == 0) != (tc.code == 0) {
					t.Fatalf("compose %s: exit %d, Berth's golden wants %d\nstderr: %s", strings.Join(tc.args, " "), code, tc.code, errOut)
				}
				got := out
				if tc.outFile != "" {
					var err error
					if got, err = os.ReadFile(filepath.Join(dir, tc.outFile)); err != nil {
						t.Fatalf("compose -o did not write the file: %v", err)
					}
				}
				if tc.code == 0 && tc.want != "" {
					checkComposeGolden(t, filepath.Join("testdata", "config", tc.fixture, tc.want), withPlaceholder(t, got, root), tc.unordered)
				}
				return
			}
			code := Run(context.Background(), tc.args, Streams{
				In: strings.NewReader(""), Out: &stdout, Err: &stderr, Environ: env, WorkDir: dir,
			})
			if code != tc.code {
				t.Fatalf("berth %s: exit %d, want %d\nstderr: %s", strings.Join(tc.args, " "), code, tc.code, stderr.String())
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr %q does not contain %q", stderr.String(), s)
				}
			}
			if tc.code != 0 && stdout.Len() > 0 {
				t.Errorf("failed, yet printed %q", stdout.String())
			}
			if len(tc.stderr) == 0 && stderr.Len() > 0 {
				t.Errorf("unexpected stderr: %s", stderr.String())
			}

			got := stdout.Bytes()
			if tc.outFile != "" {
				if stdout.Len() > 0 {
					t.Errorf("with -o, printed %q to standard output", stdout.String())
				}
				var err error
				if got, err = os.ReadFile(filepath.Join(dir, tc.outFile)); err != nil {
					t.Fatalf("-o did not write the file: %v", err)
				}
			}
			if tc.want == "" {
				return
			}
			checkGolden(t, filepath.Join("testdata", "config", tc.fixture, tc.want), withPlaceholder(t, got, root))
		})
	}
}

// TestConfigFormatIsValidated: a --format Berth does not know is a usage
// error, exit 2, found before any file is read.
func TestConfigFormatIsValidated(t *testing.T) {
	for _, args := range [][]string{
		{"config", "--format", "xml"},
		{"config", "--format", "YAML"},
		{"-f", "does-not-exist.yaml", "config", "--format", "toml"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := t.TempDir()
			copyFixture(t, filepath.Join("testdata", "config", "flags"), dir)
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), args, Streams{Out: &stdout, Err: &stderr, Environ: shopEnv, WorkDir: dir})
			if code != 2 {
				t.Fatalf("exit %d, want 2 (stderr %q)", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), "--format") {
				t.Errorf("stderr %q does not name --format", stderr.String())
			}
			if stdout.Len() > 0 {
				t.Errorf("printed %q", stdout.String())
			}
		})
	}
}

// TestConfigOutputIsAValidComposeFile: what `config` prints, fed back to
// `config`, comes out the same, $$ escapes included.
func TestConfigOutputIsAValidComposeFile(t *testing.T) {
	for _, fixture := range []string{"dollar", "flags", "envfiles"} {
		t.Run(fixture, func(t *testing.T) {
			env := []string{"SECRET=pa$word", "GO_VERSION=1.26"}
			dir := filepath.Join(t.TempDir(), fixture)
			copyFixture(t, filepath.Join("testdata", "config", fixture), dir)
			first := runConfigOK(t, dir, env, "config")
			if err := os.WriteFile(filepath.Join(dir, "rendered.yaml"), []byte(first), 0o644); err != nil {
				t.Fatal(err)
			}
			second := runConfigOK(t, dir, env, "-f", "rendered.yaml", "config")
			if first != second {
				t.Errorf("rendering the rendered file changed it:\nfirst:\n%s\nsecond:\n%s", first, second)
			}
		})
	}
}

// runCompose runs the -compose binary in dir with exactly env and returns
// its exit code, stdout and stderr.
func runCompose(t *testing.T, dir string, env, args []string) (int, []byte, string) {
	t.Helper()
	cmd := exec.Command(*composeBin, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{}, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	return exitCode(t, cmd.Run()), out.Bytes(), errOut.String()
}

func runConfigOK(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), args, Streams{Out: &stdout, Err: &stderr, Environ: env, WorkDir: dir}); code != 0 {
		t.Fatalf("berth %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.String()
}

// withPlaceholder replaces the temporary directory (and the path it
// resolves to, where a symlink leads to it) with dirPlaceholder.
func withPlaceholder(t *testing.T, out []byte, root string) []byte {
	t.Helper()
	if real, err := filepath.EvalSymlinks(root); err == nil && real != root {
		out = bytes.ReplaceAll(out, []byte(real), []byte(dirPlaceholder))
	}
	return bytes.ReplaceAll(out, []byte(root), []byte(dirPlaceholder))
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update to rewrite it, then review the diff)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// checkComposeGolden compares what Compose printed with a golden file, as a
// set of lines when unordered.
func checkComposeGolden(t *testing.T, path string, got []byte, unordered bool) {
	t.Helper()
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if unordered {
		sortLines := func(b []byte) []byte {
			lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			slices.Sort(lines)
			return []byte(strings.Join(lines, "\n"))
		}
		got, want = sortLines(got), sortLines(want)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Compose's output differs from %s\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// copyFixture copies the fixture directory src to dst, leaving out the
// golden files.
func copyFixture(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasPrefix(d.Name(), "want") {
			return nil
		}
		copyFile(t, path, filepath.Join(dst, rel))
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
