package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v4"

	"github.com/berth-dev/berth/project"
)

// configOptions are the flags of `berth config`, the same as
// `docker compose config`.
type configOptions struct {
	*globalOptions
	format              string
	output              string
	quiet               bool
	resolveImageDigests bool
	noInterpolate       bool
	noNormalize         bool
	noResolvePath       bool
	noResolveEnv        bool
	noConsistency       bool
	services            bool
	volumes             bool
	networks            bool
	profiles            bool
	images              bool
	variables           bool
	environment         bool
	hash                string
}

func newConfigCommand(g *globalOptions) *cobra.Command {
	o := &configOptions{globalOptions: g}
	c := &cobra.Command{
		Use:     "config [OPTIONS] [SERVICE...]",
		Aliases: []string{"convert"},
		Short:   "Parse, resolve and render the compose file in canonical format",
		Long: "Parse, resolve and render the compose file in canonical format.\n\n" +
			"The output is what `docker compose config` prints for the same files: a valid compose\n" +
			"file with every variable interpolated, every path resolved and every short form expanded.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfig(cmd.Context(), cmd.OutOrStdout(), o, args)
		},
		ValidArgsFunction: g.completeServices,
	}
	f := c.Flags()
	f.StringVar(&o.format, "format", "", "Format the output: yaml or json")
	f.StringVarP(&o.output, "output", "o", "", "Save to file (default: standard output)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "Only validate the configuration, don't print anything")
	f.BoolVar(&o.resolveImageDigests, "resolve-image-digests", false, "Pin image tags to digests (needs a registry)")
	f.BoolVar(&o.noInterpolate, "no-interpolate", false, "Don't interpolate environment variables")
	f.BoolVar(&o.noNormalize, "no-normalize", false, "Don't normalize the compose model")
	f.BoolVar(&o.noResolvePath, "no-path-resolution", false, "Don't resolve file paths")
	f.BoolVar(&o.noConsistency, "no-consistency", false, "Don't check model consistency (may print an invalid compose file)")
	f.BoolVar(&o.noResolveEnv, "no-env-resolution", false, "Don't resolve service env files")
	f.BoolVar(&o.services, "services", false, "Print the service names, one per line")
	f.BoolVar(&o.volumes, "volumes", false, "Print the volume names, one per line")
	f.BoolVar(&o.networks, "networks", false, "Print the network names, one per line")
	f.BoolVar(&o.profiles, "profiles", false, "Print the profile names, one per line")
	f.BoolVar(&o.images, "images", false, "Print the image names, one per line")
	f.StringVar(&o.hash, "hash", "", `Print the config hash of services, one per line ("*" for all, or a comma-separated list)`)
	f.BoolVar(&o.variables, "variables", false, "Print model variables and default values")
	f.BoolVar(&o.environment, "environment", false, "Print the environment used for interpolation")
	_ = c.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"yaml", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return c
}

func runConfig(ctx context.Context, stdout io.Writer, o *configOptions, services []string) error {
	if o.format != "" && o.format != "yaml" && o.format != "json" && !o.variables {
		return usageError("invalid --format %q: use yaml or json", o.format)
	}
	if o.resolveImageDigests {
		return fmt.Errorf("--resolve-image-digests needs to ask a registry for each image's digest, and Berth does not talk to registries yet; pin digests by hand (image: name@sha256:...) for now")
	}
	var buf bytes.Buffer
	if err := renderConfig(ctx, &buf, o, services); err != nil {
		return err
	}
	switch {
	case o.quiet:
		return nil
	case o.output != "":
		path := o.output
		if !filepath.IsAbs(path) && o.streams.WorkDir != "" {
			path = filepath.Join(o.streams.WorkDir, path)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o666); err != nil {
			return fmt.Errorf("writing --output: %w", err)
		}
		return nil
	default:
		_, err := stdout.Write(buf.Bytes())
		return err
	}
}

