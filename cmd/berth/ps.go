package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

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
	orphans  bool
}

var psStatuses = []string{"paused", "restarting", "removing", "running", "dead", "created", "exited"}

// psTable is ps's default table, as Compose prints it.
const psTable = "table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}"

// psHeaders name ps's columns in a table template.
var psHeaders = map[string]string{
	"ID": "CONTAINER ID", "Name": "NAME", "Names": "NAMES", "Project": "PROJECT", "Service": "SERVICE",
	"Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT", "RunningFor": "CREATED",
	"Ports": "PORTS", "State": "STATE", "Status": "STATUS", "Size": "SIZE", "Labels": "LABELS",
	"Mounts": "MOUNTS", "LocalVolumes": "LOCAL VOLUMES", "Networks": "NETWORKS", "Engine": "ENGINE",
	"Health": "HEALTH", "ExitCode": "EXIT CODE", "Publishers": "PUBLISHERS",
}

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
	f.BoolVarP(&o.all, "all", "a", false, "Show all containers, stopped ones and those of `run` included")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "Only display IDs")
	f.BoolVar(&o.services, "services", false, "Display services")
	f.StringArrayVar(&o.status, "status", nil, "Filter by status: "+strings.Join(psStatuses, ", ")+" (repeatable)")
	f.StringVar(&o.filter, "filter", "", "Filter by a property (supported filters: status)")
	f.StringVar(&o.format, "format", "table", "Output format: table, json, or a Go template ('table {{.Name}}\\t{{.Status}}')")
	f.BoolVar(&o.noTrunc, "no-trunc", false, "Don't truncate output")
	f.BoolVar(&o.orphans, "orphans", true, "Include the containers of services the project no longer defines")
	return c
}

// statuses checks --filter and --status and returns the states asked for.
func (o *psOptions) statuses() ([]string, error) {
	statuses := append([]string(nil), o.status...)
	if o.filter != "" {
		key, value, ok := strings.Cut(o.filter, "=")
		switch {
		case !ok:
			return nil, usageError("invalid --filter %q: use KEY=VALUE (supported filters: status)", o.filter)
		case key != "status":
			return nil, usageError("invalid --filter %q: unknown filter %q (supported filters: status)", o.filter, key)
		}
		statuses = append(statuses, value)
	}
	for _, s := range statuses {
		if !contains(psStatuses, s) {
			return nil, usageError("invalid status %q: use one of %s", s, strings.Join(psStatuses, ", "))
		}
	}
	return statuses, nil
}

func runPs(ctx context.Context, stdout io.Writer, o *psOptions, services []string) error {
	statuses, err := o.statuses()
	if err != nil {
		return err
	}
	p, name, err := o.projectOrName(ctx, services)
	if err != nil {
		return err
	}
	if len(services) == 0 && !o.orphans && p != nil {
		services = p.Graph.Services()
	}
	c, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	list, err := c.Containers(ctx, engine.ContainerQuery{Project: name, All: o.all || len(statuses) > 0, OneOff: o.all})
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
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	switch {
	case o.quiet:
		for _, r := range rows {
			fmt.Fprintln(stdout, r.ID)
		}
		return nil
	case o.services:
		var seen []string
		for _, r := range rows {
			if !slices.Contains(seen, r.Service) {
				seen = append(seen, r.Service)
				fmt.Fprintln(stdout, r.Service)
			}
		}
		return nil
	}
	out := make([]any, len(rows))
	for i, r := range rows {
		out[i] = toPSJSON(r, !o.noTrunc)
	}
	return writeFormatted(stdout, o.format, psTable, psHeaders, out)
}

// psJSON is one container as `ps --format json` prints it and as --format
// templates see it: Compose's keys, in its order.
type psJSON struct {
	Command      string
	CreatedAt    string
	Engine       string
	ExitCode     int
	Health       string
	ID           string
	Image        string
	Labels       string
	LocalVolumes string
	Mounts       string
	Name         string
	Names        string
	Networks     string
	Ports        string
	Project      string
	Publishers   []engine.Port
	RunningFor   string
	Service      string
	Size         string
	State        string
	Status       string

	labels map[string]string
}

// Label is the value of one of the container's labels, for templates:
// {{.Label "com.docker.compose.service"}}.
func (r *psJSON) Label(name string) string { return r.labels[name] }

// toPSJSON is a container as ps shows it; trunc shortens its ID, command
// and mounts as Compose does without --no-trunc.
func toPSJSON(r engine.ContainerInfo, trunc bool) *psJSON {
	pubs := r.Ports
	if pubs == nil {
		pubs = []engine.Port{}
	}
	id, command, mounts := r.ID, r.Command, slices.Clone(r.Mounts)
	if trunc {
		id, command = shortID(id), ellipsis(command, 20)
		for i, m := range mounts {
			mounts[i] = ellipsis(m, 15)
		}
	}
	labels := make([]string, 0, len(r.Labels))
	for k, v := range r.Labels {
		labels = append(labels, k+"="+v)
	}
	sort.Strings(labels)
	return &psJSON{
		Command: strconv.Quote(command), CreatedAt: r.Created.String(), Engine: r.Labels["com.docker.compose.engine"],
		ExitCode: r.ExitCode, Health: r.Health, ID: id, Image: r.Image, Labels: strings.Join(labels, ","),
		LocalVolumes: strconv.Itoa(r.LocalVolumes), Mounts: strings.Join(mounts, ","), Name: r.Name, Names: r.Name,
		Networks: strings.Join(r.Networks, ","), Ports: engine.PortsString(r.Ports), Project: r.Project,
		Publishers: pubs, RunningFor: humanAgo(r.Created), Service: r.Service, Size: "0B", State: r.State,
		Status: r.Status, labels: r.Labels,
	}
}
