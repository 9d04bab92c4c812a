package main

import (
	"context"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
)

// buildOptions are the flags of `berth build`.
type buildOptions struct {
	*globalOptions
	noCache   bool
	pull      bool
	buildArgs []string
	quiet     bool
}

func newBuildCommand(g *globalOptions) *cobra.Command {
	o := &buildOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "build [OPTIONS] [SERVICE...]",
		Short: "Build or rebuild the services' images",
		Long: "Build the images of the services that have a build section, in parallel, through the\n" +
			"Engine API; each line of builder output is prefixed with its service.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBuild(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	f := c.Flags()
	f.BoolVar(&o.noCache, "no-cache", false, "Do not use cache when building the image")
	f.BoolVar(&o.pull, "pull", false, "Always attempt to pull a newer version of the base images")
	f.StringArrayVar(&o.buildArgs, "build-arg", nil, "Set a build-time variable (KEY=VALUE; KEY alone takes it from the environment)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "Don't print anything to standard output")
	return c
}

func (o *buildOptions) engineOptions() (engine.BuildOptions, error) {
	bo := engine.BuildOptions{NoCache: o.noCache, Pull: o.pull, Quiet: o.quiet}
	for _, a := range o.buildArgs {
		k, v, ok := strings.Cut(a, "=")
		if k == "" {
			return bo, usageError("invalid --build-arg %q: use KEY=VALUE", a)
		}
		if !ok {
			env, found := o.streams.Getenv(k)
			if !found {
				continue
			}
			v = env
		}
		if bo.Args == nil {
			bo.Args = map[string]string{}
		}
		bo.Args[k] = v
	}
	return bo, nil
}

func runBuild(ctx context.Context, stdout, stderr io.Writer, o *buildOptions, services []string) error {
	bo, err := o.engineOptions()
	if err != nil {
		return err
	}
	return o.runImageCommand(ctx, stdout, stderr, services, engine.ImagesOptions{Build: bo}, engine.Build)
}
