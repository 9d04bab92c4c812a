package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/container"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project"
)

// LabelImageBuilder is the label Compose puts on the images it builds, naming
// the builder; Berth builds with the classic builder, as Compose does without
// BuildKit.
const LabelImageBuilder = "com.docker.compose.image.builder"

// Build builds service svc of project p with the classic builder through the
// Engine API and tags it project.ImageName(p.Compose, svc) plus build.tags;
// log receives the builder's output lines (the caller prefixes them).
// It returns the image ID.
//
// The build context is the local directory build.context, sent as a tar
// stream that honours .dockerignore (or <Dockerfile>.dockerignore, which
// takes precedence). A symlink in it that leads outside the directory fails
// the build. Fields that need BuildKit (ssh, secrets, additional_contexts,
// cache_to, several platforms, ...) are refused with an error naming them.
func (c *Client) Build(ctx context.Context, p *project.Project, svc string, opts engine.BuildOptions, log func(line string)) (string, error) {
	s, ok := p.Compose.Services[svc]
	if !ok {
		return "", fmt.Errorf("service %q is not in the project", svc)
	}
	if s.Build == nil {
		return "", fmt.Errorf("service %q has no build section", svc)
	}
	if log == nil || opts.Quiet {
		log = func(string) {}
	}
	options, err := buildOptions(p.Compose, s, opts)
	if err != nil {
		return "", fmt.Errorf("service %q: %w", svc, err)
	}
	bc, err := newBuildContext(s.Build, svc)
	if err != nil {
		return "", fmt.Errorf("service %q: %w", svc, err)
	}
	options.Dockerfile = bc.dockerfile
	options.Labels[LabelBuildContext] = bc.digest()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	sent := make(chan error, 1)
	go func() {
		err := bc.writeTar(pw)
		_ = pw.CloseWithError(err) // a nil error closes the stream normally
		sent <- err
	}()
	resp, err := c.api.ImageBuild(ctx, pr, options)
	if err != nil {
		_ = pr.Close()
		if serr := <-sent; serr != nil && !errors.Is(serr, io.ErrClosedPipe) {
			return "", fmt.Errorf("service %q: sending the build context: %w", svc, serr)
		}
		return "", fmt.Errorf("service %q: build: %w", svc, err)
	}
	defer resp.Body.Close()
	id, err := readBuildMessages(resp.Body, log)
	_ = pr.Close() // the engine has everything it will read
	if serr := <-sent; serr != nil && !errors.Is(serr, io.ErrClosedPipe) {
		return "", fmt.Errorf("service %q: sending the build context: %w", svc, serr)
	}
	if err != nil {
		return "", fmt.Errorf("service %q: build failed: %w", svc, err)
	}
	if id == "" {
		// the engine announces the ID in an aux message; should it not,
		// the tag says which image was built
		ins, err := c.api.ImageInspect(ctx, options.Tags[0])
		if err != nil {
			return "", fmt.Errorf("service %q: inspecting the image built: %w", svc, err)
		}
		id = ins.ID
	}
	return id, nil
}