// renderConfig writes what the flags ask for. Lists come out sorted (Compose
// prints some of them in map order, which changes from run to run).
func renderConfig(ctx context.Context, w io.Writer, o *configOptions, services []string) error {
	opts := o.projectOptions(services)
	opts.NoInterpolate = o.noInterpolate
	opts.NoNormalize = o.noNormalize
	opts.NoResolvePaths = o.noResolvePath
	opts.NoConsistency = o.noConsistency
	opts.NoEnvResolution = o.noResolveEnv
	// as Compose: config prints services' platform as written; only --hash
	// applies DOCKER_DEFAULT_PLATFORM, as containers are created
	opts.NoDefaultPlatform = true

	if o.services || o.volumes || o.networks || o.hash != "" {
		// as Compose: these listings load the whole project whatever
		// services are named, with the --no-* flags, and without merging
		// env files (--hash merges them itself, once it has narrowed the
		// project to the services it hashes)
		opts.Services = nil
		opts.NoEnvResolution = true
	}
	if len(services) > 0 && ((o.noInterpolate && !o.listing()) || o.variables) {
		// as Compose warns: the raw model has no services to select from
		flag := "--no-interpolate"
		if o.variables {
			flag = "--variables"
		}
		fmt.Fprintf(o.streams.Err, "berth: warning: %s ignores the services named (%s): it prints the whole model\n",
			flag, strings.Join(services, ", "))
	}

	switch {
	case o.services:
		if o.noInterpolate {
			model, err := project.LoadModel(ctx, opts, false)
			if err != nil {
				return err
			}
			m, _ := model["services"].(map[string]any)
			return printLines(w, slices.Sorted(maps.Keys(m)))
		}
		p, err := project.Load(ctx, opts)
		if err != nil {
			return err
		}
		return printLines(w, dependencyOrder(p.Graph))
	case o.volumes, o.networks:
		p, err := project.Load(ctx, opts)
		if err != nil {
			return err
		}
		if o.volumes {
			return printLines(w, slices.Sorted(maps.Keys(p.Compose.Volumes)))
		}
		return printLines(w, slices.Sorted(maps.Keys(p.Compose.Networks)))
	case o.hash != "":
		return renderHashes(ctx, w, o, opts)
	case o.profiles:
		p, err := project.Load(ctx, opts)
		if err != nil {
			return err
		}
		return printLines(w, profilesOf(p))
	case o.images:
		p, err := project.Load(ctx, opts)
		if err != nil {
			return err
		}
		var images []string
		for _, name := range p.Graph.Services() {
			images = append(images, project.ImageName(p.Compose, name))
		}
		return printLines(w, images)
	case o.variables:
		opts.NoInterpolate = true
		opts.NoEnvResolution = true
		model, err := project.LoadModel(ctx, opts, true)
		if err != nil {
			return err
		}
		return printVariables(w, template.ExtractVariables(model, template.DefaultPattern), o.format)
	case o.environment:
		p, err := project.Load(ctx, opts)
		if err != nil {
			return err
		}
		return printLines(w, p.Compose.Environment.Values())
	}

	var content []byte
	format := o.format
	if format == "" {
		format = "yaml"
	}
	if o.noInterpolate {
		model, err := project.LoadModel(ctx, opts, false)
		if err != nil {
			return err
		}
		if content, err = marshalModel(model, format); err != nil {
			return err
		}
	} else {
		p, err := project.Load(ctx, opts)
		if err != nil {
			return err
		}
		if format == "json" {
			content, err = p.Compose.MarshalJSON()
		} else {
			content, err = p.Compose.MarshalYAML()
		}
		if err != nil {
			return fmt.Errorf("rendering the project: %w", err)
		}
		// the output must itself be a valid compose file: a literal $ in a
		// value would be read back as interpolation
		content = bytes.ReplaceAll(content, []byte("$"), []byte("$$"))
	}
	_, err := w.Write(content)
	return err
}

