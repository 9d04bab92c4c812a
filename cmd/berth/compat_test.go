//go:build compat

package main

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
)

// The tests in this file run only with -tags compat and a Docker Compose
// binary (-compose): `make compat` builds Compose v5.5.0, the release on
// Berth's compose-go, and runs them with it.

// compatCompose exercises the fields whose hash or labels could differ
// between the tools: env files, an environment value from the shell,
// published ports, named and anonymous volumes, tmpfs, networks with
// aliases and IPAM (SUBNET: a /24 free on the engine), a healthcheck gate, labels, resources, a secret, and
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
      config: [{subnet: SUBNET}]
volumes:
  data: {labels: {com.example.keep: "yes"}}
secrets:
  token: {file: ./token.txt}
`

// freeSubnet picks a /24 for the project's IPAM config that no network on
// the engine overlaps (nor an address of this host, where the engine
// usually runs): a fixed subnet fails on an engine where another network
// already holds an overlapping pool. It starts from the top of
// 172.16.0.0/12, the end the engine hands out its own pools last.
func freeSubnet(t *testing.T, docker *client.Client) string {
	t.Helper()
	nets, err := docker.NetworkList(context.Background(), network.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var taken []netip.Prefix
	for _, n := range nets {
		for _, c := range n.IPAM.Config {
			if p, err := netip.ParsePrefix(c.Subnet); err == nil {
				taken = append(taken, p.Masked())
			}
		}
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				taken = append(taken, p.Masked())
			}
		}
	}
	for b := 31; b >= 16; b-- {
		for c := 255; c >= 0; c-- {
			candidate := netip.PrefixFrom(netip.AddrFrom4([4]byte{172, byte(b), byte(c), 0}), 24)
			if !slices.ContainsFunc(taken, candidate.Overlaps) {
				return candidate.String()
			}
		}
	}
	t.Fatalf("no /24 in 172.16.0.0/12 is free on the engine (taken: %v)", taken)
	return ""
}

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
	s.write(strings.ReplaceAll(compatCompose, "SUBNET", freeSubnet(t, s.docker)))
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

// TestComposeDefaultPlatform: under DOCKER_DEFAULT_PLATFORM, a service
// that builds is created by `berth up` with that platform in its config
// hash, the hash Compose's `config --hash` prints, and Compose's `up` finds
// Berth's containers converged. A service that only pulls keeps its hash.
func TestComposeDefaultPlatform(t *testing.T) {
	if *composeBin == "" {
		t.Fatal("-compose is required with -tags compat: the path of a Docker Compose v2+ binary (make compat builds one)")
	}
	s := newStack(t)
	ctx := context.Background()
	v, err := s.docker.ServerVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// the engine's own platform (linux/amd64 on most machines), so that the
	// image builds without emulation
	platform := v.Os + "/" + v.Arch
	s.environ = append(s.environ, "DOCKER_DEFAULT_PLATFORM="+platform)

	if err := os.MkdirAll(filepath.Join(s.dir, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	dockerfile := "FROM " + s.image + "\nLABEL berth.test.platform=1\n"
	if err := os.WriteFile(filepath.Join(s.dir, "app", "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	s.write(`
services:
  app:
    build: ./app
  side:
    image: IMAGE
`)
	built := s.name + "-app"
	t.Cleanup(func() {
		for _, c := range s.containers() {
			_ = s.docker.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
		}
		if _, err := s.docker.ImageRemove(ctx, built, image.RemoveOptions{Force: true, PruneChildren: true}); err != nil && !strings.Contains(err.Error(), "No such image") {
			t.Errorf("removing image %s: %v", built, err)
		}
	})

	s.ok(nil, "up", "-d", "--build")
	img, err := s.docker.ImageInspect(ctx, built)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Os + "/" + img.Architecture; got != platform {
		t.Errorf("berth built %s for %s, want %s", built, got, platform)
	}

	// the hash berth stamped is the one compose computes
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(s.compose("config", "--hash", "*")), "\n") {
		name, hash, _ := strings.Cut(line, " ")
		want[name] = hash
	}
	got := map[string]string{}
	for _, c := range s.containers() {
		got[c.Labels["com.docker.compose.service"]] = c.Labels["com.docker.compose.config-hash"]
	}
	if len(got) != 2 || got["app"] != want["app"] || got["side"] != want["side"] {
		t.Errorf("config hashes berth stamped %v, compose config --hash %v", got, want)
	}

	// berth's project is converged for compose, and still for berth
	before := s.containerIDs()
	out := s.compose("up", "-d")
	for name, id := range s.containerIDs() {
		if before[name] != id {
			t.Errorf("compose up replaced %s, which berth created:\n%s", name, out)
		}
	}
	if strings.Contains(out, "Recreate") {
		t.Errorf("compose up recreated something:\n%s", out)
	}
	if out := s.ok(nil, "plan"); out != "No changes.\n" {
		t.Errorf("berth plan after compose up:\n%s", out)
	}

	// the platform is in the hash: without it, app (only) is out of date
	out = s.ok([]string{"DOCKER_DEFAULT_PLATFORM="}, "plan")
	if !strings.Contains(out, "~ container "+s.container("app", 1)) || strings.Contains(out, s.container("side", 1)) {
		t.Errorf("berth plan without DOCKER_DEFAULT_PLATFORM:\n%s", out)
	}
}
