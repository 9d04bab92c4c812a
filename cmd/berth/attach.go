package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// attachOptions are the flags of attached `up`.
type attachOptions struct {
	attach       []string
	noAttach     []string
	attachDeps   bool
	abortOnExit  bool
	exitCodeFrom string
}

func (a *attachOptions) register(f *pflag.FlagSet) {
	f.StringArrayVar(&a.attach, "attach", nil, "Restrict attaching to the specified service (repeatable)")
	f.StringArrayVar(&a.noAttach, "no-attach", nil, "Do not attach (stream logs) to the specified service (repeatable)")
	f.BoolVar(&a.attachDeps, "attach-dependencies", false, "Also attach to the services the named services depend on")
	f.BoolVar(&a.abortOnExit, "abort-on-container-exit", false, "Stop all containers if any container was stopped")
	f.StringVar(&a.exitCodeFrom, "exit-code-from", "", "Return the exit code of the selected service container (implies --abort-on-container-exit)")
}

// validateFlags checks the attach flags against detached mode.
func (a *attachOptions) validateFlags(detached bool) error {
	if a.exitCodeFrom != "" {
		a.abortOnExit = true
	}
	if !detached {
		return nil
	}
	if a.exitCodeFrom != "" {
		return usageError("--exit-code-from and -d (or --wait) cannot be combined: the exit code comes from following the containers")
	}
	if a.abortOnExit {
		return usageError("--abort-on-container-exit and -d (or --wait) cannot be combined")
	}
	return nil
}

// attachment is what attached `up` follows and prints.
type attachment struct {
	// printed are the services whose output is shown.
	printed map[string]bool
	// followed are the services whose containers are followed (nil: all);
	// `up` ends when every one of their containers has exited.
	followed []string
	// stopped are the services stopped on Ctrl-C or abort.
	stopped []string
}

// selection works out which services attached `up` shows and follows, as
// Compose does: the services named on the command line (with
// --attach-dependencies, and their dependencies), or all; --attach
// replaces that, --no-attach removes from it.
func (a *attachOptions) selection(p *project.Project, opt planner.Options) (attachment, error) {
	g, err := p.Graph.Subset(opt.Services, !opt.NoDeps)
	if err != nil {
		return attachment{}, err
	}
	selected := g.Services()
	for _, list := range []struct {
		flag  string
		names []string
	}{{"--attach", a.attach}, {"--no-attach", a.noAttach}, {"--exit-code-from", []string{a.exitCodeFrom}}} {
		for _, s := range list.names {
			if s != "" && !contains(selected, s) {
				return attachment{}, usageError("%s %s: no such service in this up (services: %s)", list.flag, s, strings.Join(selected, ", "))
			}
		}
	}
	names := a.attach
	switch {
	case len(names) > 0:
	case len(opt.Services) > 0 && !a.attachDeps:
		names = opt.Services
	default:
		names = selected
	}
	sel := attachment{printed: map[string]bool{}, stopped: selected}
	for _, s := range names {
		if !contains(a.noAttach, s) && !sel.printed[s] {
			sel.printed[s] = true
			sel.followed = append(sel.followed, s)
		}
	}
	if a.exitCodeFrom != "" && !sel.printed[a.exitCodeFrom] {
		sel.followed = append(sel.followed, a.exitCodeFrom)
	}
	if len(sel.followed) == 0 {
		sel.followed = selected // nothing shown: wait for all to exit
	}
	return sel, nil
}

// runAttached follows the output of the attached services until every one
// of their containers has exited. On Ctrl-C (ctx canceled) it stops the
// services `up` ran, gracefully, or at once on a second Ctrl-C, and exits
// with 130; with --abort-on-container-exit it does the same when a
// container exits, and returns that container's exit code (or, with
// --exit-code-from, that service's).
func runAttached(ctx context.Context, stdout, stderr io.Writer, c engine.Backend, p *project.Project, o *upOptions, sel attachment, since time.Time) error {
	followCtx, cancelFollow := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelFollow()
	exits := make(chan engine.ContainerExit)
	lp := &logPrinter{w: stdout, project: p.Name(), printed: sel.printed, exits: exits, width: prefixWidth(ctx, c, p.Name(), sel.printed), color: isTerminal(stdout)}
	followDone := make(chan error, 1)
	go func() {
		followDone <- c.Follow(followCtx, p.Name(), engine.FollowOptions{Services: sel.followed, Since: since, UntilCanceled: o.watch}, lp)
	}()

	// a second Ctrl-C once the first canceled ctx: main's NotifyContext
	// keeps its registration, so signals do not end the process
	sigs := make(chan os.Signal, 1)
	defer signal.Stop(sigs)
	var secondSignal <-chan os.Signal

	stopDone := make(chan error)
	stopping := 0
	stop := func(timeout *time.Duration) {
		stopping++
		go func() {
			// on a context of its own: it runs because ctx was canceled
			pr := newProgress(stderr, o.progress, nil)
			defer pr.close()
			_, err := engine.Stop(context.Background(), c, p, engine.StopOptions{Services: sel.stopped, Timeout: timeout, Parallel: o.parallel}, pr)
			stopDone <- err
		}()
	}

	var (
		interrupted, aborted bool
		code                 int
		fromSeen             bool
		errs                 []error
		following            = true
		ctxDone              = ctx.Done()
	)
	for following || stopping > 0 {
		select {
		case <-ctxDone:
			ctxDone = nil
			interrupted = true
			signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
			secondSignal = sigs
			fmt.Fprintln(stderr, "Gracefully stopping... (press Ctrl+C again to force)")
			stop(seconds(o.timeout))
		case <-secondSignal:
			secondSignal = nil
			fmt.Fprintln(stderr, "Killing...")
			zero := time.Duration(0)
			stop(&zero)
		case e := <-exits:
			if e.Restarting {
				continue
			}
			if o.exitCodeFrom != "" && e.Service == o.exitCodeFrom && !fromSeen {
				fromSeen = true
				code = e.ExitCode
			}
			if o.abortOnExit && !aborted && !interrupted {
				aborted = true
				if !fromSeen {
					code = e.ExitCode
				}
				fmt.Fprintln(stderr, "Aborting on container exit...")
				stop(seconds(o.timeout))
			}
		case err := <-followDone:
			following = false
			if err != nil && !errors.Is(err, context.Canceled) {
				errs = append(errs, err)
			}
		case err := <-stopDone:
			stopping--
			if err != nil {
				errs = append(errs, err)
				// containers may still run: stop following them
				cancelFollow()
			}
			if o.watch {
				// --watch follows until canceled: the stop ends it
				cancelFollow()
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	switch {
	case aborted && code != 0:
		return &exitError{code: code}
	case aborted:
		return nil
	case interrupted:
		return &exitError{code: 130}
	}
	return nil
}

// prefixWidth is the width container names are padded to: one more than
// the longest name among the printed services' containers. Names that come
// later and are longer widen it.
func prefixWidth(ctx context.Context, c engine.Backend, projectName string, printed map[string]bool) int {
	width := 0
	cs, _ := c.List(ctx, projectName, true)
	for _, ctr := range cs {
		if printed[ctr.Service] {
			width = max(width, len(logName(projectName, ctr.Service, ctr.Number, ctr.Name))+1)
		}
	}
	return width
}
