package docker

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"

	"github.com/berth-dev/berth/project"
)

// loadSpecProject writes yaml (and extra files) into a new directory and
// loads it as project "shop" with environ as the whole environment.
func loadSpecProject(t *testing.T, yaml string, files map[string]string, environ ...string) (*types.Project, string) {
	t.Helper()
	dir := t.TempDir()
	files = specWithFile(files, "compose.yaml", yaml)
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if environ == nil {
		environ = []string{}
	}
	p, err := project.Load(context.Background(), project.Options{WorkDir: dir, ProjectName: "shop", Environ: environ})
	if err != nil {
		t.Fatalf("loading:\n%s\n%v", yaml, err)
	}
	return p.Compose, dir
}

func specWithFile(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for mk, mv := range m {
		out[mk] = mv
	}
	return out
}

// specFor builds the spec of service svc of yaml at API 1.41.
func specFor(t *testing.T, yaml, svc string) *containerSpec {
	t.Helper()
	p, _ := loadSpecProject(t, yaml, nil)
	return mustSpec(t, p, svc, specMinAPIVersion)
}

func mustSpec(t *testing.T, p *types.Project, svc, api string) *containerSpec {
	t.Helper()
	s, ok := p.Services[svc]
	if !ok {
		t.Fatalf("no service %q", svc)
	}
	spec, err := buildContainerSpecForAPI(p, s, 1, map[string]string{"com.docker.compose.project": "shop"}, api)
	if err != nil {
		t.Fatalf("buildContainerSpec(%s): %v", svc, err)
	}
	return spec
}

func specEq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %#v\n want %#v", what, got, want)
	}
}

func specPtr[T any](v T) *T { return &v }

func TestBuildContainerSpecConfigFields(t *testing.T) {
	spec := specFor(t, `
services:
  web:
    image: nginx:1.27
    command: ["nginx", "-g", "daemon off;"]
    entrypoint: /docker-entrypoint.sh
    environment:
      B: "2"
      A: "1"
      EMPTY: ""
      UNSET:
    labels:
      app: shop
      com.docker.compose.project: overridden-by-caller
    user: "1000:1000"
    working_dir: /srv
    hostname: web1
    domainname: example.com
    tty: true
    stdin_open: true
    stop_signal: SIGQUIT
    stop_grace_period: 1m30s
    platform: linux/arm64
    container_name: storefront
  builder:
    build: .
    command: []
`, "web")
	c := spec.Config
	specEq(t, "Image", c.Image, "nginx:1.27")
	specEq(t, "Cmd", []string(c.Cmd), []string{"nginx", "-g", "daemon off;"})
	specEq(t, "Entrypoint", []string(c.Entrypoint), []string{"/docker-entrypoint.sh"})
	specEq(t, "Env", c.Env, []string{"A=1", "B=2", "EMPTY=", "UNSET"})
	specEq(t, "Labels", c.Labels, map[string]string{"app": "shop", "com.docker.compose.project": "shop"})
	specEq(t, "User", c.User, "1000:1000")
	specEq(t, "WorkingDir", c.WorkingDir, "/srv")
	specEq(t, "Hostname", c.Hostname, "web1")
	specEq(t, "Domainname", c.Domainname, "example.com")
	specEq(t, "Tty", c.Tty, true)
	specEq(t, "OpenStdin", c.OpenStdin, true)
	specEq(t, "StopSignal", c.StopSignal, "SIGQUIT")
	specEq(t, "StopTimeout", c.StopTimeout, specPtr(90))
	specEq(t, "Platform", spec.Platform, "linux/arm64")
	specEq(t, "Healthcheck", c.Healthcheck, (*container.HealthConfig)(nil))
	// the container's own name (container_name) is among its aliases
	specEq(t, "aliases", spec.Network.EndpointsConfig["shop_default"].Aliases, []string{"storefront", "web"})

	b := specFor(t, `
services:
  builder:
    build: .
    command: []
`, "builder")
	specEq(t, "Image of a build-only service", b.Config.Image, "shop-builder")
	// an explicit empty command clears the image's; an absent one keeps it
	specEq(t, "Cmd", b.Config.Cmd, []string{})
	specEq(t, "Entrypoint", b.Config.Entrypoint == nil, true)
	specEq(t, "StopTimeout", b.Config.StopTimeout, (*int)(nil))
}

