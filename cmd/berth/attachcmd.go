package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
)

// attachCmdOptions are the flags of `berth attach`.
type attachCmdOptions struct {
	*globalOptions
	detachKeys string
	index      int
	noStdin    bool
	sigProxy   bool
}

func newAttachCommand(g *globalOptions) *cobra.Command {
	o := &attachCmdOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "attach [OPTIONS] SERVICE",
		Short: "Attach standard input, output and error to a running container of a service",
		Long: "Attach the terminal to a running container of the service until it stops (Berth then exits\n" +
			"with its exit code) or the detach keys are typed (ctrl-p,ctrl-q unless --detach-keys).",
		Args: needArgs(1, 1, "one SERVICE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAttach(cmd.Context(), cmd, o, args[0])
		},
		ValidArgsFunction: g.completeFirstService,
	}
	f := c.Flags()
	f.StringVar(&o.detachKeys, "detach-keys", "", "Key sequence that detaches from the container (default "+engine.DefaultDetachKeys+")")
	f.IntVar(&o.index, "index", 0, "Number of the container if the service has several (default: its lowest-numbered running container)")
	f.BoolVar(&o.noStdin, "no-stdin", false, "Do not attach standard input")
	f.BoolVar(&o.sigProxy, "sig-proxy", true, "Forward the signals Berth receives to the container")
	return c
}

func runAttach(ctx context.Context, cmd *cobra.Command, o *attachCmdOptions, service string) error {
	index, err := indexFlag(cmd, o.index)
	if err != nil {
		return err
	}
	if _, err := engine.ParseDetachKeys(o.detachKeys); err != nil {
		return usageError("--detach-keys: %w", err)
	}
	if o.dryRun {
		return usageError("attach cannot run with --dry-run: it changes nothing that a plan could show")
	}
	_, name, err := o.projectOrName(ctx, []string{service})
	if err != nil {
		return err
	}
	spec := engine.AttachSpec{Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr()}
	if !o.noStdin {
		spec.Stdin = o.streams.In
		if onTerminals(o.streams.In, o.streams.Out) {
			t, stop := localTerminal(o.streams.In, o.streams.Out)
			defer stop()
			spec.Terminal = t
		}
	}
	if o.sigProxy {
		// the signals go to the container, which decides whether to stop;
		// Berth ends when it does
		signals, stop := proxySignals()
		defer stop()
		spec.Signals = signals
		ctx = context.WithoutCancel(ctx)
	}
	b, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	res, err := engine.Attach(ctx, b, b, name, engine.AttachOptions{Service: service, Index: index, DetachKeys: o.detachKeys, Spec: spec})
	if err != nil {
		return exitInterrupted(ctx, err)
	}
	if res.ExitCode != 0 && !res.Detached {
		return &exitError{code: res.ExitCode}
	}
	return nil
}
