package project

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/paths"
	"github.com/compose-spec/compose-go/v2/types"
)

// Environment variables Berth reads the way Compose does. The ones handled by
// compose-go itself (COMPOSE_FILE, COMPOSE_PROJECT_NAME, COMPOSE_PROFILES,
// COMPOSE_PATH_SEPARATOR, COMPOSE_DISABLE_ENV_FILE) are passed through untouched.
const (
	// EnvFilesVar lists env files (comma separated) used when no --env-file is given.
	EnvFilesVar = "COMPOSE_ENV_FILES"
	// ProjectNameVar names the project when -p is not given.
	ProjectNameVar = "COMPOSE_PROJECT_NAME"
)

// Options says where a project comes from. The zero value loads the compose
// file found in the current directory (or a parent) with no environment.
type Options struct {
	// ConfigPaths are the -f files, in order; later files override earlier ones.
	ConfigPaths []string
	// ProjectName is -p; empty lets COMPOSE_PROJECT_NAME, the top-level
	// `name:` or the project directory decide.
	ProjectName string
	// ProjectDir is --project-directory; empty means the first file's directory.
	ProjectDir string
	// Profiles are the --profile values; empty falls back to COMPOSE_PROFILES.
	Profiles []string
	// EnvFiles are the --env-file values; empty falls back to
	// COMPOSE_ENV_FILES, then to .env in the project directory.
	EnvFiles []string
	// Environ is the process environment in os.Environ form. Callers pass
	// os.Environ(); tests pass exactly what they need.
	Environ []string
	// WorkDir is the directory relative paths on the command line are taken
	// from (and where default file discovery starts); empty means os.Getwd.
	WorkDir string
	// Services selects services (and their dependencies); services disabled
	// by a profile are enabled when named here.
	Services []string
	// Enable enables these services (turning on the profiles they need)
	// without dropping the others: what `up SERVICE` needs, since the rest
	// of the project must stay visible to tell orphans apart.
	Enable []string

	// NoInterpolate leaves ${VAR} references as they are.
	NoInterpolate bool
	// NoNormalize skips compose-go's normalisation (default network, implicit
	// depends_on, build defaults).
	NoNormalize bool
	// NoResolvePaths keeps relative paths relative.
	NoResolvePaths bool
	// NoConsistency skips the model's consistency checks.
	NoConsistency bool
	// NoEnvResolution keeps env_file entries instead of merging them into
	// each service's environment.
	NoEnvResolution bool
	// NoDefaultPlatform keeps each service's platform as written instead of
	// giving services that build the platform DOCKER_DEFAULT_PLATFORM names:
	// what `config` prints, as Compose's does, and enough for commands
	// that neither build nor create containers.
	NoDefaultPlatform bool
	// AllResources keeps networks, volumes, secrets and configs that no
	// selected service uses.
	AllResources bool
}

// Project is a loaded compose project: compose-go's model plus Berth's
// dependency graph over its enabled services.
type Project struct {
	// Compose is the model as compose-go loaded it, prepared as containers
	// are created from it (see ForContainers): env_file entries merged into
	// environment and DOCKER_DEFAULT_PLATFORM applied to services that
	// build, unless Options said otherwise.
	Compose *types.Project
	// Graph holds the services and the dependency edges between them.
	Graph *Graph
	// EnvFiles are the --env-file paths in effect, made absolute.
	EnvFiles []string
}

// Name is the project name (never empty).
func (p *Project) Name() string { return p.Compose.Name }

// Load reads the compose files opts points at, with compose-go doing
// discovery, interpolation, profiles, extends, include, env files,
// normalisation and validation, exactly as `docker compose` does. Errors name
// the file (and line where the YAML is malformed) and say what to fix.
func Load(ctx context.Context, opts Options) (*Project, error) {
	model, po, err := loadCompose(ctx, opts)
	if err != nil {
		return nil, err
	}
	g, err := NewGraph(model)
	if err != nil {
		return nil, &FileError{File: display(opts, po.ConfigPaths[0]), Err: err}
	}
	return &Project{Compose: model, Graph: g, EnvFiles: po.EnvFiles}, nil
}

