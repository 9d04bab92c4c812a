// Package microservices holds the example stack that `make demo` runs:
// compose.yaml and four small Go services (web, auth, catalog, store),
// each in its own directory with its own go.mod (standard library only),
// Dockerfile and tests. Each service directory is thus a module of its own,
// outside Berth's; this package exists for services_test.go, which runs the
// services' tests and checks them against the compose file, so that
// `go test ./...` at the repository root covers them.
package microservices
