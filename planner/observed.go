package planner

// Container is a container of the project as the engine reports it, with
// Berth's and Compose's labels already parsed.
type Container struct {
	ID      string
	Name    string // without the leading slash
	Service string // com.docker.compose.service
	Number  int    // com.docker.compose.container-number
	// ConfigHash is the com.docker.compose.config-hash label.
	ConfigHash string
	// Image is the com.docker.compose.image label: the ID of the image
	// the container was created from.
	Image string
	// State is the engine's state: created, running, paused, restarting,
	// removing, exited or dead.
	State string
	// Health is "", "starting", "healthy" or "unhealthy".
	Health   string
	ExitCode int
	// Networks are the engine names of the networks it is attached to.
	Networks []string
	// Volumes are the engine names of the named volumes it mounts.
	Volumes []string
	// Spec is the canonical JSON of the service configuration the container
	// was created with (Berth's dev.berth.spec label), used to
	// name the fields that changed; empty for containers Compose created.
	Spec string
}

// Network is a network of the project found in the engine.
type Network struct {
	ID         string
	Name       string // engine name, e.g. "shop_default"
	ConfigHash string // com.docker.compose.config-hash
}

// Volume is a named volume of the project found in the engine.
type Volume struct {
	Name       string // engine name, e.g. "shop_orders"
	ConfigHash string // com.docker.compose.config-hash
}

// Observed is the state of one project in the engine.
type Observed struct {
	Project string
	// Containers holds the project's containers (one-off containers
	// excluded) by service name, including services no longer defined.
	Containers map[string][]Container
	// OneOffs are the project's one-off containers (`berth run`), which
	// only `down` acts on: `up`, the lifecycle commands and the orphan
	// check leave them alone.
	OneOffs []Container
	// Networks and Volumes are keyed by engine name.
	Networks map[string]Network
	Volumes  map[string]Volume
	// Images maps the image references the project uses to the local
	// image each names; a reference with no local image is absent.
	Images map[string]LocalImage
	// BuildContexts maps the services that build an image to the digest
	// of their build context as it is now, for those whose local image
	// says what it was built from (LocalImage.BuildContext); filled in only
	// when `up` plans its images.
	BuildContexts map[string]string
}

// Options are the `up` flags that change what the plan does.
type Options struct {
	// Services limits the plan to these services (and, unless NoDeps,
	// their dependencies). Empty means all.
	Services []string
	// NoDeps leaves the named services' dependencies alone.
	NoDeps bool
	// ForceRecreate recreates containers even if their configuration is
	// unchanged; NoRecreate never recreates an existing container.
	ForceRecreate bool
	NoRecreate    bool
	// AlwaysRecreateDeps recreates the dependencies of the named services too.
	AlwaysRecreateDeps bool
	// RemoveOrphans removes containers of services no longer defined.
	RemoveOrphans bool
	// Scale overrides the number of replicas of a service.
	Scale map[string]int
	// RenewAnonVolumes (-V) recreates containers with fresh anonymous volumes.
	RenewAnonVolumes bool
	// NoStart creates containers but does not start them.
	NoStart bool
	// RecreateChangedVolumes allows removing and recreating a named volume
	// whose configuration changed (its data is lost).
	RecreateChangedVolumes bool
	// Images, when set, plans the builds and pulls the touched services
	// need (BuildImage and PullImage actions the creates depend on); nil
	// plans containers from the images the engine has.
	Images *ImageOptions
}
