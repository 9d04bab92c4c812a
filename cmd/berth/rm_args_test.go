package main

import (
	"slices"
	"testing"
)

func TestRmForceArgs(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"rm", "-f"}, []string{"rm", "--force"}},
		{[]string{"-f", "x.yaml", "rm", "-f", "web"}, []string{"-f", "x.yaml", "rm", "--force", "web"}},
		{[]string{"--file=x.yaml", "-p", "shop", "rm", "-fsv"}, []string{"--file=x.yaml", "-p", "shop", "rm", "--force", "-sv"}},
		{[]string{"rm", "-s", "--", "-f"}, []string{"rm", "-s", "--", "-f"}},
		{[]string{"rm", "--file", "x.yaml"}, []string{"rm", "--file", "x.yaml"}},
		{[]string{"up", "-f", "x.yaml"}, []string{"up", "-f", "x.yaml"}},
		{[]string{"-f", "rm", "ps"}, []string{"-f", "rm", "ps"}},
		{[]string{"__complete", "rm", "-f", ""}, []string{"__complete", "rm", "--force", ""}},
		{nil, nil},
	}
	for _, tt := range tests {
		if got := rmForceArgs(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("rmForceArgs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
