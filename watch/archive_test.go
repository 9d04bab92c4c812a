package watch

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestContainerPath(t *testing.T) {
	dir := "/src/app"
	tests := []struct {
		rule    Rule
		file    string
		want    string
		wantErr bool
	}{
		{Rule{Path: dir, Target: "/app"}, "/src/app/main.go", "/app/main.go", false},
		{Rule{Path: dir, Target: "/app/"}, "/src/app/pkg/x/y.go", "/app/pkg/x/y.go", false},
		{Rule{Path: "/src/app/products.json", Target: "/data/products.json"}, "/src/app/products.json", "/data/products.json", false},
		{Rule{Path: dir, Target: "/app"}, "/src/other/main.go", "", true},
		{Rule{Path: dir, Target: "/app"}, "/src/app2/main.go", "", true},
	}
	for _, tt := range tests {
		got, err := containerPath(tt.rule, tt.file)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("containerPath(%s, %s) = %q, %v; want %q (error %v)", tt.rule.Path, tt.file, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestSyncArchive: the stream puts each file at its place under the
// target with its mode; a file gone by now is left out.
func TestSyncArchive(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.txt"), "alpha")
	writeFile(t, filepath.Join(dir, "bin", "run.sh"), "#!/bin/sh\n")
	if err := os.Chmod(filepath.Join(dir, "bin", "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	rule := Rule{Service: "app", Index: 1, Path: dir, Target: "/srv"}
	buf, n, err := syncArchive(rule, []string{filepath.Join(dir, "a.txt"), filepath.Join(dir, "bin", "run.sh"), filepath.Join(dir, "gone.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d files in the archive, want 2", n)
	}
	tr := tar.NewReader(buf)
	got := map[string]string{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		got[h.Name] = strings.TrimSpace(string(body)) + " " + os.FileMode(h.Mode).Perm().String()
	}
	want := map[string]string{"srv/a.txt": "alpha -rw-r--r--", "srv/bin/run.sh": "#!/bin/sh -rwxr-xr-x"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (archive: %v)", k, got[k], v, got)
		}
	}
}
