package project_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
)

func ptr[T any](v T) *T { return &v }

// hashed is what the config hash is computed over: the service with the
// fields Compose leaves out cleared (written out here independently of
// ServiceHash).
func hashed(s types.ServiceConfig) types.ServiceConfig {
	s.Build = nil
	s.PullPolicy = ""
	s.Scale = nil
	if s.Deploy != nil {
		d := *s.Deploy
		d.Replicas = nil
		s.Deploy = &d
	}
	s.DependsOn = nil
	s.Profiles = nil
	return s
}

// loadedService loads yaml and returns service name from it.
func loadedService(yaml, name string) func(t *testing.T) types.ServiceConfig {
	return func(t *testing.T) types.ServiceConfig {
		t.Helper()
		p := mustLoadYAML(t, yaml)
		s, ok := p.Compose.Services[name]
		if !ok {
			t.Fatalf("no service %s", name)
		}
		return s
	}
}

const hashYAML = `
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: secret
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "postgres"]
      interval: 5s
      retries: 5
    volumes:
      - data:/var/lib/postgresql/data
    depends_on: [cache]
  cache:
    image: redis:7
    ports: ["6379"]
volumes:
  data: {}
`

// TestServiceHashPinned pins the hash of a few services. The JSON is what
// compose-go v2.14's types encode to and the hashes were computed from it
// with `printf '%s' "$json" | sha256sum`, so a change in either the
// encoding or the algorithm shows here: a different hash would make every
// container created by Compose (or an older Berth) look out of date.
func TestServiceHashPinned(t *testing.T) {
	tests := []struct {
		name    string
		service func(t *testing.T) types.ServiceConfig
		json    string
		hash    string
	}{
		{
			name: "image only",
			service: func(*testing.T) types.ServiceConfig {
				return types.ServiceConfig{Name: "web", Image: "nginx:1.27"}
			},
			json: `{"command":null,"entrypoint":null,"image":"nginx:1.27"}`,
			hash: "93c80b68fc2c756ab5f8db392c2518329819598d86b8e5c6bdde0d693939d409",
		},
		{
			name: "cleared fields left out, the rest kept",
			service: func(*testing.T) types.ServiceConfig {
				return types.ServiceConfig{
					Name:       "api",
					Image:      "example/api:2.1",
					Build:      &types.BuildConfig{Context: "/src/api"},
					PullPolicy: types.PullPolicyAlways,
					Scale:      ptr(3),
					Deploy: &types.DeployConfig{
						Replicas:  ptr(2),
						Resources: types.Resources{Limits: &types.Resource{MemoryBytes: 268435456}},
					},
					DependsOn:   types.DependsOnConfig{"db": {Condition: types.ServiceConditionHealthy, Required: true}},
					Profiles:    []string{"backend"},
					Command:     types.ShellCommand{"serve", "--port", "8080"},
					Environment: types.MappingWithEquals{"LOG_LEVEL": ptr("info"), "EMPTY": nil},
					Ports:       []types.ServicePortConfig{{Mode: "ingress", Target: 8080, Published: "80", Protocol: "tcp"}},
					Labels:      types.Labels{"tier": "back"},
					Restart:     types.RestartPolicyUnlessStopped,
				}
			},
			json: `{"command":["serve","--port","8080"],"deploy":{"resources":{"limits":{"memory":"268435456"}},"placement":{}},` +
				`"entrypoint":null,"environment":{"EMPTY":null,"LOG_LEVEL":"info"},"image":"example/api:2.1",` +
				`"labels":{"tier":"back"},"ports":[{"mode":"ingress","target":8080,"published":"80","protocol":"tcp"}],` +
				`"restart":"unless-stopped"}`,
			hash: "af51976205b8714217d56386db2123c2010200812ddd19715648eb9249fbe351",
		},
		{
			// deploy with only replicas still leaves a deploy key: the
			// hash differs from the same service without deploy
			name: "deploy with only replicas",
			service: func(*testing.T) types.ServiceConfig {
				return types.ServiceConfig{Name: "only", Image: "x", Deploy: &types.DeployConfig{Replicas: ptr(2)}}
			},
			json: `{"command":null,"deploy":{"resources":{},"placement":{}},"entrypoint":null,"image":"x"}`,
			hash: "ed8778716adb3a56d65a5b69fe4d43562f7459db8c220ba8ffdfa34ecf63be32",
		},
		{
			name:    "loaded: healthcheck, volume, default network",
			service: loadedService(hashYAML, "db"),
			json: `{"command":null,"entrypoint":null,"environment":{"POSTGRES_PASSWORD":"secret"},` +
				`"healthcheck":{"test":["CMD","pg_isready","-U","postgres"],"interval":"5s","retries":5},` +
				`"image":"postgres:16","networks":{"default":null},` +
				`"volumes":[{"type":"volume","source":"data","target":"/var/lib/postgresql/data","volume":{}}]}`,
			hash: "8f3fdb5393f6cd5d9f7d162e7e56a683d9d779c62a5c2d297d6355589cc7dcec",
		},
		{
			name:    "loaded: short port syntax",
			service: loadedService(hashYAML, "cache"),
			json:    `{"command":null,"entrypoint":null,"image":"redis:7","networks":{"default":null},"ports":[{"mode":"ingress","target":6379,"protocol":"tcp"}]}`,
			hash:    "c0183d59549fbd49da893e41dcbbf785d05786ac4c189b5299ba3f27b5555ede",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.service(t)
			data, err := json.Marshal(hashed(s))
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != tc.json {
				t.Errorf("JSON encoding\n  %s\nwant\n  %s", data, tc.json)
			}
			// the pinned pair is consistent (guards against a typo in the table)
			if sum := sha256.Sum256([]byte(tc.json)); hex.EncodeToString(sum[:]) != tc.hash {
				t.Fatalf("the table's hash is not the sha256 of its JSON")
			}
			got, err := project.ServiceHash(s)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.hash {
				t.Errorf("ServiceHash = %s, want %s", got, tc.hash)
			}
		})
	}
}

