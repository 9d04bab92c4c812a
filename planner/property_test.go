package planner

import (
	"fmt"
	"maps"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// randomYAML builds a small project: services s0..sN-1 where a service only
// depends on lower-numbered ones (so there is no cycle).
func randomYAML(r *rand.Rand) string {
	var b strings.Builder
	n := 1 + r.Intn(4)
	b.WriteString("services:\n")
	conds := []string{"service_started", "service_healthy", "service_completed_successfully"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  s%d:\n    image: img%d\n", i, r.Intn(3))
		fmt.Fprintf(&b, "    environment:\n      V: \"%d\"\n", r.Intn(2))
		netMode := i > 0 && r.Intn(4) == 0
		if netMode {
			fmt.Fprintf(&b, "    network_mode: service:s%d\n", r.Intn(i))
		} else {
			switch r.Intn(3) {
			case 0:
				b.WriteString("    networks: [a, b]\n")
			case 1:
				b.WriteString("    networks: [b]\n")
			}
			if r.Intn(2) == 0 {
				fmt.Fprintf(&b, "    scale: %d\n", 1+r.Intn(3))
			}
		}
		if r.Intn(2) == 0 {
			b.WriteString("    volumes: [data:/data]\n")
		}
		if i > 0 && r.Intn(2) == 0 {
			fmt.Fprintf(&b, "    depends_on:\n      s%d: {condition: %s}\n", r.Intn(i), conds[r.Intn(3)])
		}
	}
	b.WriteString("networks: {a: {}, b: {}}\nvolumes: {data: {}}\n")
	return b.String()
}

// perturb changes the engine state at random: stops, removes and adds
// containers, changes images, drops networks, adds orphans.
func perturb(r *rand.Rand, obs *Observed) {
	for _, svc := range slices.Sorted(maps.Keys(obs.Containers)) {
		cs := obs.Containers[svc]
		for i := range cs {
			switch r.Intn(6) {
			case 0:
				cs[i].State = "exited"
			case 1:
				cs[i].ConfigHash = "stale"
			case 2:
				cs[i].Image = "sha256:old"
			}
		}
		if len(cs) > 0 && r.Intn(4) == 0 {
			obs.Containers[svc] = cs[1:]
		}
		if r.Intn(4) == 0 {
			n := len(cs) + 2 + r.Intn(2)
			obs.Containers[svc] = append(obs.Containers[svc], Container{
				ID: fmt.Sprintf("extra%08d", r.Intn(1e8)), Name: fmt.Sprintf("shop-%s-%d", svc, n),
				Service: svc, Number: n, State: "running", ConfigHash: "x",
			})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(obs.Networks)) {
		if r.Intn(3) == 0 {
			delete(obs.Networks, name)
		}
	}
	if r.Intn(3) == 0 {
		obs.Containers["gone"] = []Container{{ID: "gone00000001", Name: "shop-gone-1", Service: "gone", Number: 1, State: "running"}}
	}
}

func TestConvergence(t *testing.T) {
	nonEmpty := 0
	for seed := int64(1); seed <= 300; seed++ {
		r := rand.New(rand.NewSource(seed))
		yaml := randomYAML(r)
		p := load(t, yaml)
		opt := Options{RemoveOrphans: true}
		if r.Intn(4) == 0 {
			opt.ForceRecreate = true
		}
		images := map[string]string{"img0": "sha256:0", "img1": "sha256:1"}
		f := newFake(p, &Observed{Project: "shop", Images: localImages(images)})
		if r.Intn(4) != 0 {
			// Start from a converged state and disturb it.
			plan, err := Compute(p, f.obs, Options{})
			if err != nil {
				t.Fatalf("seed %d: %v\n%s", seed, err, yaml)
			}
			f.apply(t, plan)
			perturb(r, f.obs)
		}
		plan, err := Compute(p, f.obs, opt)
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, yaml)
		}
		for i, a := range plan.Actions {
			if a.ID != i+1 {
				t.Fatalf("seed %d: action %d has ID %d", seed, i+1, a.ID)
			}
		}
		if !plan.Empty() {
			nonEmpty++
		}
		f.apply(t, plan)
		opt.ForceRecreate = false
		again, err := Compute(p, f.obs, opt)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !again.Empty() {
			t.Fatalf("seed %d: not converged after applying\n%s\nsecond plan:\n%s\nproject:\n%s", seed, plan, again, yaml)
		}
	}
	if nonEmpty < 200 {
		t.Errorf("only %d of 300 random states needed a plan: the generator is too tame", nonEmpty)
	}
}
