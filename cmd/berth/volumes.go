package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
)

// volumesOptions are the flags of `berth volumes`.
type volumesOptions struct {
	*globalOptions
	quiet  bool
	format string
}

// volumesTable is the volumes' default table, as docker's.
const volumesTable = "table {{.Driver}}\t{{.Name}}"

// volumeHeaders name the volumes' columns in a table template.
var volumeHeaders = map[string]string{
	"Name": "VOLUME NAME", "Driver": "DRIVER", "Scope": "SCOPE", "Mountpoint": "MOUNTPOINT", "Labels": "LABELS",
	"Links": "LINKS", "Size": "SIZE", "Group": "GROUP", "Availability": "AVAILABILITY", "Status": "STATUS",
}

func newVolumesCommand(g *globalOptions) *cobra.Command {
	o := &volumesOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "volumes [OPTIONS] [SERVICE...]",
		Short: "List the project's volumes",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVolumes(cmd.Context(), cmd.OutOrStdout(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	c.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "Only display volume names")
	c.Flags().StringVar(&o.format, "format", "table", "Output format: table, json, or a Go template")
	return c
}

// volumeJSON is a volume as `volumes --format json` prints it and as
// --format templates see it: docker's keys, in its order.
type volumeJSON struct {
	Availability string
	Driver       string
	Group        string
	Labels       string
	Links        string
	Mountpoint   string
	Name         string
	Scope        string
	Size         string
	Status       string

	labels map[string]string
}

// Label is the value of one of the volume's labels, for templates.
func (v *volumeJSON) Label(name string) string { return v.labels[name] }

func toVolumeJSON(v engine.VolumeInfo) *volumeJSON {
	labels := make([]string, 0, len(v.Labels))
	for k, val := range v.Labels {
		labels = append(labels, k+"="+val)
	}
	sort.Strings(labels)
	return &volumeJSON{Availability: "N/A", Driver: v.Driver, Group: "N/A", Labels: strings.Join(labels, ","), Links: "N/A",
		Mountpoint: v.Mountpoint, Name: v.Name, Scope: v.Scope, Size: "N/A", Status: "N/A", labels: v.Labels}
}

func runVolumes(ctx context.Context, stdout io.Writer, o *volumesOptions, services []string) error {
	_, name, err := o.projectOrName(ctx, services)
	if err != nil {
		return err
	}
	c, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	vols, err := c.Volumes(ctx, name, services)
	if err != nil {
		return err
	}
	if o.quiet {
		for _, v := range vols {
			fmt.Fprintln(stdout, v.Name)
		}
		return nil
	}
	rows := make([]any, len(vols))
	for i, v := range vols {
		rows[i] = toVolumeJSON(v)
	}
	return writeFormatted(stdout, o.format, volumesTable, volumeHeaders, rows)
}
