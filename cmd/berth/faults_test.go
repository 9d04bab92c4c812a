package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/berth-dev/berth/engine/enginetest"
)

// faultsCompose: db has a secret, which Berth copies into its container
// after creating it, so a container whose create answer was lost has not
// got it.
const faultsCompose = `
services:
  db:
    image: IMAGE
    volumes: [data:/data]
    networks: [back]
    secrets: [token]
  web:
    image: IMAGE
    depends_on: [db]
    networks: [back]
networks: {back: {}}
volumes: {data: {}}
secrets:
  token: {file: ./token.txt}
`

const faultsSecret = "the db's token"

var faultsServices = []string{"db", "web"}

// TestFaults drives `berth up -d` through an engine proxy that injects one
// fault. A failing engine call must fail the up with a non-zero exit and an
// error that names the service (or network) and the call, never a panic; a
// slow engine must only slow it down. Then `up -d` straight on the engine
// must converge whatever the failure left behind: one running container per
// service, each labelled with the project, no unlabelled container named
// after the project, and db's secret in its container. Then `down -v`
// removes everything.
func TestFaults(t *testing.T) {
	path := regexp.MustCompile
	dbCreate := regexp.MustCompile(`(^|&)name=[^&]*-db-1(&|$)`) // the create of db, which has the secret
	cases := []struct {
		name  string
		fault faultRule
		// what the error must name: this service or network, else the
		// faulted request's service (from the request)
		service, network string
		call             string // a word of the error naming the call
	}{
		{name: "500 on container start", call: "start",
			fault: faultRule{Method: "POST", Path: path(`^/containers/[^/]+/start$`), Nth: 1, Action: faultError}},
		{name: "dropped container create", call: "creat",
			fault: faultRule{Method: "POST", Path: path(`^/containers/create$`), Query: dbCreate, Nth: 1, Action: faultDrop}},
		{name: "dropped container create after the engine created it", call: "creat",
			fault: faultRule{Method: "POST", Path: path(`^/containers/create$`), Query: dbCreate, Nth: 1, Action: faultDropAfter}},
		{name: "500 on copying the secret into the container", service: "db", call: "cop",
			fault: faultRule{Method: "PUT", Path: path(`^/containers/[^/]+/archive$`), Nth: 1, Action: faultError}},
		{name: "500 on network create", network: "back", call: "creat",
			fault: faultRule{Method: "POST", Path: path(`^/networks/create$`), Nth: 1, Action: faultError}},
		{name: "slow container list",
			fault: faultRule{Method: "GET", Path: path(`^/containers/json$`), Action: faultDelay, Delay: time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			s.write(faultsCompose)
			if err := os.WriteFile(filepath.Join(s.dir, "token.txt"), []byte(faultsSecret), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.removeAllNamed() })
			p := newEngineProxy(t)
			rule := p.addFault(tc.fault)
			fault := fmt.Sprintf("%s on %s %s", rule.Action, rule.Method, rule.Path)

			start := time.Now()
			code, out, errOut := s.berth(p.env(), "up", "-d")
			took := time.Since(start)
			fired := p.Fired(rule)
			t.Logf("up -d through the proxy (%s): exit %d in %v; faulted %v\nstdout:\n%s\nstderr:\n%s",
				fault, code, took.Round(time.Millisecond), fired, out, errOut)
			if len(fired) == 0 {
				t.Fatalf("the fault never fired; requests: %v", p.requests())
			}
			for _, bad := range []string{"panic:", "goroutine "} {
				if strings.Contains(out+errOut, bad) {
					t.Errorf("up -d output has %q: a Go panic or stack trace", bad)
				}
			}
			if rule.Action == faultDelay {
				if code != 0 {
					t.Errorf("up -d on a slow engine: exit %d, want 0", code)
				}
				if took < rule.Delay {
					t.Errorf("up -d took %v, less than one delayed call (%v): the delay did not apply", took, rule.Delay)
				}
			} else {
				if code == 0 {
					t.Errorf("up -d with a %s: exit 0, want a failure", fault)
				}
				what := tc.service + tc.network
				if what == "" {
					what = s.faultedService(fired[0])
				}
				msg := s.withoutProjectName(errOut)
				if !regexp.MustCompile(`\b` + regexp.QuoteMeta(what) + `\b`).MatchString(msg) {
					t.Errorf("the error does not name %q, whose %s failed:\n%s", what, fired[0], errOut)
				}
				if !strings.Contains(strings.ToLower(msg), tc.call) {
					t.Errorf("the error does not name the call (%q):\n%s", tc.call, errOut)
				}
				if rule.Action == faultError && !strings.Contains(errOut, "injected fault") {
					t.Errorf("the error does not carry the engine's message %q:\n%s", "injected fault", errOut)
				}
			}
			t.Logf("on the engine after the faulted up: %s", s.namedContainers())

			// the next up, straight on the engine, converges
			code, out, errOut = s.berth(nil, "up", "-d")
			if code != 0 {
				t.Errorf("up -d on the real engine after the fault: exit %d\nstdout:\n%s\nstderr:\n%s\non the engine: %s",
					code, out, errOut, s.namedContainers())
			} else {
				t.Logf("up -d on the real engine after the fault:\nstdout:\n%s\nstderr:\n%s", out, errOut)
			}
			problems := s.convergenceProblems(faultsServices)
			for _, problem := range problems {
				t.Errorf("after up -d on the real engine: %s", problem)
			}
			if len(problems) == 0 {
				db := s.container("db", 1)
				if code, out := enginetest.Exec(t, s.docker, db, "/app", "cat", "/run/secrets/token"); code != 0 || out != faultsSecret {
					t.Errorf("after up -d on the real engine, %s's secret /run/secrets/token: exit %d, %q; want %q "+
						"(Berth copies secrets in after the create: was a container it never copied them into started as it was?)", db, code, out, faultsSecret)
				}
			}

			code, out, errOut = s.berth(nil, "down", "-v")
			if code != 0 {
				t.Errorf("down -v: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			if left := s.leftovers(); len(left) > 0 {
				t.Errorf("down -v left %s", strings.Join(left, ", "))
			}
		})
	}
}

