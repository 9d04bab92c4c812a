package main

import (
	"fmt"
	"strconv"

	"github.com/mattn/go-shellwords"
	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
	"github.com/berth-dev/berth/project"
)

// runOptions are the flags of `berth run`.
type runOptions struct {
	*globalOptions
	overrides     engine.RunOverrides
	detach        bool
	remove        bool
	noTTY, tty    bool
	name          string
	entrypoint    string
	noDeps        bool
	useAliases    bool
	removeOrphans bool
	images        imageFlags
}

func newRunCommand(g *globalOptions) *cobra.Command {
	o := &runOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "run [OPTIONS] SERVICE [COMMAND] [ARGS...]",
		Short: "Run a one-off command on a service",
		Long: "Run a one-off container of a service, configured as `up` configures the service's containers,\n" +
			"with the command and overrides given. Its dependencies are brought up first unless --no-deps.\n" +
			"Attached, the signals Berth receives go to the container and Berth exits with its exit code;\n" +
			"should it not exit, a second Ctrl-C stops it and a third kills it. `berth down` removes\n" +
			"one-off containers.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError("run needs a SERVICE (and, optionally, a command); run 'berth run --help' for usage")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd, o, args[0], args[1:])
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveDefault // the command: files
			}
			return g.completeServices(cmd, args, toComplete)
		},
	}
	f := c.Flags()
	// what follows SERVICE is the container's command, flags included
	f.SetInterspersed(false)
	// -p is --publish here, as with Compose; the project name is still
	// --project-name (or -p before `run`)
	g.shadowGlobal(f, "project-name")
	f.BoolVarP(&o.detach, "detach", "d", false, "Run the container in the background and print its ID")
	f.BoolVar(&o.remove, "rm", false, "Remove the container, and its anonymous volumes, when it exits")
	f.StringArrayVarP(&o.overrides.Env, "env", "e", nil, "Set an environment variable (KEY=VALUE, or KEY to take it from the environment)")
	f.StringArrayVarP(&o.overrides.Labels, "label", "l", nil, "Add or override a label (KEY=VALUE)")
	f.StringVar(&o.name, "name", "", "Name the container")
	f.StringVar(&o.entrypoint, "entrypoint", "", "Override the image's entrypoint")
	f.StringVarP(&o.overrides.User, "user", "u", "", "Run as this user name or UID")
	f.StringVarP(&o.overrides.WorkingDir, "workdir", "w", "", "Working directory inside the container")
	f.StringArrayVarP(&o.overrides.Publish, "publish", "p", nil, "Publish a container's port to the host (repeatable)")
	f.BoolVarP(&o.overrides.ServicePorts, "service-ports", "P", false, "Publish the service's ports")
	f.StringArrayVarP(&o.overrides.Volumes, "volume", "v", nil, "Mount a volume (repeatable)")
	f.StringArrayVar(&o.overrides.CapAdd, "cap-add", nil, "Add a Linux capability")
	f.StringArrayVar(&o.overrides.CapDrop, "cap-drop", nil, "Drop a Linux capability")
	f.BoolVarP(&o.noTTY, "no-tty", "T", false, "Allocate no pseudo-TTY (default: one when stdin and stdout are terminals)")
	f.BoolVarP(&o.tty, "tty", "t", false, "Allocate a pseudo-TTY")
	_ = f.MarkHidden("tty")
	f.BoolVarP(&o.overrides.Interactive, "interactive", "i", true, "Keep STDIN open and attach it")
	f.BoolVar(&o.noDeps, "no-deps", false, "Don't start the service's dependencies")
	f.BoolVar(&o.useAliases, "use-aliases", false, "Give the container the service's network aliases")
	f.BoolVar(&o.removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the compose file")
	f.BoolVar(&o.images.build, "build", false, "Build the image before starting the container")
	f.StringVar(&o.images.pull, "pull", "policy", "Pull the image before running: always, missing, never, build, or policy (the service's pull_policy)")
	return c
}

func runRun(cmd *cobra.Command, o *runOptions, service string, command []string) error {
	ctx, stdout, stderr := cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr()
	flags := cmd.Flags()
	if o.dryRun {
		return usageError("run does not support --dry-run")
	}
	if o.tty && o.noTTY {
		return usageError("--tty and --no-tty cannot be combined")
	}
	if o.images.pull == "policy" {
		o.images.pull = ""
	}
	images, err := o.images.options()
	if err != nil {
		return err
	}
	ov := o.overrides
	ov.Command = command
	if flags.Changed("entrypoint") {
		words, err := shellwords.Parse(o.entrypoint)
		if err != nil {
			return usageError("invalid --entrypoint %q: %v", o.entrypoint, err)
		}
		ov.Entrypoint = append([]string{}, words...)
	}
	// with -d too, as Compose does: the container keeps its TTY for a
	// later attach
	ov.TTY = o.tty || !o.noTTY && onTerminals(o.streams.In, stdout)
	opts := engine.RunOptions{
		Service:       service,
		Name:          o.name,
		Overrides:     ov,
		NoDeps:        o.noDeps,
		RemoveOrphans: o.removeOrphans,
		Images:        images,
		UseAliases:    o.useAliases,
		Remove:        o.remove,
		Parallel:      o.parallel,
		IO:            engine.OneOffIO{Detach: o.detach, AttachSpec: engine.AttachSpec{Stdout: stdout, Stderr: stderr}},
	}
	if v, ok := o.streams.Getenv("COMPOSE_REMOVE_ORPHANS"); ok && !o.removeOrphans {
		opts.RemoveOrphans, _ = strconv.ParseBool(v)
	}

	// every declared volume is there for -v; Run brings up only the
	// networks and volumes the container and its dependencies use
	popts := o.projectOptions(nil)
	popts.Enable, popts.AllResources = []string{service}, true
	p, err := project.Load(ctx, popts)
	if err != nil {
		return err
	}
	if !p.Graph.Has(service) {
		return fmt.Errorf("no such service: %q", service)
	}
	// every override is checked before anything is created
	if _, err := engine.OneOffService(p, opts); err != nil {
		return usageError("%w", err)
	}
	if ov.Interactive && !o.detach && o.streams.In != nil {
		opts.IO.Stdin = o.streams.In
	}
	if ov.TTY && !o.detach {
		// keys go to the container as they are typed, Ctrl-C included
		t, stop := localTerminal(o.streams.In, stdout)
		defer stop()
		opts.IO.Terminal = t
	}

	b, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	pr := newProgress(stderr, o.progress, nil)
	defer pr.close()
	opts.Prepared = pr.close
	if !o.detach {
		// as with Compose, the signals go to the running container, which
		// decides whether to exit; the engine stops it on a further Ctrl-C
		signals, stop := proxySignals()
		defer stop()
		opts.IO.Signals = signals
		eol := "\n"
		if opts.IO.Terminal != nil {
			eol = "\r\n" // the local terminal is raw while attached
		}
		opts.Notice = func(text string) { fmt.Fprintf(stderr, "berth: %s%s", text, eol) }
	}
	// an interrupted run's error wraps context.Canceled: exit 130
	res, err := engine.Run(ctx, b, p, opts, pr)
	if err != nil {
		return err
	}
	if o.detach {
		fmt.Fprintln(stdout, res.ID)
		return nil
	}
	if res.ExitCode != 0 {
		return &exitError{code: res.ExitCode}
	}
	return nil
}
