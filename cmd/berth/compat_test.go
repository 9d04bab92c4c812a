//go:build compat

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
)

// The tests in this file run only with -tags compat and a Docker Compose
// binary (-compose): `make compat` builds Compose v5.5.0, the release on
// Berth's compose-go, and runs them with it.

// compatCompose exercises the fields whose hash or labels could differ
// between the tools: env files, an environment value from the shell,
// published ports, named and anonymous volumes, tmpfs, networks with
// aliases and IPAM, a healthcheck gate, labels, resources, a secret, and
// the namespace and volumes_from references to other services.
const compatCompose = `
services:
  db:
    image: IMAGE
    healthcheck:
      test: ["CMD", "/app", "health"]
      interval: 1s
      retries: 30
    volumes: [data:/data, /anon]
    tmpfs: [/scratch]
    networks:
      back: {aliases: [database]}
    env_file: [app.env]
    environment:
      FROM_SHELL:
    secrets: [token]
  web:
    image: IMAGE
    ports: ["127.0.0.1::8080"]
    environment:
      LOG_LEVEL: ${LOG_LEVEL:-info}
    depends_on:
      db: {condition: service_healthy}
    networks: [front, back]
    labels: {com.example.tier: web}
    deploy:
      resources:
        limits: {memory: 64m}
    cap_drop: [NET_RAW]
    extra_hosts: ["gateway.test:127.0.0.2"]
    init: true
    restart: unless-stopped
  sidecar:
    image: IMAGE
    command: ["sleep"]
    network_mode: service:web
    volumes_from: [db]
networks:
  front: {}
  back:
    driver_opts: {com.docker.network.bridge.enable_icc: "true"}
    ipam:
      config: [{subnet: 172.31.250.0/24}]
volumes:
  data: {labels: {com.example.keep: "yes"}}
secrets:
  token: {file: ./token.txt}
`

// compose runs the -compose binary in the stack's directory with the
// stack's project name and environment.
func (s *stack) compose(args ...string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, *composeBin, append([]string{"-p", s.name}, args...)...)
	cmd.Dir = s.dir
	cmd.Env = append([]string{"FROM_SHELL=from the shell"}, s.environ...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		s.t.Fatalf("compose %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String() + errOut.String()
}

// containers lists the project's containers, running or not, as the
// engine reports them.
func (s *stack) containers() []container.Summary {
	s.t.Helper()
	cs, err := s.docker.ContainerList(context.Background(), container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", "com.docker.compose.project="+s.name))})
	if err != nil {
		s.t.Fatal(err)
	}
	return cs
}

// containerIDs maps the project's container names to their IDs, as the
// engine lists them.
func (s *stack) containerIDs() map[string]string {
	s.t.Helper()
	ids := map[string]string{}
	for _, c := range s.containers() {
		ids[strings.TrimPrefix(c.Names[0], "/")] = c.ID
	}
	return ids
}

// anonymousVolumes lists the volumes without a name in the compose file
// that the project's containers mount.
func (s *stack) anonymousVolumes() []string {
	s.t.Helper()
	var anon []string
	for _, c := range s.containers() {
		for _, m := range c.Mounts {
			if m.Type == "volume" && !strings.HasPrefix(m.Name, s.name+"_") && !slices.Contains(anon, m.Name) {
				anon = append(anon, m.Name)
			}
		}
	}
	return anon
}

// TestComposeInterop: a project brought up by Docker Compose is converged
// for Berth, one brought up by Berth is converged for Compose (it recreates
// nothing), and Compose's down -v removes what Berth created.
func TestComposeInterop(t *testing.T) {
	if *composeBin == "" {
		t.Fatal("-compose is required with -tags compat: the path of a Docker Compose v2+ binary (make compat builds one)")
	}
	s := newStack(t)
	s.write(compatCompose)
	for name, content := range map[string]string{"app.env": "FROM_FILE=1\nSHARED=file\n", "token.txt": "s3cret\n"} {
		if err := os.WriteFile(filepath.Join(s.dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"FROM_SHELL=from the shell"}

	// Compose's project is converged for Berth
	{
		s.compose("up", "-d", "--wait")
		before := s.containerIDs()
		if len(before) != 3 {
			t.Fatalf("compose up made %v", before)
		}
		if out := s.ok(env, "plan"); out != "No changes.\n" {
			t.Fatalf("berth plan after compose up:\n%s", out)
		}
		s.ok(env, "up", "-d", "--wait")
		for name, id := range s.containerIDs() {
			if before[name] != id {
				t.Errorf("berth up replaced %s, which compose created", name)
			}
		}
		// a change is still seen: the hash is compared, not ignored
		if out := s.ok(append(env, "LOG_LEVEL=debug"), "plan"); !strings.Contains(out, "~ container "+s.container("web", 1)) {
			t.Errorf("berth plan with web's environment changed:\n%s", out)
		}
	}

	// Berth's project is converged for Compose
	{
		s.ok(env, "down", "-v") // -v: also compose's anonymous volume
		s.ok(env, "up", "-d", "--wait")
		before := s.containerIDs()
		out := s.compose("up", "-d", "--wait")
		for name, id := range s.containerIDs() {
			if before[name] != id {
				t.Errorf("compose up replaced %s, which berth created:\n%s", name, out)
			}
		}
		if strings.Contains(out, "Recreate") {
			t.Errorf("compose up recreated something:\n%s", out)
		}
	}

	// Compose's down -v removes Berth's containers, networks and volumes,
	// anonymous ones included
	{
		anon := s.anonymousVolumes()
		if len(anon) != 1 {
			t.Fatalf("anonymous volumes of berth's containers: %v, want db's /anon", anon)
		}
		s.compose("down", "-v")
		if ids := s.containerIDs(); len(ids) != 0 {
			t.Fatalf("left after compose down: %v", ids)
		}
		if _, err := s.docker.VolumeInspect(context.Background(), s.name+"_data"); err == nil {
			t.Error("compose down -v kept berth's named volume")
		}
		if _, err := s.docker.VolumeInspect(context.Background(), anon[0]); err == nil {
			t.Error("compose down -v kept the anonymous volume of berth's container")
		}
		nets, err := s.docker.NetworkList(context.Background(), network.ListOptions{
			Filters: filters.NewArgs(filters.Arg("label", "com.docker.compose.project="+s.name))})
		if err != nil {
			t.Fatal(err)
		}
		if len(nets) != 0 {
			t.Fatalf("networks left after compose down: %v", nets)
		}
	}
}
