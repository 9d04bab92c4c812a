package docker

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/versions"
	"github.com/docker/docker/client"
	"github.com/docker/go-connections/nat"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/enginetest"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// These tests bring projects up on the real engine, through the same path as
// `berth up` (load, observe, plan, execute), and inspect what the engine made
// of each service field. Fields are grouped into a few projects so the whole
// file stays quick; every project runs in parallel with the others.

// fieldsProject is one compose project of the table: its files, the
// environment it is loaded with, and the checks to run once it is up.
type fieldsProject struct {
	name    string
	compose string // IMAGE and PROJECT are replaced by the test image and project name
	files   map[string]string
	environ []string
	// upErr, when set, is an engine limitation up may fail with (logged,
	// not failed): the checks still run on what was created.
	upErr  string
	checks []fieldsCheck
}

// fieldsCheck asserts what the engine made of one field (or a few related ones).
type fieldsCheck struct {
	field string
	check func(t *testing.T, u *fieldsUp)
}

// fieldsUp is a project written to disk, loaded and brought up.
type fieldsUp struct {
	docker *client.Client
	image  string
	name   string
	dir    string
	p      *project.Project
}

// fieldsLoad writes fp into a new directory and loads it; the project's
// leftovers are removed when the test ends.
func fieldsLoad(t *testing.T, docker *client.Client, image string, fp fieldsProject) *fieldsUp {
	t.Helper()
	u := &fieldsUp{docker: docker, image: image, name: enginetest.ProjectName(t), dir: t.TempDir()}
	enginetest.CleanupProject(t, docker, u.name)
	repl := strings.NewReplacer("IMAGE", image, "PROJECT", u.name)
	files := map[string]string{"compose.yaml": fp.compose}
	for k, v := range fp.files {
		files[k] = v
	}
	for name, content := range files {
		p := filepath.Join(u.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(repl.Replace(content)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	environ := fp.environ
	if environ == nil {
		environ = []string{}
	}
	p, err := project.Load(context.Background(), project.Options{WorkDir: u.dir, ProjectName: u.name, Environ: environ})
	if err != nil {
		t.Fatalf("loading %s:\n%v", fp.name, err)
	}
	u.p = p
	return u
}

// up applies the project's plan to the engine, as `berth up` does.
func (u *fieldsUp) up(t *testing.T) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	obs, err := c.Observe(ctx, u.p)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := planner.Compute(u.p, obs, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return engine.Execute(ctx, plan, c.Runtime(u.p, engine.RuntimeOptions{}), -1, nil)
}

// ctr is the name of container n of service svc.
func (u *fieldsUp) ctr(svc string, n int) string { return fmt.Sprintf("%s-%s-%d", u.name, svc, n) }

func (u *fieldsUp) inspect(t *testing.T, name string) container.InspectResponse {
	t.Helper()
	ins, err := u.docker.ContainerInspect(context.Background(), name)
	if err != nil {
		t.Fatalf("inspecting %s: %v", name, err)
	}
	return ins
}

// exec runs the test program in container ctr with args.
func (u *fieldsUp) exec(t *testing.T, ctr string, args ...string) (int, string) {
	t.Helper()
	return enginetest.Exec(t, u.docker, ctr, append([]string{"/app"}, args...)...)
}

// get fetches url from inside ctr, retrying while the server there starts.
func (u *fieldsUp) get(t *testing.T, ctr, url string) string {
	t.Helper()
	var code int
	var out string
	for deadline := time.Now().Add(15 * time.Second); ; {
		if code, out = u.exec(t, ctr, "get", url); code == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code != 0 {
		t.Fatalf("%s: get %s: exit %d: %s", ctr, url, code, out)
	}
	return out
}

// file reads path in ctr through its own server.
func (u *fieldsUp) file(t *testing.T, ctr, path string) string {
	t.Helper()
	return u.get(t, ctr, "http://127.0.0.1:8080/file?path="+path)
}

// perm is path's permission bits in ctr, in octal.
func (u *fieldsUp) perm(t *testing.T, ctr, path string) string {
	t.Helper()
	return u.get(t, ctr, "http://127.0.0.1:8080/stat?path="+path)
}

func fieldsEq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if g, w := fmt.Sprintf("%#v", got), fmt.Sprintf("%#v", want); g != w {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func fieldsContains(t *testing.T, what, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("%s: %q does not contain %q", what, got, want)
	}
}

// procStatus returns a field of /proc/self/status of ctr's server.
func (u *fieldsUp) procStatus(t *testing.T, ctr, key string) string {
	t.Helper()
	for _, line := range strings.Split(u.file(t, ctr, "/proc/self/status"), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == key {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("%s: no %s in /proc/self/status", ctr, key)
	return ""
}

const (
	capNetAdmin = 12
	capMknod    = 27
)

var fieldsProjects = []fieldsProject{
	{
		name: "config",
		compose: `
services:
  app:
    image: IMAGE
    platform: linux/amd64
    entrypoint: ["/app"]
    command: ["serve", ":8080"]
    env_file: [app.env]
    environment:
      FOO: bar
      SPACED: "a b"
    labels:
      com.example.team: berth
    user: "1000:1000"
    working_dir: /work/dir
    hostname: myhost
    domainname: example.test
    extra_hosts: ["somehost=192.0.2.10", "otherhost:192.0.2.11"]
    dns: [192.0.2.53]
    dns_search: [search.example.test]
    dns_opt: ["ndots:2"]
    stop_signal: SIGINT
    stop_grace_period: 7s
    tty: true
    stdin_open: true
    healthcheck:
      test: ["CMD", "/app", "health"]
      interval: 2s
      timeout: 3s
      retries: 4
      start_period: 5s
    restart: on-failure:3
    ulimits:
      nofile: {soft: 1024, hard: 2048}
      memlock: 65536
    sysctls:
      net.core.somaxconn: 1024
    shm_size: 64m
    mem_limit: 96m
    cpus: 0.5
    pids_limit: 100
    cap_add: [NET_ADMIN]
    cap_drop: [MKNOD]
    security_opt: ["no-new-privileges:true"]
    read_only: true
    init: true
    devices: ["/dev/null:/dev/mynull:rwm"]
    logging:
      driver: json-file
      options: {max-size: 1m, max-file: "2"}
    ports: ["127.0.0.1::8080", "127.0.0.1::9000-9001/udp"]
    expose: ["7000", "7100-7101/udp"]
  limited:
    image: IMAGE
    command: ["sleep"]
    healthcheck:
      disable: true
    deploy:
      resources:
        limits: {cpus: "0.25", memory: 80m, pids: 64}
        reservations: {memory: 16m}
      restart_policy: {condition: on-failure, max_attempts: 2}
`,
		files: map[string]string{"app.env": "FROM_FILE=yes\nFOO=from-file\n"},
		checks: []fieldsCheck{
			{"image, platform", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("app", 1))
				fieldsEq(t, "Config.Image", ins.Config.Image, u.image)
				img, err := u.docker.ImageInspect(context.Background(), u.image)
				if err != nil {
					t.Fatal(err)
				}
				fieldsEq(t, "Image", ins.Image, img.ID)
				fieldsEq(t, "Platform", ins.Platform, "linux")
			}},
			{"entrypoint, command", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("app", 1))
				fieldsEq(t, "Entrypoint", []string(ins.Config.Entrypoint), []string{"/app"})
				fieldsEq(t, "Cmd", []string(ins.Config.Cmd), []string{"serve", ":8080"})
				fieldsEq(t, "Path", ins.Path, "/app")
				fieldsEq(t, "Args", ins.Args, []string{"serve", ":8080"})
			}},
			{"environment, env_file", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("app", 1))
				for _, kv := range []string{"FOO=bar", "FROM_FILE=yes", "SPACED=a b"} {
					if !slices.Contains(ins.Config.Env, kv) {
						t.Errorf("Env %q lacks %s", ins.Config.Env, kv)
					}
				}
				fieldsEq(t, "$FOO", u.get(t, u.ctr("app", 1), "http://127.0.0.1:8080/env/FOO"), "bar")
				fieldsEq(t, "$FROM_FILE", u.get(t, u.ctr("app", 1), "http://127.0.0.1:8080/env/FROM_FILE"), "yes")
				fieldsEq(t, "$SPACED", u.get(t, u.ctr("app", 1), "http://127.0.0.1:8080/env/SPACED"), "a b")
			}},
			{"labels, Compose labels", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("app", 1))
				img, err := u.docker.ImageInspect(context.Background(), u.image)
				if err != nil {
					t.Fatal(err)
				}
				hash, err := project.ServiceHash(u.p.Compose.Services["app"])
				if err != nil {
					t.Fatal(err)
				}
				for k, v := range map[string]string{
					"com.example.team": "berth",
					LabelProject:       u.name,
					LabelService:       "app",
					LabelNumber:        "1",
					LabelOneOff:        "False",
					LabelConfigHash:    hash,
					LabelImage:         img.ID,
				} {
					fieldsEq(t, "label "+k, ins.Config.Labels[k], v)
				}
			}},
			{"user, working_dir", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("app", 1))
				fieldsEq(t, "User", ins.Config.User, "1000:1000")
				fieldsEq(t, "WorkingDir", ins.Config.WorkingDir, "/work/dir")
				fieldsEq(t, "Uid", strings.Fields(u.procStatus(t, u.ctr("app", 1), "Uid"))[0], "1000")
				fieldsEq(t, "Gid", strings.Fields(u.procStatus(t, u.ctr("app", 1), "Gid"))[0], "1000")
			}},
			{"hostname, domainname", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("app", 1))
				fieldsEq(t, "Hostname", ins.Config.Hostname, "myhost")
				fieldsEq(t, "Domainname", ins.Config.Domainname, "example.test")
				fieldsEq(t, "GET /", u.get(t, u.ctr("app", 1), "http://127.0.0.1:8080/"), "ok myhost\n")
			}},
			{"extra_hosts, dns, dns_search, dns_opt", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("app", 1))
				fieldsEq(t, "ExtraHosts", ins.HostConfig.ExtraHosts, []string{"otherhost:192.0.2.11", "somehost:192.0.2.10"})
				fieldsEq(t, "DNS", ins.HostConfig.DNS, []string{"192.0.2.53"})
				fieldsEq(t, "DNSSearch", ins.HostConfig.DNSSearch, []string{"search.example.test"})
				fieldsEq(t, "DNSOptions", ins.HostConfig.DNSOptions, []string{"ndots:2"})
				hosts := u.file(t, u.ctr("app", 1), "/etc/hosts")
				fieldsContains(t, "/etc/hosts", hosts, "192.0.2.10\tsomehost")
				fieldsContains(t, "/etc/hosts", hosts, "192.0.2.11\totherhost")
				resolv := u.file(t, u.ctr("app", 1), "/etc/resolv.conf")
				fieldsContains(t, "/etc/resolv.conf", resolv, "search search.example.test")
				fieldsContains(t, "/etc/resolv.conf", resolv, "ndots:2")
			}},
			{"stop_signal, stop_grace_period, tty, stdin_open", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("app", 1))
				fieldsEq(t, "StopSignal", ins.Config.StopSignal, "SIGINT")
				if ins.Config.StopTimeout == nil || *ins.Config.StopTimeout != 7 {
					t.Errorf("StopTimeout = %v, want 7", ins.Config.StopTimeout)
				}
				fieldsEq(t, "Tty", ins.Config.Tty, true)
				fieldsEq(t, "OpenStdin", ins.Config.OpenStdin, true)
			}},
			{"healthcheck", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("app", 1))
				fieldsEq(t, "Healthcheck", *ins.Config.Healthcheck, container.HealthConfig{
					Test: []string{"CMD", "/app", "health"}, Interval: 2 * time.Second, Timeout: 3 * time.Second,
					StartPeriod: 5 * time.Second, Retries: 4,
				})
				if ins.State.Health == nil {
					t.Error("State.Health is nil: the engine runs no healthcheck")
				}
			}},
			{"healthcheck disable", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("limited", 1))
				if ins.Config.Healthcheck == nil {
					t.Fatal("no Healthcheck")
				}
				fieldsEq(t, "Healthcheck.Test", ins.Config.Healthcheck.Test, []string{"NONE"})
				if ins.State.Health != nil {
					t.Errorf("State.Health = %+v, want none", ins.State.Health)
				}
			}},
			{"restart, deploy.restart_policy", func(t *testing.T, u *fieldsUp) {
				fieldsEq(t, "app RestartPolicy", u.inspect(t, u.ctr("app", 1)).HostConfig.RestartPolicy,
					container.RestartPolicy{Name: container.RestartPolicyOnFailure, MaximumRetryCount: 3})
				fieldsEq(t, "limited RestartPolicy", u.inspect(t, u.ctr("limited", 1)).HostConfig.RestartPolicy,
					container.RestartPolicy{Name: container.RestartPolicyOnFailure, MaximumRetryCount: 2})
			}},
			{"ulimits", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("app", 1))
				var got []string
				for _, l := range ins.HostConfig.Ulimits {
					got = append(got, fmt.Sprintf("%s=%d:%d", l.Name, l.Soft, l.Hard))
				}
				fieldsEq(t, "Ulimits", got, []string{"memlock=65536:65536", "nofile=1024:2048"})
				// PID 1 is docker-init (init: true), which keeps the limits it
				// got; the Go server raises its own soft limit
				limits := u.file(t, u.ctr("app", 1), "/proc/1/limits")
				want := map[string][]string{"Max open files": {"1024", "2048"}, "Max locked memory": {"65536", "65536"}}
				for _, line := range strings.Split(limits, "\n") {
					for limit, w := range want {
						if strings.HasPrefix(line, limit+" ") {
							n := len(strings.Fields(limit))
							fieldsEq(t, limit, strings.Fields(line)[n:n+2], w)
							delete(want, limit)
						}
					}
				}
				for limit := range want {
					t.Errorf("no %q in /proc/1/limits:\n%s", limit, limits)
				}
			}},
			{"sysctls", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("app", 1))
				fieldsEq(t, "Sysctls", ins.HostConfig.Sysctls, map[string]string{"net.core.somaxconn": "1024"})
				fieldsEq(t, "somaxconn", u.file(t, u.ctr("app", 1), "/proc/sys/net/core/somaxconn"), "1024\n")
			}},
			{"shm_size, mem_limit, cpus, pids_limit", func(t *testing.T, u *fieldsUp) {
				h := u.inspect(t, u.ctr("app", 1)).HostConfig
				fieldsEq(t, "ShmSize", h.ShmSize, int64(64<<20))
				fieldsEq(t, "Memory", h.Memory, int64(96<<20))
				fieldsEq(t, "NanoCPUs", h.NanoCPUs, int64(500_000_000))
				if h.PidsLimit == nil || *h.PidsLimit != 100 {
					t.Errorf("PidsLimit = %v, want 100", h.PidsLimit)
				}
				// the mount's size shows the shm size
				mounts := u.file(t, u.ctr("app", 1), "/proc/self/mounts")
				fieldsContains(t, "/dev/shm mount", mounts, "size=65536k")
			}},
			{"deploy.resources", func(t *testing.T, u *fieldsUp) {
				h := u.inspect(t, u.ctr("limited", 1)).HostConfig
				fieldsEq(t, "Memory", h.Memory, int64(80<<20))
				fieldsEq(t, "MemoryReservation", h.MemoryReservation, int64(16<<20))
				fieldsEq(t, "NanoCPUs", h.NanoCPUs, int64(250_000_000))
				if h.PidsLimit == nil || *h.PidsLimit != 64 {
					t.Errorf("PidsLimit = %v, want 64", h.PidsLimit)
				}
			}},
			{"cap_add, cap_drop", func(t *testing.T, u *fieldsUp) {
				h := u.inspect(t, u.ctr("app", 1)).HostConfig
				// the engine stores capabilities with their CAP_ prefix
				fieldsEq(t, "CapAdd", []string(h.CapAdd), []string{"CAP_NET_ADMIN"})
				fieldsEq(t, "CapDrop", []string(h.CapDrop), []string{"CAP_MKNOD"})
				bnd, err := strconv.ParseUint(u.procStatus(t, u.ctr("app", 1), "CapBnd"), 16, 64)
				if err != nil {
					t.Fatal(err)
				}
				if bnd&(1<<capNetAdmin) == 0 {
					t.Errorf("CapBnd %x lacks CAP_NET_ADMIN", bnd)
				}
				if bnd&(1<<capMknod) != 0 {
					t.Errorf("CapBnd %x has CAP_MKNOD", bnd)
				}
			}},
			{"security_opt", func(t *testing.T, u *fieldsUp) {
				fieldsEq(t, "SecurityOpt", u.inspect(t, u.ctr("app", 1)).HostConfig.SecurityOpt, []string{"no-new-privileges:true"})
				fieldsEq(t, "NoNewPrivs", u.procStatus(t, u.ctr("app", 1), "NoNewPrivs"), "1")
			}},
			{"read_only", func(t *testing.T, u *fieldsUp) {
				fieldsEq(t, "ReadonlyRootfs", u.inspect(t, u.ctr("app", 1)).HostConfig.ReadonlyRootfs, true)
				// /work/dir is the user's working directory, created by the engine
				if code, out := u.exec(t, u.ctr("app", 1), "write", "/work/dir/x", "y"); code == 0 {
					t.Errorf("writing to the read-only root filesystem succeeded: %s", out)
				} else {
					fieldsContains(t, "write error", out, "read-only file system")
				}
			}},
			{"init", func(t *testing.T, u *fieldsUp) {
				h := u.inspect(t, u.ctr("app", 1)).HostConfig
				if h.Init == nil || !*h.Init {
					t.Errorf("Init = %v, want true", h.Init)
				}
				fieldsContains(t, "PID 1", u.file(t, u.ctr("app", 1), "/proc/1/cmdline"), "docker-init")
			}},
			{"devices", func(t *testing.T, u *fieldsUp) {
				fieldsEq(t, "Devices", u.inspect(t, u.ctr("app", 1)).HostConfig.Devices,
					[]container.DeviceMapping{{PathOnHost: "/dev/null", PathInContainer: "/dev/mynull", CgroupPermissions: "rwm"}})
				fieldsEq(t, "/dev/mynull perm", u.perm(t, u.ctr("app", 1), "/dev/mynull"), "666")
			}},
			{"logging", func(t *testing.T, u *fieldsUp) {
				fieldsEq(t, "LogConfig", u.inspect(t, u.ctr("app", 1)).HostConfig.LogConfig,
					container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "1m", "max-file": "2"}})
			}},
			{"ports, expose", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("app", 1))
				var exposed []string
				for p := range ins.Config.ExposedPorts {
					exposed = append(exposed, string(p))
				}
				slices.Sort(exposed)
				fieldsEq(t, "ExposedPorts", exposed, []string{"7000/tcp", "7100/udp", "7101/udp", "8080/tcp", "9000/udp", "9001/udp"})
				for _, p := range []nat.Port{"8080/tcp", "9000/udp", "9001/udp"} {
					fieldsEq(t, "PortBindings "+string(p), ins.HostConfig.PortBindings[p], []nat.PortBinding{{HostIP: "127.0.0.1"}})
					bound := ins.NetworkSettings.Ports[p]
					if len(bound) != 1 || bound[0].HostIP != "127.0.0.1" || bound[0].HostPort == "" || bound[0].HostPort == "0" {
						t.Errorf("published %s = %+v, want one ephemeral port on 127.0.0.1", p, bound)
					}
				}
				if bound := ins.NetworkSettings.Ports["8080/tcp"]; len(bound) == 1 {
					fieldsEq(t, "GET through the published port", fieldsHostGet(t, "http://127.0.0.1:"+bound[0].HostPort+"/"), "ok myhost\n")
				}
			}},
		},
	},
	{
		name: "privileged",
		compose: `
services:
  priv:
    image: IMAGE
    command: ["sleep"]
    privileged: true
`,
		// an engine that lacks some capabilities itself (as in a sandbox)
		// creates the container but cannot start it
		upErr: "unable to apply caps",
		checks: []fieldsCheck{
			{"privileged", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("priv", 1))
				fieldsEq(t, "Privileged", ins.HostConfig.Privileged, true)
				if !ins.State.Running {
					return
				}
				// a privileged process has every capability it may have
				_, status := u.exec(t, u.ctr("priv", 1), "cat", "/proc/1/status")
				caps := map[string]string{}
				for _, line := range strings.Split(status, "\n") {
					if k, v, ok := strings.Cut(line, ":"); ok {
						caps[k] = strings.TrimSpace(v)
					}
				}
				if caps["CapEff"] == "" || caps["CapEff"] != caps["CapBnd"] {
					t.Errorf("CapEff %q, CapBnd %q: want every bounding capability effective", caps["CapEff"], caps["CapBnd"])
				}
			}},
		},
	},
	{
		name: "readonly-files",
		compose: `
services:
  ro:
    image: IMAGE
    read_only: true
    secrets: [from_file]
    configs:
      - source: conf_file
        target: /etc/app/conf.txt
  owner:
    image: IMAGE
    user: "1000:1000"
    secrets:
      - source: from_env
        uid: "1000"
        gid: "1000"
        mode: 0o400
secrets:
  from_file: {file: ./secret.txt}
  from_env: {environment: SECRET_VAR}
configs:
  conf_file: {file: ./conf.txt}
`,
		files:   map[string]string{"secret.txt": "file secret", "conf.txt": "file config"},
		environ: []string{"SECRET_VAR=env secret"},
		checks: []fieldsCheck{
			{"secrets and configs of a read_only service", func(t *testing.T, u *fieldsUp) {
				ctr := u.ctr("ro", 1)
				fieldsEq(t, "file secret", u.file(t, ctr, "/run/secrets/from_file"), "file secret")
				fieldsEq(t, "file config", u.file(t, ctr, "/etc/app/conf.txt"), "file config")
				m := fieldsMount(t, u.inspect(t, ctr), "/run/secrets/from_file")
				fieldsEq(t, "secret mount", []any{m.Type, m.RW, m.Source}, []any{mount.TypeBind, false, filepath.Join(u.dir, "secret.txt")})
			}},
			{"secret uid, gid", func(t *testing.T, u *fieldsUp) {
				// mode 0400: only its owner, the service's user, can read it
				fieldsEq(t, "secret owned by 1000", u.file(t, u.ctr("owner", 1), "/run/secrets/from_env"), "env secret")
				fieldsEq(t, "perm", u.perm(t, u.ctr("owner", 1), "/run/secrets/from_env"), "400")
			}},
		},
	},
	{
		name: "storage",
		compose: `
services:
  store:
    image: IMAGE
    volumes:
      - ./data:/bind
      - ./ro:/ro:ro
      - ./missing/deep:/missing
      - type: bind
        source: ./created
        target: /created
        bind: {create_host_path: true}
      - data:/named
      - /anon
    tmpfs: ["/scratch:size=2m"]
  tmp:
    image: IMAGE
    # not on store: the engine (20.10) cannot take volumes_from a container
    # with a tmpfs mount ("get: no such volume")
    volumes:
      - type: tmpfs
        target: /tmpfs-long
        tmpfs: {size: 1048576, mode: 0o750}
  reader:
    image: IMAGE
    volumes_from: ["store:ro"]
volumes:
  data: {}
`,
		files: map[string]string{"data/hello.txt": "hello", "ro/ro.txt": "read only"},
		checks: []fieldsCheck{
			{"bind", func(t *testing.T, u *fieldsUp) {
				fieldsEq(t, "/bind/hello.txt", u.file(t, u.ctr("store", 1), "/bind/hello.txt"), "hello")
				if code, out := u.exec(t, u.ctr("store", 1), "write", "/bind/back.txt", "written"); code != 0 {
					t.Fatalf("writing to the bind mount: %s", out)
				}
				b, err := os.ReadFile(filepath.Join(u.dir, "data", "back.txt"))
				if err != nil || string(b) != "written" {
					t.Errorf("host side of the bind mount: %q, %v", b, err)
				}
			}},
			{"bind read-only", func(t *testing.T, u *fieldsUp) {
				fieldsEq(t, "/ro/ro.txt", u.file(t, u.ctr("store", 1), "/ro/ro.txt"), "read only")
				m := fieldsMount(t, u.inspect(t, u.ctr("store", 1)), "/ro")
				fieldsEq(t, "/ro RW", m.RW, false)
				if code, out := u.exec(t, u.ctr("store", 1), "write", "/ro/x", "y"); code == 0 {
					t.Errorf("writing to a read-only bind succeeded: %s", out)
				}
			}},
			{"bind create_host_path", func(t *testing.T, u *fieldsUp) {
				for _, d := range []string{"missing/deep", "created"} {
					if st, err := os.Stat(filepath.Join(u.dir, d)); err != nil || !st.IsDir() {
						t.Errorf("host directory %s: %v", d, err)
					}
				}
				for _, target := range []string{"/missing", "/created"} {
					m := fieldsMount(t, u.inspect(t, u.ctr("store", 1)), target)
					fieldsEq(t, target+" Type", m.Type, mount.TypeBind)
				}
			}},
			{"volume named", func(t *testing.T, u *fieldsUp) {
				m := fieldsMount(t, u.inspect(t, u.ctr("store", 1)), "/named")
				fieldsEq(t, "/named Type", m.Type, mount.TypeVolume)
				fieldsEq(t, "/named Name", m.Name, u.name+"_data")
				v, err := u.docker.VolumeInspect(context.Background(), u.name+"_data")
				if err != nil {
					t.Fatal(err)
				}
				fieldsEq(t, "volume project label", v.Labels[LabelProject], u.name)
				fieldsEq(t, "volume key label", v.Labels[LabelVolume], "data")
			}},
			{"volume anonymous", func(t *testing.T, u *fieldsUp) {
				m := fieldsMount(t, u.inspect(t, u.ctr("store", 1)), "/anon")
				fieldsEq(t, "/anon Type", m.Type, mount.TypeVolume)
				if len(m.Name) != 64 {
					t.Errorf("/anon is volume %q, want an anonymous (64-hex) one", m.Name)
				}
			}},
			{"tmpfs", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("store", 1))
				fieldsEq(t, "Tmpfs", ins.HostConfig.Tmpfs, map[string]string{"/scratch": "size=2m"})
				fieldsContains(t, "/proc/self/mounts", u.file(t, u.ctr("store", 1), "/proc/self/mounts"), "tmpfs /scratch tmpfs rw,nosuid,nodev,noexec,relatime,size=2048k")
				if code, out := u.exec(t, u.ctr("store", 1), "write", "/scratch/x", "y"); code != 0 {
					t.Errorf("writing to /scratch: %s", out)
				}
				m := fieldsMount(t, u.inspect(t, u.ctr("tmp", 1)), "/tmpfs-long")
				fieldsEq(t, "/tmpfs-long Type", m.Type, mount.TypeTmpfs)
				fieldsContains(t, "/proc/self/mounts", u.file(t, u.ctr("tmp", 1), "/proc/self/mounts"), "tmpfs /tmpfs-long tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k,mode=750")
				fieldsEq(t, "/tmpfs-long perm", u.perm(t, u.ctr("tmp", 1), "/tmpfs-long"), "750")
			}},
			{"volumes_from", func(t *testing.T, u *fieldsUp) {
				store := u.inspect(t, u.ctr("store", 1))
				ins := u.inspect(t, u.ctr("reader", 1))
				fieldsEq(t, "VolumesFrom", ins.HostConfig.VolumesFrom, []string{store.ID + ":ro"})
				for _, target := range []string{"/bind", "/named", "/anon"} {
					m := fieldsMount(t, ins, target)
					fieldsEq(t, target+" RW", m.RW, false)
				}
				fieldsEq(t, "/bind/hello.txt via volumes_from", u.file(t, u.ctr("reader", 1), "/bind/hello.txt"), "hello")
			}},
		},
	},
	{
		name: "network",
		compose: `
services:
  web:
    image: IMAGE
    ipc: shareable
    networks:
      front:
        aliases: [webalias]
        ipv4_address: 10.250.47.10
        priority: 10
      back:
        priority: 100
  client:
    image: IMAGE
    networks: [front]
    links: ["web:linkedweb"]
  sidecar:
    image: IMAGE
    command: ["sleep"]
    network_mode: service:web
    ipc: service:web
    pid: service:web
  isolated:
    image: IMAGE
    command: ["sleep"]
    network_mode: none
  hosty:
    image: IMAGE
    command: ["sleep"]
    network_mode: host
networks:
  front:
    ipam:
      config: [{subnet: 10.250.47.0/24}]
  back: {}
`,
		checks: []fieldsCheck{
			{"networks aliases", func(t *testing.T, u *fieldsUp) {
				ep := u.inspect(t, u.ctr("web", 1)).NetworkSettings.Networks[u.name+"_front"]
				if ep == nil {
					t.Fatal("web is not on front")
				}
				for _, a := range []string{"webalias", "web"} {
					if !slices.Contains(ep.Aliases, a) {
						t.Errorf("front aliases %q lack %s", ep.Aliases, a)
					}
				}
				fieldsContains(t, "GET webalias from client", u.get(t, u.ctr("client", 1), "http://webalias:8080/"), "ok ")
			}},
			{"networks ipv4_address", func(t *testing.T, u *fieldsUp) {
				ep := u.inspect(t, u.ctr("web", 1)).NetworkSettings.Networks[u.name+"_front"]
				if ep == nil {
					t.Fatal("web is not on front")
				}
				fieldsEq(t, "front IPAddress", ep.IPAddress, "10.250.47.10")
				if ep.IPAMConfig == nil || ep.IPAMConfig.IPv4Address != "10.250.47.10" {
					t.Errorf("front IPAMConfig = %+v", ep.IPAMConfig)
				}
				fieldsContains(t, "GET by address from client", u.get(t, u.ctr("client", 1), "http://10.250.47.10:8080/"), "ok ")
			}},
			{"networks priority", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("web", 1))
				// the highest priority network is the one the container is created on
				fieldsEq(t, "NetworkMode", string(ins.HostConfig.NetworkMode), u.name+"_back")
				var nets []string
				for n := range ins.NetworkSettings.Networks {
					nets = append(nets, n)
				}
				slices.Sort(nets)
				fieldsEq(t, "networks", nets, []string{u.name + "_back", u.name + "_front"})
			}},
			{"links", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("client", 1))
				ep := ins.NetworkSettings.Networks[u.name+"_front"]
				if ep == nil {
					t.Fatal("client is not on front")
				}
				fieldsEq(t, "front Links", ep.Links, []string{u.ctr("web", 1) + ":linkedweb"})
				fieldsContains(t, "GET linkedweb from client", u.get(t, u.ctr("client", 1), "http://linkedweb:8080/"), "ok ")
			}},
			{"network_mode service", func(t *testing.T, u *fieldsUp) {
				web := u.inspect(t, u.ctr("web", 1))
				ins := u.inspect(t, u.ctr("sidecar", 1))
				fieldsEq(t, "NetworkMode", string(ins.HostConfig.NetworkMode), "container:"+web.ID)
				// web's server answers on the shared loopback
				fieldsContains(t, "GET web from sidecar", u.get(t, u.ctr("sidecar", 1), "http://127.0.0.1:8080/"), "ok ")
			}},
			{"ipc, pid", func(t *testing.T, u *fieldsUp) {
				web := u.inspect(t, u.ctr("web", 1))
				fieldsEq(t, "web IpcMode", string(web.HostConfig.IpcMode), "shareable")
				ins := u.inspect(t, u.ctr("sidecar", 1))
				fieldsEq(t, "IpcMode", string(ins.HostConfig.IpcMode), "container:"+web.ID)
				fieldsEq(t, "PidMode", string(ins.HostConfig.PidMode), "container:"+web.ID)
				// in web's PID namespace, web's server is PID 1
				fieldsContains(t, "web's /proc/1/cmdline", u.file(t, u.ctr("web", 1), "/proc/1/cmdline"), "serve")
				code, out := u.exec(t, u.ctr("sidecar", 1), "cat", "/proc/1/cmdline")
				if code != 0 || !strings.Contains(out, "/app") || strings.Contains(out, "sleep") {
					t.Errorf("sidecar's PID 1 is %q (exit %d), want web's server", out, code)
				}
			}},
			{"network_mode none", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("isolated", 1))
				fieldsEq(t, "NetworkMode", string(ins.HostConfig.NetworkMode), "none")
				for n := range ins.NetworkSettings.Networks {
					if n != "none" {
						t.Errorf("isolated is on network %s", n)
					}
				}
			}},
			{"network_mode host", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.ctr("hosty", 1))
				fieldsEq(t, "NetworkMode", string(ins.HostConfig.NetworkMode), "host")
				fieldsEq(t, "Running", ins.State.Running, true)
			}},
		},
	},
	{
		name: "files",
		compose: `
services:
  files:
    image: IMAGE
    secrets:
      - from_file
      - source: from_env
        target: envsecret
        mode: 0o400
    configs:
      - source: conf_file
        target: /etc/app/conf.txt
        mode: 0o640
      - conf_env
      - source: conf_inline
        target: /conf/inline
  scaled:
    image: IMAGE
    command: ["sleep"]
    scale: 2
  replicated:
    image: IMAGE
    command: ["sleep"]
    deploy: {replicas: 2}
  named:
    image: IMAGE
    command: ["sleep"]
    container_name: PROJECT-custom
secrets:
  from_file: {file: ./secret.txt}
  from_env: {environment: SECRET_VAR}
configs:
  conf_file: {file: ./conf.txt}
  conf_env: {environment: CONF_VAR}
  conf_inline: {content: "inline config"}
`,
		files:   map[string]string{"secret.txt": "file secret", "conf.txt": "file config"},
		environ: []string{"SECRET_VAR=env secret", "CONF_VAR=env config"},
		checks: []fieldsCheck{
			{"secrets", func(t *testing.T, u *fieldsUp) {
				ctr := u.ctr("files", 1)
				fieldsEq(t, "file secret", u.file(t, ctr, "/run/secrets/from_file"), "file secret")
				fieldsEq(t, "file secret perm", u.perm(t, ctr, "/run/secrets/from_file"), "444")
				fieldsEq(t, "env secret", u.file(t, ctr, "/run/secrets/envsecret"), "env secret")
				fieldsEq(t, "env secret perm", u.perm(t, ctr, "/run/secrets/envsecret"), "400")
			}},
			{"configs", func(t *testing.T, u *fieldsUp) {
				ctr := u.ctr("files", 1)
				fieldsEq(t, "file config", u.file(t, ctr, "/etc/app/conf.txt"), "file config")
				fieldsEq(t, "file config perm", u.perm(t, ctr, "/etc/app/conf.txt"), "640")
				fieldsEq(t, "env config", u.file(t, ctr, "/conf_env"), "env config")
				fieldsEq(t, "env config perm", u.perm(t, ctr, "/conf_env"), "444")
				fieldsEq(t, "inline config", u.file(t, ctr, "/conf/inline"), "inline config")
			}},
			{"scale, deploy.replicas", func(t *testing.T, u *fieldsUp) {
				for _, svc := range []string{"scaled", "replicated"} {
					for n := 1; n <= 2; n++ {
						ins := u.inspect(t, u.ctr(svc, n))
						fieldsEq(t, svc+" number label", ins.Config.Labels[LabelNumber], strconv.Itoa(n))
						fieldsEq(t, svc+" running", ins.State.Running, true)
					}
					if _, err := u.docker.ContainerInspect(context.Background(), u.ctr(svc, 3)); err == nil {
						t.Errorf("%s has a third container", svc)
					}
				}
			}},
			{"container_name", func(t *testing.T, u *fieldsUp) {
				ins := u.inspect(t, u.name+"-custom")
				fieldsEq(t, "service label", ins.Config.Labels[LabelService], "named")
				fieldsEq(t, "number label", ins.Config.Labels[LabelNumber], "1")
			}},
		},
	},
}

