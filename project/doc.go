// Package project loads compose files into a Berth project: compose-go's
// model of the services, networks and volumes, the dependency graph between
// the services, and the configuration hash Compose stores on containers.
//
// Loading follows `docker compose` exactly (file discovery, COMPOSE_*
// variables, .env and --env-file, profiles, extends, include, interpolation,
// normalisation and validation are all compose-go's), so a file that works
// with Compose works with Berth and means the same thing.
package project
