package engine

import (
	"errors"
	"path"
	"strings"
)

// The path rules of `berth cp` are docker cp's: a destination that is an
// existing directory receives the source under its own name; one that does
// not exist becomes a copy of the source under the destination's name; a
// source ending in "/." copies a directory's contents rather than the
// directory; a destination ending in "/" must be a directory. Paths here are
// slash-separated (container paths, and host paths on the platforms Berth
// runs on).

var (
	// errCopyDirToFile: a directory cannot replace an existing file.
	errCopyDirToFile = errors.New("cannot copy a directory to a file")
	// errDestDirMissing: a destination ending in "/" does not exist and a
	// file cannot create it.
	errDestDirMissing = errors.New("destination directory does not exist")
)

// copyEnd is one side of a copy as its path and what is there.
type copyEnd struct {
	Path   string
	Exists bool
	IsDir  bool
	// Rebase is, for a source reached through a symbolic link (-L), the
	// name the copy takes (the link's own name rather than its target's).
	Rebase string
}

// splitDirEntry splits p into its directory and the entry it names,
// keeping a trailing "/." as the entry ".": "/a/b/" → "/a", "b";
// "/a/b/." → "/a/b", ".".
func splitDirEntry(p string) (dir, base string) {
	cleaned := path.Clean(p)
	if specifiesCurrentDir(p) {
		cleaned += "/."
	}
	return path.Dir(cleaned), path.Base(cleaned)
}

// specifiesCurrentDir is true for a path whose last element is ".".
func specifiesCurrentDir(p string) bool { return path.Base(p) == "." }

// assertsDirectory is true for a path written as a directory: a trailing
// "/" or "/.".
func assertsDirectory(p string) bool { return strings.HasSuffix(p, "/") || specifiesCurrentDir(p) }

// sourceName is the name a source's archive entries start with: its
// rebase name, else the last element of its path ("." for "dir/.").
func (src copyEnd) sourceName() string {
	if src.Rebase != "" {
		return src.Rebase
	}
	_, base := splitDirEntry(src.Path)
	if base == "/" {
		return "." // the root directory's archive holds its contents
	}
	return base
}

// copyPlacement says where an archive of src is unpacked so that the copy
// lands where docker cp puts it: the directory to unpack into, and the
// name the archive's top entry takes there ("." unpacks a directory's
// contents into dir itself).
func copyPlacement(src, dst copyEnd) (dir, name string, err error) {
	dstDir, dstBase := splitDirEntry(dst.Path)
	switch {
	case dst.Exists && dst.IsDir:
		return path.Clean(dst.Path), src.sourceName(), nil
	case dst.Exists && src.IsDir:
		return "", "", errCopyDirToFile
	case dst.Exists, src.IsDir:
		return dstDir, dstBase, nil
	case assertsDirectory(dst.Path):
		return "", "", errDestDirMissing
	default:
		return dstDir, dstBase, nil
	}
}

// followedSource is docker cp's rule for a source reached through a
// symbolic link (-L): the copy is of target (the link resolved, joined to
// the link's directory when relative) under the link's own name.
func followedSource(linkPath, target string) copyEnd {
	if !path.IsAbs(target) {
		dir, _ := splitDirEntry(linkPath)
		target = path.Join(dir, target)
	}
	if specifiesCurrentDir(linkPath) && !specifiesCurrentDir(target) {
		target += "/."
	}
	if strings.HasSuffix(linkPath, "/") && !strings.HasSuffix(target, "/") {
		target += "/"
	}
	end := copyEnd{Path: target}
	if path.Base(linkPath) != path.Base(target) {
		end.Rebase = path.Base(linkPath)
	}
	return end
}

// rebaseEntry renames the top element of an archive entry name from old to
// name; "." on either side (or "/" as old) means the entries are a
// directory's contents.
// It returns false for an entry that is not under old.
func rebaseEntry(entry, old, name string) (string, bool) {
	e := strings.TrimPrefix(path.Clean("/"+entry), "/")
	if e == "" {
		e = "."
	}
	var rest string
	switch {
	case old == "." || old == "/":
		rest = e
	case e == old:
		rest = "."
	case strings.HasPrefix(e, old+"/"):
		rest = strings.TrimPrefix(e, old+"/")
	default:
		return "", false
	}
	return path.Join(name, rest), true
}
