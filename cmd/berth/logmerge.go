package main

import (
	"sort"
	"sync"
	"time"

	"github.com/berth-dev/berth/engine"
)

// logMerger is the sink of `logs --merge`: it holds the lines of all
// containers and passes them to a printer in the order of their times
// (lines of one time in the order they came). Until the logs have caught
// up (engine.CatchUpSink) it holds every line; then each line waits for
// window, so that lines of other containers written at about the same
// moment but read later still go before it. Close writes what is held.
type logMerger struct {
	mu     sync.Mutex
	out    *logPrinter
	window time.Duration
	now    func() time.Time
	held   []heldLine
	seq    int
	stop   chan struct{}
	done   chan struct{}
}

// heldLine is a line logMerger has not written yet.
type heldLine struct {
	src     engine.LogSource
	stream  engine.Stream
	at      time.Time // when the engine received it
	arrived time.Time // when the merger did
	seq     int
	line    string
}

func newLogMerger(out *logPrinter, window time.Duration) *logMerger {
	return &logMerger{out: out, window: window, now: time.Now}
}

// Line implements engine.LogSink: a line without a time goes before the
// timed ones held.
func (m *logMerger) Line(src engine.LogSource, stream engine.Stream, line string) {
	m.TimedLine(src, stream, time.Time{}, line)
}

// TimedLine implements engine.TimedLogSink.
func (m *logMerger) TimedLine(src engine.LogSource, stream engine.Stream, at time.Time, line string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	m.held = append(m.held, heldLine{src: src, stream: stream, at: at, arrived: m.now(), seq: m.seq, line: line})
}

// Exit implements engine.LogSink: the lines held go first, so that the
// container's own lines come before its exit.
func (m *logMerger) Exit(e engine.ContainerExit) {
	m.mu.Lock()
	m.release(time.Time{}, true)
	m.mu.Unlock()
	m.out.Exit(e)
}

// CaughtUp implements engine.CatchUpSink: it writes the logs read so far,
// in order, and from then on writes each line once it has waited for the
// window.
func (m *logMerger) CaughtUp() {
	m.mu.Lock()
	m.release(time.Time{}, true)
	started := m.stop != nil
	if !started {
		m.stop, m.done = make(chan struct{}), make(chan struct{})
	}
	stop, done := m.stop, m.done
	m.mu.Unlock()
	if started {
		return
	}
	go func() {
		defer close(done)
		tick := time.NewTicker(m.window / 4)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				m.mu.Lock()
				m.release(m.now().Add(-m.window), false)
				m.mu.Unlock()
			}
		}
	}()
}

// Close writes every line held and stops the merger's timer.
func (m *logMerger) Close() {
	m.mu.Lock()
	stop, done := m.stop, m.done
	m.stop = nil
	m.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	m.mu.Lock()
	m.release(time.Time{}, true)
	m.mu.Unlock()
}

// release writes the held lines in time order: all of them, or the run
// of first lines in that order that arrived before cutoff. m.mu is held.
func (m *logMerger) release(cutoff time.Time, all bool) {
	n := orderHeld(m.held, cutoff, all)
	for _, h := range m.held[:n] {
		m.out.TimedLine(h.src, h.stream, h.at, h.line)
	}
	m.held = append(m.held[:0], m.held[n:]...)
}

// orderHeld sorts held lines by time, then by arrival, and returns how
// many of the first ones may be written: all of them, or as many as
// arrived before cutoff (a line that waits holds back the later ones).
func orderHeld(held []heldLine, cutoff time.Time, all bool) int {
	sort.Slice(held, func(i, j int) bool {
		if !held[i].at.Equal(held[j].at) {
			return held[i].at.Before(held[j].at)
		}
		return held[i].seq < held[j].seq
	})
	if all {
		return len(held)
	}
	n := 0
	for n < len(held) && held[n].arrived.Before(cutoff) {
		n++
	}
	return n
}