func TestBuildContainerSpecHostFields(t *testing.T) {
	p, dir := loadSpecProject(t, `
services:
  web:
    image: nginx
    read_only: true
    privileged: true
    init: true
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    dns: [1.1.1.1, 8.8.8.8]
    dns_search: example.com
    dns_opt: [ndots:2]
    extra_hosts:
      - "db.local=10.0.0.2"
      - "api.local:10.0.0.3"
    sysctls:
      net.core.somaxconn: 1024
    shm_size: 64m
    group_add: [audio]
    storage_opt: {size: 20G}
    runtime: runc
    isolation: default
    oom_score_adj: -500
    oom_kill_disable: true
    pid: host
    ipc: shareable
    uts: host
    cgroup: private
    cgroup_parent: /berth
    userns_mode: host
    security_opt:
      - no-new-privileges:true
      - label=disable
      - seccomp=profile.json
      - systempaths=unconfined
    logging:
      driver: json-file
      options: {max-size: 10m}
    tmpfs:
      - /run
      - /tmp:size=64m,mode=1777
`, map[string]string{"profile.json": "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\"\n}\n"})
	_ = dir
	h := mustSpec(t, p, "web", specMinAPIVersion).Host
	specEq(t, "ReadonlyRootfs", h.ReadonlyRootfs, true)
	specEq(t, "Privileged", h.Privileged, true)
	specEq(t, "Init", h.Init, specPtr(true))
	specEq(t, "CapAdd", []string(h.CapAdd), []string{"NET_ADMIN"})
	specEq(t, "CapDrop", []string(h.CapDrop), []string{"ALL"})
	specEq(t, "DNS", h.DNS, []string{"1.1.1.1", "8.8.8.8"})
	specEq(t, "DNSSearch", h.DNSSearch, []string{"example.com"})
	specEq(t, "DNSOptions", h.DNSOptions, []string{"ndots:2"})
	specEq(t, "ExtraHosts", h.ExtraHosts, []string{"api.local:10.0.0.3", "db.local:10.0.0.2"})
	specEq(t, "Sysctls", h.Sysctls, map[string]string{"net.core.somaxconn": "1024"})
	specEq(t, "ShmSize", h.ShmSize, int64(64<<20))
	specEq(t, "GroupAdd", h.GroupAdd, []string{"audio"})
	specEq(t, "StorageOpt", h.StorageOpt, map[string]string{"size": "20G"})
	specEq(t, "Runtime", h.Runtime, "runc")
	specEq(t, "Isolation", h.Isolation, container.Isolation("default"))
	specEq(t, "OomScoreAdj", h.OomScoreAdj, -500)
	specEq(t, "OomKillDisable", h.OomKillDisable, specPtr(true))
	specEq(t, "PidMode", h.PidMode, container.PidMode("host"))
	specEq(t, "IpcMode", h.IpcMode, container.IpcMode("shareable"))
	specEq(t, "UTSMode", h.UTSMode, container.UTSMode("host"))
	specEq(t, "CgroupnsMode", h.CgroupnsMode, container.CgroupnsMode("private"))
	specEq(t, "CgroupParent", h.CgroupParent, "/berth")
	specEq(t, "UsernsMode", h.UsernsMode, container.UsernsMode("host"))
	specEq(t, "SecurityOpt", h.SecurityOpt, []string{"no-new-privileges:true", "label=disable", `seccomp={"defaultAction":"SCMP_ACT_ALLOW"}`})
	specEq(t, "MaskedPaths", h.MaskedPaths, []string{})
	specEq(t, "ReadonlyPaths", h.ReadonlyPaths, []string{})
	specEq(t, "LogConfig", h.LogConfig, container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "10m"}})
	specEq(t, "Tmpfs", h.Tmpfs, map[string]string{"/run": "", "/tmp": "size=64m,mode=1777"})
}