// fieldsMount is ins's mount at target.
func fieldsMount(t *testing.T, ins container.InspectResponse, target string) container.MountPoint {
	t.Helper()
	for _, m := range ins.Mounts {
		if m.Destination == target {
			return m
		}
	}
	t.Fatalf("%s has no mount at %s (mounts: %+v)", ins.Name, target, ins.Mounts)
	return container.MountPoint{}
}

// fieldsHostGet fetches url from the test process, retrying briefly.
func fieldsHostGet(t *testing.T, url string) string {
	t.Helper()
	c := http.Client{Timeout: 3 * time.Second}
	var lastErr error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := c.Get(url)
		if err != nil {
			lastErr = err
			continue
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode == http.StatusOK {
			return string(b)
		}
		lastErr = fmt.Errorf("status %s, body %q, %v", resp.Status, b, err)
	}
	t.Fatalf("GET %s: %v", url, lastErr)
	return ""
}

// TestServiceFieldsReachTheEngine brings each project of fieldsProjects up
// on the engine and checks, field by field, the containers it created.
func TestServiceFieldsReachTheEngine(t *testing.T) {
	docker := enginetest.Docker(t)
	image := enginetest.Image(t, docker)
	for _, fp := range fieldsProjects {
		t.Run(fp.name, func(t *testing.T) {
			t.Parallel()
			u := fieldsLoad(t, docker, image, fp)
			if err := u.up(t); err != nil {
				if fp.upErr == "" || !strings.Contains(err.Error(), fp.upErr) {
					t.Fatalf("up: %v", err)
				}
				t.Logf("up failed as this engine may (%s): %v", fp.upErr, err)
			}
			for _, c := range fp.checks {
				t.Run(c.field, func(t *testing.T) { c.check(t, u) })
			}
		})
	}
}

