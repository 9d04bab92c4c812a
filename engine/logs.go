package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// LogOptions say which containers' logs ReadLogs reads, and which part of
// each.
type LogOptions struct {
	// Services limits the read to these services' containers; empty means
	// every container of the project.
	Services []string
	// Index, when not 0, limits the read to the container with this number
	// (of the one service in Services).
	Index int
	// Tail is the number of lines to read from the end of each container's
	// log; negative means all of it.
	Tail int
	// Since and Until bound the lines by the time the engine received them;
	// the zero time leaves that end open.
	Since, Until time.Time
	// Timestamps asks the engine for each line's time, passed to a sink
	// that implements TimedLogSink.
	Timestamps bool
	// OneOffs reads the services' one-off containers (`berth run`) too,
	// after their numbered ones; with Index set none is read.
	OneOffs bool
}

// Wants says whether the options select the container of service with the
// given number.
func (o LogOptions) Wants(service string, number int) bool {
	return (len(o.Services) == 0 || slices.Contains(o.Services, service)) && (o.Index == 0 || number == o.Index)
}

// TimedLogSink is a LogSink that takes each line with the time the engine
// received it, when the read or follow asks for timestamps.
type TimedLogSink interface {
	LogSink
	TimedLine(src LogSource, stream Stream, at time.Time, line string)
}

// CatchUpSink is a LogSink that Logs tells when it has written the logs as
// they were when it began, and goes on to follow them.
type CatchUpSink interface {
	CaughtUp()
}

// LogReader is what Logs needs of a backend.
type LogReader interface {
	// EngineTime is the engine's clock now.
	EngineTime(ctx context.Context) (time.Time, error)
	// List returns the project's containers (one-off ones excluded).
	List(ctx context.Context, projectName string, all bool) ([]ContainerInfo, error)
	// ReadLogs writes the selected part of the logs of the project's
	// containers (one-off ones excluded) to sink, one container after the
	// other, in service and number order, and returns.
	ReadLogs(ctx context.Context, projectName string, opts LogOptions, sink LogSink) error
	// Follow streams the output and exits of the project's containers to
	// sink (see Backend).
	Follow(ctx context.Context, projectName string, opts FollowOptions, sink LogSink) error
}

// LogsOptions are what `logs` shows.
type LogsOptions struct {
	LogOptions
	// Follow goes on, once the logs as they are have been written, with
	// the lines the containers write and the containers that start later
	// (scaled up, recreated, restarted), until ctx ends or Until passes.
	Follow bool
}

// Logs writes the logs of the project's containers to sink. With Follow
// it reads them up to the engine's time now, tells a CatchUpSink, then
// follows from that moment on: the lines are neither lost nor repeated
// between the two. Following ends with ctx (it returns ctx's error) or,
// with Until, when Until passes (it returns nil).
func Logs(ctx context.Context, r LogReader, projectName string, o LogsOptions, sink LogSink) error {
	if o.Index != 0 {
		if err := checkIndex(ctx, r, projectName, o.LogOptions); err != nil {
			return err
		}
	}
	if !o.Follow {
		return r.ReadLogs(ctx, projectName, o.LogOptions, sink)
	}
	now, err := r.EngineTime(ctx)
	if err != nil {
		return err
	}
	backlog := o.LogOptions
	if backlog.Until.IsZero() || backlog.Until.After(now) {
		backlog.Until = now
	}
	if err := r.ReadLogs(ctx, projectName, backlog, sink); err != nil {
		return err
	}
	if cu, ok := sink.(CatchUpSink); ok {
		cu.CaughtUp()
	}
	if !o.Until.IsZero() && !o.Until.After(now) {
		return nil
	}
	followCtx := ctx
	if !o.Until.IsZero() {
		var cancel context.CancelFunc
		followCtx, cancel = context.WithTimeout(ctx, o.Until.Sub(now))
		defer cancel()
	}
	err = r.Follow(followCtx, projectName, FollowOptions{
		Services: o.Services, Index: o.Index, Since: now, UntilCanceled: true, Timestamps: o.Timestamps, OneOffs: o.OneOffs,
	}, sink)
	if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return nil // Until passed
	}
	return err
}

// checkIndex fails unless the one service in o.Services has a container
// numbered o.Index.
func checkIndex(ctx context.Context, r LogReader, projectName string, o LogOptions) error {
	if len(o.Services) != 1 {
		return fmt.Errorf("a container index needs exactly one service, not %d", len(o.Services))
	}
	cs, err := r.List(ctx, projectName, true)
	if err != nil {
		return err
	}
	var service []ContainerInfo
	for _, c := range cs {
		if c.Service == o.Services[0] {
			service = append(service, c)
		}
	}
	slices.SortStableFunc(service, func(a, b ContainerInfo) int { return a.Number - b.Number })
	_, err = ChooseContainers(service, ContainerChoice{Service: o.Services[0], Index: o.Index})
	return err
}
