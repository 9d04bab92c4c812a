package engine

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/planner"
)

// sessionFake is the fake backend with containers `ps` lists, commands
// that record where they ran, an attacher and a waiter whose containers
// stop when the test says.
type sessionFake struct {
	*fakeBackend
	mu      sync.Mutex
	execIn  []string // the containers Exec ran in
	stopped map[string]chan int
}

func newSessionFake(cs ...planner.Container) *sessionFake {
	f := &sessionFake{fakeBackend: newFakeBackend(), stopped: map[string]chan int{}}
	for _, c := range cs {
		f.containers[c.Name] = c
		f.stopped[c.ID] = make(chan int, 1)
	}
	return f
}

func (f *sessionFake) List(context.Context, string, bool) ([]ContainerInfo, error) {
	f.fakeBackend.mu.Lock()
	defer f.fakeBackend.mu.Unlock()
	var out []ContainerInfo
	for _, c := range f.containers {
		out = append(out, ContainerInfo{ID: c.ID, Name: c.Name, Service: c.Service, Number: c.Number, State: c.State})
	}
	return out, nil
}

func (f *sessionFake) ServiceContainers(_ context.Context, _, service string, _, runningOnly bool) ([]ServiceContainer, error) {
	f.fakeBackend.mu.Lock()
	defer f.fakeBackend.mu.Unlock()
	var out []ServiceContainer
	for _, c := range f.containers {
		if c.Service == service && (!runningOnly || c.State == "running") {
			out = append(out, ServiceContainer{ID: c.ID, Name: c.Name, Number: c.Number, State: c.State})
		}
	}
	slices.SortFunc(out, func(a, b ServiceContainer) int { return a.Number - b.Number })
	return out, nil
}

func (f *sessionFake) Exec(_ context.Context, ctr string, spec ExecSpec) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.execIn = append(f.execIn, ctr)
	return len(spec.Cmd), nil
}

func (f *sessionFake) Attach(_ context.Context, ctr string, spec AttachSpec) (AttachResult, error) {
	if _, err := io.Copy(spec.Stdout, spec.Stdin); errors.Is(err, ErrDetached) {
		return AttachResult{Detached: true}, nil
	}
	return AttachResult{ExitCode: <-f.stopped[ctr]}, nil
}

func (f *sessionFake) WaitStopped(ctx context.Context, ctr string) (int, error) {
	select {
	case code := <-f.stopped[ctr]:
		return code, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

const sessionCompose = `
services:
  web: {image: web, scale: 3}
  db: {image: db}
  job: {image: job}
`

func running(service string, n int, id string) planner.Container {
	return planner.Container{ID: id, Name: "shop-" + service + "-" + string(rune('0'+n)), Service: service, Number: n, State: "running"}
}

func TestExecChoosesTheContainer(t *testing.T) {
	stoppedWeb := running("web", 1, "w1")
	stoppedWeb.State = "exited"
	f := newSessionFake(stoppedWeb, running("web", 3, "w3"), running("web", 2, "w2"), running("db", 1, "d1"))
	for _, tc := range []struct {
		service string
		index   int
		want    string // container name, or the error's text
	}{
		{"web", 0, "shop-web-2"}, // the lowest-numbered running one
		{"web", 3, "shop-web-3"},
		{"db", 0, "shop-db-1"},
		{"web", 1, `service "web" has no running container #1 (its running containers are #2, #3)`},
		{"web", 7, `service "web" has no running container #7`},
		{"job", 0, `service "job" has no running container`},
	} {
		f.execIn = nil
		code, err := Exec(context.Background(), f, "shop", ExecOptions{Service: tc.service, Index: tc.index, Spec: ExecSpec{Cmd: []string{"a", "b"}}})
		switch {
		case err != nil:
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("exec %s #%d: %v, want %q", tc.service, tc.index, err, tc.want)
			}
			if len(f.execIn) != 0 {
				t.Errorf("exec %s #%d failed yet ran in %v", tc.service, tc.index, f.execIn)
			}
		case len(f.execIn) != 1 || f.execIn[0] != tc.want || code != 2:
			t.Errorf("exec %s #%d ran in %v (exit %d), want %s (exit 2)", tc.service, tc.index, f.execIn, code, tc.want)
		}
	}
}

func TestAttachEndsOnTheDetachKeys(t *testing.T) {
	f := newSessionFake(running("db", 1, "d1"))
	var out strings.Builder
	res, err := Attach(context.Background(), f, f, "shop", AttachOptions{Service: "db", DetachKeys: "ctrl-a,d",
		Spec: AttachSpec{Stdin: strings.NewReader("ls\n\x01x\x01d never"), Stdout: &out}})
	if err != nil || !res.Detached {
		t.Fatalf("attach: %+v, %v; want detached", res, err)
	}
	if out.String() != "ls\n\x01x" {
		t.Errorf("the container got %q, want the input before the detach keys", out.String())
	}

	f.stopped["d1"] <- 3
	res, err = Attach(context.Background(), f, f, "shop", AttachOptions{Service: "db", Spec: AttachSpec{Stdin: strings.NewReader("ok"), Stdout: io.Discard}})
	if err != nil || res.Detached || res.ExitCode != 3 {
		t.Errorf("attach to a container exiting 3: %+v, %v", res, err)
	}
	if _, err := Attach(context.Background(), f, f, "shop", AttachOptions{Service: "db", DetachKeys: "ctrl-"}); err == nil {
		t.Error("attach with detach keys ctrl-: no error")
	}
}

func TestWaitStoppedReturnsTheFirstExit(t *testing.T) {
	f := newSessionFake(running("web", 1, "w1"), running("db", 1, "d1"), running("job", 1, "j1"))
	var mu sync.Mutex
	var exits []string
	log := &eventLog{}
	done := make(chan struct{})
	var first ContainerExit
	var err error
	go func() {
		defer close(done)
		first, err = WaitStopped(context.Background(), f, f, "shop", WaitStoppedOptions{
			Services: []string{"web", "db"},
			Exited:   func(e ContainerExit) { mu.Lock(); exits = append(exits, e.Name); mu.Unlock() },
		}, log)
	}()
	f.stopped["d1"] <- 4
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(exits) == 1 })
	f.stopped["w1"] <- 0
	<-done
	if err != nil || first.Name != "shop-db-1" || first.ExitCode != 4 {
		t.Fatalf("first exit: %+v, %v; want shop-db-1 with 4", first, err)
	}
	if len(exits) != 2 || exits[0] != "shop-db-1" || exits[1] != "shop-web-1" {
		t.Errorf("exits reported: %v", exits)
	}
	if evs := log.all(); len(evs) != 1 || evs[0].Status != Info || !strings.Contains(evs[0].Text, "shop-db-1") || strings.Contains(evs[0].Text, "job") {
		t.Errorf("events: %+v, want one saying which containers are waited for", evs)
	}
	if len(f.called(planner.RemoveContainer)) != 0 {
		t.Errorf("wait without --down-project removed %v", f.called(planner.RemoveContainer))
	}
}

