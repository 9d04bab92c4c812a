package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
)

func TestResolveEnv(t *testing.T) {
	p := &project.Project{Compose: &types.Project{Environment: types.Mapping{"HOME_DIR": "/home/me", "EMPTY": ""}}}
	for _, tc := range []struct {
		name    string
		entries []string
		want    []string
		err     string // a part of the error, when one is wanted
	}{
		{name: "none"},
		{name: "KEY=VALUE kept", entries: []string{"A=1", "B=x=y", "C="}, want: []string{"A=1", "B=x=y", "C="}},
		{name: "KEY from the environment", entries: []string{"HOME_DIR", "EMPTY"}, want: []string{"HOME_DIR=/home/me", "EMPTY="}},
		{name: "KEY unset is left out", entries: []string{"NOT_SET", "A=1"}, want: []string{"A=1"}},
		{name: "no key", entries: []string{"A=1", "=x"}, err: `"=x"`},
		{name: "empty", entries: []string{""}, err: `""`},
		{name: "space in the key", entries: []string{"MY KEY=1"}, err: `"MY KEY=1"`},
		{name: "tab in a KEY alone", entries: []string{"K\tEY"}, err: "KEY=VALUE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ResolveEnv(p, tc.entries)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ResolveEnv(%q) = %q, %v; want an error naming %s", tc.entries, got, err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("ResolveEnv(%q) = %q, %v; want %q", tc.entries, got, err, tc.want)
			}
		})
	}
}
