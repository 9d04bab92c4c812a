package watch

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ignoreCase is one table case: a tree, a spec over it, and what the
// Ignorer must say about paths in it. Paths are relative to the tree's base
// directory, slash-separated.
type ignoreCase struct {
	name string
	// tree maps paths to file contents; a path ending in "/" is a directory.
	tree    map[string]string
	spec    func(base string) IgnoreSpec
	ignored []string
	kept    []string
	skip    []string
	descend []string
}

func TestIgnorer(t *testing.T) {
	cases := []ignoreCase{
		{
			name: "dockerignore with an exception under an excluded dir",
			tree: map[string]string{
				".dockerignore":             "# build output\nbuild\n!build/keep.txt\nnode_modules\n*.log\n",
				"build/a.o":                 "",
				"build/keep.txt":            "",
				"build/sub/b.o":             "",
				"node_modules/pkg/index.js": "",
				"app.log":                   "",
				"src/app.log":               "",
				"src/main.go":               "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: base, ContextDir: base}
			},
			ignored: []string{"build", "build/a.o", "build/sub/b.o", "node_modules/pkg/index.js", "app.log"},
			kept:    []string{"build/keep.txt", "src/app.log", "src/main.go", "src", "."},
			skip:    []string{"node_modules", "node_modules/pkg", "build/sub"},
			descend: []string{"build", "src", "."},
		},
		{
			name: "Dockerfile.dockerignore takes precedence over .dockerignore",
			tree: map[string]string{
				".dockerignore":                  "a.txt\n",
				"docker/Dockerfile":              "FROM scratch\n",
				"docker/Dockerfile.dockerignore": "b.txt\n",
				"a.txt":                          "",
				"b.txt":                          "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: base, ContextDir: base, Dockerfile: filepath.Join(base, "docker/Dockerfile")}
			},
			ignored: []string{"b.txt"},
			kept:    []string{"a.txt", "docker/Dockerfile"},
		},
		{
			name: ".dockerignore when the Dockerfile has none of its own",
			tree: map[string]string{
				".dockerignore":     "a.txt\n",
				"docker/Dockerfile": "FROM scratch\n",
				"a.txt":             "",
				"b.txt":             "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: base, ContextDir: base, Dockerfile: filepath.Join(base, "docker/Dockerfile")}
			},
			ignored: []string{"a.txt"},
			kept:    []string{"b.txt"},
		},
		{
			name: "no Dockerfile given means the context's Dockerfile",
			tree: map[string]string{
				".dockerignore":           "a.txt\n",
				"Dockerfile.dockerignore": "b.txt\n",
				"Dockerfile":              "FROM scratch\n",
				"a.txt":                   "",
				"b.txt":                   "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: base, ContextDir: base}
			},
			ignored: []string{"b.txt"},
			kept:    []string{"a.txt"},
		},
		{
			name: "dockerignore applies under the context only",
			tree: map[string]string{
				"app/.dockerignore": "*.txt\n",
				"app/x.txt":         "",
				"app/sub/x.txt":     "",
				"x.txt":             "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: base, ContextDir: filepath.Join(base, "app")}
			},
			ignored: []string{"app/x.txt"},
			kept:    []string{"x.txt", "app/sub/x.txt", "app"},
		},
		{
			name: "watched path inside the context",
			tree: map[string]string{
				".dockerignore":        "src/gen\n**/node_modules\n",
				"src/main.go":          "",
				"src/gen/out.go":       "",
				"src/a/node_modules/x": "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: filepath.Join(base, "src"), ContextDir: base}
			},
			ignored: []string{"src/gen/out.go", "src/a/node_modules/x"},
			kept:    []string{"src/main.go", "src"},
			skip:    []string{"src/gen", "src/a/node_modules"},
			descend: []string{"src", "src/a"},
		},
		{
			name: "the whole watched path excluded by the context",
			tree: map[string]string{
				".dockerignore": "src\n",
				"src/main.go":   "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: filepath.Join(base, "src"), ContextDir: base}
			},
			ignored: []string{"src", "src/main.go"},
			skip:    []string{"src"},
		},
		{
			name: ".git at any depth",
			tree: map[string]string{
				".git/config":          "",
				"sub/pkg/.git/HEAD":    "",
				"sub/pkg/.git/refs/x":  "",
				".gitignore":           "",
				"sub/pkg/x.git":        "",
				"sub/pkg/.github/ci.y": "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: base}
			},
			ignored: []string{".git", ".git/config", "sub/pkg/.git/HEAD", "sub/pkg/.git/refs/x"},
			kept:    []string{".gitignore", "sub/pkg/x.git", "sub/pkg/.github/ci.y"},
			skip:    []string{".git", "sub/pkg/.git", "sub/pkg/.git/refs"},
			descend: []string{"sub", "sub/pkg", "sub/pkg/.github"},
		},
		{
			name: "rule ignore patterns are relative to the watched path",
			tree: map[string]string{
				"web/node_modules/a/b.js": "",
				"web/x.tmp":               "",
				"web/src/x.tmp":           "",
				"web/dist/bundle.js":      "",
				"web/src/app.js":          "",
				"node_modules/z.js":       "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: filepath.Join(base, "web"), Ignore: []string{"node_modules/", "*.tmp", " dist ", ""}}
			},
			ignored: []string{"web/node_modules", "web/node_modules/a/b.js", "web/x.tmp", "web/dist/bundle.js", "node_modules/z.js"},
			kept:    []string{"web/src/x.tmp", "web/src/app.js", "web"},
			skip:    []string{"web/node_modules", "web/node_modules/a", "web/dist", "node_modules"},
			descend: []string{"web", "web/src"},
		},
		{
			name: "an absolute rule ignore pattern under the watched path",
			tree: map[string]string{
				"web/cache/x": "",
				"web/app.js":  "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: filepath.Join(base, "web"), Ignore: []string{filepath.Join(base, "web/cache")}}
			},
			ignored: []string{"web/cache/x"},
			kept:    []string{"web/app.js"},
			skip:    []string{"web/cache"},
		},
		{
			name: "a rule exception keeps its directories watched",
			tree: map[string]string{
				"vendor/a/keep.go":   "",
				"vendor/a/other.go":  "",
				"vendor/a/deep/x.go": "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: base, Ignore: []string{"vendor", "!vendor/*/keep.go"}}
			},
			ignored: []string{"vendor", "vendor/a", "vendor/a/other.go", "vendor/a/deep/x.go"},
			kept:    []string{"vendor/a/keep.go"},
			skip:    []string{"vendor/a/deep"},
			descend: []string{"vendor", "vendor/a"},
		},
		{
			name: "a rule exception at any depth keeps every ignored dir watched",
			tree: map[string]string{
				"logs/2024/app.log":      "",
				"logs/2024/important.md": "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: base, Ignore: []string{"logs", "!**/important.md"}}
			},
			ignored: []string{"logs", "logs/2024/app.log"},
			kept:    []string{"logs/2024/important.md"},
			descend: []string{"logs", "logs/2024"},
		},
		{
			name: "an exception before the deciding pattern does not keep a dir watched",
			tree: map[string]string{
				"gen/keep/x": "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: base, Ignore: []string{"!gen/keep", "gen"}}
			},
			ignored: []string{"gen/keep/x"},
			skip:    []string{"gen", "gen/keep"},
		},
		{
			name: "include",
			tree: map[string]string{
				"src/main.go":      "",
				"src/sub/util.go":  "",
				"package.json":     "",
				"README.md":        "",
				"docs/guide.md":    "",
				"lib/a.json":       "",
				"src/.git/objects": "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: base, Include: []string{"src", "*.json"}}
			},
			ignored: []string{"README.md", "docs", "docs/guide.md", "lib/a.json", "src/.git/objects"},
			kept:    []string{"src/main.go", "src/sub/util.go", "package.json", "src", "src/sub", "."},
			skip:    []string{"docs", "lib", "src/.git"},
			descend: []string{"src", "src/sub", "."},
		},
		{
			name: "include at any depth keeps every dir watched",
			tree: map[string]string{
				"a/b/c.ts": "",
				"a/b/c.go": "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: base, Include: []string{"**/*.ts"}}
			},
			ignored: []string{"a/b/c.go"},
			kept:    []string{"a/b/c.ts", "a", "a/b"},
			descend: []string{"a", "a/b"},
		},
		{
			name: "include does not rescue what an ignore pattern excludes",
			tree: map[string]string{
				"node_modules/x.js": "",
				"app.js":            "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: base, Ignore: []string{"node_modules"}, Include: []string{"**/*.js"}}
			},
			ignored: []string{"node_modules/x.js"},
			kept:    []string{"app.js"},
			skip:    []string{"node_modules"},
		},
		{
			name: "a bare * in rule ignore drops every other non-exception pattern",
			tree: map[string]string{
				"a.txt":            "",
				"keep.txt":         "",
				"node_modules/x":   "",
				"sub/deeper/y.txt": "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: base, Ignore: []string{"*", "!keep.txt", "node_modules"}}
			},
			kept:    []string{"a.txt", "keep.txt", "node_modules/x", "sub/deeper/y.txt"},
			descend: []string{"node_modules", "sub", "sub/deeper"},
		},
		{
			name: "a bare * in .dockerignore drops every other non-exception pattern",
			tree: map[string]string{
				".dockerignore": "*\n!src\nbuild\n",
				"src/main.go":   "",
				"build/out":     "",
				"README.md":     "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: base, ContextDir: base}
			},
			kept:    []string{"src/main.go", "build/out", "README.md"},
			descend: []string{"src", "build"},
		},
		{
			name: "a bare * in include includes everything",
			tree: map[string]string{
				"a.txt":   "",
				"sub/b.c": "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: base, Include: []string{"*"}}
			},
			kept:    []string{"a.txt", "sub/b.c", "sub"},
			descend: []string{"sub"},
		},
		{
			name: "paths outside the watched path",
			tree: map[string]string{
				"web/app.js":   "",
				"webapp/x.js":  "",
				"other/y.js":   "",
				"web/sub/z.js": "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: filepath.Join(base, "web")}
			},
			ignored: []string{"webapp/x.js", "other/y.js", "webapp", ".."},
			kept:    []string{"web/app.js", "web/sub/z.js", "web"},
			skip:    []string{"other", "webapp"},
			descend: []string{"web", "web/sub", "."},
		},
		{
			name: "a single watched file",
			tree: map[string]string{
				"config.yml": "",
				"other.yml":  "",
			},
			spec: func(base string) IgnoreSpec {
				return IgnoreSpec{Root: filepath.Join(base, "config.yml")}
			},
			ignored: []string{"other.yml", "."},
			kept:    []string{"config.yml"},
			descend: []string{"."},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := buildTree(t, tc.tree)
			spec := tc.spec(base)
			ig, err := NewIgnorer(spec)
			if err != nil {
				t.Fatalf("NewIgnorer: %v", err)
			}
			for _, p := range tc.ignored {
				if !ig.Ignored(filepath.Join(base, p)) {
					t.Errorf("Ignored(%s) = false, want true", p)
				}
			}
			for _, p := range tc.kept {
				if ig.Ignored(filepath.Join(base, p)) {
					t.Errorf("Ignored(%s) = true, want false", p)
				}
			}
			for _, p := range tc.skip {
				if !ig.SkipDir(filepath.Join(base, p)) {
					t.Errorf("SkipDir(%s) = false, want true", p)
				}
			}
			for _, p := range tc.descend {
				if ig.SkipDir(filepath.Join(base, p)) {
					t.Errorf("SkipDir(%s) = true, want false", p)
				}
			}
			checkSkipDirSound(t, ig, base)
		})
	}
}

