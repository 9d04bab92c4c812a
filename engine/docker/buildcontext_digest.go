package docker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"

	"github.com/berth-dev/berth/project"
)

// LabelBuildContext is the label Berth puts on the images it builds: the
// digest of the build context they were built from, so a later plan can
// tell that a service's sources changed and its image must be built again.
const LabelBuildContext = "dev.berth.build-context"

// digest summarises the files a build from this context is sent: each
// member of the context by name, mode, size and modification time (a
// symlink by its target, a generated Dockerfile by its content), and the
// Dockerfile's name. It reads no file's content, so it costs a walk of the
// directory, not a read of it. The build section (args, target, ...) is
// not part of it: as with Compose, changing those takes --build.
func (bc *buildContext) digest() string {
	h := sha256.New()
	field(h, "dockerfile", bc.dockerfile)
	for _, e := range bc.entries {
		if e.info == nil {
			field(h, "generated", e.name, string(e.data))
			continue
		}
		field(h, "entry", e.name, e.info.Mode().String(), fmt.Sprint(e.info.Size()), fmt.Sprint(e.info.ModTime().UnixNano()), e.link)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// field writes values to h, each length-prefixed, so no two lists of
// values write the same bytes.
func field(h hash.Hash, values ...string) {
	for _, v := range values {
		fmt.Fprintf(h, "%d:%s", len(v), v)
	}
}

// BuildContextDigests returns the digest a build of each named service
// would label its image with now: a walk of each build context, so `up`
// asks only for the services whose image carries a digest to compare with.
// A context that cannot be read is left out (its build will say why).
func (c *Client) BuildContextDigests(_ context.Context, p *project.Project, services []string) map[string]string {
	out := map[string]string{}
	for _, svc := range services {
		s, ok := p.Compose.Services[svc]
		if !ok || s.Build == nil {
			continue
		}
		bc, err := newBuildContext(s.Build, svc)
		if err != nil {
			continue
		}
		out[svc] = bc.digest()
	}
	return out
}
