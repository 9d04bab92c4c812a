package planner

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// This file turns plans into text for people (Render) and for programs
// (RenderJSON). It only writes to the io.Writer it is given.

// RenderOptions change how Render prints a plan.
type RenderOptions struct {
	// Project, when set, adds the heading
	// `Berth will perform these actions on project "<Project>":`.
	Project string
	// Color marks the symbols with ANSI colors: green +, yellow ~, red -.
	Color bool
}

// Summary counts what a plan does, per resource (a container, network or
// volume), not per action. Awaits are not counted.
type Summary struct {
	Create   int `json:"create"`
	Recreate int `json:"recreate"`
	Remove   int `json:"remove"`
	Start    int `json:"start"`
	// Update counts resources changed in place, e.g. a network connected
	// to an existing container.
	Update int `json:"update"`
	// Build and Pull count the images built and pulled.
	Build int `json:"build,omitempty"`
	Pull  int `json:"pull,omitempty"`
}

// Total is the number of resources the plan touches.
func (s Summary) Total() int {
	return s.Create + s.Recreate + s.Remove + s.Start + s.Update + s.Build + s.Pull
}

// Summary counts the plan's resources by what happens to them.
func (p *Plan) Summary() Summary {
	var s Summary
	if p == nil {
		return s
	}
	for _, g := range groupActions(p.Actions) {
		switch g.op {
		case opCreate:
			s.Create++
		case opRecreate:
			s.Recreate++
		case opRemove:
			s.Remove++
		case opStart:
			s.Start++
		case opUpdate:
			s.Update++
		case opBuild:
			s.Build++
		case opPull:
			s.Pull++
		}
	}
	return s
}

// op is what happens to one resource, with its display symbol.
type op byte

const (
	opCreate   op = '+'
	opRecreate op = '~'
	opRemove   op = '-'
	opStart    op = '>'
	opUpdate   op = '*'
	// opAwait is a wait on a dependency's condition, not a change.
	opAwait op = '='
	// opBuild builds an image, opPull pulls one.
	opBuild op = '^'
	opPull  op = 'v'
)

// group is the actions of a plan about one resource, in plan order.
type group struct {
	resource Resource
	actions  []Action
	op       op
}

