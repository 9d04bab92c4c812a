package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/enginetest"
	"github.com/berth-dev/berth/project"
)

// buildWriteFiles writes files (slash paths to contents) under dir.
func buildWriteFiles(t *testing.T, dir string, files map[string]string) {
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

// buildTar lists the build context of b as the engine would receive it:
// tar headers and file contents by name.
func buildTar(t *testing.T, b *types.BuildConfig) (*buildContext, map[string]*tar.Header, map[string]string) {
	t.Helper()
	bc, err := newBuildContext(b, "web")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := bc.writeTar(&buf); err != nil {
		t.Fatal(err)
	}
	headers, contents := map[string]*tar.Header{}, map[string]string{}
	tr := tar.NewReader(&buf)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if _, dup := headers[h.Name]; dup {
			t.Errorf("%s is in the tar twice", h.Name)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		headers[h.Name], contents[h.Name] = h, string(data)
	}
	return bc, headers, contents
}

func buildWantNames(t *testing.T, headers map[string]*tar.Header, in, out []string) {
	t.Helper()
	for _, n := range in {
		if headers[n] == nil {
			t.Errorf("%s is not in the context, want it in; have %v", n, slices.Sorted(maps.Keys(headers)))
		}
	}
	for _, n := range out {
		if headers[n] != nil {
			t.Errorf("%s is in the context, want it left out", n)
		}
	}
}

func TestBuildContextHonoursDockerignore(t *testing.T) {
	dir := t.TempDir()
	buildWriteFiles(t, dir, map[string]string{
		"Dockerfile":              "FROM scratch\nCOPY . /ctx\n",
		".dockerignore":           "# comment\nsecret.txt\nlogs\n!logs/keep.log\nnode_modules\n**/*.tmp\nDockerfile\n.dockerignore\n",
		"a.txt":                   "a",
		"secret.txt":              "s",
		"logs/x.log":              "x",
		"logs/keep.log":           "k",
		"sub/b.txt":               "b",
		"sub/c.tmp":               "c",
		"node_modules/m/index.js": "m",
	})
	bc, headers, _ := buildTar(t, &types.BuildConfig{Context: dir, Dockerfile: "Dockerfile"})
	if bc.dockerfile != "Dockerfile" {
		t.Errorf("dockerfile %q, want Dockerfile", bc.dockerfile)
	}
	// the Dockerfile and .dockerignore are sent even when excluded: the
	// classic builder reads them (and drops them itself)
	buildWantNames(t, headers,
		[]string{"Dockerfile", ".dockerignore", "a.txt", "logs/keep.log", "sub/", "sub/b.txt"},
		[]string{"secret.txt", "logs/x.log", "sub/c.tmp", "node_modules/", "node_modules/m/index.js"})
}

func TestBuildContextDockerfileIgnoreTakesPrecedence(t *testing.T) {
	dir := t.TempDir()
	buildWriteFiles(t, dir, map[string]string{
		".dockerignore":                     "a.txt\n",
		"build/app.Dockerfile":              "FROM scratch\n",
		"build/app.Dockerfile.dockerignore": "b.txt\n",
		"a.txt":                             "a",
		"b.txt":                             "b",
	})
	bc, headers, contents := buildTar(t, &types.BuildConfig{Context: dir, Dockerfile: "build/app.Dockerfile"})
	if bc.dockerfile != "build/app.Dockerfile" {
		t.Errorf("dockerfile %q, want build/app.Dockerfile", bc.dockerfile)
	}
	buildWantNames(t, headers, []string{"a.txt", "build/app.Dockerfile", ".dockerignore"}, []string{"b.txt"})
	// the engine reads the tar's .dockerignore: it carries the patterns in effect
	if got := contents[".dockerignore"]; !strings.Contains(got, "b.txt") || strings.Contains(got, "a.txt") {
		t.Errorf(".dockerignore sent:\n%s\nwant the patterns of app.Dockerfile.dockerignore", got)
	}

	// without <Dockerfile>.dockerignore, .dockerignore applies
	if err := os.Remove(filepath.Join(dir, "build/app.Dockerfile.dockerignore")); err != nil {
		t.Fatal(err)
	}
	_, headers, contents = buildTar(t, &types.BuildConfig{Context: dir, Dockerfile: "build/app.Dockerfile"})
	buildWantNames(t, headers, []string{"b.txt"}, []string{"a.txt"})
	if contents[".dockerignore"] != "a.txt\n" {
		t.Errorf(".dockerignore sent %q, want the file as it is", contents[".dockerignore"])
	}
}

func TestBuildContextInlineDockerfile(t *testing.T) {
	dir := t.TempDir()
	buildWriteFiles(t, dir, map[string]string{".berth.Dockerfile.web": "taken", "a.txt": "a"})
	inline := "FROM scratch\nCOPY a.txt /\n"
	bc, headers, contents := buildTar(t, &types.BuildConfig{Context: dir, DockerfileInline: inline})
	if bc.dockerfile != ".berth.Dockerfile.web.2" {
		t.Fatalf("dockerfile %q, want a name that does not collide with the context's files", bc.dockerfile)
	}
	if contents[bc.dockerfile] != inline {
		t.Errorf("dockerfile content %q, want %q", contents[bc.dockerfile], inline)
	}
	if contents[".berth.Dockerfile.web"] != "taken" {
		t.Errorf("the context's own file was replaced")
	}
	// the engine drops the generated Dockerfile (and the generated
	// .dockerignore) from the context after reading them
	ignore := contents[".dockerignore"]
	if !slices.Contains(strings.Fields(ignore), bc.dockerfile) || !slices.Contains(strings.Fields(ignore), ".dockerignore") {
		t.Errorf(".dockerignore sent:\n%s\nwant it to name itself and %s", ignore, bc.dockerfile)
	}
	buildWantNames(t, headers, []string{"a.txt"}, nil)
}

func TestBuildContextDockerfileOutsideContext(t *testing.T) {
	dir := t.TempDir()
	buildWriteFiles(t, dir, map[string]string{"Dockerfile": "FROM scratch\nLABEL outside=yes\n", "app/a.txt": "a"})
	bc, headers, contents := buildTar(t, &types.BuildConfig{Context: filepath.Join(dir, "app"), Dockerfile: "../Dockerfile"})
	if contents[bc.dockerfile] != "FROM scratch\nLABEL outside=yes\n" {
		t.Errorf("dockerfile %s holds %q, want the Dockerfile from outside the context", bc.dockerfile, contents[bc.dockerfile])
	}
	buildWantNames(t, headers, []string{"a.txt"}, []string{"../Dockerfile", "Dockerfile"})
}

func TestBuildContextSymlinks(t *testing.T) {
	outside := t.TempDir()
	buildWriteFiles(t, outside, map[string]string{"secret": "s"})
	dir := t.TempDir()
	buildWriteFiles(t, dir, map[string]string{"Dockerfile": "FROM scratch\n", "a.txt": "a", "sub/deep/b.txt": "b"})
	for link, target := range map[string]string{
		"link":           "a.txt",
		"dirlink":        "sub",
		"sub/deep/up":    "../../a.txt",
		"dangling":       "nowhere/file",
		"abs-inside":     filepath.Join(dir, "a.txt"),
		"sub/deep/chain": "../../dirlink/deep/b.txt",
	} {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	_, headers, _ := buildTar(t, &types.BuildConfig{Context: dir, Dockerfile: "Dockerfile"})
	for _, name := range []string{"link", "dirlink", "sub/deep/up", "dangling", "sub/deep/chain"} {
		h := headers[name]
		if h == nil || h.Typeflag != tar.TypeSymlink {
			t.Errorf("%s: want it in the tar as a symlink, got %+v", name, h)
		}
	}
	if h := headers["link"]; h != nil && h.Linkname != "a.txt" {
		t.Errorf("link points at %q in the tar, want a.txt", h.Linkname)
	}
	if headers["dirlink/deep/b.txt"] != nil {
		t.Error("a symlinked directory was followed")
	}

	for name, target := range map[string]string{
		"relative": "../..",
		"absolute": filepath.Join(outside, "secret"),
		"root":     "/",
		// dirlink is the context directory itself, so dirlink/.. is its
		// parent, though the path looks as if it stayed inside
		"via-link": "../dirlink/..",
	} {
		t.Run(name, func(t *testing.T) {
			escape := t.TempDir()
			buildWriteFiles(t, escape, map[string]string{"Dockerfile": "FROM scratch\n", "sub/x": "x"})
			if err := os.Symlink(".", filepath.Join(escape, "dirlink")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, filepath.Join(escape, "sub", "bad")); err != nil {
				t.Fatal(err)
			}
			_, err := newBuildContext(&types.BuildConfig{Context: escape, Dockerfile: "Dockerfile"}, "web")
			if err == nil || !strings.Contains(err.Error(), "refusing to send") || !strings.Contains(err.Error(), "outside the build context") || !strings.Contains(err.Error(), "bad") {
				t.Fatalf("symlink to %s: got %v, want a refusal naming the link", target, err)
			}
		})
	}

	// an escaping link the ignore file excludes is not sent, so not refused
	escape := t.TempDir()
	buildWriteFiles(t, escape, map[string]string{"Dockerfile": "FROM scratch\n", ".dockerignore": "bad\n"})
	if err := os.Symlink(outside, filepath.Join(escape, "bad")); err != nil {
		t.Fatal(err)
	}
	if _, err := newBuildContext(&types.BuildConfig{Context: escape, Dockerfile: "Dockerfile"}, "web"); err != nil {
		t.Errorf("excluded escaping link: %v", err)
	}
}

func TestBuildContextKeepsModesAndTimes(t *testing.T) {
	dir := t.TempDir()
	buildWriteFiles(t, dir, map[string]string{"Dockerfile": "FROM scratch\n", "bin/run": "#!/bin/sh\n"})
	run := filepath.Join(dir, "bin", "run")
	if err := os.Chmod(run, 0o751); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	if err := os.Chtimes(run, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	_, headers, contents := buildTar(t, &types.BuildConfig{Context: dir, Dockerfile: "Dockerfile"})
	h := headers["bin/run"]
	if h == nil {
		t.Fatal("bin/run is not in the tar")
	}
	if h.Mode&0o7777 != 0o751 || !h.ModTime.Equal(mtime) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
		t.Errorf("bin/run: mode %o, mtime %s, owner %d:%d (%q:%q); want 751, %s, 0:0", h.Mode, h.ModTime, h.Uid, h.Gid, h.Uname, h.Gname, mtime)
	}
	if contents["bin/run"] != "#!/bin/sh\n" {
		t.Errorf("bin/run holds %q", contents["bin/run"])
	}
	if d := headers["bin/"]; d == nil || d.Typeflag != tar.TypeDir {
		t.Errorf("bin/ is not in the tar as a directory: %+v", d)
	}
}

func TestBuildContextMustBeALocalDirectory(t *testing.T) {
	for _, c := range []string{"https://github.com/docker/compose.git#main", "git@github.com:docker/compose.git", "github.com/docker/compose", "-"} {
		_, err := newBuildContext(&types.BuildConfig{Context: c, Dockerfile: "Dockerfile"}, "web")
		if err == nil || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("context %s: got %v, want a not supported error", c, err)
		}
	}
	dir := t.TempDir()
	buildWriteFiles(t, dir, map[string]string{"file": "x"})
	if _, err := newBuildContext(&types.BuildConfig{Context: filepath.Join(dir, "file"), Dockerfile: "Dockerfile"}, "web"); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("context is a file: got %v", err)
	}
	if _, err := newBuildContext(&types.BuildConfig{Context: dir, Dockerfile: "Missing.Dockerfile"}, "web"); err == nil || !strings.Contains(err.Error(), "Missing.Dockerfile") {
		t.Errorf("missing Dockerfile: got %v", err)
	}
}

