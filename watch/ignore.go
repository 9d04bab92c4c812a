package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// builtinIgnores is what every rule ignores whatever its configuration says:
// .git directories and the temporary files editors write next to the files
// being edited. The patterns are relative to the rule's root, and match a
// path when they match it or one of its parents below the root.
//
// The editor list is Compose's (pkg/watch/ephemeral.go, inherited from
// Tilt's internal/ignore/ephemeral.go), widened where noted.
var builtinIgnores = []string{
	// Compose documents ".git directories are ignored automatically", but its
	// pattern (".git/" relative to "/", pkg/compose/watch.go) only matches
	// "/.git"; Berth ignores a .git directory at any depth.
	"**/.git",
	// JetBrains IDEs: safe-write temporaries, and the project directory.
	// Compose lists "**/.idea/**"; ignoring the directory itself as well
	// lets the watcher skip it.
	"**/*___jb_tmp___",
	"**/*___jb_old___",
	"**/.idea",
	// GoLand run configurations build "___go_build_*" binaries in the
	// working directory (a Berth addition).
	"**/___*",
	// Emacs: auto-save files and lock links.
	"**/#*#",
	"**/.#*",
	// Vim: the file written to probe directory writability, backups, and
	// swap files. Compose only matches hidden swap files (".*.swp"); Berth
	// matches any name with those suffixes, which also covers the swap file
	// of an unnamed buffer and swap files written with 'directory' set.
	"**/4913",
	"**/*~",
	"**/*.swp",
	"**/*.swx",
	"**/*.swo",
	"**/*.swn",
	// Kate swap files.
	"**/.*.kate-swp",
	// The go command's umask probes.
	"**/*-go-tmp-umask",
}

// IgnoreSpec says what a rule ignores.
type IgnoreSpec struct {
	// Root is the rule's watched path, absolute: a directory, or a single
	// file.
	Root string
	// Ignore holds the rule's ignore patterns, in .dockerignore syntax,
	// relative to Root.
	Ignore []string
	// Include holds the rule's include patterns, relative to Root; when it
	// is not empty, only files matching one of them count.
	Include []string
	// ContextDir is the service's build context directory, absolute, or ""
	// when the service has no build.
	ContextDir string
	// Dockerfile is the service's Dockerfile, absolute or relative to
	// ContextDir; "" means ContextDir's Dockerfile.
	Dockerfile string
}

// Ignorer decides which paths under a rule's root the rule ignores, the way
// Compose's watch does: a path is ignored when the build context's ignore
// file, the built-in patterns (.git, editor temporaries) or the rule's ignore
// patterns match it, or when the rule has include patterns and none matches
// it. SkipDir goes further and tells the watcher which directories it need
// not watch at all.
//
// An Ignorer is safe for concurrent use: every pattern is compiled when it
// is built.
type Ignorer struct {
	root         string
	builtin      patternList
	ignore       patternList
	include      patternList
	hasInclude   bool
	contextDir   string
	dockerignore patternList
}