func TestBuildContainerSpecPorts(t *testing.T) {
	spec := specFor(t, `
services:
  web:
    image: nginx
    expose: ["9000", "9100-9101/udp"]
    ports:
      - "80"
      - "8080:80"
      - "127.0.0.1:8443:443"
      - "5353:53/udp"
      - "7000-7001:7000-7001"
      - "9000-9010:3000"
      - target: 6000
        published: "16000"
        host_ip: "::1"
        protocol: tcp
        mode: host
`, "web")
	wantExposed := nat.PortSet{}
	for _, p := range []string{"9000/tcp", "9100/udp", "9101/udp", "80/tcp", "443/tcp", "53/udp", "7000/tcp", "7001/tcp", "3000/tcp", "6000/tcp"} {
		wantExposed[nat.Port(p)] = struct{}{}
	}
	specEq(t, "ExposedPorts", spec.Config.ExposedPorts, wantExposed)
	specEq(t, "PortBindings", spec.Host.PortBindings, nat.PortMap{
		"80/tcp":   {{HostPort: ""}, {HostPort: "8080"}},
		"443/tcp":  {{HostIP: "127.0.0.1", HostPort: "8443"}},
		"53/udp":   {{HostPort: "5353"}},
		"7000/tcp": {{HostPort: "7000"}},
		"7001/tcp": {{HostPort: "7001"}},
		"3000/tcp": {{HostPort: "9000-9010"}},
		"6000/tcp": {{HostIP: "::1", HostPort: "16000"}},
	})
}

func TestBuildContainerSpecVolumes(t *testing.T) {
	p, dir := loadSpecProject(t, `
services:
  web:
    image: nginx
    volumes:
      - ./site:/usr/share/nginx/html:ro
      - ./conf:/etc/nginx/conf.d:z
      - type: bind
        source: ./must-exist
        target: /must
        read_only: true
        bind:
          create_host_path: false
          propagation: rslave
      - type: bind
        source: ./shared
        target: /shared
        bind:
          propagation: rshared
      - data:/var/lib/data
      - type: volume
        source: ext
        target: /ext
        read_only: true
        volume:
          nocopy: true
      - /anon
      - type: tmpfs
        target: /cache
        tmpfs:
          size: 10m
          mode: 0o1770
      - type: bind
        source: ./nr
        target: /nr
        bind:
          recursive: disabled
volumes:
  data: {}
  ext:
    external: true
    name: shared-ext
`, nil)
	h := mustSpec(t, p, "web", specMinAPIVersion).Host
	specEq(t, "Binds", h.Binds, []string{
		filepath.Join(dir, "site") + ":/usr/share/nginx/html:ro",
		filepath.Join(dir, "conf") + ":/etc/nginx/conf.d:rw,z",
		filepath.Join(dir, "shared") + ":/shared:rw,rshared",
	})
	specEq(t, "Mounts", h.Mounts, []mount.Mount{
		{Type: mount.TypeBind, Source: filepath.Join(dir, "must-exist"), Target: "/must", ReadOnly: true,
			BindOptions: &mount.BindOptions{Propagation: mount.PropagationRSlave}},
		{Type: mount.TypeVolume, Source: "shop_data", Target: "/var/lib/data"},
		{Type: mount.TypeVolume, Source: "shared-ext", Target: "/ext", ReadOnly: true,
			VolumeOptions: &mount.VolumeOptions{NoCopy: true}},
		{Type: mount.TypeVolume, Target: "/anon"},
		{Type: mount.TypeTmpfs, Target: "/cache", TmpfsOptions: &mount.TmpfsOptions{SizeBytes: 10 << 20, Mode: 0o1770}},
		{Type: mount.TypeBind, Source: filepath.Join(dir, "nr"), Target: "/nr",
			BindOptions: &mount.BindOptions{NonRecursive: true, CreateMountpoint: true}},
	})
}

func TestBuildContainerSpecVolumeSubpathNeedsAPI(t *testing.T) {
	p, _ := loadSpecProject(t, `
services:
  web:
    image: nginx
    volumes:
      - type: volume
        source: data
        target: /data
        volume:
          subpath: site
      - /anon
volumes:
  data: {}
`, nil)
	_, err := buildContainerSpec(p, p.Services["web"], 1, nil)
	specWantErr(t, err, `service "web": volumes[0] (/data): volume.subpath needs Docker Engine API 1.45 or later (the engine speaks 1.41)`)

	// volume_driver is no longer in the schema, but the model still has it
	s := p.Services["web"]
	s.VolumeDriver = "local"
	p.Services["web"] = s
	h := mustSpec(t, p, "web", "1.45").Host
	specEq(t, "VolumeDriver", h.VolumeDriver, "local")
	specEq(t, "Mounts", h.Mounts, []mount.Mount{
		{Type: mount.TypeVolume, Source: "shop_data", Target: "/data", VolumeOptions: &mount.VolumeOptions{Subpath: "site"}},
		{Type: mount.TypeVolume, Target: "/anon", VolumeOptions: &mount.VolumeOptions{DriverConfig: &mount.Driver{Name: "local"}}},
	})
}

