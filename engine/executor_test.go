package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/planner"
)

// key names an action in the fake and in the tests: "kind resource".
func key(a planner.Action) string { return a.Kind.String() + " " + a.Resource.String() }

// fakeRuntime is an in-memory Runtime. It records the order in which Do
// calls enter and return, fails the actions named in errs, blocks an action
// named in gates until its gate is closed (or, for a cancellable context,
// until the context is done), and tracks the most Do calls in flight at once.
// Actions are named by key.
type fakeRuntime struct {
	errs  map[string]error
	gates map[string]chan struct{}
	// enteredCh, if set, receives the key of every Do call as it enters.
	enteredCh chan string

	mu          sync.Mutex
	log         []string // "enter <key>" / "exit <key>" in order
	calls       []string // keys in order of entry
	ctxErr      map[string]error
	entered     map[string]chan struct{}
	exited      map[string]chan struct{}
	inFlight    int
	maxInFlight int
}

func newFake() *fakeRuntime {
	return &fakeRuntime{
		errs:    map[string]error{},
		gates:   map[string]chan struct{}{},
		ctxErr:  map[string]error{},
		entered: map[string]chan struct{}{},
		exited:  map[string]chan struct{}{},
	}
}

// signal returns the channel in m for k, creating it. Callers hold f.mu.
func signal(m map[string]chan struct{}, k string) chan struct{} {
	ch, ok := m[k]
	if !ok {
		ch = make(chan struct{})
		m[k] = ch
	}
	return ch
}

// Entered is closed once Do has been called for the action named k.
func (f *fakeRuntime) Entered(k string) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return signal(f.entered, k)
}

// Exited is closed once Do has returned for the action named k.
func (f *fakeRuntime) Exited(k string) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return signal(f.exited, k)
}

func (f *fakeRuntime) Do(ctx context.Context, a planner.Action, _ func(string)) error {
	k := key(a)
	f.mu.Lock()
	f.log = append(f.log, "enter "+k)
	f.calls = append(f.calls, k)
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	close(signal(f.entered, k))
	gate := f.gates[k]
	f.mu.Unlock()
	if f.enteredCh != nil {
		f.enteredCh <- k
	}

	var err error
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			err = fmt.Errorf("waiting for %s: %w", a.Resource, ctx.Err())
		}
	}
	if err == nil {
		err = f.errs[k]
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, "exit "+k)
	f.ctxErr[k] = ctx.Err()
	f.inFlight--
	close(signal(f.exited, k))
	return err
}

func (f *fakeRuntime) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeRuntime) Log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.log)
}

func (f *fakeRuntime) MaxInFlight() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxInFlight
}

// recorder collects events. It appends without locking of its own, so the
// race detector checks that Execute serializes calls.
type recorder struct{ events []Event }

func (r *recorder) record(e Event) { r.events = append(r.events, e) }

// statuses returns each action's statuses in order, by key.
func (r *recorder) statuses() map[string][]Status {
	m := map[string][]Status{}
	for _, e := range r.events {
		k := key(e.Action)
		m[k] = append(m[k], e.Status)
	}
	return m
}

// last returns the final event of the action named k.
func (r *recorder) last(t *testing.T, k string) Event {
	t.Helper()
	for i := len(r.events) - 1; i >= 0; i-- {
		if key(r.events[i].Action) == k {
			return r.events[i]
		}
	}
	t.Fatalf("no event for %s", k)
	return Event{}
}

// act builds an action; deps are IDs.
func act(id int, kind planner.Kind, resource string, deps ...int) planner.Action {
	r, _ := planner.ParseResource(resource)
	return planner.Action{ID: id, Kind: kind, Resource: r, Name: resource, DependsOn: deps}
}

// result is what Execute returned, for runs in a goroutine.
type result struct {
	err error
}

// start runs Execute in a goroutine and returns a function that waits for
// it. The wait fails the test after a generous timeout: that timeout is a
// deadlock detector, not synchronization.
func start(ctx context.Context, t *testing.T, plan *planner.Plan, rt Runtime, parallel int, events Sink) func() error {
	t.Helper()
	ch := make(chan result, 1)
	go func() { ch <- result{Execute(ctx, plan, rt, parallel, events)} }()
	return func() error {
		t.Helper()
		select {
		case r := <-ch:
			return r.err
		case <-time.After(10 * time.Second):
			t.Fatal("Execute deadlocked")
			return nil
		}
	}
}

