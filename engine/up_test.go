package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/planner"
)

// imagesCompose: a, b and c build from their own directories, d builds
// exactly as a does, e pulls, and web needs them all.
const imagesCompose = `
services:
  a: {build: ./a}
  b: {build: ./b}
  c: {build: ./c}
  d: {build: ./a}
  e: {image: example/e:1}
  web:
    image: example/web:1
    depends_on: [a, b, c, d, e]
`

// receive waits for n builds or pulls to begin, failing the test if they do
// not within the deadline.
func receive(t *testing.T, started <-chan string, n int) []string {
	t.Helper()
	var got []string
	deadline := time.After(10 * time.Second)
	for len(got) < n {
		select {
		case k := <-started:
			got = append(got, k)
		case <-deadline:
			t.Fatalf("only %v began, want %d", got, n)
		}
	}
	return got
}

// TestUpBuildsAndPullsInParallelOnce: a cold up builds and pulls in
// parallel, all before any container is created; d, which has a's build
// section, is built once with a and tagged; every event is timestamped and
// the build's output arrives as Progress events of its action.
func TestUpBuildsAndPullsInParallelOnce(t *testing.T) {
	p := loadProject(t, imagesCompose, "a", "b", "c")
	f := newFakeBackend()
	f.images["example/web:1"] = "sha256:web"
	f.gate, f.started = make(chan struct{}), make(chan string)
	log := &eventLog{}
	done := make(chan error, 1)
	go func() {
		_, err := Up(context.Background(), f, p, UpOptions{}, log)
		done <- err
	}()
	began := receive(t, f.started, 4)
	slices.Sort(began)
	if want := []string{"build image:shop-a", "build image:shop-b", "build image:shop-c", "pull image:example/e:1"}; !slices.Equal(began, want) {
		t.Errorf("began %v, want %v", began, want)
	}
	if got := f.called(planner.CreateContainer); len(got) > 0 {
		t.Errorf("containers created while images were being got: %v", got)
	}
	close(f.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if f.most != 4 {
		t.Errorf("at most %d builds and pulls at once, want 4", f.most)
	}
	if f.images["shop-d"] == "" || f.images["shop-d"] != f.images["shop-a"] {
		t.Errorf("d was not tagged from a's build: %v", f.images)
	}
	if got := f.called(planner.BuildImage); len(got) != 3 {
		t.Errorf("builds %v, want 3 (d shares a's)", got)
	}
	if got := f.called(planner.StartContainer); len(got) != 6 {
		t.Errorf("starts %v, want 6", got)
	}
	if f.observes != 1 {
		t.Errorf("%d observations for a cold up, want 1", f.observes)
	}
	progress := 0
	for _, e := range log.all() {
		if e.Time.IsZero() {
			t.Errorf("event without a time: %+v", e)
		}
		if e.Status == Progress {
			progress++
			if e.Text != "working on "+e.Action.Resource.Service {
				t.Errorf("progress %q under %s", e.Text, e.Action.Resource)
			}
		}
	}
	if progress != 4 {
		t.Errorf("%d progress events, want 4", progress)
	}
}

// TestUpParallelBoundsImages: with Parallel 2 no more than two builds and
// pulls are under way at once.
func TestUpParallelBoundsImages(t *testing.T) {
	p := loadProject(t, imagesCompose, "a", "b", "c")
	f := newFakeBackend()
	f.images["example/web:1"] = "sha256:web"
	f.gate, f.started = make(chan struct{}), make(chan string)
	done := make(chan error, 1)
	go func() {
		_, err := Up(context.Background(), f, p, UpOptions{Parallel: 2}, nil)
		done <- err
	}()
	for range 4 {
		receive(t, f.started, 1)
		f.gate <- struct{}{}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if f.most > 2 {
		t.Errorf("%d ran at once with Parallel 2", f.most)
	}
}

// TestUpFailedBuildCreatesNothing: a failed build is the error, naming the
// service's image, and no container is created, not even of services that
// need no build.
func TestUpFailedBuildCreatesNothing(t *testing.T) {
	p := loadProject(t, imagesCompose, "a", "b", "c")
	f := newFakeBackend()
	f.images["example/web:1"] = "sha256:web"
	f.fail["build image:shop-b"] = errBoom
	_, err := Up(context.Background(), f, p, UpOptions{}, nil)
	if err == nil || !strings.Contains(err.Error(), `service "b": build image shop-b: boom`) {
		t.Fatalf("got %v, want b's build failure", err)
	}
	if got := f.called(planner.CreateContainer); len(got) > 0 {
		t.Errorf("created %v after a failed build", got)
	}
}

// TestUpInterruptedDuringBuildsConverges: Ctrl-C while images build starts
// nothing new, says to run up again, and the next up converges.
func TestUpInterruptedDuringBuildsConverges(t *testing.T) {
	p := loadProject(t, imagesCompose, "a", "b", "c")
	f := newFakeBackend()
	f.images["example/web:1"] = "sha256:web"
	f.gate, f.started = make(chan struct{}), make(chan string)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Up(ctx, f, p, UpOptions{}, nil)
		done <- err
	}()
	receive(t, f.started, 4)
	cancel()
	close(f.gate)
	err := <-done
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "run `berth up` again") {
		t.Fatalf("got %v, want an interruption that says to run up again", err)
	}
	if got := f.called(planner.CreateContainer); len(got) > 0 {
		t.Errorf("created %v after the interruption", got)
	}
	f.started = nil
	if _, err := Up(context.Background(), f, p, UpOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	plan, err := PlanUp(context.Background(), f, p, UpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Empty() {
		t.Errorf("not converged after the second up:\n%s", plan)
	}
}

// TestUpRebuildRecreatesOnlyWhatChanged: up --build on a running project
// builds first and plans the containers again from the images the builds
// produced: an unchanged image recreates nothing, a changed one recreates
// its service only.
func TestUpRebuildRecreatesOnlyWhatChanged(t *testing.T) {
	p := loadProject(t, "services:\n  app: {build: ./app}\n  side: {image: example/side:1}\n", "app")
	f := newFakeBackend()
	f.images["example/side:1"] = "sha256:side"
	f.buildID["shop-app"] = "sha256:app1"
	if _, err := Up(context.Background(), f, p, UpOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	before := f.containers["shop-app-1"].ID

	build := UpOptions{Images: planner.ImageOptions{Build: true}}
	if _, err := Up(context.Background(), f, p, build, nil); err != nil {
		t.Fatal(err)
	}
	if f.containers["shop-app-1"].ID != before {
		t.Error("a build that produced the same image recreated app")
	}

	f.buildID["shop-app"] = "sha256:app2"
	side := f.containers["shop-side-1"].ID
	res, err := Up(context.Background(), f, p, build, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.containers["shop-app-1"].ID == before || f.containers["shop-app-1"].Image != "sha256:app2" {
		t.Errorf("app was not recreated from its new image: %+v", f.containers["shop-app-1"])
	}
	if f.containers["shop-side-1"].ID != side {
		t.Error("side was recreated by app's rebuild")
	}
	if !strings.Contains(res.Plan.String(), "(image changed)") {
		t.Errorf("the plan carried out does not say why:\n%s", res.Plan)
	}
}

// TestUpDryRunChangesNothing: a dry run plans the builds and the creates
// that depend on them, and calls nothing.
func TestUpDryRunChangesNothing(t *testing.T) {
	p := loadProject(t, "services:\n  app: {build: ./app}\n", "app")
	f := newFakeBackend()
	res, err := Up(context.Background(), f, p, UpOptions{DryRun: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.calls) > 0 {
		t.Errorf("a dry run called %v", f.calls)
	}
	want := "1 create-network network:default (missing)\n2 build image:shop-app (missing)\n" +
		"3 create service:app:1 (missing) after 1,2\n4 start service:app:1 (missing) after 3\n"
	if got := res.Plan.String(); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

// TestDownStopsDependentsFirst: down stops web before the db it depends on
// and removes the network last.
func TestDownStopsDependentsFirst(t *testing.T) {
	p := loadProject(t, "services:\n  db: {image: db:1}\n  web: {image: web:1, depends_on: [db]}\n")
	f := newFakeBackend()
	f.images["db:1"], f.images["web:1"] = "sha256:db", "sha256:web"
	if _, err := Up(context.Background(), f, p, UpOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	f.calls = nil
	if _, err := Down(context.Background(), f, p, DownOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	stops := f.called(planner.StopContainer)
	if !slices.Equal(stops, []string{"stop service:web:1", "stop service:db:1"}) {
		t.Errorf("stops %v, want web then db", stops)
	}
	if len(f.containers) != 0 {
		t.Errorf("left %v", f.containers)
	}
}
