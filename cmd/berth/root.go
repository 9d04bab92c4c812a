package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/berth-dev/berth/project"
)

// version is set at link time by the Makefile (-X main.version=...).
var version = "dev"

// Streams are the standard streams and environment a command runs with;
// tests pass buffers and a controlled environment.
type Streams struct {
	In      io.Reader
	Out     io.Writer
	Err     io.Writer
	Environ []string
	// WorkDir is the directory relative paths are taken from; empty means
	// the process's directory.
	WorkDir string
}

// Getenv looks key up in the streams' environment.
func (s Streams) Getenv(key string) (string, bool) {
	for i := len(s.Environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(s.Environ[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// exitError carries a specific exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// usageError marks a mistake on the command line; it exits with code 2.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// needArgs accepts between min and max arguments (max < 0: no limit) and
// otherwise is a usage error saying the command needs what.
func needArgs(min, max int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < min || max >= 0 && len(args) > max {
			return usageError("%s needs %s, not %d argument(s); run '%s --help' for usage", cmd.Name(), what, len(args), cmd.CommandPath())
		}
		return nil
	}
}

// Run runs berth with args (without the program name) and returns the exit
// code. It never panics on bad input and never calls os.Exit.
func Run(ctx context.Context, args []string, s Streams) int {
	root := newRootCommand(s)
	root.SetArgs(args)
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.err == nil {
		return ee.code
	}
	fmt.Fprintf(s.Err, "berth: %v\n", err)
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		return 130
	}
	return 1
}

// globalOptions are Compose's global flags, shared by every command.
type globalOptions struct {
	streams     Streams
	files       []string
	projectName string
	projectDir  string
	profiles    []string
	envFiles    []string
	progress    string
	parallel    int
	dryRun      bool
	// flags are the root's persistent flags (the global ones), which
	// shadowGlobal shares with the commands that shadow one
	flags *pflag.FlagSet
}

// projectOptions turns the global flags into project loading options.
func (g *globalOptions) projectOptions(services []string) project.Options {
	return project.Options{
		ConfigPaths: g.files,
		ProjectName: g.projectName,
		ProjectDir:  g.projectDir,
		Profiles:    g.profiles,
		EnvFiles:    g.envFiles,
		Environ:     g.streams.Environ,
		WorkDir:     g.streams.WorkDir,
		Services:    services,
	}
}

// load loads the project the global flags describe, for commands that
// neither build nor create containers (ps, completion): services keep their
// platform as written, so a build.platforms that excludes
// DOCKER_DEFAULT_PLATFORM does not stop them, as with Compose.
func (g *globalOptions) load(ctx context.Context, services []string) (*project.Project, error) {
	opts := g.projectOptions(services)
	opts.NoDefaultPlatform = true
	return project.Load(ctx, opts)
}

var progressModes = []string{"auto", "tty", "plain", "json", "quiet"}

func newRootCommand(s Streams) *cobra.Command {
	g := &globalOptions{streams: s}
	showVersion := false
	root := &cobra.Command{
		Use:   "berth",
		Short: "Berth runs multi-container applications described by compose files",
		Long: "Berth reads compose files, plans the difference between the project and what runs\n" +
			"in the Docker Engine, shows the plan, and applies it.",
		SilenceErrors: true,
		SilenceUsage:  true,
		// the flags before a command's name are the global ones, so that
		// `berth -p NAME run -p 8080:80 SERVICE` means what it says
		TraverseChildren: true,
		Args:             cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if showVersion {
				return runVersion(cmd.OutOrStdout(), versionOptions{})
			}
			if len(args) > 0 {
				return usageError("unknown command %q for berth; run 'berth --help' for the list", args[0])
			}
			return cmd.Help()
		},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return g.validate(cmd)
		},
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError("%w; run '%s --help' for usage", err, cmd.CommandPath())
	})

	f := root.PersistentFlags()
	f.StringArrayVarP(&g.files, "file", "f", nil, "Compose configuration files (repeatable; later files override earlier ones)")
	f.StringVarP(&g.projectName, "project-name", "p", "", "Project name")
	f.StringVar(&g.projectDir, "project-directory", "", "Alternate working directory (default: the directory of the first compose file)")
	f.StringArrayVar(&g.profiles, "profile", nil, "Profile to enable (repeatable)")
	f.StringArrayVar(&g.envFiles, "env-file", nil, "Alternate environment file (repeatable)")
	progress, _ := s.Getenv("COMPOSE_PROGRESS")
	f.StringVar(&g.progress, "progress", progress, "Progress output: "+strings.Join(progressModes, ", "))
	f.IntVar(&g.parallel, "parallel", -1, "Maximum number of parallel operations, -1 for unlimited")
	f.BoolVar(&g.dryRun, "dry-run", false, "Show what would be done without changing anything")
	root.Flags().BoolVarP(&showVersion, "version", "v", false, "Show the Berth version")
	g.flags = f

	_ = root.RegisterFlagCompletionFunc("file", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
	})
	_ = root.RegisterFlagCompletionFunc("project-directory", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveFilterDirs
	})
	_ = root.RegisterFlagCompletionFunc("progress", cobra.FixedCompletions(progressModes, cobra.ShellCompDirectiveNoFileComp))
	_ = root.RegisterFlagCompletionFunc("profile", g.completeProfiles)

	root.AddCommand(
		newConfigCommand(g),
		newPlanCommand(g),
		newUpCommand(g),
		newDownCommand(g),
		newPsCommand(g),
		newBuildCommand(g),
		newPullCommand(g),
		newPushCommand(g),
		newCpCommand(g),
		newExportCommand(g),
		newCommitCommand(g),
		newRunCommand(g),
		newWatchCommand(g),
		newExecCommand(g),
		newAttachCommand(g),
		newWaitCommand(g),
		newLogsCommand(g),
		newEventsCommand(g),
		newStatsCommand(g),
		newTopCommand(g),
		newVersionCommand(),
	)
	root.AddCommand(
		newRmCommand(g),
		newCreateCommand(g),
		newScaleCommand(g),
		newPortCommand(g),
		newImagesCommand(g),
		newVolumesCommand(g),
		newLsCommand(g),
	)
	root.AddCommand(newLifecycleCommands(g)...)
	return root
}