// wait receives from ch or fails the test after a deadlock timeout.
func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("deadlock waiting for %s", what)
	}
}

// checkOrder fails if any action entered Do before all its dependencies
// returned from Do.
func checkOrder(t *testing.T, plan *planner.Plan, log []string) {
	t.Helper()
	pos := map[string]int{}
	for i, l := range log {
		pos[l] = i
	}
	byID := map[int]planner.Action{}
	for _, a := range plan.Actions {
		byID[a.ID] = a
	}
	for _, a := range plan.Actions {
		enter, ok := pos["enter "+key(a)]
		if !ok {
			t.Errorf("%s never ran", key(a))
			continue
		}
		for _, d := range a.DependsOn {
			exit, ok := pos["exit "+key(byID[d])]
			if !ok || exit > enter {
				t.Errorf("%s started before its dependency %s finished\nlog: %q", key(a), key(byID[d]), log)
			}
		}
	}
}

func TestExecuteDependencyOrder(t *testing.T) {
	plans := map[string]*planner.Plan{
		"diamond": {Actions: []planner.Action{
			act(1, planner.CreateNetwork, "network:back"),
			act(2, planner.CreateContainer, "service:db:1", 1),
			act(3, planner.CreateContainer, "service:cache:1", 1),
			act(4, planner.CreateContainer, "service:web:1", 2, 3),
		}},
		"chain": {Actions: []planner.Action{
			act(1, planner.CreateNetwork, "network:back"),
			act(2, planner.CreateContainer, "service:db:1", 1),
			act(3, planner.StartContainer, "service:db:1", 2),
			act(4, planner.AwaitCondition, "service:db", 3),
			act(5, planner.CreateContainer, "service:web:1", 4),
			act(6, planner.StartContainer, "service:web:1", 5),
		}},
		// IDs need not be indexes.
		"sparse ids": {Actions: []planner.Action{
			act(10, planner.CreateVolume, "volume:data"),
			act(7, planner.CreateContainer, "service:db:1", 10),
			act(42, planner.StartContainer, "service:db:1", 7, 10),
		}},
	}
	for name, plan := range plans {
		for _, parallel := range []int{-1, 0, 1, 2} {
			t.Run(fmt.Sprintf("%s/parallel=%d", name, parallel), func(t *testing.T) {
				f := newFake()
				var rec recorder
				if err := Execute(context.Background(), plan, f, parallel, SinkFunc(rec.record)); err != nil {
					t.Fatalf("Execute: %v", err)
				}
				checkOrder(t, plan, f.Log())
				if got := len(f.Calls()); got != len(plan.Actions) {
					t.Errorf("%d Do calls, want %d", got, len(plan.Actions))
				}
			})
		}
	}
}

func TestExecuteRunsIndependentActionsConcurrently(t *testing.T) {
	plan := &planner.Plan{Actions: []planner.Action{
		act(1, planner.CreateContainer, "service:a:1"),
		act(2, planner.CreateContainer, "service:b:1"),
	}}
	f := newFake()
	// Each blocks until the other has entered: run one at a time, they
	// deadlock.
	f.gates["create service:a:1"] = make(chan struct{})
	f.gates["create service:b:1"] = make(chan struct{})
	go func() {
		<-f.Entered("create service:a:1")
		<-f.Entered("create service:b:1")
		close(f.gates["create service:a:1"])
		close(f.gates["create service:b:1"])
	}()
	if err := start(context.Background(), t, plan, f, 0, nil)(); err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if got := f.MaxInFlight(); got != 2 {
		t.Errorf("max in flight = %d, want 2", got)
	}
}

