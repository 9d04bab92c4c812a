package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
)

// commitOptions are the flags of `berth commit`.
type commitOptions struct {
	*globalOptions
	index   int
	pause   bool
	message string
	author  string
	changes []string
}

func newCommitCommand(g *globalOptions) *cobra.Command {
	o := &commitOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "commit [OPTIONS] SERVICE [REPOSITORY[:TAG]]",
		Short: "Create a new image from a service container's changes",
		Long:  "Create an image from the changes of a running container of the service and print its ID.",
		Args:  needArgs(1, 2, "a SERVICE and, optionally, a REPOSITORY[:TAG]"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.index, err = indexFlag(cmd, o.index); err != nil {
				return err
			}
			ref := ""
			if len(args) > 1 {
				ref = args[1]
			}
			return runCommit(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args[0], ref)
		},
		ValidArgsFunction: g.completeServices,
	}
	c.Flags().IntVar(&o.index, "index", 0, "Index of the container if the service has several replicas")
	// no -p shorthand: -p is the project name, for every command
	// -p is --pause here, as with Compose; the project name is still
	// --project-name (or -p before `commit`)
	g.shadowGlobal(c.Flags(), "project-name")
	c.Flags().BoolVarP(&o.pause, "pause", "p", true, "Pause container during commit")
	c.Flags().StringVarP(&o.message, "message", "m", "", "Commit message")
	c.Flags().StringVarP(&o.author, "author", "a", "", `Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")`)
	c.Flags().StringArrayVarP(&o.changes, "change", "c", nil, "Apply Dockerfile instruction to the created image")
	return c
}

func runCommit(ctx context.Context, stdout, stderr io.Writer, o *commitOptions, service, ref string) error {
	_, name, c, err := o.openForReading(ctx, []string{service})
	if err != nil {
		return err
	}
	defer c.Close()
	pr := newProgress(stderr, o.progress, nil)
	id, err := engine.Commit(ctx, c, name, engine.CommitOptions{Service: service, Index: o.index, Spec: engine.CommitSpec{
		Reference: ref, Author: o.author, Message: o.message, Changes: o.changes, Pause: o.pause,
	}, DryRun: o.dryRun}, pr)
	pr.close()
	if err != nil || o.dryRun {
		return err
	}
	_, err = fmt.Fprintln(stdout, id)
	return err
}
