package docker

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

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

// exec runs hook h in container ctr and waits for it: the attach stream
// ends when the command does. It returns the exit code and the output.
func (c *Client) exec(ctx context.Context, ctr string, h types.ServiceHook) (int, string, error) {
	var env []string
	for _, k := range slices.Sorted(maps.Keys(h.Environment)) {
		if v := h.Environment[k]; v != nil {
			env = append(env, k+"="+*v)
		} else {
			env = append(env, k)
		}
	}
	created, err := c.api.ContainerExecCreate(ctx, ctr, container.ExecOptions{
		Cmd: h.Command, User: h.User, Privileged: h.Privileged, WorkingDir: h.WorkingDir, Env: env,
		AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return 0, "", err
	}
	att, err := c.api.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return 0, "", err
	}
	defer att.Close()
	var out strings.Builder
	if _, err := stdcopy.StdCopy(&out, &out, att.Reader); err != nil && err != io.EOF {
		return 0, "", fmt.Errorf("reading its output: %w", err)
	}
	ins, err := c.api.ContainerExecInspect(ctx, created.ID)
	if err != nil {
		return 0, "", err
	}
	return ins.ExitCode, out.String(), nil
}
