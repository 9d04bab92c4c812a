package watch

import "time"

// Clock is time as the debouncer sees it; tests inject a fake.
type Clock interface {
	// Now is the current time.
	Now() time.Time
	// NewTimer starts a timer that fires once, after d.
	NewTimer(d time.Duration) Timer
}

// Timer fires once on C after its duration, like a time.Timer.
type Timer interface {
	// C is where the timer delivers the time it fired.
	C() <-chan time.Time
	// Stop keeps the timer from firing; it reports whether the timer was
	// running.
	Stop() bool
	// Reset makes the timer fire after d from now; it reports whether the
	// timer was running.
	Reset(d time.Duration) bool
}

// RealClock is the wall clock, with time.Timer timers.
func RealClock() Clock { return realClock{} }

// realClock is RealClock's Clock.
type realClock struct{}

// Now is time.Now.
func (realClock) Now() time.Time { return time.Now() }

// NewTimer is time.NewTimer.
func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

// realTimer is a time.Timer seen as a Timer.
type realTimer struct{ t *time.Timer }

// C is the time.Timer's channel.
func (r realTimer) C() <-chan time.Time { return r.t.C }

// Stop is time.Timer.Stop.
func (r realTimer) Stop() bool { return r.t.Stop() }

// Reset is time.Timer.Reset.
func (r realTimer) Reset(d time.Duration) bool { return r.t.Reset(d) }