// buildOptions maps service s's build section, and opts, to the classic
// builder's options. A field the classic builder cannot honour is an error
// naming it.
func buildOptions(p *types.Project, s types.ServiceConfig, opts engine.BuildOptions) (build.ImageBuildOptions, error) {
	b := s.Build
	var unsupported []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"build.ssh", len(b.SSH) > 0},
		{"build.secrets", len(b.Secrets) > 0},
		{"build.additional_contexts", len(b.AdditionalContexts) > 0},
		{"build.cache_to", len(b.CacheTo) > 0},
		{"build.no_cache_filter", len(b.NoCacheFilter) > 0},
		{"build.entitlements", len(b.Entitlements) > 0},
		{"build.privileged", b.Privileged},
		{"build.provenance", b.Provenance != ""},
		{"build.sbom", b.SBOM != ""},
		{"build.platforms (more than one)", len(b.Platforms) > 1},
		{"build.cache_from (type= entries)", slices.ContainsFunc(b.CacheFrom, func(e string) bool { return strings.Contains(e, "=") })},
	} {
		if f.set {
			unsupported = append(unsupported, f.name)
		}
	}
	switch len(unsupported) {
	case 0:
	case 1:
		return build.ImageBuildOptions{}, fmt.Errorf("%s needs BuildKit, which this engine's classic builder does not have", unsupported[0])
	default:
		return build.ImageBuildOptions{}, fmt.Errorf("%s need BuildKit, which this engine's classic builder does not have", strings.Join(unsupported, ", "))
	}

	tags := []string{project.ImageName(p, s.Name)}
	for _, t := range b.Tags {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	args := map[string]*string{}
	for k, v := range b.Args {
		if v != nil { // no value: compose-go found none in the environment
			args[k] = v
		}
	}
	for k, v := range opts.Args {
		args[k] = &v
	}
	labels := map[string]string{}
	maps.Copy(labels, b.Labels)
	labels[LabelImageBuilder] = "classic"
	extraHosts := b.ExtraHosts.AsList(":")
	slices.Sort(extraHosts)
	var ulimits []*container.Ulimit
	for _, name := range slices.Sorted(maps.Keys(b.Ulimits)) {
		u := b.Ulimits[name]
		soft, hard := u.Soft, u.Hard
		if u.Single != 0 {
			soft, hard = u.Single, u.Single
		}
		ulimits = append(ulimits, &container.Ulimit{Name: name, Soft: int64(soft), Hard: int64(hard)})
	}
	platform := s.Platform
	if platform == "" && len(b.Platforms) == 1 {
		platform = b.Platforms[0]
	}
	return build.ImageBuildOptions{
		Version:     build.BuilderV1,
		Tags:        tags,
		NoCache:     b.NoCache || opts.NoCache,
		PullParent:  b.Pull || opts.Pull,
		Remove:      true,
		BuildArgs:   args,
		Labels:      labels,
		Target:      b.Target,
		NetworkMode: b.Network,
		ExtraHosts:  extraHosts,
		ShmSize:     int64(b.ShmSize),
		Ulimits:     ulimits,
		CacheFrom:   b.CacheFrom,
		Isolation:   container.Isolation(b.Isolation),
		Platform:    platform,
		// SuppressOutput leaves only the image ID in the stream
		SuppressOutput: opts.Quiet,
	}, nil
}

// readBuildMessages reads a build's JSON message stream: stream text goes to
// log line by line (with status lines of pulls, without their progress
// bars), the aux message gives the image ID, and an error message ends the
// build. An error in a FROM step (the base image could not be had) names
// the image.
func readBuildMessages(r io.Reader, log func(string)) (string, error) {
	dec := json.NewDecoder(r)
	var (
		id      string
		partial string // stream text after its last newline
		from    string // the base image of the current step, when it is a FROM
	)
	emit := func(line string) {
		line = strings.TrimRight(line, "\r")
		if rest, ok := strings.CutPrefix(line, "Step "); ok {
			from = ""
			if _, instr, ok := strings.Cut(rest, " : "); ok {
				from = fromImage(instr)
			}
		}
		if line != "" {
			log(line)
		}
	}
	for {
		var msg buildMessage
		if err := dec.Decode(&msg); err == io.EOF {
			break
		} else if err != nil {
			return "", fmt.Errorf("reading the builder's messages: %w", err)
		}
		if msg.Error != "" || msg.ErrorDetail.Message != "" {
			if partial != "" {
				emit(partial)
			}
			text := msg.ErrorDetail.Message
			if text == "" {
				text = msg.Error
			}
			if from != "" {
				return "", fmt.Errorf("base image %s: %s", from, text)
			}
			return "", errors.New(text)
		}
		if msg.Aux != nil {
			var res build.Result
			if err := json.Unmarshal(msg.Aux, &res); err == nil && res.ID != "" {
				id = res.ID
			}
		}
		if msg.Stream != "" {
			lines := strings.Split(partial+msg.Stream, "\n")
			partial = lines[len(lines)-1]
			for _, line := range lines[:len(lines)-1] {
				emit(line)
			}
		}
		if msg.Status != "" && !hasProgress(msg.Progress) {
			emit(strings.TrimSpace(msg.ID + " " + msg.Status))
		}
	}
	if partial != "" {
		emit(partial)
	}
	return id, nil
}

