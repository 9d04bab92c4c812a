package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// startPassingSignals starts the one-off container of res attached and
// passes o.IO.Signals on to it until it exits, as `docker run` does; it
// sets res.ExitCode. The container outlives ctx: the first interrupt
// (SIGINT or SIGTERM) is the container's to act on, the next one stops it
// (and with o.Remove removes it) and one more kills it; the error returned
// then says so and wraps context.Canceled.
func startPassingSignals(ctx context.Context, b Runner, res *RunResult, o RunOptions) error {
	bg := context.WithoutCancel(ctx)
	passed := make(chan string, 8)
	io := o.IO
	io.Signals = passed
	type exit struct {
		code int
		err  error
	}
	exited := make(chan exit, 1)
	go func() {
		code, err := b.StartOneOff(bg, res.ID, io)
		exited <- exit{code, err}
	}()
	notice := func(format string, args ...any) {
		if o.Notice != nil {
			o.Notice(fmt.Sprintf(format, args...))
		}
	}
	var (
		signals    = o.IO.Signals
		interrupts int
		force      = make(chan struct{})
		takenAway  = make(chan error, 1)
	)
	for {
		select {
		case e := <-exited:
			res.ExitCode = e.code
			if interrupts >= 2 {
				// stopped by Berth: the stop (and removal) says how it went
				return <-takenAway
			}
			if e.err != nil && o.Remove {
				e.err = errors.Join(e.err, b.RemoveOneOff(bg, res.ID))
			}
			return e.err
		case sig, ok := <-signals:
			if !ok {
				signals = nil
				continue
			}
			if sig != "SIGINT" && sig != "SIGTERM" {
				pass(passed, sig)
				continue
			}
			interrupts++
			switch interrupts {
			case 1:
				pass(passed, sig)
				notice("%s passed to %s; press Ctrl-C again to stop it", sig, res.Name)
			case 2:
				notice("stopping %s; press Ctrl-C again to kill it", res.Name)
				go func() { takenAway <- takeAway(bg, b, res, o.Remove, force, context.Canceled) }()
			case 3:
				notice("killing %s", res.Name)
				close(force)
			}
		}
	}
}

// pass queues sig for the container, dropping it when the queue is full
// (the container is not taking signals).
func pass(to chan<- string, sig string) {
	select {
	case to <- sig:
	default:
	}
}

// takeAway stops the one-off container of an interrupted run (killing
// it when force is closed meanwhile), and with remove removes it, and
// says so in the error it returns, which wraps cause.
func takeAway(ctx context.Context, b Runner, res *RunResult, remove bool, force <-chan struct{}, cause error) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	stopCtx, forced := context.WithCancel(cctx)
	defer forced()
	go func() {
		select {
		case <-force:
			forced()
		case <-stopCtx.Done():
		}
	}()
	what := "stopped"
	err := b.StopOneOff(stopCtx, res.ID, nil)
	if stopCtx.Err() != nil && cctx.Err() == nil {
		what = "killed"
		now := time.Duration(0)
		err = b.StopOneOff(cctx, res.ID, &now)
	}
	if remove {
		what += " and removed"
		err = errors.Join(err, b.RemoveOneOff(cctx, res.ID))
	}
	if err != nil {
		return fmt.Errorf("interrupted; taking %s away: %w", res.Name, errors.Join(err, cause))
	}
	return fmt.Errorf("interrupted: %s %s: %w", res.Name, what, cause)
}
