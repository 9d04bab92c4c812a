package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// projectLock makes two Berth processes changing the same project on the
// same engine take turns, so they cannot both plan to create the same
// container. It is an advisory lock on a file named after the engine host
// and the project; the kernel releases it if the process dies.
type projectLock struct{ f *os.File }

// lockProject takes the project's lock, telling sink if it has to wait for
// another Berth to finish. It gives up when ctx ends.
func lockProject(ctx context.Context, sink Sink, host, project string) (*projectLock, error) {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("berth-%d", os.Getuid()))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the lock directory: %w", err)
	}
	sum := sha256.Sum256([]byte(host + "\x00" + project))
	path := filepath.Join(dir, hex.EncodeToString(sum[:8])+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the project lock: %w", err)
	}
	told := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return &projectLock{f: f}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("locking project %s: %w", project, err)
		}
		if !told {
			Emit(sink, Info, fmt.Sprintf("Waiting for another berth working on project %q to finish...", project))
			told = true
		}
		// flock has no wait-with-deadline: retry on a short tick until
		// the holder releases the lock or ctx ends
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Unlock releases the lock.
func (l *projectLock) Unlock() {
	if l != nil && l.f != nil {
		_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
		_ = l.f.Close()
	}
}
