package planner

import (
	"fmt"
	"strconv"
	"strings"
)

// ResourceKind is the kind of thing an action is about.
type ResourceKind int

// The resource kinds.
const (
	// NetworkResource is a network of the project, by its key.
	NetworkResource ResourceKind = iota + 1
	// VolumeResource is a named volume of the project, by its key.
	VolumeResource
	// ContainerResource is one container of a service, by number.
	ContainerResource
	// ServiceResource is a service as a whole (what an await waits on).
	ServiceResource
	// ImageResource is an image, by reference, and the service it is for.
	ImageResource
	// OneOffResource is a one-off container of a service (`berth run`),
	// by its engine name.
	OneOffResource
)

// Resource is the typed address of what an action is about.
type Resource struct {
	Kind ResourceKind
	// Service is the service of a container, a service resource or an
	// image (the first service that uses it).
	Service string
	// Number is a container's number within its service.
	Number int
	// Key is the project key of a network or volume, or an image reference.
	Key string
}

// NetworkRes is the resource of the project's network key.
func NetworkRes(key string) Resource { return Resource{Kind: NetworkResource, Key: key} }

// VolumeRes is the resource of the project's volume key.
func VolumeRes(key string) Resource { return Resource{Kind: VolumeResource, Key: key} }

// ContainerRes is the resource of container number n of service.
func ContainerRes(service string, n int) Resource {
	return Resource{Kind: ContainerResource, Service: service, Number: n}
}

// ServiceRes is the resource of a service as a whole.
func ServiceRes(service string) Resource { return Resource{Kind: ServiceResource, Service: service} }

// ImageRes is the resource of image ref, got for service.
func ImageRes(service, ref string) Resource {
	return Resource{Kind: ImageResource, Service: service, Key: ref}
}

// OneOffRes is the resource of the one-off container name of service.
func OneOffRes(service, name string) Resource {
	return Resource{Kind: OneOffResource, Service: service, Key: name}
}

// String is the stable form plans and events show: "network:back",
// "volume:data", "service:web:1", "service:db", "image:shop-web",
// "oneoff:web:shop-web-run-0123456789ab".
func (r Resource) String() string {
	switch r.Kind {
	case NetworkResource:
		return "network:" + r.Key
	case VolumeResource:
		return "volume:" + r.Key
	case ContainerResource:
		return "service:" + r.Service + ":" + strconv.Itoa(r.Number)
	case ServiceResource:
		return "service:" + r.Service
	case ImageResource:
		return "image:" + r.Key
	case OneOffResource:
		return "oneoff:" + r.Service + ":" + r.Key
	}
	return ""
}

// ParseResource reads the form String writes. An image resource read back
// has no service.
func ParseResource(s string) (Resource, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok || rest == "" {
		return Resource{}, fmt.Errorf("malformed resource %q: want kind:name", s)
	}
	switch kind {
	case "network":
		return NetworkRes(rest), nil
	case "volume":
		return VolumeRes(rest), nil
	case "image":
		return Resource{Kind: ImageResource, Key: rest}, nil
	case "oneoff":
		svc, name, ok := strings.Cut(rest, ":")
		if !ok || svc == "" || name == "" {
			return Resource{}, fmt.Errorf("malformed one-off resource %q: want oneoff:SERVICE:NAME", s)
		}
		return OneOffRes(svc, name), nil
	case "service":
		svc, num, hasNum := strings.Cut(rest, ":")
		if !hasNum {
			return ServiceRes(svc), nil
		}
		n, err := strconv.Atoi(num)
		if err != nil || svc == "" {
			return Resource{}, fmt.Errorf("malformed container resource %q: want service:NAME:NUMBER", s)
		}
		return ContainerRes(svc, n), nil
	}
	return Resource{}, fmt.Errorf("malformed resource %q: unknown kind %q", s, kind)
}

// MarshalText writes the resource's String form, so JSON shows it as a
// string.
func (r Resource) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads the String form.
func (r *Resource) UnmarshalText(b []byte) error {
	v, err := ParseResource(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}
