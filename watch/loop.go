package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// Options are what Run does.
type Options struct {
	// Services whose rules are watched (empty: every service with rules).
	Services []string
	// NoUp skips bringing the services up first (`--no-up`).
	NoUp bool
	// QuietPeriod and MaxWait are the debounce periods (0: DefaultQuiet,
	// DefaultMax).
	QuietPeriod, MaxWait time.Duration
	// Quiet hides build output (`--quiet`).
	Quiet bool
	// Prune removes the image a rebuild replaced, once no container uses
	// it (`--prune`).
	Prune bool
	// Reload loads the project again; when set, the compose files and env
	// files are watched too, and a change is applied through the plan.
	Reload func(ctx context.Context) (*project.Project, error)
	// Parallel bounds the engine calls of a rebuild or restart.
	Parallel int
}

// loop is the state of one Run.
type loop struct {
	b    engine.Backend
	p    *project.Project
	o    Options
	sink engine.Sink
	// noDelete holds the services whose images cannot delete files.
	noDelete map[string]bool
	// quiet and max are the debounce periods.
	quiet, max time.Duration
	// all are the rules watched now; stopRules stops their watchers.
	all       []watched
	stopRules func()
	// batches and errs receive the watchers' batches and failures.
	batches chan batch
	errs    chan error
}

// startRules starts a watcher and a debouncer for each rule, sending the
// batches to l.batches, until ctx ends or the returned function is called.
func (l *loop) startRules(ctx context.Context, all []watched) func() {
	ctx, cancel := context.WithCancel(ctx)
	for _, w := range all {
		l.watchPaths(ctx, []string{w.rule.Path}, w.ignorer, w.rule.Name(), func(changes []Change) batch { return batch{w.rule, changes} }, l.batches)
	}
	return cancel
}

// watchPaths watches roots with filter until ctx ends, debounces their
// changes into batches, and sends each, made by wrap, on out. A watcher's
// failure goes to l.errs, named by what.
func (l *loop) watchPaths(ctx context.Context, roots []string, filter Filter, what string, wrap func([]Change) batch, out chan<- batch) {
	d := NewDebouncer(RealClock(), l.quiet, l.max, lstatExists)
	go func() {
		<-ctx.Done()
		d.Close()
	}()
	for _, root := range roots {
		go func() {
			if err := Watch(ctx, root, filter, d.Add); err != nil {
				select {
				case l.errs <- fmt.Errorf("%s: %w", what, err):
				case <-ctx.Done():
				}
			}
		}()
	}
	go func() {
		for changes := range d.Batches() {
			select {
			case out <- wrap(changes):
			case <-ctx.Done():
				return
			}
		}
	}()
}

// withIgnorers pairs each rule with what it ignores.
func withIgnorers(p *project.Project, rules []Rule) ([]watched, error) {
	var all []watched
	for _, r := range rules {
		ig, err := NewIgnorer(ignoreSpec(p, r))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name(), err)
		}
		all = append(all, watched{r, ig})
	}
	return all, nil
}

// watched is a rule and what it ignores.
type watched struct {
	rule    Rule
	ignorer *Ignorer
}

// batch is one debounced batch of one rule.
type batch struct {
	rule    Rule
	changes []Change
}