func TestServiceHashChanges(t *testing.T) {
	base := func() types.ServiceConfig {
		return types.ServiceConfig{
			Name:        "web",
			Image:       "nginx:1.27",
			Command:     types.ShellCommand{"nginx", "-g", "daemon off;"},
			Environment: types.MappingWithEquals{"LEVEL": ptr("info")},
			Ports:       []types.ServicePortConfig{{Mode: "ingress", Target: 80, Published: "8080", Protocol: "tcp"}},
			Labels:      types.Labels{"tier": "front"},
			HealthCheck: &types.HealthCheckConfig{Test: types.HealthCheckTest{"CMD", "true"}, Retries: ptr(uint64(3))},
			Volumes:     []types.ServiceVolumeConfig{{Type: types.VolumeTypeVolume, Source: "data", Target: "/data"}},
			Networks:    map[string]*types.ServiceNetworkConfig{"default": nil},
			Restart:     types.RestartPolicyAlways,
			Deploy:      &types.DeployConfig{Replicas: ptr(1)},
			Build:       &types.BuildConfig{Context: "/src/web"},
			PullPolicy:  types.PullPolicyMissing,
			Scale:       ptr(1),
			DependsOn:   types.DependsOnConfig{"db": {Condition: types.ServiceConditionStarted, Required: true}},
			Profiles:    []string{"web"},
		}
	}
	baseHash, err := project.ServiceHash(base())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		mutate  func(*types.ServiceConfig)
		changes bool
	}{
		{"image", func(s *types.ServiceConfig) { s.Image = "nginx:1.28" }, true},
		{"command", func(s *types.ServiceConfig) { s.Command = types.ShellCommand{"nginx"} }, true},
		{"command cleared", func(s *types.ServiceConfig) { s.Command = types.ShellCommand{} }, true},
		{"entrypoint", func(s *types.ServiceConfig) { s.Entrypoint = types.ShellCommand{"/init"} }, true},
		{"environment value", func(s *types.ServiceConfig) { s.Environment["LEVEL"] = ptr("debug") }, true},
		{"environment added", func(s *types.ServiceConfig) { s.Environment["NEW"] = ptr("1") }, true},
		{"ports", func(s *types.ServiceConfig) { s.Ports[0].Published = "8081" }, true},
		{"labels", func(s *types.ServiceConfig) { s.Labels["tier"] = "back" }, true},
		{"healthcheck", func(s *types.ServiceConfig) { s.HealthCheck.Retries = ptr(uint64(4)) }, true},
		{"volumes", func(s *types.ServiceConfig) { s.Volumes[0].Target = "/var/data" }, true},
		{"networks", func(s *types.ServiceConfig) { s.Networks = map[string]*types.ServiceNetworkConfig{"back": nil} }, true},
		{"restart", func(s *types.ServiceConfig) { s.Restart = types.RestartPolicyNo }, true},
		{"user", func(s *types.ServiceConfig) { s.User = "1000" }, true},
		{"working_dir", func(s *types.ServiceConfig) { s.WorkingDir = "/app" }, true},
		{"network_mode", func(s *types.ServiceConfig) { s.NetworkMode = "container:abc" }, true},
		{"container_name", func(s *types.ServiceConfig) { s.ContainerName = "web" }, true},
		{"deploy resources", func(s *types.ServiceConfig) {
			s.Deploy.Resources.Limits = &types.Resource{NanoCPUs: 0.5}
		}, true},
		{"deploy removed", func(s *types.ServiceConfig) { s.Deploy = nil }, true},
		{"platform", func(s *types.ServiceConfig) { s.Platform = "linux/arm64" }, true},

		{"build", func(s *types.ServiceConfig) { s.Build = &types.BuildConfig{Context: "/elsewhere", Dockerfile: "Other"} }, false},
		{"build removed", func(s *types.ServiceConfig) { s.Build = nil }, false},
		{"pull_policy", func(s *types.ServiceConfig) { s.PullPolicy = types.PullPolicyAlways }, false},
		{"scale", func(s *types.ServiceConfig) { s.Scale = ptr(5) }, false},
		{"deploy.replicas", func(s *types.ServiceConfig) { s.Deploy.Replicas = ptr(7) }, false},
		{"depends_on", func(s *types.ServiceConfig) {
			s.DependsOn = types.DependsOnConfig{"cache": {Condition: types.ServiceConditionHealthy}}
		}, false},
		{"profiles", func(s *types.ServiceConfig) { s.Profiles = []string{"other", "more"} }, false},
		// not encoded at all (json:"-")
		{"name", func(s *types.ServiceConfig) { s.Name = "renamed" }, false},
		{"custom labels", func(s *types.ServiceConfig) { s.CustomLabels = types.Labels{"com.docker.compose.project": "x"} }, false},
		{"x- extension", func(s *types.ServiceConfig) { s.Extensions = types.Extensions{"x-team": "a"} }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := base()
			tc.mutate(&s)
			got, err := project.ServiceHash(s)
			if err != nil {
				t.Fatal(err)
			}
			if changed := got != baseHash; changed != tc.changes {
				t.Errorf("changing %s: hash changed = %v, want %v", tc.name, changed, tc.changes)
			}
		})
	}
}