// errEmptyName is the error when no name can be found for the project (the
// directory's name has no letter or digit and nothing else names it).
var errEmptyName = errors.New("project name can't be empty: use -p or COMPOSE_PROJECT_NAME, or run Berth from a directory with a name")

// loadUnchecked loads the compose-go model without building the graph.
func loadUnchecked(ctx context.Context, opts Options) (*types.Project, error) {
	model, _, err := loadCompose(ctx, opts)
	return model, err
}

func loadCompose(ctx context.Context, opts Options) (model *types.Project, po *cli.ProjectOptions, err error) {
	po, err = projectOptions(opts)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		// compose-go is not ours: a panic inside it on odd input must not
		// become a stack trace for the user
		if r := recover(); r != nil {
			model, err = nil, &FileError{File: display(opts, po.ConfigPaths[0]),
				Err: fmt.Errorf("the compose loader failed on this file (%v); please report it with the file attached", r)}
		}
	}()
	model, err = po.LoadProject(ctx)
	if err != nil {
		return nil, nil, explain(ctx, po, opts, err)
	}
	if model.Name == "" {
		return nil, nil, errEmptyName
	}
	if model, err = model.WithServicesEnabled(append(slices.Clone(opts.Services), opts.Enable...)...); err != nil {
		return nil, nil, fmt.Errorf("enabling services: %w", err)
	}
	if model, err = model.WithSelectedServices(opts.Services); err != nil {
		return nil, nil, fmt.Errorf("selecting services: %w", err)
	}
	if !opts.AllResources {
		model = model.WithoutUnnecessaryResources()
	}
	// as Compose's up prepares its project: what Berth plans from and
	// hashes is what `config --hash` hashes
	switch {
	case !opts.NoDefaultPlatform:
		if model, err = ForContainers(model, !opts.NoEnvResolution); err != nil {
			return nil, nil, err
		}
	case !opts.NoEnvResolution:
		if model, err = model.WithServicesEnvironmentResolved(true); err != nil {
			return nil, nil, fmt.Errorf("resolving service environment: %w", err)
		}
	}
	if !opts.NoConsistency {
		if service, err := checkContainerNames(model); err != nil {
			fe := &FileError{File: display(opts, po.ConfigPaths[0]), Err: err}
			for _, f := range po.ConfigPaths {
				if l, c := locate([]string{f}, "services."+service+".container_name"); l > 0 {
					fe.File, fe.Line, fe.Column = display(opts, f), l, c
					break
				}
			}
			return nil, nil, fe
		}
	}
	return model, po, nil
}

// checkContainerNames does what compose-go's CheckContainerNameUnicity does,
// with a message that names both services and is the same on every run (that
// one's depends on map order and prints "{}" for the other service). It
// returns the service whose container_name is the second use.
func checkContainerNames(p *types.Project) (string, error) {
	used := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		c := p.Services[name].ContainerName
		if c == "" {
			continue
		}
		if other, ok := used[c]; ok {
			return name, fmt.Errorf("services.%s: container name %q is already in use by service %s", name, c, other)
		}
		used[c] = name
	}
	return "", nil
}

// LoadModel loads the merged model as a plain map, without binding it to
// compose-go's types: what `config --no-interpolate` and `--variables` print.
func LoadModel(ctx context.Context, opts Options, skipValidation bool) (map[string]any, error) {
	po, err := projectOptions(opts)
	if err != nil {
		return nil, err
	}
	if skipValidation {
		if err := cli.WithLoadOptions(loader.WithSkipValidation)(po); err != nil {
			return nil, err
		}
	}
	model, err := po.LoadModel(ctx)
	if err != nil {
		return nil, explain(ctx, po, opts, err)
	}
	return model, nil
}

