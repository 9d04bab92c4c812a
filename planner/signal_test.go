package planner

import (
	"strings"
	"testing"
)

func TestCheckSignal(t *testing.T) {
	tests := []struct {
		sig     string
		wantErr string
	}{
		{sig: "SIGKILL"},
		{sig: "SIGTERM"},
		{sig: "term"},
		{sig: "HUP"},
		{sig: "sigusr1"},
		{sig: "SIGRTMIN+3"},
		{sig: "RTMAX-1"},
		{sig: "9"},
		{sig: "64"},
		{sig: "SIGFOO", wantErr: `invalid signal "SIGFOO": use a signal name`},
		{sig: "", wantErr: `invalid signal ""`},
		{sig: "SIG", wantErr: `invalid signal "SIG"`},
		{sig: "0", wantErr: `invalid signal "0": signal numbers go from 1 to 64`},
		{sig: "65", wantErr: `invalid signal "65"`},
		{sig: "-9", wantErr: `invalid signal "-9"`},
		{sig: "SIGRTMIN+16", wantErr: `invalid signal "SIGRTMIN+16"`},
		{sig: "KILL9", wantErr: `invalid signal "KILL9"`},
	}
	for _, tt := range tests {
		t.Run(tt.sig, func(t *testing.T) {
			err := CheckSignal(tt.sig)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckSignal(%q) = %v, want nil", tt.sig, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("CheckSignal(%q) = %v, want %q", tt.sig, err, tt.wantErr)
			}
		})
	}
}
