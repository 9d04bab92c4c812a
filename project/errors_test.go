package project_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/project"
)

// errorCase is a compose file Load must refuse, and the error it must give.
type errorCase struct {
	name string
	// files to write; compose.yaml is the one loaded unless configPaths
	// says otherwise
	files       map[string]string
	configPaths []string
	environ     []string
	// file, line and column the error is placed at (line and column 0 when
	// the error can only name the file)
	file      string
	line, col int
	contains  []string
}

// errorCases are compose files Load must refuse. Each error must start with
// the file and, where known, line and column of the problem, and say what
// is wrong.
var errorCases = []errorCase{
	{
		name:  "YAML syntax error",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n   bad: 1\n"},
		file:  "compose.yaml", line: 4, col: 4,
		contains: []string{"did not find expected key (while parsing a block mapping at line 2, column 3)"},
	},
	{
		name:  "unclosed flow sequence",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    ports: [80\n"},
		file:  "compose.yaml", line: 4, col: 12,
		contains: []string{"did not find expected ',' or ']'", "starts here and is not closed before the file ends"},
	},
	{
		name:  "unterminated quoted string",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: \"nginx\n"},
		file:  "compose.yaml", line: 3, col: 12,
		contains: []string{"unexpected end of stream", "quoted scalar that starts here"},
	},
	{
		name:  "tab indentation",
		files: map[string]string{"compose.yaml": "services:\n  web:\n\timage: nginx\n"},
		file:  "compose.yaml", line: 3, col: 1,
		contains: []string{"found character that cannot start any token"},
	},
	{
		name:  "tab indentation of a service",
		files: map[string]string{"compose.yaml": "services:\n\tweb:\n    image: nginx\n"},
		file:  "compose.yaml", line: 2, col: 1,
		contains: []string{"found character that cannot start any token"},
	},
	{
		name:  "duplicate key",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    image: redis\n"},
		file:  "compose.yaml", line: 4,
		contains: []string{`mapping key "image" already defined at line 3`},
	},
	{
		name:  "unknown anchor",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    <<: *missing\n"},
		file:  "compose.yaml", line: 3, col: 9,
		contains: []string{"unknown anchor 'missing'"},
	},
	{
		name:  "unknown service key",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    imagee: nginx\n"},
		file:  "compose.yaml", line: 4, col: 5,
		contains: []string{"services.web", "additional properties 'imagee' not allowed"},
	},
	{
		name:  "unknown top-level key",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\nservice:\n  db: {}\n"},
		file:  "compose.yaml", line: 4, col: 1,
		contains: []string{"additional properties 'service' not allowed"},
	},
	{
		name:  "unknown network key",
		files: map[string]string{"compose.yaml": "networks:\n  front:\n    drver: bridge\nservices:\n  web:\n    image: nginx\n"},
		file:  "compose.yaml", line: 3, col: 5,
		contains: []string{"networks.front", "additional properties 'drver' not allowed"},
	},
	{
		name:  "invalid service name",
		files: map[string]string{"compose.yaml": "services:\n  \"web app\":\n    image: x\n"},
		file:  "compose.yaml", line: 2, col: 3,
		contains: []string{"additional properties 'web app' not allowed"},
	},
	{
		name:  "wrong type",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    ports: 80\n"},
		file:  "compose.yaml", line: 4, col: 5,
		contains: []string{"services.web.ports must be a array"},
	},
	{
		name:  "wrong type for a boolean",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    privileged: maybe\n"},
		file:  "compose.yaml", line: 4, col: 5,
		contains: []string{"services.web.privileged", "invalid boolean: maybe"},
	},
	{
		name:  "services not a mapping",
		files: map[string]string{"compose.yaml": "services: [web]\n"},
		file:  "compose.yaml", line: 1, col: 1,
		contains: []string{"services must be a mapping"},
	},
	{
		name:  "null service",
		files: map[string]string{"compose.yaml": "services:\n  web:\n"},
		file:  "compose.yaml", line: 2, col: 3,
		contains: []string{"services.web must be a mapping"},
	},
	{
		name:  "enum value",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    depends_on:\n      db:\n        condition: service_ready\n  db:\n    image: x\n"},
		file:  "compose.yaml", line: 6, col: 9,
		contains: []string{"services.web.depends_on.db.condition", "service_healthy"},
	},
	{
		name:  "bad duration",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    healthcheck:\n      interval: 5x\n"},
		file:  "compose.yaml", line: 5, col: 7,
		contains: []string{"services[web].healthcheck.interval", `unknown unit "x"`},
	},
	{
		name:  "bad size",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    mem_limit: lots\n"},
		file:  "compose.yaml", line: 4, col: 5,
		contains: []string{"mem_limit", "invalid size: 'lots'"},
	},
	{
		name:  "bad host port",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    ports:\n      - \"abc:80\"\n"},
		file:  "compose.yaml", line: 5, col: 9,
		contains: []string{"Invalid hostPort: abc"},
	},
	{
		name:  "bad container port",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    ports:\n      - \"8080:http\"\n"},
		file:  "compose.yaml", line: 5, col: 9,
		contains: []string{"Invalid containerPort: http"},
	},
	{
		name:  "port out of range",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    ports:\n      - \"99999:80\"\n"},
		file:  "compose.yaml", line: 5, col: 9,
		contains: []string{"Invalid hostPort: 99999"},
	},
	{
		name:  "bad pull policy",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    pull_policy: sometimes\n"},
		file:  "compose.yaml", line: 4, col: 5,
		contains: []string{"pull_policy", "sometimes"},
	},
	{
		name:  "missing image and build",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    command: [serve]\n"},
		file:  "compose.yaml", line: 2, col: 3,
		contains: []string{`service "web" has neither an image nor a build context specified`},
	},
	{
		name:  "undefined network",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    networks: [back]\n"},
		file:  "compose.yaml", line: 2, col: 3,
		contains: []string{`service "web" refers to undefined network back`},
	},
	{
		name:  "undefined volume",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    volumes:\n      - data:/data\n"},
		file:  "compose.yaml", line: 2, col: 3,
		contains: []string{`service "web" refers to undefined volume data`},
	},
	{
		name:  "undefined secret",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    secrets: [key]\n"},
		file:  "compose.yaml", line: 2, col: 3,
		contains: []string{`service "web" refers to undefined secret key`},
	},
	{
		name:     "network_mode with networks",
		files:    map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    network_mode: host\n    networks: [default]\n"},
		file:     "compose.yaml",
		contains: []string{"mutually exclusive `network_mode` and `networks`"},
	},
	{
		name:     "bad healthcheck test",
		files:    map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    healthcheck:\n      test: [\"curl\", \"localhost\"]\n"},
		file:     "compose.yaml",
		contains: []string{`healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"`},
	},
	{
		name:  "required variable",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    environment:\n      DB_URL: ${DB_URL:?set DB_URL to the database address}\n"},
		file:  "compose.yaml", line: 5, col: 7,
		contains: []string{"required variable DB_URL is missing a value: set DB_URL to the database address"},
	},
	{
		name:  "invalid interpolation",
		files: map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    environment:\n      - A=${B\n"},
		file:  "compose.yaml", line: 4, col: 5,
		contains: []string{"invalid interpolation format", "escape any $ with another $"},
	},
	{
		name:     "empty file",
		files:    map[string]string{"compose.yaml": ""},
		file:     "compose.yaml",
		contains: []string{"empty compose file"},
	},
	{
		name:     "comments only",
		files:    map[string]string{"compose.yaml": "# nothing yet\n"},
		file:     "compose.yaml",
		contains: []string{"empty compose file"},
	},
	{
		name:     "top level is a sequence",
		files:    map[string]string{"compose.yaml": "- web\n- db\n"},
		file:     "compose.yaml",
		contains: []string{"top-level object must be a mapping"},
	},
	{
		name:     "top level is a scalar",
		files:    map[string]string{"compose.yaml": "web\n"},
		file:     "compose.yaml",
		contains: []string{"top-level object must be a mapping"},
	},
	{
		name:  "anchor cycle",
		files: map[string]string{"compose.yaml": "x-a: &a\n  b: *a\nservices: {}\n"},
		file:  "compose.yaml", line: 1, col: 1,
		contains: []string{"cycle detected"},
	},
	{
		name: "error in the second -f file",
		files: map[string]string{
			"compose.yaml":  "services:\n  web:\n    image: nginx\n",
			"override.yaml": "services:\n  web:\n    imag: nginx\n",
		},
		configPaths: []string{"compose.yaml", "override.yaml"},
		file:        "override.yaml", line: 3, col: 5,
		contains: []string{"additional properties 'imag' not allowed"},
	},
	{
		name: "syntax error in the second -f file",
		files: map[string]string{
			"compose.yaml":       "services:\n  web:\n    image: nginx\n",
			"conf/override.yaml": "services:\n  web:\n    image: [\n",
		},
		configPaths: []string{"compose.yaml", "conf/override.yaml"},
		file:        "conf/override.yaml", line: 3, col: 12,
		contains: []string{"did not find expected node content (at the end of the file)"},
	},
	{
		name: "duplicate container name",
		files: map[string]string{
			"compose.yaml": "services:\n  a:\n    image: x\n    container_name: app\n  b:\n    image: x\n    container_name: app\n",
		},
		file: "compose.yaml", line: 7, col: 5,
		contains: []string{`services.b: container name "app" is already in use by service a`},
	},
	{
		name:     "dependency cycle",
		files:    map[string]string{"compose.yaml": "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n"},
		file:     "compose.yaml",
		contains: []string{"dependency cycle: a -> b -> a"},
	},
}

