package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestPsCommand checks ps's flags: status filters, --services, -q, Go
// templates with and without a table header, --no-trunc, --orphans, and
// bad input.
func TestPsCommand(t *testing.T) {
	s := newStack(t)
	s.write(strings.Replace(manageCompose, "services:\n", "services:\n  old:\n    image: IMAGE\n", 1))
	s.ok(nil, "up", "-d")
	s.write(manageCompose) // old is now an orphan
	s.ok(nil, "stop", "web")
	db, web, old := s.container("db", 1), s.container("web", 1), s.container("old", 1)

	lines := func(out string) string { return strings.Join(strings.Fields(out), " ") }
	if out := s.ok(nil, "ps", "--format", "{{.Name}}"); lines(out) != db+" "+old {
		t.Errorf("ps: %q", out)
	}
	if out := s.ok(nil, "ps", "-a", "--format", "{{.Name}}"); lines(out) != db+" "+old+" "+web {
		t.Errorf("ps -a: %q", out)
	}
	if out := s.ok(nil, "ps", "--orphans=false", "--format", "{{.Name}}"); lines(out) != db {
		t.Errorf("ps --orphans=false: %q", out)
	}
	if out := s.ok(nil, "ps", "--status", "exited", "--format", "{{.Name}} {{.State}}"); out != web+" exited\n" {
		t.Errorf("ps --status exited: %q", out)
	}
	if out := s.ok(nil, "ps", "--filter", "status=running", "--services"); out != "db\nold\n" {
		t.Errorf("ps --filter status=running --services: %q", out)
	}
	out := s.ok(nil, "ps", "--format", "table {{.Name}}\t{{.Status}}\t{{.Label \"com.docker.compose.service\"}}", "db")
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if len(rows) != 2 || !regexp.MustCompile(`^NAME\s+STATUS\s*$`).MatchString(rows[0]) ||
		!regexp.MustCompile(`^`+db+`\s+Up .*\s+db$`).MatchString(rows[1]) {
		t.Errorf("ps with a table template:\n%s", out)
	}
	out = s.ok(nil, "ps", "db")
	if !regexp.MustCompile(`^NAME\s+IMAGE\s+COMMAND\s+SERVICE\s+CREATED\s+STATUS\s+PORTS\n` + db + `\s+\S+\s+"/app serve"\s+db\s+.* ago\s+Up `).MatchString(out) {
		t.Errorf("ps db:\n%s", out)
	}
	full := s.inspect(db).ID
	if out := s.ok(nil, "ps", "-q", "db"); out != full+"\n" {
		t.Errorf("ps -q db = %q, want the full ID %s", out, full)
	}
	var row map[string]any
	if err := json.Unmarshal([]byte(s.ok(nil, "ps", "--format", "json", "db")), &row); err != nil {
		t.Fatal(err)
	}
	if row["ID"] != full[:12] || row["Name"] != db || row["Service"] != "db" || row["State"] != "running" ||
		row["LocalVolumes"] != "2" || !strings.Contains(row["Mounts"].(string), "…") || row["Networks"] != s.name+"_default" {
		t.Errorf("ps --format json db: %v", row)
	}
	if err := json.Unmarshal([]byte(s.ok(nil, "ps", "--no-trunc", "--format", "json", "db")), &row); err != nil || row["ID"] != full ||
		!strings.Contains(row["Mounts"].(string), s.name+"_data") {
		t.Errorf("ps --no-trunc --format json: ID %v, mounts %v (%v)", row["ID"], row["Mounts"], err)
	}
	if out := s.ok(nil, "ps", "--format", "{{.Service}}/{{.Project}}", "web"); out != "" {
		t.Errorf("ps web (stopped) without -a: %q", out)
	}

	s.fails(2, []string{`unknown filter "source"`}, "ps", "--filter", "source=x")
	s.fails(2, []string{`invalid --filter "status"`}, "ps", "--filter", "status")
	s.fails(2, []string{`invalid status "sleeping"`}, "ps", "--status", "sleeping")
	s.fails(2, []string{"invalid --format template"}, "ps", "--format", "{{.Name")
	s.fails(1, []string{"--format template", "Nope"}, "ps", "--format", "{{.Nope}}")
	s.fails(1, []string{`no such service: "nope"`}, "ps", "nope")
	s.ok(nil, "down", "--remove-orphans", "-v")
}

