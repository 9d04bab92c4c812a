package planner

import (
	"strings"
	"testing"
	"time"
)

func TestImageSteps(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	const yaml = `
services:
  built:
    build: .
  tagged:
    build: .
    image: shop/tagged:1
  plain:
    image: shop/plain:1
  always:
    image: shop/always:1
    pull_policy: always
  never:
    image: shop/never:1
    pull_policy: never
  daily:
    image: shop/daily:1
    pull_policy: daily
  rebuild:
    build: .
    pull_policy: build
`
	fresh := LocalImage{ID: "sha256:x", Tagged: now.Add(-time.Hour)}
	stale := LocalImage{ID: "sha256:y", Tagged: now.Add(-48 * time.Hour)}
	all := map[string]LocalImage{
		"shop-built": fresh, "shop/tagged:1": fresh, "shop/plain:1": fresh, "shop/always:1": fresh,
		"shop/never:1": fresh, "shop/daily:1": stale, "shop-rebuild": fresh,
	}
	without := func(refs ...string) map[string]LocalImage {
		m := map[string]LocalImage{}
		for k, v := range all {
			m[k] = v
		}
		for _, r := range refs {
			delete(m, r)
		}
		return m
	}
	withContext := func(refContexts ...string) map[string]LocalImage {
		m := without()
		for i := 0; i+1 < len(refContexts); i += 2 {
			li := m[refContexts[i]]
			li.BuildContext = refContexts[i+1]
			m[refContexts[i]] = li
		}
		return m
	}
	tests := []struct {
		name    string
		local   map[string]LocalImage
		opt     ImageOptions
		want    string
		wantErr string
	}{
		{name: "everything local: only the policies that always act", local: all,
			want: "always pull (pull_policy always); daily pull (pull_policy refresh: older than 24h0m0s); rebuild build (pull_policy build)"},
		{name: "missing images are built or pulled", local: without("shop-built", "shop/tagged:1", "shop/plain:1"),
			want: "always pull (pull_policy always); built build (missing); daily pull (pull_policy refresh: older than 24h0m0s); plain pull (missing); rebuild build (pull_policy build); tagged build (missing)"},
		{name: "--build builds every buildable service", local: all, opt: ImageOptions{Build: true},
			want: "always pull (pull_policy always); built build (--build); daily pull (pull_policy refresh: older than 24h0m0s); rebuild build (--build); tagged build (--build)"},
		{name: "--pull never overrides every policy", local: all, opt: ImageOptions{Pull: "never"}, want: ""},
		{name: "--pull always pulls what can be pulled", local: all, opt: ImageOptions{Pull: "always", Services: []string{"built", "tagged", "plain"}},
			want: "plain pull (pull_policy always); tagged pull (pull_policy always)"},
		{name: "--no-build with a missing buildable image", local: without("shop-built"), opt: ImageOptions{NoBuild: true, Services: []string{"built"}},
			wantErr: `service "built": image shop-built is missing and --no-build forbids building it`},
		{name: "pull_policy never with a missing image", local: without("shop/never:1"), opt: ImageOptions{Services: []string{"never"}},
			wantErr: `service "never": image shop/never:1 is missing and its pull_policy is never`},
		{name: "a changed build context rebuilds the images Berth built from another", local: withContext("shop-built", "sha256:old", "shop/tagged:1", "sha256:same"),
			opt:  ImageOptions{Services: []string{"built", "tagged", "plain"}, BuildContexts: map[string]string{"built": "sha256:new", "tagged": "sha256:same", "plain": "sha256:new"}},
			want: "built build (build context changed)"},
		{name: "an image not built by Berth says nothing of its context", local: all,
			opt:  ImageOptions{Services: []string{"built"}, BuildContexts: map[string]string{"built": "sha256:new"}},
			want: ""},
		{name: "--no-build keeps an image whose context changed", local: withContext("shop-built", "sha256:old"),
			opt:  ImageOptions{NoBuild: true, Services: []string{"built"}, BuildContexts: map[string]string{"built": "sha256:new"}},
			want: ""},
		{name: "bad --pull", local: all, opt: ImageOptions{Pull: "sometimes"}, wantErr: `invalid --pull "sometimes"`},
		{name: "--build with --no-build", local: all, opt: ImageOptions{Build: true, NoBuild: true}, wantErr: "cannot be combined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := load(t, yaml)
			opt := tt.opt
			opt.Now = now
			steps, err := ImageSteps(p, tt.local, opt)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range steps {
				verb := "pull"
				if s.Build {
					verb = "build"
				}
				got = append(got, s.Service+" "+verb+" ("+s.Why()+")")
			}
			if g := strings.Join(got, "; "); g != tt.want {
				t.Fatalf("steps:\n%s\nwant:\n%s", g, tt.want)
			}
		})
	}
}
