# Berth's build. `make demo` runs the example stack, `make test` runs every
# test (the Docker Engine must answer: daemon tests fail rather than skip).

GO            ?= go
VERSION       ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS       := -X main.version=$(VERSION)
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME      ?= 30s
EXAMPLE       := examples/microservices/compose.yaml

.PHONY: all build test lint fuzz demo demo-down bench clean seed-images

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/berth ./cmd/berth

# The example stack's end-to-end test builds FROM golang: seed-images makes
# sure the base images exist on machines without a registry.
test: seed-images
	$(GO) vet ./...
	BERTH_REQUIRE_DOCKER=1 $(GO) test -race -count=1 -timeout 14m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

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
# (about 6 minutes on 2 cores; BENCHTIME=5x make bench for more iterations).
BENCHTIME     ?= 3x
bench:
	$(GO) test -run '^$$' -bench . -skip '^BenchmarkStack$$' -benchmem ./...
	$(GO) test -run '^$$' -bench '^BenchmarkStack$$' -benchtime $(BENCHTIME) -timeout 30m ./cmd/berth 2>&1 | awk -f cmd/berth/testdata/benchtable.awk

clean:
	rm -rf bin

# Create busybox:latest, alpine:latest and golang:<host Go version> (and
# golang:<major.minor>) on the engine from local files, when missing, for
# machines that cannot pull: the example's Dockerfiles build FROM golang.
seed-images:
	bash examples/seed-images.sh
