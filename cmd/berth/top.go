package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
)

func newTopCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "top [SERVICE...]",
		Short: "Display the running processes",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTop(cmd.Context(), cmd.OutOrStdout(), g, args)
		},
		ValidArgsFunction: g.completeServices,
	}
}

func runTop(ctx context.Context, stdout io.Writer, g *globalOptions, services []string) error {
	_, name, c, err := g.openForReading(ctx, services)
	if err != nil {
		return err
	}
	defer c.Close()
	procs, err := engine.Top(ctx, c, name, services)
	if err != nil {
		return err
	}
	return printTop(stdout, procs)
}

// printTop prints the processes as Compose does: one table, a row per
// process, its container's service and number first, then the engine's
// columns (as they first appear), CMD last; "-" where a container's top
// lacks a column. Nothing is printed when no process runs.
func printTop(w io.Writer, cs []engine.ContainerProcesses) error {
	header := []string{"SERVICE", "#"}
	hasCmd := false
	for _, c := range cs {
		for _, t := range c.Titles {
			if t == "CMD" {
				hasCmd = true
			} else if !slices.Contains(header, t) {
				header = append(header, t)
			}
		}
	}
	if hasCmd {
		header = append(header, "CMD")
	}
	var rows [][]string
	for _, c := range cs {
		for _, proc := range c.Processes {
			values := map[string]string{"SERVICE": c.Service, "#": strconv.Itoa(c.Number)}
			for i, t := range c.Titles {
				if i < len(proc) {
					values[t] = proc[i]
				}
			}
			row := make([]string, len(header))
			for i, h := range header {
				if v, ok := values[h]; ok {
					row[i] = v
				} else {
					row[i] = "-"
				}
			}
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 4, 1, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}
