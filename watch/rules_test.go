package watch

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/berth-dev/berth/project"
)

// load writes compose and the directories named in dirs into a temporary
// project directory and loads it as project "shop".
func load(t *testing.T, compose string, dirs ...string) (*project.Project, string) {
	t.Helper()
	dir := t.TempDir()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(context.Background(), project.Options{WorkDir: dir, ProjectName: "shop", Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	return p, dir
}

func TestRules(t *testing.T) {
	const compose = `
services:
  web:
    build: ./web
    develop:
      watch:
        - {path: ./web/static, action: sync, target: /srv/static, ignore: ["*.tmp"], initial_sync: true}
        - {path: ./web, action: rebuild}
  api:
    image: api:1
    develop:
      watch:
        - {path: ./api, action: sync+restart, target: /app}
        - {path: ./api/conf, action: sync+exec, target: /etc/api, exec: {command: [kill, -HUP, "1"]}}
  db:
    image: db:1
`
	tests := []struct {
		name     string
		compose  string
		dirs     []string
		services []string
		want     []string // "service index action relpath target"
		warnings []string
		wantErr  string
	}{
		{name: "every service with rules, in name order", compose: compose, dirs: []string{"web/static", "api/conf"},
			want: []string{"api 1 sync+restart api /app", "api 2 sync+exec api/conf /etc/api", "web 1 sync web/static /srv/static", "web 2 rebuild web "}},
		{name: "named services only", compose: compose, dirs: []string{"web/static", "api/conf"}, services: []string{"web"},
			want: []string{"web 1 sync web/static /srv/static", "web 2 rebuild web "}},
		{name: "a named service without rules", compose: compose, dirs: []string{"web/static", "api/conf"}, services: []string{"db"},
			wantErr: `service "db" has no develop.watch rules: add some under services.db.develop.watch`},
		{name: "an unknown service", compose: compose, services: []string{"nope"}, wantErr: `no such service: "nope"`},
		{name: "no rules anywhere", compose: "services:\n  db: {image: db:1}\n", wantErr: "no service has develop.watch rules"},
		{name: "rebuild without build", compose: "services:\n  api:\n    image: api:1\n    develop:\n      watch: [{path: ., action: rebuild}]\n",
			wantErr: `service "api": develop.watch rule 1 (rebuild `},
		{name: "sync+exec without a command", compose: "services:\n  api:\n    image: api:1\n    develop:\n      watch: [{path: ., action: sync+exec, target: /app}]\n",
			wantErr: "sync+exec needs exec.command"},
		{name: "a path that does not exist yet is a warning", compose: compose, dirs: []string{"api/conf"}, services: []string{"web"},
			want:     []string{"web 1 sync web/static /srv/static", "web 2 rebuild web "},
			warnings: []string{`service "web": develop.watch rule 1 (sync `, "does not exist yet"}},
		{name: "a sync of a bind-mounted path is skipped", compose: "services:\n  api:\n    image: api:1\n    volumes: [./src:/app]\n    develop:\n      watch:\n        - {path: ./src/lib, action: sync, target: /app/lib}\n        - {path: ./src, action: restart, target: /app}\n",
			dirs: []string{"src/lib"}, want: []string{"api 2 restart src /app"}, warnings: []string{"skipped: the service already bind-mounts", "at /app/lib"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, dir := load(t, tt.compose, tt.dirs...)
			rules, warnings, err := Rules(p, tt.services)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rules {
				rel, _ := filepath.Rel(dir, r.Path)
				got = append(got, strings.Join([]string{r.Service, strconv.Itoa(r.Index), string(r.Action), rel, r.Target}, " "))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			all := strings.Join(warnings, "\n")
			for _, w := range tt.warnings {
				if !strings.Contains(all, w) {
					t.Errorf("warnings %q lack %q", warnings, w)
				}
			}
			if len(tt.warnings) == 0 && len(warnings) > 0 {
				t.Errorf("unexpected warnings %q", warnings)
			}
		})
	}
}

// TestRuleDetails: the fields a loop needs come through.
func TestRuleDetails(t *testing.T) {
	p, _ := load(t, "services:\n  api:\n    image: api:1\n    develop:\n      watch:\n        - {path: ., action: sync+exec, target: /app, include: ['*.go'], ignore: [vendor/], initial_sync: true, exec: {command: [make, reload], user: app, working_dir: /app}}\n")
	rules, _, err := Rules(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rules[0]
	if !r.Syncs() || !r.InitialSync || r.Exec.User != "app" || r.Exec.WorkingDir != "/app" || strings.Join(r.Exec.Command, " ") != "make reload" ||
		strings.Join(r.Include, ",") != "*.go" || strings.Join(r.Ignore, ",") != "vendor/" {
		t.Errorf("rule %+v", r)
	}
}
