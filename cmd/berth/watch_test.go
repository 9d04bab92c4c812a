package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/enginetest"
)

// watching runs `berth watch` on the stack until the test ends, and waits
// until it watches. Its stderr lines are sent on the returned channel.
func (s *stack) watching(args ...string) <-chan string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	cmd := exec.CommandContext(ctx, berthBin, append([]string{"-p", s.name, "--progress", "plain", "watch"}, args...)...)
	cmd.Dir = s.dir
	cmd.Env = s.environ
	lines := stderrLines(s.t, cmd)
	s.t.Cleanup(func() {
		// Ctrl-C stops watching cleanly
		_ = cmd.Process.Signal(syscall.SIGINT)
		if err := cmd.Wait(); err != nil && ctx.Err() == nil {
			s.t.Errorf("berth watch after Ctrl-C: %v", err)
		}
		cancel()
	})
	s.waitLine(lines, "Watching ")
	return lines
}

// waitLine waits for a line containing text, failing after a deadline.
func (s *stack) waitLine(lines <-chan string, text string) string {
	s.t.Helper()
	deadline := time.After(4 * time.Minute) // the example stack builds its Go services first, cold in CI
	var seen []string
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				s.t.Fatalf("berth watch ended before %q:\n%s", text, strings.Join(seen, "\n"))
			}
			seen = append(seen, l)
			if strings.Contains(l, text) {
				return l
			}
		case <-deadline:
			s.t.Fatalf("no %q from berth watch:\n%s", text, strings.Join(seen, "\n"))
		}
	}
}

// served polls the container's /file endpoint until it serves want.
func (s *stack) served(ctr, path, want string) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := s.get(ctr, "/file?path="+path)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s serves %q for %s, want %q", ctr, got, path, want)
		}
		time.Sleep(20 * time.Millisecond) // a poll with a deadline: the container has no event for a file's arrival
	}
}

