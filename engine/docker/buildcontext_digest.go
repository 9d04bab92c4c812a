package docker

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"

	"github.com/compose-spec/compose-go/v2/types"
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

// buildContextDigest is the digest a build of service s would label its
// image with now.
func buildContextDigest(s types.ServiceConfig) (string, error) {
	bc, err := newBuildContext(s.Build, s.Name)
	if err != nil {
		return "", err
	}
	return bc.digest(), nil
}
