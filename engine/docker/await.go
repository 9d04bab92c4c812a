package docker

import (
	"context"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project"
)

// await waits until every container of service meets condition
// (service_healthy, or service_completed_successfully). It reads the state
// once, then re-reads it on each event the engine sends about the service's
// containers, so it neither polls nor misses a change between the two.
func (c *Client) await(ctx context.Context, projectName, service, condition string) error {
	f := projectFilter(projectName)
	f.Add("label", LabelService+"="+service)
	f.Add("type", string(events.ContainerEventType))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs, errs := c.api.Events(ctx, events.ListOptions{Filters: f})
	for {
		done, err := c.conditionMet(ctx, projectName, service, condition)
		if err != nil || done {
			return err
		}
		select {
		case <-msgs:
		case err := <-errs:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("waiting for %s: reading engine events: %w", service, err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// conditionMet inspects service's containers and says whether condition
// holds, or why it never will.
func (c *Client) conditionMet(ctx context.Context, projectName, service, condition string) (bool, error) {
	f := projectFilter(projectName)
	f.Add("label", LabelService+"="+service)
	f.Add("label", LabelOneOff+"=False")
	cs, err := c.api.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return false, fmt.Errorf("waiting for %s: %w", service, err)
	}
	if len(cs) == 0 {
		return false, fmt.Errorf("dependency %s has no container", service)
	}
	for _, s := range cs {
		ins, err := c.api.ContainerInspect(ctx, s.ID)
		if err != nil {
			return false, fmt.Errorf("waiting for %s: %w", service, err)
		}
		st := ins.State
		name := strings.TrimPrefix(ins.Name, "/")
		if condition == engine.ConditionRunningOrHealthy {
			switch {
			case st.Health != nil && st.Health.Status == container.Unhealthy:
				return false, fmt.Errorf("service %s is unhealthy (container %s): %s", service, name, lastHealthOutput(st.Health))
			case !st.Running && !st.Restarting && st.Status != container.StateCreated:
				return false, fmt.Errorf("service %s is not running: container %s exited with code %d", service, name, st.ExitCode)
			case st.Running && (st.Health == nil || st.Health.Status == container.Healthy):
				continue
			}
			return false, nil
		}
		switch condition {
		case project.ConditionHealthy:
			if st.Health == nil {
				return false, fmt.Errorf("dependency %s has no healthcheck, so it cannot become healthy: add one or use condition service_started", service)
			}
			switch st.Health.Status {
			case container.Healthy:
				continue
			case container.Unhealthy:
				return false, fmt.Errorf("dependency %s is unhealthy (container %s): %s", service, name, lastHealthOutput(st.Health))
			}
			if !st.Running {
				return false, fmt.Errorf("dependency %s exited with code %d before it became healthy (container %s)", service, st.ExitCode, name)
			}
			return false, nil
		case project.ConditionCompleted:
			if st.Status != container.StateExited {
				if st.Status == container.StateCreated && st.StartedAt == "0001-01-01T00:00:00Z" {
					return false, nil
				}
				if st.Running || st.Restarting {
					return false, nil
				}
			}
			if st.ExitCode != 0 {
				return false, fmt.Errorf("dependency %s did not complete successfully: container %s exited with code %d", service, name, st.ExitCode)
			}
			if st.Status != container.StateExited {
				return false, nil
			}
		default:
			return false, fmt.Errorf("unknown depends_on condition %q", condition)
		}
	}
	return true, nil
}

func lastHealthOutput(h *container.Health) string {
	if h == nil || len(h.Log) == 0 {
		return "no healthcheck output"
	}
	last := h.Log[len(h.Log)-1]
	out := strings.TrimSpace(last.Output)
	if out == "" {
		out = "no output"
	}
	return fmt.Sprintf("last check exited %d: %s", last.ExitCode, out)
}
