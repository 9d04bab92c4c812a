package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine/docker"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// upOptions are the flags of `berth up`.
type upOptions struct {
	*globalOptions
	planFlags
	images      imageFlags
	detach      bool
	wait        bool
	waitTimeout int
	timeout     int
	attachOptions
}

func newUpCommand(g *globalOptions) *cobra.Command {
	o := &upOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "up [OPTIONS] [SERVICE...]",
		Short: "Create and start containers: plan the difference and apply it",
		Long: "Create and start the project's containers. Berth observes what runs, plans the difference\n" +
			"(see `berth plan`), and applies it: independent containers are created and started in\n" +
			"parallel, dependents wait for their dependencies' conditions.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUp(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	f := c.Flags()
	o.planFlags.register(f)
	f.BoolVarP(&o.detach, "detach", "d", false, "Detached mode: run containers in the background")
	f.BoolVar(&o.wait, "wait", false, "Wait for services to be running or healthy (implies detached mode)")
	f.IntVar(&o.waitTimeout, "wait-timeout", 0, "Maximum seconds to wait with --wait (0: no limit)")
	f.IntVarP(&o.timeout, "timeout", "t", -1, "Seconds to wait for containers to stop when replacing them")
	f.BoolVar(&o.images.build, "build", false, "Build images before starting containers")
	f.BoolVar(&o.images.noBuild, "no-build", false, "Don't build an image, even if it's missing")
	f.StringVar(&o.images.pull, "pull", "", "Pull images before running: always, missing, never or build (default: each service's pull_policy)")
	o.attachOptions.register(f)
	return c
}

func runUp(ctx context.Context, stdout, stderr io.Writer, o *upOptions, services []string) error {
	if o.waitTimeout < 0 {
		return usageError("invalid --wait-timeout %d: use a number of seconds, or 0 for no limit", o.waitTimeout)
	}
	detached := o.detach || o.wait
	if err := o.attachOptions.validateFlags(detached); err != nil {
		return err
	}
	p, err := o.loadForChange(ctx, services)
	if err != nil {
		return err
	}
	opt, err := o.planFlags.options(p, services, o.streams)
	if err != nil {
		return err
	}
	var sel attachment
	attached := !detached && !o.dryRun && !opt.NoStart
	if attached {
		if sel, err = o.attachOptions.selection(p, opt); err != nil {
			return err
		}
	}
	c, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()

	steps, err := imageSteps(ctx, c, p, opt, o.images)
	if err != nil {
		return err
	}
	if o.dryRun {
		printImageSteps(stdout, steps)
		plan, err := computePlan(ctx, c, p, opt)
		if err != nil {
			return err
		}
		return renderPlan(stdout, p, plan, "text")
	}
	lock, err := lockProject(ctx, stderr, c.Host(), p.Name())
	if err != nil {
		return err
	}
	defer lock.Unlock()
	// images first: a failed build or pull stops `up` before anything
	// starts, so nothing that needs the image runs without it
	if err := getImages(ctx, stderr, c, p, steps, engine.BuildOptions{}, o.parallel, false); err != nil {
		return err
	}

	plan, err := computePlan(ctx, c, p, opt)
	if err != nil {
		return err
	}
	var since time.Time
	if attached {
		// output from here on is shown, on the engine's clock
		if since, err = c.EngineTime(ctx); err != nil {
			return err
		}
	}
	pr, err := applyPlan(ctx, stderr, o.globalOptions, c, p, plan,
		engine.RuntimeOptions{StopTimeout: seconds(o.timeout), RenewAnonVolumes: opt.RenewAnonVolumes}, "up")
	if err != nil {
		return err
	}
	if attached {
		// another berth may change the project while this one follows it
		lock.Unlock()
		return runAttached(ctx, stdout, stderr, c, p, o, sel, since)
	}
	if o.wait && !opt.NoStart {
		return waitRunning(ctx, c, p, opt, o.waitTimeout, pr)
	}
	return nil
}

