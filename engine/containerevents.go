package engine

import (
	"context"
	"slices"
	"strings"
	"time"
)

// EventOptions say which of the engine's events about a project's
// containers ContainerEvents passes on.
type EventOptions struct {
	// Services limits the events to these services' containers; empty
	// means every container of the project.
	Services []string
	// Since replays the events from this moment on; the zero time starts
	// with the events to come.
	Since time.Time
	// Until ends the stream at this moment; the zero time streams until
	// ctx ends.
	Until time.Time
}

// EventReader is what ContainerEvents needs of a backend.
type EventReader interface {
	// ProjectEvents streams the engine's events about the project's
	// containers from opts.Since to opts.Until (or until ctx ends). The
	// event channel is closed when the stream ends; the error channel
	// says why it ended early.
	ProjectEvents(ctx context.Context, projectName string, opts EventOptions) (<-chan EngineEvent, <-chan error)
}

// ContainerEvents passes the engine's events about the project's
// containers (one-off ones excluded) to fn, without Compose's and Berth's
// own labels among their attributes (as Compose leaves out its own), until Until passes (it returns nil), ctx ends
// (ctx's error), fn fails (its error) or the stream fails.
func ContainerEvents(ctx context.Context, r EventReader, projectName string, o EventOptions, fn func(EngineEvent) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	evs, errs := r.ProjectEvents(ctx, projectName, o)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-errs:
			if err != nil {
				return err
			}
			errs = nil
		case ev, ok := <-evs:
			if !ok {
				if err := ctx.Err(); err != nil {
					return err
				}
				select {
				case err := <-errs:
					return err
				default:
					return nil
				}
			}
			if ev.Attributes[composeLabelPrefix+"oneoff"] == "True" {
				continue
			}
			if len(o.Services) > 0 && !slices.Contains(o.Services, ev.Service) {
				continue
			}
			attrs := map[string]string{}
			for k, v := range ev.Attributes {
				if !strings.HasPrefix(k, composeLabelPrefix) && !strings.HasPrefix(k, berthLabelPrefix) {
					attrs[k] = v
				}
			}
			ev.Attributes = attrs
			if err := fn(ev); err != nil {
				return err
			}
		}
	}
}

// composeLabelPrefix and berthLabelPrefix start the labels Berth puts on
// containers; the events ContainerEvents passes on leave them out.
const (
	composeLabelPrefix = "com.docker.compose."
	berthLabelPrefix   = "dev.berth."
)
