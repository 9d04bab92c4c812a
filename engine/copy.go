package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"

	"golang.org/x/sync/errgroup"
)

// ErrPathNotFound is what a Copier's StatPath and CopyFrom return (wrapped)
// for a path that does not exist in the container.
var ErrPathNotFound = errors.New("no such file or directory in the container")

// PathStat describes a path in a container.
type PathStat struct {
	Name       string
	Size       int64
	Mode       fs.FileMode
	LinkTarget string
}

// ServiceContainer is one container of a service, as cp, export and commit
// choose among them.
type ServiceContainer struct {
	ID     string
	Name   string
	Number int
	State  string // running, exited, ...
	// OneOff marks a container of `run`.
	OneOff bool
}

// Containers finds a service's containers.
type Containers interface {
	// ServiceContainers returns the service's containers in the project,
	// running or not (running only with runningOnly), by number; one-off
	// containers come last, and only with oneOff.
	ServiceContainers(ctx context.Context, projectName, service string, oneOff, runningOnly bool) ([]ServiceContainer, error)
}

// Copier is what `berth cp` needs from the engine.
type Copier interface {
	Containers
	// StatPath describes path in the container (links not followed).
	StatPath(ctx context.Context, container, path string) (PathStat, error)
	// CopyFrom returns a tar stream of path in the container, entries
	// named from its last element, and what path is.
	CopyFrom(ctx context.Context, container, path string) (io.ReadCloser, PathStat, error)
	// CopyInto unpacks a tar stream into the container's directory dir;
	// with keepOwners the entries' owners are kept as they are (-a).
	CopyInto(ctx context.Context, container, dir string, archive io.Reader, keepOwners bool) error
}

// CopyPath is one side of `berth cp`: a service's path, or (Service
// empty) an absolute host path, or "-" for a tar stream.
type CopyPath struct {
	Service string
	Path    string
}

func (c CopyPath) String() string {
	if c.Service == "" {
		return c.Path
	}
	return c.Service + ":" + c.Path
}

// CopyOptions are what Copy does.
type CopyOptions struct {
	Source, Destination CopyPath
	// Index picks the service's container with this number (0: all of
	// them to copy into, the first to copy from).
	Index int
	// All includes the one-off containers of `run`.
	All bool
	// FollowLink follows a symbolic link named as the source (-L).
	FollowLink bool
	// Archive keeps the owners of what is copied into a container (-a).
	Archive bool
	// Stdin is the tar stream of a source "-"; Stdout receives the tar
	// stream of a destination "-".
	Stdin  io.Reader
	Stdout io.Writer
	// DryRun checks both sides and says what would be copied, copying
	// nothing.
	DryRun bool
	// Parallel bounds the containers copied into at once (<= 0:
	// unlimited).
	Parallel int
}

// Copy copies files between a service's containers (of the project named
// projectName) and the host, as docker cp does between one container and
// the host: into every container of the service (or the one --index
// names), or from the first one.
func Copy(ctx context.Context, c Copier, projectName string, o CopyOptions, sink Sink) error {
	src, dst := o.Source, o.Destination
	switch {
	case src.Service != "" && dst.Service != "":
		return fmt.Errorf("copying between services is not supported: one side of cp must be a host path")
	case src.Service == "" && dst.Service == "":
		return fmt.Errorf("one side of cp must be SERVICE:PATH")
	case src.Path == "" || dst.Path == "":
		return fmt.Errorf("cp needs a source and a destination path")
	}
	service := src.Service + dst.Service
	targets, err := chooseServiceContainers(ctx, c, projectName, ContainerChoice{Service: service, Index: o.Index, AllWhenUnset: true}, o.All)
	if err != nil {
		return err
	}
	if o.DryRun {
		return dryRunCopy(ctx, c, targets, o, sink)
	}
	if src.Service != "" {
		ctr := targets[0]
		if err := copyFromContainer(ctx, c, ctr.Name, src.Path, dst.Path, o); err != nil {
			return err
		}
		Emit(sink, Info, fmt.Sprintf("Copied %s:%s to %s", ctr.Name, src.Path, dst.Path))
		return nil
	}
	var local copyEnd
	if src.Path != "-" {
		if local, err = hostSource(src.Path, o.FollowLink); err != nil {
			return err
		}
	} else if len(targets) > 1 {
		return fmt.Errorf("a tar stream on standard input can be copied into one container only: service %q has %d, pick one with --index", service, len(targets))
	}
	g, gctx := errgroup.WithContext(ctx)
	if o.Parallel > 0 {
		g.SetLimit(o.Parallel)
	}
	for _, ctr := range targets {
		g.Go(func() error {
			if err := copyToContainer(gctx, c, ctr.Name, local, dst.Path, o); err != nil {
				return err
			}
			Emit(sink, Info, fmt.Sprintf("Copied %s to %s:%s", src.Path, ctr.Name, dst.Path))
			return nil
		})
	}
	return g.Wait()
}

