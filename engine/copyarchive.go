package engine

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// hostSource resolves a host path to copy from, as docker cp does: with
// follow every symbolic link is resolved and the copy keeps the name it was
// asked by; without, links in the parent directories are resolved and a
// link named last is copied as a link. A missing path is an error.
func hostSource(p string, follow bool) (copyEnd, error) {
	var end copyEnd
	if follow {
		resolved, err := filepath.EvalSymlinks(p)
		if err != nil {
			return copyEnd{}, fmt.Errorf("copying %s: %w", p, hostPathError(err))
		}
		end = followedSource(filepath.ToSlash(p), filepath.ToSlash(resolved))
	} else {
		dir, base := filepath.Split(p)
		resolvedDir, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return copyEnd{}, fmt.Errorf("copying %s: %w", p, hostPathError(err))
		}
		end.Path = filepath.ToSlash(resolvedDir) + "/" + base
		if strings.HasSuffix(p, "/") && path.Base(p) != path.Base(end.Path) {
			end.Rebase = path.Base(p)
		}
	}
	st, err := os.Lstat(filepath.FromSlash(end.Path))
	if err != nil {
		return copyEnd{}, fmt.Errorf("copying %s: %w", p, hostPathError(err))
	}
	end.Exists, end.IsDir = true, st.IsDir()
	return end, nil
}

// hostPathError turns a missing host path's error into a short one.
func hostPathError(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no such file or directory on the host")
	}
	return err
}

// hostDestination describes a host path copied to: whether it exists (links
// followed) and is a directory. Its parent directory must exist.
func hostDestination(p string) (copyEnd, error) {
	end := copyEnd{Path: filepath.ToSlash(p)}
	dir, _ := splitDirEntry(end.Path)
	if st, err := os.Stat(filepath.FromSlash(dir)); err != nil || !st.IsDir() {
		return copyEnd{}, fmt.Errorf("copying to %s: directory %s does not exist on the host", p, dir)
	}
	st, err := os.Stat(p)
	switch {
	case err == nil:
		if !st.IsDir() && !st.Mode().IsRegular() {
			return copyEnd{}, fmt.Errorf("copying to %s: it must be a directory or a regular file", p)
		}
		end.Exists, end.IsDir = true, st.IsDir()
	case !errors.Is(err, fs.ErrNotExist):
		return copyEnd{}, fmt.Errorf("copying to %s: %w", p, err)
	}
	return end, nil
}

// writeHostArchive writes src (a file, link or directory tree on the host)
// to w as a tar stream whose entries start with name ("." for a directory's
// contents), with their modes, owners and times. Links are archived as
// links.
func writeHostArchive(w io.Writer, src copyEnd, name string) error {
	tw := tar.NewWriter(w)
	root := filepath.FromSlash(path.Clean(src.Path))
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		entry := path.Join(name, filepath.ToSlash(rel))
		if entry == "." {
			return nil // the contents of a directory, not the directory
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Mode()&(fs.ModeSocket|fs.ModeNamedPipe) != 0 {
			return nil
		}
		return WriteArchiveEntry(tw, p, entry, info, true)
	})
	if err != nil {
		return fmt.Errorf("archiving %s: %w", src.Path, err)
	}
	return tw.Close()
}

// WriteArchiveEntry writes one host file, directory or symbolic link to tw
// as name, with its mode and times; its owner too with keepOwners, else
// root (as the engine makes a copy's files in a container).
func WriteArchiveEntry(tw *tar.Writer, file, name string, fi fs.FileInfo, keepOwners bool) error {
	link := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		var err error
		if link, err = os.Readlink(file); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return err
	}
	hdr.Name, hdr.Uname, hdr.Gname = name, "", ""
	if fi.IsDir() {
		hdr.Name += "/"
	}
	if !keepOwners {
		hdr.Uid, hdr.Gid = 0, 0
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.CopyN(tw, f, hdr.Size)
	return err
}

// extractArchive unpacks a tar stream into the host directory dir, renaming
// its top entry from old to name (see rebaseEntry). Nothing is written
// outside dir: entries are opened through an os.Root, so neither ".." nor a
// link in the archive leads out. Owners are not changed; modes and times
// are kept. A directory is never replaced by a file or the reverse.
func extractArchive(r io.Reader, dir, old, name string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("copying into %s: %w", dir, err)
	}
	defer root.Close()
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the archive: %w", err)
		}
		target, ok := rebaseEntry(hdr.Name, old, name)
		if !ok {
			continue
		}
		if hdr.Typeflag == tar.TypeLink {
			if hdr.Linkname, ok = rebaseEntry(hdr.Linkname, old, name); !ok {
				return fmt.Errorf("copying %s into %s: hard link to %s outside the copy", target, dir, hdr.Linkname)
			}
		}
		if err := extractEntry(root, tr, hdr, target); err != nil {
			return fmt.Errorf("copying %s into %s: %w", target, dir, err)
		}
	}
}

func extractEntry(root *os.Root, r io.Reader, hdr *tar.Header, target string) error {
	mode := hdr.FileInfo().Mode()
	if parent := path.Dir(target); parent != "." {
		if err := root.MkdirAll(parent, 0o755); err != nil {
			return err
		}
	}
	existing, statErr := root.Lstat(target)
	exists := statErr == nil
	switch hdr.Typeflag {
	case tar.TypeDir:
		if exists && !existing.IsDir() {
			return fmt.Errorf("cannot overwrite a file with a directory")
		}
		if !exists {
			if err := root.Mkdir(target, 0o700); err != nil {
				return err
			}
		}
		if err := root.Chmod(target, mode.Perm()); err != nil {
			return err
		}
	case tar.TypeReg:
		if exists && existing.IsDir() {
			return fmt.Errorf("cannot overwrite a directory with a file")
		}
		if exists {
			if err := root.Remove(target); err != nil {
				return err
			}
		}
		f, err := root.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, r); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		if err := root.Chmod(target, mode.Perm()); err != nil {
			return err
		}
	case tar.TypeSymlink, tar.TypeLink:
		if exists && existing.IsDir() {
			return fmt.Errorf("cannot overwrite a directory with a link")
		}
		if exists {
			if err := root.Remove(target); err != nil {
				return err
			}
		}
		if hdr.Typeflag == tar.TypeSymlink {
			return root.Symlink(hdr.Linkname, target)
		}
		return root.Link(hdr.Linkname, target)
	default:
		return nil // devices and fifos are not recreated on the host
	}
	return root.Chtimes(target, hdr.AccessTime, hdr.ModTime)
}
