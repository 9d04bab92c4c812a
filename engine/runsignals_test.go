package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/project"
)

// fakeContainer is a one-off container behind a Runner: it receives the
// signals passed to it, exits on exitOn's with their codes, and on a stop
// unless it ignores its stop signal; a kill always ends it.
type fakeContainer struct {
	exitOn     map[string]int
	ignoreStop bool

	mu       sync.Mutex
	calls    []string
	received chan string // each signal it got
	killed   chan int    // the exit code a stop or kill gives it
}

func newFakeContainer(exitOn map[string]int, ignoreStop bool) *fakeContainer {
	return &fakeContainer{exitOn: exitOn, ignoreStop: ignoreStop, received: make(chan string, 16), killed: make(chan int, 1)}
}

func (f *fakeContainer) record(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
}

func (f *fakeContainer) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeContainer) CreateOneOff(context.Context, *project.Project, OneOff) (string, error) {
	return "id", nil
}

func (f *fakeContainer) StartOneOff(ctx context.Context, _ string, io OneOffIO) (int, error) {
	for {
		select {
		case sig := <-io.Signals:
			f.record("got " + sig)
			f.received <- sig
			if code, ok := f.exitOn[sig]; ok {
				return code, nil
			}
		case code := <-f.killed:
			return code, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

func (f *fakeContainer) StopOneOff(ctx context.Context, _ string, timeout *time.Duration) error {
	if timeout != nil && *timeout == 0 {
		f.record("kill")
		f.killed <- 137
		return nil
	}
	f.record("stop")
	if f.ignoreStop {
		<-ctx.Done()
		return ctx.Err()
	}
	f.killed <- 143
	return nil
}

func (f *fakeContainer) RemoveOneOff(context.Context, string) error {
	f.record("remove")
	return nil
}

// TestStartPassingSignals: an attached run passes the signals on to its
// container, which decides; the interrupt after the one passed on stops
// it, one more kills it, and with Remove it is removed.
func TestStartPassingSignals(t *testing.T) {
	for _, tc := range []struct {
		name       string
		exitOn     map[string]int
		ignoreStop bool
		remove     bool
		send       []string
		code       int
		err        string // a part of the error, when one is wanted
		calls      []string
		notices    []string // a part of each notice
	}{
		{
			name: "the container exits on the SIGINT passed", exitOn: map[string]int{"SIGINT": 3}, remove: true,
			send: []string{"SIGHUP", "SIGINT"}, code: 3,
			calls: []string{"got SIGHUP", "got SIGINT"}, notices: []string{"SIGINT passed to web-run-1; press Ctrl-C again to stop it"},
		},
		{
			name: "SIGTERM is passed on too", exitOn: map[string]int{"SIGTERM": 0},
			send: []string{"SIGUSR1", "SIGTERM"}, code: 0,
			calls: []string{"got SIGUSR1", "got SIGTERM"}, notices: []string{"SIGTERM passed to web-run-1"},
		},
		{
			name: "a second interrupt stops a container that ignores the first", remove: true,
			send: []string{"SIGINT", "SIGINT"}, code: 143, err: "interrupted: web-run-1 stopped and removed",
			calls:   []string{"got SIGINT", "stop", "remove"},
			notices: []string{"SIGINT passed", "stopping web-run-1; press Ctrl-C again to kill it"},
		},
		{
			name: "without Remove it is left stopped",
			send: []string{"SIGINT", "SIGTERM"}, code: 143, err: "interrupted: web-run-1 stopped: ",
			calls: []string{"got SIGINT", "stop"}, notices: []string{"SIGINT passed", "stopping"},
		},
		{
			name: "a third interrupt kills a container that ignores its stop signal", ignoreStop: true, remove: true,
			send: []string{"SIGINT", "SIGINT", "SIGINT"}, code: 137, err: "interrupted: web-run-1 killed and removed",
			calls: []string{"got SIGINT", "stop", "kill", "remove"}, notices: []string{"SIGINT passed", "stopping", "killing web-run-1"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeContainer(tc.exitOn, tc.ignoreStop)
			signals := make(chan string)
			var notices []string
			res := &RunResult{Name: "web-run-1", ID: "id"}
			o := RunOptions{Remove: tc.remove, IO: OneOffIO{AttachSpec: AttachSpec{Signals: signals}}, Notice: func(s string) { notices = append(notices, s) }}
			// the run's context ends with the first interrupt, as Berth's does
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- startPassingSignals(ctx, f, res, o) }()
			deadline := time.After(10 * time.Second)
			interrupts := 0
			for _, sig := range tc.send {
				select {
				case signals <- sig:
				case <-deadline:
					t.Fatalf("%s not taken; calls %v", sig, f.Calls())
				}
				if sig == "SIGINT" || sig == "SIGTERM" {
					if interrupts++; interrupts == 1 {
						cancel()
					} else {
						continue // not passed on
					}
				}
				select {
				case <-f.received: // passed on before the next one is sent
				case <-deadline:
					t.Fatalf("%s not passed on; calls %v", sig, f.Calls())
				}
			}
			var err error
			select {
			case err = <-done:
			case <-deadline:
				t.Fatalf("the run did not end; calls %v", f.Calls())
			}
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, context.Canceled)) {
				t.Errorf("error %v, want one saying %q (and wrapping context.Canceled)", err, tc.err)
			}
			if res.ExitCode != tc.code {
				t.Errorf("exit code %d, want %d", res.ExitCode, tc.code)
			}
			if got := f.Calls(); !slices.Equal(got, tc.calls) {
				t.Errorf("calls %v, want %v", got, tc.calls)
			}
			if len(notices) != len(tc.notices) {
				t.Fatalf("notices %q, want %d", notices, len(tc.notices))
			}
			for i, n := range notices {
				if !strings.Contains(n, tc.notices[i]) {
					t.Errorf("notice %q, want one saying %q", n, tc.notices[i])
				}
			}
		})
	}
}
