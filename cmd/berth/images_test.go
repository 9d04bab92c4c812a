package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// fakeImages is a hand-written imageGetter: each Build or Pull announces
// itself on started and waits until release lets it finish, so a test can
// see which run at the same time.
type fakeImages struct {
	started chan string
	release chan struct{}
	fail    map[string]error

	mu       sync.Mutex
	running  int
	most     int
	builds   []string
	tags     []string
	finished []string
}

func newFakeImages() *fakeImages {
	return &fakeImages{started: make(chan string), release: make(chan struct{}), fail: map[string]error{}}
}

func (f *fakeImages) run(ctx context.Context, svc string, log func(string)) error {
	f.mu.Lock()
	f.running++
	f.most = max(f.most, f.running)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running--
		f.finished = append(f.finished, svc)
		f.mu.Unlock()
	}()
	log("working on " + svc)
	select {
	case f.started <- svc:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-f.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return f.fail[svc]
}

func (f *fakeImages) Build(ctx context.Context, _ *project.Project, svc string, _ engine.BuildOptions, log func(string)) (string, error) {
	f.mu.Lock()
	f.builds = append(f.builds, svc)
	f.mu.Unlock()
	if err := f.run(ctx, svc, log); err != nil {
		return "", err
	}
	return "sha256:" + svc, nil
}

func (f *fakeImages) Tag(_ context.Context, id, ref string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tags = append(f.tags, id+" "+ref)
	return nil
}

func (f *fakeImages) Pull(ctx context.Context, svc, _ string, log func(string)) error {
	return f.run(ctx, svc, log)
}

// imagesProject loads a project whose services a, b and c build from
// their own directories, d builds exactly as a does, and e pulls.
func imagesProject(t *testing.T) (*project.Project, []planner.ImageStep) {
	t.Helper()
	dir := t.TempDir()
	compose := `
services:
  a: {build: ./a}
  b: {build: ./b}
  c: {build: ./c}
  d: {build: ./a}
  e: {image: example/e:1}
`
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(context.Background(), project.Options{WorkDir: dir, ProjectName: "images", Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	var steps []planner.ImageStep
	for _, svc := range []string{"a", "b", "c", "d"} {
		steps = append(steps, planner.ImageStep{Service: svc, Build: true, Ref: "images-" + svc, Why: "missing"})
	}
	steps = append(steps, planner.ImageStep{Service: "e", Ref: "example/e:1", Why: "missing"})
	return p, steps
}

// receive waits for n operations to start, failing the test if they do not
// within the deadline.
func (f *fakeImages) receive(t *testing.T, n int) []string {
	t.Helper()
	var got []string
	deadline := time.After(10 * time.Second)
	for len(got) < n {
		select {
		case svc := <-f.started:
			got = append(got, svc)
		case <-deadline:
			t.Fatalf("only %v started at once, want %d", got, n)
		}
	}
	return got
}

// TestGetImagesRunsInParallel: without a bound, every build and pull is
// under way before any finishes (a, b, c and e: d is a's build, tagged
// afterwards), and each line of output names its service.
func TestGetImagesRunsInParallel(t *testing.T) {
	p, steps := imagesProject(t)
	f := newFakeImages()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- getImages(context.Background(), &out, f, p, steps, engine.BuildOptions{}, 0, false) }()

	started := f.receive(t, 4)
	slices.Sort(started)
	if !slices.Equal(started, []string{"a", "b", "c", "e"}) {
		t.Errorf("started %v, want a, b, c and e", started)
	}
	close(f.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if f.most != 4 {
		t.Errorf("at most %d ran at once, want 4", f.most)
	}
	if slices.Contains(f.builds, "d") || !slices.Equal(f.tags, []string{"sha256:a images-d"}) {
		t.Errorf("builds %v, tags %v: d has a's build section and must be tagged from a's image", f.builds, f.tags)
	}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		svc, _, ok := strings.Cut(line, " | ")
		if !ok || !slices.Contains([]string{"a", "b", "c", "d", "e"}, svc) {
			t.Errorf("line %q does not start with a service", line)
		}
	}
	for _, svc := range []string{"a", "b", "c", "e"} {
		if !strings.Contains(out.String(), svc+" | working on "+svc+"\n") {
			t.Errorf("%s's output is not under its name:\n%s", svc, out.String())
		}
	}
	if !strings.Contains(out.String(), "d | tagged images-d: the same build as a") {
		t.Errorf("output does not say d was tagged:\n%s", out.String())
	}
}

// TestGetImagesHonoursParallel: with --parallel 2, a third operation starts
// only once one of the first two has finished.
func TestGetImagesHonoursParallel(t *testing.T) {
	p, steps := imagesProject(t)
	f := newFakeImages()
	f.release = make(chan struct{}, len(steps)) // one token lets one finish
	done := make(chan error, 1)
	go func() {
		done <- getImages(context.Background(), &bytes.Buffer{}, f, p, steps, engine.BuildOptions{}, 2, false)
	}()
	for finished := 0; finished < 4; finished++ {
		// two are under way (or the last ones): let one finish, after
		// giving any operation started beyond the bound the chance to
		// show itself
		f.receive(t, 1)
		for range 100 {
			runtime.Gosched()
		}
		f.release <- struct{}{}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if f.most > 2 {
		t.Errorf("%d ran at once with --parallel 2", f.most)
	}
}

// TestGetImagesStopsAtAFailure: a failed build is the error, and the
// operations not yet started are not started.
func TestGetImagesStopsAtAFailure(t *testing.T) {
	p, steps := imagesProject(t)
	f := newFakeImages()
	f.fail["a"] = errors.New(`service "a": build failed: boom`)
	f.release = make(chan struct{}, len(steps))
	done := make(chan error, 1)
	go func() {
		done <- getImages(context.Background(), &bytes.Buffer{}, f, p, steps, engine.BuildOptions{}, 1, false)
	}()
	if got := f.receive(t, 1); got[0] != "a" {
		t.Fatalf("first started %v, want a", got)
	}
	f.release <- struct{}{}
	if err := <-done; err == nil || !strings.Contains(err.Error(), `service "a": build failed`) {
		t.Fatalf("got %v, want a's build failure", err)
	}
	if !slices.Equal(f.builds, []string{"a"}) {
		t.Errorf("after a failed, %v were built", f.builds)
	}
}