// dryRunCopy checks that the source exists and says what would be copied
// where.
func dryRunCopy(ctx context.Context, c Copier, targets []ServiceContainer, o CopyOptions, sink Sink) error {
	src, dst := o.Source, o.Destination
	if src.Service != "" {
		if dst.Path != "-" {
			if _, err := hostDestination(dst.Path); err != nil {
				return err
			}
		}
		if _, err := c.StatPath(ctx, targets[0].Name, src.Path); err != nil {
			return err
		}
		Emit(sink, Info, fmt.Sprintf("Would copy %s:%s to %s", targets[0].Name, src.Path, dst.Path))
		return nil
	}
	if src.Path != "-" {
		if _, err := hostSource(src.Path, o.FollowLink); err != nil {
			return err
		}
	}
	for _, ctr := range targets {
		Emit(sink, Info, fmt.Sprintf("Would copy %s to %s:%s", src.Path, ctr.Name, dst.Path))
	}
	return nil
}

// copyToContainer copies local (or, for "-", the tar stream on Stdin) into
// the container at dst.
func copyToContainer(ctx context.Context, c Copier, ctr string, local copyEnd, dst string, o CopyOptions) error {
	target := copyEnd{Path: dst}
	st, err := c.StatPath(ctx, ctr, dst)
	if err == nil && st.Mode&fs.ModeSymlink != 0 {
		link := st.LinkTarget
		if !path.IsAbs(link) {
			dir, _ := splitDirEntry(dst)
			link = path.Join(dir, link)
		}
		target.Path = link
		st, err = c.StatPath(ctx, ctr, link)
	}
	switch {
	case err == nil:
		if !st.Mode.IsDir() && !st.Mode.IsRegular() {
			return fmt.Errorf("copying to %s:%s: it must be a directory or a regular file", ctr, dst)
		}
		target.Exists, target.IsDir = true, st.Mode.IsDir()
	case !errors.Is(err, ErrPathNotFound):
		return err
	}
	if local.Path == "" {
		if !target.IsDir {
			return fmt.Errorf("copying a tar stream to %s:%s: the destination must be an existing directory", ctr, dst)
		}
		return c.CopyInto(ctx, ctr, target.Path, o.Stdin, o.Archive)
	}
	dir, name, err := copyPlacement(local, target)
	if err != nil {
		return fmt.Errorf("copying %s to %s:%s: %w", local.Path, ctr, dst, err)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeHostArchive(pw, local, name)) }()
	err = c.CopyInto(ctx, ctr, dir, pr, o.Archive)
	pr.CloseWithError(err)
	return err
}

// copyFromContainer copies src in the container to dst on the host (or, for
// "-", its tar stream to Stdout).
func copyFromContainer(ctx context.Context, c Copier, ctr, src, dst string, o CopyOptions) error {
	var local copyEnd
	if dst != "-" {
		var err error
		if local, err = hostDestination(dst); err != nil {
			return err
		}
	}
	source := copyEnd{Path: src}
	if o.FollowLink {
		st, err := c.StatPath(ctx, ctr, src)
		if err != nil {
			return err
		}
		if st.Mode&fs.ModeSymlink != 0 {
			source = followedSource(src, st.LinkTarget)
		}
	}
	rc, st, err := c.CopyFrom(ctx, ctr, source.Path)
	if err != nil {
		return err
	}
	defer rc.Close()
	if dst == "-" {
		if _, err := io.Copy(o.Stdout, rc); err != nil {
			return fmt.Errorf("copying %s:%s: %w", ctr, src, err)
		}
		return nil
	}
	source.Exists, source.IsDir = true, st.Mode.IsDir()
	dir, name, err := copyPlacement(source, local)
	if err != nil {
		return fmt.Errorf("copying %s:%s to %s: %w", ctr, src, dst, err)
	}
	_, archived := splitDirEntry(source.Path)
	return extractArchive(rc, dir, archived, name)
}
