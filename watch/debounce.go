package watch

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The defaults are set by the latency `berth watch` aims for: a saved file
// served by the container within 150 ms, median. The quiet period is spent
// before the sync even starts, so it has to leave most of that budget to
// the copy into the container (a tar stream through the engine API, some
// tens of milliseconds locally) and the event's delivery.
//
// DefaultQuiet is 75 ms. Whatever an editor does to save a file (write in
// place; write a temporary file and rename it over; back up, write, chmod)
// is over within a few milliseconds, and a format-on-save rewrite or a
// small `git checkout` within a few tens, so 75 ms still catches the burst
// whole: one sync, or one restart, per save rather than several. Compose
// waits 500 ms, which alone spends three times the budget; Tilt waits
// 200 ms.
//
// DefaultMax is 1 s. Ordinary bursts end well within it and are sent by the
// quiet period; only something writing without pause (a log in the watched
// tree, a long checkout or install) reaches the cap, and then its changes
// are still synced every second instead of never. Compose has no cap, so a
// file written continuously never syncs; Tilt's is 10 s.
const (
	// DefaultQuiet is how long no change must come before a batch is sent.
	DefaultQuiet = 75 * time.Millisecond
	// DefaultMax is the longest a batch waits, from its first change.
	DefaultMax = time.Second
)

// ChangeOp is what happened to a path.
type ChangeOp int

const (
	// Write is a path modified (or, in a batch, one that exists).
	Write ChangeOp = iota + 1
	// Remove is a path removed, or renamed away.
	Remove
	// Create is a path created; in a batch it is a Write. A path whose
	// first event in a batch is a Create and that is gone again when the
	// batch is sent was a temporary file, and is left out; one that was
	// modified and then deleted is a Remove.
	Create
)

// String is the op's name: write or remove.
func (op ChangeOp) String() string {
	switch op {
	case Write:
		return "write"
	case Remove:
		return "remove"
	case Create:
		return "create"
	default:
		return "ChangeOp(" + strconv.Itoa(int(op)) + ")"
	}
}

// Change is a path to sync, and whether it is to be written or removed.
type Change struct {
	Path string
	Op   ChangeOp
}

// Debouncer collects changes and hands them on in batches: a batch is sent
// once no change has come for the quiet period, or once the first change of
// the batch is Max old, whichever is first — so a file written continuously
// still syncs.
//
// A batch has one Change per path, decided when it is sent from whether the
// path exists then: Write if it does, Remove if not — except that a path
// whose first event in the batch was a Create and which is gone again is
// left out, so an editor's save through a temporary file renamed over the
// original comes out as one Write of the original.
//
// Add never waits for the consumer. While a batch waits to be received,
// later changes keep collecting, and what is due meanwhile is sent as one
// batch once the consumer takes the previous one; so a slow consumer gets
// fewer, larger batches, never lost or reordered ones.
type Debouncer struct {
	clock  Clock
	quiet  time.Duration
	max    time.Duration
	exists func(path string) bool

	timer Timer
	fired <-chan time.Time
	wake  chan struct{}
	out   chan []Change

	mu sync.Mutex
	// pending holds the changes of the batch being collected: each path's
	// first op in it.
	pending map[string]ChangeOp
	// first is when pending's first change came; deadline is when pending
	// is due: a quiet period after its last change, at most max after
	// first.
	first, deadline time.Time
	// waiting holds the batches cut but not yet taken by the sender,
	// merged, each path with its first op; nil when there are none.
	waiting map[string]ChangeOp
	closed  bool
}

// NewDebouncer returns a Debouncer that holds changes for quiet after the
// last of them, and at most max after the first; a duration not above zero
// means its default. exists reports whether a path is there when its batch
// is sent; nil means os.Lstat finds it. The Debouncer runs until Close.
func NewDebouncer(clock Clock, quiet, max time.Duration, exists func(path string) bool) *Debouncer {
	if clock == nil {
		clock = RealClock()
	}
	if quiet <= 0 {
		quiet = DefaultQuiet
	}
	if max <= 0 {
		max = DefaultMax
	}
	if exists == nil {
		exists = lstatExists
	}
	timer := clock.NewTimer(max)
	timer.Stop()
	d := &Debouncer{
		clock:   clock,
		quiet:   quiet,
		max:     max,
		exists:  exists,
		timer:   timer,
		fired:   timer.C(),
		wake:    make(chan struct{}, 1),
		out:     make(chan []Change),
		pending: map[string]ChangeOp{},
	}
	go d.run()
	return d
}