func TestBuildOptionsMapTheBuildSection(t *testing.T) {
	p, _ := loadSpecProject(t, `
services:
  web:
    build:
      context: .
      target: base
      args:
        A: from-compose
        B: from-compose
        UNSET:
      labels:
        com.example.team: shop
      tags: [example/web:1, shop-web]
      network: host
      extra_hosts: ["db=10.0.0.2", "api:10.0.0.3"]
      shm_size: 64m
      no_cache: true
      cache_from: [example/web:cache]
      platforms: [linux/amd64]
      ulimits:
        nofile: {soft: 100, hard: 200}
`, map[string]string{"Dockerfile": "FROM scratch\n"})
	o, err := buildOptions(p, p.Services["web"], engine.BuildOptions{Args: map[string]string{"B": "override", "C": "new"}, Pull: true})
	if err != nil {
		t.Fatal(err)
	}
	specEq(t, "tags", o.Tags, []string{"shop-web", "example/web:1"})
	args := map[string]string{}
	for k, v := range o.BuildArgs {
		args[k] = *v
	}
	specEq(t, "args", args, map[string]string{"A": "from-compose", "B": "override", "C": "new"})
	specEq(t, "labels", o.Labels, map[string]string{"com.example.team": "shop", LabelImageBuilder: "classic"})
	specEq(t, "target", o.Target, "base")
	specEq(t, "network", o.NetworkMode, "host")
	specEq(t, "extra_hosts", o.ExtraHosts, []string{"api:10.0.0.3", "db:10.0.0.2"})
	specEq(t, "shm_size", o.ShmSize, int64(64<<20))
	specEq(t, "no_cache", o.NoCache, true)
	specEq(t, "pull", o.PullParent, true)
	specEq(t, "cache_from", o.CacheFrom, []string{"example/web:cache"})
	specEq(t, "platform", o.Platform, "linux/amd64")
	specEq(t, "ulimits", len(o.Ulimits), 1)
	specEq(t, "ulimit", *o.Ulimits[0], container.Ulimit{Name: "nofile", Hard: 200, Soft: 100})
}

