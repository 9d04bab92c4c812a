package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Exporter is what `berth export` needs from the engine.
type Exporter interface {
	Containers
	// Export returns the container's filesystem as a tar stream.
	Export(ctx context.Context, container string) (io.ReadCloser, error)
}

// ExportOptions are what Export does.
type ExportOptions struct {
	Service string
	// Index picks the service's container with this number (0: the
	// first running one).
	Index int
	// Output is the file the tar is written to; empty writes it to Stdout.
	Output string
	Stdout io.Writer
	// DryRun finds the container and says what would be exported.
	DryRun bool
}

// Export writes the filesystem of a running container of the service (of
// the project named projectName) as a tar archive to a file (written whole
// or not at all) or to Stdout.
func Export(ctx context.Context, e Exporter, projectName string, o ExportOptions, sink Sink) error {
	ctr, err := RunningContainer(ctx, e, projectName, o.Service, o.Index)
	if err != nil {
		return err
	}
	if o.Output != "" {
		if st, err := os.Stat(filepath.Dir(o.Output)); err != nil || !st.IsDir() {
			return fmt.Errorf("cannot write %s: directory %s does not exist", o.Output, filepath.Dir(o.Output))
		}
	}
	if o.DryRun {
		Emit(sink, Info, fmt.Sprintf("Would export %s", ctr.Name))
		return nil
	}
	rc, err := e.Export(ctx, ctr.Name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if o.Output == "" {
		if _, err := io.Copy(o.Stdout, rc); err != nil {
			return fmt.Errorf("exporting %s: %w", ctr.Name, err)
		}
	} else if err := writeFileAtomic(o.Output, rc); err != nil {
		return fmt.Errorf("exporting %s: %w", ctr.Name, err)
	}
	Emit(sink, Info, fmt.Sprintf("Exported %s", ctr.Name))
	return nil
}
