package docker

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/berth-dev/berth/engine"
)

// EngineTime is the engine's clock now, to pass as engine.FollowOptions.Since
// (the client's clock may differ from a remote engine's).
func (c *Client) EngineTime(ctx context.Context) (time.Time, error) {
	info, err := c.api.Info(ctx)
	if err != nil {
		return time.Time{}, wrap(err, "reading the engine's time")
	}
	t, err := time.Parse(time.RFC3339Nano, info.SystemTime)
	if err != nil {
		return time.Time{}, fmt.Errorf("the engine reports its time as %q: %w", info.SystemTime, err)
	}
	return t, nil
}

// Follow streams the output of the project's containers (one-off ones
// excluded) to sink, stdout and stderr demultiplexed, until every container
// it follows has exited: those running when it starts, those that ran since
// opts.Since, and those that start while it runs (it watches the engine's
// start and die events). It reports each container's exit, with its exit
// code, after the container's last line. It returns nil once nothing is
// left to follow, ctx.Err() when ctx ends first, or the first error reading
// from the engine.
func (c *Client) Follow(ctx context.Context, projectName string, opts engine.FollowOptions, sink engine.LogSink) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	f := &follower{c: c, ctx: ctx, sink: sink, opts: opts, done: make(chan streamEnd), tracked: map[string]*followed{}}

	// subscribe before listing, so no start or die between the two is missed
	ef := projectFilter(projectName)
	ef.Add("type", string(events.ContainerEventType))
	ef.Add("event", string(events.ActionStart))
	ef.Add("event", string(events.ActionDie))
	msgs, errs := c.api.Events(ctx, events.ListOptions{Filters: ef})

	lf := projectFilter(projectName)
	if !opts.OneOffs {
		lf.Add("label", LabelOneOff+"=False")
	}
	cs, err := c.api.ContainerList(ctx, container.ListOptions{All: true, Filters: lf})
	if err != nil {
		return wrap(err, "listing containers to follow")
	}
	for _, s := range cs {
		if !f.wants(s.Labels) {
			continue
		}
		if err := f.initial(s.ID); err != nil {
			cancel()
			f.wait()
			return err
		}
	}

	var ferr error
	for ferr == nil && (f.opts.UntilCanceled || f.live()) {
		select {
		case <-ctx.Done():
			ferr = ctx.Err()
		case err := <-errs:
			if ctx.Err() != nil {
				ferr = ctx.Err()
			} else {
				ferr = fmt.Errorf("reading engine events: %w", err)
			}
		case m := <-msgs:
			ferr = f.event(m)
		case end := <-f.done:
			ferr = f.ended(end)
		}
	}
	cancel()
	f.wait()
	return ferr
}

// follower is the state of one Follow call. tracked is owned by Follow's
// loop; stream goroutines report to it on done.
type follower struct {
	c       *Client
	ctx     context.Context
	sink    engine.LogSink
	opts    engine.FollowOptions
	done    chan streamEnd
	streams int // stream goroutines under way
	tracked map[string]*followed
}

// followed is what Follow knows of one container.
type followed struct {
	src engine.LogSource
	tty bool
	// run is the StartedAt of the latest run seen, to tell a new start
	// from an event about a run already known.
	run string
	// alive: a run is under way whose end has not been seen.
	alive bool
	// restarting: the last run ended and the engine restarts it.
	restarting bool
	// streaming: a goroutine reads the container's log; again: a new run
	// started meanwhile, so read again once it ends.
	streaming, again bool
	// exit, when not nil, is reported once the stream has ended.
	exit *engine.ContainerExit
	// since is where the next read of the log starts.
	since time.Time
}

type streamEnd struct {
	id  string
	err error
}

// wants says whether Follow follows the container with these labels.
func (f *follower) wants(labels map[string]string) bool {
	number, _ := strconv.Atoi(labels[LabelNumber])
	return engine.LogOptions{Services: f.opts.Services, Index: f.opts.Index}.Wants(labels[LabelService], number)
}

// live says whether something is still to be followed or reported.
func (f *follower) live() bool {
	for _, t := range f.tracked {
		if t.alive || t.restarting || t.streaming || t.exit != nil {
			return true
		}
	}
	return false
}

// wait waits for the stream goroutines once ctx is canceled.
func (f *follower) wait() {
	for f.streams > 0 {
		<-f.done
		f.streams--
	}
}