func TestBuildRefusesWhatNeedsBuildKit(t *testing.T) {
	for field, yaml := range map[string]string{
		"build.ssh":                 "ssh: [default]",
		"build.secrets":             "secrets: [token]",
		"build.additional_contexts": "additional_contexts: {base: ./base}",
		"build.cache_to":            "cache_to: [type=local,dest=/tmp/c]",
		"build.privileged":          "privileged: true",
		"build.entitlements":        "entitlements: [network.host]",
		"build.platforms":           "platforms: [linux/amd64, linux/arm64]",
		"build.cache_from":          "cache_from: [type=registry,ref=example/web]",
	} {
		t.Run(field, func(t *testing.T) {
			p, _ := loadSpecProject(t, "services:\n  web:\n    build:\n      context: .\n      "+yaml+"\nsecrets:\n  token:\n    environment: HOME\n",
				map[string]string{"Dockerfile": "FROM scratch\n"}, "HOME=/root")
			c := &Client{} // refused before the engine is asked anything
			_, err := c.Build(context.Background(), &project.Project{Compose: p}, "web", engine.BuildOptions{}, nil)
			want := `service "web": ` + field
			if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "BuildKit") {
				t.Fatalf("got %v, want an error starting %q that names BuildKit", err, want)
			}
		})
	}
}

