package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"

	"github.com/spf13/cobra"
)

type versionOptions struct {
	short  bool
	format string
}

func newVersionCommand() *cobra.Command {
	var o versionOptions
	c := &cobra.Command{
		Use:   "version",
		Short: "Show the Berth version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVersion(cmd.OutOrStdout(), o)
		},
	}
	c.Flags().BoolVar(&o.short, "short", false, "Print only the version number")
	c.Flags().StringVar(&o.format, "format", "", "Output format: pretty or json")
	return c
}

func runVersion(w io.Writer, o versionOptions) error {
	switch {
	case o.short:
		_, err := fmt.Fprintln(w, version)
		return err
	case o.format == "json":
		return json.NewEncoder(w).Encode(map[string]string{"version": version, "go": runtime.Version()})
	case o.format == "" || o.format == "pretty":
		_, err := fmt.Fprintf(w, "Berth version %s (%s)\n", version, runtime.Version())
		return err
	default:
		return usageError("invalid --format %q for version: use pretty or json", o.format)
	}
}
