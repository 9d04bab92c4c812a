package docker

import (
	"context"
	"testing"
	"time"

	"github.com/docker/docker/api/types/versions"

	"github.com/berth-dev/berth/engine/enginetest"
)

// connect returns a Berth client for daemon tests; enginetest.Docker applies
// the policy (fail under BERTH_REQUIRE_DOCKER=1, skip otherwise) first.
func connect(t *testing.T) *Client {
	t.Helper()
	enginetest.Docker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Connect(ctx)
	if err != nil {
		t.Fatalf("the engine answers the SDK but not Connect: %v", err)
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