// TestLoadErrors runs each case with -p and without: without it, the
// loader reads the files' top-level name first, a path of its own to the
// same errors.
func TestLoadErrors(t *testing.T) {
	for _, tc := range errorCases {
		for _, name := range []string{testProject, ""} {
			t.Run(fmt.Sprintf("%s/name=%q", tc.name, name), func(t *testing.T) {
				checkLoadError(t, tc, name)
			})
		}
	}
}

func checkLoadError(t *testing.T, tc errorCase, name string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "proj")
	writeFiles(t, dir, tc.files)
	_, err := loadDir(t, dir, project.Options{
		ProjectName: name,
		ConfigPaths: tc.configPaths,
		Environ:     tc.environ,
	})
	if err == nil {
		t.Fatal("Load succeeded")
	}
	msg := err.Error()
	prefix := tc.file
	if tc.line > 0 {
		prefix += fmt.Sprintf(":%d", tc.line)
		if tc.col > 0 {
			prefix += fmt.Sprintf(":%d", tc.col)
		}
	}
	prefix += ": "
	if !strings.HasPrefix(msg, prefix) {
		t.Errorf("error %q does not start with %q", msg, prefix)
	}
	for _, want := range tc.contains {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, dir) {
		t.Errorf("error %q names the file by its absolute path, not as the user did", msg)
	}
	var fe *project.FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *project.FileError", err, err)
	}
	if fe.File != tc.file || fe.Line != tc.line || fe.Column != tc.col {
		t.Errorf("FileError at %s:%d:%d, want %s:%d:%d", fe.File, fe.Line, fe.Column, tc.file, tc.line, tc.col)
	}
	if fe.Unwrap() == nil || !strings.HasSuffix(msg, fe.Unwrap().Error()) {
		t.Errorf("FileError.Unwrap() = %v, want the error after the position", fe.Unwrap())
	}
}