// hasProgress reports whether a progressDetail is set and not empty: status
// messages with one are progress bars, not worth a line each.
func hasProgress(detail json.RawMessage) bool {
	d := strings.TrimSpace(string(detail))
	return d != "" && d != "null" && d != "{}"
}

// buildMessage is one message of the Engine API's JSON message stream, as a
// build sends them.
type buildMessage struct {
	Stream      string          `json:"stream"`
	Status      string          `json:"status"`
	ID          string          `json:"id"`
	Progress    json.RawMessage `json:"progressDetail"`
	Aux         json.RawMessage `json:"aux"`
	Error       string          `json:"error"`
	ErrorDetail struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
}

// fromImage returns the image a "FROM [--platform=…] image [AS name]"
// instruction names, or "" for another instruction or FROM scratch.
func fromImage(instr string) string {
	fields := strings.Fields(instr)
	if len(fields) < 2 || !strings.EqualFold(fields[0], "FROM") {
		return ""
	}
	for _, f := range fields[1:] {
		if !strings.HasPrefix(f, "--") {
			if f == "scratch" {
				return ""
			}
			return f
		}
	}
	return ""
}

// buildContext is a build context ready to be sent: what goes in the tar
// stream, and the Dockerfile's name in it.
type buildContext struct {
	entries []contextEntry
	// dockerfile is the Dockerfile's slash-separated path in the tar.
	dockerfile string
}

// contextEntry is one member of the build context's tar stream: a file,
// directory or symlink of the context directory (path set), or a file
// Berth generates (data set).
type contextEntry struct {
	name string // slash-separated, relative to the context root
	path string
	info fs.FileInfo
	link string // a symlink's target
	data []byte
}

