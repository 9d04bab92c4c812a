package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
)

// lsOptions are the flags of `berth ls`.
type lsOptions struct {
	*globalOptions
	all     bool
	quiet   bool
	filters []string
	format  string
}

func newLsCommand(g *globalOptions) *cobra.Command {
	o := &lsOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "ls [OPTIONS]",
		Short: "List the projects on the engine, Berth's and Compose's",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError("ls takes no arguments (got %q); use --filter name=NAME", args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLs(cmd.Context(), cmd.OutOrStdout(), o)
		},
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	f := c.Flags()
	f.BoolVarP(&o.all, "all", "a", false, "Show all projects, stopped ones included")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "Only display project names")
	f.StringArrayVar(&o.filters, "filter", nil, "Filter output based on conditions provided (name=NAME, a regular expression; repeatable)")
	f.StringVar(&o.format, "format", "table", "Output format: table or json")
	return c
}

// lsJSON is one project as `ls --format json` prints it.
type lsJSON struct {
	Name        string
	Status      string
	ConfigFiles string
}

// nameFilter is the --filter name=... values: a project matches one that
// is its name, or a regular expression that matches it, as with Compose.
type nameFilter []nameValue

type nameValue struct {
	value string
	re    *regexp.Regexp
}

// parseLsFilters reads the --filter values. A filter other than name=, or
// a name that is not a regular expression, is a usage error naming it.
func parseLsFilters(filters []string) (nameFilter, error) {
	var names nameFilter
	for _, f := range filters {
		key, value, ok := strings.Cut(f, "=")
		if !ok || key != "name" {
			return nil, usageError("invalid --filter %q: the only filter is name=NAME", f)
		}
		re, err := regexp.Compile(value)
		if err != nil {
			return nil, usageError("invalid --filter %q: the name is a regular expression: %w", f, err)
		}
		names = append(names, nameValue{value, re})
	}
	return names, nil
}

func (f nameFilter) match(name string) bool {
	if len(f) == 0 {
		return true
	}
	for _, v := range f {
		if v.value == name || v.re.MatchString(name) {
			return true
		}
	}
	return false
}

func runLs(ctx context.Context, stdout io.Writer, o *lsOptions) error {
	if o.format != "table" && o.format != "json" {
		return usageError("invalid --format %q: use table or json", o.format)
	}
	// every filter is checked before the engine is asked anything
	names, err := parseLsFilters(o.filters)
	if err != nil {
		return err
	}
	c, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	projects, err := c.Projects(ctx, o.all)
	if err != nil {
		return err
	}
	var rows []engine.ProjectInfo
	for _, p := range projects {
		if names.match(p.Name) {
			rows = append(rows, p)
		}
	}
	switch {
	case o.quiet:
		for _, p := range rows {
			fmt.Fprintln(stdout, p.Name)
		}
		return nil
	case o.format == "json":
		out := make([]lsJSON, 0, len(rows))
		for _, p := range rows {
			out = append(out, lsJSON{Name: p.Name, Status: p.Status(), ConfigFiles: p.ConfigFiles})
		}
		return writeJSON(stdout, out)
	}
	lines := make([]string, 0, len(rows))
	for _, p := range rows {
		lines = append(lines, p.Name+"\t"+p.Status()+"\t"+p.ConfigFiles)
	}
	return writeSection(stdout, []string{"NAME", "STATUS", "CONFIG FILES"}, lines)
}