func TestExecuteBoundsParallel(t *testing.T) {
	const n = 6
	for _, parallel := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("parallel=%d", parallel), func(t *testing.T) {
			plan := &planner.Plan{}
			f := newFake()
			f.enteredCh = make(chan string, n)
			for i := range n {
				a := act(i+1, planner.StartContainer, fmt.Sprintf("service:s%d:1", i))
				plan.Actions = append(plan.Actions, a)
				f.gates[key(a)] = make(chan struct{})
			}
			finish := start(context.Background(), t, plan, f, parallel, nil)

			// Let exactly `parallel` actions in, then release one at a
			// time: each release lets exactly one more in.
			recv := func() string {
				select {
				case k := <-f.enteredCh:
					return k
				case <-time.After(10 * time.Second):
					t.Fatal("deadlock waiting for an action to start")
					return ""
				}
			}
			var open []string
			pending := n
			for range min(parallel, n) {
				open = append(open, recv())
				pending--
			}
			for len(open) > 0 {
				close(f.gates[open[0]])
				open = open[1:]
				if pending > 0 {
					open = append(open, recv())
					pending--
				}
			}
			if err := finish(); err != nil {
				t.Fatalf("Execute: %v", err)
			}
			if got := f.MaxInFlight(); got != parallel {
				t.Errorf("max in flight = %d, want %d", got, parallel)
			}
		})
	}
}

func TestExecuteAwaitDoesNotHoldSlot(t *testing.T) {
	// With parallel=1: the await waits until "start web" is done, and
	// "create web" cannot proceed until the await is in flight. If the
	// await took the only slot, or if "create web" took it first while the
	// await queued for it, this deadlocks.
	plan := &planner.Plan{Actions: []planner.Action{
		act(1, planner.AwaitCondition, "service:db"),
		act(2, planner.CreateContainer, "service:web:1"),
		act(3, planner.StartContainer, "service:web:1", 2),
	}}
	f := newFake()
	f.gates["await service:db"] = make(chan struct{})
	f.gates["create service:web:1"] = make(chan struct{})
	go func() {
		<-f.Exited("start service:web:1")
		close(f.gates["await service:db"])
	}()
	go func() {
		<-f.Entered("await service:db")
		close(f.gates["create service:web:1"])
	}()
	if err := start(context.Background(), t, plan, f, 1, nil)(); err != nil {
		t.Fatalf("Execute: %v", err)
	}
}

func TestExecuteFailureSkipsDependents(t *testing.T) {
	plan := &planner.Plan{Actions: []planner.Action{
		act(1, planner.CreateNetwork, "network:back"),
		act(2, planner.CreateContainer, "service:db:1", 1),
		act(3, planner.StartContainer, "service:db:1", 2),
		act(4, planner.AwaitCondition, "service:db", 3),
		act(5, planner.CreateContainer, "service:web:1", 1, 4),
		act(6, planner.StartContainer, "service:web:1", 5),
		act(7, planner.CreateContainer, "service:cache:1", 1),
		act(8, planner.StartContainer, "service:cache:1", 7),
		act(9, planner.CreateVolume, "volume:data"),
	}}
	boom := errors.New("boom")
	f := newFake()
	f.errs["create service:db:1"] = boom
	var rec recorder
	err := Execute(context.Background(), plan, f, 0, SinkFunc(rec.record))
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want one wrapping %v", err, boom)
	}
	if errors.Is(err, context.Canceled) {
		t.Errorf("err = %v wraps context.Canceled", err)
	}
	if got, want := err.Error(), `service "db": create container service:db:1: boom`; got != want {
		t.Errorf("err = %q, want %q", got, want)
	}

	wantStatus := map[string]Status{
		"create-network network:back": Done,
		"create service:db:1":         Failed,
		"start service:db:1":          Skipped,
		"await service:db":            Skipped,
		"create service:web:1":        Skipped,
		"start service:web:1":         Skipped,
		"create service:cache:1":      Done,
		"start service:cache:1":       Done,
		"create-volume volume:data":   Done,
	}
	for k, want := range wantStatus {
		e := rec.last(t, k)
		if e.Status != want {
			t.Errorf("%s: status %s, want %s", k, e.Status, want)
		}
		if want == Skipped {
			const reason = "skipped: dependency service:db:1 failed"
			if e.Err == nil || e.Err.Error() != reason {
				t.Errorf("%s: skip reason %v, want %q", k, e.Err, reason)
			}
			if errors.Is(e.Err, boom) {
				t.Errorf("%s: skip reason repeats the failure", k)
			}
		}
	}
	calls := f.Calls()
	for k, want := range wantStatus {
		if ran := slices.Contains(calls, k); ran != (want != Skipped) {
			t.Errorf("%s: ran = %v, want %v", k, ran, want != Skipped)
		}
	}
}