// faultedService is the service of the container a faulted request was
// about: from the name of a create, or the container of a path
// /containers/{id or name}/...
func (s *stack) faultedService(r proxiedRequest) string {
	s.t.Helper()
	name := r.Query.Get("name")
	if name == "" {
		if m := regexp.MustCompile(`^/containers/([^/]+)/`).FindStringSubmatch(r.Path); m != nil {
			name = m[1]
		}
	}
	if name == "" {
		s.t.Fatalf("cannot tell which container %s is about", r)
	}
	if ins, err := s.docker.ContainerInspect(context.Background(), name); err == nil {
		if svc := ins.Config.Labels["com.docker.compose.service"]; svc != "" {
			return svc
		}
	}
	// not on the engine (a create that never reached it): the name is
	// <project>-<service>-<n>
	if m := regexp.MustCompile(`^` + regexp.QuoteMeta(s.name) + `-(.+)-[0-9]+$`).FindStringSubmatch(name); m != nil {
		return m[1]
	}
	s.t.Fatalf("cannot tell the service of container %s (%s)", name, r)
	return ""
}

// withoutProjectName replaces the project name, and the separator after
// it, with a space, so that the words of names made from it (container
// <project>-<service>-1, network <project>_<key>) stand alone.
func (s *stack) withoutProjectName(text string) string {
	for _, sep := range []string{"-", "_", ""} {
		text = strings.ReplaceAll(text, s.name+sep, " ")
	}
	return text
}

// namedAll lists every container, labelled or not, whose name has the
// project name in it.
func (s *stack) namedAll() []container.Summary {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, err := s.docker.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("name", s.name))})
	if err != nil {
		s.t.Fatal(err)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Names[0] < cs[j].Names[0] })
	return cs
}

// namedContainers describes the containers whose name has the project
// name in it: name, state, and project and service labels.
func (s *stack) namedContainers() string {
	s.t.Helper()
	cs := s.namedAll()
	if len(cs) == 0 {
		return "no container"
	}
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s (%s, %s; project=%q service=%q)", strings.Join(c.Names, ","), c.ID[:12], c.State,
			c.Labels["com.docker.compose.project"], c.Labels["com.docker.compose.service"]))
	}
	return strings.Join(out, "; ")
}

// convergenceProblems checks the engine against a converged project:
// exactly one container per service, running, and every container named
// after the project labelled with it.
func (s *stack) convergenceProblems(services []string) []string {
	s.t.Helper()
	var problems []string
	perService := map[string][]string{}
	for _, c := range s.namedAll() {
		name := strings.Join(c.Names, ",")
		project, svc := c.Labels["com.docker.compose.project"], c.Labels["com.docker.compose.service"]
		switch {
		case project != s.name:
			problems = append(problems, fmt.Sprintf("container %s (%s, %s) is named after the project but its com.docker.compose.project label is %q",
				name, c.ID[:12], c.State, project))
		case !slices.Contains(services, svc):
			problems = append(problems, fmt.Sprintf("container %s (%s) has service label %q, not a service of the project", name, c.State, svc))
		default:
			perService[svc] = append(perService[svc], name)
			if c.State != "running" {
				problems = append(problems, fmt.Sprintf("container %s of %s is %s, not running", name, svc, c.State))
			}
		}
	}
	for _, svc := range services {
		if n := len(perService[svc]); n != 1 {
			problems = append(problems, fmt.Sprintf("service %s has %d containers %v, want 1", svc, n, perService[svc]))
		}
	}
	return problems
}

// leftovers lists the containers named after the project, and the
// networks and volumes labelled with it or named after it.
func (s *stack) leftovers() []string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var left []string
	for _, c := range s.namedAll() {
		left = append(left, "container "+strings.Join(c.Names, ","))
	}
	ns, err := s.docker.NetworkList(ctx, network.ListOptions{})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, n := range ns {
		if n.Labels["com.docker.compose.project"] == s.name || strings.HasPrefix(n.Name, s.name+"_") {
			left = append(left, "network "+n.Name)
		}
	}
	vs, err := s.docker.VolumeList(ctx, volume.ListOptions{})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, v := range vs.Volumes {
		if v.Labels["com.docker.compose.project"] == s.name || strings.HasPrefix(v.Name, s.name+"_") {
			left = append(left, "volume "+v.Name)
		}
	}
	return left
}

// removeAllNamed is a cleanup for faults that may leave what Berth does not
// know about: berth down -v, then every container named after the project,
// labelled or not (the label sweep of newStack removes the rest).
func (s *stack) removeAllNamed() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if code, _, errOut := s.berth(nil, "down", "-v"); code != 0 {
		s.t.Logf("cleanup: down -v: exit %d: %s", code, errOut)
	}
	cs, err := s.docker.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("name", s.name))})
	if err != nil {
		s.t.Errorf("cleanup: listing containers: %v", err)
		return
	}
	for _, c := range cs {
		if err := s.docker.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
			s.t.Errorf("cleanup: removing container %s: %v", strings.Join(c.Names, ","), err)
		}
	}
}