func TestServiceHashLeavesServiceAlone(t *testing.T) {
	s := types.ServiceConfig{
		Name:       "web",
		Image:      "nginx",
		Build:      &types.BuildConfig{Context: "/src"},
		PullPolicy: types.PullPolicyBuild,
		Scale:      ptr(2),
		Deploy:     &types.DeployConfig{Replicas: ptr(3), Mode: "replicated"},
		DependsOn:  types.DependsOnConfig{"db": {Condition: types.ServiceConditionHealthy, Required: true}},
		Profiles:   []string{"p"},
	}
	deploy := s.Deploy
	first, err := project.ServiceHash(s)
	if err != nil {
		t.Fatal(err)
	}
	if s.Deploy != deploy || s.Deploy.Replicas == nil || *s.Deploy.Replicas != 3 || s.Deploy.Mode != "replicated" {
		t.Errorf("ServiceHash changed the caller's deploy: %+v", s.Deploy)
	}
	if s.Build == nil || s.PullPolicy != types.PullPolicyBuild || *s.Scale != 2 || len(s.DependsOn) != 1 || len(s.Profiles) != 1 {
		t.Errorf("ServiceHash changed the caller's service: %+v", s)
	}
	// and hashing again gives the same value
	second, err := project.ServiceHash(s)
	if err != nil || second != first {
		t.Errorf("second ServiceHash = %s, %v; want %s", second, err, first)
	}
	if len(first) != 64 || strings.Trim(first, "0123456789abcdef") != "" {
		t.Errorf("hash %q is not 64 lower-case hex digits", first)
	}
}

