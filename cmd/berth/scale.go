package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/planner"
)

// scaleOptions are the flags of `berth scale`.
type scaleOptions struct {
	*globalOptions
	noDeps bool
}

func newScaleCommand(g *globalOptions) *cobra.Command {
	o := &scaleOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "scale [OPTIONS] SERVICE=REPLICAS...",
		Short: "Set the number of containers of services",
		Long: "Set the number of containers of services: an up of those services (and, unless --no-deps,\n" +
			"their dependencies) with the replica counts given; containers whose configuration is\n" +
			"unchanged are kept, scale-down removes the highest numbers first.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError("scale needs at least one SERVICE=REPLICAS; run 'berth scale --help' for usage")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScale(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			names, dir := g.completeServices(cmd, nil, toComplete)
			var out []string
			for _, n := range names {
				if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, n+"=") }) {
					out = append(out, n+"=")
				}
			}
			return out, dir | cobra.ShellCompDirectiveNoSpace
		},
	}
	c.Flags().BoolVar(&o.noDeps, "no-deps", false, "Don't start linked services")
	return c
}

// parseScaleArgs reads SERVICE=REPLICAS arguments.
func parseScaleArgs(args []string) (map[string]int, error) {
	scale := map[string]int{}
	for _, arg := range args {
		name, value, ok := strings.Cut(arg, "=")
		if !ok || name == "" || value == "" {
			return nil, usageError("invalid scale specifier %q: use SERVICE=REPLICAS", arg)
		}
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return nil, usageError("invalid scale specifier %q: the number of replicas must be a whole number, 0 or more", arg)
		}
		scale[name] = n
	}
	return scale, nil
}

func runScale(ctx context.Context, stdout, stderr io.Writer, o *scaleOptions, args []string) error {
	scale, err := parseScaleArgs(args)
	if err != nil {
		return err
	}
	services := slices.Sorted(maps.Keys(scale))
	p, err := o.loadForChange(ctx, services)
	if err != nil {
		return err
	}
	if err := checkServices(p, services...); err != nil {
		return err
	}
	for _, s := range services {
		if n := scale[s]; n > 1 && p.Compose.Services[s].ContainerName != "" {
			return fmt.Errorf("service %q sets container_name %q: it cannot have %d containers", s, p.Compose.Services[s].ContainerName, n)
		}
	}
	opts := engine.UpOptions{Plan: planner.Options{Services: services, NoDeps: o.noDeps, Scale: scale}}
	return o.runUpPlan(ctx, stdout, stderr, p, engine.Up, opts, nil)
}
