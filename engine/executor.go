package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/berth-dev/berth/planner"
)

// Runtime performs one plan action against an engine. The Docker runtime
// and the tests' fake both implement it.
//
// Do may report what it is doing (a build's output lines, a pull's
// progress) through progress, which becomes Progress events of the action;
// progress is never nil.
//
// Execute calls Do from several goroutines at once. For every kind but
// planner.AwaitCondition the context it passes is not canceled when the
// caller's is, so an API call is never cut in half; an await gets the
// caller's context and should return promptly, with an error wrapping
// ctx.Err(), once it is done.
type Runtime interface {
	Do(ctx context.Context, a planner.Action, progress func(text string)) error
}

// outcome is how an action ended, as its dependents see it.
type outcome int

const (
	succeeded   outcome = iota + 1
	failed              // Do returned an error
	depSkipped          // skipped because a dependency failed
	interrupted         // skipped, or an await cut short, because ctx was canceled
)

// node is the executor's state for one action. outcome and root are written
// before done is closed and read only after it is closed.
type node struct {
	action  planner.Action
	deps    []int // indexes into the plan, not IDs
	done    chan struct{}
	outcome outcome
	// root is the resource of the failed action that caused a depSkipped.
	root planner.Resource
	// err is the failure reported in Execute's error, for outcome failed.
	err error
}

// Execute runs plan on rt: every action starts as soon as the actions it
// depends on are done, bounded by parallel (<=0 or -1: unlimited) Runtime.Do
// calls in flight at once. planner.AwaitCondition actions are waits, not API
// calls, and do not count against parallel, so a wait cannot starve the
// starts it waits for.
//
// An action whose dependency failed, directly or transitively, is not run
// and is reported Skipped; actions that do not depend on a failure carry on.
// The returned error joins the failures, each naming its service, action
// and engine object (`service "web": start container shop-web-1: ...`, see
// actionError), and is nil when every action succeeded.
//
// When ctx is canceled no further action starts (those left are reported
// Skipped), in-flight API calls run to completion on a context that is not
// canceled, and in-flight awaits are given ctx so they stop at once. The
// returned error then also wraps ctx.Err(), so errors.Is(err,
// context.Canceled) holds.
//
// sink, if not nil, receives each Started, Progress, Done, Failed and
// Skipped event, stamped with the time and, for Done and Failed, the
// action's duration. Calls are serialized, so it needs no locking of its
// own, and an action's Started follows the Done of every action it depends
// on. A sink must return promptly: use a Bus to fan events out to slow
// subscribers without stalling the executor.
//
// The plan is validated before anything runs: an action may depend only on
// actions that come before it in the plan, and IDs must be unique.
func Execute(ctx context.Context, plan *planner.Plan, rt Runtime, parallel int, sink Sink) error {
	if rt == nil {
		return errors.New("execute: nil runtime")
	}
	nodes, err := buildNodes(plan)
	if err != nil {
		return err
	}

	x := &executor{rt: rt, nodes: nodes, sink: sink}
	if parallel > 0 {
		x.slots = semaphore.NewWeighted(int64(parallel))
	}

	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() { x.run(ctx, nodes[i]) })
	}
	wg.Wait()

	var errs []error
	canceled := false
	for _, n := range nodes {
		switch n.outcome {
		case failed:
			errs = append(errs, n.err)
		case interrupted:
			canceled = true
		}
	}
	if canceled {
		errs = append(errs, fmt.Errorf("execute: %w", ctx.Err()))
	}
	return errors.Join(errs...)
}

// buildNodes validates plan and resolves each action's DependsOn IDs to
// plan indexes.
func buildNodes(plan *planner.Plan) ([]*node, error) {
	if plan == nil {
		return nil, errors.New("execute: nil plan")
	}
	index := make(map[int]int, len(plan.Actions))
	nodes := make([]*node, len(plan.Actions))
	for i, a := range plan.Actions {
		if j, dup := index[a.ID]; dup {
			return nil, fmt.Errorf("invalid plan: actions %d and %d share ID %d", j, i, a.ID)
		}
		n := &node{action: a, done: make(chan struct{}), deps: make([]int, 0, len(a.DependsOn))}
		for _, id := range a.DependsOn {
			j, ok := index[id]
			switch {
			case ok:
				n.deps = append(n.deps, j)
			case id == a.ID:
				return nil, fmt.Errorf("invalid plan: action %d (%s %s) depends on itself", a.ID, a.Kind, a.Resource)
			case hasID(plan.Actions[i+1:], id):
				return nil, fmt.Errorf("invalid plan: action %d (%s %s) depends on action %d, which comes after it", a.ID, a.Kind, a.Resource, id)
			default:
				return nil, fmt.Errorf("invalid plan: action %d (%s %s) depends on unknown action %d", a.ID, a.Kind, a.Resource, id)
			}
		}
		index[a.ID] = i
		nodes[i] = n
	}
	return nodes, nil
}

func hasID(actions []planner.Action, id int) bool {
	for _, a := range actions {
		if a.ID == id {
			return true
		}
	}
	return false
}

