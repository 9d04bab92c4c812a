package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
)

// execOptions are the flags of `berth exec`.
type execOptions struct {
	*globalOptions
	detach      bool
	noTTY       bool
	interactive bool
	user        string
	workdir     string
	env         []string
	index       int
	privileged  bool
}

func newExecCommand(g *globalOptions) *cobra.Command {
	o := &execOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "exec [OPTIONS] SERVICE COMMAND [ARGS...]",
		Short: "Execute a command in a running container of a service",
		Long: "Run a command in a running container of the service and exit with its exit code. The command\n" +
			"gets a TTY when standard input and output are terminals (-T: never) and reads standard input.",
		Args: needArgs(2, -1, "a SERVICE and a COMMAND"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExec(cmd.Context(), cmd, o, args[0], args[1:])
		},
		ValidArgsFunction: g.completeFirstService,
	}
	f := c.Flags()
	f.SetInterspersed(false)
	f.BoolVarP(&o.detach, "detach", "d", false, "Detached mode: run the command in the background")
	f.BoolVarP(&o.noTTY, "no-tty", "T", false, "Disable pseudo-TTY allocation (by default a TTY is allocated when standard input and output are terminals)")
	f.BoolVarP(&o.interactive, "interactive", "i", true, "Keep standard input open")
	f.BoolP("tty", "t", true, "Allocate a pseudo-TTY (the default)")
	f.StringVarP(&o.user, "user", "u", "", "Run the command as this user")
	f.StringVarP(&o.workdir, "workdir", "w", "", "Working directory of the command")
	f.StringArrayVarP(&o.env, "env", "e", nil, "Set an environment variable, KEY=VALUE or KEY to take it from the environment (repeatable)")
	f.IntVar(&o.index, "index", 0, "Number of the container if the service has several (default: its lowest-numbered running container)")
	f.BoolVar(&o.privileged, "privileged", false, "Give extended privileges to the command")
	_ = f.MarkHidden("interactive")
	_ = f.MarkHidden("tty")
	f.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "no-TTY" { // Compose's former spelling
			name = "no-tty"
		}
		return pflag.NormalizedName(name)
	})
	return c
}

func runExec(ctx context.Context, cmd *cobra.Command, o *execOptions, service string, command []string) error {
	index, err := indexFlag(cmd, o.index)
	if err != nil {
		return err
	}
	if o.dryRun {
		return usageError("exec cannot run with --dry-run: it changes nothing that a plan could show")
	}
	p, name, err := o.projectOrName(ctx, []string{service})
	if err != nil {
		return err
	}
	if p == nil {
		p = environmentOnly(o.streams)
	}
	env, err := engine.ResolveEnv(p, o.env)
	if err != nil {
		return usageError("%w", err)
	}
	spec := engine.ExecSpec{
		Cmd: command, User: o.user, WorkingDir: o.workdir, Env: env, Privileged: o.privileged,
		Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr(), Detach: o.detach,
	}
	if o.interactive && !o.detach {
		spec.Stdin = o.streams.In
	}
	if !o.noTTY && !o.detach && onTerminals(o.streams.In, o.streams.Out) {
		t, stop := localTerminal(o.streams.In, o.streams.Out)
		defer stop()
		spec.Terminal = t
	}
	b, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	code, err := engine.Exec(ctx, b, name, engine.ExecOptions{Service: service, Index: index, Spec: spec})
	if err != nil {
		return exitInterrupted(ctx, err)
	}
	if code != 0 {
		return &exitError{code: code}
	}
	return nil
}

// completeFirstService completes a service name as the first argument
// only, for exec and attach.
func (g *globalOptions) completeFirstService(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return g.completeServices(cmd, args, toComplete)
}
