package planner

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/berth-dev/berth/project"
)

func TestMain(m *testing.M) {
	os.Unsetenv("COMPOSE_DISABLE_ENV_FILE")
	os.Exit(m.Run())
}

// load writes yaml as compose.yaml in a new directory and loads it as
// project "shop" with no environment.
func load(t testing.TB, yaml string) *project.Project {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(context.Background(), project.Options{ProjectName: "shop", WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fake is an in-memory engine: apply runs a plan's actions against it.
type fake struct {
	p      *project.Project
	obs    *Observed
	nextID int
}

func newFake(p *project.Project, obs *Observed) *fake {
	if obs.Containers == nil {
		obs.Containers = map[string][]Container{}
	}
	if obs.Networks == nil {
		obs.Networks = map[string]Network{}
	}
	if obs.Volumes == nil {
		obs.Volumes = map[string]Volume{}
	}
	return &fake{p: p, obs: obs, nextID: 1000}
}

func (f *fake) find(name string) (svc string, i int) {
	for _, s := range slices.Sorted(maps.Keys(f.obs.Containers)) {
		for i, c := range f.obs.Containers[s] {
			if c.Name == name {
				return s, i
			}
		}
	}
	return "", -1
}

func (f *fake) apply(t testing.TB, plan *Plan) {
	t.Helper()
	done := map[int]bool{}
	for _, a := range plan.Actions {
		for _, d := range a.DependsOn {
			if !done[d] {
				t.Fatalf("action %d runs before its dependency %d\n%s", a.ID, d, plan)
			}
		}
		done[a.ID] = true
		switch a.Kind {
		case CreateNetwork:
			key := a.Resource.Key
			h, _ := project.NetworkHash(f.p.Compose.Networks[key])
			f.obs.Networks[a.Name] = Network{ID: "net-" + a.Name, Name: a.Name, ConfigHash: h}
		case CreateVolume:
			key := a.Resource.Key
			h, _ := project.VolumeHash(f.p.Compose.Volumes[key])
			f.obs.Volumes[a.Name] = Volume{Name: a.Name, ConfigHash: h}
		case RemoveNetwork:
			for _, cs := range f.obs.Containers {
				for _, c := range cs {
					if slices.Contains(c.Networks, a.Name) {
						t.Fatalf("action %d removes network %s in use by %s", a.ID, a.Name, c.Name)
					}
				}
			}
			delete(f.obs.Networks, a.Name)
		case RemoveVolume:
			for _, cs := range f.obs.Containers {
				for _, c := range cs {
					if slices.Contains(c.Volumes, a.Name) {
						t.Fatalf("action %d removes volume %s in use by %s", a.ID, a.Name, c.Name)
					}
				}
			}
			delete(f.obs.Volumes, a.Name)
		case CreateContainer:
			svcName, n := a.Resource.Service, a.Resource.Number
			if s, _ := f.find(a.Name); s != "" {
				t.Fatalf("action %d: container name %s in use", a.ID, a.Name)
			}
			s := f.p.Compose.Services[svcName]
			r := Resolve(s, func(svc string) string {
				cs := sortedContainers(f.obs.Containers[svc])
				if len(cs) == 0 {
					return ""
				}
				return cs[0].ID
			})
			for _, ref := range serviceRefs(s) {
				if len(f.obs.Containers[ref]) == 0 {
					t.Fatalf("action %d: %s refers to %s, which has no container", a.ID, svcName, ref)
				}
			}
			h, err := ServiceHash(r)
			if err != nil {
				t.Fatal(err)
			}
			spec, _ := ServiceSpec(r)
			f.nextID++
			c := Container{
				ID: fmt.Sprintf("%016x", f.nextID), Name: a.Name, Service: svcName, Number: n,
				ConfigHash: h, Image: f.obs.Images[project.ImageName(f.p.Compose, svcName)].ID,
				State: "created", Spec: string(spec),
			}
			for _, key := range serviceNetworks(s)[:min(1, len(s.Networks))] {
				c.Networks = append(c.Networks, networkName(f.p.Compose, key))
			}
			for _, v := range s.Volumes {
				if v.Type == "volume" && v.Source != "" {
					c.Volumes = append(c.Volumes, volumeName(f.p.Compose, v.Source))
				}
			}
			f.obs.Containers[svcName] = append(f.obs.Containers[svcName], c)
		default:
			svc, i := f.find(a.Name)
			if i < 0 {
				if a.Kind == AwaitCondition {
					continue
				}
				t.Fatalf("action %d (%s): no container %s\n%s", a.ID, a.Kind, a.Name, plan)
			}
			c := &f.obs.Containers[svc][i]
			switch a.Kind {
			case StartContainer:
				c.State = "running"
			case StopContainer:
				c.State = "exited"
			case RemoveContainer:
				if c.State == "running" {
					t.Fatalf("action %d removes running container %s", a.ID, a.Name)
				}
				f.obs.Containers[svc] = slices.Delete(f.obs.Containers[svc], i, i+1)
				if len(f.obs.Containers[svc]) == 0 {
					delete(f.obs.Containers, svc)
				}
			case RenameContainer:
				c.Name = a.Target
			case ConnectNetwork:
				if _, ok := f.obs.Networks[a.Target]; !ok {
					t.Fatalf("action %d connects %s to missing network %s", a.ID, a.Name, a.Target)
				}
				c.Networks = append(c.Networks, a.Target)
			case DisconnectNetwork:
				c.Networks = slices.DeleteFunc(c.Networks, func(n string) bool { return n == a.Target })
			case RestartContainer:
				if c.State != "running" {
					t.Fatalf("action %d restarts %s, which is %s", a.ID, a.Name, c.State)
				}
			}
		}
	}
}

// localImages turns a map of references to image IDs into the observed
// local images.
func localImages(ids map[string]string) map[string]LocalImage {
	out := map[string]LocalImage{}
	for ref, id := range ids {
		out[ref] = LocalImage{ID: id}
	}
	return out
}

// res reads a resource's string form, for tables.
func res(s string) Resource {
	r, _ := ParseResource(s)
	return r
}
