package engine

import "testing"

func TestProjectInfoStatus(t *testing.T) {
	tests := []struct {
		states []string
		want   string
	}{
		{nil, ""},
		{[]string{"running", "running"}, "running(2)"},
		{[]string{"running", "exited", "running", "created"}, "created(1), exited(1), running(2)"},
		{[]string{"paused"}, "paused(1)"},
	}
	for _, tt := range tests {
		if got := (ProjectInfo{States: tt.states}).Status(); got != tt.want {
			t.Errorf("Status of %v = %q, want %q", tt.states, got, tt.want)
		}
	}
}
