//go:build compat

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// composeOut runs the -compose binary in the stack's directory and returns
// its stdout alone, failing the test unless it exits 0.
func (s *stack) composeOut(args ...string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, *composeBin, args...)
	cmd.Dir = s.dir
	cmd.Env = s.environ
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		s.t.Fatalf("compose %s: %v\nstderr:\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

// TestLsFindsCompose checks that ls finds a project Compose started, and
// that Berth's ls, ps, images and volumes print what Compose's print for
// it (the columns whose values do not move with time).
func TestLsFindsCompose(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  web:
    image: IMAGE
    scale: 2
    ports: ["127.0.0.1::8080"]
    volumes: [data:/data]
  job:
    image: IMAGE
    command: ["exit", "0"]
volumes: {data: {}}
`)
	s.compose("up", "-d")
	t.Cleanup(func() { s.compose("down", "-v") })
	eventually(t, "job exits", func() bool { return s.ps()[s.container("job", 1)].State == "exited" })

	only := "name=^" + s.name + "$"
	for _, args := range [][]string{
		{"ls", "--filter", only},
		{"ls", "-a", "--filter", only},
		{"ls", "-a", "--filter", only, "--format", "json"},
		{"ls", "-q", "--filter", only},
	} {
		want := s.composeOut(args...)
		if got := s.ok(nil, args...); got != want {
			t.Errorf("berth %s:\n%s\ncompose:\n%s", strings.Join(args, " "), got, want)
		}
	}
	if got := s.ok(nil, "ls", "-a", "--filter", only, "--format", "json"); !strings.Contains(got, `"Status":"exited(1), running(2)"`) {
		t.Errorf("ls -a --format json: %s", got)
	}
	// Compose prints the images in no particular order: compare them sorted
	images := func(out string) []imageJSON {
		var list []imageJSON
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("images --format json: %v\n%s", err, out)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].ContainerName < list[j].ContainerName })
		return list
	}
	want := images(s.composeOut("-p", s.name, "images", "--format", "json"))
	if got := images(s.ok(nil, "images", "--format", "json")); len(got) != 3 || !reflect.DeepEqual(got, want) {
		t.Errorf("images --format json:\n%+v\ncompose:\n%+v", got, want)
	}
	for _, args := range [][]string{
		{"-p", s.name, "ps", "-a", "--format", "table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.State}}\t{{.Ports}}"},
		{"-p", s.name, "ps", "--services"},
		{"-p", s.name, "ps", "-q"},
		{"-p", s.name, "ps", "-a", "--format", "{{.ID}} {{.Name}} {{.LocalVolumes}} {{.Mounts}} {{.Networks}} {{.ExitCode}} {{json .Publishers}}"},
		{"-p", s.name, "images", "-q"},
		{"-p", s.name, "volumes"},
		{"-p", s.name, "volumes", "--format", "json"},
		{"-p", s.name, "port", "--index", "2", "web", "8080"},
	} {
		want := s.composeOut(args...)
		code, got, errOut := s.berth(nil, args[2:]...)
		if code != 0 || got != want {
			t.Errorf("berth %s: exit %d\n%s%s\ncompose:\n%s", strings.Join(args[2:], " "), code, got, errOut, want)
		}
	}
}