// newBuildContext lists the build context of service svc. The context must
// be a local directory; symlinks are kept as symlinks, and one that leads
// outside the directory is an error. Files the ignore file excludes are left
// out, but never the Dockerfile or .dockerignore, which the classic builder
// reads itself (as the docker CLI does). A dockerfile_inline, or a Dockerfile
// outside the context, is added under a generated name.
func newBuildContext(b *types.BuildConfig, svc string) (*buildContext, error) {
	dir := b.Context
	if dir == "" {
		dir = "."
	}
	if dir == "-" || strings.Contains(dir, "://") || strings.HasPrefix(dir, "git@") || strings.HasPrefix(dir, "github.com/") {
		return nil, fmt.Errorf("build context %q is not supported: Berth builds from a local directory only", dir)
	}
	root, err := filepath.Abs(dir)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	if fi, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("build context %s is not a directory", dir)
	}

	// the Dockerfile: a file of the context, or content Berth adds to it
	var (
		dockerfile     string // its name in the tar
		dockerfileData []byte // its content when Berth adds it
		ignoreFiles    []string
	)
	if b.DockerfileInline != "" {
		dockerfileData = []byte(b.DockerfileInline)
	} else {
		df := b.Dockerfile
		if df == "" {
			df = "Dockerfile"
		}
		abs := df
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(root, df)
		}
		if _, err := os.Stat(abs); err != nil {
			return nil, fmt.Errorf("dockerfile: %w", err)
		}
		// BuildKit's rule: <Dockerfile>.dockerignore, next to it, first
		ignoreFiles = append(ignoreFiles, abs+".dockerignore")
		if rel, ok := relInside(root, abs); ok {
			dockerfile = rel
		} else if rel, ok := relInside(filepath.Clean(dir), abs); ok && filepath.IsAbs(dir) {
			dockerfile = rel // an absolute dockerfile under a context path through a symlink
		} else if dockerfileData, err = os.ReadFile(abs); err != nil {
			return nil, fmt.Errorf("dockerfile: %w", err)
		}
	}
	ignoreFiles = append(ignoreFiles, filepath.Join(root, ".dockerignore"))
	var ignore []byte
	ignoreFile := ""
	for _, f := range ignoreFiles {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("reading %s: %w", f, err)
		}
		ignore, ignoreFile = data, f
		break
	}
	excludes, err := ignorefile.ReadAll(bytes.NewReader(ignore))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ignoreFile, err)
	}

	bc := &buildContext{dockerfile: dockerfile}
	_, rootIgnoreErr := os.Lstat(filepath.Join(root, ".dockerignore"))
	hasRootIgnore := rootIgnoreErr == nil
	// The engine reads the patterns of the tar's .dockerignore to drop the
	// Dockerfile and .dockerignore from the context after reading them.
	// When the patterns in effect come from elsewhere, or the Dockerfile is
	// generated, the tar gets a .dockerignore of its own, as the docker CLI
	// does for a Dockerfile from outside the context.
	var ownIgnore []byte
	if dockerfileData != nil {
		bc.dockerfile = generatedName(root, ".berth.Dockerfile."+svc)
		bc.entries = append(bc.entries, contextEntry{name: bc.dockerfile, data: dockerfileData})
	}
	if dockerfileData != nil || (ignoreFile != "" && ignoreFile != filepath.Join(root, ".dockerignore")) {
		var buf bytes.Buffer
		if !hasRootIgnore {
			buf.WriteString(".dockerignore\n")
		}
		buf.Write(ignore)
		if dockerfileData != nil {
			fmt.Fprintf(&buf, "\n%s\n", bc.dockerfile)
		}
		ownIgnore = buf.Bytes()
		bc.entries = append(bc.entries, contextEntry{name: ".dockerignore", data: ownIgnore})
	}

	keep := []string{".dockerignore"}
	if dockerfileData == nil {
		keep = append(keep, bc.dockerfile)
	}
	files, err := walkContext(root, excludes, keep)
	if err != nil {
		return nil, err
	}
	for _, e := range files {
		if ownIgnore != nil && e.name == ".dockerignore" {
			continue
		}
		bc.entries = append(bc.entries, e)
	}
	return bc, nil
}

// generatedName returns name, or name with a numeric suffix, whichever is
// first not to exist in the context directory root.
func generatedName(root, name string) string {
	candidate := name
	for i := 2; ; i++ {
		if _, err := os.Lstat(filepath.Join(root, candidate)); errors.Is(err, fs.ErrNotExist) {
			return candidate
		}
		candidate = fmt.Sprintf("%s.%d", name, i)
	}
}

