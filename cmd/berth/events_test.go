package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

// TestEvents starts `events --json` (from a moment before the changes, so
// that none is missed while it connects), stops and starts a service, and
// checks each line parses as JSON with Compose's fields; then a bounded
// plain `events --since --until` ends by itself, and bad input fails.
func TestEvents(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  web:
    image: IMAGE
  other:
    image: IMAGE
`)
	s.ok(nil, "up", "-d")
	web := s.ps()[s.container("web", 1)]
	web.ID = s.inspect(web.Name).ID // ps shows 12 digits, as Compose's does
	since := time.Now()
	cmd, stdout, stderr, wait := s.start("events", "--json", "--since", since.Format(time.RFC3339Nano), "web")
	s.ok(nil, "stop", "web")
	s.ok(nil, "start", "web")

	type event struct {
		Time       time.Time         `json:"time"`
		Type       string            `json:"type"`
		Action     string            `json:"action"`
		ID         string            `json:"id"`
		Service    string            `json:"service"`
		Attributes map[string]string `json:"attributes"`
	}
	var got []event
	eventually(t, "the stop and start events", func() bool {
		got = nil
		var stopped, restarted, died bool
		for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			if l == "" {
				continue
			}
			var ev event
			if err := json.Unmarshal([]byte(l), &ev); err != nil {
				t.Fatalf("events --json line %q: %v", l, err)
			}
			got = append(got, ev)
			switch ev.Action {
			case "stop":
				stopped = true
			case "die":
				died = true
			case "start":
				restarted = stopped
			}
		}
		return stopped && died && restarted
	})
	for _, ev := range got {
		if ev.Type != "container" || ev.ID != web.ID || ev.Service != "web" || ev.Attributes["name"] != web.Name || ev.Time.Before(since) {
			t.Errorf("event %+v", ev)
		}
		for k := range ev.Attributes {
			if strings.HasPrefix(k, "com.docker.compose.") || strings.HasPrefix(k, "dev.berth.") {
				t.Errorf("event %s carries Berth's label %s", ev.Action, k)
			}
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := wait(); code != 130 {
		t.Fatalf("events after Ctrl-C: exit %d, want 130\nstderr:\n%s", code, stderr)
	}

	t.Run("--since and --until end by themselves", func(t *testing.T) {
		out := s.ok(nil, "events", "--since", since.Format(time.RFC3339Nano), "--until", time.Now().Format(time.RFC3339Nano))
		if !strings.Contains(out, " container stop "+web.ID+" (") || !strings.Contains(out, "name="+web.Name) {
			t.Fatalf("events --since --until:\n%s", out)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"events", "nope"}, 1, `no such service: "nope"`},
			{[]string{"events", "--since", "soon"}, 2, `invalid --since: "soon" is not a time`},
			{[]string{"events", "--until", "x"}, 2, `invalid --until`},
		} {
			code, out, errOut := s.berth(nil, c.args...)
			if code != c.code || !strings.Contains(errOut, c.want) || out != "" {
				t.Errorf("berth %s: exit %d (want %d)\nstdout: %q\nstderr: %s", strings.Join(c.args, " "), code, c.code, out, errOut)
			}
		}
	})
}

func TestFormatEvent(t *testing.T) {
	ev := engine.EngineEvent{
		Time:       time.Date(2024, 5, 1, 10, 0, 0, 123456789, time.Local),
		Action:     "start",
		Container:  "abc123",
		Attributes: map[string]string{"name": "p-web-1", "image": "app:1"},
	}
	if got, want := formatEvent(ev), "2024-05-01 10:00:00.123456 container start abc123 (image=app:1, name=p-web-1)"; got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	var b strings.Builder
	ev.Service = "web"
	if err := writeEventJSON(&b, ev); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(b.String()), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"time", "type", "action", "id", "service", "attributes"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON event lacks %q: %s", k, b.String())
		}
	}
	if m["type"] != "container" || m["action"] != "start" || m["id"] != "abc123" || m["service"] != "web" || !strings.HasSuffix(b.String(), "}\n") {
		t.Errorf("JSON event %s", b.String())
	}
}
