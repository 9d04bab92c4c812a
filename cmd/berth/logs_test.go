package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// logsCompose has two one-shot services whose one line (on stderr) names
// them; running them by turns gives interleaved logs.
const logsCompose = `
services:
  a:
    image: IMAGE
    command: ["line-a"]
  b:
    image: IMAGE
    command: ["line-b"]
`

// TestLogs runs a, b, a, b (each attached `up` returns once its container
// has exited, so the four lines are written in that order) and checks the
// output of logs and its flags, --merge's order, and the bad input cases.
func TestLogs(t *testing.T) {
	s := newStack(t)
	s.write(logsCompose)
	for _, svc := range []string{"a", "b", "a", "b"} {
		s.ok(nil, "up", svc)
	}
	a, b := logPrefix("a", 1), logPrefix("b", 1)
	lineA, lineB := a+"  | unknown command line-a", b+"  | unknown command line-b"

	out := s.ok(nil, "logs")
	if want := strings.Join([]string{lineA, lineA, lineB, lineB}, "\n") + "\n"; out != want {
		t.Fatalf("logs: each container's lines, containers in service order:\n%s\nwant:\n%s", out, want)
	}
	if strings.Contains(out, "\033[") {
		t.Fatalf("colours when the output is not a terminal:\n%q", out)
	}

	// -t: every line with its time; --merge: in time order across containers
	out = s.ok(nil, "logs", "--merge", "-t")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var names []string
	var times []time.Time
	for _, l := range lines {
		name, rest, _ := strings.Cut(l, "  | ")
		stamp, text, _ := strings.Cut(rest, " ")
		at, err := time.Parse(time.RFC3339Nano, stamp)
		if err != nil || text != "unknown command line-"+name[len(name)-3:len(name)-2] {
			t.Fatalf("logs --merge -t line %q: %v", l, err)
		}
		names, times = append(names, name), append(times, at)
	}
	if !slices.Equal(names, []string{a, b, a, b}) {
		t.Fatalf("logs --merge order %v, want a, b, a, b:\n%s", names, out)
	}
	if !slices.IsSortedFunc(times, func(x, y time.Time) int { return x.Compare(y) }) {
		t.Fatalf("logs --merge times out of order:\n%s", out)
	}
	if out := s.ok(nil, "logs", "--merge"); out != strings.Join([]string{lineA, lineB, lineA, lineB}, "\n")+"\n" {
		t.Fatalf("logs --merge without -t:\n%s", out)
	}

	t.Run("--tail, --no-log-prefix, a service", func(t *testing.T) {
		if out := s.ok(nil, "logs", "--tail", "1", "--no-log-prefix", "a"); out != "unknown command line-a\n" {
			t.Fatalf("got %q", out)
		}
		if out := s.ok(nil, "logs", "-n", "0"); out != "" {
			t.Fatalf("-n 0 printed %q", out)
		}
	})

	t.Run("--since and --until", func(t *testing.T) {
		// b's first line was written after a's first and before a's second
		since := times[1].Format(time.RFC3339Nano)
		if out := s.ok(nil, "logs", "--since", since, "a"); out != lineA+"\n" {
			t.Fatalf("--since %s a: %q, want a's second line only", since, out)
		}
		if out := s.ok(nil, "logs", "--until", since, "a"); out != lineA+"\n" {
			t.Fatalf("--until %s a: %q, want a's first line only", since, out)
		}
		if out := s.ok(nil, "logs", "--since", "1h", "--until", "1h", "a"); out != "" {
			t.Fatalf("an empty range printed %q", out)
		}
	})

	t.Run("--index", func(t *testing.T) {
		if out := s.ok(nil, "logs", "--index", "1", "b"); out != lineB+"\n"+lineB+"\n" {
			t.Fatalf("--index 1 b: %q", out)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		before := s.ps()
		for _, c := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"logs", "nope"}, 1, `no such service: "nope"`},
			{[]string{"logs", "--index", "2", "a"}, 1, `service "a" has no container #2 (its containers are #1)`},
			{[]string{"logs", "--index", "1"}, 2, "--index needs exactly one service"},
			{[]string{"logs", "--index", "-1", "a"}, 2, "invalid --index -1"},
			{[]string{"logs", "--tail", "many"}, 2, `invalid --tail "many"`},
			{[]string{"logs", "--since", "yesterday"}, 2, `invalid --since: "yesterday" is not a time`},
			{[]string{"logs", "--until", "12x"}, 2, `invalid --until: "12x" is not a time`},
			{[]string{"logs", "--no-such-flag"}, 2, "unknown flag"},
		} {
			code, out, errOut := s.berth(nil, c.args...)
			if code != c.code || !strings.Contains(errOut, c.want) || out != "" {
				t.Errorf("berth %s: exit %d (want %d)\nstdout: %q\nstderr: %s(want %q)", strings.Join(c.args, " "), code, c.code, out, errOut, c.want)
			}
		}
		after := s.ps()
		for name, row := range before {
			if after[name].ID != row.ID || after[name].State != row.State {
				t.Errorf("%s changed: %+v -> %+v", name, row, after[name])
			}
		}
	})
}

