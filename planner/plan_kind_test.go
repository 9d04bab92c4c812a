package planner

import (
	"strings"
	"testing"
)

// TestKindAndReasonNames: every kind and reason has a name of its own, so
// no plan, progress line or error ever shows "kind(N)".
func TestKindAndReasonNames(t *testing.T) {
	seen := map[string]Kind{}
	for k := CreateNetwork; k <= AwaitCondition; k++ {
		name := k.String()
		if strings.HasPrefix(name, "kind(") {
			t.Errorf("kind %d has no name", int(k))
		}
		if other, dup := seen[name]; dup {
			t.Errorf("kinds %d and %d share the name %q", int(other), int(k), name)
		}
		seen[name] = k
	}
	for r := Missing; r <= DependencyRestarted; r++ {
		if strings.HasPrefix(r.String(), "reason(") {
			t.Errorf("reason %d has no name", int(r))
		}
	}
}