func TestServiceHashSameAcrossLoads(t *testing.T) {
	// maps in the model (environment, labels, networks) must not make the
	// hash depend on iteration order
	const yaml = `
services:
  web:
    image: nginx
    environment: {A: "1", B: "2", C: "3", D: "4", E: "5"}
    labels: {a: "1", b: "2", c: "3", d: "4"}
    networks: [n1, n2, n3]
networks: {n1: {}, n2: {}, n3: {}}
`
	want := ""
	for range 5 {
		h, err := project.ServiceHash(mustLoadYAML(t, yaml).Compose.Services["web"])
		if err != nil {
			t.Fatal(err)
		}
		if want == "" {
			want = h
		} else if h != want {
			t.Fatalf("hash %s differs from the first load's %s", h, want)
		}
	}
}

func TestApplyDefaultPlatform(t *testing.T) {
	build := func(platforms ...string) *types.BuildConfig {
		return &types.BuildConfig{Context: "/src", Platforms: platforms}
	}
	tests := []struct {
		name     string
		env      string
		services types.Services
		want     map[string]string // service -> platform after
		wantErr  string
	}{
		{
			name: "no DOCKER_DEFAULT_PLATFORM",
			services: types.Services{
				"built": {Name: "built", Build: build()},
				"own":   {Name: "own", Build: build(), Platform: "linux/arm64"},
			},
			want: map[string]string{"built": "", "own": "linux/arm64"},
		},
		{
			name: "built services without a platform get it",
			env:  "linux/arm64",
			services: types.Services{
				"built":  {Name: "built", Build: build()},
				"pulled": {Name: "pulled", Image: "nginx"},
				"own":    {Name: "own", Build: build(), Platform: "linux/amd64"},
			},
			want: map[string]string{"built": "linux/arm64", "pulled": "", "own": "linux/amd64"},
		},
		{
			name:     "build.platforms includes it",
			env:      "linux/arm64",
			services: types.Services{"built": {Name: "built", Build: build("linux/amd64", "linux/arm64")}},
			want:     map[string]string{"built": "linux/arm64"},
		},
		{
			name:     "build.platforms excludes it",
			env:      "linux/arm64",
			services: types.Services{"built": {Name: "built", Build: build("linux/amd64")}},
			wantErr:  `service "built": build.platforms does not include linux/arm64, the platform DOCKER_DEFAULT_PLATFORM sets`,
		},
		{
			name:     "service platform outside build.platforms",
			services: types.Services{"built": {Name: "built", Build: build("linux/amd64"), Platform: "linux/s390x"}},
			wantErr:  `service "built": build.platforms does not include its platform linux/s390x`,
		},
		{
			name:     "image-only service with a platform is not checked",
			env:      "linux/arm64",
			services: types.Services{"pulled": {Name: "pulled", Image: "nginx", Platform: "linux/amd64"}},
			want:     map[string]string{"pulled": "linux/amd64"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &types.Project{Name: testProject, Services: tc.services, Environment: types.Mapping{}}
			if tc.env != "" {
				p.Environment["DOCKER_DEFAULT_PLATFORM"] = tc.env
			}
			err := project.ApplyDefaultPlatform(p)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Errorf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for s, want := range tc.want {
				if got := p.Services[s].Platform; got != want {
					t.Errorf("%s platform = %q, want %q", s, got, want)
				}
			}
		})
	}
}

