package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/berth-dev/berth/engine"
)

// pipe streams stdin (if any) into a hijacked exec or attach connection,
// closing the connection's input when stdin ends, and the connection's
// output to stdout and stderr (demultiplexed unless tty) until the output
// ends, stdin reads the detach keys (engine.ErrDetached), or ctx ends.
// Nil writers discard.
func pipe(ctx context.Context, att types.HijackedResponse, stdin io.Reader, stdout, stderr io.Writer, tty bool) error {
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	output := make(chan error, 1)
	go func() {
		var err error
		if tty {
			_, err = io.Copy(stdout, att.Reader)
		} else {
			_, err = stdcopy.StdCopy(stdout, stderr, att.Reader)
		}
		output <- err
	}()
	detached := make(chan struct{})
	if stdin != nil {
		go func() {
			_, err := io.Copy(att.Conn, stdin)
			if errors.Is(err, engine.ErrDetached) {
				close(detached)
				return
			}
			_ = att.CloseWrite()
		}()
	}
	select {
	case err := <-output:
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading the output: %w", err)
		}
		return nil
	case <-detached:
		return engine.ErrDetached
	case <-ctx.Done():
		return ctx.Err()
	}
}

// useTerminal puts the local terminal t in raw mode, sizes the remote TTY
// as t is and follows t's resizes until ctx ends; the returned function
// stops following and restores the terminal. The sizing does not hold up
// the session: a TTY that does not exist yet (an exec's right after its
// start) is retried a few times, and a size that cannot be set never fails
// the session.
func useTerminal(ctx context.Context, t *engine.Terminal, resize func(context.Context, engine.TermSize) error) (func(), error) {
	restore := func() {}
	if t.Raw != nil {
		r, err := t.Raw()
		if err != nil {
			return nil, fmt.Errorf("setting the terminal to raw mode: %w", err)
		}
		restore = r
	}
	ctx, cancel := context.WithCancel(ctx)
	sized := func(s engine.TermSize) bool { return s.Height > 0 && s.Width > 0 }
	go func() {
		if sized(t.Size) {
			for i := 1; i <= 10 && resize(ctx, t.Size) != nil; i++ {
				select {
				case <-time.After(time.Duration(i) * 10 * time.Millisecond):
				case <-ctx.Done():
					return
				}
			}
		}
		for {
			select {
			case size, ok := <-t.Resize:
				if !ok {
					return
				}
				if sized(size) {
					_ = resize(ctx, size)
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() { cancel(); restore() }, nil
}
