package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/fsnotify/fsnotify"
)

// Filter says what a watch leaves out: the files whose changes do not
// count, and the directories it never descends into (so they cost no
// inotify watch).
type Filter interface {
	Ignored(path string) bool
	SkipDir(dir string) bool
}

// Watch watches root — a directory tree, or a single file — until ctx ends,
// and calls changed with the path of every file that is created, written,
// removed or renamed there and that filter does not ignore, with what
// happened to it: Create, Write or Remove (a rename away is a Remove). Linux has no
// recursive watch: every directory under root gets an inotify watch of its
// own, except those filter skips, and directories that appear later are
// watched as they appear (and the files already in them reported). When
// the kernel's event queue overflows, every file under root is reported
// again: a rescan, never a silent miss. A root that does not exist yet is
// watched from its parent until it appears.
//
// Running out of inotify watches or instances is an error that names the
// limit and the sysctl that raises it.
func Watch(ctx context.Context, root string, filter Filter, changed func(path string, op ChangeOp)) error {
	return watchReady(ctx, root, filter, changed, nil)
}

// watchReady is Watch, closing ready (when not nil) once every watch is in
// place.
func watchReady(ctx context.Context, root string, filter Filter, changed func(path string, op ChangeOp), ready chan<- struct{}) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return limitError(err)
	}
	defer w.Close()
	t := &tree{w: w, root: root, filter: filter, changed: changed}
	if err := t.start(); err != nil {
		return err
	}
	if ready != nil {
		close(ready)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// the kernel dropped events: report everything again
				if err := t.rescan(); err != nil {
					return err
				}
				continue
			}
			return fmt.Errorf("watching %s: %w", root, err)
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if err := t.event(ev); err != nil {
				return err
			}
		}
	}
}

// tree is the state of one Watch.
type tree struct {
	w       *fsnotify.Watcher
	root    string
	filter  Filter
	changed func(string, ChangeOp)
	// pending is set while root does not exist and its parent is watched
	// instead.
	pending bool
}

func (t *tree) start() error {
	fi, err := os.Stat(t.root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		t.pending = true
		return t.add(filepath.Dir(t.root))
	case err != nil:
		return fmt.Errorf("watching %s: %w", t.root, err)
	case !fi.IsDir():
		// a single file: watch its directory, report only the file
		return t.add(filepath.Dir(t.root))
	}
	return t.addTree(t.root, false)
}

// add adds one inotify watch.
func (t *tree) add(dir string) error {
	if err := t.w.Add(dir); err != nil {
		return limitError(fmt.Errorf("watching %s: %w", dir, err))
	}
	return nil
}

// addTree watches dir and every directory under it that the filter does
// not skip; with report, it also reports the files found (a directory that
// appeared after the watch began, or a rescan).
func (t *tree) addTree(dir string, report bool) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // gone while walking: its removal is an event of its own
			}
			return fmt.Errorf("watching %s: %w", p, err)
		}
		if d.IsDir() {
			if p != t.root && t.filter.SkipDir(p) {
				return filepath.SkipDir
			}
			return t.add(p)
		}
		if report && !t.filter.Ignored(p) {
			t.changed(p, Create)
		}
		return nil
	})
}

// rescan reports every file under root again, and watches directories
// whose creation the overflow may have hidden.
func (t *tree) rescan() error {
	fi, err := os.Stat(t.root)
	if err != nil {
		return nil // not there (yet): nothing to report
	}
	if !fi.IsDir() {
		t.changed(t.root, Write)
		return nil
	}
	return t.addTree(t.root, true)
}

func (t *tree) event(ev fsnotify.Event) error {
	if t.pending {
		// watching the parent until root appears
		if ev.Name != t.root || !ev.Has(fsnotify.Create) {
			return nil
		}
		t.pending = false
		_ = t.w.Remove(filepath.Dir(t.root))
		if err := t.start(); err != nil {
			return err
		}
		return t.rescan()
	}
	if !within(t.root, ev.Name) {
		return nil // the single file's directory: another file
	}
	if ev.Has(fsnotify.Create) {
		if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
			if t.filter.SkipDir(ev.Name) {
				return nil
			}
			// a new directory: watch it, and report what is already in it
			// (files may be written before its watch is in place)
			return t.addTree(ev.Name, true)
		}
	}
	if ev.Op == fsnotify.Chmod {
		return nil // metadata only: nothing to sync
	}
	if !t.filter.Ignored(ev.Name) {
		t.changed(ev.Name, opOf(ev))
	}
	return nil
}

// within reports whether path is root or under it.
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !filepath.IsAbs(rel) && (len(rel) < 3 || rel[:3] != ".."+string(filepath.Separator))
}

// limitError explains running out of inotify watches or instances: the
// kernel says only "no space left on device" or "too many open files".
func limitError(err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("%w: the system's limit of inotify watches (fs.inotify.max_user_watches) is reached; raise it, e.g. `sudo sysctl fs.inotify.max_user_watches=524288`, or ignore more directories in the rule", err)
	case errors.Is(err, syscall.EMFILE):
		return fmt.Errorf("%w: the system's limit of inotify instances (fs.inotify.max_user_instances) is reached; raise it, e.g. `sudo sysctl fs.inotify.max_user_instances=512`", err)
	}
	return err
}

// opOf is what an event did to its path.
func opOf(ev fsnotify.Event) ChangeOp {
	switch {
	case ev.Has(fsnotify.Remove), ev.Has(fsnotify.Rename):
		return Remove
	case ev.Has(fsnotify.Create):
		return Create
	}
	return Write
}
