// Package engine is Berth's orchestration API: Up, Down, Build, Pull, Stop
// and Wait take a project, typed options and an event sink, and carry out a
// plan over a Backend — observe, plan, execute — so that the commands, the
// file-watch loop and any other client share one path for every change.
//
// The executor runs a plan's actions concurrently in dependency order,
// bounded in one place, and reports each as timestamped events on one
// stream. The Docker Engine backend is engine/docker, the only package that
// imports the Docker SDK.
package engine