// Add records that op happened to path. It is safe for concurrent use and
// never blocks on the consumer; after Close it does nothing.
func (d *Debouncer) Add(path string, op ChangeOp) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	now := d.clock.Now()
	// A batch that is due ends before this change, whether or not the
	// timer has been seen to fire: batches follow the clock, not the
	// scheduler.
	if d.cutIfDueLocked(now) {
		d.signal()
	}
	if len(d.pending) == 0 {
		d.first = now
	}
	if _, seen := d.pending[path]; !seen {
		d.pending[path] = op
	}
	d.deadline = now.Add(d.quiet)
	if capped := d.first.Add(d.max); capped.Before(d.deadline) {
		d.deadline = capped
	}
	d.timer.Reset(d.deadline.Sub(now))
}

// Batches is where the batches come, each sorted by path. It is closed after
// Close, once the last batch has been received.
func (d *Debouncer) Batches() <-chan []Change { return d.out }

// Close ends the Debouncer: what is pending is sent as a last batch, without
// waiting for its quiet period, and then Batches is closed. Close does not
// wait for the consumer, who must receive until Batches is closed. Calling
// Close again does nothing.
func (d *Debouncer) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.closed = true
	d.timer.Stop()
	d.signal()
}

// run sends the batches, when the timer fires or Add or Close has cut one,
// until Close; then it closes Batches.
func (d *Debouncer) run() {
	defer close(d.out)
	for {
		select {
		case <-d.fired:
		case <-d.wake:
		}
		for {
			raw, done := d.take()
			if done {
				return
			}
			if raw == nil {
				break
			}
			if batch := resolve(raw, d.exists); len(batch) > 0 {
				d.out <- batch
			}
		}
	}
}

// take cuts the pending batch if it is due, or at once once closed, and
// hands over the batches waiting, merged into one; nil if there are none.
// done is true once closed and nothing is left to send.
func (d *Debouncer) take() (raw map[string]ChangeOp, done bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		if len(d.pending) > 0 {
			d.cutLocked()
		}
	} else if !d.cutIfDueLocked(d.clock.Now()) && len(d.pending) > 0 {
		// Woken before the deadline (by a timer value that went stale
		// as Add moved the deadline on): make sure the timer still
		// fires at the deadline.
		d.timer.Reset(d.deadline.Sub(d.clock.Now()))
	}
	raw, d.waiting = d.waiting, nil
	return raw, raw == nil && d.closed
}

// cutIfDueLocked cuts the pending batch if it has changes and its deadline
// is not after now, and reports whether it did.
func (d *Debouncer) cutIfDueLocked(now time.Time) bool {
	if len(d.pending) == 0 || now.Before(d.deadline) {
		return false
	}
	d.cutLocked()
	return true
}

// cutLocked ends the pending batch: it joins the batches waiting for the
// sender, where a path keeps the op it had first.
func (d *Debouncer) cutLocked() {
	if d.waiting == nil {
		d.waiting = d.pending
	} else {
		for path, op := range d.pending {
			if _, seen := d.waiting[path]; !seen {
				d.waiting[path] = op
			}
		}
	}
	d.pending = map[string]ChangeOp{}
	d.timer.Stop()
}

// signal wakes run, unless it has a wake-up coming already.
func (d *Debouncer) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// resolve turns a batch's paths, each with its first op, into the Changes
// to send, sorted by path: Write for a path that exists, Remove for one
// that does not, and nothing for one that was created in this batch and is
// gone already.
func resolve(raw map[string]ChangeOp, exists func(path string) bool) []Change {
	batch := make([]Change, 0, len(raw))
	for path, first := range raw {
		switch {
		case exists(path):
			batch = append(batch, Change{Path: path, Op: Write})
		case first == Create:
			// Created and gone within the batch: a temporary file.
		default:
			batch = append(batch, Change{Path: path, Op: Remove})
		}
	}
	slices.SortFunc(batch, func(a, b Change) int { return strings.Compare(a.Path, b.Path) })
	return batch
}

// lstatExists reports whether path is there, a symbolic link counting as
// itself.
func lstatExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