func TestBuildContainerSpecNetworks(t *testing.T) {
	p, _ := loadSpecProject(t, `
services:
  web:
    image: nginx
    mac_address: 02:42:ac:11:00:02
    links: [db, "cache:redis"]
    external_links: ["legacy_db:olddb", other]
    networks:
      back:
        priority: 10
        aliases: [api]
        ipv4_address: 172.28.0.10
        ipv6_address: "2001:db8::10"
        link_local_ips: [169.254.1.1]
      front:
        driver_opts: {com.example.opt: "1"}
      ext: {}
  db:
    image: postgres
    container_name: the-db
  cache:
    image: redis
networks:
  back:
    enable_ipv6: true
    ipam:
      config:
        - subnet: 172.28.0.0/16
        - subnet: 2001:db8::/64
  front: {}
  ext:
    external: true
    name: corp-net
`, nil)
	spec := mustSpec(t, p, "web", specMinAPIVersion)
	links := []string{"the-db:db", "shop-cache-1:redis", "legacy_db:olddb", "other:other"}
	specEq(t, "NetworkMode", spec.Host.NetworkMode, container.NetworkMode("shop_back"))
	specEq(t, "Links", spec.Host.Links, links)
	specEq(t, "MacAddress (API < 1.44: container-wide)", legacyMAC(spec.Config), "02:42:ac:11:00:02")
	specEq(t, "Network", spec.Network, &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
		"shop_back": {
			Aliases: []string{"shop-web-1", "web", "api"},
			Links:   links,
			IPAMConfig: &network.EndpointIPAMConfig{
				IPv4Address: "172.28.0.10", IPv6Address: "2001:db8::10", LinkLocalIPs: []string{"169.254.1.1"},
			},
		},
	}})
	specEq(t, "Extra", spec.Extra, []extraNetwork{
		{Name: "corp-net", Endpoint: &network.EndpointSettings{Aliases: []string{"shop-web-1", "web"}}},
		{Name: "shop_front", Endpoint: &network.EndpointSettings{Aliases: []string{"shop-web-1", "web"}, DriverOpts: map[string]string{"com.example.opt": "1"}}},
	})

	// from API 1.44 the MAC address belongs to the endpoint
	spec = mustSpec(t, p, "web", "1.44")
	specEq(t, "MacAddress", legacyMAC(spec.Config), "")
	specEq(t, "endpoint MacAddress", spec.Network.EndpointsConfig["shop_back"].MacAddress, "02:42:ac:11:00:02")
}

func TestBuildContainerSpecDefaultNetworkAndModes(t *testing.T) {
	spec := specFor(t, "services:\n  web:\n    image: nginx\n", "web")
	specEq(t, "NetworkMode", spec.Host.NetworkMode, container.NetworkMode("shop_default"))
	specEq(t, "Network", spec.Network, &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
		"shop_default": {Aliases: []string{"shop-web-1", "web"}},
	}})
	specEq(t, "Extra", spec.Extra, []extraNetwork(nil))

	for _, mode := range []string{"host", "none", "bridge", "container:0123abcd"} {
		spec := specFor(t, "services:\n  web:\n    image: nginx\n    network_mode: "+mode+"\n", "web")
		specEq(t, mode+": NetworkMode", spec.Host.NetworkMode, container.NetworkMode(mode))
		specEq(t, mode+": Network", spec.Network, (*network.NetworkingConfig)(nil))
	}
}

