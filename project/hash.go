package project

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
)

// CanonicalJSON is the JSON encoding of the service that ConfigHash hashes:
// the service with build, pull_policy, scale, deploy.replicas, depends_on
// and profiles cleared. Berth stores it on containers so that a later plan
// can name the fields that changed.
func CanonicalJSON(s types.ServiceConfig) ([]byte, error) {
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
		return nil, fmt.Errorf("hashing service %q: %w", s.Name, err)
	}
	return data, nil
}

// ConfigHash is the value of the com.docker.compose.config-hash label: the
// SHA-256 of CanonicalJSON. It is the same algorithm as Compose's, so a
// container created by either tool is current for the other. Callers resolve
// `service:` references (network_mode and the like) to container references
// before hashing, as Compose does.
func ConfigHash(s types.ServiceConfig) (string, error) {
	data, err := CanonicalJSON(s)
	if err != nil {
		return "", err
	}
	return sha256Hex(data), nil
}

// VolumeHash is the config-hash label of a named volume, as Compose computes
// it: the SHA-256 of the JSON encoding of the volume with the driver
// defaulted to "local".
func VolumeHash(v types.VolumeConfig) (string, error) {
	if v.Driver == "" {
		v.Driver = "local"
	}
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("hashing volume %q: %w", v.Name, err)
	}
	return sha256Hex(data), nil
}

// NetworkHash is the config-hash label of a network, as Compose computes
// it: the SHA-256 of the JSON encoding of the network.
func NetworkHash(n types.NetworkConfig) (string, error) {
	data, err := json.Marshal(n)
	if err != nil {
		return "", fmt.Errorf("hashing network %q: %w", n.Name, err)
	}
	return sha256Hex(data), nil
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
