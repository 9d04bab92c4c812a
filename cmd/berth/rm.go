package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
	"github.com/berth-dev/berth/planner"
)

// rmOptions are the flags of `berth rm`.
type rmOptions struct {
	*globalOptions
	force   bool
	stop    bool
	volumes bool
}

func newRmCommand(g *globalOptions) *cobra.Command {
	o := &rmOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "rm [OPTIONS] [SERVICE...]",
		Short: "Remove the services' stopped containers",
		Long: "Remove the services' stopped containers (with -s, stop the running ones first, dependents first).\n" +
			"Anonymous volumes are kept unless -v. Without -f, Berth names the containers and asks first.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRm(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	f := c.Flags()
	// -f is --force here, as with Compose; the compose file is still
	// --file (or -f before `rm`)
	g.shadowGlobal(f, "file")
	f.BoolVarP(&o.force, "force", "f", false, "Don't ask to confirm removal")
	f.BoolVarP(&o.stop, "stop", "s", false, "Stop the containers, if required, before removing")
	f.BoolVarP(&o.volumes, "volumes", "v", false, "Remove any anonymous volumes attached to containers")
	f.BoolP("all", "a", false, "Deprecated - no effect")
	_ = f.MarkHidden("all")
	return c
}

// runRm plans the removal, names the containers it would remove and asks
// (unless -f or --dry-run), then carries out that plan: the containers
// named, no others.
func runRm(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, o *rmOptions, services []string) error {
	p, err := o.loadChecked(ctx, services, true)
	if err != nil {
		return err
	}
	b, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	opts := engine.LifecycleOptions{
		Plan:     planner.LifecycleOptions{Services: services, Stop: o.stop, Volumes: o.volumes},
		Parallel: o.parallel,
		DryRun:   true,
	}
	plan, err := engine.Remove(ctx, b, p, opts, engine.SinkFunc(func(engine.Event) {}))
	if err != nil {
		return err
	}
	var names []string
	for _, a := range plan.Actions {
		if a.Kind == planner.RemoveContainer {
			names = append(names, a.Name)
		}
	}
	if len(names) == 0 {
		fmt.Fprintln(stderr, "No stopped containers")
		return nil
	}
	if o.dryRun {
		return renderPlan(stdout, p, plan, "text")
	}
	msg := "Going to remove " + strings.Join(names, ", ")
	if o.force {
		fmt.Fprintln(stdout, msg)
	} else if !confirm(stdin, stdout, msg) {
		return nil
	}
	// carry out the plan that was shown, and nothing else: if the
	// containers changed meanwhile, RemovePlanned refuses
	opts.DryRun = false
	pr := newProgress(stderr, o.progress, nil)
	err = engine.RemovePlanned(ctx, b, p, plan, opts, pr)
	pr.close()
	return err
}

// confirm asks a yes/no question, no being the default, as Compose does:
// on a terminal "? QUESTION (y/N) ", otherwise the question alone, and one
// line read as the answer (y, yes, true or 1 mean yes).
func confirm(stdin io.Reader, stdout io.Writer, question string) bool {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(stdout, "? %s (y/N) ", question)
	} else {
		fmt.Fprint(stdout, question)
	}
	line, _ := bufio.NewReader(stdin).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	if answer == "y" || answer == "yes" {
		return true
	}
	yes, _ := strconv.ParseBool(answer)
	return yes
}
