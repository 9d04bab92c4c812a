package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Inspector answers the read-only questions of ps, ls, images, volumes and
// port: what the engine holds, without observing a whole project. The
// Docker backend implements it beside Backend.
type Inspector interface {
	// Containers returns a project's containers as ps shows them, sorted
	// by service and number (one-off containers last).
	Containers(ctx context.Context, q ContainerQuery) ([]ContainerInfo, error)
	// Projects returns every project that has containers on the engine
	// (running ones only unless all), sorted by name: Berth's and
	// Compose's alike, found by their labels.
	Projects(ctx context.Context, all bool) ([]ProjectInfo, error)
	// Volumes returns the project's volumes; with services, only those
	// the services' containers mount.
	Volumes(ctx context.Context, projectName string, services []string) ([]VolumeInfo, error)
	// ContainerImages returns the image of each of the project's
	// containers (stopped ones included); with services, only theirs.
	ContainerImages(ctx context.Context, projectName string, services []string) ([]ImageInfo, error)
}

// ContainerQuery says which of a project's containers Containers returns.
type ContainerQuery struct {
	Project string
	// All includes stopped containers.
	All bool
	// OneOff includes the containers of `run`.
	OneOff bool
}

// ProjectInfo is one project on the engine, as `ls` shows it.
type ProjectInfo struct {
	Name string
	// States holds the state of each of its containers.
	States []string
	// ConfigFiles are the compose files its containers were created from,
	// comma separated, each once.
	ConfigFiles string
}

// Status is the project's status as Compose's ls prints it: each state
// with its number of containers, states sorted: "exited(1), running(2)".
func (p ProjectInfo) Status() string {
	n := map[string]int{}
	for _, s := range p.States {
		n[s]++
	}
	states := make([]string, 0, len(n))
	for s := range n {
		states = append(states, s)
	}
	sort.Strings(states)
	parts := make([]string, len(states))
	for i, s := range states {
		parts[i] = fmt.Sprintf("%s(%d)", s, n[s])
	}
	return strings.Join(parts, ", ")
}

// VolumeInfo is a volume as `volumes` shows it (the engine's fields).
type VolumeInfo struct {
	Name       string
	Driver     string
	Scope      string
	Mountpoint string
	Labels     map[string]string
	CreatedAt  string
}

// ImageInfo is the image one container uses, as `images` shows it.
type ImageInfo struct {
	// Container is the container's name.
	Container string
	// ID is the image ID (sha256:...).
	ID         string
	Repository string
	Tag        string
	// Platform is os/architecture[/variant] ("" when the image is gone).
	Platform string
	Size     int64
	// Created is when the image was built (zero when unknown).
	Created     time.Time
	LastTagTime time.Time
}
