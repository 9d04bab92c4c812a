package main

import (
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/berth-dev/berth/engine"
)

// localTerminal returns the terminal in and out are on, for a session on
// a remote TTY, or nil when either is not a terminal. stop ends following
// the terminal's size.
func localTerminal(in io.Reader, out io.Writer) (t *engine.Terminal, stop func()) {
	inFile, ok1 := in.(*os.File)
	outFile, ok2 := out.(*os.File)
	if !ok1 || !ok2 || !term.IsTerminal(int(inFile.Fd())) || !term.IsTerminal(int(outFile.Fd())) {
		return nil, func() {}
	}
	inFd, outFd := int(inFile.Fd()), int(outFile.Fd())
	size := func() engine.TermSize {
		w, h, err := term.GetSize(outFd)
		if err != nil || w <= 0 || h <= 0 {
			return engine.TermSize{}
		}
		return engine.TermSize{Height: uint(h), Width: uint(w)}
	}
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	resize := make(chan engine.TermSize, 1)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-winch:
				select {
				case <-resize: // drop a size not taken yet: only the last one counts
				default:
				}
				resize <- size()
			case <-done:
				return
			}
		}
	}()
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
	return t, func() { signal.Stop(winch); close(done) }
}

// proxySignals delivers the signals `attach --sig-proxy` forwards to the
// container, by the names the engine takes, until stop.
func proxySignals() (signals <-chan string, stop func()) {
	names := map[os.Signal]string{
		syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM", syscall.SIGHUP: "SIGHUP",
		syscall.SIGQUIT: "SIGQUIT", syscall.SIGUSR1: "SIGUSR1", syscall.SIGUSR2: "SIGUSR2",
	}
	in := make(chan os.Signal, 8)
	out := make(chan string, 8)
	for s := range names {
		signal.Notify(in, s)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-in:
				select {
				case out <- names[s]:
				default: // the container is not taking signals: drop it
				}
			case <-done:
				return
			}
		}
	}()
	return out, func() { signal.Stop(in); close(done) }
}