// walkContext lists the files, directories and symlinks under root that the
// exclude patterns (.dockerignore syntax) leave in, with those in keep (slash
// paths relative to root) always in. An excluded directory is skipped unless
// an exception pattern may match under it, as the docker CLI does.
func walkContext(root string, excludes, keep []string) ([]contextEntry, error) {
	patterns := slices.Clone(excludes)
	for _, k := range keep {
		patterns = append(patterns, "!"+k)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf("ignore file: %w", err)
	}
	parents := map[string]patternmatcher.MatchInfo{}
	var out []contextEntry
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("build context: %w", err)
		}
		if p == root {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		excluded, info, err := pm.MatchesUsingParentResults(name, parents[path.Dir(name)])
		if err != nil {
			return fmt.Errorf("matching %s against the ignore patterns: %w", name, err)
		}
		if d.IsDir() {
			parents[name] = info
		}
		if excluded {
			if d.IsDir() && !exceptionUnder(pm, name) {
				return filepath.SkipDir
			}
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return fmt.Errorf("build context: %w", err)
		}
		e := contextEntry{name: name, path: p, info: fi}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			if e.link, err = os.Readlink(p); err != nil {
				return fmt.Errorf("build context: %w", err)
			}
			if err := checkLink(root, name, e.link); err != nil {
				return err
			}
		case fi.Mode().IsRegular(), fi.IsDir():
		default:
			return nil // sockets, devices and pipes are not sent
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// exceptionUnder reports whether an exception pattern of pm may match a path
// under dir (a slash path), so that an excluded directory must be walked.
func exceptionUnder(pm *patternmatcher.PatternMatcher, dir string) bool {
	if !pm.Exclusions() {
		return false
	}
	for _, pat := range pm.Patterns() {
		if pat.Exclusion() && strings.HasPrefix(filepath.ToSlash(pat.String())+"/", dir+"/") {
			return true
		}
	}
	return false
}

// checkLink fails when the symlink name (a slash path relative to root),
// with target, leads outside root.
func checkLink(root, name, target string) error {
	start := target
	if !filepath.IsAbs(start) {
		start = filepath.Dir(filepath.Join(root, filepath.FromSlash(name))) + string(filepath.Separator) + target
	}
	dest, err := resolvePath(start)
	if err != nil {
		return fmt.Errorf("build context: symlink %s: %w", name, err)
	}
	if _, ok := relInside(root, dest); !ok {
		return fmt.Errorf("refusing to send symlink %s (-> %s): it leads outside the build context %s", name, target, root)
	}
	return nil
}

// maxLinkHops bounds the symlinks resolvePath follows, as the kernel's
// ELOOP does.
const maxLinkHops = 255

// resolvePath returns where the absolute path p leads on this host,
// following symlinks component by component as the kernel would; a
// component that does not exist is taken as it is.
func resolvePath(p string) (string, error) {
	vol := filepath.VolumeName(p)
	sep := string(filepath.Separator)
	cur := vol + sep
	todo := strings.Split(p[len(vol):], sep)
	for hops := 0; len(todo) > 0; {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, c)
		fi, err := os.Lstat(next)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if hops++; hops > maxLinkHops {
			return "", errors.New("too many levels of symbolic links")
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", err
		}
		if filepath.IsAbs(target) {
			v := filepath.VolumeName(target)
			cur, target = v+sep, target[len(v):]
		}
		todo = append(strings.Split(target, sep), todo...)
	}
	return cur, nil
}

// relInside returns p relative to root, slash separated, when p is root or
// under it.
func relInside(root, p string) (string, bool) {
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// writeTar writes the build context to w as a tar stream: modes and
// modification times preserved, owned by root.
func (bc *buildContext) writeTar(w io.Writer) error {
	tw := tar.NewWriter(w)
	for _, e := range bc.entries {
		if err := e.write(tw); err != nil {
			return err
		}
	}
	return tw.Close()
}

func (e contextEntry) write(tw *tar.Writer) error {
	if e.info == nil {
		// a generated file: its fixed time keeps the context the same from
		// one run to the next
		h := &tar.Header{Typeflag: tar.TypeReg, Name: e.name, Mode: 0o644, Size: int64(len(e.data)), ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("writing %s: %w", e.name, err)
		}
		_, err := tw.Write(e.data)
		return err
	}
	h, err := tar.FileInfoHeader(e.info, e.link)
	if err != nil {
		return fmt.Errorf("%s: %w", e.path, err)
	}
	h.Name = e.name
	if e.info.IsDir() {
		h.Name += "/"
	}
	h.Uid, h.Gid, h.Uname, h.Gname = 0, 0, "", ""
	h.AccessTime, h.ChangeTime = time.Time{}, time.Time{}
	h.PAXRecords = nil
	h.Format = tar.FormatUnknown
	if err := tw.WriteHeader(h); err != nil {
		return fmt.Errorf("writing %s: %w", e.path, err)
	}
	if !e.info.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(e.path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.CopyN(tw, f, h.Size); err != nil {
		return fmt.Errorf("reading %s: %w", e.path, err)
	}
	return nil
}
