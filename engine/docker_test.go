package engine

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/docker/docker/api/types/versions"
)

// connect returns a client for daemon tests. Without a daemon the test is
// skipped, unless BERTH_REQUIRE_DOCKER=1 (set by `make test`) makes it fail.
func connect(t *testing.T) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Connect(ctx)
	if err != nil {
		if os.Getenv("BERTH_REQUIRE_DOCKER") == "1" {
			t.Fatalf("BERTH_REQUIRE_DOCKER=1 but no Docker Engine answers: %v", err)
		}
		t.Skipf("no Docker Engine: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestConnectNegotiatesAPIVersion(t *testing.T) {
	c := connect(t)
	if c.APIVersion == "" {
		t.Fatal("no API version negotiated")
	}
	// the engines Berth supports speak at least API 1.41
	if versions.LessThan(c.APIVersion, "1.41") {
		t.Fatalf("negotiated API %s, want 1.41 or later", c.APIVersion)
	}
}