// checkSkipDirSound walks the tree under base and checks that whatever
// lies in a directory SkipDir skips, the directory included, is ignored.
func checkSkipDirSound(t *testing.T, ig *Ignorer, base string) {
	t.Helper()
	err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || !ig.SkipDir(path) {
			return err
		}
		return filepath.WalkDir(path, func(sub string, _ fs.DirEntry, err error) error {
			if err == nil && !ig.Ignored(sub) {
				t.Errorf("SkipDir(%s) but %s is not ignored", path, sub)
			}
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestIgnorerEditorTemporaries(t *testing.T) {
	cases := []struct {
		name    string
		path    string
		ignored bool
	}{
		{"jetbrains safe-write temporary", "main.go___jb_tmp___", true},
		{"jetbrains safe-write backup", "sub/main.go___jb_old___", true},
		{"jetbrains project dir", ".idea/workspace.xml", true},
		{"goland build binary", "___go_build_main_go", true},
		{"emacs auto-save", "sub/#main.go#", true},
		{"emacs lock", ".#main.go", true},
		{"vim write probe", "sub/4913", true},
		{"vim backup", "main.go~", true},
		{"vim swap", ".main.go.swp", true},
		{"vim swap of an unnamed buffer", ".swp", true},
		{"vim swap elsewhere", "main.go.swp", true},
		{"vim second swap", ".main.go.swx", true},
		{"vim third swap", "sub/.main.go.swo", true},
		{"vim fourth swap", ".main.go.swn", true},
		{"kate swap", ".main.go.kate-swp", true},
		{"go umask probe", "x-go-tmp-umask", true},
		{"inside a backup dir", "old~/main.go", true},
		{"plain source", "main.go", false},
		{"swp in the name", "swp.go", false},
		{"other vim-like suffix", "movie.swf", false},
		{"longer number", "49130", false},
		{"hash inside a name", "a#b", false},
		{"underscores inside a name", "a___b", false},
	}
	base := t.TempDir()
	ig, err := NewIgnorer(IgnoreSpec{Root: base})
	if err != nil {
		t.Fatalf("NewIgnorer: %v", err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ig.Ignored(filepath.Join(base, tc.path)); got != tc.ignored {
				t.Errorf("Ignored(%s) = %v, want %v", tc.path, got, tc.ignored)
			}
		})
	}
	if !ig.SkipDir(filepath.Join(base, ".idea")) {
		t.Errorf("SkipDir(.idea) = false, want true")
	}
}

func TestIgnorerRelativePaths(t *testing.T) {
	base := t.TempDir()
	ig, err := NewIgnorer(IgnoreSpec{Root: base, Ignore: []string{"dist"}})
	if err != nil {
		t.Fatalf("NewIgnorer: %v", err)
	}
	if ig.Ignored("src/main.go") {
		t.Errorf("Ignored(src/main.go) = true, want false")
	}
	if !ig.Ignored("dist/x.js") {
		t.Errorf("Ignored(dist/x.js) = false, want true")
	}
	if !ig.Ignored("../elsewhere") {
		t.Errorf("Ignored(../elsewhere) = false, want true")
	}
}

func TestNewIgnorerErrors(t *testing.T) {
	cases := []struct {
		name string
		tree map[string]string
		spec func(base string) IgnoreSpec
		// want holds what the error must mention; "$BASE" stands for the
		// tree's base directory.
		want []string
	}{
		{
			name: "bad pattern in .dockerignore",
			tree: map[string]string{".dockerignore": "# comment\nnode_modules\n\n  [abc  \n"},
			spec: func(base string) IgnoreSpec { return IgnoreSpec{Root: base, ContextDir: base} },
			want: []string{"$BASE/.dockerignore", "line 4", `"[abc"`},
		},
		{
			name: "lone ! in Dockerfile.dockerignore",
			tree: map[string]string{"Dockerfile.dockerignore": "a\n!\n"},
			spec: func(base string) IgnoreSpec { return IgnoreSpec{Root: base, ContextDir: base} },
			want: []string{"$BASE/Dockerfile.dockerignore", "line 2", `"!"`},
		},
		{
			name: "bad rule ignore pattern",
			spec: func(base string) IgnoreSpec { return IgnoreSpec{Root: base, Ignore: []string{"ok", "[a"}} },
			want: []string{"ignore", `"[a"`},
		},
		{
			name: "bad include pattern",
			spec: func(base string) IgnoreSpec { return IgnoreSpec{Root: base, Include: []string{"!"}} },
			want: []string{"include", `"!"`},
		},
		{
			name: "relative root",
			spec: func(string) IgnoreSpec { return IgnoreSpec{Root: "web"} },
			want: []string{`"web"`, "not absolute"},
		},
		{
			name: "relative context",
			spec: func(base string) IgnoreSpec { return IgnoreSpec{Root: base, ContextDir: "."} },
			want: []string{`"."`, "not absolute"},
		},
		{
			name: "unreadable ignore file",
			tree: map[string]string{".dockerignore/": ""},
			spec: func(base string) IgnoreSpec { return IgnoreSpec{Root: base, ContextDir: base} },
			want: []string{"$BASE/.dockerignore"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := buildTree(t, tc.tree)
			_, err := NewIgnorer(tc.spec(base))
			if err == nil {
				t.Fatal("NewIgnorer: no error")
			}
			for _, w := range tc.want {
				if w = strings.ReplaceAll(w, "$BASE", base); !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// buildTree writes tree under a new temporary directory and returns it.
func buildTree(t *testing.T, tree map[string]string) string {
	t.Helper()
	base := t.TempDir()
	for p, content := range tree {
		path := filepath.Join(base, filepath.FromSlash(p))
		if strings.HasSuffix(p, "/") {
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return base
}