// waitRunning waits until every service `up` started is running, or healthy
// when it has a healthcheck; a one-shot service that others wait on must
// complete successfully instead.
func waitRunning(ctx context.Context, c *docker.Client, p *project.Project, opt planner.Options, timeout int, pr *progressPrinter) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(timeout)*time.Second)
		defer cancel()
	}
	g, err := p.Graph.Subset(opt.Services, !opt.NoDeps)
	if err != nil {
		return err
	}
	plan := &planner.Plan{}
	for _, svc := range g.Services() {
		cond := engine.ConditionRunningOrHealthy
		for _, e := range p.Graph.Dependents(svc) {
			if e.Condition == project.ConditionCompleted {
				cond = project.ConditionCompleted
			}
		}
		if scale := replicas(p, svc, opt); scale == 0 {
			continue
		}
		plan.Actions = append(plan.Actions, planner.Action{
			ID: len(plan.Actions) + 1, Kind: planner.AwaitCondition, Resource: "service:" + svc, Target: cond, Reason: planner.DependencyCondition,
		})
	}
	rt := c.Runtime(p, engine.RuntimeOptions{})
	err = engine.Execute(ctx, plan, rt, -1, pr.event)
	if err != nil && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("services were not ready within --wait-timeout %ds: %w", timeout, err)
	}
	return err
}

func replicas(p *project.Project, svc string, opt planner.Options) int {
	if n, ok := opt.Scale[svc]; ok {
		return n
	}
	s := p.Compose.Services[svc]
	return s.GetScale()
}

func seconds(n int) *time.Duration {
	if n < 0 {
		return nil
	}
	d := time.Duration(n) * time.Second
	return &d
}

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
func runAttached(ctx context.Context, stdout, stderr io.Writer, c *docker.Client, p *project.Project, o *upOptions, sel attachment, since time.Time) error {
	followCtx, cancelFollow := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelFollow()
	exits := make(chan engine.ContainerExit)
	lp := &logPrinter{w: stdout, printed: sel.printed, exits: exits, width: prefixWidth(ctx, c, p.Name(), sel.printed)}
	followDone := make(chan error, 1)
	go func() {
		followDone <- c.Follow(followCtx, p.Name(), engine.FollowOptions{Services: sel.followed, Since: since}, lp)
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
		go func() { stopDone <- stopServices(c, p, sel.stopped, timeout, o, stderr) }()
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

// stopServices stops the running containers of services, dependents
// before their dependencies, on a context of its own: it runs because the
// command's context was canceled.
func stopServices(c *docker.Client, p *project.Project, services []string, timeout *time.Duration, o *upOptions, stderr io.Writer) error {
	ctx := context.Background()
	obs, err := c.Observe(ctx, p)
	if err != nil {
		return err
	}
	down, err := planner.ComputeDown(p, obs, planner.DownOptions{Services: services})
	if err != nil {
		return err
	}
	// the down plan's stops depend only on other stops
	plan := &planner.Plan{}
	for _, a := range down.Actions {
		if a.Kind == planner.StopContainer {
			plan.Actions = append(plan.Actions, a)
		}
	}
	rt := c.Runtime(p, engine.RuntimeOptions{StopTimeout: timeout})
	return engine.Execute(ctx, plan, rt, o.parallel, newProgress(stderr, o.progress).event)
}

// prefixWidth is the width container names are padded to: one more than
// the longest name among the printed services' containers. Names that come
// later and are longer widen it.
func prefixWidth(ctx context.Context, c *docker.Client, projectName string, printed map[string]bool) int {
	width := 0
	cs, _ := c.List(ctx, projectName, true)
	for _, ctr := range cs {
		if printed[ctr.Service] {
			width = max(width, len(ctr.Name)+1)
		}
	}
	return width
}

// logPrinter prints followed containers' output as Compose does,
// "name  | line", and passes exits on to runAttached.
type logPrinter struct {
	mu      sync.Mutex
	w       io.Writer
	width   int
	printed map[string]bool
	exits   chan<- engine.ContainerExit
}

// Line implements engine.LogSink.
func (l *logPrinter) Line(src engine.LogSource, _ engine.Stream, line string) {
	if !l.printed[src.Service] {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.width = max(l.width, len(src.Name)+1)
	fmt.Fprintf(l.w, "%-*s | %s\n", l.width, src.Name, line)
}

// Exit implements engine.LogSink.
func (l *logPrinter) Exit(e engine.ContainerExit) {
	if l.printed[e.Service] {
		l.mu.Lock()
		restarting := ""
		if e.Restarting {
			restarting = " (restarting)"
		}
		fmt.Fprintf(l.w, "%s exited with code %d%s\n", e.Name, e.ExitCode, restarting)
		l.mu.Unlock()
	}
	l.exits <- e
}
