package planner

import (
	"strings"
	"testing"
)

// TestRemoveVolumesIsPlanned: the plan says which removals take the
// container's anonymous volumes along — the old container of a recreate,
// down -v, rm -v — so the backend needs no reason to decide.
func TestRemoveVolumesIsPlanned(t *testing.T) {
	p := load(t, shopYAML)
	images := map[string]string{"shop/web": "sha256:web1", "postgres:16": "sha256:pg1"}
	removals := func(plan *Plan) (with, without int) {
		for _, a := range plan.Actions {
			if a.Kind == RemoveContainer {
				if a.RemoveVolumes {
					with++
				} else {
					without++
				}
			}
		}
		return
	}
	q := load(t, strings.Replace(shopYAML, "LOG_LEVEL: info", "LOG_LEVEL: debug", 1))
	recreate, err := Compute(q, running(t, p, images), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if with, without := removals(recreate); with != 1 || without != 0 {
		t.Errorf("recreate of web: %d removals with volumes, %d without; want the old container's, with\n%s", with, without, recreate)
	}
	for _, tt := range []struct {
		volumes bool
		want    [2]int
	}{{false, [2]int{0, 3}}, {true, [2]int{3, 0}}} {
		down, err := ComputeDown(p, running(t, p, images), DownOptions{Volumes: tt.volumes})
		if err != nil {
			t.Fatal(err)
		}
		if with, without := removals(down); [2]int{with, without} != tt.want {
			t.Errorf("down (-v %v): %d with volumes, %d without, want %v", tt.volumes, with, without, tt.want)
		}
		rm, err := ComputeLifecycle(p, running(t, p, images), Remove, LifecycleOptions{Stop: true, Volumes: tt.volumes})
		if err != nil {
			t.Fatal(err)
		}
		if with, without := removals(rm); [2]int{with, without} != tt.want {
			t.Errorf("rm -s (-v %v): %d with volumes, %d without, want %v", tt.volumes, with, without, tt.want)
		}
	}
	// an orphan keeps its anonymous volumes even with -v, as with Compose
	obs := running(t, p, images)
	obs.Containers["old"] = []Container{{ID: "old1", Name: "shop-old-1", Service: "old", Number: 1, State: "exited"}}
	down, err := ComputeDown(p, obs, DownOptions{Volumes: true, RemoveOrphans: true})
	if err != nil {
		t.Fatal(err)
	}
	if with, without := removals(down); with != 3 || without != 1 {
		t.Errorf("down -v --remove-orphans: %d with volumes, %d without, want the orphan's without\n%s", with, without, down)
	}
}
