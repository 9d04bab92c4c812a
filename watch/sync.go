package watch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project"
)

// syncParallel bounds the containers a sync writes to at once.
const syncParallel = 16

// errNoDelete marks a container that cannot delete files: its image has no
// `rm` (a FROM scratch image, say).
var errNoDelete = errors.New("the container cannot delete files: its image has no `rm`")

// syncResult is what one sync did.
type syncResult struct {
	containers int
	copied     int
	removed    int
}

// syncRule brings the running containers of the rule's service up to date
// with the host: the files in writes (host paths under the rule's path) are
// copied in as one tar stream through the Engine API — no `tar` needed in
// the image — and those in removes are deleted, in every container at
// once. A container that cannot delete (no `rm` in its image) fails with
// errNoDelete after its copies are done; the result says what was meant to
// be done either way.
func syncRule(ctx context.Context, b engine.Backend, p *project.Project, rule Rule, writes, removes []string) (syncResult, error) {
	var res syncResult
	cs, err := b.List(ctx, p.Name(), false)
	if err != nil {
		return res, err
	}
	var targets []string
	for _, c := range cs {
		if c.Service == rule.Service && c.State == "running" {
			targets = append(targets, c.Name)
		}
	}
	return syncInto(ctx, b, rule, targets, writes, removes)
}

// syncInto is syncRule for the named containers.
func syncInto(ctx context.Context, b engine.Backend, rule Rule, targets, writes, removes []string) (syncResult, error) {
	var res syncResult
	if len(targets) == 0 {
		return res, nil
	}
	archive, n, err := syncArchive(rule, writes)
	if err != nil {
		return res, err
	}
	var deletes []string
	for _, f := range removes {
		dst, err := containerPath(rule, f)
		if err != nil {
			return res, err
		}
		deletes = append(deletes, dst)
	}
	res = syncResult{containers: len(targets), copied: n, removed: len(deletes)}
	data := archive.Bytes()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(syncParallel)
	for _, ctr := range targets {
		g.Go(func() error {
			if n > 0 {
				if err := b.CopyTo(gctx, ctr, "/", bytes.NewReader(data)); err != nil {
					return err
				}
			}
			if len(deletes) > 0 {
				var out bytes.Buffer
				code, err := b.Exec(gctx, ctr, engine.ExecSpec{Cmd: append([]string{"rm", "-rf", "--"}, deletes...), Stdout: &out, Stderr: &out})
				switch {
				case err != nil && strings.Contains(err.Error(), "executable file not found"),
					err == nil && code >= 126 && strings.Contains(out.String(), "executable file not found"):
					return fmt.Errorf("%s: %w", ctr, errNoDelete)
				case err != nil:
					return err
				case code != 0:
					return fmt.Errorf("deleting %s in %s: rm exited %d: %s", strings.Join(deletes, " "), ctr, code, strings.TrimSpace(out.String()))
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return res, fmt.Errorf("%s: %w", rule.Name(), err)
	}
	return res, nil
}
