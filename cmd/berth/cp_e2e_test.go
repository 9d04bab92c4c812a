package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/docker/docker/api/types/image"

	"github.com/berth-dev/berth/engine/enginetest"
)

const cpCompose = `
services:
  app:
    image: IMAGE
    scale: 2
  one:
    image: IMAGE
  idle:
    image: IMAGE
    profiles: [tools]
`

// writeModes writes files (path → content) under dir, with mode 0644
// unless the path is in modes.
func writeModes(t *testing.T, dir string, files map[string]string, modes map[string]os.FileMode) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if m, ok := modes[name]; ok {
			mode = m
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
}

// readHost returns a host file's content, failing the test if it is missing.
func readHost(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tarEntries reads a tar stream into its entries' headers and contents by name.
func tarEntries(t *testing.T, data []byte) (map[string]*tar.Header, map[string]string) {
	t.Helper()
	hdrs, contents := map[string]*tar.Header{}, map[string]string{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return hdrs, contents
		}
		if err != nil {
			t.Fatalf("reading a tar stream: %v", err)
		}
		b, _ := io.ReadAll(tr)
		name := strings.TrimSuffix(h.Name, "/")
		hdrs[name], contents[name] = h, string(b)
	}
}

// TestCp copies files, directories and tar streams between the host and a
// service's containers in both directions, with docker cp's path rules,
// and checks the bad inputs change nothing.
func TestCp(t *testing.T) {
	s := newStack(t)
	s.write(cpCompose)
	s.ok(nil, "up", "-d", "app", "one")
	writeModes(t, s.dir, map[string]string{
		"src/a.txt":     "hello",
		"src/sub/b.txt": "bee",
		"f:colon.txt":   "colon",
	}, map[string]os.FileMode{"src/sub/b.txt": 0o640})
	if err := os.Symlink("a.txt", filepath.Join(s.dir, "src", "lnk")); err != nil {
		t.Fatal(err)
	}
	out := func(p string) string { return filepath.Join(s.dir, "out", p) }
	if err := os.Mkdir(filepath.Join(s.dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}

	// there and back: each copies in, then out, and reads a file
	roundTrips := []struct{ what, in, into, from, back, file, want string }{
		{"a file to a new name", "src/a.txt", "one:/a.txt", "one:/a.txt", "out/a-back.txt", "a-back.txt", "hello"},
		{"a directory to a new name, back into an existing directory", "src", "one:/data", "one:/data", "out/", "data/sub/b.txt", "bee"},
		{"a directory into an existing one lands under its name, and dir/. copies its contents", "src", "one:/data", "one:/data/src/.", "out/contents", "contents/sub/b.txt", "bee"},
		{"a host name with a colon is written ./name", "./f:colon.txt", "one:/colon.txt", "one:/colon.txt", "./out/f:colon.txt", "f:colon.txt", "colon"},
	}
	for _, rt := range roundTrips {
		s.ok(nil, "cp", rt.in, rt.into)
		s.ok(nil, "cp", rt.from, rt.back)
		if got := readHost(t, out(rt.file)); got != rt.want {
			t.Fatalf("%s: %s holds %q, want %q", rt.what, rt.file, got, rt.want)
		}
	}
	if st, err := os.Stat(out("data/sub/b.txt")); err != nil || st.Mode().Perm() != 0o640 {
		t.Fatalf("mode after a round trip: %v %v", st.Mode(), err)
	}

	// tar streams: a container path to standard output, standard input
	// into a container directory, with -a keeping owners and modes
	if _, contents := tarEntries(t, []byte(s.ok(nil, "cp", "one:/data/sub", "-"))); contents["sub/b.txt"] != "bee" {
		t.Fatalf("cp to -: entries %v", contents)
	}
	var in bytes.Buffer
	tw := tar.NewWriter(&in)
	_ = tw.WriteHeader(&tar.Header{Name: "streamed.txt", Mode: 0o604, Uid: 4321, Gid: 4322, Size: 3, ModTime: time.Unix(1e9, 0)})
	_, _ = tw.Write([]byte("tar"))
	_ = tw.Close()
	if code, _, errOut := s.berthIn(&in, nil, "cp", "-a", "-", "one:/data"); code != 0 {
		t.Fatalf("cp -a - one:/data: exit %d\n%s", code, errOut)
	}
	hdrs, contents := tarEntries(t, []byte(s.ok(nil, "cp", "one:/data/streamed.txt", "-")))
	h := hdrs["streamed.txt"]
	if h == nil || contents["streamed.txt"] != "tar" || h.Uid != 4321 || h.Gid != 4322 || h.Mode&0o777 != 0o604 {
		t.Fatalf("streamed file came back as %+v %q", h, contents["streamed.txt"])
	}

	// the container's root directory, to a new name
	s.ok(nil, "cp", "one:/", "out/root")
	if got := readHost(t, out("root/data/sub/b.txt")); got != "bee" {
		t.Fatalf("cp one:/ out/root: %q", got)
	}

	// links: copied as links, or followed with -L on either side
	s.ok(nil, "cp", "one:/data/lnk", "out/as-link")
	if target, err := os.Readlink(out("as-link")); err != nil || target != "a.txt" {
		t.Fatalf("a link copied without -L: %q %v", target, err)
	}
	s.ok(nil, "cp", "-L", "one:/data/lnk", "out/followed")
	if st, err := os.Lstat(out("followed")); err != nil || !st.Mode().IsRegular() || readHost(t, out("followed")) != "hello" {
		t.Fatalf("cp -L from the container: %v %v", st, err)
	}
	s.ok(nil, "cp", "-L", "src/lnk", "one:/via-link")
	if hdrs, contents := tarEntries(t, []byte(s.ok(nil, "cp", "one:/via-link", "-"))); hdrs["via-link"] == nil || hdrs["via-link"].Typeflag != tar.TypeReg || contents["via-link"] != "hello" {
		t.Fatalf("cp -L into the container: %+v", hdrs["via-link"])
	}

	// into a service copies into each of its containers; --index picks one
	s.ok(nil, "--parallel", "1", "cp", "src/a.txt", "app:/every.txt")
	s.ok(nil, "cp", "--all", "src/sub/b.txt", "app:/all.txt")
	s.ok(nil, "cp", "--index", "2", "src/a.txt", "app:/second.txt")
	for _, n := range []string{"1", "2"} {
		s.ok(nil, "cp", "--index", n, "app:/every.txt", "out/every-"+n)
		s.ok(nil, "cp", "--index", n, "app:/all.txt", "out/all-"+n)
	}
	if readHost(t, out("every-1")) != "hello" || readHost(t, out("every-2")) != "hello" || readHost(t, out("all-2")) != "bee" {
		t.Fatal("cp into a scaled service missed a container")
	}
	if code, _, _ := s.berth(nil, "cp", "--index", "1", "app:/second.txt", "out/second-1"); code != 1 {
		t.Fatalf("--index 2 copied into container 1 as well (exit %d)", code)
	}

	// bad input: usage errors exit 2, the others 1; nothing is written
	s.fails(1, []string{`no such service: "nosuch"`}, "cp", "nosuch:/a.txt", "out/x")
	s.fails(2, []string{"copying between services"}, "cp", "one:/a.txt", "app:/a.txt")
	s.fails(2, []string{"names a service"}, "cp", "src/a.txt", "out/x")
	s.fails(2, []string{"needs exactly 2 arguments"}, "cp", "src/a.txt")
	s.fails(1, []string{"/missing", "no such file"}, "cp", "one:/missing", "out/x")
	s.fails(1, []string{"no-such-file", "no such file or directory on the host"}, "cp", "no-such-file", "one:/x")
	s.fails(1, []string{`service "app" has no container #5`}, "cp", "--index", "5", "src/a.txt", "app:/x")
	s.fails(1, []string{`service "idle" has no container`}, "cp", "src/a.txt", "idle:/x") // found though its profile is off
	s.fails(1, []string{"cannot copy a directory to a file"}, "cp", "src", "one:/a.txt")
	s.fails(1, []string{"does not exist on the host"}, "cp", "one:/a.txt", "out/no-dir/x")
	s.fails(1, []string{"must be an existing directory"}, "cp", "-", "one:/a.txt")
	if _, err := os.Stat(out("x")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed cp wrote out/x: %v", err)
	}
	if code, stdout, _ := s.berth(nil, "cp", "one:/a.txt", "-"); code != 0 || !strings.Contains(stdout, "hello") {
		t.Fatal("a failed cp changed /a.txt in the container")
	}

	// --dry-run checks and copies nothing
	if _, _, errOut := s.berth(nil, "--dry-run", "cp", "src/a.txt", "one:/dry.txt"); !strings.Contains(errOut, "Would copy") {
		t.Fatalf("cp --dry-run: %s", errOut)
	}
	s.fails(1, []string{"/dry.txt", "no such file"}, "cp", "one:/dry.txt", "out/dry")
	s.ok(nil, "--dry-run", "cp", "one:/a.txt", "out/dry")
	if _, err := os.Stat(out("dry")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("cp --dry-run wrote out/dry: %v", err)
	}
	s.fails(1, []string{"/missing"}, "--dry-run", "cp", "one:/missing", "out/dry")
}

// TestExport exports a service container's filesystem as a tar, to a file
// and to standard output, and refuses a terminal.
func TestExport(t *testing.T) {
	s := newStack(t)
	s.write(cpCompose)
	s.ok(nil, "up", "-d", "one")
	writeModes(t, s.dir, map[string]string{"mark.txt": "marked"}, nil)
	s.ok(nil, "cp", "mark.txt", "one:/mark.txt")

	s.ok(nil, "export", "-o", "fs.tar", "one")
	data, err := os.ReadFile(filepath.Join(s.dir, "fs.tar"))
	if err != nil {
		t.Fatal(err)
	}
	hdrs, contents := tarEntries(t, data)
	if contents["mark.txt"] != "marked" || hdrs["app"] == nil {
		t.Fatalf("export -o: entries %v", contents)
	}
	stdout := s.ok(nil, "export", "--index", "1", "one")
	if _, contents := tarEntries(t, []byte(stdout)); contents["mark.txt"] != "marked" {
		t.Fatal("export to standard output lacks mark.txt")
	}

	s.ok(nil, "--dry-run", "export", "-o", "dry.tar", "one")
	if _, err := os.Stat(filepath.Join(s.dir, "dry.tar")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("export --dry-run wrote dry.tar: %v", err)
	}
	s.fails(1, []string{`no such service: "nosuch"`}, "export", "nosuch")
	s.fails(1, []string{`service "idle" has no running container`}, "export", "idle")
	s.fails(1, []string{`service "one" has no running container #3`}, "export", "--index", "3", "one")
	s.fails(1, []string{"does not exist"}, "export", "-o", "no-dir/fs.tar", "one")
	s.fails(2, []string{"needs exactly 1 argument"}, "export")
	if code, errOut := s.berthTTY("export", "one"); code != 2 || !strings.Contains(errOut, "terminal") {
		t.Fatalf("export to a terminal: exit %d\n%s", code, errOut)
	}
}

// TestCommit commits a service container's changes to an image, with an
// author, a message and a Dockerfile change, then removes it.
func TestCommit(t *testing.T) {
	s := newStack(t)
	s.write(cpCompose)
	s.ok(nil, "up", "-d", "one")
	ref := "berth-test/commit-" + s.name + ":1"
	t.Cleanup(func() { removeImage(t, s, ref) })
	id := strings.TrimSpace(s.ok(nil, "commit", "-a", "Berth Test", "-m", "a message", "-c", "ENV COMMITTED=yes", "one", ref))
	img, err := s.docker.ImageInspect(context.Background(), ref)
	if err != nil {
		t.Fatalf("the committed image: %v", err)
	}
	if img.ID != id || img.Author != "Berth Test" || img.Comment != "a message" || !contains(img.Config.Env, "COMMITTED=yes") {
		t.Fatalf("committed image %s (printed %s): author %q, comment %q, env %v", img.ID, id, img.Author, img.Comment, img.Config.Env)
	}
	dry := "berth-test/commit-dry-" + s.name + ":1"
	if out := s.ok(nil, "--dry-run", "commit", "one", dry); out != "" {
		t.Fatalf("commit --dry-run printed %q", out)
	}
	if _, err := s.docker.ImageInspect(context.Background(), dry); err == nil {
		removeImage(t, s, dry)
		t.Fatal("commit --dry-run created an image")
	}
	s.fails(1, []string{`no such service: "nosuch"`}, "commit", "nosuch")
	s.fails(1, []string{`service "idle" has no running container`}, "commit", "idle")
	s.fails(1, []string{"no running container #2"}, "commit", "--index", "2", "one")
	s.fails(2, []string{"commit needs a SERVICE and, optionally, a REPOSITORY"}, "commit", "one", "a", "b")
}

// removeImage removes an image reference the test created.
func removeImage(t *testing.T, s *stack, ref string) {
	t.Helper()
	if _, err := s.docker.ImageRemove(context.Background(), ref, image.RemoveOptions{}); err != nil && !strings.Contains(err.Error(), "No such image") {
		t.Errorf("removing %s: %v", ref, err)
	}
}

// TestPush pushes a service's image to a registry on the loopback
// interface and finds it there; a second service's registry is
// unreachable, which fails push unless --ignore-push-failures.
func TestPush(t *testing.T) {
	s := newStack(t)
	reg := enginetest.StartRegistry(t)
	repo := "berth-test/push-" + s.name
	good, bad := reg.Host+"/"+repo+":1", "127.0.0.1:1/"+repo+":1"
	extra := reg.Host + "/" + repo + ":extra"
	s.write(`
services:
  good:
    build: {context: ./good, tags: ["` + extra + `"]}
    image: ` + good + `
  bad:
    build: ./bad
    image: ` + bad + `
  pulled:
    image: IMAGE
  local:
    build: ./good
`)
	writeModes(t, s.dir, map[string]string{"good/Dockerfile": "FROM scratch\n", "bad/Dockerfile": "FROM scratch\n"}, nil)
	for _, ref := range []string{good, bad, extra} {
		if err := s.docker.ImageTag(context.Background(), s.image, ref); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { removeImage(t, s, ref) })
	}

	out := s.ok(nil, "--dry-run", "push")
	if !strings.Contains(out, "push "+good+" for good") || !strings.Contains(out, "push "+extra) || strings.Contains(out, "pulled") || strings.Contains(out, "local") {
		t.Fatalf("push --dry-run:\n%s", out)
	}
	if reg.Has(repo, "1") {
		t.Fatal("--dry-run pushed")
	}
	code, out, errOut := s.berth(nil, "push", "good")
	if code != 0 || !strings.Contains(out, "good | ") || !strings.Contains(errOut, "Pushed "+good) {
		t.Fatalf("push good: exit %d\n%s%s", code, out, errOut)
	}
	if !reg.Has(repo, "1") || !reg.Has(repo, "extra") {
		t.Fatal("the registry has no image after push")
	}
	if code, out, errOut := s.berth(nil, "push", "-q", "good"); code != 0 || out != "" {
		t.Fatalf("push -q: exit %d, printed %q\n%s", code, out, errOut)
	}
	code, _, errOut = s.berth(nil, "push")
	if code != 1 || !strings.Contains(errOut, `service "bad"`) || !strings.Contains(errOut, bad) {
		t.Fatalf("push to an unreachable registry: exit %d\n%s", code, errOut)
	}
	code, _, errOut = s.berth(nil, "push", "--ignore-push-failures")
	if code != 0 || !strings.Contains(errOut, "warning") || !strings.Contains(errOut, bad) {
		t.Fatalf("push --ignore-push-failures: exit %d\n%s", code, errOut)
	}
	s.fails(1, []string{`no such service: "nosuch"`}, "push", "nosuch")
}

// berthTTY runs berth with a terminal as its standard output and returns
// its exit code and error output.
func (s *stack) berthTTY(args ...string) (int, string) {
	s.t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		s.t.Fatalf("opening a terminal: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	go func() { _, _ = io.Copy(io.Discard, ptmx) }()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, berthBin, append([]string{"-p", s.name}, args...)...)
	cmd.Dir, cmd.Env, cmd.Stdout = s.dir, s.environ, tty
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	return exitCode(s.t, cmd.Run()), errOut.String()
}