func TestReadBuildMessages(t *testing.T) {
	stream := `{"stream":"Step 1/2 : FROM scratch\n"}
{"stream":" ---\u003e Running in abc"}{"stream":"\n ok\r\n"}
{"status":"Pulling from library/x","id":"1"}
{"status":"Downloading","id":"2","progressDetail":{"current":1,"total":2}}
{"aux":{"ID":"sha256:0123"}}
{"stream":"Successfully built 0123\n"}
`
	var lines []string
	id, err := readBuildMessages(strings.NewReader(stream), func(l string) { lines = append(lines, l) })
	if err != nil {
		t.Fatal(err)
	}
	specEq(t, "id", id, "sha256:0123")
	specEq(t, "lines", lines, []string{"Step 1/2 : FROM scratch", " ---> Running in abc", " ok", "1 Pulling from library/x", "Successfully built 0123"})

	failed := `{"stream":"Step 1/2 : FROM --platform=linux/amd64 example/base:1 AS b\n"}
{"errorDetail":{"message":"Get \"https://registry-1.docker.io/v2/\": no such host"},"error":"Get \"https://registry-1.docker.io/v2/\": no such host"}
`
	_, err = readBuildMessages(strings.NewReader(failed), func(string) {})
	if err == nil || !strings.Contains(err.Error(), "base image example/base:1") || !strings.Contains(err.Error(), "no such host") {
		t.Errorf("got %v, want the base image and the engine's message", err)
	}
}

