// Package planner computes what Berth must do to bring the Docker Engine to a
// project's desired state: it diffs the project against the observed state
// and returns a Plan, a list of actions as data, each with a typed reason and
// the field-level changes behind it. It is pure: no I/O and no Docker import,
// so the same input always gives the same plan.
package planner
