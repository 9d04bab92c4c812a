package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
)

// eventsOptions are the flags of `berth events`.
type eventsOptions struct {
	*globalOptions
	json  bool
	since string
	until string
}

func newEventsCommand(g *globalOptions) *cobra.Command {
	o := &eventsOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "events [OPTIONS] [SERVICE...]",
		Short: "Receive real time events from containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEvents(cmd.Context(), cmd.OutOrStdout(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	f := c.Flags()
	f.BoolVar(&o.json, "json", false, "Output events as a stream of json objects")
	f.StringVar(&o.since, "since", "", "Show all events created since timestamp")
	f.StringVar(&o.until, "until", "", "Stream events until this timestamp")
	return c
}

func runEvents(ctx context.Context, stdout io.Writer, o *eventsOptions, services []string) error {
	eo := engine.EventOptions{Services: services}
	if err := parseTimeFlags(time.Now(), timeFlag{"--since", o.since, &eo.Since}, timeFlag{"--until", o.until, &eo.Until}); err != nil {
		return err
	}
	_, name, c, err := o.openForReading(ctx, services)
	if err != nil {
		return err
	}
	defer c.Close()
	err = engine.ContainerEvents(ctx, c, name, eo, func(ev engine.EngineEvent) error {
		if o.json {
			return writeEventJSON(stdout, ev)
		}
		_, err := fmt.Fprintln(stdout, formatEvent(ev))
		return err
	})
	return exitInterrupted(ctx, err)
}

// writeEventJSON writes an event as one line of JSON, with Compose's keys.
func writeEventJSON(w io.Writer, ev engine.EngineEvent) error {
	b, err := json.Marshal(map[string]any{
		"time":       ev.Time,
		"type":       "container",
		"service":    ev.Service,
		"id":         ev.Container,
		"action":     ev.Action,
		"attributes": ev.Attributes,
	})
	if err != nil {
		return fmt.Errorf("encoding an event: %w", err)
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

// formatEvent renders an event as Compose's plain format does:
// "2024-05-01 10:00:00.000000 container start ID (name=x, image=y)", the
// attributes sorted by key.
func formatEvent(ev engine.EngineEvent) string {
	attrs := make([]string, 0, len(ev.Attributes))
	for k, v := range ev.Attributes {
		attrs = append(attrs, k+"="+v)
	}
	sort.Strings(attrs)
	return fmt.Sprintf("%s container %s %s (%s)", ev.Time.Format("2006-01-02 15:04:05.000000"), ev.Action, ev.Container, strings.Join(attrs, ", "))
}