// buildProject writes compose and files into a new directory and loads
// them; the images its services build are removed when the test ends.
func buildProject(t *testing.T, c *Client, compose string, files map[string]string) *project.Project {
	t.Helper()
	dir := t.TempDir()
	name := enginetest.ProjectName(t)
	buildWriteFiles(t, dir, specWithFile(files, "compose.yaml", compose))
	p, err := project.Load(context.Background(), project.Options{WorkDir: dir, ProjectName: name, Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for svc, s := range p.Compose.Services {
			tags := []string{project.ImageName(p.Compose, svc)}
			if s.Build != nil {
				tags = append(tags, s.Build.Tags...)
			}
			for _, tag := range tags {
				if _, err := c.api.ImageRemove(ctx, tag, image.RemoveOptions{Force: true, PruneChildren: true}); err != nil && !strings.Contains(err.Error(), "No such image") {
					t.Errorf("cleanup: removing image %s: %v", tag, err)
				}
			}
		}
	})
	return p
}

func TestBuildThroughTheEngine(t *testing.T) {
	c := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := buildProject(t, c, `
services:
  web:
    build:
      context: ./app
      target: base
      args: {A: from-compose, B: from-compose}
      labels: {com.example.team: shop}
`, map[string]string{
		"app/Dockerfile": `FROM scratch AS base
ARG A
ARG B
LABEL a=$A b=$B
COPY a.txt link /
FROM base AS final
LABEL stage=final
`,
		"app/a.txt":         "a",
		"app/secret.txt":    "s",
		"app/.dockerignore": "secret.txt\n",
	})
	// extra tags are project-specific so the cleanup removes them
	s := p.Compose.Services["web"]
	s.Build.Tags = []string{p.Name() + "-extra:v1"}
	p.Compose.Services["web"] = s
	if err := os.Symlink("a.txt", filepath.Join(s.Build.Context, "link")); err != nil {
		t.Fatal(err)
	}

	var lines []string
	id, err := c.Build(ctx, p, "web", engine.BuildOptions{Args: map[string]string{"B": "override"}}, func(l string) { lines = append(lines, l) })
	if err != nil {
		t.Fatal(err)
	}
	ins, err := c.api.ImageInspect(ctx, p.Name()+"-web")
	if err != nil {
		t.Fatal(err)
	}
	specEq(t, "image ID", ins.ID, id)
	for k, v := range map[string]string{"a": "from-compose", "b": "override", "com.example.team": "shop", LabelImageBuilder: "classic"} {
		if ins.Config.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, ins.Config.Labels[k], v)
		}
	}
	if _, ok := ins.Config.Labels["stage"]; ok {
		t.Error("the stage after the target was built")
	}
	extra, err := c.api.ImageInspect(ctx, p.Name()+"-extra:v1")
	if err != nil || extra.ID != id {
		t.Errorf("extra tag: %v, ID %s, want %s", err, extra.ID, id)
	}
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "Step 1/") }) {
		t.Errorf("log lines %q, want the builder's steps", lines)
	}

	// the ignored file is not in the context the engine received
	s.Build.Target = ""
	s.Build.DockerfileInline = "FROM scratch\nCOPY secret.txt /\n"
	p.Compose.Services["web"] = s
	_, err = c.Build(ctx, p, "web", engine.BuildOptions{Quiet: true}, nil)
	if err == nil || !strings.Contains(err.Error(), `service "web": build failed`) || !strings.Contains(err.Error(), "secret.txt") {
		t.Errorf("COPY of an ignored file: got %v, want the builder's error", err)
	}
}