func TestExecuteJoinsIndependentFailures(t *testing.T) {
	plan := &planner.Plan{Actions: []planner.Action{
		act(1, planner.StartContainer, "service:a:1"),
		act(2, planner.StartContainer, "service:b:1"),
		act(3, planner.StartContainer, "service:c:1", 1, 2),
	}}
	errA, errB := errors.New("no such image"), errors.New("port is already allocated")
	f := newFake()
	f.errs["start service:a:1"] = errA
	f.errs["start service:b:1"] = errB
	var rec recorder
	err := Execute(context.Background(), plan, f, 1, SinkFunc(rec.record))
	if !errors.Is(err, errA) || !errors.Is(err, errB) {
		t.Fatalf("err = %v, want both failures", err)
	}
	// Joined in plan order, whatever order they failed in.
	want := `service "a": start container service:a:1: no such image` + "\n" + `service "b": start container service:b:1: port is already allocated`
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if e := rec.last(t, "start service:c:1"); e.Status != Skipped || e.Err.Error() != "skipped: dependency service:a:1 failed" {
		t.Errorf("c: %s %v", e.Status, e.Err)
	}
}

func TestExecuteCancel(t *testing.T) {
	plan := &planner.Plan{Actions: []planner.Action{
		act(1, planner.CreateContainer, "service:db:1"),
		act(2, planner.StartContainer, "service:db:1", 1),
		act(3, planner.AwaitCondition, "service:queue"),
		act(4, planner.CreateContainer, "service:web:1", 3),
		act(5, planner.StartContainer, "service:web:1", 4),
	}}
	f := newFake()
	f.gates["create service:db:1"] = make(chan struct{})
	f.gates["await service:queue"] = make(chan struct{}) // never opened
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rec recorder
	finish := start(ctx, t, plan, f, 0, SinkFunc(rec.record))

	wait(t, f.Entered("create service:db:1"), "create db to start")
	wait(t, f.Entered("await service:queue"), "await to start")
	cancel()
	// The await stops at once, while the API call is still in flight.
	wait(t, f.Exited("await service:queue"), "await to stop")
	close(f.gates["create service:db:1"])
	err := finish()

	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if strings.Count(err.Error(), "canceled") != 1 {
		t.Errorf("err = %q, want cancellation reported once", err)
	}
	if got, want := f.Calls(), []string{"create service:db:1", "await service:queue"}; !sameSet(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
	f.mu.Lock()
	createCtxErr := f.ctxErr["create service:db:1"]
	f.mu.Unlock()
	if createCtxErr != nil {
		t.Errorf("in-flight API call's context was canceled: %v", createCtxErr)
	}
	if e := rec.last(t, "create service:db:1"); e.Status != Done {
		t.Errorf("create db: %s %v, want done", e.Status, e.Err)
	}
	if e := rec.last(t, "await service:queue"); e.Status != Failed || !errors.Is(e.Err, context.Canceled) {
		t.Errorf("await: %s %v, want failed with context.Canceled", e.Status, e.Err)
	}
	for _, k := range []string{"start service:db:1", "create service:web:1", "start service:web:1"} {
		if e := rec.last(t, k); e.Status != Skipped || !errors.Is(e.Err, context.Canceled) {
			t.Errorf("%s: %s %v, want skipped with context.Canceled", k, e.Status, e.Err)
		}
	}
}

func TestExecuteCancelWhileWaitingForSlot(t *testing.T) {
	plan := &planner.Plan{Actions: []planner.Action{
		act(1, planner.StartContainer, "service:a:1"),
		act(2, planner.StartContainer, "service:b:1"),
	}}
	f := newFake()
	f.enteredCh = make(chan string, 2)
	f.gates["start service:a:1"] = make(chan struct{})
	f.gates["start service:b:1"] = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rec recorder
	finish := start(ctx, t, plan, f, 1, SinkFunc(rec.record))
	var first string
	select {
	case first = <-f.enteredCh:
	case <-time.After(10 * time.Second):
		t.Fatal("deadlock waiting for an action to start")
	}
	cancel()
	close(f.gates["start service:a:1"])
	close(f.gates["start service:b:1"])
	if err := finish(); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := f.Calls(); !slices.Equal(got, []string{first}) {
		t.Errorf("calls = %q, want only %q", got, first)
	}
	if e := rec.last(t, first); e.Status != Done {
		t.Errorf("%s: %s, want done", first, e.Status)
	}
	other := "start service:a:1"
	if first == other {
		other = "start service:b:1"
	}
	if e := rec.last(t, other); e.Status != Skipped || !errors.Is(e.Err, context.Canceled) {
		t.Errorf("%s: %s %v, want skipped with context.Canceled", other, e.Status, e.Err)
	}
}

func TestExecuteAlreadyCanceled(t *testing.T) {
	plan := &planner.Plan{Actions: []planner.Action{
		act(1, planner.CreateNetwork, "network:back"),
		act(2, planner.CreateContainer, "service:db:1", 1),
	}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := newFake()
	var rec recorder
	if err := Execute(ctx, plan, f, 0, SinkFunc(rec.record)); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if calls := f.Calls(); len(calls) != 0 {
		t.Errorf("calls = %q, want none", calls)
	}
	if len(rec.events) != 2 || rec.events[0].Status != Skipped || rec.events[1].Status != Skipped {
		t.Errorf("events = %v, want two skips", rec.events)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestExecuteRejectsInvalidPlans(t *testing.T) {
	tests := []struct {
		name string
		plan *planner.Plan
		want string
	}{
		{"nil plan", nil, "nil plan"},
		{"unknown dependency", &planner.Plan{Actions: []planner.Action{
			act(1, planner.CreateNetwork, "network:back"),
			act(2, planner.CreateContainer, "service:db:1", 7),
		}}, "depends on unknown action 7"},
		{"self dependency", &planner.Plan{Actions: []planner.Action{
			act(1, planner.CreateContainer, "service:db:1", 1),
		}}, "depends on itself"},
		{"forward dependency", &planner.Plan{Actions: []planner.Action{
			act(1, planner.CreateContainer, "service:db:1", 2),
			act(2, planner.StartContainer, "service:db:1", 1),
		}}, "depends on action 2, which comes after it"},
		{"duplicate id", &planner.Plan{Actions: []planner.Action{
			act(1, planner.CreateNetwork, "network:back"),
			act(1, planner.CreateVolume, "volume:data"),
		}}, "share ID 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			called := false
			err := Execute(context.Background(), tt.plan, f, 0, SinkFunc(func(Event) { called = true }))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if calls := f.Calls(); len(calls) != 0 || called {
				t.Errorf("ran %q (events: %v) before rejecting the plan", calls, called)
			}
		})
	}
	if err := Execute(context.Background(), &planner.Plan{}, nil, 0, nil); err == nil {
		t.Error("nil runtime accepted")
	}
}

func TestExecuteEvents(t *testing.T) {
	plan := &planner.Plan{Actions: []planner.Action{
		act(1, planner.CreateNetwork, "network:back"),
		act(2, planner.CreateContainer, "service:db:1", 1),
		act(3, planner.StartContainer, "service:db:1", 2),
		act(4, planner.CreateContainer, "service:web:1", 1),
	}}
	f := newFake()
	f.errs["create service:db:1"] = errors.New("boom")
	var rec recorder
	_ = Execute(context.Background(), plan, f, 0, SinkFunc(rec.record))

	want := map[string][]Status{
		"create-network network:back": {Started, Done},
		"create service:db:1":         {Started, Failed},
		"start service:db:1":          {Skipped},
		"create service:web:1":        {Started, Done},
	}
	got := rec.statuses()
	for k, w := range want {
		if !slices.Equal(got[k], w) {
			t.Errorf("%s: events %v, want %v", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("events for %d actions, want %d", len(got), len(want))
	}
	// A dependent's first event follows its dependencies' last.
	pos := map[string]int{}
	for i, e := range rec.events {
		pos[fmt.Sprint(key(e.Action), " ", e.Status)] = i
	}
	for _, pair := range [][2]string{
		{"create-network network:back done", "create service:db:1 started"},
		{"create-network network:back done", "create service:web:1 started"},
		{"create service:db:1 failed", "start service:db:1 skipped"},
	} {
		if pos[pair[0]] > pos[pair[1]] {
			t.Errorf("%q came after %q", pair[0], pair[1])
		}
	}
	for _, e := range rec.events {
		if (e.Status == Started || e.Status == Done) != (e.Err == nil) {
			t.Errorf("%s %s: err %v", key(e.Action), e.Status, e.Err)
		}
	}

	// Nil events is allowed.
	if err := Execute(context.Background(), plan, newFake(), 0, nil); err != nil {
		t.Errorf("nil events: %v", err)
	}
	// An empty plan does nothing.
	if err := Execute(context.Background(), &planner.Plan{}, newFake(), 0, SinkFunc(rec.record)); err != nil {
		t.Errorf("empty plan: %v", err)
	}
}

func TestStatusString(t *testing.T) {
	for s, want := range map[Status]string{Started: "started", Done: "done", Failed: "failed", Skipped: "skipped", 0: "status(0)"} {
		if got := s.String(); got != want {
			t.Errorf("Status(%d).String() = %q, want %q", int(s), got, want)
		}
	}
}

// nopRuntime does nothing.
type nopRuntime struct{}

func (nopRuntime) Do(context.Context, planner.Action, func(string)) error { return nil }

func BenchmarkExecute(b *testing.B) {
	// One network, then 199 containers that need only it.
	plan := &planner.Plan{Actions: []planner.Action{act(0, planner.CreateNetwork, "network:back")}}
	for i := 1; i < 200; i++ {
		plan.Actions = append(plan.Actions, act(i, planner.CreateContainer, fmt.Sprintf("service:s%d:1", i), 0))
	}
	for _, parallel := range []int{0, 4} {
		b.Run(fmt.Sprintf("parallel=%d", parallel), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Execute(context.Background(), plan, nopRuntime{}, parallel, SinkFunc(func(Event) {})); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestExecuteOptionalFailureLetsDependentsRun: an optional action (the wait
// on a required: false dependency) that fails is reported, but its
// dependents run and Execute succeeds.
func TestExecuteOptionalFailureLetsDependentsRun(t *testing.T) {
	f := newFake()
	f.errs["await service:db"] = errors.New("dependency db is unhealthy")
	wait := act(2, planner.AwaitCondition, "service:db", 1)
	wait.Optional = true
	plan := &planner.Plan{Actions: []planner.Action{
		act(1, planner.StartContainer, "service:db:1"),
		wait,
		act(3, planner.StartContainer, "service:app:1", 2),
	}}
	var failed []Event
	err := Execute(context.Background(), plan, f, -1, SinkFunc(func(e Event) {
		if e.Status == Failed {
			failed = append(failed, e)
		}
	}))
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if got := f.Calls(); len(got) != 3 || got[2] != "start service:app:1" {
		t.Fatalf("calls %v: the dependent of an optional failure must run", got)
	}
	if len(failed) != 1 || !strings.Contains(failed[0].Err.Error(), "optional: continuing") {
		t.Fatalf("failure events %v", failed)
	}
}

func TestActionError(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		action planner.Action
		want   string
	}{
		{planner.Action{Kind: planner.StartContainer, Resource: planner.ContainerRes("web", 2), Name: "shop-web-2"}, `service "web": start container shop-web-2: boom`},
		{planner.Action{Kind: planner.RemoveContainer, Resource: planner.OneOffRes("web", "shop-web-run-0123456789ab"), Name: "shop-web-run-0123456789ab"},
			`service "web": remove container shop-web-run-0123456789ab: boom`},
		{planner.Action{Kind: planner.KillContainer, Resource: planner.OneOffRes("web", "shop-web-run-0123456789ab")},
			`service "web": kill container shop-web-run-0123456789ab: boom`},
		{planner.Action{Kind: planner.CreateNetwork, Resource: planner.NetworkRes("back"), Name: "shop_back"}, `create network shop_back: boom`},
		{planner.Action{Kind: planner.RemoveVolume, Resource: planner.VolumeRes("data")}, `remove volume data: boom`},
		{planner.Action{Kind: planner.BuildImage, Resource: planner.ImageRes("web", "shop-web")}, `service "web": build image shop-web: boom`},
		{planner.Action{Kind: planner.AwaitCondition, Resource: planner.ServiceRes("db")}, `boom`},
	}
	named := fmt.Errorf(`service "web": image web is not built yet: %w`, boom)
	if err := actionError(planner.Action{Kind: planner.CreateContainer, Resource: planner.ContainerRes("web", 1)}, named); err != named {
		t.Errorf("an error naming its service is changed: %q", err)
	}
	for _, tt := range tests {
		err := actionError(tt.action, boom)
		if err.Error() != tt.want || !errors.Is(err, boom) {
			t.Errorf("actionError(%s %s) = %q, want %q wrapping boom", tt.action.Kind, tt.action.Resource, err, tt.want)
		}
	}
}
