package engine

import (
	"io"
	"os"
	"path/filepath"
)

// writeFileAtomic writes r to a temporary file beside name and renames it
// to name once it is whole, so name is never left half written.
func writeFileAtomic(name string, r io.Reader) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o600)
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
