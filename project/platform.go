package project

import (
	"fmt"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"
)

// ImageName is the image a service runs: its `image:`, or
// `<project>-<service>` for a service that only has `build:`.
func ImageName(p *types.Project, service string) string {
	if s, ok := p.Services[service]; ok && s.Image != "" {
		return s.Image
	}
	return p.Name + "-" + service
}

// ApplyDefaultPlatform gives services that build an image the platform named
// by DOCKER_DEFAULT_PLATFORM when they name none, as Compose does before it
// hashes or builds them. A platform that the service's build.platforms
// excludes is an error.
func ApplyDefaultPlatform(p *types.Project) error {
	def := p.Environment["DOCKER_DEFAULT_PLATFORM"]
	for name, s := range p.Services {
		if s.Build == nil {
			continue
		}
		if def != "" && s.Platform == "" {
			if len(s.Build.Platforms) > 0 && !slices.Contains(s.Build.Platforms, def) {
				return fmt.Errorf("service %q: build.platforms does not include %s, the platform DOCKER_DEFAULT_PLATFORM sets", name, def)
			}
			s.Platform = def
		}
		if s.Platform != "" && len(s.Build.Platforms) > 0 && !slices.Contains(s.Build.Platforms, s.Platform) {
			return fmt.Errorf("service %q: build.platforms does not include its platform %s", name, s.Platform)
		}
		p.Services[name] = s
	}
	return nil
}
