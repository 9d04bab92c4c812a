package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
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
			var err error
			if o.index, err = indexFlag(cmd, o.index); err != nil {
				return err
			}
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
	_, name, c, err := o.openForReading(ctx, []string{src.Service + dst.Service})
	if err != nil {
		return err
	}
	defer c.Close()
	pr := newProgress(stderr, o.progress, nil)
	err = engine.Copy(ctx, c, name, engine.CopyOptions{
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