func TestBuildContainerSpecHealthcheck(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       *container.HealthConfig
	}{
		{"shell", `
    healthcheck:
      test: curl -f http://localhost
      interval: 10s
      timeout: 3s
      retries: 5
      start_period: 30s`, &container.HealthConfig{
			Test: []string{"CMD-SHELL", "curl -f http://localhost"}, Interval: 10 * time.Second,
			Timeout: 3 * time.Second, Retries: 5, StartPeriod: 30 * time.Second,
		}},
		{"exec", `
    healthcheck:
      test: ["CMD", "pg_isready"]`, &container.HealthConfig{Test: []string{"CMD", "pg_isready"}}},
		{"none", `
    healthcheck:
      test: ["NONE"]`, &container.HealthConfig{Test: []string{"NONE"}}},
		{"disable", `
    healthcheck:
      disable: true`, &container.HealthConfig{Test: []string{"NONE"}}},
		{"inherit test, change timing", `
    healthcheck:
      interval: 1s`, &container.HealthConfig{Interval: time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := specFor(t, "services:\n  web:\n    image: nginx"+tc.yaml+"\n", "web")
			specEq(t, "Healthcheck", spec.Config.Healthcheck, tc.want)
		})
	}

	p, _ := loadSpecProject(t, `
services:
  web:
    image: nginx
    healthcheck:
      test: ["CMD", "true"]
      start_period: 30s
      start_interval: 2s
`, nil)
	_, err := buildContainerSpec(p, p.Services["web"], 1, nil)
	specWantErr(t, err, `service "web": healthcheck.start_interval needs Docker Engine API 1.44 or later`)
	specEq(t, "StartInterval", mustSpec(t, p, "web", "1.44").Config.Healthcheck.StartInterval, 2*time.Second)
}

func TestBuildContainerSpecRestart(t *testing.T) {
	for _, tc := range []struct {
		yaml string
		want container.RestartPolicy
	}{
		{"", container.RestartPolicy{}},
		{"restart: \"no\"", container.RestartPolicy{Name: container.RestartPolicyDisabled}},
		{"restart: always", container.RestartPolicy{Name: container.RestartPolicyAlways}},
		{"restart: on-failure", container.RestartPolicy{Name: container.RestartPolicyOnFailure}},
		{"restart: on-failure:3", container.RestartPolicy{Name: container.RestartPolicyOnFailure, MaximumRetryCount: 3}},
		{"restart: unless-stopped", container.RestartPolicy{Name: container.RestartPolicyUnlessStopped}},
		{"deploy: {restart_policy: {condition: any}}", container.RestartPolicy{Name: container.RestartPolicyAlways}},
		{"deploy: {restart_policy: {condition: none}}", container.RestartPolicy{Name: container.RestartPolicyDisabled}},
		{"deploy: {restart_policy: {condition: on-failure, max_attempts: 4}}", container.RestartPolicy{Name: container.RestartPolicyOnFailure, MaximumRetryCount: 4}},
		// deploy.restart_policy wins, as in Compose
		{"restart: always\n    deploy: {restart_policy: {condition: on-failure}}", container.RestartPolicy{Name: container.RestartPolicyOnFailure}},
	} {
		spec := specFor(t, "services:\n  web:\n    image: nginx\n    "+tc.yaml+"\n", "web")
		specEq(t, tc.yaml, spec.Host.RestartPolicy, tc.want)
	}
}