func TestFileErrorFormat(t *testing.T) {
	inner := errors.New("something is wrong")
	tests := []struct {
		err  project.FileError
		want string
	}{
		{project.FileError{File: "compose.yaml", Err: inner}, "compose.yaml: something is wrong"},
		{project.FileError{File: "compose.yaml", Line: 3, Err: inner}, "compose.yaml:3: something is wrong"},
		{project.FileError{File: "compose.yaml", Line: 3, Column: 7, Err: inner}, "compose.yaml:3:7: something is wrong"},
		// a column without a line is not shown
		{project.FileError{File: "a/b.yaml", Column: 7, Err: inner}, "a/b.yaml: something is wrong"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
		if !errors.Is(&tc.err, inner) {
			t.Errorf("errors.Is(%q, inner) = false", tc.want)
		}
	}
}

// TestErrorsOutsideTheWorkingDirectory: a file outside WorkDir is named by
// its absolute path.
func TestErrorsOutsideTheWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": "services:\n  web:\n    imagee: x\n"})
	_, err := loadDir(t, dir, project.Options{
		ProjectName: testProject,
		WorkDir:     t.TempDir(),
		ConfigPaths: []string{dir + "/compose.yaml"},
	})
	var fe *project.FileError
	if !errors.As(err, &fe) || fe.File != dir+"/compose.yaml" || fe.Line != 3 {
		t.Errorf("error = %v, want it placed at %s/compose.yaml:3", err, dir)
	}
}