// TestWatchSync: berth watch brings the service up and syncs what changes
// under the rule's path — an edit, a file in a new directory, 1,000 files
// written at once — into the running container; ignored files stay out; a
// container recreated by another `up` gets the files again; Ctrl-C leaves
// the container running.
func TestWatchSync(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  app:
    image: IMAGE
    ports: ["127.0.0.1::8080"]
    develop:
      watch:
        - path: ./data
          action: sync
          target: /data
          ignore: ["*.log"]
`)
	writeFile(t, filepath.Join(s.dir, "data", "a.txt"), "one")
	lines := s.watching()
	app := s.container("app", 1)

	writeFile(t, filepath.Join(s.dir, "data", "a.txt"), "two")
	s.served(app, "/data/a.txt", "two")
	s.waitLine(lines, "app: sync 1 file (a.txt) into 1 container(s)")

	writeFile(t, filepath.Join(s.dir, "data", "new", "deep", "b.txt"), "bee")
	s.served(app, "/data/new/deep/b.txt", "bee")

	writeFile(t, filepath.Join(s.dir, "data", "debug.log"), "noise")
	for i := range 1000 {
		writeFile(t, filepath.Join(s.dir, "data", "many", fmt.Sprintf("f%04d.txt", i)), fmt.Sprint(i))
	}
	start := time.Now()
	for _, i := range []int{0, 1, 499, 998, 999} {
		s.served(app, fmt.Sprintf("/data/many/f%04d.txt", i), fmt.Sprint(i))
	}
	t.Logf("1,000 files written at once served in %s", time.Since(start).Round(time.Millisecond))
	if got := s.get(app, "/file?path=/data/debug.log"); strings.Contains(got, "noise") {
		t.Error("an ignored file was synced")
	}

	// a container recreated by another berth gets everything synced again
	before := s.ps()[app].ID
	s.ok(nil, "up", "-d", "--force-recreate")
	if s.ps()[app].ID == before {
		t.Fatal("up --force-recreate did not recreate app")
	}
	s.waitLine(lines, "app: re-synced")
	s.served(app, "/data/a.txt", "two")
	s.served(app, "/data/many/f0999.txt", "999")
}

// TestWatchRebuildAndRestart: an edit under a rebuild rule builds the
// service's image again and recreates only its container, restarts the
// services that declared restart: true on it, and with --prune removes the
// image it replaced; a failed build is reported and the old container keeps
// running; an edit under a restart rule restarts the service's container;
// sync+exec runs its command after the sync.
func TestWatchRebuildAndRestart(t *testing.T) {
	s := newStack(t)
	t.Cleanup(s.removeBuiltImages)
	writeFile(t, filepath.Join(s.dir, "web", "Dockerfile"), "FROM "+s.image+"\nLABEL berth.test.gen=1\nCOPY page.txt /page.txt\n")
	writeFile(t, filepath.Join(s.dir, "web", "page.txt"), "v1")
	writeFile(t, filepath.Join(s.dir, "conf", "app.conf"), "x")
	s.write(`
services:
  web:
    build: ./web
    ports: ["127.0.0.1::8080"]
    develop:
      watch:
        - {path: ./web, action: rebuild}
  side:
    image: IMAGE
    develop:
      watch:
        - {path: ./conf, action: restart}
        - {path: ./hook, action: sync+exec, target: /hook, exec: {command: [/app, write, /hook/done, ran]}}
  dep:
    image: IMAGE
    depends_on:
      web: {condition: service_started, restart: true}
`)
	writeFile(t, filepath.Join(s.dir, "hook", "x"), "x")
	lines := s.watching("--prune")
	web, side, dep := s.container("web", 1), s.container("side", 1), s.container("dep", 1)
	s.served(web, "/page.txt", "v1")
	before := s.ps()
	oldImage := s.inspect(web).Image
	depStarted := s.inspect(dep).State.StartedAt

	writeFile(t, filepath.Join(s.dir, "web", "page.txt"), "v2")
	// --prune: the image the rebuild replaced is removed
	s.waitLine(lines, "web: removed the image the rebuild replaced")
	s.waitLine(lines, "web: rebuild 1 file (page.txt)")
	s.served(web, "/page.txt", "v2")
	after := s.ps()
	if after[web].ID == before[web].ID || after[side].ID != before[side].ID {
		t.Errorf("a rebuild of web: web replaced %v, side replaced %v", after[web].ID != before[web].ID, after[side].ID != before[side].ID)
	}
	if _, err := s.docker.ImageInspect(context.Background(), oldImage); err == nil {
		t.Errorf("the replaced image %s is still there after --prune", oldImage)
	}
	// dep declared restart: true on web
	if after[dep].ID != before[dep].ID || s.inspect(dep).State.StartedAt == depStarted {
		t.Error("dep, which depends on web with restart: true, was not restarted (or was recreated)")
	}

	// a failed build is reported, and the old container keeps running
	writeFile(t, filepath.Join(s.dir, "web", "Dockerfile"), "FROM "+s.image+"\nLABEL berth.test.gen=1\nCOPY missing-file /x\n")
	s.waitLine(lines, "web: rebuild 1 file (Dockerfile) failed")
	s.served(web, "/page.txt", "v2")
	if s.ps()[web].ID != after[web].ID {
		t.Error("a failed build replaced web")
	}

	// sync+exec runs the command in the container after the sync
	writeFile(t, filepath.Join(s.dir, "hook", "x"), "y")
	s.waitLine(lines, "side: sync+exec 1 file (x)")
	if code, out := enginetest.Exec(t, s.docker, side, "/app", "cat", "/hook/done"); code != 0 || out != "ran" {
		t.Errorf("sync+exec's command did not run: %d %q", code, out)
	}

	started := s.inspect(side).State.StartedAt
	writeFile(t, filepath.Join(s.dir, "conf", "app.conf"), "y")
	s.waitLine(lines, "side: restart 1 file (app.conf)")
	if now := s.inspect(side).State.StartedAt; now == started {
		t.Error("side was not restarted")
	}
	if _, err := os.Stat(filepath.Join(s.dir, "web", "page.txt")); err != nil {
		t.Fatal(err)
	}
}

// writeFile writes text to path, making its directory.
func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestWatchReloadsComposeFile: an edit of the compose file is applied
// through the plan while watch runs, new develop.watch rules included; a
// file that no longer loads is reported and the loop goes on with the last
// good project.
func TestWatchReloadsComposeFile(t *testing.T) {
	s := newStack(t)
	compose := `
services:
  app:
    image: IMAGE
    ports: ["127.0.0.1::8080"]
    environment: {GEN: "GENERATION"}
    develop:
      watch:
        - {path: ./data, action: sync, target: /data}
`
	s.write(strings.Replace(compose, "GENERATION", "1", 1))
	writeFile(t, filepath.Join(s.dir, "data", "a.txt"), "one")
	lines := s.watching()
	app := s.container("app", 1)
	if got := s.get(app, "/env/GEN"); got != "1" {
		t.Fatalf("GEN = %q before the edit", got)
	}

	// while the file does not load, `ps` cannot find the port either
	base := s.url(app)
	s.write("services: [this is not a compose file")
	s.waitLine(lines, "does not load, so berth watch keeps the last one that did")
	writeFile(t, filepath.Join(s.dir, "data", "a.txt"), "two")
	deadline := time.Now().Add(30 * time.Second)
	for fetch(base+"file?path=/data/a.txt") != "two" {
		if time.Now().After(deadline) {
			t.Fatal("a sync stopped working while the compose file did not load")
		}
		time.Sleep(20 * time.Millisecond) // a poll with a deadline
	}

	s.write(strings.Replace(compose, "GENERATION", "2", 1))
	s.waitLine(lines, "compose.yaml changed: ")
	deadline = time.Now().Add(30 * time.Second)
	for s.get(app, "/env/GEN") != "2" {
		if time.Now().After(deadline) {
			t.Fatal("the edit of the compose file was not applied")
		}
		time.Sleep(20 * time.Millisecond) // a poll with a deadline
	}
	s.waitLine(lines, "app: re-synced")
	s.served(app, "/data/a.txt", "two")

	// a new develop.watch rule is watched without restarting watch
	writeFile(t, filepath.Join(s.dir, "more", "m.txt"), "m1")
	s.write(strings.Replace(compose, "GENERATION", "2", 1) + "        - {path: ./more, action: sync, target: /more}\n")
	s.waitLine(lines, "develop.watch changed: watching 2 rule(s) now")
	writeFile(t, filepath.Join(s.dir, "more", "m.txt"), "m2")
	s.served(app, "/more/m.txt", "m2")
}

// fetch is the body of GET url, or "" when it fails.
func fetch(url string) string {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestUpWatch: `up --watch` follows the services' output and runs the
// watch loop beside it; Ctrl-C stops both, and the containers, as an
// attached `up` does.
func TestUpWatch(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  app:
    image: IMAGE
    ports: ["127.0.0.1::8080"]
    develop:
      watch:
        - {path: ./data, action: sync, target: /data}
`)
	writeFile(t, filepath.Join(s.dir, "data", "a.txt"), "one")
	if code, _, errOut := s.berth(nil, "up", "-d", "--watch"); code != 2 || !strings.Contains(errOut, "--watch and -d") {
		t.Fatalf("up -d --watch: exit %d\n%s", code, errOut)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, berthBin, "-p", s.name, "--progress", "plain", "up", "--watch")
	cmd.Dir = s.dir
	cmd.Env = s.environ
	lines := stderrLines(t, cmd)
	s.waitLine(lines, "Watching ")
	app := s.container("app", 1)
	writeFile(t, filepath.Join(s.dir, "data", "a.txt"), "two")
	s.served(app, "/data/a.txt", "two")
	s.waitLine(lines, "app: sync 1 file (a.txt)")

	_ = cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if code := exitCode(t, err); code != 130 {
		t.Errorf("up --watch after Ctrl-C: exit %d, want 130", code)
	}
	if row := s.ps()[app]; row.State == "running" {
		t.Errorf("%s still running after Ctrl-C of up --watch", app)
	}
}

