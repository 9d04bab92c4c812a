package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
)

// waitOptions are the flags of `berth wait`.
type waitOptions struct {
	*globalOptions
	downProject bool
}

func newWaitCommand(g *globalOptions) *cobra.Command {
	o := &waitOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "wait SERVICE [SERVICE...] [OPTIONS]",
		Short: "Block until the services' containers stop",
		Long: "Wait until the running containers of the services stop, printing each exit, and exit with the\n" +
			"exit code of the first one to stop. --down-project brings the project down when it stops.",
		Args: needArgs(1, -1, "at least one SERVICE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWait(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	c.Flags().BoolVar(&o.downProject, "down-project", false, "Bring the project down when the first container stops")
	return c
}

func runWait(ctx context.Context, stdout, stderr io.Writer, o *waitOptions, services []string) error {
	p, name, err := o.projectOrName(ctx, services)
	if err != nil {
		return err
	}
	if o.downProject && p == nil {
		return fmt.Errorf("--down-project needs project %q's compose file: run berth in its directory or name it with -f", name)
	}
	b, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	pr := newProgress(stderr, o.progress, nil)
	first, err := engine.WaitStopped(ctx, b, b, name, engine.WaitStoppedOptions{
		Services:    services,
		DownProject: o.downProject,
		Project:     p,
		Down:        engine.DownOptions{Parallel: o.parallel, DryRun: o.dryRun},
		Exited: func(e engine.ContainerExit) {
			fmt.Fprintf(stdout, "container %q exited with status code %d\n", e.ID, e.ExitCode)
		},
	}, pr)
	pr.close()
	if err != nil {
		return exitInterrupted(ctx, err)
	}
	if first.ExitCode != 0 {
		return &exitError{code: first.ExitCode}
	}
	return nil
}