// executor is the shared state of one Execute call.
type executor struct {
	rt    Runtime
	nodes []*node
	slots *semaphore.Weighted // nil: unlimited

	mu   sync.Mutex // serializes events
	sink Sink
}

func (x *executor) emit(a planner.Action, s Status, err error) {
	x.send(Event{Action: a, Status: s, Err: err})
}

func (x *executor) send(e Event) {
	if x.sink == nil {
		return
	}
	e.Time = time.Now()
	x.mu.Lock()
	defer x.mu.Unlock()
	x.sink.Event(e)
}

// run waits for n's dependencies, then runs, skips or fails n, and closes
// n.done once its outcome and events are recorded.
func (x *executor) run(ctx context.Context, n *node) {
	defer close(n.done)
	a := n.action

	// Dependencies always finish: those in flight complete and those not
	// started are skipped promptly once ctx is canceled.
	var failedRoot planner.Resource
	depFailed, depCanceled := false, false
	for _, d := range n.deps {
		dep := x.nodes[d]
		<-dep.done
		switch dep.outcome {
		case failed:
			if !depFailed {
				depFailed, failedRoot = true, dep.action.Resource
			}
		case depSkipped:
			if !depFailed {
				depFailed, failedRoot = true, dep.root
			}
		case interrupted:
			depCanceled = true
		}
	}
	switch {
	case depFailed:
		n.outcome, n.root = depSkipped, failedRoot
		x.emit(a, Skipped, fmt.Errorf("skipped: dependency %s failed", failedRoot))
		return
	case depCanceled || ctx.Err() != nil:
		x.skipCanceled(ctx, n)
		return
	}

	doCtx := ctx
	if a.Kind != planner.AwaitCondition {
		if x.slots != nil {
			if err := x.slots.Acquire(ctx, 1); err != nil {
				x.skipCanceled(ctx, n)
				return
			}
			defer x.slots.Release(1)
		}
		// Acquire may succeed on an already-canceled ctx; start nothing new.
		if ctx.Err() != nil {
			x.skipCanceled(ctx, n)
			return
		}
		doCtx = context.WithoutCancel(ctx)
	}

	x.emit(a, Started, nil)
	began := time.Now()
	err := x.rt.Do(doCtx, a, func(text string) { x.send(Event{Action: a, Status: Progress, Text: text}) })
	took := time.Since(began)
	end := func(s Status, err error) { x.send(Event{Action: a, Status: s, Err: err, Duration: took}) }
	switch {
	case err == nil:
		n.outcome = succeeded
		end(Done, nil)
	case a.Kind == planner.AwaitCondition && ctx.Err() != nil && errors.Is(err, ctx.Err()):
		// The wait was cut short by cancellation, not a failed condition:
		// report it, but let Execute's error say "canceled" once.
		n.outcome = interrupted
		end(Failed, err)
	case a.Optional:
		// required: false: the dependents go on; the failure is a warning
		n.outcome = succeeded
		end(Failed, fmt.Errorf("%w (optional: continuing)", err))
	default:
		n.outcome = failed
		n.err = actionError(a, err)
		end(Failed, err)
	}
}

func (x *executor) skipCanceled(ctx context.Context, n *node) {
	n.outcome = interrupted
	err := ctx.Err()
	if err == nil {
		// A dependency was interrupted, so ctx was canceled; ctx.Err() is
		// never nil after that, but stay safe.
		err = context.Canceled
	}
	x.emit(n.action, Skipped, fmt.Errorf("skipped: %w", err))
}

// actionError says which action failed: the service, the action and the
// engine object it acted on, then the engine's message. An await's error,
// and a runtime error that begins with its service (`service "web": image
// ... is not built yet`), say so already and are returned as they are.
func actionError(a planner.Action, err error) error {
	if a.Resource.Service != "" && strings.HasPrefix(err.Error(), fmt.Sprintf("service %q", a.Resource.Service)) {
		return err
	}
	verb, _, _ := strings.Cut(a.Kind.String(), "-") // create-network: create
	switch a.Resource.Kind {
	case planner.ContainerResource:
		name := a.Name
		if name == "" {
			name = fmt.Sprintf("number %d", a.Resource.Number)
		}
		return fmt.Errorf("service %q: %s container %s: %w", a.Resource.Service, verb, name, err)
	case planner.OneOffResource:
		// a one-off container (`berth run`) that down, kill or stop acts on
		return fmt.Errorf("service %q: %s container %s: %w", a.Resource.Service, verb, cmp.Or(a.Name, a.Resource.Key), err)
	case planner.ImageResource:
		return fmt.Errorf("service %q: %s image %s: %w", a.Resource.Service, verb, a.Resource.Key, err)
	case planner.NetworkResource:
		return fmt.Errorf("%s network %s: %w", verb, cmp.Or(a.Name, a.Resource.Key), err)
	case planner.VolumeResource:
		return fmt.Errorf("%s volume %s: %w", verb, cmp.Or(a.Name, a.Resource.Key), err)
	case planner.ServiceResource:
		return err
	}
	return fmt.Errorf("%s %s: %w", a.Kind, a.Resource, err)
}