func TestBuildContainerSpecResources(t *testing.T) {
	spec := specFor(t, `
services:
  legacy:
    image: nginx
    mem_limit: 512m
    mem_reservation: 256m
    memswap_limit: 1g
    mem_swappiness: 10
    cpus: 0.1
    cpu_shares: 512
    cpu_quota: 50000
    cpu_period: 100000
    cpu_rt_runtime: 400000
    cpu_rt_period: 1400000
    cpuset: "0,1"
    pids_limit: 100
    blkio_config:
      weight: 300
      device_read_bps:
        - path: /dev/sda
          rate: 12mb
    devices:
      - /dev/fuse
      - /dev/sda:/dev/xvda:r
      - vendor.com/gpu=all
    device_cgroup_rules: ["c 1:3 mr"]
    ulimits:
      nproc: 65535
      nofile:
        soft: 20000
        hard: 40000
`, "legacy")
	r := spec.Host.Resources
	specEq(t, "Memory", r.Memory, int64(512<<20))
	specEq(t, "MemoryReservation", r.MemoryReservation, int64(256<<20))
	specEq(t, "MemorySwap", r.MemorySwap, int64(1<<30))
	specEq(t, "MemorySwappiness", r.MemorySwappiness, specPtr(int64(10)))
	specEq(t, "NanoCPUs", r.NanoCPUs, int64(100_000_000))
	specEq(t, "CPUShares", r.CPUShares, int64(512))
	specEq(t, "CPUQuota", r.CPUQuota, int64(50000))
	specEq(t, "CPUPeriod", r.CPUPeriod, int64(100000))
	specEq(t, "CPURealtimeRuntime", r.CPURealtimeRuntime, int64(400000))
	specEq(t, "CPURealtimePeriod", r.CPURealtimePeriod, int64(1400000))
	specEq(t, "CpusetCpus", r.CpusetCpus, "0,1")
	specEq(t, "PidsLimit", r.PidsLimit, specPtr(int64(100)))
	specEq(t, "BlkioWeight", r.BlkioWeight, uint16(300))
	specEq(t, "BlkioDeviceReadBps", len(r.BlkioDeviceReadBps) == 1 && r.BlkioDeviceReadBps[0].Path == "/dev/sda" && r.BlkioDeviceReadBps[0].Rate == 12<<20, true)
	specEq(t, "Devices", r.Devices, []container.DeviceMapping{
		{PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm"},
		{PathOnHost: "/dev/sda", PathInContainer: "/dev/xvda", CgroupPermissions: "r"},
	})
	specEq(t, "DeviceRequests", r.DeviceRequests, []container.DeviceRequest{{Driver: "cdi", DeviceIDs: []string{"vendor.com/gpu=all"}}})
	specEq(t, "DeviceCgroupRules", r.DeviceCgroupRules, []string{"c 1:3 mr"})
	specEq(t, "Ulimits", r.Ulimits, []*container.Ulimit{
		{Name: "nofile", Soft: 20000, Hard: 40000},
		{Name: "nproc", Soft: 65535, Hard: 65535},
	})

	p, _ := loadSpecProject(t, `
services:
  deployed:
    image: nginx
    deploy:
      resources:
        limits:
          cpus: "1.5"
          memory: 1g
          pids: 50
        reservations:
          memory: 128m
`, nil)
	r = mustSpec(t, p, "deployed", specMinAPIVersion).Host.Resources
	specEq(t, "NanoCPUs", r.NanoCPUs, int64(1_500_000_000))
	specEq(t, "Memory", r.Memory, int64(1<<30))
	specEq(t, "PidsLimit", r.PidsLimit, specPtr(int64(50)))
	specEq(t, "MemoryReservation", r.MemoryReservation, int64(128<<20))
	specEq(t, "OomKillDisable", r.OomKillDisable, (*bool)(nil))
}

func TestBuildContainerSpecVolumesFrom(t *testing.T) {
	p, _ := loadSpecProject(t, `
services:
  web:
    image: nginx
    volumes_from: [data, "data:ro"]
  data:
    image: busybox
`, nil)
	s := p.Services["web"]
	_, err := buildContainerSpec(p, s, 1, nil)
	specWantErr(t, err, `service "web": volumes_from "data" must be resolved to container:<id>`)

	// as the caller resolves them
	s.VolumesFrom = []string{"container:abc123", "container:abc123:ro", "container:def:rw"}
	spec, err := buildContainerSpec(p, s, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	specEq(t, "VolumesFrom", spec.Host.VolumesFrom, []string{"abc123", "abc123:ro", "def:rw"})
}

func TestBuildContainerSpecSecretsAndConfigs(t *testing.T) {
	p, _ := loadSpecProject(t, `
services:
  web:
    image: nginx
    secrets:
      - db_password
      - source: api_token
        target: token
        uid: "101"
        gid: "102"
        mode: 0400
    configs:
      - nginx_conf
      - source: app_conf
        target: /etc/app/app.conf
        mode: 0640
      - source: rel_conf
        target: etc/rel.conf
secrets:
  db_password:
    file: ./secrets/db.txt
  api_token:
    environment: API_TOKEN
configs:
  nginx_conf:
    file: ./nginx.conf
  app_conf:
    content: |
      debug=false
  rel_conf:
    environment: REL
`, map[string]string{"secrets/db.txt": "hunter2\n", "nginx.conf": "worker_processes 1;\n"},
		"API_TOKEN=tok-123", "REL=rel")
	files := mustSpec(t, p, "web", specMinAPIVersion).Files
	specEq(t, "Files", files, []injectedFile{
		{Target: "/run/secrets/db_password", Content: []byte("hunter2\n"), Mode: 0o444},
		{Target: "/run/secrets/token", Content: []byte("tok-123"), Mode: 0o400, UID: "101", GID: "102"},
		{Target: "/nginx_conf", Content: []byte("worker_processes 1;\n"), Mode: 0o444},
		{Target: "/etc/app/app.conf", Content: []byte("debug=false\n"), Mode: 0o640},
		{Target: "/etc/rel.conf", Content: []byte("rel"), Mode: 0o444},
	})
}

func specWantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want one containing %q", err, want)
	}
}

