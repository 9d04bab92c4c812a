package main

import (
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"golang.org/x/term"

	"github.com/berth-dev/berth/engine"
)

// terminalFd reports whether v is a file on a terminal, and its file
// descriptor.
func terminalFd(v any) (int, bool) {
	f, ok := v.(*os.File)
	if !ok {
		return 0, false
	}
	fd := int(f.Fd())
	return fd, term.IsTerminal(fd)
}

// isTerminal is true when v is a file on a terminal.
func isTerminal(v any) bool {
	_, ok := terminalFd(v)
	return ok
}

// onTerminals is true when standard input and output are both terminals:
// where exec and run give the container a TTY unless told otherwise.
func onTerminals(in io.Reader, out io.Writer) bool {
	return isTerminal(in) && isTerminal(out)
}

// localTerminal returns the terminal in is on, for a session on a remote
// TTY, or nil when in is not a terminal: raw mode applies to in, and the
// sizes are out's when out is a terminal too, else in's. stop ends
// following the terminal's size.
func localTerminal(in io.Reader, out io.Writer) (t *engine.Terminal, stop func()) {
	inFd, ok := terminalFd(in)
	if !ok {
		return nil, func() {}
	}
	sizeFd := inFd
	if outFd, ok := terminalFd(out); ok {
		sizeFd = outFd
	}
	size := func() engine.TermSize {
		w, h, err := term.GetSize(sizeFd)
		if err != nil || w <= 0 || h <= 0 {
			return engine.TermSize{}
		}
		return engine.TermSize{Height: uint(h), Width: uint(w)}
	}
	resize := make(chan engine.TermSize, 1)
	stop = onSignals(func(os.Signal) {
		select {
		case <-resize: // drop a size not taken yet: only the last one counts
		default:
		}
		resize <- size()
	}, syscall.SIGWINCH)
	t = &engine.Terminal{
		Size:   size(),
		Resize: resize,
		Raw: func() (func(), error) {
			st, err := term.MakeRaw(inFd)
			if err != nil {
				return nil, err
			}
			return func() { _ = term.Restore(inFd, st) }, nil
		},
	}
	return t, stop
}

// proxySignals delivers the signals `attach --sig-proxy` and an attached
// `run` forward to the container, by the names the engine takes, until
// stop.
func proxySignals() (signals <-chan string, stop func()) {
	names := map[os.Signal]string{
		syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM", syscall.SIGHUP: "SIGHUP",
		syscall.SIGQUIT: "SIGQUIT", syscall.SIGUSR1: "SIGUSR1", syscall.SIGUSR2: "SIGUSR2",
	}
	out := make(chan string, 8)
	stop = onSignals(func(s os.Signal) {
		select {
		case out <- names[s]:
		default: // the container is not taking signals: drop it
		}
	}, slices.Collect(maps.Keys(names))...)
	return out, stop
}

// onSignals calls f, one call at a time, with each of sigs that Berth
// receives until stop.
func onSignals(f func(os.Signal), sigs ...os.Signal) (stop func()) {
	in := make(chan os.Signal, 8)
	signal.Notify(in, sigs...)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-in:
				f(s)
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(in); close(done) }
}
