package docker

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/project"
)

// This file carries out the network and volume actions of a plan: create,
// remove, connect.

// removeNetwork removes a network. The engine sometimes still counts an
// endpoint of a container removed a moment ago ("has active endpoints"):
// that error is retried for a few seconds before it is reported.
func (r *dockerRuntime) removeNetwork(ctx context.Context, name string) error {
	deadline := time.Now().Add(5 * time.Second)
	for delay := 50 * time.Millisecond; ; delay *= 2 {
		err := ignoreNotFound(r.c.api.NetworkRemove(ctx, name))
		if err == nil || !strings.Contains(err.Error(), "active endpoints") || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
	}
}

func (r *dockerRuntime) createNetwork(ctx context.Context, a planner.Action) error {
	key := a.Resource.Key
	n, ok := r.p.Compose.Networks[key]
	if !ok {
		return fmt.Errorf("network %q is not in the project", key)
	}
	hash, err := project.NetworkHash(n)
	if err != nil {
		return err
	}
	labels := map[string]string{}
	maps.Copy(labels, n.Labels)
	maps.Copy(labels, map[string]string{
		LabelProject: r.p.Name(), LabelNetwork: key, LabelVersion: ComposeVersion, LabelConfigHash: hash,
	})
	opts := network.CreateOptions{
		Driver:     n.Driver,
		Options:    n.DriverOpts,
		Internal:   n.Internal,
		Attachable: n.Attachable,
		EnableIPv4: n.EnableIPv4,
		EnableIPv6: n.EnableIPv6,
		Labels:     labels,
	}
	if n.Ipam.Driver != "" || len(n.Ipam.Config) > 0 || len(n.Ipam.Options) > 0 {
		ipam := &network.IPAM{Driver: n.Ipam.Driver, Options: n.Ipam.Options}
		for _, pool := range n.Ipam.Config {
			ipam.Config = append(ipam.Config, network.IPAMConfig{
				Subnet: pool.Subnet, Gateway: pool.Gateway, IPRange: pool.IPRange, AuxAddress: pool.AuxiliaryAddresses,
			})
		}
		opts.IPAM = ipam
	}
	if _, err := r.c.api.NetworkCreate(ctx, a.Name, opts); err != nil {
		return fmt.Errorf("creating network %s: %w", a.Name, err)
	}
	return nil
}

func (r *dockerRuntime) createVolume(ctx context.Context, a planner.Action) error {
	key := a.Resource.Key
	v, ok := r.p.Compose.Volumes[key]
	if !ok {
		return fmt.Errorf("volume %q is not in the project", key)
	}
	hash, err := project.VolumeHash(v)
	if err != nil {
		return err
	}
	labels := map[string]string{}
	maps.Copy(labels, v.Labels)
	maps.Copy(labels, map[string]string{
		LabelProject: r.p.Name(), LabelVolume: key, LabelVersion: ComposeVersion, LabelConfigHash: hash,
	})
	if _, err := r.c.api.VolumeCreate(ctx, volume.CreateOptions{Name: a.Name, Driver: v.Driver, DriverOpts: v.DriverOpts, Labels: labels}); err != nil {
		return fmt.Errorf("creating volume %s: %w", a.Name, err)
	}
	return nil
}

func (r *dockerRuntime) connect(ctx context.Context, a planner.Action) error {
	endpoint, err := r.endpoint(ctx, a)
	if err != nil {
		return err
	}
	if err := r.c.api.NetworkConnect(ctx, a.Target, a.Name, endpoint); err != nil {
		return fmt.Errorf("connecting %s to network %s: %w", a.Name, a.Target, err)
	}
	return nil
}

// endpoint returns the settings (aliases, addresses) a container has on
// network a.Target: from the spec it was created with in this run, or, for a
// container created earlier, rebuilt from its service.
func (r *dockerRuntime) endpoint(ctx context.Context, a planner.Action) (*network.EndpointSettings, error) {
	r.mu.Lock()
	spec := r.specs[a.Name]
	r.mu.Unlock()
	if spec == nil {
		svc, number := a.Resource.Service, a.Resource.Number
		s, ok := r.p.Compose.Services[svc]
		if !ok {
			return nil, nil
		}
		s = planner.Resolve(s, func(dep string) string { return r.firstContainerID(ctx, dep) })
		var err error
		if spec, err = buildContainerSpecForAPI(r.p.Compose, s, number, nil, r.c.APIVersion); err != nil {
			return nil, err
		}
	}
	if spec.Network != nil {
		if ep, ok := spec.Network.EndpointsConfig[a.Target]; ok {
			return ep, nil
		}
	}
	for _, x := range spec.Extra {
		if x.Name == a.Target {
			return x.Endpoint, nil
		}
	}
	return nil, nil
}