func TestBuildContainerSpecRejects(t *testing.T) {
	for _, tc := range []struct {
		name, service, top, want string
	}{
		{"gpus", "gpus: all", "", `service "web": gpus is not supported by Berth yet`},
		{"credential_spec", "credential_spec: {file: spec.json}", "", "credential_spec is not supported"},
		{"use_api_socket", "use_api_socket: true", "", "use_api_socket is not supported"},
		{"placement", "deploy: {placement: {constraints: [node.role==manager]}}", "", "deploy.placement is not supported"},
		{"deploy.labels", "deploy: {labels: {a: b}}", "", "deploy.labels is not supported"},
		{"deploy.mode", "deploy: {mode: global}", "", "deploy.mode global is not supported"},
		{"update_config", "deploy: {update_config: {parallelism: 2}}", "", "deploy.update_config is not supported"},
		{"restart delay", "deploy: {restart_policy: {condition: any, delay: 5s}}", "", "deploy.restart_policy.delay is not supported"},
		{"reservations.cpus", "deploy: {resources: {reservations: {cpus: '0.5'}}}", "", "deploy.resources.reservations.cpus is not supported"},
		{"reservations.devices", "deploy: {resources: {reservations: {devices: [{capabilities: [gpu]}]}}}", "", "deploy.resources.reservations.devices is not supported"},
		{"annotations", "annotations: {a: b}", "", "annotations needs Docker Engine API 1.43 or later"},
		{"interface_name", "networks: {default: {interface_name: eth7}}", "", "networks.default.interface_name is not supported"},
		{"gw_priority", "networks: {default: {gw_priority: 5}}", "", "networks.default.gw_priority needs Docker Engine API 1.48"},
		{"network_mode service", "network_mode: service:db", "", `network_mode "service:db" must be resolved`},
		{"pid service", "pid: service:db", "", `pid "service:db" must be resolved`},
		{"cluster volume", "volumes: [{type: cluster, source: c, target: /c}]", "volumes: {c: {}}", "type cluster (swarm CSI volumes) is not supported"},
		{"image volume", "volumes: [{type: image, source: alpine, target: /img}]", "", "type image needs Docker Engine API 1.48"},
		{"recursive readonly", "volumes: [{type: bind, source: ., target: /r, bind: {recursive: readonly}}]", "", "bind.recursive readonly needs Docker Engine API 1.44"},
		{"selinux without creation", "volumes: [{type: bind, source: ., target: /r, bind: {selinux: z, create_host_path: false}}]", "", `bind.selinux "z" cannot be combined`},
		{"bind options on a volume", "volumes: [\"data:/d:z\"]", "volumes: {data: {}}", "bind options do not apply to a mount of type volume"},
		{"mac on a second network", "networks: {a: {}, b: {mac_address: 02:42:ac:11:00:09}}", "networks: {a: {}, b: {}}", "networks.b.mac_address (on a network other than the first) needs Docker Engine API 1.44"},
		{"external secret", "secrets: [s]", "secrets: {s: {external: true}}", `secret "s" is external: external secrets are not supported without swarm`},
		{"external config", "configs: [c]", "configs: {c: {external: true}}", `config "c" is external: external configs are not supported without swarm`},
		{"missing secret env", "secrets: [s]", "secrets: {s: {environment: NOPE}}", "environment variable NOPE is not set"},
		{"named uid", "secrets: [{source: s, uid: www-data}]", "secrets: {s: {environment: HOME}}", `secret "s": uid "www-data" must be a number`},
		{"missing secret file", "secrets: [s]", "secrets: {s: {file: ./nope.txt}}", `secret "s": open`},
		{"bad restart", "restart: sometimes", "", `restart "sometimes"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			yaml := "services:\n  web:\n    image: nginx\n    " + tc.service + "\n  db:\n    image: postgres\n" + tc.top + "\n"
			p, _ := loadSpecProject(t, yaml, nil, "HOME=/root")
			spec, err := buildContainerSpec(p, p.Services["web"], 1, nil)
			if err == nil {
				t.Fatalf("no error; spec %+v", spec)
			}
			specWantErr(t, err, tc.want)
			if !strings.HasPrefix(err.Error(), `service "web": `) {
				t.Errorf("error %q does not name the service", err)
			}
		})
	}
}

// TestServiceConfigFieldsAreAllAccountedFor fails when compose-go grows a
// service field that this file has not decided about: map it, refuse it in
// checkUnsupported, or say why it is irrelevant to creating a container.
func TestServiceConfigFieldsAreAllAccountedFor(t *testing.T) {
	const (
		mapped     = "mapped"
		rejected   = "rejected" // checkUnsupported or an API version check
		irrelevant = "irrelevant"
	)
	disposition := map[string]string{
		"Name": irrelevant, "Profiles": irrelevant, "Annotations": mapped, "Attach": irrelevant,
		"Build": irrelevant, "Develop": irrelevant, "BlkioConfig": mapped, "CapAdd": mapped,
		"CapDrop": mapped, "CgroupParent": mapped, "Cgroup": mapped, "CPUCount": mapped,
		"CPUPercent": mapped, "CPUPeriod": mapped, "CPUQuota": mapped, "CPURTPeriod": mapped,
		"CPURTRuntime": mapped, "CPUS": mapped, "CPUSet": mapped, "CPUShares": mapped,
		"Command": mapped, "Configs": mapped, "ContainerName": irrelevant, "CredentialSpec": rejected,
		"DependsOn": irrelevant, "Deploy": mapped, "DeviceCgroupRules": mapped, "Devices": mapped,
		"DNS": mapped, "DNSOpts": mapped, "DNSSearch": mapped, "Dockerfile": rejected,
		"DomainName": mapped, "Entrypoint": mapped, "Provider": rejected, "Environment": mapped,
		"EnvFiles": irrelevant, "Expose": mapped, "Extends": irrelevant, "ExternalLinks": mapped,
		"ExtraHosts": mapped, "GroupAdd": mapped, "Gpus": rejected, "Hostname": mapped,
		"HealthCheck": mapped, "Image": mapped, "Init": mapped, "Ipc": mapped, "Isolation": mapped,
		"Labels": mapped, "LabelFiles": irrelevant, "CustomLabels": mapped, "Links": mapped,
		"Logging": mapped, "LogDriver": rejected, "LogOpt": rejected, "MemLimit": mapped,
		"MemReservation": mapped, "MemSwapLimit": mapped, "MemSwappiness": mapped,
		"MacAddress": mapped, "Models": rejected, "Net": rejected, "NetworkMode": mapped,
		"Networks": mapped, "OomKillDisable": mapped, "OomScoreAdj": mapped, "Pid": mapped,
		"PidsLimit": mapped, "Platform": mapped, "Ports": mapped, "Privileged": mapped,
		"PullPolicy": irrelevant, "ReadOnly": mapped, "Restart": mapped, "Runtime": mapped,
		"Scale": irrelevant, "Secrets": mapped, "SecurityOpt": mapped, "ShmSize": mapped,
		"StdinOpen": mapped, "StopGracePeriod": mapped, "StopSignal": mapped, "StorageOpt": mapped,
		"Sysctls": mapped, "Tmpfs": mapped, "Tty": mapped, "Ulimits": mapped,
		"UseAPISocket": rejected, "User": mapped, "UserNSMode": mapped, "Uts": mapped,
		"VolumeDriver": mapped, "Volumes": mapped, "VolumesFrom": mapped, "WorkingDir": mapped,
		"PreStart": irrelevant, "PostStart": irrelevant, "PreStop": irrelevant, "Extensions": irrelevant,
	}
	var fields []string
	st := reflect.TypeFor[types.ServiceConfig]()
	for i := range st.NumField() {
		f := st.Field(i).Name
		fields = append(fields, f)
		if _, ok := disposition[f]; !ok {
			t.Errorf("types.ServiceConfig.%s is new: decide whether buildContainerSpec maps it, rejects it or ignores it", f)
		}
	}
	for f := range disposition {
		if !slices.Contains(fields, f) {
			t.Errorf("types.ServiceConfig.%s no longer exists: drop it from the list", f)
		}
	}
}

func legacyMAC(c *container.Config) string {
	//lint:ignore SA1019 engines before API 1.44 only take the container-wide MAC address
	return c.MacAddress
}
