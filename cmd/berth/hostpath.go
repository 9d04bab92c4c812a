package main

import (
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine"
)

// hostPath makes a host side of cp absolute, from the directory Berth runs
// in, keeping a trailing "/" or "/." (they change what is copied); a
// service's path and "-" are returned as they are.
func (g *globalOptions) hostPath(c engine.CopyPath) string {
	if c.Service != "" || c.Path == "-" {
		return c.Path
	}
	return absHostPath(g.streams.WorkDir, c.Path)
}

// absHostPath is p made absolute against dir (the process's directory when
// empty), keeping a trailing "/" or "/.".
func absHostPath(dir, p string) string {
	abs := p
	if !filepath.IsAbs(p) {
		if dir == "" {
			if a, err := filepath.Abs(p); err == nil {
				abs = a
			}
		} else {
			abs = filepath.Join(dir, p)
		}
	}
	abs = filepath.Clean(abs)
	switch {
	case filepath.Base(p) == "." && filepath.Base(abs) != ".":
		abs += string(filepath.Separator) + "."
	case strings.HasSuffix(p, string(filepath.Separator)) && !strings.HasSuffix(abs, string(filepath.Separator)):
		abs += string(filepath.Separator)
	}
	return abs
}
