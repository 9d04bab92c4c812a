package docker

// Labels Berth puts on what it creates. They are Compose's labels, with the
// same values, so `docker compose` sees Berth's containers as its own and the
// other way round; dev.berth.spec is Berth's addition.
const (
	LabelProject = "com.docker.compose.project"
	LabelService = "com.docker.compose.service"
	LabelNumber  = "com.docker.compose.container-number"
	LabelOneOff  = "com.docker.compose.oneoff"
	// LabelSlug is the random ID of a one-off container (`berth run`).
	LabelSlug            = "com.docker.compose.slug"
	LabelConfigHash      = "com.docker.compose.config-hash"
	LabelVersion         = "com.docker.compose.version"
	LabelWorkingDir      = "com.docker.compose.project.working_dir"
	LabelConfigFiles     = "com.docker.compose.project.config_files"
	LabelEnvironmentFile = "com.docker.compose.project.environment_file"
	LabelImage           = "com.docker.compose.image"
	LabelDependsOn       = "com.docker.compose.depends_on"
	LabelNetwork         = "com.docker.compose.network"
	LabelVolume          = "com.docker.compose.volume"
	// LabelSpec holds the canonical JSON of the service configuration a
	// container was created with, so a later plan can name the fields that
	// changed.
	LabelSpec = "dev.berth.spec"
)

// ComposeVersion is the Compose version Berth's labels claim compatibility
// with; `docker compose` reads it only for display.
const ComposeVersion = "2.40.0"
