package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"
)

// guard bounds every wait on Batches: a debouncer that never sends fails
// the test instead of hanging it. It is a deadline, never a pause.
const guard = 5 * time.Second

// fakeClock is a Clock that moves only when told to, by Advance.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, ch: make(chan time.Time, 1)}
	c.timers = append(c.timers, t)
	t.resetLocked(d)
	return t
}

// Advance moves the clock on by d and fires the timers whose deadline is
// not after the new time.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for _, t := range c.timers {
		if t.active && !t.deadline.After(c.now) {
			t.fireLocked()
		}
	}
}

// fakeTimer is a fakeClock's Timer; like a time.Timer since Go 1.23, no
// value sent before a Stop or Reset is received after it.
type fakeTimer struct {
	clock    *fakeClock
	ch       chan time.Time
	deadline time.Time
	active   bool
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	was := t.active
	t.active = false
	t.drainLocked()
	return was
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	was := t.active
	t.resetLocked(d)
	return was
}

func (t *fakeTimer) resetLocked(d time.Duration) {
	t.drainLocked()
	t.deadline = t.clock.now.Add(d)
	t.active = true
	if !t.deadline.After(t.clock.now) {
		t.fireLocked()
	}
}

func (t *fakeTimer) fireLocked() {
	t.active = false
	select {
	case t.ch <- t.deadline:
	default:
	}
}

func (t *fakeTimer) drainLocked() {
	select {
	case <-t.ch:
	default:
	}
}

// fakeFS is the set of paths that exist, as the debouncer's exists sees it.
type fakeFS struct {
	mu    sync.Mutex
	there map[string]bool
}

func newFakeFS() *fakeFS { return &fakeFS{there: map[string]bool{}} }

func (f *fakeFS) exists(path string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.there[path]
}

func (f *fakeFS) set(path string, there bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.there[path] = there
}

// harness is one debouncer under test, with its fake clock and files.
type harness struct {
	t     *testing.T
	clock *fakeClock
	fs    *fakeFS
	d     *Debouncer
}

// step is one thing a table test does.
type step func(h *harness)

// write makes path exist and reports a Write of it.
func write(path string) step {
	return func(h *harness) {
		h.fs.set(path, true)
		h.d.Add(path, Write)
	}
}

// create makes path exist and reports a Create of it.
func create(path string) step {
	return func(h *harness) {
		h.fs.set(path, true)
		h.d.Add(path, Create)
	}
}

// remove makes path gone and reports a Remove of it.
func remove(path string) step {
	return func(h *harness) {
		h.fs.set(path, false)
		h.d.Add(path, Remove)
	}
}

// advance moves the fake clock on.
func advance(d time.Duration) step {
	return func(h *harness) { h.clock.Advance(d) }
}

// closeNow closes the debouncer.
func closeNow() step {
	return func(h *harness) { h.d.Close() }
}

// expect receives the next batch and checks it is want.
func expect(want ...Change) step {
	return func(h *harness) {
		h.t.Helper()
		got, ok := receive(h.t, h.d)
		if !ok {
			h.t.Fatalf("Batches closed, want batch %v", want)
		}
		if !reflect.DeepEqual(got, want) {
			h.t.Fatalf("batch = %v, want %v", got, want)
		}
	}
}

// expectNone checks that no batch is ready. Used only where no timer has
// reached its deadline, so that nothing can be on its way.
func expectNone() step {
	return func(h *harness) {
		h.t.Helper()
		select {
		case got, ok := <-h.d.Batches():
			h.t.Fatalf("got batch %v (open %v), want none yet", got, ok)
		default:
		}
	}
}

// receive waits, up to guard, for the next batch; ok is false once Batches
// is closed.
func receive(t *testing.T, d *Debouncer) ([]Change, bool) {
	t.Helper()
	select {
	case got, ok := <-d.Batches():
		return got, ok
	case <-time.After(guard):
		t.Fatalf("no batch within %v", guard)
		return nil, false
	}
}

func w(path string) Change { return Change{Path: path, Op: Write} }
func r(path string) Change { return Change{Path: path, Op: Remove} }

func TestDebouncer(t *testing.T) {
	const quiet, max = 100 * time.Millisecond, time.Second
	tests := []struct {
		name  string
		steps []step
	}{{
		name: "quiet period",
		steps: []step{
			write("a"), advance(30 * time.Millisecond),
			write("b"), advance(30 * time.Millisecond),
			write("c"), advance(30 * time.Millisecond),
			write("a"),
			advance(quiet - time.Millisecond), expectNone(),
			advance(time.Millisecond), expect(w("a"), w("b"), w("c")),
			write("d"), advance(quiet), expect(w("d")),
		},
	}, {
		name:  "max cap",
		steps: maxCapSteps(max),
	}, {
		name: "de-duplication",
		steps: []step{
			write("b"), write("a"), write("a"), write("b"), write("a"),
			remove("c"), write("c"),
			advance(quiet), expect(w("a"), w("b"), w("c")),
		},
	}, {
		name: "save through a temporary file renamed over",
		steps: []step{
			create("app.py.tmp1234"), write("app.py.tmp1234"), create("app.py"), remove("app.py.tmp1234"),
			advance(quiet), expect(w("app.py")),
		},
	}, {
		name: "file removed",
		steps: []step{
			remove("old.py"),
			advance(quiet), expect(r("old.py")),
		},
	}, {
		name: "created and deleted within the batch",
		steps: []step{
			create("scratch"), write("scratch"), remove("scratch"),
			advance(quiet), expectNone(),
			// No batch at all, not an empty one: the next thing on
			// Batches, after Close, is its closing.
		},
	}, {
		name: "modified and then deleted within the batch is a removal",
		steps: []step{
			write("kept.py"), remove("kept.py"),
			advance(quiet), expect(r("kept.py")),
		},
	}, {
		name: "Close flushes",
		steps: []step{
			write("a"), advance(10 * time.Millisecond), remove("b"),
			closeNow(), expect(w("a"), r("b")),
			write("late"),
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &harness{t: t, clock: newFakeClock(), fs: newFakeFS()}
			h.d = NewDebouncer(h.clock, quiet, max, h.fs.exists)
			for _, s := range tt.steps {
				s(h)
			}
			h.d.Close()
			if got, ok := receive(t, h.d); ok {
				t.Fatalf("after the last batch: got %v, want Batches closed", got)
			}
		})
	}
}

