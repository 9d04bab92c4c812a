package engine

import (
	"sync"
	"testing"
	"time"
)

// TestBusSlowSubscriberDoesNotStallSender: a subscriber that blocks does not
// hold up Event, and every subscriber sees every event, in order, by the
// time Close returns.
func TestBusSlowSubscriberDoesNotStallSender(t *testing.T) {
	bus := NewBus()
	release := make(chan struct{})
	var mu sync.Mutex
	var slow, fast []string
	bus.Subscribe(func(e Event) {
		<-release
		mu.Lock()
		slow = append(slow, e.Text)
		mu.Unlock()
	})
	bus.Subscribe(func(e Event) {
		mu.Lock()
		fast = append(fast, e.Text)
		mu.Unlock()
	})
	sent := make(chan struct{})
	go func() {
		for _, s := range []string{"a", "b", "c"} {
			bus.Event(Event{Status: Info, Text: s})
		}
		close(sent)
	}()
	select {
	case <-sent:
	case <-time.After(5 * time.Second):
		t.Fatal("Event blocked on a slow subscriber")
	}
	close(release)
	bus.Close()
	if got := len(slow); got != 3 || slow[0] != "a" || slow[2] != "c" {
		t.Errorf("slow subscriber saw %v", slow)
	}
	if len(fast) != 3 {
		t.Errorf("fast subscriber saw %v", fast)
	}
}

// TestBusUnsubscribeDrains: unsubscribing returns after the subscriber has
// seen what was sent before, and it sees nothing after.
func TestBusUnsubscribeDrains(t *testing.T) {
	bus := NewBus()
	var got []string
	unsubscribe := bus.Subscribe(func(e Event) { got = append(got, e.Text) })
	bus.Event(Event{Text: "one"})
	bus.Event(Event{Text: "two"})
	unsubscribe()
	bus.Event(Event{Text: "three"})
	if len(got) != 2 || got[1] != "two" {
		t.Errorf("saw %v, want one and two", got)
	}
}
