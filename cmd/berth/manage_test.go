package main

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// states is "name=state" for each of the project's containers, sorted.
func (s *stack) states() string {
	s.t.Helper()
	var out []string
	for name, row := range s.ps() {
		out = append(out, name+"="+row.State)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

const manageCompose = `
services:
  db:
    image: IMAGE
    volumes: [data:/data, /scratch]
  web:
    image: IMAGE
    depends_on: [db]
    ports: ["127.0.0.1::8080", "9000/udp"]
volumes: {data: {}}
`

// TestRmCommand checks rm: it asks before removing (no removes nothing),
// -f does not ask, -s stops first, -v removes anonymous volumes, --dry-run
// changes nothing, and bad input changes nothing.
func TestRmCommand(t *testing.T) {
	s := newStack(t)
	s.write(manageCompose)
	s.ok(nil, "up", "-d")
	db, web := s.container("db", 1), s.container("web", 1)

	if code, _, errOut := s.berth(nil, "rm", "-f"); code != 0 || !strings.Contains(errOut, "No stopped containers") {
		t.Fatalf("rm with nothing stopped: exit %d\n%s", code, errOut)
	}
	s.fails(1, []string{`no such service: "nope"`}, "rm", "-f", "nope")

	s.ok(nil, "stop", "web")
	code, out, _ := s.berthIn(strings.NewReader("n\n"), nil, "rm")
	if code != 0 || !strings.Contains(out, "Going to remove "+web) {
		t.Fatalf("rm answered no: exit %d, stdout %q", code, out)
	}
	if got := s.states(); got != db+"=running "+web+"=exited" {
		t.Fatalf("rm answered no changed something: %s", got)
	}
	if code, _, errOut := s.berthIn(strings.NewReader("y\n"), nil, "rm"); code != 0 {
		t.Fatalf("rm answered yes: exit %d\n%s", code, errOut)
	}
	if got := s.states(); got != db+"=running" {
		t.Fatalf("after rm answered yes: %s", got)
	}

	if out := s.ok(nil, "--dry-run", "rm", "-s", "-f"); !strings.Contains(out, "- container "+db) {
		t.Fatalf("rm -s --dry-run:\n%s", out)
	}
	if got := s.states(); got != db+"=running" {
		t.Fatalf("rm --dry-run changed something: %s", got)
	}
	var anon string
	for _, m := range s.inspect(db).Mounts {
		if m.Destination == "/scratch" {
			anon = m.Name
		}
	}
	if anon == "" {
		t.Fatal("db has no anonymous volume at /scratch")
	}
	if out := s.ok(nil, "rm", "-fsv"); !strings.Contains(out, "Going to remove "+db) {
		t.Fatalf("rm -fsv stdout: %q", out)
	}
	if got := s.states(); got != "" {
		t.Fatalf("after rm -fsv: %s", got)
	}
	if _, err := s.docker.VolumeInspect(context.Background(), anon); err == nil {
		t.Error("rm -v kept the anonymous volume")
	}
	if _, err := s.docker.VolumeInspect(context.Background(), s.name+"_data"); err != nil {
		t.Errorf("rm -v removed the named volume: %v", err)
	}
	s.ok(nil, "down", "-v")
}

// TestCreateCommand checks create: containers created, not started;
// --force-recreate and --no-recreate; --dry-run; bad input.
func TestCreateCommand(t *testing.T) {
	s := newStack(t)
	s.write(manageCompose)
	db, web := s.container("db", 1), s.container("web", 1)

	s.fails(2, []string{"--build and --no-build"}, "create", "--build", "--no-build")
	s.fails(2, []string{"--force-recreate and --no-recreate"}, "create", "--force-recreate", "--no-recreate")
	s.fails(1, []string{`no such service: "nope"`}, "create", "nope")
	s.fails(2, []string{"invalid --pull"}, "create", "--pull", "sometimes")
	if out := s.ok(nil, "--dry-run", "create"); !strings.Contains(out, "+ container "+web) {
		t.Fatalf("create --dry-run:\n%s", out)
	}
	if got := s.states(); got != "" {
		t.Fatalf("create --dry-run created: %s", got)
	}
	s.ok(nil, "create", "--pull", "never", "-y", "--quiet-pull")
	if got := s.states(); got != db+"=created "+web+"=created" {
		t.Fatalf("after create: %s", got)
	}
	before := s.ps()
	s.ok(nil, "create", "--no-recreate", "--force-recreate=false")
	s.ok(nil, "create")
	if after := s.ps(); after[web].ID != before[web].ID || after[db].ID != before[db].ID {
		t.Fatal("a second create recreated unchanged containers")
	}
	s.ok(nil, "create", "--force-recreate", "web")
	after := s.ps()
	if after[web].ID == before[web].ID {
		t.Fatal("create --force-recreate web kept web")
	}
	if after[web].State != "created" {
		t.Fatalf("create --force-recreate started web: %s", after[web].State)
	}
	s.ok(nil, "down", "-v")
}

// TestScaleCommand checks scale up and down, --no-deps, and that bad
// specifiers change nothing.
func TestScaleCommand(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  db:
    image: IMAGE
  web:
    image: IMAGE
    depends_on: [db]
`)
	s.ok(nil, "up", "-d")
	db, web := s.container("db", 1), s.container("web", 1)
	before := s.states()
	for _, bad := range []struct {
		code int
		arg  string
		says string
	}{
		{2, "web=abc", `invalid scale specifier "web=abc"`},
		{2, "web", `invalid scale specifier "web": use SERVICE=REPLICAS`},
		{2, "web=-1", `invalid scale specifier "web=-1"`},
		{2, "=2", `invalid scale specifier "=2"`},
		{1, "nope=2", `no such service: "nope"`},
	} {
		s.fails(bad.code, []string{bad.says}, "scale", bad.arg)
	}
	s.fails(2, []string{"at least one SERVICE=REPLICAS"}, "scale")
	if got := s.states(); got != before {
		t.Fatalf("bad scale changed something: %s, was %s", got, before)
	}
	id := s.ps()[web].ID
	s.ok(nil, "scale", "web=3")
	ps := s.ps()
	for n := 1; n <= 3; n++ {
		if ps[s.container("web", n)].State != "running" {
			t.Fatalf("web-%d not running after scale web=3: %s", n, s.states())
		}
	}
	if ps[web].ID != id {
		t.Error("scale web=3 recreated web-1")
	}
	s.ok(nil, "scale", "web=1")
	if got := s.states(); got != db+"=running "+web+"=running" {
		t.Fatalf("after scale web=1: %s", got)
	}
	s.ok(nil, "stop")
	s.ok(nil, "scale", "--no-deps", "web=2")
	if got := s.states(); got != db+"=exited "+web+"=running "+s.container("web", 2)+"=running" {
		t.Fatalf("after scale --no-deps web=2: %s", got)
	}
	s.ok(nil, "scale", "web=1", "db=1")
	if got := s.states(); got != db+"=running "+web+"=running" {
		t.Fatalf("after scale web=1 db=1: %s", got)
	}
	s.ok(nil, "down")
}

// TestKillCommand checks that an unknown signal is refused before anything
// happens, and that --remove-orphans removes the orphans.
func TestKillCommand(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  web:
    image: IMAGE
  edge:
    image: IMAGE
`)
	s.ok(nil, "up", "-d")
	web, edge := s.container("web", 1), s.container("edge", 1)
	for _, sig := range []string{"SIGFOO", "0", "99", "KILL9"} {
		s.fails(2, []string{fmt.Sprintf("invalid signal %q", sig)}, "kill", "-s", sig)
	}
	if got := s.states(); got != edge+"=running "+web+"=running" {
		t.Fatalf("kill with a bad signal changed something: %s", got)
	}
	s.write(`
services:
  web:
    image: IMAGE
`)
	s.ok(nil, "kill", "-s", "TERM")
	// the container exits once it has handled the signal
	eventually(t, "web exits on SIGTERM, edge (an orphan) left running", func() bool { return s.states() == edge+"=running "+web+"=exited" })
	s.ok(nil, "start")
	if out := s.ok(nil, "--dry-run", "kill", "--remove-orphans"); !strings.Contains(out, "- container "+edge+" (orphaned)") {
		t.Fatalf("kill --remove-orphans --dry-run:\n%s", out)
	}
	s.ok(nil, "kill", "--remove-orphans", "-s", "9")
	if got := s.states(); got != web+"=exited" {
		t.Fatalf("after kill --remove-orphans: %s", got)
	}
	if code, _, errOut := s.berth(nil, "kill"); code != 0 || !strings.Contains(errOut, "No container to kill") {
		t.Errorf("kill with nothing running: exit %d\n%s", code, errOut)
	}
	s.ok(nil, "down")
}

// TestPortCommand checks port: the published address of each replica and
// protocol, and the errors for what is not published or not there.
func TestPortCommand(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  web:
    image: IMAGE
    scale: 2
    ports: ["127.0.0.1::8080", "9000/udp"]
  db:
    image: IMAGE
`)
	s.ok(nil, "up", "-d")
	published := func(ctr string, target uint16, proto string) string {
		for _, p := range s.ps()[ctr].Publishers {
			if p.TargetPort == target && p.Protocol == proto {
				return fmt.Sprintf("%s:%d", p.URL, p.PublishedPort)
			}
		}
		t.Fatalf("%s publishes no %d/%s", ctr, target, proto)
		return ""
	}
	if out := s.ok(nil, "port", "web", "8080"); out != published(s.container("web", 1), 8080, "tcp")+"\n" {
		t.Errorf("port web 8080 = %q", out)
	}
	if out := s.ok(nil, "port", "--index", "2", "web", "8080"); out != published(s.container("web", 2), 8080, "tcp")+"\n" {
		t.Errorf("port --index 2 web 8080 = %q", out)
	}
	if out := s.ok(nil, "port", "--protocol", "udp", "web", "9000"); !regexp.MustCompile(`^0\.0\.0\.0:\d+\n$`).MatchString(out) {
		t.Errorf("port --protocol udp web 9000 = %q", out)
	}
	s.fails(1, []string{"no port 1234/tcp for container " + s.container("web", 1), "8080/tcp"}, "port", "web", "1234")
	s.fails(1, []string{"no port 9000/tcp"}, "port", "web", "9000")
	s.fails(1, []string{`service "web" has no running container #3 (its running containers are #1, #2)`}, "port", "--index", "3", "web", "8080")
	s.fails(2, []string{"invalid --index -1"}, "port", "--index", "-1", "web", "8080")
	s.fails(1, []string{`no such service: "nope"`}, "port", "nope", "8080")
	s.fails(2, []string{`invalid PRIVATE_PORT "http"`}, "port", "web", "http")
	s.fails(2, []string{"SERVICE and PRIVATE_PORT"}, "port", "web")
	s.fails(2, []string{`invalid --protocol "icmp"`}, "port", "--protocol", "icmp", "web", "8080")
	s.fails(1, []string{"no port 8080/tcp for container " + s.container("db", 1)}, "port", "db", "8080")

	// without a compose file, -p names the project, as with Compose
	empty := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"port", "web", "8080"}, published(s.container("web", 1), 8080, "tcp") + "\n"},
		{[]string{"ps", "--services"}, "db\nweb\n"},
		{[]string{"volumes", "-q"}, ""},
	} {
		if code, out, errOut := s.berthAt(empty, nil, nil, c.args...); code != 0 || out != c.want {
			t.Errorf("berth -p NAME %s without a compose file: exit %d, %q, want %q\n%s", strings.Join(c.args, " "), code, out, c.want, errOut)
		}
	}
	if code, _, errOut := s.berthAt(empty, nil, nil, "kill"); code != 1 || !strings.Contains(errOut, "no configuration file provided") {
		t.Errorf("kill without a compose file: exit %d\n%s", code, errOut)
	}
	s.ok(nil, "down")
}