func TestApplyDefaultPlatformFromEnviron(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": "services:\n  app:\n    build: .\n  db:\n    image: postgres\n"})
	environ := []string{"DOCKER_DEFAULT_PLATFORM=linux/arm64"}
	// Load applies it, as Compose's up does
	p := mustLoadDir(t, dir, project.Options{ProjectName: testProject, Environ: environ})
	if got := p.Compose.Services["app"].Platform; got != "linux/arm64" {
		t.Errorf("app platform = %q", got)
	}
	if got := p.Compose.Services["db"].Platform; got != "" {
		t.Errorf("db platform = %q", got)
	}
	after, err := project.ServiceHash(p.Compose.Services["app"])
	if err != nil {
		t.Fatal(err)
	}
	// ... unless told not to, as for what `config` prints
	p = mustLoadDir(t, dir, project.Options{ProjectName: testProject, Environ: environ, NoDefaultPlatform: true})
	if got := p.Compose.Services["app"].Platform; got != "" {
		t.Errorf("app platform with NoDefaultPlatform = %q", got)
	}
	before, err := project.ServiceHash(p.Compose.Services["app"])
	if err != nil {
		t.Fatal(err)
	}
	// the platform is part of the hash, which is why it is applied first
	if before == after {
		t.Error("the platform did not change the hash")
	}
}

func TestImageName(t *testing.T) {
	p := &types.Project{Name: "shop", Services: types.Services{
		"web": {Name: "web", Image: "nginx:1.27"},
		"api": {Name: "api", Build: &types.BuildConfig{Context: "."}},
		"job": {Name: "job", Image: "registry.example.com/team/job@sha256:0123", Build: &types.BuildConfig{Context: "."}},
	}}
	tests := []struct{ service, want string }{
		{"web", "nginx:1.27"},
		{"api", "shop-api"},
		{"job", "registry.example.com/team/job@sha256:0123"},
		{"ghost", "shop-ghost"},
	}
	for _, tc := range tests {
		if got := project.ImageName(p, tc.service); got != tc.want {
			t.Errorf("ImageName(%s) = %q, want %q", tc.service, got, tc.want)
		}
	}
}

func TestVolumeAndNetworkHash(t *testing.T) {
	sum := func(v any) string {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(data)
		return hex.EncodeToString(s[:])
	}
	v := types.VolumeConfig{Name: "shop_data"}
	got, err := project.VolumeHash(v)
	if err != nil {
		t.Fatal(err)
	}
	if want := sum(types.VolumeConfig{Name: "shop_data", Driver: "local"}); got != want {
		t.Errorf("VolumeHash = %s, want %s (driver defaulted to local)", got, want)
	}
	if v.Driver != "" {
		t.Error("VolumeHash changed its argument")
	}
	local, _ := project.VolumeHash(types.VolumeConfig{Name: "shop_data", Driver: "local"})
	if local != got {
		t.Error("an empty driver and \"local\" hash differently")
	}
	n := types.NetworkConfig{Name: "shop_default", Internal: true}
	got, err = project.NetworkHash(n)
	if err != nil {
		t.Fatal(err)
	}
	if want := sum(n); got != want {
		t.Errorf("NetworkHash = %s, want %s", got, want)
	}
}

func TestCanonicalJSONIsWhatServiceHashHashes(t *testing.T) {
	s := types.ServiceConfig{Name: "web", Image: "nginx", Scale: ptr(3), Profiles: []string{"x"}}
	data, err := project.CanonicalJSON(s)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := project.ServiceHash(s)
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != h {
		t.Error("ServiceHash is not the SHA-256 of CanonicalJSON")
	}
	if strings.Contains(string(data), "profiles") || strings.Contains(string(data), "scale") {
		t.Errorf("CanonicalJSON kept cleared fields: %s", data)
	}
}
