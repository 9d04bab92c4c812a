package project

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
)

// CanonicalJSON is the JSON encoding of the service that ServiceHash hashes:
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

// ServiceHash is Berth's one config hash of a service: the value of the
// com.docker.compose.config-hash label that `berth up` stamps on a container
// and that `berth config --hash` prints, the SHA-256 of CanonicalJSON. It is
// the same algorithm as Compose's, so a container created by either tool is
// current for the other.
//
// s is the service as a container is created from it: a service of the
// model Load returns, or of one ForContainers prepared, so that
// DOCKER_DEFAULT_PLATFORM and env_file entries count as they do for
// Compose. Where containers exist, callers first resolve `service:`
// references (network_mode, volumes_from and the like) to the containers,
// as Compose does before it hashes (see planner.ServiceHash).
func ServiceHash(s types.ServiceConfig) (string, error) {
	data, err := CanonicalJSON(s)
	if err != nil {
		return "", err
	}
	return sha256Hex(data), nil
}

// ForContainers prepares model as containers are created from it, the
// way Compose prepares its project for up and for config --hash: services
// that build an image get the platform DOCKER_DEFAULT_PLATFORM names
// (ApplyDefaultPlatform) and, with resolveEnv, each service's env_file
// entries are merged into its environment (and dropped). Load does this
// unless told not to; `config --hash` does it once it has narrowed the
// project to the services it hashes. The result may share services with
// model, which is changed in place when resolveEnv is false.
func ForContainers(model *types.Project, resolveEnv bool) (*types.Project, error) {
	if resolveEnv {
		var err error
		if model, err = model.WithServicesEnvironmentResolved(true); err != nil {
			return nil, fmt.Errorf("resolving service environment: %w", err)
		}
	}
	if err := ApplyDefaultPlatform(model); err != nil {
		return nil, err
	}
	return model, nil
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
