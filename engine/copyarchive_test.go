package engine

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostArchiveRoundTrip archives a host tree under another name and
// unpacks it: contents, modes and links come through.
func TestHostArchiveRoundTrip(t *testing.T) {
	src := t.TempDir()
	mustWrite(t, filepath.Join(src, "a.txt"), "a", 0o600)
	mustWrite(t, filepath.Join(src, "sub", "b.sh"), "b", 0o755)
	if err := os.Symlink("a.txt", filepath.Join(src, "link")); err != nil {
		t.Fatal(err)
	}
	end, err := hostSource(src, false)
	if err != nil || !end.IsDir {
		t.Fatalf("hostSource: %+v %v", end, err)
	}
	var buf bytes.Buffer
	if err := writeHostArchive(&buf, end, "copy"); err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	if err := extractArchive(&buf, dst, "copy", "renamed"); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]os.FileMode{"renamed/a.txt": 0o600, "renamed/sub/b.sh": 0o755} {
		st, err := os.Stat(filepath.Join(dst, name))
		if err != nil || st.Mode().Perm() != want {
			t.Fatalf("%s: %v %v, want mode %v", name, st, err, want)
		}
	}
	if target, err := os.Readlink(filepath.Join(dst, "renamed", "link")); err != nil || target != "a.txt" {
		t.Fatalf("link: %q %v", target, err)
	}
	// contents only ("."): no top directory
	buf.Reset()
	if err := writeHostArchive(&buf, end, "."); err != nil {
		t.Fatal(err)
	}
	flat := t.TempDir()
	if err := extractArchive(&buf, flat, ".", "."); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(flat, "sub", "b.sh")); err != nil || string(b) != "b" {
		t.Fatalf("contents copy: %q %v", b, err)
	}
}

// TestExtractArchiveStaysInside: neither ".." nor a link in the archive
// writes outside the destination, and a directory is never replaced by a
// file.
func TestExtractArchiveStaysInside(t *testing.T) {
	outside := t.TempDir()
	dst := t.TempDir()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Name: "x/escape", Typeflag: tar.TypeSymlink, Linkname: outside})
	_ = tw.WriteHeader(&tar.Header{Name: "x/escape/pwned", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1})
	_, _ = tw.Write([]byte("!"))
	_ = tw.Close()
	if err := extractArchive(&buf, dst, "x", "x"); err == nil {
		t.Fatal("writing through a link out of the destination was allowed")
	}
	if _, err := os.Stat(filepath.Join(outside, "pwned")); err == nil {
		t.Fatal("a file was written outside the destination")
	}

	buf.Reset()
	tw = tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Name: "../../dotdot", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1})
	_, _ = tw.Write([]byte("!"))
	_ = tw.Close()
	if err := extractArchive(&buf, dst, ".", "."); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, "dotdot")); err != nil {
		t.Fatalf("a .. entry was not kept inside the destination: %v", err)
	}

	if err := os.Mkdir(filepath.Join(dst, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	tw = tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Name: "d", Typeflag: tar.TypeReg, Mode: 0o644})
	_ = tw.Close()
	if err := extractArchive(&buf, dst, "d", "d"); err == nil || !strings.Contains(err.Error(), "cannot overwrite a directory") {
		t.Fatalf("a file replaced a directory: %v", err)
	}
}

func TestHostSource(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "real.txt"), "r", 0o644)
	if err := os.Symlink("real.txt", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if _, err := hostSource(filepath.Join(dir, "missing"), false); err == nil || !strings.Contains(err.Error(), "no such file or directory on the host") {
		t.Fatalf("missing source: %v", err)
	}
	end, err := hostSource(filepath.Join(dir, "link"), true)
	if err != nil || end.Rebase != "link" || !strings.HasSuffix(end.Path, "/real.txt") {
		t.Fatalf("-L: %+v %v", end, err)
	}
	end, err = hostSource(filepath.Join(dir, "link"), false)
	if err != nil || end.Rebase != "" || !strings.HasSuffix(end.Path, "/link") {
		t.Fatalf("without -L: %+v %v", end, err)
	}
}

func mustWrite(t *testing.T, p, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}
