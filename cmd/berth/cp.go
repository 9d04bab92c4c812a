package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
	"github.com/berth-dev/berth/project"
)

// cpOptions are the flags of `berth cp`.
type cpOptions struct {
	*globalOptions
	index      int
	all        bool
	followLink bool
	archive    bool
}

func newCpCommand(g *globalOptions) *cobra.Command {
	o := &cpOptions{globalOptions: g}
	c := &cobra.Command{
		Use: "cp [OPTIONS] SERVICE:SRC_PATH DEST_PATH|-\n" +
			"  berth cp [OPTIONS] SRC_PATH|- SERVICE:DEST_PATH",
		Short: "Copy files/folders between a service container and the local filesystem",
		Long: "Copy files or directories between a service's containers and the host, with docker cp's\n" +
			"path rules. Copying into a service copies into each of its containers (or the one --index\n" +
			"names); copying from one copies from its first container. '-' as the source reads a tar\n" +
			"stream from standard input; as the destination, writes one to standard output.",
		Args: needArgs(2, 2, "exactly 2 arguments, a source and a destination"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCp(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args[0], args[1])
		},
		ValidArgsFunction: g.completeCopyArg,
	}
	c.Flags().IntVar(&o.index, "index", 0, "Index of the container if the service has several replicas")
	c.Flags().BoolVar(&o.all, "all", false, "Include containers created by the run command")
	c.Flags().BoolVarP(&o.followLink, "follow-link", "L", false, "Always follow symbol link in SRC_PATH")
	c.Flags().BoolVarP(&o.archive, "archive", "a", false, "Archive mode (copy all uid/gid information)")
	return c
}

func runCp(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, o *cpOptions, source, destination string) error {
	if source == "" || destination == "" {
		return usageError("cp needs a source and a destination: neither can be empty")
	}
	src, dst := splitCopyArg(source), splitCopyArg(destination)
	switch {
	case src.Service != "" && dst.Service != "":
		return usageError("copying between services is not supported: one of %q and %q must be a host path", source, destination)
	case src.Service == "" && dst.Service == "":
		return usageError("neither %q nor %q names a service: write one side as SERVICE:PATH", source, destination)
	case src.Path == "" || dst.Path == "":
		return usageError("cp needs a path after SERVICE:")
	case src.Service != "" && src.Path == "-":
		return usageError("'-' stands for a host tar stream, not a path in a container")
	}
	src.Path = o.hostPath(src)
	dst.Path = o.hostPath(dst)
	p, c, err := o.openService(ctx, src.Service+dst.Service, o.index)
	if err != nil {
		return err
	}
	defer c.Close()
	pr := newProgress(stderr, o.progress, nil)
	err = engine.Copy(ctx, c, p, engine.CopyOptions{
		Source: src, Destination: dst, Index: o.index, All: o.all,
		FollowLink: o.followLink, Archive: o.archive, Stdin: stdin, Stdout: stdout, DryRun: o.dryRun, Parallel: o.parallel,
	}, pr)
	pr.close()
	return err
}

// completeCopyArg completes a cp argument: SERVICE: for each service of the
// project, and host paths.
func (g *globalOptions) completeCopyArg(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) >= 2 || strings.Contains(toComplete, ":") {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	names, _ := g.completeServices(cmd, nil, toComplete)
	for i, n := range names {
		names[i] = n + ":"
	}
	if len(names) == 0 {
		return nil, cobra.ShellCompDirectiveDefault
	}
	return names, cobra.ShellCompDirectiveNoSpace
}

// splitCopyArg reads a cp argument as docker cp does: SERVICE:PATH, unless
// it is an absolute path or a relative one starting with "." (so a host
// file with a colon in its name is written ./a:b), or has no colon.
func splitCopyArg(arg string) engine.CopyPath {
	if filepath.IsAbs(arg) {
		return engine.CopyPath{Path: arg}
	}
	service, p, ok := strings.Cut(arg, ":")
	if !ok || strings.HasPrefix(service, ".") {
		return engine.CopyPath{Path: arg}
	}
	return engine.CopyPath{Service: service, Path: p}
}

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

// openService loads the project and connects to the engine for a command
// about one service's containers (cp, export, commit); an unknown service
// or a negative --index is a usage error.
func (g *globalOptions) openService(ctx context.Context, service string, index int) (*project.Project, *docker.Client, error) {
	if index < 0 {
		return nil, nil, usageError("invalid --index %d: container numbers start at 1", index)
	}
	p, err := g.load(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	if !p.Graph.Has(service) {
		// a service its profile leaves out may still have containers
		opts := g.projectOptions(nil)
		opts.NoDefaultPlatform, opts.Enable = true, []string{service}
		if q, err := project.Load(ctx, opts); err == nil {
			p = q
		}
	}
	if !p.Graph.Has(service) {
		return nil, nil, usageError("no such service: %q (services: %s)", service, strings.Join(p.Graph.Services(), ", "))
	}
	c, err := docker.Connect(ctx)
	if err != nil {
		return nil, nil, err
	}
	return p, c, nil
}
