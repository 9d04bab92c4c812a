package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// fakeBackend is a hand-written Backend: an in-memory engine holding
// containers, networks, volumes and images, whose runtime applies actions
// to that state, records them, and can block or fail chosen ones.
type fakeBackend struct {
	mu         sync.Mutex
	containers map[string]planner.Container // by name
	networks   map[string]bool
	volumes    map[string]bool
	images     map[string]string // ref -> ID
	nextID     int
	observes   int
	calls      []string // "kind resource", in the order Do was entered

	// fail makes the action "kind resource" fail with the error.
	fail map[string]error
	// gate, when set, holds every build and pull until a token arrives;
	// started receives "kind resource" as each begins.
	gate    chan struct{}
	started chan string
	// buildID is the image ID a build of the reference produces
	// (default: a new one each build).
	buildID map[string]string
	running int
	most    int
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{
		containers: map[string]planner.Container{}, networks: map[string]bool{}, volumes: map[string]bool{},
		images: map[string]string{}, fail: map[string]error{}, buildID: map[string]string{},
	}
}

func (f *fakeBackend) Host() string { return "fake" }

func (f *fakeBackend) Observe(_ context.Context, p *project.Project) (*planner.Observed, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.observes++
	obs := &planner.Observed{Project: p.Name(), Containers: map[string][]planner.Container{},
		Networks: map[string]planner.Network{}, Volumes: map[string]planner.Volume{}, Images: map[string]planner.LocalImage{}}
	for _, c := range f.containers {
		obs.Containers[c.Service] = append(obs.Containers[c.Service], c)
	}
	for _, n := range p.Compose.Networks {
		if f.networks[n.Name] {
			h, _ := project.NetworkHash(n)
			obs.Networks[n.Name] = planner.Network{Name: n.Name, ConfigHash: h}
		}
	}
	for ref, id := range f.images {
		obs.Images[ref] = planner.LocalImage{ID: id}
	}
	return obs, nil
}

func (f *fakeBackend) BuildContextDigests(context.Context, *project.Project, []string) map[string]string {
	return nil
}

func (f *fakeBackend) Runtime(p *project.Project, _ RuntimeOptions) Runtime {
	return &fakeBackendRuntime{f: f, p: p}
}

func (f *fakeBackend) List(context.Context, string, bool) ([]ContainerInfo, error) { return nil, nil }
func (f *fakeBackend) EngineTime(context.Context) (time.Time, error)               { return time.Now(), nil }
func (f *fakeBackend) Follow(context.Context, string, FollowOptions, LogSink) error {
	return nil
}
func (f *fakeBackend) Exec(context.Context, string, ExecSpec) (int, error)     { return 0, nil }
func (f *fakeBackend) CopyTo(context.Context, string, string, io.Reader) error { return nil }
func (f *fakeBackend) Events(ctx context.Context, _ string) (<-chan EngineEvent, <-chan error) {
	return make(chan EngineEvent), make(chan error)
}

type fakeBackendRuntime struct {
	f *fakeBackend
	p *project.Project
}

func (r *fakeBackendRuntime) Do(ctx context.Context, a planner.Action, progress func(string)) error {
	f := r.f
	k := a.Kind.String() + " " + a.Resource.String()
	f.mu.Lock()
	f.calls = append(f.calls, k)
	err := f.fail[k]
	f.mu.Unlock()
	if a.Kind == planner.BuildImage || a.Kind == planner.PullImage {
		if err := f.hold(ctx, k); err != nil {
			return err
		}
		progress("working on " + a.Resource.Service)
	}
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch a.Kind {
	case planner.CreateNetwork:
		f.networks[a.Name] = true
	case planner.CreateVolume:
		f.volumes[a.Name] = true
	case planner.BuildImage, planner.PullImage:
		id := f.buildID[a.Image]
		if id == "" {
			f.nextID++
			id = fmt.Sprintf("sha256:%d", f.nextID)
		}
		for _, ref := range append([]string{a.Image}, a.Tags...) {
			f.images[ref] = id
		}
	case planner.CreateContainer:
		if _, taken := f.containers[a.Name]; taken {
			return fmt.Errorf("name %s in use", a.Name)
		}
		s := r.p.Compose.Services[a.Resource.Service]
		h, err := planner.ServiceHash(s)
		if err != nil {
			return err
		}
		f.nextID++
		f.containers[a.Name] = planner.Container{ID: fmt.Sprintf("%064d", f.nextID), Name: a.Name, Service: a.Resource.Service,
			Number: a.Resource.Number, ConfigHash: h, Image: f.images[a.Image], State: "created", Networks: r.networks(s)}
	case planner.StartContainer, planner.RestartContainer:
		c := f.containers[a.Name]
		c.State = "running"
		f.containers[a.Name] = c
	case planner.StopContainer, planner.KillContainer:
		c := f.containers[a.Name]
		c.State = "exited"
		f.containers[a.Name] = c
	case planner.PauseContainer:
		c := f.containers[a.Name]
		c.State = "paused"
		f.containers[a.Name] = c
	case planner.UnpauseContainer:
		c := f.containers[a.Name]
		c.State = "running"
		f.containers[a.Name] = c
	case planner.RemoveContainer:
		delete(f.containers, a.Name)
	case planner.RenameContainer:
		c := f.containers[a.Name]
		delete(f.containers, a.Name)
		c.Name = a.Target
		f.containers[a.Target] = c
	}
	return nil
}

func (r *fakeBackendRuntime) networks(s types.ServiceConfig) []string {
	keys := s.NetworksByPriority()
	if len(keys) == 0 {
		return nil
	}
	return []string{r.p.Compose.Networks[keys[0]].Name}
}

// hold blocks a build or pull until the gate lets it go, counting how many
// are under way at once.
func (f *fakeBackend) hold(ctx context.Context, k string) error {
	f.mu.Lock()
	f.running++
	f.most = max(f.most, f.running)
	gate, started := f.gate, f.started
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running--
		f.mu.Unlock()
	}()
	if started != nil {
		select {
		case started <- k:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// called reports the calls of the kind made, in order.
func (f *fakeBackend) called(kind planner.Kind) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if len(c) > len(kind.String()) && c[:len(kind.String())+1] == kind.String()+" " {
			out = append(out, c)
		}
	}
	return out
}

// loadProject writes compose (and a Dockerfile in each of dirs) to a
// temporary directory and loads it as project "shop".
func loadProject(t *testing.T, compose string, dirs ...string) *project.Project {
	t.Helper()
	dir := t.TempDir()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, d, "Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(context.Background(), project.Options{WorkDir: dir, ProjectName: "shop", Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// eventLog collects events from a Bus subscriber.
type eventLog struct {
	mu     sync.Mutex
	events []Event
}

func (l *eventLog) Event(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) all() []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Event(nil), l.events...)
}

var errBoom = errors.New("boom")
