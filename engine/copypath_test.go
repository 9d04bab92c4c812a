package engine

import (
	"errors"
	"testing"
)

func TestCopyPlacement(t *testing.T) {
	file := func(p string) copyEnd { return copyEnd{Path: p, Exists: true} }
	dir := func(p string) copyEnd { return copyEnd{Path: p, Exists: true, IsDir: true} }
	missing := func(p string) copyEnd { return copyEnd{Path: p} }
	tests := []struct {
		name      string
		src, dst  copyEnd
		dir, base string
		err       error
	}{
		{"file into an existing dir keeps its name", file("/h/a.txt"), dir("/c/data"), "/c/data", "a.txt", nil},
		{"file over an existing file takes its name", file("/h/a.txt"), file("/c/b.txt"), "/c", "b.txt", nil},
		{"file to a new name", file("/h/a.txt"), missing("/c/new.txt"), "/c", "new.txt", nil},
		{"file to a missing dir/ is refused", file("/h/a.txt"), missing("/c/new/"), "", "", errDestDirMissing},
		{"file to a missing dir/. is refused", file("/h/a.txt"), missing("/c/new/."), "", "", errDestDirMissing},
		{"dir into an existing dir lands under its name", dir("/h/src"), dir("/c/data"), "/c/data", "src", nil},
		{"dir/ into an existing dir lands under its name", dir("/h/src/"), dir("/c/data/"), "/c/data", "src", nil},
		{"dir/. into an existing dir copies its contents", dir("/h/src/."), dir("/c/data"), "/c/data", ".", nil},
		{"dir to a new name", dir("/h/src"), missing("/c/copy"), "/c", "copy", nil},
		{"dir/. to a new name", dir("/h/src/."), missing("/c/copy/"), "/c", "copy", nil},
		{"dir over a file is refused", dir("/h/src"), file("/c/a.txt"), "", "", errCopyDirToFile},
		{"a followed link keeps the link's name", copyEnd{Path: "/h/target", Exists: true, Rebase: "link"}, dir("/c"), "/c", "link", nil},
		{"into the root directory", file("/h/a.txt"), dir("/"), "/", "a.txt", nil},
		{"the root directory into an existing dir copies its contents", dir("/"), dir("/h/out"), "/h/out", ".", nil},
		{"the root directory to a new name", dir("/"), missing("/h/out"), "/h", "out", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, b, err := copyPlacement(tt.src, tt.dst)
			if !errors.Is(err, tt.err) || d != tt.dir || b != tt.base {
				t.Fatalf("copyPlacement(%+v, %+v) = %q, %q, %v; want %q, %q, %v", tt.src, tt.dst, d, b, err, tt.dir, tt.base, tt.err)
			}
		})
	}
}

func TestSplitDirEntry(t *testing.T) {
	tests := []struct{ in, dir, base string }{
		{"/a/b", "/a", "b"},
		{"/a/b/", "/a", "b"},
		{"/a/b/.", "/a/b", "."},
		{"/a/b/./", "/a/b", "."},
		{"/", "/", "/"},
		{"a", ".", "a"},
	}
	for _, tt := range tests {
		if d, b := splitDirEntry(tt.in); d != tt.dir || b != tt.base {
			t.Errorf("splitDirEntry(%q) = %q, %q; want %q, %q", tt.in, d, b, tt.dir, tt.base)
		}
	}
}

func TestFollowedSource(t *testing.T) {
	tests := []struct {
		link, target string
		want         copyEnd
	}{
		{"/etc/conf", "/opt/real.conf", copyEnd{Path: "/opt/real.conf", Rebase: "conf"}},
		{"/etc/conf", "real.conf", copyEnd{Path: "/etc/real.conf", Rebase: "conf"}},
		{"/etc/conf", "../opt/conf", copyEnd{Path: "/opt/conf"}},
		{"/d/link/.", "/d/real", copyEnd{Path: "/d/real/."}},
		{"/d/link/", "/d/real", copyEnd{Path: "/d/real/", Rebase: "link"}},
	}
	for _, tt := range tests {
		if got := followedSource(tt.link, tt.target); got != tt.want {
			t.Errorf("followedSource(%q, %q) = %+v; want %+v", tt.link, tt.target, got, tt.want)
		}
	}
}

func TestRebaseEntry(t *testing.T) {
	tests := []struct {
		entry, old, name string
		want             string
		ok               bool
	}{
		{"src", "src", "copy", "copy", true},
		{"src/", "src", "copy", "copy", true},
		{"src/a/b.txt", "src", "copy", "copy/a/b.txt", true},
		{"src/a", "src", ".", "a", true},
		{"srcx/a", "src", "copy", "", false},
		{"./a/b", ".", "copy", "copy/a/b", true},
		{"a/b", ".", "copy", "copy/a/b", true},
		{".", ".", "copy", "copy", true},
		{"../../etc/passwd", "src", "copy", "", false},
		{"src/../../x", "src", "copy", "", false},
		{"a.txt", "a.txt", "a.txt", "a.txt", true},
		{"/app", "/", "out", "out/app", true},
		{"/", "/", "out", "out", true},
	}
	for _, tt := range tests {
		got, ok := rebaseEntry(tt.entry, tt.old, tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("rebaseEntry(%q, %q, %q) = %q, %v; want %q, %v", tt.entry, tt.old, tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
