package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeReader is a hand-written LogReader, EventReader, StatsReader and
// ProcessLister: it records the calls Logs makes and serves canned data.
type fakeReader struct {
	now        time.Time
	containers []ContainerInfo
	calls      []string
	reads      []LogOptions
	follows    []FollowOptions
	// followBlocks makes Follow wait for ctx, as following does.
	followBlocks bool
	events       []EngineEvent
	eventsErr    error
	stats        map[string]ContainerStats
	top          map[string][][]string
	queries      []ContainerQuery
}

func (f *fakeReader) EngineTime(context.Context) (time.Time, error) { return f.now, nil }

func (f *fakeReader) List(_ context.Context, _ string, all bool) ([]ContainerInfo, error) {
	var out []ContainerInfo
	for _, c := range f.containers {
		if all || c.State == "running" {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeReader) Containers(ctx context.Context, q ContainerQuery) ([]ContainerInfo, error) {
	f.queries = append(f.queries, q)
	return f.List(ctx, q.Project, q.All)
}

func (f *fakeReader) ReadLogs(_ context.Context, _ string, o LogOptions, sink LogSink) error {
	f.calls = append(f.calls, "read")
	f.reads = append(f.reads, o)
	sink.Line(LogSource{Name: "old"}, Stdout, "backlog")
	return nil
}

func (f *fakeReader) Follow(ctx context.Context, _ string, o FollowOptions, sink LogSink) error {
	f.calls = append(f.calls, "follow")
	f.follows = append(f.follows, o)
	sink.Line(LogSource{Name: "new"}, Stdout, "live")
	if f.followBlocks {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (f *fakeReader) ProjectEvents(ctx context.Context, _ string, _ EventOptions) (<-chan EngineEvent, <-chan error) {
	out := make(chan EngineEvent)
	errs := make(chan error, 1)
	go func() {
		defer close(out)
		for _, ev := range f.events {
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
		}
		if f.eventsErr != nil {
			errs <- f.eventsErr
		}
	}()
	return out, errs
}

func (f *fakeReader) Stats(_ context.Context, id string, _ bool, fn func(ContainerStats)) error {
	fn(f.stats[id])
	return nil
}

func (f *fakeReader) Top(_ context.Context, id string) ([]string, [][]string, error) {
	if procs, ok := f.top[id]; ok {
		return []string{"PID", "CMD"}, procs, nil
	}
	return nil, nil, errors.New("not running")
}

// lineSink records lines and whether it was told it caught up.
type lineSink struct {
	lines []string
}

func (s *lineSink) Line(src LogSource, _ Stream, line string) {
	s.lines = append(s.lines, src.Name+" "+line)
}
func (s *lineSink) Exit(ContainerExit) {}
func (s *lineSink) CaughtUp()          { s.lines = append(s.lines, "-- caught up") }

func TestLogsWithoutFollowReadsOnce(t *testing.T) {
	r := &fakeReader{now: time.Unix(100, 0)}
	sink := &lineSink{}
	o := LogsOptions{LogOptions: LogOptions{Services: []string{"web"}, Tail: 3}}
	if err := Logs(context.Background(), r, "p", o, sink); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.calls, []string{"read"}) || r.reads[0].Tail != 3 || !r.reads[0].Until.IsZero() {
		t.Fatalf("calls %v, reads %+v", r.calls, r.reads)
	}
	if !slices.Equal(sink.lines, []string{"old backlog"}) {
		t.Fatalf("lines %q", sink.lines)
	}
}

// TestLogsFollowSplitsAtEngineTime: the backlog is read up to the engine's
// time now and following starts from that moment, so no line is lost or
// repeated between the two; the sink learns when the backlog is done.
func TestLogsFollowSplitsAtEngineTime(t *testing.T) {
	now := time.Unix(1000, 5)
	r := &fakeReader{now: now}
	sink := &lineSink{}
	o := LogsOptions{LogOptions: LogOptions{Services: []string{"web"}, Since: time.Unix(10, 0), Timestamps: true}, Follow: true}
	if err := Logs(context.Background(), r, "p", o, sink); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.calls, []string{"read", "follow"}) {
		t.Fatalf("calls %v", r.calls)
	}
	if got := r.reads[0]; !got.Until.Equal(now) || !got.Since.Equal(time.Unix(10, 0)) {
		t.Fatalf("backlog read %+v, want since 10 until now", got)
	}
	f := r.follows[0]
	if !f.Since.Equal(now) || !f.UntilCanceled || !f.Timestamps || !slices.Equal(f.Services, []string{"web"}) {
		t.Fatalf("follow options %+v", f)
	}
	if want := []string{"old backlog", "-- caught up", "new live"}; !slices.Equal(sink.lines, want) {
		t.Fatalf("lines %q, want %q", sink.lines, want)
	}
}

func TestLogsFollowEndsAtUntil(t *testing.T) {
	now := time.Now()
	r := &fakeReader{now: now, followBlocks: true}
	o := LogsOptions{LogOptions: LogOptions{Until: now.Add(50 * time.Millisecond)}, Follow: true}
	if err := Logs(context.Background(), r, "p", o, &lineSink{}); err != nil {
		t.Fatalf("follow until a time: %v, want nil once it passed", err)
	}
	// an Until already past: the backlog only
	r = &fakeReader{now: now}
	o.Until = now.Add(-time.Minute)
	if err := Logs(context.Background(), r, "p", o, &lineSink{}); err != nil || !slices.Equal(r.calls, []string{"read"}) {
		t.Fatalf("until in the past: %v, calls %v", err, r.calls)
	}
	if !r.reads[0].Until.Equal(o.Until) {
		t.Fatalf("backlog until %v, want %v", r.reads[0].Until, o.Until)
	}
}

func TestLogsFollowCanceled(t *testing.T) {
	r := &fakeReader{now: time.Now(), followBlocks: true}
	ctx, cancel := context.WithCancel(context.Background())
	go cancel()
	err := Logs(ctx, r, "p", LogsOptions{Follow: true}, &lineSink{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

func TestLogsIndex(t *testing.T) {
	r := &fakeReader{containers: []ContainerInfo{
		{Service: "web", Number: 1, State: "running"},
		{Service: "web", Number: 3, State: "exited"},
		{Service: "db", Number: 2, State: "running"},
	}}
	for _, c := range []struct {
		services []string
		index    int
		want     string // "" for no error
	}{
		{[]string{"web"}, 3, ""},
		{[]string{"web"}, 2, `service "web" has no container #2 (its containers are #1, #3)`},
		{[]string{"cache"}, 1, `service "cache" has no container #1 (it has no containers)`},
		{[]string{"web", "db"}, 1, "exactly one service"},
		{[]string{"web"}, -1, "invalid --index -1"},
	} {
		err := Logs(context.Background(), r, "p", LogsOptions{LogOptions: LogOptions{Services: c.services, Index: c.index}}, &lineSink{})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%v #%d: %v", c.services, c.index, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%v #%d: error %v, want %q", c.services, c.index, err, c.want)
		}
	}
}

func TestLogOptionsWants(t *testing.T) {
	o := LogOptions{Services: []string{"web"}, Index: 2}
	for _, c := range []struct {
		service string
		number  int
		want    bool
	}{{"web", 2, true}, {"web", 1, false}, {"db", 2, false}} {
		if got := o.Wants(c.service, c.number); got != c.want {
			t.Errorf("Wants(%s, %d) = %v", c.service, c.number, got)
		}
	}
	if !(LogOptions{}).Wants("any", 7) {
		t.Error("empty options should select every container")
	}
}

func TestContainerEventsFilters(t *testing.T) {
	ev := func(service, action string, attrs map[string]string) EngineEvent {
		return EngineEvent{Service: service, Action: action, Attributes: attrs}
	}
	r := &fakeReader{events: []EngineEvent{
		ev("web", "start", map[string]string{"name": "p-web-1", "com.docker.compose.service": "web", "dev.berth.spec": "{}", "image": "app"}),
		ev("db", "start", map[string]string{"name": "p-db-1"}),
		ev("web", "create", map[string]string{"name": "p-web-run-1", "com.docker.compose.oneoff": "True"}),
		ev("web", "die", map[string]string{"name": "p-web-1", "exitCode": "0"}),
	}}
	var got []EngineEvent
	err := ContainerEvents(context.Background(), r, "p", EventOptions{Services: []string{"web"}}, func(e EngineEvent) error {
		got = append(got, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Action != "start" || got[1].Action != "die" {
		t.Fatalf("events %+v, want web's start and die", got)
	}
	if a := got[0].Attributes; len(a) != 2 || a["name"] != "p-web-1" || a["image"] != "app" {
		t.Fatalf("attributes %v, want name and image only", a)
	}

	r.eventsErr = errors.New("engine went away")
	if err := ContainerEvents(context.Background(), r, "p", EventOptions{}, func(EngineEvent) error { return nil }); err == nil || err.Error() != "engine went away" {
		t.Fatalf("stream error: %v", err)
	}
	stop := errors.New("stop")
	if err := ContainerEvents(context.Background(), r, "p", EventOptions{}, func(EngineEvent) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("callback error: %v", err)
	}
}

func TestStatsOnce(t *testing.T) {
	r := &fakeReader{
		containers: []ContainerInfo{
			{ID: "a1", Name: "p-a-1", Service: "a", State: "running"},
			{ID: "b1", Name: "p-b-1", Service: "b", State: "running"},
			{ID: "b2", Name: "p-b-2", Service: "b", State: "exited"},
		},
		stats: map[string]ContainerStats{"a1": {CPUPercent: 1}, "b1": {CPUPercent: 2, PIDs: 3}, "b2": {}},
	}
	var shown [][]ContainerStats
	show := func(s []ContainerStats) error { shown = append(shown, s); return nil }
	if err := Stats(context.Background(), r, "p", StatsOptions{Services: []string{"b"}}, show); err != nil {
		t.Fatal(err)
	}
	if len(shown) != 1 || len(shown[0]) != 1 || shown[0][0].Name != "p-b-1" || shown[0][0].PIDs != 3 {
		t.Fatalf("shown %+v, want b-1's sample", shown)
	}
	shown = nil
	if q := r.queries[len(r.queries)-1]; !q.OneOff || q.All {
		t.Fatalf("stats lists %+v, want the running containers, one-off ones included", q)
	}
	if err := Stats(context.Background(), r, "p", StatsOptions{All: true}, show); err != nil {
		t.Fatal(err)
	}
	if len(shown[0]) != 3 || shown[0][2].ID != "b2" {
		t.Fatalf("with All: %+v", shown)
	}
}

func TestStatsStream(t *testing.T) {
	r := &fakeReader{
		containers: []ContainerInfo{{ID: "a1", Name: "p-a-1", Service: "a", State: "running"}},
		stats:      map[string]ContainerStats{"a1": {PIDs: 4}},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rounds := 0
	err := Stats(ctx, r, "p", StatsOptions{Stream: true, Interval: 10 * time.Millisecond}, func(s []ContainerStats) error {
		rounds++
		if len(s) != 1 || s[0].Name != "p-a-1" {
			t.Errorf("round %d: %+v", rounds, s)
		}
		if rounds == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || rounds < 3 {
		t.Fatalf("err %v after %d rounds", err, rounds)
	}
}

func TestTop(t *testing.T) {
	r := &fakeReader{
		containers: []ContainerInfo{
			{ID: "b1", Name: "p-b-1", Service: "b", State: "running"},
			{ID: "a1", Name: "p-a-1", Service: "a", State: "running"},
			{ID: "c1", Name: "p-c-1", Service: "c", State: "exited"},
		},
		top: map[string][][]string{"a1": {{"1", "/app serve"}}, "b1": {{"7", "sleep"}}},
	}
	got, err := Top(context.Background(), r, "p", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "p-a-1" || got[1].Name != "p-b-1" || got[0].Processes[0][1] != "/app serve" {
		t.Fatalf("top %+v", got)
	}
	if q := r.queries[0]; !q.OneOff || q.All || q.Project != "p" {
		t.Fatalf("top lists %+v, want the running containers, one-off ones included", q)
	}
	got, err = Top(context.Background(), r, "p", []string{"b"})
	if err != nil || len(got) != 1 || got[0].Service != "b" {
		t.Fatalf("top b: %+v %v", got, err)
	}
	delete(r.top, "a1")
	if _, err := Top(context.Background(), r, "p", nil); err == nil || !strings.Contains(err.Error(), "p-a-1") {
		t.Fatalf("a failing top should name its container: %v", err)
	}
}
