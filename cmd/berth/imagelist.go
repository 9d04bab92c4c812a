package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine/docker"
)

// imagesOptions are the flags of `berth images`.
type imagesOptions struct {
	*globalOptions
	quiet  bool
	format string
}

func newImagesCommand(g *globalOptions) *cobra.Command {
	o := &imagesOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "images [OPTIONS] [SERVICE...]",
		Short: "List the images the project's containers use",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImages(cmd.Context(), cmd.OutOrStdout(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	c.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "Only display IDs")
	c.Flags().StringVar(&o.format, "format", "table", "Output format: table or json")
	return c
}

// imageJSON is one container's image as `images --format json` prints it.
type imageJSON struct {
	ID            string     `json:"ID"`
	ContainerName string     `json:"ContainerName"`
	Repository    string     `json:"Repository"`
	Tag           string     `json:"Tag"`
	Platform      string     `json:"Platform"`
	Size          int64      `json:"Size"`
	Created       *time.Time `json:"Created,omitempty"`
	LastTagTime   time.Time  `json:"LastTagTime,omitzero"`
}

func runImages(ctx context.Context, stdout io.Writer, o *imagesOptions, services []string) error {
	if o.format != "table" && o.format != "json" {
		return usageError("invalid --format %q: use table or json", o.format)
	}
	_, name, err := o.projectOrName(ctx, services)
	if err != nil {
		return err
	}
	c, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	images, err := c.ContainerImages(ctx, name, services)
	if err != nil {
		return err
	}
	for i := range images {
		if images[i].Platform == "" { // the image is gone
			images[i].Platform = "unknown"
		}
	}
	switch {
	case o.quiet:
		var ids []string
		for _, img := range images {
			id := img.ID
			if _, rest, ok := strings.Cut(id, ":"); ok {
				id = rest
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
				fmt.Fprintln(stdout, id)
			}
		}
		return nil
	case o.format == "json":
		out := make([]imageJSON, 0, len(images))
		for _, img := range images {
			j := imageJSON{ID: img.ID, ContainerName: img.Container, Repository: img.Repository, Tag: img.Tag,
				Platform: img.Platform, Size: img.Size, LastTagTime: img.LastTagTime}
			if !img.Created.IsZero() {
				created := img.Created
				j.Created = &created
			}
			out = append(out, j)
		}
		return writeJSON(stdout, out)
	}
	lines := make([]string, 0, len(images))
	for _, img := range images {
		repo, tag, created := img.Repository, img.Tag, "N/A"
		if repo == "" {
			repo = "<none>"
		}
		if tag == "" {
			tag = "<none>"
		}
		if !img.Created.IsZero() {
			created = humanAgo(img.Created)
		}
		lines = append(lines, strings.Join([]string{img.Container, repo, tag, img.Platform, shortID(img.ID), humanSize(img.Size), created}, "\t"))
	}
	return writeSection(stdout, []string{"CONTAINER", "REPOSITORY", "TAG", "PLATFORM", "IMAGE ID", "SIZE", "CREATED"}, lines)
}
