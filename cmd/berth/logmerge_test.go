package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

func TestOrderHeld(t *testing.T) {
	base := time.Unix(1000, 0)
	at := func(s int) time.Time { return base.Add(time.Duration(s) * time.Second) }
	held := []heldLine{
		{line: "b2", at: at(2), arrived: at(10), seq: 1},
		{line: "a1", at: at(1), arrived: at(11), seq: 2},
		{line: "c2", at: at(2), arrived: at(12), seq: 3},
		{line: "a3", at: at(3), arrived: at(13), seq: 4},
	}
	if n := orderHeld(held, time.Time{}, true); n != 4 {
		t.Fatalf("all: %d", n)
	}
	var order []string
	for _, h := range held {
		order = append(order, h.line)
	}
	// by time, and lines of one time in the order they came
	if got := strings.Join(order, " "); got != "a1 b2 c2 a3" {
		t.Fatalf("order %s", got)
	}
	// a1 arrived at 11: before cutoff 11.5 only it and b2 (arrived 10)...
	// but b2 comes after a1, so the run stops at the first line that waits
	if n := orderHeld(held, at(12), false); n != 2 {
		t.Fatalf("cutoff 12: %d lines ready, want 2 (a1, b2)", n)
	}
	if n := orderHeld(held, at(11), false); n != 0 {
		t.Fatalf("cutoff 11: %d ready, want 0 (a1, the earliest, still waits)", n)
	}
}

// TestLogMerger: before catching up every line waits, then the backlog
// goes out in time order; afterwards a line waits for the window; an exit
// first writes what is held; Close writes the rest.
func TestLogMerger(t *testing.T) {
	var out bytes.Buffer
	m := newLogMerger(&logPrinter{w: &out}, time.Hour) // the ticker never fires in this test
	clock := time.Unix(5000, 0)
	m.now = func() time.Time { return clock }
	a := engine.LogSource{Name: "p-a-1", Service: "a"}
	b := engine.LogSource{Name: "p-b-1", Service: "b"}
	t0 := time.Unix(100, 0)
	m.TimedLine(a, engine.Stdout, t0.Add(3), "a3")
	m.TimedLine(a, engine.Stdout, t0.Add(1), "a1")
	m.TimedLine(b, engine.Stderr, t0.Add(2), "b2")
	if out.Len() != 0 {
		t.Fatalf("lines written before catching up:\n%s", out.String())
	}
	m.CaughtUp()
	want := "p-a-1  | a1\np-b-1  | b2\np-a-1  | a3\n"
	if out.String() != want {
		t.Fatalf("backlog:\n%s\nwant:\n%s", out.String(), want)
	}
	out.Reset()
	m.TimedLine(b, engine.Stdout, t0.Add(6), "b6")
	m.TimedLine(a, engine.Stdout, t0.Add(5), "a5")
	m.mu.Lock()
	m.release(clock.Add(-m.window), false)
	m.mu.Unlock()
	if out.Len() != 0 {
		t.Fatalf("a line went out before its window:\n%s", out.String())
	}
	m.mu.Lock()
	m.release(clock.Add(time.Second), false)
	m.mu.Unlock()
	if want := "p-a-1  | a5\np-b-1  | b6\n"; out.String() != want {
		t.Fatalf("after the window:\n%s\nwant:\n%s", out.String(), want)
	}
	out.Reset()
	m.TimedLine(a, engine.Stdout, t0.Add(7), "a7")
	m.Exit(engine.ContainerExit{LogSource: a, ExitCode: 3})
	m.TimedLine(b, engine.Stdout, t0.Add(8), "b8")
	m.Close()
	if want := "p-a-1  | a7\np-a-1 exited with code 3\np-b-1  | b8\n"; out.String() != want {
		t.Fatalf("exit and close:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestLogPrinter(t *testing.T) {
	web := engine.LogSource{Name: "p-web-1", Service: "web", Number: 1}
	db := engine.LogSource{Name: "p-db-10", Service: "db", Number: 10}
	at := time.Date(2024, 5, 1, 10, 0, 0, 120000000, time.FixedZone("X", 3600))
	for _, c := range []struct {
		name string
		p    func() *logPrinter
		want string
		// second is the container that writes "two"
		second engine.LogSource
	}{
		{"plain, names padded to the longest", func() *logPrinter { return &logPrinter{} },
			"p-web-1  | one\np-db-10  | two\np-web-1 exited with code 2 (restarting)\n", db},
		{"timestamps in UTC with nine digits", func() *logPrinter { return &logPrinter{timestamps: true} },
			"p-web-1  | 2024-05-01T09:00:00.120000000Z one\np-db-10  | 2024-05-01T09:00:00.120000000Z two\np-web-1 exited with code 2 (restarting)\n", db},
		{"the project's name left out", func() *logPrinter { return &logPrinter{project: "p"} },
			"web-1  | one\ndb-10  | two\nweb-1 exited with code 2 (restarting)\n", db},
		// Compose shortens only the default names: a container_name, even
		// one that begins with the project's name, is printed whole
		{"a container_name kept whole", func() *logPrinter { return &logPrinter{project: "p"} },
			"web-1  | one\np-db   | two\nweb-1 exited with code 2 (restarting)\n",
			engine.LogSource{Name: "p-db", Service: "db", Number: 1}},
		{"a one-off's name kept whole", func() *logPrinter { return &logPrinter{project: "p"} },
			"web-1  | one\np-db-run-0123456789ab  | two\nweb-1 exited with code 2 (restarting)\n",
			engine.LogSource{Name: "p-db-run-0123456789ab", Service: "db", Number: 1}},
		{"no prefix", func() *logPrinter { return &logPrinter{noPrefix: true} }, "one\ntwo\np-web-1 exited with code 2 (restarting)\n", db},
		{"colours by container", func() *logPrinter { return &logPrinter{color: true} },
			"\033[36mp-web-1  | \033[0mone\n\033[33mp-db-10  | \033[0mtwo\n\033[36mp-web-1 exited with code 2 (restarting)\033[0m\n", db},
		{"only the printed services", func() *logPrinter { return &logPrinter{printed: map[string]bool{"db": true}} }, "p-db-10  | two\n", db},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			p := c.p()
			p.w = &out
			p.TimedLine(web, engine.Stdout, at, "one")
			p.TimedLine(c.second, engine.Stderr, at, "two")
			p.Exit(engine.ContainerExit{LogSource: web, ExitCode: 2, Restarting: true})
			if out.String() != c.want {
				t.Fatalf("got:\n%q\nwant:\n%q", out.String(), c.want)
			}
		})
	}
}
