package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"text/template"

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
	p, c, err := o.openForReading(ctx, services)
	if err != nil {
		return err
	}
	defer c.Close()
	clear := !o.noStream && isTerminal(stdout)
	err = engine.Stats(ctx, c, p.Name(), engine.StatsOptions{Services: services, All: o.all, Stream: !o.noStream}, func(rows []engine.ContainerStats) error {
		if clear {
			fmt.Fprint(stdout, "\033[2J\033[H")
		}
		return render(stdout, rows)
	})
	return interrupted(ctx, err)
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
var statsHeader = statsRow{BlockIO: "BLOCK I/O", CPUPerc: "CPU %", Container: "CONTAINER", ID: "CONTAINER ID",
	MemPerc: "MEM %", MemUsage: "MEM USAGE / LIMIT", Name: "NAME", NetIO: "NET I/O", PIDs: "PIDS"}

// statsTable is the docker CLI's default table.
const statsTable = `{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}`

// newStatsRenderer returns what prints samples in the given --format:
// table (the default), "table TEMPLATE", json (a JSON object a line) or a
// Go template (a line per container).
func newStatsRenderer(format string, noTrunc bool) (func(io.Writer, []engine.ContainerStats) error, error) {
	rows := func(samples []engine.ContainerStats) []statsRow {
		out := make([]statsRow, len(samples))
		for i, s := range samples {
			out[i] = toStatsRow(s, noTrunc)
		}
		return out
	}
	if format == "json" {
		return func(w io.Writer, samples []engine.ContainerStats) error {
			enc := json.NewEncoder(w)
			for _, r := range rows(samples) {
				if err := enc.Encode(r); err != nil {
					return err
				}
			}
			return nil
		}, nil
	}
	table := format == "" || format == "table" || strings.HasPrefix(format, "table ")
	text := strings.TrimSpace(strings.TrimPrefix(format, "table"))
	if text == "" {
		text = statsTable
	}
	text = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(text)
	tmpl, err := template.New("stats").Funcs(template.FuncMap{"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	}}).Parse(text + "\n")
	if err != nil {
		return nil, usageError("invalid --format template: %w", err)
	}
	return func(w io.Writer, samples []engine.ContainerStats) error {
		out := w
		var tw *tabwriter.Writer
		if table {
			tw = tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
			out = tw
			if err := tmpl.Execute(out, statsHeader); err != nil {
				return fmt.Errorf("--format: %w", err)
			}
		}
		for _, r := range rows(samples) {
			if err := tmpl.Execute(out, r); err != nil {
				return fmt.Errorf("--format: %w", err)
			}
		}
		if tw != nil {
			return tw.Flush()
		}
		return nil
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

// decimalSize renders bytes with decimal units and three significant
// digits: 1.23kB, 45.6MB (the docker CLI's I/O columns).
func decimalSize(n uint64) string {
	v, unit := scaleSize(float64(n), 1000, []string{"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"})
	return fmt.Sprintf("%.3g%s", v, unit)
}

// binarySize renders bytes with binary units and four significant digits:
// 1.5MiB, 7.637GiB (the docker CLI's memory column).
func binarySize(n uint64) string {
	v, unit := scaleSize(float64(n), 1024, []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"})
	return fmt.Sprintf("%.4g%s", v, unit)
}

func scaleSize(v, base float64, units []string) (float64, string) {
	i := 0
	for v >= base && i < len(units)-1 {
		v /= base
		i++
	}
	return v, units[i]
}