// shadowGlobal gives a command's flags a hidden flag named as the global
// flag name, without its shorthand, so that the command can use the
// shorthand for a flag of its own, as Compose's do (`run -p` publishes,
// `rm -f` forces). Before the command name the shorthand is still the
// global flag (the root traverses its own flags first); after it, the long
// name is. The shadow shares the global flag's Value, so that the values
// given on both sides add up as they would on one: `-f a.yaml logs --file
// b.yaml` reads both files. The global flags must be defined first.
func (g *globalOptions) shadowGlobal(f *pflag.FlagSet, name string) {
	global := g.flags.Lookup(name)
	f.AddFlag(&pflag.Flag{Name: name, Usage: global.Usage, Value: global.Value, DefValue: global.DefValue, Hidden: true})
}

// validate checks the global flags once cobra has parsed them and applies
// the COMPOSE_* variables that stand in for them.
func (g *globalOptions) validate(cmd *cobra.Command) error {
	if g.progress != "" && !contains(progressModes, g.progress) {
		return usageError("invalid --progress value %q: use one of %s", g.progress, strings.Join(progressModes, ", "))
	}
	if v, ok := g.streams.Getenv("COMPOSE_PARALLEL_LIMIT"); ok && !cmd.Flags().Changed("parallel") {
		n, err := strconv.Atoi(v)
		if err != nil {
			return usageError("COMPOSE_PARALLEL_LIMIT must be a whole number, not %q", v)
		}
		g.parallel = n
	}
	if g.parallel == 0 || g.parallel < -1 {
		return usageError("invalid --parallel value %d: use a positive number, or -1 for unlimited", g.parallel)
	}
	for i, f := range g.envFiles {
		if f == "" {
			return usageError("--env-file number %d is empty: give a path", i+1)
		}
	}
	if g.projectDir != "" {
		dir := g.projectDir
		if g.streams.WorkDir != "" && !isAbs(dir) {
			dir = g.streams.WorkDir + string(os.PathSeparator) + dir
		}
		st, err := os.Stat(dir)
		if err != nil || !st.IsDir() {
			return usageError("--project-directory %q is not a directory", g.projectDir)
		}
	}
	return nil
}

// completeServices completes service names from the project the global
// flags describe, for commands that take SERVICE arguments.
func (g *globalOptions) completeServices(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	p, err := g.load(cmd.Context(), nil)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, name := range p.Graph.Services() {
		if strings.HasPrefix(name, toComplete) && !contains(args, name) {
			out = append(out, name)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeProfiles completes --profile with the profiles the project declares.
func (g *globalOptions) completeProfiles(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	opts := g.projectOptions(nil)
	opts.Profiles = []string{"*"}
	opts.NoDefaultPlatform = true
	p, err := project.Load(cmd.Context(), opts)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, name := range profilesOf(p) {
		if strings.HasPrefix(name, toComplete) {
			out = append(out, name)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isAbs(p string) bool { return strings.HasPrefix(p, string(os.PathSeparator)) }
