package project

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
)

// ConfigHash is the value of the com.docker.compose.config-hash label: the
// SHA-256 of the JSON encoding of the service with build, pull_policy,
// scale, deploy.replicas, depends_on and profiles cleared. It is the same
// algorithm as Compose's, so a container created by either tool is current
// for the other. Callers resolve `service:` references (network_mode and the
// like) to container references before hashing, as Compose does.
func ConfigHash(s types.ServiceConfig) (string, error) {
	s.Build = nil
	s.PullPolicy = ""
	s.Scale = nil
	if s.Deploy != nil {
		d := *s.Deploy // copy: the caller's service must not change
		d.Replicas = nil
		s.Deploy = &d
	}
	s.DependsOn = nil
	s.Profiles = nil
	data, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("hashing service %q: %w", s.Name, err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}
