package engine

import (
	"strings"
	"testing"
)

func TestChooseContainers(t *testing.T) {
	three := []ServiceContainer{{Name: "a-1", Number: 1}, {Name: "a-2", Number: 2}, {Name: "a-4", Number: 4}}
	for _, tc := range []struct {
		name    string
		cs      []ServiceContainer
		choice  ContainerChoice
		want    string // the names chosen, or the error's text
		wantErr bool
	}{
		{"unset: the lowest-numbered", three, ContainerChoice{Service: "a"}, "a-1", false},
		{"unset, all: every container", three, ContainerChoice{Service: "a", AllWhenUnset: true}, "a-1 a-2 a-4", false},
		{"an index", three, ContainerChoice{Service: "a", Index: 4, AllWhenUnset: true}, "a-4", false},
		{"an index it lacks", three, ContainerChoice{Service: "a", Index: 3}, `service "a" has no container #3 (its containers are #1, #2, #4)`, true},
		{"an index it lacks, running", three, ContainerChoice{Service: "a", Index: 3, Running: true}, `service "a" has no running container #3 (its running containers are #1, #2, #4)`, true},
		{"an index, no containers", nil, ContainerChoice{Service: "a", Index: 1}, `service "a" has no container #1 (it has no containers)`, true},
		{"unset, no containers", nil, ContainerChoice{Service: "a", Running: true}, `service "a" has no running container: run`, true},
		{"unset, all, no containers", nil, ContainerChoice{Service: "a", AllWhenUnset: true}, `service "a" has no container: run`, true},
		{"a negative index", three, ContainerChoice{Service: "a", Index: -1}, "invalid --index -1: containers are numbered from 1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ChooseContainers(tc.cs, tc.choice)
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want %q", err, tc.want)
				}
				return
			}
			var names []string
			for _, c := range got {
				names = append(names, c.Name)
			}
			if err != nil || strings.Join(names, " ") != tc.want {
				t.Fatalf("chose %v, %v; want %s", names, err, tc.want)
			}
		})
	}
}

func TestValidIndex(t *testing.T) {
	for _, tc := range []struct {
		index int
		ok    bool
	}{{1, true}, {7, true}, {0, false}, {-2, false}} {
		if err := ValidIndex(tc.index); (err == nil) != tc.ok {
			t.Errorf("ValidIndex(%d) = %v, want ok %v", tc.index, err, tc.ok)
		}
	}
}
