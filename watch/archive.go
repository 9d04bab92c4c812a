package watch

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine"
)

// containerPath is where the host file lands in the container under rule:
// Target for the rule's path itself, Target joined with the file's path
// relative to the rule's path otherwise.
func containerPath(rule Rule, file string) (string, error) {
	rel, err := filepath.Rel(rule.Path, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s: %s is not under the watched path", rule.Name(), file)
	}
	if rel == "." {
		return rule.Target, nil
	}
	return path.Join(rule.Target, filepath.ToSlash(rel)), nil
}

// syncArchive is the tar stream that puts files (host paths under the
// rule's path) at their places in the container, relative to "/", with
// their modes; a file that is gone by now is left out (its removal is
// another change). Directories on the way are created by the engine.
func syncArchive(rule Rule, files []string) (*bytes.Buffer, int, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	n := 0
	for _, f := range files {
		dst, err := containerPath(rule, f)
		if err != nil {
			return nil, 0, err
		}
		fi, err := os.Lstat(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", rule.Name(), err)
		}
		if err := addToArchive(tw, f, strings.TrimPrefix(dst, "/"), fi); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", rule.Name(), err)
		}
		n++
	}
	if err := tw.Close(); err != nil {
		return nil, 0, err
	}
	return &buf, n, nil
}

// addToArchive writes one file, directory or symlink to tw as name, owned
// by root in the container, as a copy by the engine would be.
func addToArchive(tw *tar.Writer, file, name string, fi fs.FileInfo) error {
	return engine.WriteArchiveEntry(tw, file, name, fi, false)
}