// projectOptions turns Options into compose-go project options in the same
// order `docker compose` applies them, so precedence between flags, the
// process environment, env files and COMPOSE_* variables is the same.
func projectOptions(opts Options) (*cli.ProjectOptions, error) {
	wd := opts.WorkDir
	if wd == "" {
		var err error
		if wd, err = os.Getwd(); err != nil {
			return nil, fmt.Errorf("finding the current directory: %w", err)
		}
	}
	environ := envMap(opts.Environ)
	if _, ok := environ["PWD"]; !ok {
		environ["PWD"] = wd
	}

	envFiles := opts.EnvFiles
	if len(envFiles) == 0 {
		envFiles = strings.FieldsFunc(environ[EnvFilesVar], func(r rune) bool { return r == ',' })
	}
	envFiles = absPaths(wd, envFiles)
	configPaths := absPaths(wd, opts.ConfigPaths)
	projectDir := opts.ProjectDir
	if projectDir != "" && !filepath.IsAbs(projectDir) {
		projectDir = filepath.Join(wd, projectDir)
	}
	if projectDir == "" && len(configPaths) > 0 && !hasFile(configPaths) {
		// only stdin (-f -): Compose takes the project directory to be the
		// process's directory, which for Berth is WorkDir
		projectDir = wd
	}
	// Compose reads the COMPOSE_* keys of the env files before anything
	// else, so a .env can name the files (COMPOSE_FILE), the project or the
	// profiles. Without -f or --project-directory that .env is the one in
	// the working directory, even when the compose file is found in a parent.
	envDir := projectDir
	if envDir == "" && !hasFile(configPaths) {
		envDir = wd
	}
	if err := promoteComposeVars(environ, envDir, configPaths, envFiles); err != nil {
		return nil, err
	}

	fns := []cli.ProjectOptionsFn{
		cli.WithInterpolation(!opts.NoInterpolate),
		cli.WithResolvedPaths(!opts.NoResolvePaths),
		cli.WithNormalization(!opts.NoNormalize),
		cli.WithConsistency(!opts.NoConsistency),
		cli.WithDiscardEnvFile,
		cli.WithWorkingDirectory(projectDir),
		cli.WithEnv(environList(environ)),
		// compose-go looks for .env in the process's directory when there
		// is no file yet; Berth looks in WorkDir
		inWorkDir(wd, cli.WithEnvFiles(envFiles...)),
		cli.WithDotEnv,
		withComposeFileEnv(wd),
		withDefaultConfigPath(wd),
		// a project directory other than the working directory may hold
		// another .env: read env files again, as Compose does
		cli.WithEnvFiles(envFiles...),
		cli.WithDotEnv,
		cli.WithDefaultProfiles(opts.Profiles...),
	}
	if opts.NoEnvResolution {
		fns = append(fns, cli.WithoutEnvironmentResolution)
	}
	fns = append(fns, cli.WithName(opts.ProjectName))
	po, err := cli.NewProjectOptions(configPaths, fns...)
	if err != nil {
		return nil, optionError(opts, err)
	}
	if len(po.ConfigPaths) == 0 {
		where := wd
		if projectDir != "" {
			where = projectDir
		}
		return nil, fmt.Errorf("%w: not found in %s or any parent directory; "+
			"create compose.yaml there or name one with -f", ErrNoConfigFile, where)
	}
	return po, nil
}

// withComposeFileEnv reads COMPOSE_FILE (split on COMPOSE_PATH_SEPARATOR),
// taking relative entries from wd rather than the process's directory.
func withComposeFileEnv(wd string) cli.ProjectOptionsFn {
	return func(o *cli.ProjectOptions) error {
		if len(o.ConfigPaths) > 0 {
			return nil
		}
		value, ok := o.Environment["COMPOSE_FILE"]
		if !ok {
			return nil
		}
		sep := o.Environment["COMPOSE_PATH_SEPARATOR"]
		if sep == "" {
			sep = string(os.PathListSeparator)
		}
		for _, f := range strings.Split(value, sep) {
			if f == "" {
				continue
			}
			o.ConfigPaths = append(o.ConfigPaths, absPath(wd, f))
		}
		return nil
	}
}

