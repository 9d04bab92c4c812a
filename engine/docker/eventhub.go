package docker

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/docker/docker/api/types/events"
)

// eventHub shares one engine event stream among every wait of a project:
// the stream starts with the first wait and runs until the client is
// closed, and each waiter is woken by the events about its service's
// containers. One stream per run, not one per wait.
type eventHub struct {
	c       *Client
	project string

	mu      sync.Mutex
	waiters map[*waiter]struct{}
	cancel  context.CancelFunc // of the running stream; nil when none runs
	// history holds the latest events, given to each new waiter: the
	// engine reports a change before a container list shows it, so a
	// waiter that subscribes just after an event still learns of it.
	history []events.Message
}

// historySize is how many recent events the hub keeps for new waiters.
const historySize = 256

// waiter is one wait's view of the hub.
type waiter struct {
	service string
	// wake has room for one signal: events that come while the waiter is
	// checking the state collapse into one re-check.
	wake chan struct{}
	// failed receives the stream's error, once.
	failed chan error

	mu      sync.Mutex
	pending []events.Message // about the service, not yet taken
}

// deliver queues m for the waiter and wakes it.
func (w *waiter) deliver(m events.Message) {
	w.mu.Lock()
	w.pending = append(w.pending, m)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// take returns the events delivered since the last take, in order.
func (w *waiter) take() []events.Message {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.pending
	w.pending = nil
	return out
}

// hub returns the client's event hub for the project.
func (c *Client) hub(project string) *eventHub {
	c.hubsMu.Lock()
	defer c.hubsMu.Unlock()
	if c.hubs == nil {
		c.hubs = map[string]*eventHub{}
	}
	h, ok := c.hubs[project]
	if !ok {
		h = &eventHub{c: c, project: project, waiters: map[*waiter]struct{}{}}
		c.hubs[project] = h
	}
	return h
}

// subscribe registers a waiter for service's containers, starting the
// stream if none runs. A new stream replays the events since a second
// before it started, so a change between subscribing and the waiter's
// first look at the state is not missed. The returned function
// unsubscribes.
func (h *eventHub) subscribe(service string) (*waiter, func()) {
	w := &waiter{service: service, wake: make(chan struct{}, 1), failed: make(chan error, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.waiters[w] = struct{}{}
	for _, m := range h.history {
		if m.Actor.Attributes[LabelService] == service {
			w.deliver(m)
		}
	}
	if h.cancel == nil {
		ctx, cancel := context.WithCancel(context.Background())
		h.cancel = cancel
		go h.run(ctx)
	}
	return w, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.waiters, w)
	}
}

// stop ends the stream, if one runs.
func (h *eventHub) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cancel != nil {
		h.cancel()
		h.cancel = nil
	}
}

func (h *eventHub) run(ctx context.Context) {
	f := projectFilter(h.project)
	f.Add("type", string(events.ContainerEventType))
	since := strconv.FormatInt(time.Now().Add(-time.Second).Unix(), 10)
	msgs, errs := h.c.api.Events(ctx, events.ListOptions{Filters: f, Since: since})
	for {
		select {
		case m := <-msgs:
			svc := m.Actor.Attributes[LabelService]
			h.mu.Lock()
			if len(h.history) == historySize {
				h.history = append(h.history[:0], h.history[1:]...)
			}
			h.history = append(h.history, m)
			for w := range h.waiters {
				if w.service == svc {
					w.deliver(m)
				}
			}
			h.mu.Unlock()
		case err := <-errs:
			if ctx.Err() != nil {
				return
			}
			h.mu.Lock()
			for w := range h.waiters {
				select {
				case w.failed <- fmt.Errorf("reading engine events: %w", err):
				default:
				}
			}
			// the next subscriber starts a new stream
			if h.cancel != nil {
				h.cancel()
				h.cancel = nil
			}
			h.mu.Unlock()
			return
		case <-ctx.Done():
			return
		}
	}
}