// inspect reads a container into a followed, without changing the tracked
// state; ok is false when the container is gone.
func (f *follower) inspect(id string) (*followed, container.InspectResponse, bool, error) {
	ins, err := f.c.api.ContainerInspect(f.ctx, id)
	if cerrdefs.IsNotFound(err) {
		return nil, ins, false, nil
	}
	if err != nil {
		return nil, ins, false, wrap(err, "inspecting a container to follow")
	}
	if ins.ContainerJSONBase == nil || ins.State == nil {
		return nil, ins, false, nil
	}
	t := f.tracked[id]
	if t == nil {
		name := ins.Name
		if len(name) > 0 && name[0] == '/' {
			name = name[1:]
		}
		t = &followed{src: engine.LogSource{ID: id, Name: name}, since: f.opts.Since}
		if ins.Config != nil {
			t.src.Service, t.tty = ins.Config.Labels[LabelService], ins.Config.Tty
			t.src.Number, _ = strconv.Atoi(ins.Config.Labels[LabelNumber])
		}
	}
	return t, ins, true, nil
}

// initial takes up a container listed when Follow starts.
func (f *follower) initial(id string) error {
	t, ins, ok, err := f.inspect(id)
	if err != nil || !ok {
		return err
	}
	st := ins.State
	t.run = st.StartedAt
	switch {
	case st.Running || st.Restarting:
		t.alive = true
		t.restarting = st.Restarting
	case st.Status == container.StateExited && !f.opts.Since.IsZero() && finishedSince(st.FinishedAt, f.opts.Since):
		// it ran, and ended, since Since: show what it wrote and its exit
		t.exit = &engine.ContainerExit{LogSource: t.src, ExitCode: st.ExitCode}
	default:
		f.tracked[id] = t // known, so a later start of it is a new run
		return nil
	}
	f.tracked[id] = t
	f.stream(t)
	return nil
}

func finishedSince(finished string, since time.Time) bool {
	t, err := time.Parse(time.RFC3339Nano, finished)
	return err == nil && !t.Before(since)
}

// event handles a start or die event.
func (f *follower) event(m events.Message) error {
	attrs := m.Actor.Attributes
	if attrs[LabelOneOff] == "True" && !f.opts.OneOffs || !f.wants(attrs) {
		return nil
	}
	switch m.Action {
	case events.ActionStart:
		t, ins, ok, err := f.inspect(m.Actor.ID)
		if err != nil || !ok {
			return err
		}
		f.tracked[m.Actor.ID] = t
		if ins.State.StartedAt == t.run {
			return nil // an event about a run already known
		}
		t.run = ins.State.StartedAt
		t.alive, t.restarting = true, false
		if t.streaming {
			t.again = true
		} else {
			f.stream(t)
		}
	case events.ActionDie:
		t := f.tracked[m.Actor.ID]
		if t == nil || !t.alive {
			return nil // a run not followed, or whose end is known
		}
		code, _ := strconv.Atoi(attrs["exitCode"])
		e := &engine.ContainerExit{LogSource: t.src, ExitCode: code}
		if ins, err := f.c.api.ContainerInspect(f.ctx, m.Actor.ID); err == nil && ins.State != nil {
			// the engine marks the container restarting before it sends die
			e.Restarting = ins.State.Restarting || ins.State.Running && ins.State.StartedAt != t.run
		}
		t.alive, t.restarting = false, e.Restarting
		t.since = time.Unix(0, m.TimeNano)
		t.exit = e
		if !t.streaming {
			f.report(t)
		}
	}
	return nil
}

// ended handles the end of a container's log stream.
func (f *follower) ended(end streamEnd) error {
	f.streams--
	t := f.tracked[end.id]
	t.streaming = false
	if end.err != nil && !cerrdefs.IsNotFound(end.err) {
		return fmt.Errorf("reading the output of %s: %w", t.src.Name, end.err)
	}
	if cerrdefs.IsNotFound(end.err) {
		t.alive, t.restarting, t.again = false, false, false
	}
	if t.exit != nil {
		f.report(t)
	}
	if t.again {
		t.again = false
		f.stream(t)
	}
	return nil
}

func (f *follower) report(t *followed) {
	e := *t.exit
	t.exit = nil
	f.sink.Exit(e)
}

// stream starts a goroutine reading t's log from t.since to the end of the
// current run.
func (f *follower) stream(t *followed) {
	t.streaming = true
	f.streams++
	src, tty := t.src, t.tty
	opts := container.LogsOptions{Follow: true, Timestamps: f.opts.Timestamps}
	if !t.since.IsZero() {
		opts.Since = engineTimeArg(t.since)
	}
	go func() {
		err := f.c.copyLog(f.ctx, src, tty, opts, f.sink)
		f.done <- streamEnd{id: src.ID, err: err}
	}()
}

