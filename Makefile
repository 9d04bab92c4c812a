# Berth's build. `make demo` runs the example stack, `make test` runs every
# test (the Docker Engine must answer: daemon tests fail rather than skip).

GO            ?= go
VERSION       ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS       := -X main.version=$(VERSION)
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME      ?= 30s
EXAMPLE       := examples/microservices/compose.yaml

.PHONY: all build test lint fuzz demo bench clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/berth ./cmd/berth

test:
	$(GO) vet ./...
	BERTH_REQUIRE_DOCKER=1 $(GO) test -race -count=1 -timeout 14m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# Fuzz project.Load on YAML bytes for a bounded time (FUZZTIME=2m make fuzz).
fuzz:
	$(GO) test ./project -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME)

# Until the engine lands, the demo shows the example stack as Berth reads it.
demo: build
	./bin/berth -f $(EXAMPLE) config --services
	./bin/berth -f $(EXAMPLE) config

# Benchmarks (reconcile benchmarks arrive with the engine).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