// NewIgnorer reads the build context's ignore file, if any, and compiles
// the spec's patterns. A bad pattern is an error naming it, and for the
// ignore file its file and line.
func NewIgnorer(spec IgnoreSpec) (*Ignorer, error) {
	if !filepath.IsAbs(spec.Root) {
		return nil, fmt.Errorf("watch path %q is not absolute", spec.Root)
	}
	if spec.ContextDir != "" && !filepath.IsAbs(spec.ContextDir) {
		return nil, fmt.Errorf("build context %q is not absolute", spec.ContextDir)
	}
	root := filepath.Clean(spec.Root)
	ig := &Ignorer{root: root, hasInclude: len(spec.Include) > 0}

	var err error
	if ig.builtin, err = compilePatterns(builtinIgnores); err != nil {
		return nil, fmt.Errorf("built-in ignore pattern: %w", err)
	}
	ignore, err := rulePatterns(root, withoutBareStar(spec.Ignore, slices.Contains(spec.Ignore, "*")))
	if err != nil {
		return nil, fmt.Errorf("ignore %w", err)
	}
	if ig.ignore, err = compilePatterns(ignore); err != nil {
		return nil, fmt.Errorf("ignore %w", err)
	}
	// Compose also passes include patterns through the bare "*" rule, which
	// leaves `include: ["*"]` matching nothing and so ignores every file;
	// Berth keeps "*" in include lists, where it includes everything.
	include, err := rulePatterns(root, spec.Include)
	if err != nil {
		return nil, fmt.Errorf("include %w", err)
	}
	if ig.include, err = compilePatterns(include); err != nil {
		return nil, fmt.Errorf("include %w", err)
	}
	if spec.ContextDir != "" {
		ig.contextDir = filepath.Clean(spec.ContextDir)
		if ig.dockerignore, err = loadDockerignore(ig.contextDir, spec.Dockerfile); err != nil {
			return nil, err
		}
	}
	return ig, nil
}

// Ignored reports whether the rule ignores path, a file or directory under
// the root; a relative path is taken as relative to the root. Paths outside
// the root are ignored. A directory the include patterns do not match is
// ignored only when none of them could match anything beneath it; a path
// that no longer exists is judged as a file.
func (i *Ignorer) Ignored(path string) bool {
	abs := i.abs(path)
	rel, ok := relativeTo(i.root, abs)
	if !ok {
		return true
	}
	if i.builtin.matches(rel) || i.ignore.matches(rel) {
		return true
	}
	if ctxRel, ok := i.contextRel(abs); ok && i.dockerignore.matches(ctxRel) {
		return true
	}
	if i.hasInclude {
		if isDir(abs) {
			return !i.include.reaches(rel)
		}
		return !i.include.matches(rel)
	}
	return false
}

// SkipDir reports whether the watcher can leave dir, a directory under the
// root, unwatched and not descend into it: dir is ignored and no exception
// (`!` pattern) or include pattern could match anything beneath it, so
// every path beneath dir is ignored too. It errs towards false. Directories
// outside the root are skipped, but not the root's parents, which lead to
// it (and hold it when it is a single file).
func (i *Ignorer) SkipDir(dir string) bool {
	abs := i.abs(dir)
	rel, ok := relativeTo(i.root, abs)
	if !ok {
		_, parent := relativeTo(abs, i.root)
		return !parent
	}
	if i.builtin.ignoresAll(rel) || i.ignore.ignoresAll(rel) {
		return true
	}
	if ctxRel, ok := i.contextRel(abs); ok && i.dockerignore.ignoresAll(ctxRel) {
		return true
	}
	return i.hasInclude && !i.include.reaches(rel)
}

// abs makes path absolute, relative paths being relative to the root.
func (i *Ignorer) abs(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(i.root, path)
}

// contextRel returns abs relative to the build context, and false when
// there is no build context or abs is outside it.
func (i *Ignorer) contextRel(abs string) (string, bool) {
	if i.contextDir == "" {
		return "", false
	}
	return relativeTo(i.contextDir, abs)
}

