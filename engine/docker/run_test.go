package docker

import (
	"testing"
)

// TestOneOffSpecAliases: a one-off container's only network alias is its
// name, unless run --use-aliases gives it the service's; the rest of its
// spec is the service's.
func TestOneOffSpecAliases(t *testing.T) {
	p, _ := loadSpecProject(t, `
services:
  web:
    image: nginx
    environment: {A: "1"}
    networks:
      back: {aliases: [api]}
networks: {back: {}}
`, nil)
	aliases := func(useAliases bool) []string {
		t.Helper()
		spec, err := buildOneOffSpec(p, p.Services["web"], "shop-web-run-0123456789ab", useAliases, nil, specMinAPIVersion)
		if err != nil {
			t.Fatal(err)
		}
		specEq(t, "Env", spec.Config.Env, []string{"A=1"})
		return spec.Network.EndpointsConfig["shop_back"].Aliases
	}
	specEq(t, "aliases", aliases(false), []string{"shop-web-run-0123456789ab"})
	specEq(t, "aliases with --use-aliases", aliases(true), []string{"shop-web-run-0123456789ab", "web", "api"})
	specEq(t, "a service container's aliases", mustSpec(t, p, "web", specMinAPIVersion).Network.EndpointsConfig["shop_back"].Aliases, []string{"shop-web-1", "web", "api"})
}
