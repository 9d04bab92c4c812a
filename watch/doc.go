// Package watch turns file changes into work: fsnotify events are filtered
// by each service's develop.watch rules and ignore patterns, debounced into
// batches, and handed on as sync, rebuild or restart triggers that go
// through the same plan path as `berth up`.
package watch
