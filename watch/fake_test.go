package watch

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// fakeBackend is a hand-written engine.Backend for the loop's tests: it
// lists the containers it is given and records what is copied into and
// run in them.
type fakeBackend struct {
	containers []engine.ContainerInfo
	// noRM makes Exec fail as an image without rm does.
	noRM bool

	mu     sync.Mutex
	copied map[string][]string // container -> "path content" entries
	execs  []string            // "container: cmd"
}

func newFakeBackend(cs ...engine.ContainerInfo) *fakeBackend {
	return &fakeBackend{containers: cs, copied: map[string][]string{}}
}

func (f *fakeBackend) Host() string { return "fake" }
func (f *fakeBackend) Observe(context.Context, *project.Project) (*planner.Observed, error) {
	return &planner.Observed{}, nil
}
func (f *fakeBackend) Runtime(*project.Project, engine.RuntimeOptions) engine.Runtime { return nil }
func (f *fakeBackend) BuildContextDigests(context.Context, *project.Project, []string) map[string]string {
	return nil
}
func (f *fakeBackend) List(context.Context, string, bool) ([]engine.ContainerInfo, error) {
	return f.containers, nil
}
func (f *fakeBackend) EngineTime(context.Context) (time.Time, error) { return time.Now(), nil }
func (f *fakeBackend) Follow(context.Context, string, engine.FollowOptions, engine.LogSink) error {
	return nil
}
func (f *fakeBackend) Events(context.Context, string) (<-chan engine.EngineEvent, <-chan error) {
	return make(chan engine.EngineEvent), make(chan error)
}

func (f *fakeBackend) CopyTo(_ context.Context, ctr, dst string, archive io.Reader) error {
	tr := tar.NewReader(archive)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(tr)
		f.mu.Lock()
		f.copied[ctr] = append(f.copied[ctr], dst+h.Name+" "+string(body))
		f.mu.Unlock()
	}
}

func (f *fakeBackend) Exec(_ context.Context, ctr string, spec engine.ExecSpec) (int, error) {
	f.mu.Lock()
	f.execs = append(f.execs, ctr+": "+strings.Join(spec.Cmd, " "))
	f.mu.Unlock()
	if f.noRM && spec.Cmd[0] == "rm" {
		return 0, errors.New(`OCI runtime exec failed: exec failed: unable to start container process: exec: "rm": executable file not found in $PATH: unknown`)
	}
	return 0, nil
}

// copiedTo is what was copied into a container, sorted.
func (f *fakeBackend) copiedTo(ctr string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := append([]string(nil), f.copied[ctr]...)
	sort.Strings(out)
	return out
}
