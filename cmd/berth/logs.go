package main

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project"
)

// logsOptions are the flags of `berth logs`.
type logsOptions struct {
	*globalOptions
	follow     bool
	index      int
	tail       string
	since      string
	until      string
	noColor    bool
	noPrefix   bool
	timestamps bool
	merge      bool
}

// mergeWindow is how long `logs -f --merge` holds a line for the lines of
// other containers written at about the same moment.
const mergeWindow = 200 * time.Millisecond

func newLogsCommand(g *globalOptions) *cobra.Command {
	o := &logsOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "logs [OPTIONS] [SERVICE...]",
		Short: "View output from containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.index, err = indexFlag(cmd, o.index); err != nil {
				return err
			}
			return runLogs(cmd.Context(), cmd.OutOrStdout(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	f := c.Flags()
	// -f is --follow here, as with Compose; the compose file is still
	// --file (or -f before `logs`)
	g.shadowGlobal(f, "file")
	f.BoolVarP(&o.follow, "follow", "f", false, "Follow log output, and the containers that start later")
	f.IntVar(&o.index, "index", 0, "Index of the container if the service has multiple replicas")
	f.StringVarP(&o.tail, "tail", "n", "all", "Number of lines to show from the end of the logs for each container")
	f.StringVar(&o.since, "since", "", "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	f.StringVar(&o.until, "until", "", "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	f.BoolVar(&o.noColor, "no-color", false, "Produce monochrome output")
	f.BoolVar(&o.noPrefix, "no-log-prefix", false, "Don't print prefix in logs")
	f.BoolVarP(&o.timestamps, "timestamps", "t", false, "Show timestamps")
	f.BoolVar(&o.merge, "merge", false, "Interleave the lines of all containers in the order of their timestamps")
	return c
}

// logOptions checks the flags and turns them into what the engine reads.
func (o *logsOptions) logOptions(services []string, now time.Time) (engine.LogOptions, error) {
	lo := engine.LogOptions{Services: services, Index: o.index, Tail: -1, Timestamps: o.timestamps || o.merge, OneOffs: true}
	if o.index > 0 && len(services) != 1 {
		return lo, usageError("--index needs exactly one service: berth logs --index %d SERVICE", o.index)
	}
	if o.tail != "all" {
		n, err := strconv.Atoi(o.tail)
		if err != nil || n < 0 {
			return lo, usageError("invalid --tail %q: give a number of lines, or all", o.tail)
		}
		lo.Tail = n
	}
	if err := parseTimeFlags(now, timeFlag{"--since", o.since, &lo.Since}, timeFlag{"--until", o.until, &lo.Until}); err != nil {
		return lo, err
	}
	return lo, nil
}

func runLogs(ctx context.Context, stdout io.Writer, o *logsOptions, services []string) error {
	lo, err := o.logOptions(services, time.Now())
	if err != nil {
		return err
	}
	p, name, c, err := o.openForReading(ctx, services)
	if err != nil {
		return err
	}
	defer c.Close()
	if len(lo.Services) == 0 && p != nil {
		lo.Services = attachedServices(p)
	}
	shown := map[string]bool{}
	for _, s := range lo.Services {
		shown[s] = true
	}
	if len(shown) == 0 { // a project known by name alone: every service
		cs, _ := c.List(ctx, name, true)
		for _, ctr := range cs {
			shown[ctr.Service] = true
		}
	}
	printer := &logPrinter{w: stdout, project: name, width: prefixWidth(ctx, c, name, shown),
		color: !o.noColor && isTerminal(stdout), noPrefix: o.noPrefix, timestamps: o.timestamps}
	var sink engine.LogSink = printer
	if o.merge {
		m := newLogMerger(printer, mergeWindow)
		defer m.Close()
		sink = m
	}
	err = engine.Logs(ctx, c, name, engine.LogsOptions{LogOptions: lo, Follow: o.follow}, sink)
	return exitInterrupted(ctx, err)
}

// attachedServices are the project's services whose output `logs` shows
// when none is named: those not marked attach: false, as with Compose.
func attachedServices(p *project.Project) []string {
	var out []string
	for _, name := range p.Graph.Services() {
		if svc, ok := p.Compose.Services[name]; ok && svc.Attach != nil && !*svc.Attach {
			continue
		}
		out = append(out, name)
	}
	return out
}
