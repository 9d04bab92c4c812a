package main

import (
	"strings"
	"testing"
)

// TestCommandShorthandsShadowGlobals: before the command name -f and -p are
// the global --file and --project-name; after logs, rm and run they are
// the command's own (--follow, --force, --publish), and the global long
// names still work there.
func TestCommandShorthandsShadowGlobals(t *testing.T) {
	tests := []struct {
		args string
		want map[string]string // flag of the command (or "file", "project-name") -> value
	}{
		{"-f x.yaml logs -f web", map[string]string{"file": "[x.yaml]", "follow": "true"}},
		{"logs --file x.yaml -ft", map[string]string{"file": "[x.yaml]", "follow": "true", "timestamps": "true"}},
		{"-f x.yaml rm -fsv", map[string]string{"file": "[x.yaml]", "force": "true", "stop": "true", "volumes": "true"}},
		// the files given before and after the command name add up
		{"-f a.yaml logs --file b.yaml web", map[string]string{"file": "[a.yaml,b.yaml]", "follow": "false"}},
		{"-f a.yaml -f b.yaml logs --file c.yaml -f", map[string]string{"file": "[a.yaml,b.yaml,c.yaml]", "follow": "true"}},
		{"-f a.yaml rm --file b.yaml -f", map[string]string{"file": "[a.yaml,b.yaml]", "force": "true"}},
		{"rm --file a.yaml --file b.yaml", map[string]string{"file": "[a.yaml,b.yaml]", "force": "false"}},
		{"-p one run --project-name two web", map[string]string{"project-name": "two"}},
		{"-p shop run -p 8080 web", map[string]string{"project-name": "shop", "publish": "[8080]"}},
		{"run --project-name shop -p 8080 web", map[string]string{"project-name": "shop", "publish": "[8080]"}},
		{"-p shop commit -p=false web", map[string]string{"project-name": "shop", "pause": "false"}},
		{"up -f x.yaml -p shop", map[string]string{"file": "[x.yaml]", "project-name": "shop"}},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			root := newRootCommand(Streams{})
			c, rest, err := root.Traverse(strings.Fields(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			if err := c.ParseFlags(rest); err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.want {
				f := c.Flags().Lookup(name)
				if f == nil {
					f = root.PersistentFlags().Lookup(name)
				}
				if f == nil {
					t.Fatalf("no flag %q", name)
				}
				if got := f.Value.String(); got != want {
					t.Errorf("%s = %s, want %s", name, got, want)
				}
			}
		})
	}
}