// maxCapSteps writes a log file, and a file named for the time, every
// 20 ms for 3 s, with a quiet period longer than 20 ms: each batch must come
// at the cap, max after its first change, and hold exactly the files of
// that span.
func maxCapSteps(max time.Duration) []step {
	const every = 20 * time.Millisecond
	var steps []step
	var batch []Change
	for at := time.Duration(0); at < 3*time.Second; at += every {
		if at > 0 && at%max == 0 {
			steps = append(steps, expect(append([]Change{w("log")}, batch...)...))
			batch = nil
		}
		name := fmt.Sprintf("t%04d", at.Milliseconds())
		steps = append(steps, write("log"), write(name), expectNone(), advance(every))
		batch = append(batch, w(name))
	}
	// The last batch too ends at the cap, before its quiet period.
	return append(steps, expect(append([]Change{w("log")}, batch...)...))
}

// TestDebouncerSlowConsumer checks that batches due while the consumer is
// not receiving are merged, not queued, and that nothing is lost or
// reordered.
func TestDebouncerSlowConsumer(t *testing.T) {
	clock, fs := newFakeClock(), newFakeFS()
	d := NewDebouncer(clock, 50*time.Millisecond, time.Second, fs.exists)
	for _, path := range []string{"a", "b", "c"} {
		fs.set(path, true)
		d.Add(path, Write)
		clock.Advance(50 * time.Millisecond)
	}
	d.Close()
	var got [][]Change
	for {
		batch, ok := receive(t, d)
		if !ok {
			break
		}
		got = append(got, batch)
	}
	// At most one batch can be on its way to the consumer when the next
	// ones are due; those are sent together.
	if len(got) > 2 {
		t.Errorf("got %d batches %v, want at most 2", len(got), got)
	}
	var all []Change
	for _, batch := range got {
		all = append(all, batch...)
	}
	if want := []Change{w("a"), w("b"), w("c")}; !reflect.DeepEqual(all, want) {
		t.Errorf("batches %v, want %v in order", got, want)
	}
}

// TestDebouncerConcurrentAdd adds from many goroutines at once; every path
// must come out exactly once.
func TestDebouncerConcurrentAdd(t *testing.T) {
	clock, fs := newFakeClock(), newFakeFS()
	d := NewDebouncer(clock, DefaultQuiet, DefaultMax, fs.exists)
	const writers, each = 8, 100
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			for j := range each {
				path := fmt.Sprintf("w%d/f%03d", i, j)
				fs.set(path, true)
				d.Add(path, Write)
				if j%10 == 0 {
					clock.Advance(DefaultQuiet / 2)
				}
			}
		})
	}
	seen := map[string]int{}
	received := make(chan struct{})
	go func() {
		defer close(received)
		for batch := range d.Batches() {
			for _, c := range batch {
				seen[c.Path]++
			}
		}
	}()
	wg.Wait()
	d.Close()
	select {
	case <-received:
	case <-time.After(guard):
		t.Fatalf("Batches not closed within %v", guard)
	}
	if len(seen) != writers*each {
		t.Errorf("got %d paths, want %d", len(seen), writers*each)
	}
	for path, n := range seen {
		if n != 1 {
			t.Errorf("%s sent %d times, want once", path, n)
		}
	}
}

// TestDebouncerRealClock runs on the wall clock and the real file system.
func TestDebouncerRealClock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "main.go")
	if err := os.WriteFile(path, []byte("package main\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := NewDebouncer(RealClock(), 10*time.Millisecond, 100*time.Millisecond, nil)
	defer d.Close()
	d.Add(path, Write)
	got, ok := receive(t, d)
	if want := []Change{w(path)}; !ok || !reflect.DeepEqual(got, want) {
		t.Fatalf("batch = %v (open %v), want %v", got, ok, want)
	}
}

func TestNewDebouncerDefaults(t *testing.T) {
	d := NewDebouncer(newFakeClock(), 0, -time.Second, newFakeFS().exists)
	defer d.Close()
	if d.quiet != DefaultQuiet || d.max != DefaultMax {
		t.Errorf("quiet, max = %v, %v; want %v, %v", d.quiet, d.max, DefaultQuiet, DefaultMax)
	}
}

func TestChangeOpString(t *testing.T) {
	for op, want := range map[ChangeOp]string{Write: "write", Remove: "remove", 0: "ChangeOp(0)"} {
		if got := op.String(); got != want {
			t.Errorf("ChangeOp(%d).String() = %q, want %q", int(op), got, want)
		}
	}
}
