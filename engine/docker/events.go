package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/docker/docker/api/types/events"

	"github.com/berth-dev/berth/engine"
)

// Events streams the engine's events about the project's containers.
func (c *Client) Events(ctx context.Context, projectName string) (<-chan engine.EngineEvent, <-chan error) {
	return c.ProjectEvents(ctx, projectName, engine.EventOptions{})
}

// ProjectEvents streams the engine's events about the project's
// containers from opts.Since to opts.Until, or until ctx ends.
func (c *Client) ProjectEvents(ctx context.Context, projectName string, opts engine.EventOptions) (<-chan engine.EngineEvent, <-chan error) {
	f := projectFilter(projectName)
	f.Add("type", string(events.ContainerEventType))
	lo := events.ListOptions{Filters: f}
	if !opts.Since.IsZero() {
		lo.Since = engineTimeArg(opts.Since)
	}
	if !opts.Until.IsZero() {
		lo.Until = engineTimeArg(opts.Until)
	}
	return c.events(ctx, lo)
}

// events streams the engine's events that opts select as EngineEvents.
// The event channel is closed when the stream ends: when ctx ends, when
// the engine ends it (opts.Until passed: no error), or on an error, which
// the error channel carries.
func (c *Client) events(ctx context.Context, opts events.ListOptions) (<-chan engine.EngineEvent, <-chan error) {
	msgs, errs := c.api.Events(ctx, opts)
	out := make(chan engine.EngineEvent)
	outErr := make(chan error, 1)
	go func() {
		defer close(out)
		for {
			select {
			case m := <-msgs:
				ev := engine.EngineEvent{
					Time: timeOf(m), Action: string(m.Action), Container: m.Actor.ID,
					Name: m.Actor.Attributes["name"], Service: m.Actor.Attributes[LabelService], Attributes: m.Actor.Attributes,
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			case err := <-errs:
				if ctx.Err() == nil && !(opts.Until != "" && errors.Is(err, io.EOF)) {
					outErr <- fmt.Errorf("reading engine events: %w", err)
				}
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, outErr
}

// timeOf is when the engine says an event happened.
func timeOf(m events.Message) time.Time {
	if m.TimeNano != 0 {
		return time.Unix(0, m.TimeNano)
	}
	return time.Unix(m.Time, 0)
}

// Client streams events for engine.ContainerEvents.
var _ engine.EventReader = (*Client)(nil)
