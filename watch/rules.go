package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
)

// Rule is one develop.watch rule of a service, checked and with its path
// absolute. The loader has already refused unknown actions and a sync
// without a target, with the file and line.
type Rule struct {
	Service string
	// Index is the rule's place in the service's develop.watch, from 1, for
	// messages.
	Index int
	// Path is the watched file or directory, absolute.
	Path   string
	Action types.WatchAction
	// Target is where a sync puts Path in the container.
	Target string
	// Exec is the command sync+exec runs in each container after a sync.
	Exec types.ServiceHook
	// Include and Ignore are the rule's patterns, relative to Path.
	Include, Ignore []string
	// InitialSync syncs Path in full when the loop starts (sync and
	// sync+restart).
	InitialSync bool
}

// Syncs reports whether the rule copies files into the containers.
func (r Rule) Syncs() bool {
	switch r.Action {
	case types.WatchActionSync, types.WatchActionSyncRestart, types.WatchActionSyncExec:
		return true
	}
	return false
}

// Name names the rule in messages: `service "web": develop.watch rule 2 (sync ./src)`.
func (r Rule) Name() string {
	return fmt.Sprintf("service %q: develop.watch rule %d (%s %s)", r.Service, r.Index, r.Action, r.Path)
}

// Rules returns the develop.watch rules of the named services, or of every
// service that has some when none is named, in service name order. What
// the loop can do anyway is a warning: a watched path that does not exist
// yet (it is watched once created), a sync of a path the service already
// bind-mounts (the rule is skipped: the container sees the files already).
// What it cannot do is an error that names the service, the rule and what
// to do, before anything is watched.
func Rules(p *project.Project, services []string) ([]Rule, []string, error) {
	for _, s := range services {
		if !p.Graph.Has(s) {
			return nil, nil, fmt.Errorf("no such service: %q (services: %s)", s, strings.Join(p.Graph.Services(), ", "))
		}
	}
	var (
		rules    []Rule
		warnings []string
		errs     []error
	)
	for _, name := range p.Graph.Services() {
		if len(services) > 0 && !slices.Contains(services, name) {
			continue
		}
		s := p.Compose.Services[name]
		if s.Develop == nil || len(s.Develop.Watch) == 0 {
			if len(services) > 0 {
				errs = append(errs, fmt.Errorf("service %q has no develop.watch rules: add some under services.%s.develop.watch, or leave it out of `berth watch`", name, name))
			}
			continue
		}
		for i, t := range s.Develop.Watch {
			r := Rule{Service: name, Index: i + 1, Path: t.Path, Action: t.Action, Target: t.Target, Exec: t.Exec,
				Include: t.Include, Ignore: t.Ignore, InitialSync: t.InitialSync}
			if !filepath.IsAbs(r.Path) {
				r.Path = filepath.Join(p.Compose.WorkingDir, r.Path)
			}
			switch {
			case r.Action == types.WatchActionRebuild && s.Build == nil:
				errs = append(errs, fmt.Errorf("%s: the service has no build section to rebuild from: add one, or use action sync or restart", r.Name()))
				continue
			case r.Action == types.WatchActionSyncExec && len(r.Exec.Command) == 0:
				errs = append(errs, fmt.Errorf("%s: sync+exec needs exec.command: the command to run in the container after each sync", r.Name()))
				continue
			}
			if _, err := os.Stat(r.Path); errors.Is(err, fs.ErrNotExist) {
				warnings = append(warnings, fmt.Sprintf("%s: the path does not exist yet; it is watched once it is created", r.Name()))
			} else if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", r.Name(), err))
				continue
			}
			if r.Syncs() {
				if mount, ok := boundAt(s, r.Path); ok {
					warnings = append(warnings, fmt.Sprintf("%s: skipped: the service already bind-mounts %s at %s, so the container sees the changes", r.Name(), r.Path, mount))
					continue
				}
			}
			rules = append(rules, r)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, warnings, err
	}
	if len(rules) == 0 && len(services) == 0 {
		return nil, warnings, errors.New("no service has develop.watch rules: add some under services.<name>.develop.watch (see the Compose file reference)")
	}
	return rules, warnings, nil
}

// boundAt reports whether s bind-mounts path, or a directory that holds it,
// and where in the container.
func boundAt(s types.ServiceConfig, path string) (string, bool) {
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeBind || v.Source == "" {
			continue
		}
		rel, err := filepath.Rel(v.Source, path)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(filepath.Join(v.Target, rel)), true
		}
	}
	return "", false
}
