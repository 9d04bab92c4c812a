package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection holds Berth's layering: cmd → watch → engine →
// planner → project, and only the Docker backend (engine/docker) talks to
// Docker: the orchestration API in engine reaches it through its Backend
// interface.
func TestImportDirection(t *testing.T) {
	const mod = "github.com/berth-dev/berth/"
	rules := []struct {
		pkg       string
		forbidden []string
	}{
		{"project", []string{mod + "planner", mod + "engine", mod + "watch", mod + "cmd", "github.com/docker/docker"}},
		{"planner", []string{mod + "engine", mod + "watch", mod + "cmd", "github.com/docker/docker"}},
		{"engine", []string{mod + "watch", mod + "cmd", mod + "engine/docker", "github.com/docker/docker"}},
		{"engine/docker", []string{mod + "watch", mod + "cmd"}},
		{"watch", []string{mod + "cmd", "github.com/docker/docker"}},
	}
	for _, r := range rules {
		t.Run(r.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", mod+r.pkg).CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, f := range r.forbidden {
					if dep == f || strings.HasPrefix(dep, f+"/") {
						t.Errorf("%s imports %s", r.pkg, dep)
					}
				}
			}
		})
	}
}