// TestWatchDeletes: a file deleted on the host is deleted in the container,
// in an image that has `rm` (the seeded busybox); 1,000 files written at
// once all arrive.
func TestWatchDeletes(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  box:
    image: busybox:latest
    command: [sleep, "3600"]
    stop_grace_period: 1s
    develop:
      watch:
        - {path: ./data, action: sync, target: /data}
`)
	writeFile(t, filepath.Join(s.dir, "data", "keep.txt"), "keep")
	writeFile(t, filepath.Join(s.dir, "data", "gone.txt"), "gone")
	lines := s.watching()
	box := s.container("box", 1)
	exists := func(path string) bool {
		code, _ := enginetest.Exec(t, s.docker, box, "test", "-e", path)
		return code == 0
	}
	writeFile(t, filepath.Join(s.dir, "data", "gone.txt"), "still here")
	s.waitLine(lines, "box: sync 1 file (gone.txt)")
	if !exists("/data/gone.txt") {
		t.Fatal("gone.txt was not synced")
	}
	if err := os.Remove(filepath.Join(s.dir, "data", "gone.txt")); err != nil {
		t.Fatal(err)
	}
	s.waitLine(lines, "box: sync 1 file (gone.txt)")
	if exists("/data/gone.txt") {
		t.Error("a file deleted on the host is still in the container")
	}

	// 1,000 files written at once: every one arrives
	for i := range 1000 {
		writeFile(t, filepath.Join(s.dir, "data", "many", fmt.Sprintf("f%04d.txt", i)), fmt.Sprint(i))
	}
	deadline := time.Now().Add(time.Minute)
	for {
		_, out := enginetest.Exec(t, s.docker, box, "sh", "-c", "ls /data/many | wc -l")
		if strings.TrimSpace(out) == "1000" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s of 1,000 files arrived", strings.TrimSpace(out))
		}
		time.Sleep(50 * time.Millisecond) // a poll with a deadline
	}
}
