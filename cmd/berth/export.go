package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
)

// exportOptions are the flags of `berth export`.
type exportOptions struct {
	*globalOptions
	output string
	index  int
}

func newExportCommand(g *globalOptions) *cobra.Command {
	o := &exportOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "export [OPTIONS] SERVICE",
		Short: "Export a service container's filesystem as a tar archive",
		Args:  needArgs(1, 1, "exactly 1 argument, a SERVICE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.index, err = indexFlag(cmd, o.index); err != nil {
				return err
			}
			return runExport(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args[0])
		},
		ValidArgsFunction: g.completeServices,
	}
	c.Flags().StringVarP(&o.output, "output", "o", "", "Write to a file, instead of STDOUT")
	c.Flags().IntVar(&o.index, "index", 0, "Index of the container if the service has several replicas")
	return c
}

func runExport(ctx context.Context, stdout, stderr io.Writer, o *exportOptions, service string) error {
	if o.output == "" && !o.dryRun && isTerminal(stdout) {
		return usageError("refusing to write a tar archive to a terminal: use -o FILE or redirect standard output")
	}
	_, name, c, err := o.openForReading(ctx, []string{service})
	if err != nil {
		return err
	}
	defer c.Close()
	output := o.output
	if output != "" {
		output = absHostPath(o.streams.WorkDir, output)
	}
	pr := newProgress(stderr, o.progress, nil)
	err = engine.Export(ctx, c, name, engine.ExportOptions{Service: service, Index: o.index, Output: output, Stdout: stdout, DryRun: o.dryRun}, pr)
	pr.close()
	return err
}