// inWorkDir runs fn, which looks for .env in the project's working
// directory, with wd standing in for the process's directory when neither
// --project-directory nor a compose file says where the project is.
func inWorkDir(wd string, fn cli.ProjectOptionsFn) cli.ProjectOptionsFn {
	return func(o *cli.ProjectOptions) error {
		if o.WorkingDir != "" || hasFile(o.ConfigPaths) {
			return fn(o)
		}
		o.WorkingDir = wd
		defer func() { o.WorkingDir = "" }()
		return fn(o)
	}
}

// withDefaultConfigPath finds compose.yaml when neither -f nor COMPOSE_FILE
// named the files: from the project directory if one is given (as
// compose-go does), otherwise from wd rather than the process's directory.
func withDefaultConfigPath(wd string) cli.ProjectOptionsFn {
	return func(o *cli.ProjectOptions) error {
		if len(o.ConfigPaths) > 0 {
			return nil
		}
		if o.WorkingDir != "" {
			return cli.WithDefaultConfigPath(o)
		}
		found, err := discover(wd)
		o.ConfigPaths = found
		return err
	}
}

// hasFile reports whether paths names a file other than stdin ("-").
func hasFile(paths []string) bool {
	for _, p := range paths {
		if p != "-" {
			return true
		}
	}
	return false
}

// discover finds compose.yaml (and its override) in dir or the nearest parent
// that has one, in compose-go's order of preference.
func discover(dir string) ([]string, error) {
	for {
		for _, name := range cli.DefaultFileNames {
			f := filepath.Join(dir, name)
			if st, err := os.Stat(f); err == nil && !st.IsDir() {
				found := []string{f}
				for _, o := range cli.DefaultOverrideFileNames {
					of := filepath.Join(dir, o)
					if st, err := os.Stat(of); err == nil && !st.IsDir() {
						found = append(found, of)
						break
					}
				}
				return found, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, nil
		}
		dir = parent
	}
}

// promoteComposeVars copies COMPOSE_* settings found in the env files (or
// the .env in dir, the project directory or the first compose file's) into
// the environment unless the environment already sets them, so a .env can
// set COMPOSE_FILE, COMPOSE_PROJECT_NAME or COMPOSE_PROFILES, as with Compose.
func promoteComposeVars(environ map[string]string, dir string, configPaths, envFiles []string) error {
	po, err := cli.NewProjectOptions(configPaths,
		cli.WithWorkingDirectory(dir),
		cli.WithEnv(environList(environ)),
		cli.WithEnvFiles(envFiles...),
	)
	if err != nil {
		return err
	}
	fromFiles, err := dotenv.GetEnvFromFile(environ, po.EnvFiles)
	if err != nil {
		return fmt.Errorf("reading env file: %w (check --env-file and COMPOSE_ENV_FILES)", err)
	}
	for k, v := range fromFiles {
		if _, set := environ[k]; !set && strings.HasPrefix(k, "COMPOSE_") {
			environ[k] = v
		}
	}
	return nil
}

func optionError(opts Options, err error) error {
	if opts.ProjectName != "" && strings.Contains(err.Error(), "project name") {
		return fmt.Errorf("invalid project name %q (-p): it must contain only lowercase letters, digits, dashes and underscores, and start with a letter or digit", opts.ProjectName)
	}
	return err
}

func envMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		m[k] = v
	}
	return m
}

func environList(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

func absPaths(wd string, ps []string) []string {
	if len(ps) == 0 {
		return nil
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = absPath(wd, p)
	}
	return out
}

func absPath(wd, p string) string {
	if p == "-" {
		return p
	}
	p = paths.ExpandUser(p)
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(wd, p)
}
