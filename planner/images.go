package planner

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
)

// ImageStep says how a service's image is got before containers are planned.
type ImageStep struct {
	Service string
	// Build is true to build the image, false to pull it.
	Build bool
	// Ref is the image reference: the service's image, or the name Berth
	// gives a built one (<project>-<service>).
	Ref string
	// Reason is why: Missing, BuildFlag, PolicyAlways, PolicyBuild or
	// PolicyRefresh (with Detail "older than 24h0m0s").
	Reason Reason
	Detail string
}

// Why is the reason in words: "missing", "--build", "pull_policy always",
// "pull_policy refresh: older than 24h0m0s".
func (s ImageStep) Why() string {
	if s.Detail != "" {
		return s.Reason.String() + ": " + s.Detail
	}
	return s.Reason.String()
}

// ImageOptions are the flags that decide builds and pulls.
type ImageOptions struct {
	// Services limits the steps to these services (empty: all).
	Services []string
	// Build builds every service that has a build section (--build).
	Build bool
	// NoBuild never builds (--no-build): a missing image is an error.
	NoBuild bool
	// Pull overrides every service's pull_policy (--pull): always,
	// missing, never or build.
	Pull string
	// Now is the time refresh policies (daily, weekly, every_<d>) compare
	// image ages with; passed in so the planner stays pure.
	Now time.Time
	// BuildContexts are the services' build context digests as they are
	// now (Observed.BuildContexts): a service whose image was built from
	// another is built again, unless --no-build.
	BuildContexts map[string]string
	// IgnorePullFailures makes pulls optional: a failed pull is a warning
	// and what needs the image goes on (`pull --ignore-pull-failures`).
	IgnorePullFailures bool
}

// LocalImage is what the engine knows of an image reference.
type LocalImage struct {
	ID string
	// Tagged is when the reference was last tagged (pulled or built) here.
	Tagged time.Time
	// BuildContext is, for an image Berth built, the digest of the build
	// context and section it was built from; "" otherwise.
	BuildContext string
}

// ImageSteps decides, per service, whether its image is built, pulled or
// used as it is, following pull_policy as Compose does: `build` always
// builds; `always` pulls every time; `missing` (the default) gets a missing
// image, by building it when the service has a build section and pulling it
// otherwise; `never` never pulls; daily, weekly and every_<duration> pull an
// image tagged longer ago than that. local maps image references to what the
// engine has. Steps come in service name order.
func ImageSteps(p *project.Project, local map[string]LocalImage, opt ImageOptions) ([]ImageStep, error) {
	switch opt.Pull {
	case "", types.PullPolicyAlways, types.PullPolicyMissing, types.PullPolicyNever, types.PullPolicyBuild:
	default:
		return nil, fmt.Errorf("invalid --pull %q: use always, missing, never or build", opt.Pull)
	}
	if opt.Build && opt.NoBuild {
		return nil, fmt.Errorf("--build and --no-build cannot be combined")
	}
	var steps []ImageStep
	for _, name := range p.Graph.Services() {
		if len(opt.Services) > 0 && !slices.Contains(opt.Services, name) {
			continue
		}
		s := p.Compose.Services[name]
		ref := project.ImageName(p.Compose, name)
		img, have := local[ref]
		policy, every, err := s.GetPullPolicy()
		if err != nil {
			return nil, fmt.Errorf("service %q: invalid pull_policy %q: %w", name, s.PullPolicy, err)
		}
		if opt.Pull != "" {
			policy, every = opt.Pull, 0
		}
		if policy == types.PullPolicyIfNotPresent {
			policy = types.PullPolicyMissing
		}
		buildable := s.Build != nil
		// an image only ever built here (build: and no image:) has no
		// registry to be pulled from
		pullable := !buildable || s.Image != ""
		step := func(build bool, why Reason, detail ...string) {
			steps = append(steps, ImageStep{Service: name, Build: build, Ref: ref, Reason: why, Detail: strings.Join(detail, " ")})
		}
		switch {
		case buildable && opt.Build:
			step(true, BuildFlag)
		case buildable && policy == types.PullPolicyBuild && !opt.NoBuild:
			step(true, PolicyBuild)
		case pullable && policy == types.PullPolicyAlways:
			step(false, PolicyAlways)
		case pullable && have && policy == types.PullPolicyRefresh && opt.Now.Sub(img.Tagged) > every:
			step(false, PolicyRefresh, fmt.Sprintf("older than %s", every))
		case buildable && have && !opt.NoBuild && policy != types.PullPolicyNever && img.BuildContext != "" &&
			opt.BuildContexts[name] != "" && opt.BuildContexts[name] != img.BuildContext:
			step(true, BuildContextChanged)
		case have:
		case buildable && opt.NoBuild:
			return nil, fmt.Errorf("service %q: image %s is missing and --no-build forbids building it: build it first, or drop --no-build", name, ref)
		case buildable:
			step(true, Missing)
		case policy == types.PullPolicyNever:
			return nil, fmt.Errorf("service %q: image %s is missing and its pull_policy is never: load it with `docker load` or build it", name, ref)
		default:
			step(false, Missing)
		}
	}
	return steps, nil
}
