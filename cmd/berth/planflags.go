package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// planFlags are the flags of `up` and `plan` that shape the plan.
type planFlags struct {
	forceRecreate      bool
	noRecreate         bool
	alwaysRecreateDeps bool
	removeOrphans      bool
	noDeps             bool
	renewAnonVolumes   bool
	noStart            bool
	recreateVolumes    bool
	scale              []string
}

func (f *planFlags) register(fs *pflag.FlagSet) {
	f.registerRecreate(fs)
	fs.BoolVar(&f.alwaysRecreateDeps, "always-recreate-deps", false, "Recreate dependent containers too")
	fs.BoolVar(&f.noDeps, "no-deps", false, "Don't start linked services")
	fs.BoolVarP(&f.renewAnonVolumes, "renew-anon-volumes", "V", false, "Recreate anonymous volumes instead of keeping their data")
	fs.BoolVar(&f.noStart, "no-start", false, "Don't start the services after creating them")
}

// registerRecreate registers the flags `create` shares with `up`.
func (f *planFlags) registerRecreate(fs *pflag.FlagSet) {
	fs.BoolVar(&f.forceRecreate, "force-recreate", false, "Recreate containers even if their configuration and image haven't changed")
	fs.BoolVar(&f.noRecreate, "no-recreate", false, "If containers already exist, don't recreate them")
	fs.BoolVar(&f.removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the compose file")
	fs.StringArrayVar(&f.scale, "scale", nil, "Scale SERVICE to NUM instances (SERVICE=NUM; repeatable)")
	fs.BoolVar(&f.recreateVolumes, "recreate-changed-volumes", false, "Remove and recreate named volumes whose configuration changed (their data is lost)")
}

// options checks the flags against each other and the project and returns
// the planner's options.
func (f *planFlags) options(p *project.Project, services []string, env Streams) (planner.Options, error) {
	if f.forceRecreate && f.noRecreate {
		return planner.Options{}, usageError("--force-recreate and --no-recreate cannot be combined")
	}
	if f.alwaysRecreateDeps && f.noRecreate {
		return planner.Options{}, usageError("--always-recreate-deps and --no-recreate cannot be combined")
	}
	opt := planner.Options{
		Services:               services,
		NoDeps:                 f.noDeps,
		ForceRecreate:          f.forceRecreate,
		NoRecreate:             f.noRecreate,
		AlwaysRecreateDeps:     f.alwaysRecreateDeps,
		RemoveOrphans:          f.removeOrphans,
		RenewAnonVolumes:       f.renewAnonVolumes,
		NoStart:                f.noStart,
		RecreateChangedVolumes: f.recreateVolumes,
	}
	if v, ok := env.Getenv("COMPOSE_REMOVE_ORPHANS"); ok && !f.removeOrphans {
		opt.RemoveOrphans, _ = strconv.ParseBool(v)
	}
	for _, s := range f.scale {
		name, num, ok := strings.Cut(s, "=")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n < 0 {
			return planner.Options{}, usageError("invalid --scale %q: use SERVICE=NUM, NUM a whole number", s)
		}
		if !p.Graph.Has(name) {
			return planner.Options{}, usageError("--scale %s: no such service %q (services: %s)", s, name, strings.Join(p.Graph.Services(), ", "))
		}
		if opt.Scale == nil {
			opt.Scale = map[string]int{}
		}
		opt.Scale[name] = n
	}
	for _, s := range services {
		if !p.Graph.Has(s) {
			return planner.Options{}, fmt.Errorf("no such service: %q (services: %s)", s, strings.Join(p.Graph.Services(), ", "))
		}
	}
	return opt, nil
}
