package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
)

// statsOptions are the flags of `berth stats`.
type statsOptions struct {
	*globalOptions
	all      bool
	format   string
	noStream bool
	noTrunc  bool
}

func newStatsCommand(g *globalOptions) *cobra.Command {
	o := &statsOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "stats [OPTIONS] [SERVICE]",
		Short: "Display a live stream of container(s) resource usage statistics",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStats(cmd.Context(), cmd.OutOrStdout(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	f := c.Flags()
	f.BoolVarP(&o.all, "all", "a", false, "Show all containers (default shows just running)")
	f.StringVar(&o.format, "format", "", "Format output: table (default), table TEMPLATE, json, or a Go template")
	f.BoolVar(&o.noStream, "no-stream", false, "Disable streaming stats and only pull the first result")
	f.BoolVar(&o.noTrunc, "no-trunc", false, "Do not truncate output")
	return c
}

func runStats(ctx context.Context, stdout io.Writer, o *statsOptions, services []string) error {
	if len(services) > 1 {
		return usageError("stats takes at most one service, not %d", len(services))
	}
	render, err := newStatsRenderer(o.format, o.noTrunc)
	if err != nil {
		return err
	}
	_, name, c, err := o.openForReading(ctx, services)
	if err != nil {
		return err
	}
	defer c.Close()
	clear := !o.noStream && isTerminal(stdout)
	err = engine.Stats(ctx, c, name, engine.StatsOptions{Services: services, All: o.all, Stream: !o.noStream}, func(rows []engine.ContainerStats) error {
		if clear {
			fmt.Fprint(stdout, "\033[2J\033[H")
		}
		return render(stdout, rows)
	})
	return exitInterrupted(ctx, err)
}

// statsRow is one container's sample as `stats` prints it; the fields are
// those of the docker CLI's templates, in its JSON order.
type statsRow struct {
	BlockIO   string
	CPUPerc   string
	Container string
	ID        string
	MemPerc   string
	MemUsage  string
	Name      string
	NetIO     string
	PIDs      string
}

// statsHeader names the columns of a table.
var statsHeader = map[string]string{"BlockIO": "BLOCK I/O", "CPUPerc": "CPU %", "Container": "CONTAINER", "ID": "CONTAINER ID",
	"MemPerc": "MEM %", "MemUsage": "MEM USAGE / LIMIT", "Name": "NAME", "NetIO": "NET I/O", "PIDs": "PIDS"}

// statsTable is the docker CLI's default table.
const statsTable = `table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}`

// newStatsRenderer returns what prints samples in the given --format
// (see writeFormatted): table (the default), "table TEMPLATE", json (a
// JSON object a line) or a Go template (a line per container). A template
// that does not parse is a usage error at once.
func newStatsRenderer(format string, noTrunc bool) (func(io.Writer, []engine.ContainerStats) error, error) {
	if err := checkFormat(format); err != nil {
		return nil, err
	}
	return func(w io.Writer, samples []engine.ContainerStats) error {
		rows := make([]any, len(samples))
		for i, s := range samples {
			rows[i] = toStatsRow(s, noTrunc)
		}
		return writeFormatted(w, format, statsTable, statsHeader, rows)
	}, nil
}

// toStatsRow renders a sample as the docker CLI does.
func toStatsRow(s engine.ContainerStats, noTrunc bool) statsRow {
	id := s.ID
	if !noTrunc && len(id) > 12 {
		id = id[:12]
	}
	return statsRow{
		BlockIO:   decimalSize(s.BlockRead) + " / " + decimalSize(s.BlockWrite),
		CPUPerc:   fmt.Sprintf("%.2f%%", s.CPUPercent),
		Container: id,
		ID:        id,
		MemPerc:   fmt.Sprintf("%.2f%%", s.MemPercent),
		MemUsage:  binarySize(s.MemUsage) + " / " + binarySize(s.MemLimit),
		Name:      s.Name,
		NetIO:     decimalSize(s.NetRx) + " / " + decimalSize(s.NetTx),
		PIDs:      fmt.Sprintf("%d", s.PIDs),
	}
}