// TestServiceFieldsBerthCannotHonour checks that a field the engine's API
// cannot carry fails the create with an error that names it, and creates
// no container.
func TestServiceFieldsBerthCannotHonour(t *testing.T) {
	docker := enginetest.Docker(t)
	image := enginetest.Image(t, docker)
	c := connect(t)
	for _, tc := range []struct {
		name, service, want string
		below               string // the API version from which the field is honoured
	}{
		{"healthcheck start_interval", `
    healthcheck:
      test: ["CMD", "/app", "health"]
      start_period: 10s
      start_interval: 1s`, "healthcheck.start_interval needs Docker Engine API 1.44", "1.44"},
		{"gpus", `
    gpus: all`, "gpus is not supported", ""},
		{"read_only with an environment secret", `
    read_only: true
    secrets: [token]
secrets:
  token: {environment: HOME}`, `secret "token": read_only: the engine cannot copy a file into a read-only root filesystem`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.below != "" && !versions.LessThan(c.APIVersion, tc.below) {
				t.Skipf("the engine speaks API %s, which honours the field", c.APIVersion)
			}
			t.Parallel()
			u := fieldsLoad(t, docker, image, fieldsProject{name: tc.name, compose: "services:\n  app:\n    image: IMAGE" + tc.service + "\n", environ: []string{"HOME=/root"}})
			err := u.up(t)
			if err == nil {
				t.Fatalf("up succeeded, want an error naming the field")
			}
			fieldsContains(t, "error", err.Error(), tc.want)
			if _, ierr := u.docker.ContainerInspect(context.Background(), u.ctr("app", 1)); ierr == nil {
				t.Errorf("a container was created despite %v", err)
			}
		})
	}
}
