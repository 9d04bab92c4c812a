package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
)

// psOptions are the flags of `berth ps`.
type psOptions struct {
	*globalOptions
	all      bool
	quiet    bool
	services bool
	status   []string
	filter   string
	format   string
	noTrunc  bool
}

var psStatuses = []string{"paused", "restarting", "removing", "running", "dead", "created", "exited"}

func newPsCommand(g *globalOptions) *cobra.Command {
	o := &psOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "ps [OPTIONS] [SERVICE...]",
		Short: "List the project's containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPs(cmd.Context(), cmd.OutOrStdout(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	f := c.Flags()
	f.BoolVarP(&o.all, "all", "a", false, "Show all containers, stopped ones included")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "Only display IDs")
	f.BoolVar(&o.services, "services", false, "Display services")
	f.StringArrayVar(&o.status, "status", nil, "Filter by status: "+strings.Join(psStatuses, ", ")+" (repeatable)")
	f.StringVar(&o.filter, "filter", "", "Filter by a property (status=running)")
	f.StringVar(&o.format, "format", "table", "Output format: table, json, or a Go template")
	f.BoolVar(&o.noTrunc, "no-trunc", false, "Don't truncate output")
	return c
}

func runPs(ctx context.Context, stdout io.Writer, o *psOptions, services []string) error {
	statuses := append([]string(nil), o.status...)
	if o.filter != "" {
		key, value, ok := strings.Cut(o.filter, "=")
		if !ok || key != "status" {
			return usageError("invalid --filter %q: the only filter is status=STATUS", o.filter)
		}
		statuses = append(statuses, value)
	}
	for _, s := range statuses {
		if !contains(psStatuses, s) {
			return usageError("invalid status %q: use one of %s", s, strings.Join(psStatuses, ", "))
		}
	}
	p, err := o.load(ctx, nil)
	if err != nil {
		return err
	}
	for _, s := range services {
		if !p.Graph.Has(s) {
			return fmt.Errorf("no such service: %q", s)
		}
	}
	c, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	all := o.all || len(statuses) > 0
	list, err := c.List(ctx, p.Name(), all)
	if err != nil {
		return err
	}
	var rows []engine.ContainerInfo
	for _, ci := range list {
		if len(services) > 0 && !contains(services, ci.Service) {
			continue
		}
		if len(statuses) > 0 && !contains(statuses, ci.State) {
			continue
		}
		rows = append(rows, ci)
	}
	switch {
	case o.quiet:
		for _, r := range rows {
			id := r.ID
			if !o.noTrunc {
				id = id[:12]
			}
			fmt.Fprintln(stdout, id)
		}
		return nil
	case o.services:
		seen := map[string]bool{}
		for _, r := range rows {
			if !seen[r.Service] {
				seen[r.Service] = true
				fmt.Fprintln(stdout, r.Service)
			}
		}
		return nil
	}
	switch o.format {
	case "table", "":
		tw := tabwriter.NewWriter(stdout, 0, 0, 3, ' ', 0)
		fmt.Fprintln(tw, "NAME\tIMAGE\tCOMMAND\tSERVICE\tCREATED\tSTATUS\tPORTS")
		for _, r := range rows {
			cmd := strconv.Quote(r.Command)
			if !o.noTrunc && len(r.Command) > 20 {
				cmd = strconv.Quote(r.Command[:19] + "…")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Image, cmd, r.Service,
				ago(r.Created), r.Status, engine.PortsString(r.Ports))
		}
		return tw.Flush()
	case "json":
		out := make([]psJSON, 0, len(rows))
		for _, r := range rows {
			out = append(out, toPSJSON(r))
		}
		enc := json.NewEncoder(stdout)
		return enc.Encode(out)
	default:
		tmpl, err := template.New("ps").Parse(o.format)
		if err != nil {
			return usageError("invalid --format template: %v", err)
		}
		for _, r := range rows {
			if err := tmpl.Execute(stdout, toPSJSON(r)); err != nil {
				return fmt.Errorf("--format: %w", err)
			}
			fmt.Fprintln(stdout)
		}
		return nil
	}
}

// psJSON is one container as `ps --format json` prints it (Compose's keys).
type psJSON struct {
	ID         string
	Name       string
	Image      string
	Command    string
	Project    string
	Service    string
	Created    int64
	State      string
	Status     string
	Health     string
	ExitCode   int
	Publishers []engine.Port
	Ports      string
}

func toPSJSON(r engine.ContainerInfo) psJSON {
	pubs := r.Ports
	if pubs == nil {
		pubs = []engine.Port{}
	}
	return psJSON{ID: r.ID, Name: r.Name, Image: r.Image, Command: r.Command, Project: r.Project, Service: r.Service,
		Created: r.Created.Unix(), State: r.State, Status: r.Status, Health: r.Health, ExitCode: r.ExitCode,
		Publishers: pubs, Ports: engine.PortsString(r.Ports)}
}

func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d seconds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}
