package planner

import (
	"fmt"
	"strings"
	"testing"
)

// TestInterruptedRecreateConverges kills a force-recreate of the shop
// project after each of its actions in turn (the prefix of the plan that
// had run when Berth died), then runs `up` again: the plan must finish or
// undo the swap, and a third plan must be empty, with one container per
// service under its final name. Also with a configuration changed between
// the interrupted run and the next, and with the next run forced again.
func TestInterruptedRecreateConverges(t *testing.T) {
	images := map[string]string{"shop/web": "sha256:web1", "postgres:16": "sha256:pg1"}
	for _, next := range []struct {
		name string
		yaml string
		opt  Options
	}{
		{"same config", shopYAML, Options{}},
		{"config changed", strings.Replace(shopYAML, "LOG_LEVEL: info", "LOG_LEVEL: debug", 1), Options{}},
		{"forced again", shopYAML, Options{ForceRecreate: true}},
	} {
		p := load(t, shopYAML)
		base := running(t, p, images)
		full, err := Compute(p, clone(base), Options{ForceRecreate: true})
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k <= len(full.Actions); k++ {
			t.Run(fmt.Sprintf("%s/killed after %d of %d", next.name, k, len(full.Actions)), func(t *testing.T) {
				f := newFake(p, clone(base))
				f.apply(t, &Plan{Actions: full.Actions[:k]})

				q := load(t, next.yaml)
				f.p = q
				plan, err := Compute(q, f.obs, next.opt)
				if err != nil {
					t.Fatalf("plan after the kill: %v", err)
				}
				f.apply(t, plan)
				again, err := Compute(q, f.obs, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if !again.Empty() {
					t.Fatalf("not converged; the plan after the kill was:\n%s\nthen:\n%s", plan, again)
				}
				for svc, cs := range f.obs.Containers {
					if len(cs) != 1 || cs[0].Name != "shop-"+svc+"-1" {
						t.Errorf("service %s has containers %v", svc, names(cs))
					}
				}
			})
		}
	}
}

func names(cs []Container) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// clone deep-copies the observed state, so each run starts from the same.
func clone(o *Observed) *Observed {
	c := *o
	c.Containers = map[string][]Container{}
	for svc, cs := range o.Containers {
		c.Containers[svc] = append([]Container(nil), cs...)
	}
	c.Networks = map[string]Network{}
	for k, v := range o.Networks {
		c.Networks[k] = v
	}
	c.Volumes = map[string]Volume{}
	for k, v := range o.Volumes {
		c.Volumes[k] = v
	}
	return &c
}
