package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestProgressTTY runs `up -d` with stderr on a pseudo-terminal: auto
// progress becomes the live block, redrawn in place with cursor controls,
// ending with every resource done and the summary line.
func TestProgressTTY(t *testing.T) {
	s := newStack(t)
	s.write("services:\n  db:\n    image: IMAGE\n  web:\n    image: IMAGE\n    depends_on: [db]\n")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, berthBin, "-p", s.name, "up", "-d")
	cmd.Dir = s.dir
	cmd.Env = s.environ
	var out bytes.Buffer
	cmd.Stdout = &out
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	cmd.Stderr = tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	screen := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(ptmx) // ends with EIO once the child exits
		screen <- string(b)
	}()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("up -d under a terminal: %v", err)
	}
	got := <-screen
	if !strings.Contains(got, "\x1b[") || !strings.Contains(got, "\x1b[2K") {
		t.Fatalf("no live block (cursor controls) on the terminal:\n%q", got)
	}
	// the last drawing of the block: the network, db, web and the summary
	rows := strings.Split(strings.TrimRight(got, "\r\n"), "\n")
	last := strings.Join(rows[max(0, len(rows)-4):], "\n")
	for _, want := range []string{"✔ Container " + s.container("db", 1), "✔ Container " + s.container("web", 1), "Started", "done in"} {
		if !strings.Contains(got, want) {
			t.Errorf("the terminal does not show %q:\n%q", want, got)
		}
	}
	if strings.Contains(last, "⠋") {
		t.Errorf("the final block still shows a spinner:\n%q", last)
	}
}

// TestProgressJSON parses every line `--progress json` writes for an up:
// each is a JSON object with the documented fields, every action starts
// and ends, and done events carry a duration.
func TestProgressJSON(t *testing.T) {
	s := newStack(t)
	s.write("services:\n  db:\n    image: IMAGE\n    healthcheck: {test: [CMD, /app, health], interval: 1s, retries: 30}\n  web:\n    image: IMAGE\n    depends_on: {db: {condition: service_healthy}}\n")
	_, _, errOut := s.berth(nil, "--progress", "json", "up", "-d")
	started, ended := map[int]bool{}, map[int]bool{}
	sc := bufio.NewScanner(strings.NewReader(errOut))
	lines := 0
	for sc.Scan() {
		lines++
		var ev struct {
			Time       string `json:"time"`
			ID         string `json:"id"`
			Status     string `json:"status"`
			Action     int    `json:"action"`
			Kind       string `json:"kind"`
			Resource   string `json:"resource"`
			Reason     string `json:"reason"`
			DurationMS *int64 `json:"duration_ms"`
			Error      string `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", lines, err, sc.Text())
		}
		if _, err := time.Parse(time.RFC3339Nano, ev.Time); err != nil {
			t.Errorf("line %d: time %q: %v", lines, ev.Time, err)
		}
		switch ev.Status {
		case "started":
			started[ev.Action] = true
		case "done":
			ended[ev.Action] = true
			if ev.DurationMS == nil {
				t.Errorf("done without duration_ms: %s", sc.Text())
			}
		case "failed", "skipped":
			t.Errorf("unexpected %s: %s", ev.Status, sc.Text())
		}
		if ev.Action != 0 && (ev.ID == "" || ev.Kind == "" || ev.Resource == "" || ev.Reason == "") {
			t.Errorf("action event without id, kind, resource or reason: %s", sc.Text())
		}
	}
	if lines == 0 || len(started) == 0 || len(started) != len(ended) {
		t.Fatalf("%d lines, %d actions started, %d done:\n%s", lines, len(started), len(ended), errOut)
	}
	if !strings.Contains(errOut, `"kind":"await"`) || !strings.Contains(errOut, `"text":"Healthy"`) {
		t.Errorf("the health wait is not in the stream:\n%s", errOut)
	}
}
