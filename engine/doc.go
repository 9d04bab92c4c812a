// Package engine observes and changes the Docker Engine: it lists a
// project's containers, networks and volumes into the planner's observed
// state, and applies a plan's actions concurrently in dependency order,
// waiting on health and completion from the engine's event stream. It is the
// only package that imports the Docker SDK.
package engine