// groupActions groups actions by Resource, in order of first appearance.
// Each AwaitCondition is a group of its own (keyed by its dependency and
// condition), since it is no change to a resource.
func groupActions(actions []Action) []*group {
	var groups []*group
	byKey := map[string]*group{}
	for _, a := range actions {
		key := a.Resource.String()
		switch a.Kind {
		case AwaitCondition:
			key = "await\x00" + key + "\x00" + a.Target
		case BuildImage, PullImage:
			key = a.Kind.String() + "\x00" + key
		}
		g, ok := byKey[key]
		if !ok {
			g = &group{resource: a.Resource}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.actions = append(g.actions, a)
	}
	for _, g := range groups {
		g.op = classify(g.actions)
	}
	return groups
}

// classify says what the actions of one resource amount to:
//   - a create after a removal of the same resource, or a rename (a create
//     under a temporary name, then the old container's removal and a rename
//     to the final name), is a recreate;
//   - otherwise a create is a create;
//   - stops and removals alone are a removal;
//   - a start alone starts an existing container;
//   - anything else (a connect alone) changes the resource in place.
func classify(actions []Action) op {
	var create, remove, rename, start, await bool
	for _, a := range actions {
		switch a.Kind {
		case BuildImage:
			return opBuild
		case PullImage:
			return opPull
		case CreateNetwork, CreateVolume, CreateContainer:
			create = true
		case RemoveNetwork, RemoveVolume, RemoveImage, RemoveContainer, StopContainer:
			remove = true
		case RenameContainer:
			rename = true
		case StartContainer, RestartContainer:
			start = true
		case AwaitCondition:
			await = true
		}
	}
	switch {
	case await:
		return opAwait
	case rename || (create && remove):
		return opRecreate
	case create:
		return opCreate
	case remove && !start:
		return opRemove
	case start:
		return opStart
	}
	return opUpdate
}

// main is the action that best describes the group: the create, else the
// removal, else the first action.
func (g *group) main() Action {
	for _, kinds := range [][]Kind{
		{CreateNetwork, CreateVolume, CreateContainer},
		{RemoveNetwork, RemoveVolume, RemoveImage, RemoveContainer},
		{StartContainer, RestartContainer},
	} {
		for _, a := range g.actions {
			for _, k := range kinds {
				if a.Kind == k {
					return a
				}
			}
		}
	}
	return g.actions[0]
}

// name is the engine name shown for the group: for a container, its final
// name (the target of the rename, not the temporary name it is created
// under).
func (g *group) name() string {
	for _, a := range g.actions {
		if a.Kind == RenameContainer && a.Target != "" {
			return a.Target
		}
	}
	// a leftover of an interrupted recreate is under a temporary name: show
	// the container's own name when the group has it
	for _, a := range g.actions {
		if a.Name != "" && a.Kind != ConnectNetwork && a.Reason != Interrupted {
			return a.Name
		}
	}
	for _, a := range g.actions {
		if a.Name != "" {
			return a.Name
		}
	}
	return g.resource.String()
}

// changes are the field changes of the group's actions.
func (g *group) changes() []Change {
	var cs []Change
	for _, a := range g.actions {
		cs = append(cs, a.Changes...)
	}
	return cs
}

// resourceKind is "network", "volume", "container" or "image" for a
// Resource.
func resourceKind(res Resource) string {
	switch res.Kind {
	case NetworkResource:
		return "network"
	case VolumeResource:
		return "volume"
	case ContainerResource, OneOffResource:
		return "container"
	case ImageResource:
		return "image"
	}
	return "service"
}

const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

func (o op) symbol(color bool) string {
	s := string(rune(o))
	if !color {
		return s
	}
	switch o {
	case opCreate:
		return ansiGreen + s + ansiReset
	case opRecreate:
		return ansiYellow + s + ansiReset
	case opRemove:
		return ansiRed + s + ansiReset
	}
	return s
}

// Render writes the plan as the diff `berth plan` and `berth up --dry-run`
// print: one line per resource (kind, engine name, reason), in the order the
// plan first touches it, then a blank line and the summary, then the plan's
// warnings:
//
//	Berth will perform these actions on project "shop":
//
//	  + network shop_back (missing)
//	  ~ container shop-web-1 (config changed)
//	      environment.LOG_LEVEL: "info" → "debug"
//	  - container shop-old-1 (orphaned)
//	  > container shop-app-1 (not running)
//	  * container shop-api-1 (network not attached)
//	  = await db: service_healthy
//	  ^ build image shop-web for web (build context changed)
//	  v pull image redis:7 for cache (pull_policy always)
//
//	Plan: 1 to create, 1 to recreate, 1 to remove, 1 to start, 1 to update.
//	Warning: ...
//
// The symbols: + create, ~ recreate (one line per changed field below it,
// values quoted, an absent one shown as (none)), - remove, > start an
// existing container, * change in place, ^ build and v pull an image, and
// = a wait for a dependency's
// depends_on condition before its dependents start (not a change, not
// counted). A recreated container shows its final name, not the temporary
// one it is created under. The heading is printed only when opts.Project is
// set; "to start" and "to update" only when not zero. An empty plan is
// "No changes." (followed by any warnings).
func Render(w io.Writer, p *Plan, opts RenderOptions) error {
	var b strings.Builder
	if p == nil {
		p = &Plan{}
	}
	if p.Empty() {
		b.WriteString("No changes.\n")
	} else {
		if opts.Project != "" {
			fmt.Fprintf(&b, "Berth will perform these actions on project %q:\n\n", opts.Project)
		}
		for _, g := range groupActions(p.Actions) {
			renderGroup(&b, g, opts)
		}
		b.WriteByte('\n')
		b.WriteString(summaryLine(p.Summary()))
		b.WriteByte('\n')
	}
	for _, warn := range p.Warnings {
		fmt.Fprintf(&b, "Warning: %s\n", warn)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func renderGroup(b *strings.Builder, g *group, opts RenderOptions) {
	sym := g.op.symbol(opts.Color)
	if g.op == opAwait {
		a := g.actions[0]
		fmt.Fprintf(b, "  %s await %s: %s\n", sym, a.Resource.Service, a.Target)
		return
	}
	if g.op == opBuild || g.op == opPull {
		a := g.actions[0]
		reason := a.Reason.String()
		if a.Detail != "" {
			reason += ": " + a.Detail
		}
		also := ""
		if len(a.Tags) > 0 {
			also = ", also tagged " + strings.Join(a.Tags, ", ")
		}
		fmt.Fprintf(b, "  %s %s image %s for %s%s (%s)\n", sym, a.Kind, a.Name, a.Resource.Service, also, reason)
		return
	}
	fmt.Fprintf(b, "  %s %s %s (%s)\n", sym, resourceKind(g.resource), g.name(), g.main().Reason)
	for _, c := range g.changes() {
		fmt.Fprintf(b, "      %s: %s → %s\n", c.Path, changeValue(c.Old), changeValue(c.New))
	}
}

func changeValue(v string) string {
	if v == "" {
		return "(none)"
	}
	return fmt.Sprintf("%q", v)
}

func summaryLine(s Summary) string {
	line := fmt.Sprintf("Plan: %d to create, %d to recreate, %d to remove", s.Create, s.Recreate, s.Remove)
	if s.Start > 0 {
		line += fmt.Sprintf(", %d to start", s.Start)
	}
	if s.Update > 0 {
		line += fmt.Sprintf(", %d to update", s.Update)
	}
	if s.Build > 0 {
		line += fmt.Sprintf(", %d to build", s.Build)
	}
	if s.Pull > 0 {
		line += fmt.Sprintf(", %d to pull", s.Pull)
	}
	return line + "."
}

// MarshalText encodes the kind as its String form, e.g. "create-network".
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes a kind from its String form.
func (k *Kind) UnmarshalText(text []byte) error {
	for kind, name := range kindNames {
		if name == string(text) {
			*k = kind
			return nil
		}
	}
	return fmt.Errorf("unknown action kind %q", text)
}

// MarshalText encodes the reason as its String form, e.g. "config changed".
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText decodes a reason from its String form.
func (r *Reason) UnmarshalText(text []byte) error {
	for reason, name := range reasonNames {
		if name == string(text) {
			*r = reason
			return nil
		}
	}
	return fmt.Errorf("unknown reason %q", text)
}

// The JSON document of RenderJSON. Its field names are a stable interface.
type (
	jsonPlan struct {
		Project  string       `json:"project"`
		Actions  []jsonAction `json:"actions"`
		Summary  Summary      `json:"summary"`
		Warnings []string     `json:"warnings"`
	}
	jsonAction struct {
		ID        int          `json:"id"`
		Kind      Kind         `json:"kind"`
		Resource  string       `json:"resource"`
		Name      string       `json:"name,omitempty"`
		Target    string       `json:"target,omitempty"`
		Reason    Reason       `json:"reason"`
		Changes   []jsonChange `json:"changes,omitempty"`
		DependsOn []int        `json:"depends_on,omitempty"`
	}
	// jsonChange omits an absent old or new value.
	jsonChange struct {
		Path string `json:"path"`
		Old  string `json:"old,omitempty"`
		New  string `json:"new,omitempty"`
	}
)

// RenderJSON writes the plan as a JSON document for programs:
//
//	{"project": "shop",
//	 "actions": [{"id", "kind", "resource", "name", "target", "reason",
//	              "changes": [{"path", "old", "new"}], "depends_on": [ids]}],
//	 "summary": {"create", "recreate", "remove", "start", "update"},
//	 "warnings": [...]}
//
// Kinds and reasons are their String forms; empty name, target, changes,
// depends_on and absent old/new values are left out; actions and warnings
// are always lists. Indented with two spaces, with a trailing newline.
func RenderJSON(w io.Writer, p *Plan, project string) error {
	if p == nil {
		p = &Plan{}
	}
	doc := jsonPlan{
		Project:  project,
		Actions:  make([]jsonAction, 0, len(p.Actions)),
		Summary:  p.Summary(),
		Warnings: append([]string{}, p.Warnings...),
	}
	for _, a := range p.Actions {
		ja := jsonAction{
			ID: a.ID, Kind: a.Kind, Resource: a.Resource.String(), Name: a.Name,
			Target: a.Target, Reason: a.Reason, DependsOn: a.DependsOn,
		}
		for _, c := range a.Changes {
			ja.Changes = append(ja.Changes, jsonChange(c))
		}
		doc.Actions = append(doc.Actions, ja)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
