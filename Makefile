# Berth's build. `make demo` runs the example stack, `make test` runs every
# test (the Docker Engine must answer: daemon tests fail rather than skip).

GO            ?= go
VERSION       ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS       := -X main.version=$(VERSION)
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME      ?= 30s
EXAMPLE       := examples/microservices/compose.yaml
COMPOSE_VERSION ?= v5.5.0
COMPOSE_BIN   ?= $(CURDIR)/.cache/compose-$(COMPOSE_VERSION)/docker-compose
COMPAT_TEST   := BERTH_REQUIRE_DOCKER=1 $(GO) test -tags compat -count=1 -run '^(TestConfigGolden|TestComposeInterop|TestComposeDefaultPlatform|TestDayTwoCommandsMatchCompose|TestLsFindsCompose)$$' ./cmd/berth -compose $(COMPOSE_BIN)

.PHONY: all build test compat lint fuzz demo demo-down bench clean seed-images

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/berth ./cmd/berth

# The example stack's end-to-end test builds FROM golang: seed-images makes
# sure the base images exist on machines without a registry. The run ends
# with the compatibility tests (see compat), so that every change proves
# that Compose and Berth each see the other's project as their own.
test: seed-images $(COMPOSE_BIN)
	$(GO) vet ./...
	$(GO) vet -tags compat ./cmd/berth
	BERTH_REQUIRE_DOCKER=1 $(GO) test -race -count=1 -timeout 14m ./...
	$(COMPAT_TEST)

# Compatibility with Docker Compose itself: the `config` goldens and a
# project brought up by either tool, checked against Compose v5.5.0 (the
# release built on Berth's compose-go), which is built from its Go module
# into .cache/ the first time (about a minute on 2 cores).
compat: seed-images $(COMPOSE_BIN)
	$(COMPAT_TEST)

$(COMPOSE_BIN):
	bash cmd/berth/testdata/build-compose.sh $(COMPOSE_VERSION) $@

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) -tags compat ./...

# Fuzz project.Load on YAML bytes for a bounded time (FUZZTIME=2m make fuzz).
fuzz:
	$(GO) test ./project -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME)

# The example stack: build its images (seeding the base images first when
# they are missing, for machines without a registry), bring it up, wait for
# it to be healthy, and show it answering. `make demo-down` removes it.
demo: build seed-images
	./bin/berth -f $(EXAMPLE) up --build --wait
	bash examples/demo.sh

demo-down: build
	./bin/berth -f $(EXAMPLE) down -v --rmi local

# Benchmarks: first every package benchmark (loading, hashing, the executor),
# then BenchmarkStack — generated stacks of 1, 10 and 50 services driven
# through the berth binary and, when it is on PATH, docker-compose, on the
# Docker Engine — ending with a table of both tools' times and their ratio
# (about 6 minutes on 2 cores; BENCHTIME=5x make bench for more iterations),
# then BenchmarkWatch: save-to-served latency of a watch sync rule over 50
# saves, and 1,000 files at once, for both tools (about 1 minute).
BENCHTIME     ?= 3x
bench:
	$(GO) test -run '^$$' -bench . -skip '^BenchmarkStack$$' -benchmem ./...
	$(GO) test -run '^$$' -bench '^BenchmarkStack$$' -benchtime $(BENCHTIME) -timeout 30m ./cmd/berth 2>&1 | awk -f cmd/berth/testdata/benchtable.awk
	$(GO) test -run '^$$' -bench '^BenchmarkWatch$$' -benchtime 1x -timeout 10m ./cmd/berth

clean:
	rm -rf bin .cache

# Create busybox:latest, alpine:latest and golang:<host Go version> (and
# golang:<major.minor>) on the engine from local files, when missing, for
# machines that cannot pull: the example's Dockerfiles build FROM golang.
seed-images:
	bash examples/seed-images.sh
