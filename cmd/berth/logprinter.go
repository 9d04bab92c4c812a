package main

import (
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/berth-dev/berth/engine"
)

// logPrinter prints containers' output as Compose does, "name  | line"
// (the names padded to the longest seen), each container's prefix in a
// colour of its own on a terminal, and each exit as "name exited with
// code N"; attached `up` and `logs` use it. It passes exits on to exits
// when that is set.
type logPrinter struct {
	mu    sync.Mutex
	w     io.Writer
	width int
	// project is the project's name, which the prefixes leave out
	// ("web-1" for shop-web-1), as Compose's do.
	project string
	// printed are the services whose output is shown; nil shows all.
	printed map[string]bool
	// exits, when set, receives every exit, after it is printed.
	exits chan<- engine.ContainerExit
	// color paints each container's prefix and exit (a terminal).
	color bool
	// noPrefix prints lines without the "name  | " prefix.
	noPrefix bool
	// timestamps prints each line's time after the prefix, for lines
	// that come with one.
	timestamps bool
	colors     map[string]string // ANSI colour by container name
}

// rfc3339NanoFixed is the engine's timestamp format: RFC 3339 with all
// nine digits of nanoseconds, so times line up.
const rfc3339NanoFixed = "2006-01-02T15:04:05.000000000Z07:00"

// prefixColors are the colours given to containers in turn, Compose's.
var prefixColors = [...]string{"36", "33", "32", "35", "34", "36;1", "33;1", "32;1", "35;1", "34;1"}

// label is how a container is named in the output: see logName.
func (l *logPrinter) label(src engine.LogSource) string {
	return logName(l.project, src.Service, src.Number, src.Name)
}

// logName is how log prefixes name a container, as Compose's
// getContainerNameWithoutProject does: a default name,
// PROJECT-SERVICE-NUMBER, without "PROJECT-" (web-1); any other name (a
// container_name, even one that begins with the project's name, or a
// one-off's) as it is.
func logName(project, service string, number int, name string) string {
	if project == "" || service == "" || name != project+"-"+service+"-"+strconv.Itoa(number) {
		return name
	}
	return name[len(project)+1:]
}

func (l *logPrinter) shows(service string) bool { return l.printed == nil || l.printed[service] }

// paint colours s with the container's colour; l.mu is held.
func (l *logPrinter) paint(name, s string) string {
	if !l.color {
		return s
	}
	if l.colors == nil {
		l.colors = map[string]string{}
	}
	c, ok := l.colors[name]
	if !ok {
		c = prefixColors[len(l.colors)%len(prefixColors)]
		l.colors[name] = c
	}
	return "\033[" + c + "m" + s + "\033[0m"
}

// Line implements engine.LogSink.
func (l *logPrinter) Line(src engine.LogSource, stream engine.Stream, line string) {
	l.TimedLine(src, stream, time.Time{}, line)
}

// TimedLine implements engine.TimedLogSink.
func (l *logPrinter) TimedLine(src engine.LogSource, _ engine.Stream, at time.Time, line string) {
	if !l.shows(src.Service) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timestamps && !at.IsZero() {
		line = at.UTC().Format(rfc3339NanoFixed) + " " + line
	}
	if l.noPrefix {
		fmt.Fprintln(l.w, line)
		return
	}
	name := l.label(src)
	l.width = max(l.width, len(name)+1)
	fmt.Fprintf(l.w, "%s%s\n", l.paint(src.Name, fmt.Sprintf("%-*s | ", l.width, name)), line)
}

// Exit implements engine.LogSink.
func (l *logPrinter) Exit(e engine.ContainerExit) {
	if l.shows(e.Service) {
		l.mu.Lock()
		restarting := ""
		if e.Restarting {
			restarting = " (restarting)"
		}
		fmt.Fprintln(l.w, l.paint(e.Name, fmt.Sprintf("%s exited with code %d%s", l.label(e.LogSource), e.ExitCode, restarting)))
		l.mu.Unlock()
	}
	if l.exits != nil {
		l.exits <- e
	}
}
