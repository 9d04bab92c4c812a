package main

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine"
)

// TestStats checks `stats --no-stream` on the engine: the docker CLI's
// columns for the running containers (all with -a), one service, JSON and
// template formats, --no-trunc; streaming prints a table a round until
// Ctrl-C (exit 130); bad input fails.
func TestStats(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  web:
    image: IMAGE
  job:
    image: IMAGE
    command: ["exit", "0"]
`)
	s.ok(nil, "up", "-d")
	ps := s.ps()
	web, job := ps[s.container("web", 1)], ps[s.container("job", 1)]
	web.ID, job.ID = s.inspect(web.Name).ID, s.inspect(job.Name).ID // ps shows 12 digits, as Compose's does
	eventually(t, "job to exit", func() bool { return s.ps()[job.Name].State == "exited" })

	out := s.ok(nil, "stats", "--no-stream")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	header := regexp.MustCompile(`^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS$`)
	row := regexp.MustCompile(`^` + web.ID[:12] + ` +` + web.Name + ` +\d+\.\d\d% +[\d.]+[KMGT]?i?B / [\d.]+[KMGT]?i?B +\d+\.\d\d% +[\d.]+[kMGT]?B / [\d.]+[kMGT]?B +[\d.]+[kMGT]?B / [\d.]+[kMGT]?B +[1-9]\d*$`)
	if len(lines) != 2 || !header.MatchString(lines[0]) || !row.MatchString(lines[1]) {
		t.Fatalf("stats --no-stream: the running web only, in the docker CLI's columns:\n%s", out)
	}

	out = s.ok(nil, "stats", "--no-stream", "-a", "--no-trunc", "--format", "json")
	rows := map[string]statsRow{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r statsRow
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("stats --format json line %q: %v", l, err)
		}
		rows[r.Name] = r
	}
	if len(rows) != 2 || rows[web.Name].ID != web.ID || rows[job.Name].ID != job.ID || rows[job.Name].PIDs != "0" {
		t.Fatalf("stats -a --no-trunc --format json:\n%s", out)
	}

	if out := s.ok(nil, "stats", "--no-stream", "-a", "--format", "{{.Name}} {{.PIDs}}", "job"); out != job.Name+" 0\n" {
		t.Fatalf("stats with a template, one service: %q", out)
	}
	if out := s.ok(nil, "stats", "--no-stream", "--format", `table {{.Name}}\t{{.PIDs}}`); !strings.HasPrefix(out, "NAME ") || !strings.Contains(out, "\n"+web.Name+" ") {
		t.Fatalf("stats with a table template: %q", out)
	}

	t.Run("streaming", func(t *testing.T) {
		cmd, stdout, stderr, wait := s.start("stats", "--format", "{{.Name}}")
		eventually(t, "two rounds", func() bool { return strings.Count(stdout.String(), web.Name+"\n") >= 2 })
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		if code := wait(); code != 130 {
			t.Fatalf("stats after Ctrl-C: exit %d, want 130\nstderr:\n%s", code, stderr)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"stats", "--no-stream", "nope"}, 1, `no such service: "nope"`},
			{[]string{"stats", "--no-stream", "web", "job"}, 2, "at most one service"},
			{[]string{"stats", "--no-stream", "--format", "{{.Name"}, 2, "invalid --format template"},
		} {
			code, out, errOut := s.berth(nil, c.args...)
			if code != c.code || !strings.Contains(errOut, c.want) || out != "" {
				t.Errorf("berth %s: exit %d (want %d)\nstdout: %q\nstderr: %s", strings.Join(c.args, " "), code, c.code, out, errOut)
			}
		}
	})
}

func TestStatsFormatting(t *testing.T) {
	for _, c := range []struct {
		n               uint64
		decimal, binary string
	}{
		{0, "0B", "0B"},
		{999, "999B", "999B"},
		{1000, "1kB", "1000B"},
		{1536, "1.54kB", "1.5KiB"},
		{1508352, "1.51MB", "1.438MiB"},
		{25275674624, "25.3GB", "23.54GiB"},
	} {
		if got := decimalSize(c.n); got != c.decimal {
			t.Errorf("decimalSize(%d) = %s, want %s", c.n, got, c.decimal)
		}
		if got := binarySize(c.n); got != c.binary {
			t.Errorf("binarySize(%d) = %s, want %s", c.n, got, c.binary)
		}
	}

	sample := engine.ContainerStats{ID: "0123456789abcdef", Name: "p-web-1", CPUPercent: 12.345, MemUsage: 1508352, MemLimit: 25275674624,
		MemPercent: 0.006, NetRx: 846, NetTx: 0, BlockRead: 4096, BlockWrite: 1000000, PIDs: 7}
	render, err := newStatsRenderer("", false)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := render(&out, []engine.ContainerStats{sample}); err != nil {
		t.Fatal(err)
	}
	want := "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT     MEM %     NET I/O     BLOCK I/O     PIDS\n" +
		"0123456789ab   p-web-1   12.35%    1.438MiB / 23.54GiB   0.01%     846B / 0B   4.1kB / 1MB   7\n"
	if out.String() != want {
		t.Fatalf("table:\n%s\nwant:\n%s", out.String(), want)
	}
	if r := toStatsRow(sample, true); r.ID != sample.ID || r.Container != sample.ID {
		t.Fatalf("--no-trunc row %+v", r)
	}
}