// relativeTo returns the slash-separated path of abs relative to base ("."
// for base itself), and false when abs is not base or beneath it.
func relativeTo(base, abs string) (string, bool) {
	rel, err := filepath.Rel(base, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// isDir reports whether path is an existing directory (not a link to one).
func isDir(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.IsDir()
}

// loadDockerignore reads the build context's ignore file: the Dockerfile's
// own "<Dockerfile>.dockerignore" when it exists, else the context's
// .dockerignore (Compose's LoadDockerIgnore, pkg/watch/dockerignore.go).
// Its patterns are relative to the context.
func loadDockerignore(contextDir, dockerfile string) (patternList, error) {
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	if !filepath.IsAbs(dockerfile) {
		dockerfile = filepath.Join(contextDir, dockerfile)
	}
	for _, name := range []string{dockerfile + ".dockerignore", filepath.Join(contextDir, ".dockerignore")} {
		data, err := os.ReadFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading ignore file: %w", err)
		}
		return parseDockerignore(name, string(data))
	}
	return nil, nil
}

// parseDockerignore compiles the patterns of the ignore file name, whose
// content is data. A bad pattern is an error naming the file and line.
func parseDockerignore(name, data string) (patternList, error) {
	patterns, err := ignorefile.ReadAll(strings.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("reading ignore file %s: %w", name, err)
	}
	list := make(patternList, 0, len(patterns))
	for _, p := range withoutBareStar(patterns, slices.Contains(patterns, "*")) {
		pat, err := compilePattern(p)
		if err != nil {
			return nil, fmt.Errorf("ignore file %s line %d: %w", name, patternLine(data, p), err)
		}
		list = append(list, pat)
	}
	return list, nil
}

// patternLine returns the number of the first line of an ignore file's
// content that reads as pattern, or 0.
func patternLine(data, pattern string) int {
	for n, line := range strings.Split(data, "\n") {
		ps, err := ignorefile.ReadAll(strings.NewReader(line))
		if err == nil && len(ps) == 1 && ps[0] == pattern {
			return n + 1
		}
	}
	return 0
}

// withoutBareStar applies Compose's rule for a bare "*" pattern
// (NewDockerPatternMatcher in pkg/watch/dockerignore.go, since v2.30): when
// a list holds one, every pattern but the `!` exceptions is dropped, "*"
// included. The exceptions are then all that is left, and they only ever
// un-ignore, so such a list ignores nothing.
func withoutBareStar(patterns []string, hasBareStar bool) []string {
	if !hasBareStar {
		return patterns
	}
	return slices.DeleteFunc(slices.Clone(patterns), func(p string) bool {
		return p != "" && p[0] != '!'
	})
}

// rulePatterns normalizes a rule's ignore or include patterns the way
// ignorefile.ReadAll normalizes an ignore file's lines, each made relative
// to root: blank patterns are dropped, surrounding spaces trimmed and the
// path cleaned; an absolute pattern is made relative to root, as Compose
// joins relative ones to it. Each raw pattern is first checked by
// patternmatcher, so errors read as Compose's.
func rulePatterns(root string, raw []string) ([]string, error) {
	out := make([]string, 0, len(raw))
	for _, p := range raw {
		if _, err := patternmatcher.New([]string{p}); err != nil {
			return nil, fmt.Errorf("pattern %q: %w", p, err)
		}
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		prefix := ""
		if p[0] == '!' {
			prefix, p = "!", strings.TrimSpace(p[1:])
		}
		p = filepath.Clean(p)
		if filepath.IsAbs(p) {
			if rel, err := filepath.Rel(root, p); err == nil {
				p = rel
			}
		}
		out = append(out, prefix+filepath.ToSlash(p))
	}
	return out, nil
}

// pattern is one compiled pattern of a list. Each is compiled on its own so
// that SkipDir can tell which pattern decided a directory's fate and what
// the patterns after it could still match.
type pattern struct {
	exclusion bool
	// whole matches the pattern alone, `!` stripped, against a path and its
	// parents.
	whole *patternmatcher.PatternMatcher
	// prefixes[n] matches the pattern's first n+1 path components; they
	// stop before a component holding "**", or are empty when the pattern
	// cannot be split into components safely.
	prefixes []*patternmatcher.PatternMatcher
}

// patternList is an ordered list of patterns: as in patternmatcher, the
// last pattern that matches a path or one of its parents decides, ignoring
// it unless it is an exception.
type patternList []pattern

// compilePatterns compiles normalized patterns, `!` marking exceptions.
func compilePatterns(patterns []string) (patternList, error) {
	list := make(patternList, 0, len(patterns))
	for _, p := range patterns {
		pat, err := compilePattern(p)
		if err != nil {
			return nil, err
		}
		list = append(list, pat)
	}
	return list, nil
}

// compilePattern compiles a normalized pattern (relative to the list's
// base, slash-separated, cleaned, `!` marking an exception).
func compilePattern(p string) (pattern, error) {
	var pat pattern
	body := p
	if strings.HasPrefix(body, "!") {
		pat.exclusion, body = true, body[1:]
	}
	if body == "" {
		return pattern{}, fmt.Errorf("pattern %q: illegal exclusion pattern", p)
	}
	if body == "." || body == "/" {
		// The base itself: Compose joins the pattern to the base's
		// absolute path, which then matches everything beneath it.
		body = "**"
	}
	whole, err := compileOne(body)
	if err != nil {
		return pattern{}, fmt.Errorf("pattern %q: %w", p, err)
	}
	pat.whole = whole
	if strings.Contains(body, `\`) {
		// An escape may hide a separator: no prefixes, so the pattern
		// could match at any depth.
		return pat, nil
	}
	parts := strings.Split(body, "/")
	for n, part := range parts {
		if strings.Contains(part, "**") {
			break
		}
		prefix, err := compileOne(strings.Join(parts[:n+1], "/"))
		if err != nil {
			// A prefix that is no pattern of its own (a class cut in two):
			// stop, so the pattern could match at any depth from here.
			break
		}
		pat.prefixes = append(pat.prefixes, prefix)
	}
	return pat, nil
}

// compileOne compiles a single non-exception pattern, forcing patternmatcher
// to build its regular expression now rather than on first use, so that
// later matching only reads it.
func compileOne(body string) (*patternmatcher.PatternMatcher, error) {
	if strings.HasPrefix(body, "!") {
		// A literal leading "!", as in "!!name".
		body = `\` + body
	}
	pm, err := patternmatcher.New([]string{body})
	if err != nil {
		return nil, err
	}
	if _, err := pm.MatchesOrParentMatches("x"); err != nil {
		return nil, err
	}
	return pm, nil
}

// decisive returns the index of the last pattern matching rel or one of
// its parents, or -1. The base itself (".") is matched by none.
func (l patternList) decisive(rel string) int {
	if rel == "." {
		return -1
	}
	k := -1
	for n, p := range l {
		if ok, err := p.whole.MatchesOrParentMatches(rel); err == nil && ok {
			k = n
		}
	}
	return k
}

// matches reports whether the list ignores rel.
func (l patternList) matches(rel string) bool {
	k := l.decisive(rel)
	return k >= 0 && !l[k].exclusion
}

// ignoresAll reports whether the list ignores rel and everything beneath
// it: it ignores rel, and no exception after the pattern that decided rel
// could match anything beneath. (Exceptions before that pattern cannot
// matter, and those after it do not match rel or its parents, else they
// would have decided it.)
func (l patternList) ignoresAll(rel string) bool {
	k := l.decisive(rel)
	if k < 0 || l[k].exclusion {
		return false
	}
	parts := strings.Split(rel, "/")
	for _, p := range l[k+1:] {
		if p.exclusion && p.reaches(parts) {
			return false
		}
	}
	return true
}

// reaches reports whether some non-exception pattern of the list could
// match rel, one of its parents, or something beneath it.
func (l patternList) reaches(rel string) bool {
	var parts []string
	if rel != "." {
		parts = strings.Split(rel, "/")
	}
	for _, p := range l {
		if !p.exclusion && p.reaches(parts) {
			return true
		}
	}
	return false
}

// reaches reports whether the pattern could match the directory whose path
// components are dir, one of its parents, or something beneath it: true
// unless one of its leading components cannot match dir's.
func (p pattern) reaches(dir []string) bool {
	for n := range dir {
		if n == len(p.prefixes) {
			return true
		}
		if ok, err := p.prefixes[n].MatchesOrParentMatches(strings.Join(dir[:n+1], "/")); err == nil && !ok {
			return false
		}
	}
	return true
}
