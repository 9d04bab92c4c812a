package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/berth-dev/berth/engine"
)

// jsonEvent is one line of `--progress json`: Compose's fields (id, status,
// text) and Berth's. The schema is stable; fields are only ever added.
type jsonEvent struct {
	// Time is when it happened, RFC 3339 with nanoseconds.
	Time string `json:"time"`
	// ID names the resource as Compose does: "Container shop-web-1".
	// Empty for an operation's warning or message.
	ID string `json:"id,omitempty"`
	// Status is started, progress, done, failed, skipped, warning or info.
	Status string `json:"status"`
	// Text is a line of build or pull output, a message, or for done the
	// verb a person reads ("Created", "Healthy").
	Text string `json:"text,omitempty"`
	// Action is the plan action's number, Kind its kind (create, start,
	// build, await, ...), Resource its typed address ("service:web:1"),
	// Reason why it is in the plan.
	Action   int    `json:"action,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Resource string `json:"resource,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// DurationMS is, for done and failed, how long the action took.
	DurationMS *int64 `json:"duration_ms,omitempty"`
	// Error is the failure or, for skipped, why it did not run.
	Error string `json:"error,omitempty"`
}

// jsonRenderer writes one JSON object per event, every event included.
type jsonRenderer struct {
	w io.Writer
}

func (r *jsonRenderer) event(e engine.Event) {
	rec := jsonEvent{Time: e.Time.UTC().Format(time.RFC3339Nano), Status: e.Status.String(), Text: e.Text}
	a := e.Action
	if a.ID != 0 {
		rec.ID = eventID(a)
		rec.Action = a.ID
		rec.Kind = a.Kind.String()
		rec.Resource = a.Resource.String()
		rec.Reason = a.Reason.String()
	}
	switch e.Status {
	case engine.Done, engine.Failed:
		ms := e.Duration.Milliseconds()
		rec.DurationMS = &ms
		if e.Status == engine.Done && rec.Text == "" {
			rec.Text = doneVerb(a)
		}
	}
	if e.Err != nil {
		rec.Error = e.Err.Error()
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return
	}
	fmt.Fprintln(r.w, string(b))
}

func (r *jsonRenderer) finish() {}