// TestBuildSectionReachesTheBuilder checks on the engine the build fields
// that act inside the build's RUN steps — network, extra_hosts, shm_size —
// and no_cache: each RUN prints what it saw, and the builder's log shows it.
func TestBuildSectionReachesTheBuilder(t *testing.T) {
	c := connect(t)
	base := enginetest.Image(t, c.api)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := buildProject(t, c, `
services:
  web:
    build:
      context: .
      network: none
      extra_hosts: ["gateway.test=127.0.0.2"]
      shm_size: 96m
      no_cache: true
`, map[string]string{"Dockerfile": "FROM " + base + `
RUN ["/app", "cat", "/etc/hosts"]
RUN ["/app", "cat", "/proc/mounts"]
RUN ["/app", "cat", "/proc/net/dev"]
`})
	var lines []string
	if _, err := c.Build(ctx, p, "web", engine.BuildOptions{}, func(l string) { lines = append(lines, l) }); err != nil {
		t.Fatal(err)
	}
	log := strings.Join(lines, "\n")
	if !regexp.MustCompile(`127\.0\.0\.2\s+gateway\.test`).MatchString(log) {
		t.Errorf("extra_hosts: /etc/hosts in the build has no gateway.test entry:\n%s", log)
	}
	if !regexp.MustCompile(`/dev/shm tmpfs \S*size=98304k`).MatchString(log) {
		t.Errorf("shm_size: /dev/shm in the build is not 96m:\n%s", log)
	}
	if !strings.Contains(log, "lo:") || strings.Contains(log, "eth0:") {
		t.Errorf("network: none: the build has an interface besides lo:\n%s", log)
	}

	// no_cache: an identical second build runs every step again
	lines = nil
	if _, err := c.Build(ctx, p, "web", engine.BuildOptions{}, func(l string) { lines = append(lines, l) }); err != nil {
		t.Fatal(err)
	}
	if log := strings.Join(lines, "\n"); strings.Contains(log, "Using cache") {
		t.Errorf("no_cache: the second build used the cache:\n%s", log)
	}
}

func TestBuildInlineDockerfile(t *testing.T) {
	c := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := buildProject(t, c, `
services:
  web:
    build:
      context: .
      dockerfile_inline: |
        FROM scratch
        COPY a.txt /
        LABEL inline=yes
`, map[string]string{"a.txt": "a"})
	id, err := c.Build(ctx, p, "web", engine.BuildOptions{NoCache: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ins, err := c.api.ImageInspect(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if ins.Config.Labels["inline"] != "yes" || !slices.Contains(ins.RepoTags, p.Name()+"-web:latest") {
		t.Errorf("labels %v, tags %v", ins.Config.Labels, ins.RepoTags)
	}
}

func TestBuildFailuresNameTheService(t *testing.T) {
	c := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := buildProject(t, c, `
services:
  broken:
    build:
      context: ./broken
  offline:
    build:
      context: ./offline
      pull: true
  escape:
    build:
      context: ./escape
`, map[string]string{
		"broken/Dockerfile":  "FROM scratch\nCOPY missing /\n",
		"offline/Dockerfile": "FROM 127.0.0.1:1/berth-test/no-such-base:1\nLABEL x=y\n",
		"escape/Dockerfile":  "FROM scratch\n",
	})
	_, err := c.Build(ctx, p, "broken", engine.BuildOptions{}, nil)
	t.Log(err)
	if err == nil || !strings.HasPrefix(err.Error(), `service "broken": build failed: `) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("broken Dockerfile: got %v, want the builder's message and the service", err)
	}

	_, err = c.Build(ctx, p, "offline", engine.BuildOptions{}, nil)
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), `service "offline"`) || !strings.Contains(err.Error(), "base image 127.0.0.1:1/berth-test/no-such-base:1") {
		t.Errorf("base image that cannot be pulled: got %v, want the image named", err)
	}

	esc := p.Compose.Services["escape"].Build.Context
	if err := os.Symlink("/etc", filepath.Join(esc, "etc")); err != nil {
		t.Fatal(err)
	}
	_, err = c.Build(ctx, p, "escape", engine.BuildOptions{}, nil)
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), `service "escape": refusing to send symlink`) {
		t.Errorf("escaping symlink: got %v", err)
	}
}