// copyLog copies a container's log to sink, line by line, until its end
// (with opts.Follow, until the container stops). A logging driver that
// cannot be read (none, syslog...) is not an error: there is nothing to
// show. With opts.Timestamps, each line's time is cut off the line and
// passed to a TimedLogSink.
func (c *Client) copyLog(ctx context.Context, src engine.LogSource, tty bool, opts container.LogsOptions, sink engine.LogSink) error {
	opts.ShowStdout, opts.ShowStderr = true, true
	rc, err := c.api.ContainerLogs(ctx, src.ID, opts)
	if cerrdefs.IsNotImplemented(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	out := &lineWriter{emit: lineEmitter(sink, src, engine.Stdout, opts.Timestamps)}
	errOut := &lineWriter{emit: lineEmitter(sink, src, engine.Stderr, opts.Timestamps)}
	if tty {
		_, err = io.Copy(out, rc)
	} else {
		_, err = stdcopy.StdCopy(out, errOut, rc)
	}
	out.flush()
	errOut.flush()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// lineEmitter passes a line to sink; with timestamps, the line starts with
// the engine's time, which goes to a TimedLogSink (and is dropped for
// another sink).
func lineEmitter(sink engine.LogSink, src engine.LogSource, stream engine.Stream, timestamps bool) func(string) {
	if !timestamps {
		return func(l string) { sink.Line(src, stream, l) }
	}
	timed, _ := sink.(engine.TimedLogSink)
	return func(l string) {
		at, line := splitTimestamp(l)
		if timed != nil {
			timed.TimedLine(src, stream, at, line)
		} else {
			sink.Line(src, stream, line)
		}
	}
}

// splitTimestamp cuts the engine's RFC 3339 time off the start of a line
// read with timestamps. A line without one comes back whole, with the zero
// time.
func splitTimestamp(l string) (time.Time, string) {
	stamp, rest, ok := strings.Cut(l, " ")
	if !ok {
		stamp, rest = l, ""
	}
	at, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		return time.Time{}, l
	}
	return at, rest
}

// engineTimeArg is t as the Engine API takes a since or until time.
func engineTimeArg(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// lineWriter cuts what is written to it into lines.
type lineWriter struct {
	buf  []byte
	emit func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.emit(string(bytes.TrimSuffix(w.buf[:i], []byte("\r"))))
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// flush emits a last line that has no newline.
func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.emit(string(bytes.TrimSuffix(w.buf, []byte("\r"))))
		w.buf = nil
	}
}

// ReadLogs writes the selected part of the logs of the project's
// containers (one-off ones only with opts.OneOffs) to sink, one container
// after the other in service and number order, a service's one-off
// containers after its numbered ones, and returns.
func (c *Client) ReadLogs(ctx context.Context, projectName string, opts engine.LogOptions, sink engine.LogSink) error {
	lf := projectFilter(projectName)
	if !opts.OneOffs {
		lf.Add("label", LabelOneOff+"=False")
	}
	cs, err := c.api.ContainerList(ctx, container.ListOptions{All: true, Filters: lf})
	if err != nil {
		return wrap(err, "listing containers to read the logs of")
	}
	type selected struct {
		id, service, name string
		number            int // 0 for a one-off container
	}
	var sel []selected
	for _, s := range cs {
		number, _ := strconv.Atoi(s.Labels[LabelNumber])
		if opts.Wants(s.Labels[LabelService], number) {
			sel = append(sel, selected{s.ID, s.Labels[LabelService], strings.Join(s.Names, ","), number})
		}
	}
	sort.Slice(sel, func(i, j int) bool {
		a, b := sel[i], sel[j]
		switch {
		case a.service != b.service:
			return a.service < b.service
		case (a.number == 0) != (b.number == 0):
			return b.number == 0 // one-off containers last
		case a.number != b.number:
			return a.number < b.number
		}
		return a.name < b.name
	})
	lo := container.LogsOptions{Timestamps: opts.Timestamps, Tail: "all"}
	if opts.Tail >= 0 {
		lo.Tail = strconv.Itoa(opts.Tail)
	}
	if !opts.Since.IsZero() {
		lo.Since = engineTimeArg(opts.Since)
	}
	if !opts.Until.IsZero() {
		lo.Until = engineTimeArg(opts.Until)
	}
	for _, s := range sel {
		ins, err := c.api.ContainerInspect(ctx, s.id)
		if cerrdefs.IsNotFound(err) {
			continue // removed since the list
		}
		if err != nil {
			return wrap(err, "inspecting a container to read its log")
		}
		src := engine.LogSource{ID: s.id, Name: strings.TrimPrefix(ins.Name, "/"), Service: s.service, Number: s.number}
		tty := ins.Config != nil && ins.Config.Tty
		if err := c.copyLog(ctx, src, tty, lo, sink); err != nil && !cerrdefs.IsNotFound(err) {
			return fmt.Errorf("reading the log of %s: %w", src.Name, err)
		}
	}
	return nil
}

// Client reads logs for engine.Logs.
var _ engine.LogReader = (*Client)(nil)
