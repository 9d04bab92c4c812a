package main

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine"
)

func TestSplitCopyArg(t *testing.T) {
	tests := []struct {
		arg  string
		want engine.CopyPath
	}{
		{"web:/etc/conf", engine.CopyPath{Service: "web", Path: "/etc/conf"}},
		{"web:relative/x", engine.CopyPath{Service: "web", Path: "relative/x"}},
		{"web:", engine.CopyPath{Service: "web", Path: ""}},
		{"web:/a:b", engine.CopyPath{Service: "web", Path: "/a:b"}},
		{"./a:b", engine.CopyPath{Path: "./a:b"}},
		{"../a:b", engine.CopyPath{Path: "../a:b"}},
		{"/abs/a:b", engine.CopyPath{Path: "/abs/a:b"}},
		{"plain.txt", engine.CopyPath{Path: "plain.txt"}},
		{"dir/file", engine.CopyPath{Path: "dir/file"}},
		{"-", engine.CopyPath{Path: "-"}},
		{"a:b", engine.CopyPath{Service: "a", Path: "b"}},
	}
	for _, tt := range tests {
		if got := splitCopyArg(tt.arg); got != tt.want {
			t.Errorf("splitCopyArg(%q) = %+v; want %+v", tt.arg, got, tt.want)
		}
	}
}

func TestAbsHostPath(t *testing.T) {
	tests := []struct{ dir, in, want string }{
		{"/work", "a.txt", "/work/a.txt"},
		{"/work", "./sub/", "/work/sub/"},
		{"/work", "sub/.", "/work/sub/."},
		{"/work", ".", "/work/."},
		{"/work", "../x", "/x"},
		{"/work", "/abs/y/", "/abs/y/"},
		{"/work", "/abs/y/.", "/abs/y/."},
		{"/work", "./a:b", "/work/a:b"},
	}
	for _, tt := range tests {
		if got := absHostPath(tt.dir, tt.in); got != tt.want {
			t.Errorf("absHostPath(%q, %q) = %q; want %q", tt.dir, tt.in, got, tt.want)
		}
	}
}

func TestCpUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"cp", "a", "b"}, "names a service"},
		{[]string{"cp", "web:/a", "db:/b"}, "copying between services"},
		{[]string{"cp", "", "web:/b"}, "neither can be empty"},
		{[]string{"cp", "a"}, "needs exactly 2 arguments"},
		{[]string{"cp", "web:", "out"}, "path after SERVICE:"},
		{[]string{"cp", "web:-", "out"}, "'-' stands for a host tar stream"},
		{[]string{"cp", "--index", "-1", "a", "web:/b"}, "invalid --index -1"},
		{[]string{"export"}, "needs exactly 1 argument"},
		{[]string{"commit", "a", "b", "c"}, "commit needs a SERVICE and, optionally, a REPOSITORY"},
	}
	for _, tt := range tests {
		code, _, errOut := run(t, t.TempDir(), nil, tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("berth %v: exit %d, %q; want exit 2 saying %q", tt.args, code, errOut, tt.want)
		}
	}
}

func TestCompleteCopyArg(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: busybox\n  worker:\n    image: busybox\n"})
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "cp", "w"}, "web:,worker:,:2"},    // services, no space after
		{[]string{"__complete", "cp", "web:/e"}, ":4"},            // a container path: nothing
		{[]string{"__complete", "cp", "x"}, ":0"},                 // no service: host files
		{[]string{"__complete", "cp", "a", "web:/x", ""}, ":4"},   // two arguments given
		{[]string{"__complete", "export", "wo"}, "worker,:4"},     // export takes a service
		{[]string{"__complete", "push", "web", "w"}, "worker,:4"}, // push takes services
	}
	for _, tt := range tests {
		code, out, errOut := run(t, dir, nil, tt.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.args, code, errOut)
		}
		if got := strings.Join(strings.Split(strings.TrimSpace(out), "\n"), ","); got != tt.want {
			t.Errorf("%v: completions %q, want %q", tt.args, got, tt.want)
		}
	}
}