// renderHashes prints "service hash" lines: project.ServiceHash of each
// service, which is what `berth up` stamps on a container it creates from
// the service (when the service refers to no other service's container).
func renderHashes(ctx context.Context, w io.Writer, o *configOptions, opts project.Options) error {
	p, err := project.Load(ctx, opts)
	if err != nil {
		return err
	}
	var names []string
	if o.hash != "*" {
		names = strings.Split(o.hash, ",")
		for _, name := range names {
			if _, ok := p.Compose.Services[name]; !ok {
				return fmt.Errorf("--hash: no such service: %q (services: %s)", name, strings.Join(p.Graph.Services(), ", "))
			}
		}
	}
	// as Compose: narrow the project to the services hashed (so a broken
	// env file elsewhere does not matter), then hash what a container is
	// created from, prepared as Load prepares it for up: the platform
	// defaulted, env files merged into the environment unless
	// --no-env-resolution
	model, err := p.Compose.WithSelectedServices(names, types.IgnoreDependencies)
	if err != nil {
		return fmt.Errorf("--hash: %w", err)
	}
	if model, err = project.ForContainers(model, !o.noResolveEnv); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(model.Services)) {
		h, err := project.ServiceHash(model.Services[name])
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "%s %s\n", name, h); err != nil {
			return err
		}
	}
	return nil
}

// dependencyOrder lists services with each one's dependencies before it,
// visiting names in order: the order `docker compose config --services` uses.
func dependencyOrder(g *project.Graph) []string {
	seen := map[string]bool{}
	var out []string
	var visit func(string)
	visit = func(n string) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, e := range g.Deps(n) {
			visit(e.To)
		}
		out = append(out, n)
	}
	for _, n := range g.Services() {
		visit(n)
	}
	return out
}

// profilesOf lists the profiles declared by any service, enabled or not.
func profilesOf(p *project.Project) []string {
	set := map[string]bool{}
	for _, s := range p.Compose.AllServices() {
		for _, prof := range s.Profiles {
			set[prof] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// printVariables prints what --variables found, as Compose does: YAML, or
// JSON (HTML characters unescaped, and followed by an empty line), or a
// table. Compose prints the table rows in map order; Berth sorts them.
func printVariables(w io.Writer, vars map[string]template.Variable, format string) error {
	if format == "yaml" {
		out, err := yaml.Marshal(vars)
		if err != nil {
			return err
		}
		_, err = w.Write(out)
		return err
	}
	switch strings.ToLower(format) {
	case "json":
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "    ")
		if err := enc.Encode(vars); err != nil {
			return err
		}
		_, err := fmt.Fprintln(w, buf.String())
		return err
	case "", "table", "pretty":
		tw := tabwriter.NewWriter(w, 20, 1, 3, ' ', 0)
		fmt.Fprintln(tw, "NAME\tREQUIRED\tDEFAULT VALUE\tALTERNATE VALUE")
		for _, name := range slices.Sorted(maps.Keys(vars)) {
			v := vars[name]
			fmt.Fprintf(tw, "%s\t%t\t%s\t%s\n", name, v.Required, v.DefaultValue, v.PresenceValue)
		}
		return tw.Flush()
	default:
		return usageError("invalid --format %q for --variables: use table, json or yaml", format)
	}
}

// listing says whether a flag asks for one of the lists (--services,
// --volumes, ...) rather than the whole model.
func (o *configOptions) listing() bool {
	return o.services || o.volumes || o.networks || o.hash != "" || o.profiles || o.images || o.variables || o.environment
}

func marshalModel(model map[string]any, format string) ([]byte, error) {
	if format == "json" {
		return json.MarshalIndent(model, "", "  ")
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(model); err != nil {
		return nil, fmt.Errorf("rendering the model: %w", err)
	}
	return buf.Bytes(), nil
}

func printLines(w io.Writer, lines []string) error {
	for _, l := range lines {
		if _, err := fmt.Fprintln(w, l); err != nil {
			return err
		}
	}
	return nil
}
