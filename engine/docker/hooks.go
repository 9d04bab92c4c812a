package docker

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/planner"
)

// runHooks runs a service's post_start or pre_stop hooks in the container
// named by a, one after the other, each to completion. A hook that exits
// non-zero is an error naming the hook and carrying its output.
func (r *dockerRuntime) runHooks(ctx context.Context, a planner.Action, which string) error {
	if a.Resource.Kind != planner.ContainerResource {
		return nil // not a service container: no hooks
	}
	svc := a.Resource.Service
	s, ok := r.p.Compose.Services[svc]
	if !ok {
		return nil
	}
	hooks := s.PostStart
	if which == "pre_stop" {
		hooks = s.PreStop
	}
	for i, h := range hooks {
		if h.Image != "" {
			return fmt.Errorf("service %q: %s hook %d sets image, which Berth does not support: run the command in the service's container", svc, which, i+1)
		}
		code, out, err := r.c.exec(ctx, a.Name, h)
		if err != nil {
			return fmt.Errorf("service %q: %s hook %d: %w", svc, which, i+1, err)
		}
		if code != 0 {
			return fmt.Errorf("service %q: %s hook %d (%s) exited with code %d: %s", svc, which, i+1, strings.Join(h.Command, " "), code, strings.TrimSpace(out))
		}
	}
	return nil
}

// exec runs hook h in container ctr and waits for it. It returns the exit
// code and the output.
func (c *Client) exec(ctx context.Context, ctr string, h types.ServiceHook) (int, string, error) {
	var env []string
	for _, k := range slices.Sorted(maps.Keys(h.Environment)) {
		if v := h.Environment[k]; v != nil {
			env = append(env, k+"="+*v)
		} else {
			env = append(env, k)
		}
	}
	var out strings.Builder
	code, err := c.Exec(ctx, ctr, engine.ExecSpec{Cmd: h.Command, User: h.User, Privileged: h.Privileged, WorkingDir: h.WorkingDir, Env: env, Stdout: &out, Stderr: &out})
	return code, out.String(), err
}
