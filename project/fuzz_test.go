package project_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/project"
)

// brokenSeeds are inputs that exercise the error paths: odd YAML, odd tags,
// odd types where compose-go expects mappings.
var brokenSeeds = []string{
	"",
	"\x00",
	"\xEF\xBB\xBF",
	"---\n---\n",
	"services:\n  web:\n    image: nginx\n---\nservices:\n  db:\n    image: x\n",
	"{{{{",
	"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	"a: &a [*a]\n",
	"x-a: &a\n  b: *a\nservices: {}\n",
	"services: !reset\n",
	"services:\n  web: !override\n",
	"services:\n  web: !reset null\n",
	"services:\n  web:\n    image: !reset\n",
	"services:\n  web:\n    <<: [*x]\n",
	"services:\n  web:\n    <<: 1\n    image: x\n",
	"services:\n  web:\n    image: x\n    ports: [\"-1\"]\n",
	"services:\n  web:\n    image: x\n    ports: [\"1-2:3-4/udp\"]\n",
	"services:\n  web:\n    image: x\n    ports: [\"0.0.0.0::\"]\n",
	"services:\n  web:\n    image: x\n    volumes: [\"::\"]\n",
	"services:\n  web:\n    image: x\n    volumes: [\"\"]\n",
	"services:\n  web:\n    image: x\n    volumes_from: [\"\"]\n",
	"services:\n  web:\n    image: x\n    links: [\":\"]\n",
	"services:\n  web:\n    image: x\n    network_mode: \"service:\"\n",
	"services:\n  web:\n    image: x\n    depends_on: {\"\": {condition: service_started}}\n",
	"services:\n  web:\n    image: x\n    extends: web\n",
	"services:\n  web:\n    extends: {service: web, file: compose.yaml}\n",
	"include: [compose.yaml]\nservices: {}\n",
	"include: [{path: []}]\n",
	"services:\n  web:\n    image: ${\n",
	"services:\n  web:\n    image: ${A:?}${B:-${C:-${D}}}\n",
	"services:\n  web:\n    image: $$$${}\n",
	"name: ${X:-}\nservices:\n  web:\n    image: x\n",
	"services:\n  web:\n    image: x\n    environment: [\"=x\"]\n",
	"services:\n  web:\n    image: x\n    env_file: [{path: \"\", format: raw}]\n",
	"services:\n  web:\n    image: x\n    healthcheck: {test: []}\n",
	"services:\n  web:\n    image: x\n    deploy: {replicas: -1}\n",
	"services:\n  web:\n    image: x\n    scale: 99999999999999999999\n",
	"services:\n  web:\n    build: {context: ., additional_contexts: {a: \"service:web\"}}\n",
	"services:\n  a:\n    image: x\n    container_name: c1\n  b:\n    image: x\n    container_name: c1\n",
	"services:\n  web:\n    image: x\n    profiles: [\"*\"]\n",
	"networks:\n  default: null\nservices:\n  web:\n    image: x\n",
	"volumes:\n  v:\n    external: true\n    driver: local\nservices: {}\n",
	"services:\n  1:\n    image: x\n",
	"? [a]\n: b\n",
}

func FuzzLoad(f *testing.F) {
	if example, err := os.ReadFile(filepath.Join("..", "examples", "microservices", "compose.yaml")); err == nil {
		f.Add(string(example))
	} else {
		f.Fatalf("reading the example: %v", err)
	}
	for _, tc := range orderCases {
		f.Add(tc.yaml)
	}
	for _, tc := range graphErrorCases {
		f.Add(tc.yaml)
	}
	for _, tc := range errorCases {
		if y, ok := tc.files["compose.yaml"]; ok {
			f.Add(y)
		}
	}
	for _, y := range []string{edgesYAML, implicitYAML, subsetYAML, profilesYAML, envFileYAML, hashYAML} {
		f.Add(y)
	}
	for _, y := range brokenSeeds {
		f.Add(y)
	}

	f.Fuzz(func(t *testing.T, data string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		type result struct {
			p   *project.Project
			err error
		}
		done := make(chan result, 1)
		go func() {
			p, err := project.Load(context.Background(), project.Options{
				ProjectName: "fuzz",
				WorkDir:     dir,
				Environ:     []string{},
			})
			done <- result{p, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("Load did not return in 30s on %q", data)
		}
		p, err := r.p, r.err
		if err != nil {
			if err.Error() == "" {
				t.Error("empty error message")
			}
			if strings.Contains(err.Error(), "compose loader failed") {
				// Load recovered a panic in compose-go: acceptable for the
				// user (no stack trace), but worth knowing about
				t.Logf("recovered: %v", err)
			}
			return
		}
		// a loaded project has a graph of exactly its services, in an
		// order that lists every service once
		g := p.Graph
		if p.Name() != "fuzz" || g == nil {
			t.Fatalf("name %q, graph %v", p.Name(), g)
		}
		services := g.Services()
		if len(services) != len(p.Compose.Services) {
			t.Fatalf("graph has %d services, model %d", len(services), len(p.Compose.Services))
		}
		order := g.Order()
		if !slices.Equal(slices.Sorted(slices.Values(order)), services) {
			t.Fatalf("Order() = %v does not list the services %v once each", order, services)
		}
		for _, s := range services {
			for _, e := range g.Deps(s) {
				if slices.Index(order, e.To) > slices.Index(order, s) {
					t.Fatalf("%s comes before its dependency %s in %v", s, e.To, order)
				}
			}
			if _, err := project.ServiceHash(p.Compose.Services[s]); err != nil {
				t.Fatalf("ServiceHash(%s): %v", s, err)
			}
		}
	})
}
