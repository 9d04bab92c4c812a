package microservices_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// services are the example's service directories, each a Go module.
var services = []string{"auth", "catalog", "store", "web"}

// readTree reads every file under dir, so that the go command's test cache
// (which records the files a test opens) reruns this test when one changes.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func goCommand(t *testing.T) string {
	t.Helper()
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command to run the services' tests: %v", err)
	}
	return p
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestServices runs each service module's own tests (`go test ./...` in its
// directory): they are not part of Berth's module.
func TestServices(t *testing.T) {
	goCmd := goCommand(t)
	for _, svc := range services {
		t.Run(svc, func(t *testing.T) {
			t.Parallel()
			readTree(t, svc)
			cmd := exec.Command(goCmd, "test", "-count=1", "./...")
			cmd.Dir = svc
			// The service is its own module: no workspace, no toolchain switch.
			cmd.Env = append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go test ./... in %s: %v\n%s", svc, err, out)
			}
			t.Logf("%s", bytes.TrimSpace(out))
		})
	}
}

// TestModules checks that each service is a standard-library-only module
// whose go.mod keeps it out of Berth's module.
func TestModules(t *testing.T) {
	for _, svc := range services {
		b, err := os.ReadFile(filepath.Join(svc, "go.mod"))
		if err != nil {
			t.Fatalf("%s: %v (without it the service would join Berth's module)", svc, err)
		}
		mod := string(b)
		if !strings.Contains(mod, "module example.com/"+svc+"\n") {
			t.Errorf("%s/go.mod: module is not example.com/%s:\n%s", svc, svc, mod)
		}
		if strings.Contains(mod, "require") {
			t.Errorf("%s/go.mod has requirements: the services use the standard library only (the image builds offline)", svc)
		}
		if fileExists(filepath.Join(svc, "go.sum")) {
			t.Errorf("%s/go.sum exists: the services use the standard library only", svc)
		}
	}
}

var (
	fromBuild  = regexp.MustCompile(`(?m)^FROM golang:\$\{GO_VERSION\} AS build$`)
	entrypoint = regexp.MustCompile(`(?mi)^ENTRYPOINT\b`)
)

// TestDockerfiles checks each Dockerfile against the compose file: a
// multi-stage build from golang:${GO_VERSION} to scratch whose binary is the
// one the healthcheck runs, and a .dockerignore that keeps tests (and auth's
// development key) out of the build context.
func TestDockerfiles(t *testing.T) {
	var compose struct {
		Services map[string]struct {
			Build struct {
				Context string            `yaml:"context"`
				Args    map[string]string `yaml:"args"`
			} `yaml:"build"`
			Healthcheck struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
			Command []string `yaml:"command"`
		} `yaml:"services"`
	}
	b, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatal(err)
	}
	contexts := map[string]bool{}
	for name, s := range compose.Services {
		ctx := strings.TrimPrefix(s.Build.Context, "./")
		if !slices.Contains(services, ctx) {
			t.Errorf("service %s: build context %q is not one of %v", name, s.Build.Context, services)
			continue
		}
		contexts[ctx] = true
		if s.Build.Args["GO_VERSION"] == "" {
			t.Errorf("service %s: no GO_VERSION build arg", name)
		}
		if name == ctx {
			if want := []string{"CMD", "/" + ctx, "-healthcheck"}; !slices.Equal(s.Healthcheck.Test, want) {
				t.Errorf("service %s: healthcheck %v, want %v", name, s.Healthcheck.Test, want)
			}
		}
		if len(s.Command) > 0 && s.Command[0] != "/"+ctx {
			t.Errorf("service %s: command %v does not run /%s, the image's binary", name, s.Command, ctx)
		}
	}
	for _, svc := range services {
		if !contexts[svc] {
			t.Errorf("%s is no service's build context in compose.yaml", svc)
		}
		files := readTree(t, svc)
		df := string(files["Dockerfile"])
		for _, want := range []string{
			"ARG GO_VERSION=1.26\n",
			"RUN go build -trimpath -ldflags=\"-s -w\" -o /out/" + svc + " .\n",
			"FROM scratch\n",
			"COPY --from=build /out/" + svc + " /" + svc + "\n",
			"CMD [\"/" + svc + "\"]\n",
		} {
			if !strings.Contains(df, want) {
				t.Errorf("%s/Dockerfile lacks %q", svc, want)
			}
		}
		if entrypoint.MatchString(df) {
			t.Errorf("%s/Dockerfile has an ENTRYPOINT: compose.yaml's commands name the binary (/store -migrate), which would then run as /store /store -migrate", svc)
		}
		if !fromBuild.MatchString(df) {
			t.Errorf("%s/Dockerfile lacks FROM golang:${GO_VERSION} AS build", svc)
		}
		ignore := strings.Split(string(files[".dockerignore"]), "\n")
		if !slices.Contains(ignore, "*_test.go") {
			t.Errorf("%s/.dockerignore does not exclude *_test.go", svc)
		}
		if svc == "auth" && !slices.Contains(ignore, "dev-key.txt") {
			t.Errorf("auth/.dockerignore does not exclude dev-key.txt: the key is a secret, not part of the image")
		}
	}
	if df := string(readTree(t, "catalog")["Dockerfile"]); !strings.Contains(df, "/data/products.json") {
		t.Error("catalog/Dockerfile does not install products.json at /data/products.json (PRODUCTS_FILE)")
	}
}