// Run is `berth watch`: it brings the services up — those named, or the
// whole project — (unless NoUp), syncs the
// rules with initial_sync, then watches each rule's path and carries out
// its action for every batch of changes, until ctx ends. Every change goes
// through Berth's orchestration API: a rebuild is an `up` of the service
// with its image built, a restart a Restart. A failed action is reported
// and the loop goes on; the containers keep running when it ends.
func Run(ctx context.Context, b engine.Backend, p *project.Project, o Options, sink engine.Sink) error {
	rules, warnings, err := Rules(p, o.Services)
	for _, w := range warnings {
		engine.Emit(sink, engine.Warning, w)
	}
	if err != nil {
		return err
	}
	quiet, max := o.QuietPeriod, o.MaxWait
	if quiet <= 0 {
		quiet = DefaultQuiet
	}
	if max <= 0 {
		max = DefaultMax
	}
	l := &loop{b: b, p: p, o: o, sink: sink, noDelete: map[string]bool{}, quiet: quiet, max: max}
	services := servicesOf(rules)
	if !o.NoUp {
		if _, err := engine.Up(ctx, b, p, engine.UpOptions{Plan: planner.Options{Services: o.Services}, Parallel: o.Parallel}, sink); err != nil {
			return err
		}
	}
	all, err := withIgnorers(p, rules)
	if err != nil {
		return err
	}
	for _, w := range all {
		if w.rule.InitialSync && (w.rule.Action == types.WatchActionSync || w.rule.Action == types.WatchActionSyncRestart) {
			files, err := filesUnder(w.rule.Path, w.ignorer)
			if err != nil {
				return fmt.Errorf("%s: initial sync: %w", w.rule.Name(), err)
			}
			changes := make([]Change, len(files))
			for i, f := range files {
				changes[i] = Change{Path: f, Op: Write}
			}
			l.apply(ctx, batch{w.rule, changes})
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l.batches = make(chan batch)
	l.errs = make(chan error, 1)
	errs := l.errs
	batches := l.batches
	l.all = all
	l.stopRules = l.startRules(ctx, all)
	// the compose files and env files: a change reloads the project and
	// applies the difference
	reloads := make(chan batch)
	if o.Reload != nil {
		l.watchPaths(ctx, projectFiles(p), keepAll{}, "watching the project's files", func(changes []Change) batch { return batch{changes: changes} }, reloads)
	}

	// containers started outside the loop (another `up`, a crash and a
	// restart policy, `docker start`) get the synced files again
	events, eventErrs := b.Events(ctx, p.Name())
	known, err := l.containerIDs(ctx)
	if err != nil {
		return err
	}
	engine.Emit(sink, engine.Info, fmt.Sprintf("Watching %d rule(s) of %s; Ctrl-C stops watching, the containers keep running", len(all), strings.Join(services, ", ")))
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errs:
			return err
		case bt := <-batches:
			l.apply(ctx, bt)
		case bt := <-reloads:
			l.reload(ctx, bt.changes)
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			if ev.Action != "start" || known[ev.Container] {
				continue
			}
			known[ev.Container] = true
			l.resync(ctx, ev)
		case err := <-eventErrs:
			eventErrs = nil
			engine.Emit(sink, engine.Warning, fmt.Sprintf("the engine's events were lost (%v): a container recreated outside berth watch is not synced again until the next change", err))
		}
	}
}

// reload loads the project again after its compose or env files changed
// and applies the difference through the plan (only the services whose
// configuration changed are recreated). A project that no longer loads is
// reported, and the loop keeps the last good one. The rules stay those the
// loop started with.
func (l *loop) reload(ctx context.Context, changes []Change) {
	var names []string
	for _, c := range changes {
		names = append(names, filepath.Base(c.Path))
	}
	p, err := l.o.Reload(ctx)
	if err != nil {
		engine.Emit(l.sink, engine.Warning, fmt.Sprintf("%s changed but the project does not load, so berth watch keeps the last one that did: %v", strings.Join(names, ", "), err))
		return
	}
	start := time.Now()
	res, err := engine.Up(ctx, l.b, p, engine.UpOptions{Plan: planner.Options{Services: l.o.Services}, Parallel: l.o.Parallel}, l.sink)
	if err != nil {
		engine.Emit(l.sink, engine.Warning, fmt.Sprintf("%s changed; applying it failed: %v", strings.Join(names, ", "), err))
		return
	}
	l.p = p
	engine.Emit(l.sink, engine.Info, fmt.Sprintf("%s changed: %d action(s) applied (%s)", strings.Join(names, ", "), len(res.Plan.Actions), time.Since(start).Round(time.Millisecond)))
	l.reloadRules(ctx, p)
}

// reloadRules watches the develop.watch rules of a reloaded project, when
// they changed. Rules that no longer check out are reported, and the
// loop keeps the ones it has.
func (l *loop) reloadRules(ctx context.Context, p *project.Project) {
	rules, warnings, err := Rules(p, l.o.Services)
	for _, w := range warnings {
		engine.Emit(l.sink, engine.Warning, w)
	}
	var all []watched
	if err == nil {
		all, err = withIgnorers(p, rules)
	}
	if err != nil {
		engine.Emit(l.sink, engine.Warning, fmt.Sprintf("the new develop.watch rules do not check out, so berth watch keeps its rules: %v", err))
		return
	}
	var old []Rule
	for _, w := range l.all {
		old = append(old, w.rule)
	}
	if sameRules(old, rules) {
		return
	}
	l.stopRules()
	l.all = all
	l.stopRules = l.startRules(ctx, all)
	engine.Emit(l.sink, engine.Info, fmt.Sprintf("develop.watch changed: watching %d rule(s) now", len(all)))
}

// sameRules reports whether two lists of rules are the same.
func sameRules(a, b []Rule) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Service != y.Service || x.Path != y.Path || x.Action != y.Action || x.Target != y.Target || x.InitialSync != y.InitialSync ||
			!slices.Equal(x.Include, y.Include) || !slices.Equal(x.Ignore, y.Ignore) || !slices.Equal(x.Exec.Command, y.Exec.Command) ||
			x.Exec.User != y.Exec.User || x.Exec.WorkingDir != y.Exec.WorkingDir || x.Exec.Privileged != y.Exec.Privileged {
			return false
		}
	}
	return true
}

