package watch

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// nameFilter skips directories named node_modules and ignores *.tmp files.
type nameFilter struct{}

func (nameFilter) Ignored(path string) bool { return strings.HasSuffix(path, ".tmp") }
func (nameFilter) SkipDir(dir string) bool  { return filepath.Base(dir) == "node_modules" }

// seen collects the paths Watch reports and lets a test wait for one.
type seen struct {
	mu    sync.Mutex
	paths map[string]int
	ch    chan string
}

func newSeen() *seen { return &seen{paths: map[string]int{}, ch: make(chan string, 1000)} }

func (s *seen) changed(p string, _ ChangeOp) {
	s.mu.Lock()
	s.paths[p]++
	s.mu.Unlock()
	s.ch <- p
}

// wait waits until path is reported, failing the test after a deadline.
func (s *seen) wait(t *testing.T, path string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		s.mu.Lock()
		n := s.paths[path]
		s.mu.Unlock()
		if n > 0 {
			return
		}
		select {
		case <-s.ch:
		case <-deadline:
			t.Fatalf("%s was not reported; reported: %v", path, s.paths)
		}
	}
}

func (s *seen) has(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paths[path] > 0
}

// start runs Watch on root in the background until the test ends.
func start(t *testing.T, root string) *seen {
	t.Helper()
	s := newSeen()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ready := make(chan struct{})
	go func() {
		done <- watchReady(ctx, root, nameFilter{}, s.changed, ready)
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Watch: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	return s
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWatchReportsChanges(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "src", "a.go"), "package a")
	s := start(t, root)

	writeFile(t, filepath.Join(root, "src", "a.go"), "package a // changed")
	s.wait(t, filepath.Join(root, "src", "a.go"))

	// a new directory, written into at once: watched as it appears, and
	// what was written before its watch was in place is reported
	writeFile(t, filepath.Join(root, "new", "deep", "b.go"), "package b")
	s.wait(t, filepath.Join(root, "new", "deep", "b.go"))
	writeFile(t, filepath.Join(root, "new", "deep", "c.go"), "package c")
	s.wait(t, filepath.Join(root, "new", "deep", "c.go"))

	if err := os.Remove(filepath.Join(root, "src", "a.go")); err != nil {
		t.Fatal(err)
	}
	s.wait(t, filepath.Join(root, "src", "a.go"))

	// ignored files and skipped directories are not reported
	writeFile(t, filepath.Join(root, "src", "x.tmp"), "scratch")
	writeFile(t, filepath.Join(root, "node_modules", "pkg", "index.js"), "x")
	writeFile(t, filepath.Join(root, "src", "last.go"), "package last")
	s.wait(t, filepath.Join(root, "src", "last.go"))
	if s.has(filepath.Join(root, "src", "x.tmp")) || s.has(filepath.Join(root, "node_modules", "pkg", "index.js")) {
		t.Errorf("reported ignored paths: %v", s.paths)
	}
}

// TestSkippedDirectoriesCostNoWatch: a node_modules with many directories
// adds no inotify watch.
func TestSkippedDirectoriesCostNoWatch(t *testing.T) {
	root := t.TempDir()
	for i := range 200 {
		if err := os.MkdirAll(filepath.Join(root, "node_modules", "p"+string(rune('a'+i%26)), strings.Repeat("d", 1+i/26)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(root, "src", "main.go"), "package main")
	w, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	tr := &tree{w: w, root: root, filter: nameFilter{}, changed: func(string, ChangeOp) {}}
	if err := tr.start(); err != nil {
		t.Fatal(err)
	}
	got := w.WatchList()
	if len(got) != 2 {
		t.Errorf("watches %v, want the root and src only", got)
	}
}

// TestWatchRootThatAppearsLater: a rule's path that does not exist yet is
// watched once it is created.
func TestWatchRootThatAppearsLater(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "later")
	s := start(t, root)
	writeFile(t, filepath.Join(root, "a.txt"), "hello")
	s.wait(t, filepath.Join(root, "a.txt"))
	writeFile(t, filepath.Join(root, "b.txt"), "again")
	s.wait(t, filepath.Join(root, "b.txt"))
}

// TestWatchSingleFile: a rule's path that is a file reports that file only.
func TestWatchSingleFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "products.json")
	writeFile(t, file, "[]")
	s := start(t, file)
	writeFile(t, filepath.Join(dir, "other.json"), "{}")
	writeFile(t, file, `[{"id": 1}]`)
	s.wait(t, file)
	if s.has(filepath.Join(dir, "other.json")) {
		t.Errorf("reported a file beside the watched one: %v", s.paths)
	}
}

func TestLimitErrorNamesTheSysctl(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{os.NewSyscallError("inotify_add_watch", syscall.ENOSPC), "fs.inotify.max_user_watches"},
		{os.NewSyscallError("inotify_init1", syscall.EMFILE), "fs.inotify.max_user_instances"},
	} {
		if got := limitError(tt.err).Error(); !strings.Contains(got, tt.want) || !strings.Contains(got, "sysctl") {
			t.Errorf("limitError(%v) = %q, want the sysctl for %s", tt.err, got, tt.want)
		}
	}
}
