package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine"
)

// TestTop checks `top` on the engine: one table of the running
// containers' processes, service and number first, CMD last; a service's
// only; nothing for a stopped service; an unknown service fails.
func TestTop(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  web:
    image: IMAGE
  sleeper:
    image: IMAGE
    command: ["sleep"]
  job:
    image: IMAGE
    command: ["exit", "0"]
`)
	s.ok(nil, "up", "-d")
	eventually(t, "job to exit", func() bool { return s.ps()[s.container("job", 1)].State == "exited" })
	out := s.ok(nil, "top")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	header := regexp.MustCompile(`^SERVICE +# +UID +PID +PPID +C +STIME +TTY +TIME +CMD$`)
	sleeper := regexp.MustCompile(`^sleeper +1 +\S+ +\d+ +\d+ .* /app sleep$`)
	web := regexp.MustCompile(`^web +1 +\S+ +\d+ +\d+ .* /app serve$`)
	if len(lines) != 3 || !header.MatchString(lines[0]) || !sleeper.MatchString(lines[1]) || !web.MatchString(lines[2]) {
		t.Fatalf("top:\n%s", out)
	}
	if out := s.ok(nil, "top", "web"); strings.Contains(out, "sleeper") || !strings.Contains(out, "/app serve") {
		t.Fatalf("top web:\n%s", out)
	}
	if out := s.ok(nil, "top", "job"); out != "" {
		t.Fatalf("top of a stopped service printed:\n%s", out)
	}
	if code, out, errOut := s.berth(nil, "top", "nope"); code != 1 || out != "" || !strings.Contains(errOut, `no such service: "nope"`) {
		t.Fatalf("top nope: exit %d\n%s%s", code, out, errOut)
	}
}

func TestPrintTop(t *testing.T) {
	cs := []engine.ContainerProcesses{
		{ContainerInfo: engine.ContainerInfo{Service: "db", Number: 1}, Titles: []string{"UID", "PID", "CMD"},
			Processes: [][]string{{"root", "10", "postgres"}, {"root", "11", "postgres: writer"}}},
		{ContainerInfo: engine.ContainerInfo{Service: "web", Number: 2}, Titles: []string{"PID", "CMD", "%CPU"},
			Processes: [][]string{{"20", "/app serve", "0.5"}}},
	}
	var out bytes.Buffer
	if err := printTop(&out, cs); err != nil {
		t.Fatal(err)
	}
	want := "SERVICE  #   UID   PID  %CPU  CMD\n" +
		"db       1   root  10   -     postgres\n" +
		"db       1   root  11   -     postgres: writer\n" +
		"web      2   -     20   0.5   /app serve\n"
	if out.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out.String(), want)
	}
	out.Reset()
	if err := printTop(&out, nil); err != nil || out.Len() != 0 {
		t.Fatalf("no processes: %q %v", out.String(), err)
	}
}