// projectFiles are the files the project is loaded from: its compose
// files, its env files and the project directory's .env, those that exist.
func projectFiles(p *project.Project) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range append(append(append([]string{}, p.Compose.ComposeFiles...), p.EnvFiles...), filepath.Join(p.Compose.WorkingDir, ".env")) {
		if f != "" && !seen[f] && lstatExists(f) {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// keepAll is the filter of the project's own files: nothing is ignored.
type keepAll struct{}

func (keepAll) Ignored(string) bool { return false }
func (keepAll) SkipDir(string) bool { return false }

// imageID is the ID of the image service runs, or "" when the engine has
// none.
func (l *loop) imageID(ctx context.Context, service string) string {
	obs, err := l.b.Observe(ctx, l.p)
	if err != nil {
		return ""
	}
	return obs.Images[project.ImageName(l.p.Compose, service)].ID
}

// prune removes the image a rebuild of service replaced. An image another
// container still uses, or that another tag still names, stays.
func (l *loop) prune(ctx context.Context, service, id string) {
	plan := &planner.Plan{Actions: []planner.Action{{ID: 1, Kind: planner.RemoveImage,
		Resource: planner.ImageRes(service, id), Name: id, Reason: planner.Requested}}}
	if err := engine.Execute(ctx, plan, l.b.Runtime(l.p, engine.RuntimeOptions{}), 1, nil); err != nil {
		engine.Emit(l.sink, engine.Info, fmt.Sprintf("%s: the image the rebuild replaced (%s) stays: %v", service, shortID(id), err))
		return
	}
	engine.Emit(l.sink, engine.Info, fmt.Sprintf("%s: removed the image the rebuild replaced (%s)", service, shortID(id)))
}

func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	return id[:min(12, len(id))]
}

// containerIDs are the project's containers now.
func (l *loop) containerIDs(ctx context.Context) (map[string]bool, error) {
	cs, err := l.b.List(ctx, l.p.Name(), true)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, c := range cs {
		ids[c.ID] = true
	}
	return ids, nil
}

// resync copies every file of the service's sync rules into a container
// that started outside the loop: a new container has none of what the loop
// synced into the one it replaced (Compose loses those edits).
func (l *loop) resync(ctx context.Context, ev engine.EngineEvent) {
	for _, w := range l.all {
		if w.rule.Service != ev.Service || !w.rule.Syncs() {
			continue
		}
		start := time.Now()
		files, err := filesUnder(w.rule.Path, w.ignorer)
		if err == nil {
			_, err = syncInto(ctx, l.b, w.rule, []string{ev.Name}, files, nil)
		}
		if err != nil {
			engine.Emit(l.sink, engine.Warning, fmt.Sprintf("%s: re-syncing %s, which started outside berth watch: %v", ev.Service, ev.Name, err))
			continue
		}
		engine.Emit(l.sink, engine.Info, fmt.Sprintf("%s: re-synced %d file(s) into %s, which started outside berth watch (%s)", ev.Service, len(files), ev.Name, time.Since(start).Round(time.Millisecond)))
	}
}

// apply carries out one batch of one rule and reports it on one line:
// service, action, files, and how long it took. A failure is reported and
// the loop goes on.
func (l *loop) apply(ctx context.Context, bt batch) {
	b, p, o, sink := l.b, l.p, l.o, l.sink
	r := bt.rule
	start := time.Now()
	var writes, removes []string
	for _, c := range bt.changes {
		if c.Op == Remove {
			removes = append(removes, c.Path)
		} else {
			writes = append(writes, c.Path)
		}
	}
	what := describe(r, bt.changes)
	fail := func(err error) {
		engine.Emit(sink, engine.Warning, fmt.Sprintf("%s: %s %s failed: %v", r.Service, r.Action, what, err))
	}
	if r.Syncs() {
		if l.noDelete[r.Service] {
			removes = nil
		}
		res, err := syncRule(ctx, b, p, r, writes, removes)
		if errors.Is(err, errNoDelete) {
			// said once: the files are copied, the deletions cannot be
			l.noDelete[r.Service] = true
			engine.Emit(sink, engine.Warning, fmt.Sprintf("%s: the image has no `rm`, so files deleted on the host stay in its containers (said once)", r.Service))
			err = nil
		}
		if err != nil {
			fail(err)
			return
		}
		what = fmt.Sprintf("%s into %d container(s)", what, res.containers)
	}
	lo := engine.LifecycleOptions{Plan: planner.LifecycleOptions{Services: []string{r.Service}}, Parallel: o.Parallel}
	switch r.Action {
	case types.WatchActionRestart, types.WatchActionSyncRestart:
		if _, err := engine.Restart(ctx, b, p, lo, nil); err != nil {
			fail(err)
			return
		}
	case types.WatchActionSyncExec:
		if err := execInService(ctx, b, p, r); err != nil {
			fail(err)
			return
		}
	case types.WatchActionRebuild:
		before := l.imageID(ctx, r.Service)
		res, err := engine.Up(ctx, b, p, engine.UpOptions{
			Plan:     planner.Options{Services: []string{r.Service}, NoDeps: true},
			Images:   planner.ImageOptions{Build: true},
			Runtime:  engine.RuntimeOptions{Build: engine.BuildOptions{Quiet: o.Quiet}},
			Parallel: o.Parallel,
		}, sink)
		if err != nil {
			fail(err)
			return
		}
		if o.Prune && before != "" && before != l.imageID(ctx, r.Service) {
			l.prune(ctx, r.Service, before)
		}
		// the services that depend on it with restart: true restart too
		if recreated(res.Plan, r.Service) {
			if deps := restartDependents(p, r.Service); len(deps) > 0 {
				lo := engine.LifecycleOptions{Plan: planner.LifecycleOptions{Services: deps}, Parallel: o.Parallel}
				if _, err := engine.Restart(ctx, b, p, lo, sink); err != nil {
					fail(err)
					return
				}
				what += ", restarted " + strings.Join(deps, ", ")
			}
		}
	}
	engine.Emit(sink, engine.Info, fmt.Sprintf("%s: %s %s (%s)", r.Service, r.Action, what, time.Since(start).Round(time.Millisecond)))
}

// recreated reports whether plan creates a container of service.
func recreated(plan *planner.Plan, service string) bool {
	if plan == nil {
		return false
	}
	for _, a := range plan.Actions {
		if a.Kind == planner.CreateContainer && a.Resource.Service == service {
			return true
		}
	}
	return false
}

// restartDependents are the services that depend on service with
// depends_on restart: true, in name order.
func restartDependents(p *project.Project, service string) []string {
	var out []string
	for _, e := range p.Graph.Dependents(service) {
		if e.Restart {
			out = append(out, e.From)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// execInService runs the rule's exec command in every running container
// of its service.
func execInService(ctx context.Context, b engine.Backend, p *project.Project, r Rule) error {
	cs, err := b.List(ctx, p.Name(), false)
	if err != nil {
		return err
	}
	var env []string
	for k, v := range r.Exec.Environment {
		if v != nil {
			env = append(env, k+"="+*v)
		}
	}
	for _, c := range cs {
		if c.Service != r.Service || c.State != "running" {
			continue
		}
		code, err := b.Exec(ctx, c.Name, engine.ExecSpec{Cmd: r.Exec.Command, User: r.Exec.User, WorkingDir: r.Exec.WorkingDir, Env: env, Privileged: r.Exec.Privileged})
		if err != nil {
			return err
		}
		if code != 0 {
			return fmt.Errorf("%s in %s exited %d", strings.Join(r.Exec.Command, " "), c.Name, code)
		}
	}
	return nil
}

// describe is a batch in a few words: "3 files (a.go, b.go, c.go)".
func describe(r Rule, changes []Change) string {
	var names []string
	for _, c := range changes {
		rel, err := filepath.Rel(r.Path, c.Path)
		if err != nil || rel == "." {
			rel = filepath.Base(c.Path)
		}
		names = append(names, rel)
	}
	noun := "files"
	if len(changes) == 1 {
		noun = "file"
	}
	if len(names) > 3 {
		names = append(names[:3], "…")
	}
	return fmt.Sprintf("%d %s (%s)", len(changes), noun, strings.Join(names, ", "))
}

// ignoreSpec is what rule r of its service ignores.
func ignoreSpec(p *project.Project, r Rule) IgnoreSpec {
	spec := IgnoreSpec{Root: r.Path, Ignore: r.Ignore, Include: r.Include}
	if s := p.Compose.Services[r.Service]; s.Build != nil {
		spec.ContextDir = s.Build.Context
		if s.Build.DockerfileInline == "" {
			df := s.Build.Dockerfile
			if df == "" {
				df = "Dockerfile"
			}
			if !filepath.IsAbs(df) {
				df = filepath.Join(spec.ContextDir, df)
			}
			spec.Dockerfile = df
		}
	}
	return spec
}

// filesUnder lists the files under root that filter keeps.
func filesUnder(root string, filter Filter) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			if p != root && filter.SkipDir(p) {
				return filepath.SkipDir
			}
			return nil
		}
		if !filter.Ignored(p) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

func servicesOf(rules []Rule) []string {
	var out []string
	for _, r := range rules {
		if len(out) == 0 || out[len(out)-1] != r.Service {
			out = append(out, r.Service)
		}
	}
	return out
}