// TestLogsFollowRecreate starts `logs -f`, then recreates a service with
// `up --force-recreate` (and a changed command), scales it up and runs a
// one-off container of it: the new containers' lines arrive, the old line
// is not repeated; Ctrl-C exits 130.
func TestLogsFollowRecreate(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  job:
    image: IMAGE
    command: ["gen-${GEN:-1}"]
  web:
    image: IMAGE
`)
	s.ok(nil, "up", "-d")
	job1 := logPrefix("job", 1)
	eventually(t, "job's line", func() bool { return strings.Contains(s.ok(nil, "logs", "job"), "gen-1") })

	cmd, stdout, stderr, wait := s.start("logs", "-f")
	eventually(t, "logs -f to print the existing line", func() bool {
		return strings.Contains(stdout.String(), job1+"  | unknown command gen-1\n")
	})
	s.ok([]string{"GEN=2"}, "up", "-d", "--force-recreate", "job")
	eventually(t, "the recreated container's line and exit", func() bool {
		out := stdout.String()
		return strings.Contains(out, job1+"  | unknown command gen-2\n") && strings.Contains(out, job1+" exited with code 2\n")
	})
	s.ok([]string{"GEN=3"}, "up", "-d", "--scale", "job=2")
	job2 := logPrefix("job", 2)
	eventually(t, "the scaled-up container's line", func() bool {
		return strings.Contains(stdout.String(), job2+"  | unknown command gen-3\n")
	})
	// a one-off container of `run` is followed too, and read afterwards
	if code, _, errOut := s.berth(nil, "run", "-T", "job", "from-run"); code != 2 {
		t.Fatalf("run: exit %d, want the container's 2\n%s", code, errOut)
	}
	eventually(t, "the one-off container's line", func() bool {
		return strings.Contains(stdout.String(), "unknown command from-run\n")
	})
	if out := s.ok(nil, "logs", "job"); !strings.HasSuffix(out, "unknown command from-run\n") {
		t.Fatalf("logs: the one-off container's line does not come after the numbered ones':\n%s", out)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := wait(); code != 130 {
		t.Fatalf("logs -f after Ctrl-C: exit %d, want 130\nstderr:\n%s", code, stderr)
	}
	if n := strings.Count(stdout.String(), "gen-1"); n != 1 {
		t.Fatalf("the first container's line came %d times:\n%s", n, stdout)
	}
}

// TestLogsFollowMerge: `logs -f --merge` writes the backlog in time order,
// then the lines of a container started later.
func TestLogsFollowMerge(t *testing.T) {
	s := newStack(t)
	s.write(logsCompose)
	for _, svc := range []string{"a", "b", "a"} {
		s.ok(nil, "up", svc)
	}
	a, b := logPrefix("a", 1), logPrefix("b", 1)
	cmd, stdout, stderr, wait := s.start("logs", "-f", "--merge")
	backlog := strings.Join([]string{a + "  | unknown command line-a", b + "  | unknown command line-b", a + "  | unknown command line-a"}, "\n") + "\n"
	eventually(t, "the merged backlog", func() bool { return stdout.String() == backlog })
	s.ok(nil, "start", "b")
	eventually(t, "b's new line", func() bool {
		return stdout.String() == backlog+b+"  | unknown command line-b\n"+b+" exited with code 2\n"
	})
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := wait(); code != 130 {
		t.Fatalf("exit %d, want 130\nstderr:\n%s", code, stderr)
	}
}

// TestLogsColorsOnATerminal: on a terminal each container's prefix has a
// colour of its own (Compose's: cyan, then yellow); --no-color turns them
// off.
func TestLogsColorsOnATerminal(t *testing.T) {
	s := newStack(t)
	s.write(logsCompose)
	s.ok(nil, "up", "a")
	s.ok(nil, "up", "b")
	out := s.onTerminal("logs")
	for _, want := range []string{
		"\x1b[36m" + logPrefix("a", 1) + "  | \x1b[0munknown command line-a",
		"\x1b[33m" + logPrefix("b", 1) + "  | \x1b[0munknown command line-b",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("logs on a terminal lacks %q:\n%q", want, out)
		}
	}
	if out := s.onTerminal("logs", "--no-color"); strings.Contains(out, "\x1b[") || !strings.Contains(out, logPrefix("a", 1)+"  | unknown command line-a") {
		t.Errorf("logs --no-color on a terminal:\n%q", out)
	}
}

// onTerminal runs berth with its standard output on a terminal and returns
// what it wrote there.
func (s *stack) onTerminal(args ...string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, berthBin, append([]string{"-p", s.name}, args...)...)
	cmd.Dir, cmd.Env = s.dir, s.environ
	ptmx, tty, err := pty.Open()
	if err != nil {
		s.t.Fatal(err)
	}
	defer ptmx.Close()
	cmd.Stdout = tty
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	tty.Close()
	screen := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(ptmx) // ends with EIO once the child exits
		screen <- string(b)
	}()
	if err := cmd.Wait(); err != nil {
		s.t.Fatalf("berth %s on a terminal: %v", strings.Join(args, " "), err)
	}
	return <-screen
}

// logPrefix is how logs and attached up name container n of svc: the
// container's name without the project's, as Compose does.
func logPrefix(svc string, n int) string { return fmt.Sprintf("%s-%d", svc, n) }