func TestWaitStoppedDownProject(t *testing.T) {
	p := loadProject(t, sessionCompose)
	f := newSessionFake(running("web", 1, "w1"), running("db", 1, "d1"))
	f.stopped["w1"] <- 9 // db never stops by itself
	first, err := WaitStopped(context.Background(), f, f, "shop", WaitStoppedOptions{DownProject: true, Project: p}, nil)
	if err != nil || first.Name != "shop-web-1" || first.ExitCode != 9 {
		t.Fatalf("wait --down-project: %+v, %v", first, err)
	}
	if removed := f.called(planner.RemoveContainer); len(removed) != 2 {
		t.Errorf("down after the first exit removed %v, want both containers", removed)
	}
}

func TestWaitStoppedBadInput(t *testing.T) {
	f := newSessionFake(running("web", 1, "w1"))
	for _, tc := range []struct {
		services []string
		want     string
	}{
		{[]string{"db", "job"}, "no running container for service db, job"},
	} {
		if _, err := WaitStopped(context.Background(), f, f, "shop", WaitStoppedOptions{Services: tc.services}, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("wait %v: %v, want %q", tc.services, err, tc.want)
		}
	}
	empty := newSessionFake()
	if _, err := WaitStopped(context.Background(), empty, empty, "shop", WaitStoppedOptions{}, nil); err == nil || !strings.Contains(err.Error(), `project "shop" has no running container`) {
		t.Errorf("wait with nothing running: %v", err)
	}
	if _, err := WaitStopped(context.Background(), f, f, "shop", WaitStoppedOptions{DownProject: true}, nil); err == nil || !strings.Contains(err.Error(), "needs its compose file") {
		t.Errorf("wait --down-project without the project: %v", err)
	}
}

func TestDetachKeys(t *testing.T) {
	for _, tc := range []struct {
		keys string
		want string
	}{
		{"", "\x10\x11"},
		{"ctrl-a,d", "\x01d"},
		{"ctrl-@,ctrl-_,ctrl-[", "\x00\x1f\x1b"},
		{"CTRL-X, q", "\x18q"},
	} {
		got, err := ParseDetachKeys(tc.keys)
		if err != nil || string(got) != tc.want {
			t.Errorf("ParseDetachKeys(%q) = %q, %v; want %q", tc.keys, got, err, tc.want)
		}
	}
	for _, bad := range []string{"ctrl-", "ctrl-1", "ab", ",", "ctrl-a,"} {
		if _, err := ParseDetachKeys(bad); err == nil {
			t.Errorf("ParseDetachKeys(%q): no error", bad)
		}
	}
	keys := []byte("abc")
	for _, tc := range []struct {
		in, out  string
		detached bool
	}{
		{"xyz", "xyz", false},
		{"xabcy", "x", true},
		{"aabc", "a", true},
		{"ababc", "ab", true},
		{"abx", "abx", false},
		{"ab", "ab", false}, // a partial match at the end is input
		{"abab", "abab", false},
	} {
		// one byte per read, so that matches span reads
		got, err := io.ReadAll(NewDetachReader(&oneByteReader{s: tc.in}, keys))
		if string(got) != tc.out || errors.Is(err, ErrDetached) != tc.detached {
			t.Errorf("%q through the detach reader: %q, %v; want %q (detached %v)", tc.in, got, err, tc.out, tc.detached)
		}
	}
}

// oneByteReader reads a string a byte at a time.
type oneByteReader struct{ s string }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0], r.s = r.s[0], r.s[1:]
	return 1, nil
}

// waitFor polls cond until it holds, failing the test after ten seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
