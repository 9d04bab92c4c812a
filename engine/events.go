package engine

import (
	"fmt"
	"sync"
	"time"

	"github.com/berth-dev/berth/planner"
)

// Status of an action as the executor reports it.
type Status int

// The statuses. An action that runs reports Started, any number of
// Progress, and then Done or Failed; an action that does not run reports
// only Skipped. Warning and Info carry messages of the operation that
// belong to no action (a plan's warnings, waiting for another Berth).
const (
	// Started: Runtime.Do has been called for the action.
	Started Status = iota + 1
	// Done: Runtime.Do returned nil.
	Done
	// Failed: Runtime.Do returned an error.
	Failed
	// Skipped: the action did not run, because an action it depends on
	// failed or because the context was canceled.
	Skipped
	// Progress: a line of the action's output (a build's, a pull's).
	Progress
	// Warning: something the user should know; nothing failed.
	Warning
	// Info: a message about the operation as a whole.
	Info
)

var statusNames = map[Status]string{
	Started:  "started",
	Done:     "done",
	Failed:   "failed",
	Skipped:  "skipped",
	Progress: "progress",
	Warning:  "warning",
	Info:     "info",
}

func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// Event is one thing that happened while Berth carried out an operation:
// an action's start, output, end or skip, or a message of the operation.
type Event struct {
	// Time is when it happened.
	Time time.Time
	// Action is the action it is about: its ID, Kind, typed Resource,
	// engine Name and Reason. Zero for Warning and Info.
	Action planner.Action
	Status Status
	// Text is a line of output (Progress) or the message (Warning, Info).
	Text string
	// Duration is, for Done and Failed, how long the action took.
	Duration time.Duration
	// Err is, for Failed, the error Runtime.Do returned (for an await
	// interrupted by cancellation it wraps context.Canceled); for Skipped,
	// why the action did not run: "skipped: dependency <resource> failed",
	// or an error wrapping the context's error when it was canceled. It is
	// nil otherwise.
	Err error
}

// Sink receives events. Event must return promptly.
type Sink interface {
	Event(e Event)
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(Event)

// Event implements Sink.
func (f SinkFunc) Event(e Event) { f(e) }

// Emit sends a message of an operation — a Warning or Info event, about no
// action — to sink, if any.
func Emit(sink Sink, s Status, text string) {
	if sink != nil {
		sink.Event(Event{Time: time.Now(), Status: s, Text: text})
	}
}

// Bus fans events out to subscribers without letting a slow one stall
// the sender: each subscriber has its own queue, drained by its own
// goroutine, so Event only appends. Every subscriber sees every event sent
// after it subscribed, in order.
type Bus struct {
	mu   sync.Mutex
	subs []*subscriber
}

type subscriber struct {
	mu     sync.Mutex
	wake   *sync.Cond
	queue  []Event
	closed bool
	done   chan struct{}
}

// NewBus returns a bus with no subscribers.
func NewBus() *Bus { return &Bus{} }

// Subscribe calls fn with each event sent from now on, from a goroutine of
// its own. The returned function unsubscribes, after fn has seen the events
// sent before it was called.
func (s *Bus) Subscribe(fn func(Event)) (unsubscribe func()) {
	sub := &subscriber{done: make(chan struct{})}
	sub.wake = sync.NewCond(&sub.mu)
	go sub.run(fn)
	s.mu.Lock()
	s.subs = append(s.subs, sub)
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			for i, x := range s.subs {
				if x == sub {
					s.subs = append(s.subs[:i:i], s.subs[i+1:]...)
					break
				}
			}
			s.mu.Unlock()
			sub.close()
			<-sub.done
		})
	}
}

// Event implements Sink: it queues e for every subscriber and returns.
func (s *Bus) Event(e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sub := range s.subs {
		sub.mu.Lock()
		sub.queue = append(sub.queue, e)
		sub.mu.Unlock()
		sub.wake.Signal()
	}
}

// Close unsubscribes everyone, after each has seen every event sent.
func (s *Bus) Close() {
	s.mu.Lock()
	subs := s.subs
	s.subs = nil
	s.mu.Unlock()
	for _, sub := range subs {
		sub.close()
		<-sub.done
	}
}

func (sub *subscriber) close() {
	sub.mu.Lock()
	sub.closed = true
	sub.mu.Unlock()
	sub.wake.Signal()
}

func (sub *subscriber) run(fn func(Event)) {
	defer close(sub.done)
	for {
		sub.mu.Lock()
		for len(sub.queue) == 0 && !sub.closed {
			sub.wake.Wait()
		}
		batch := sub.queue
		sub.queue = nil
		closed := sub.closed
		sub.mu.Unlock()
		for _, e := range batch {
			fn(e)
		}
		if closed && len(batch) == 0 {
			return
		}
	}
}