// TestImagesAndVolumesCommands checks images and volumes: their columns,
// -q, --format json, the service filter, and bad input.
func TestImagesAndVolumesCommands(t *testing.T) {
	s := newStack(t)
	s.write(manageCompose)
	s.ok(nil, "up", "-d")
	db, web := s.container("db", 1), s.container("web", 1)
	img, err := s.docker.ImageInspect(context.Background(), s.image)
	if err != nil {
		t.Fatal(err)
	}
	repo, tag, _ := strings.Cut(s.image, ":")
	id := strings.TrimPrefix(img.ID, "sha256:")

	out := s.ok(nil, "images")
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if len(rows) != 3 || !regexp.MustCompile(`^CONTAINER\s+REPOSITORY\s+TAG\s+PLATFORM\s+IMAGE ID\s+SIZE\s+CREATED$`).MatchString(rows[0]) {
		t.Fatalf("images:\n%s", out)
	}
	for i, ctr := range []string{db, web} {
		want := `^` + ctr + `\s+` + regexp.QuoteMeta(repo) + `\s+` + tag + `\s+linux/\w+\s+` + id[:12] + `\s+[\d.]+MB\s+.* ago$`
		if !regexp.MustCompile(want).MatchString(rows[i+1]) {
			t.Errorf("images row %d = %q, want %s", i+1, rows[i+1], want)
		}
	}
	if out := s.ok(nil, "images", "-q"); out != id+"\n" {
		t.Errorf("images -q = %q, want %s once", out, id)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(s.ok(nil, "images", "--format", "json", "web")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0]["ContainerName"] != web || list[0]["ID"] != img.ID || list[0]["Repository"] != repo || list[0]["Tag"] != tag {
		t.Errorf("images --format json web: %v", list)
	}
	s.fails(1, []string{`no such service: "nope"`}, "images", "nope")
	s.fails(2, []string{`invalid --format "yaml"`}, "images", "--format", "yaml")

	vol := s.name + "_data"
	if out := s.ok(nil, "volumes"); !regexp.MustCompile(`^DRIVER\s+VOLUME NAME\nlocal\s+` + vol + `\n$`).MatchString(out) {
		t.Errorf("volumes:\n%s", out)
	}
	if out := s.ok(nil, "volumes", "-q", "db"); out != vol+"\n" {
		t.Errorf("volumes -q db = %q", out)
	}
	if out := s.ok(nil, "volumes", "-q", "web"); out != "" {
		t.Errorf("volumes -q web (no volume) = %q", out)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(s.ok(nil, "volumes", "--format", "json")), &v); err != nil {
		t.Fatal(err)
	}
	if v["Name"] != vol || v["Driver"] != "local" || !strings.Contains(v["Labels"].(string), "com.docker.compose.volume=data") {
		t.Errorf("volumes --format json: %v", v)
	}
	if out := s.ok(nil, "volumes", "--format", "{{.Name}} {{.Scope}}"); out != vol+" local\n" {
		t.Errorf("volumes with a template: %q", out)
	}
	s.fails(1, []string{`no such service: "nope"`}, "volumes", "nope")
	s.ok(nil, "down", "-v")
}

// TestLsCommand checks ls: this project's row (status counts and config
// file), -a for stopped projects, -q, the name filter, json, bad input.
func TestLsCommand(t *testing.T) {
	s := newStack(t)
	s.write(`
services:
  web:
    image: IMAGE
    scale: 2
  job:
    image: IMAGE
    command: ["exit", "0"]
`)
	s.ok(nil, "up", "-d")
	file := s.dir + "/compose.yaml"
	only := "name=^" + s.name + "$"
	eventually(t, "job exits", func() bool { return s.ps()[s.container("job", 1)].State == "exited" })
	out := s.ok(nil, "ls", "--filter", only)
	if !regexp.MustCompile(`^NAME\s+STATUS\s+CONFIG FILES\n` + s.name + `\s+running\(2\)\s+` + regexp.QuoteMeta(file) + `\n$`).MatchString(out) {
		t.Errorf("ls:\n%s", out)
	}
	var list []lsJSON
	if err := json.Unmarshal([]byte(s.ok(nil, "ls", "-a", "--filter", only, "--format", "json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0] != (lsJSON{Name: s.name, Status: "exited(1), running(2)", ConfigFiles: file}) {
		t.Errorf("ls -a --format json: %+v", list)
	}
	if out := s.ok(nil, "ls", "-q", "--filter", "name="+s.name[:len(s.name)-2]); !strings.Contains(out, s.name+"\n") {
		t.Errorf("ls -q with a prefix filter: %q", out)
	}
	s.ok(nil, "stop")
	if out := s.ok(nil, "ls", "-q", "--filter", only); out != "" {
		t.Errorf("ls of a stopped project without -a: %q", out)
	}
	if out := s.ok(nil, "ls", "-a", "-q", "--filter", only); out != s.name+"\n" {
		t.Errorf("ls -a -q: %q", out)
	}
	s.fails(2, []string{`invalid --filter "status=running"`}, "ls", "--filter", "status=running")
	s.fails(2, []string{`invalid --format "yaml"`}, "ls", "--format", "yaml")
	s.fails(2, []string{"ls takes no arguments"}, "ls", "web")
	s.ok(nil, "down")
}
