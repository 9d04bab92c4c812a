package docker

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project"
)

// await waits until every container of service meets condition
// (service_healthy, service_completed_successfully, or running-or-healthy
// for `up --wait`). It subscribes to the project's shared event stream,
// then reads the state, and re-reads it on each event about the service's
// containers, so it neither polls nor misses a change between the two.
func (c *Client) await(ctx context.Context, projectName, service, condition string) error {
	w, unsubscribe := c.hub(projectName).subscribe(service)
	defer unsubscribe()
	seen := map[string]observedState{} // what events said of each container
	for {
		for _, m := range w.take() {
			applyEvent(seen, m)
		}
		done, err := c.conditionMet(ctx, projectName, service, condition, seen)
		if err != nil || done {
			return err
		}
		select {
		case <-w.wake:
		case err := <-w.failed:
			return fmt.Errorf("waiting for %s: %w", service, err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// observedState is what a container list tells of a container's state.
type observedState struct {
	name     string
	state    string // created, running, paused, restarting, exited, dead
	health   string // "", starting, healthy, unhealthy
	exitCode int
}

// stateOf is a listed container's state. The engine reports a change (a
// container died, became healthy) a moment before its container list shows
// it, and a replayed event may be older than the list: when the events seen
// and the list disagree, an inspect, which the engine answers from the
// container itself, settles it (and what the events said is then spent).
func (c *Client) stateOf(ctx context.Context, s container.Summary, seen map[string]observedState) (observedState, error) {
	ctr := containerFromSummary(s)
	st := observedState{name: ctr.Name, state: ctr.State, health: ctr.Health, exitCode: ctr.ExitCode}
	ev, ok := seen[s.ID]
	if !ok || (ev.state == "" || ev.state == st.state) && (ev.health == "" || ev.health == st.health) {
		return st, nil
	}
	delete(seen, s.ID)
	ins, err := c.api.ContainerInspect(ctx, s.ID)
	if err != nil {
		return st, fmt.Errorf("inspecting %s: %w", st.name, err)
	}
	if ins.State != nil {
		st.state, st.exitCode, st.health = string(ins.State.Status), ins.State.ExitCode, ""
		if ins.State.Health != nil {
			st.health = string(ins.State.Health.Status)
		}
	}
	return st, nil
}

// applyEvent records what a container event says of its container's state.
func applyEvent(seen map[string]observedState, m events.Message) {
	st := seen[m.Actor.ID]
	switch action := string(m.Action); {
	case action == "start" || action == "restart" || action == "unpause":
		// a new run: its health starts over, as the list will say
		st.state, st.exitCode, st.health = "running", 0, ""
	case action == "pause":
		st.state = "paused"
	case action == "die":
		st.state = "exited"
		st.exitCode, _ = strconv.Atoi(m.Actor.Attributes["exitCode"])
	case strings.HasPrefix(action, "health_status: "):
		st.health = strings.TrimPrefix(action, "health_status: ")
	default:
		return
	}
	seen[m.Actor.ID] = st
}

// conditionMet lists service's containers (one call; an inspect only where
// the events seen disagree with the list, or to explain a failure) and says
// whether condition holds, or why it never will.
func (c *Client) conditionMet(ctx context.Context, projectName, service, condition string, seen map[string]observedState) (bool, error) {
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
		st, err := c.stateOf(ctx, s, seen)
		if err != nil {
			return false, fmt.Errorf("waiting for %s: %w", service, err)
		}
		running := st.state == "running" || st.state == "paused"
		switch condition {
		case engine.ConditionRunningOrHealthy:
			switch {
			case st.health == "unhealthy":
				return false, fmt.Errorf("service %s is unhealthy (container %s): %s", service, st.name, c.lastHealthOutput(ctx, s.ID))
			case st.state == "exited" || st.state == "dead":
				return false, fmt.Errorf("service %s is not running: container %s exited with code %d", service, st.name, st.exitCode)
			case running && (st.health == "" || st.health == "healthy"):
				continue
			}
			return false, nil
		case project.ConditionHealthy:
			switch {
			case st.health == "healthy":
				continue
			case st.health == "unhealthy":
				return false, fmt.Errorf("dependency %s is unhealthy (container %s): %s", service, st.name, c.lastHealthOutput(ctx, s.ID))
			case st.state == "exited" || st.state == "dead":
				return false, fmt.Errorf("dependency %s exited with code %d before it became healthy (container %s)", service, st.exitCode, st.name)
			case running && st.health == "":
				return false, fmt.Errorf("dependency %s has no healthcheck, so it cannot become healthy: add one or use condition service_started", service)
			}
			return false, nil
		case project.ConditionCompleted:
			switch st.state {
			case "exited", "dead":
				if st.exitCode != 0 {
					return false, fmt.Errorf("dependency %s did not complete successfully: container %s exited with code %d", service, st.name, st.exitCode)
				}
				continue
			}
			return false, nil
		default:
			return false, fmt.Errorf("unknown depends_on condition %q", condition)
		}
	}
	return true, nil
}

// lastHealthOutput is the last health check's exit code and output, for an
// error message.
func (c *Client) lastHealthOutput(ctx context.Context, id string) string {
	ins, err := c.api.ContainerInspect(ctx, id)
	if err != nil || ins.State == nil || ins.State.Health == nil || len(ins.State.Health.Log) == 0 {
		return "no healthcheck output"
	}
	h := ins.State.Health
	last := h.Log[len(h.Log)-1]
	out := strings.TrimSpace(last.Output)
	if out == "" {
		out = "no output"
	}
	return fmt.Sprintf("last check exited %d: %s", last.ExitCode, out)
}
