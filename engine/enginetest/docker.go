// Package enginetest helps tests that need a Docker Engine: it connects (or
// fails when BERTH_REQUIRE_DOCKER=1), and builds Berth's test image, a static
// Go program FROM scratch, through the Engine API — nothing is pulled.
package enginetest

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
)

// Docker returns a client for daemon tests. Without a daemon the test is
// skipped, unless BERTH_REQUIRE_DOCKER=1 (set by `make test`) makes it fail.
func Docker(t testing.TB) *client.Client {
	t.Helper()
	c, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err = c.Ping(ctx)
	}
	if err != nil {
		if os.Getenv("BERTH_REQUIRE_DOCKER") == "1" {
			t.Fatalf("BERTH_REQUIRE_DOCKER=1 but no Docker Engine answers: %v", err)
		}
		t.Skipf("no Docker Engine: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Image returns the tag of the test image, building it if the engine does
// not have it yet. The tag is derived from the binary's content, so a
// changed test program gets a new image and an unchanged one is built once.
func Image(t testing.TB, c *client.Client) string {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(self), "testapp")
	dir := t.TempDir()
	bin := filepath.Join(dir, "app")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test program: %v\n%s", err, out)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	tag := "berth-test/app:" + hex.EncodeToString(sum[:6])

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := c.ImageInspect(ctx, tag); err == nil {
		return tag
	}
	var ctxTar bytes.Buffer
	tw := tar.NewWriter(&ctxTar)
	dockerfile := "FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\nCMD [\"serve\"]\n"
	for _, f := range []struct {
		name string
		mode int64
		data []byte
	}{{"Dockerfile", 0o644, []byte(dockerfile)}, {"app", 0o755, data}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	resp, err := c.ImageBuild(ctx, &ctxTar, build.ImageBuildOptions{Tags: []string{tag}, Remove: true, ForceRemove: true})
	if err != nil {
		t.Fatalf("building the test image: %v", err)
	}
	defer resp.Body.Close()
	if err := buildError(resp.Body); err != nil {
		t.Fatalf("building the test image: %v", err)
	}
	return tag
}

// buildError reads a build's JSON message stream and returns the error it
// reports, if any.
func buildError(r io.Reader) error {
	dec := json.NewDecoder(r)
	var log strings.Builder
	for {
		var msg struct {
			Stream string `json:"stream"`
			Error  string `json:"error"`
		}
		if err := dec.Decode(&msg); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		log.WriteString(msg.Stream)
		if msg.Error != "" {
			return fmt.Errorf("%s\n%s", msg.Error, log.String())
		}
	}
}

// ProjectName returns a project name unique to this test and run.
func ProjectName(t testing.TB) string {
	t.Helper()
	name := strings.ToLower(t.Name())
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, name)
	if len(name) > 30 {
		name = name[:30]
	}
	return fmt.Sprintf("bt-%s-%d", strings.Trim(name, "-"), time.Now().UnixNano()%1_000_000_000)
}

// CleanupProject removes, when the test ends, every container, network and
// volume labelled with project, whatever the test left behind.
func CleanupProject(t testing.TB, c *client.Client, project string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		f := filters.NewArgs(filters.Arg("label", "com.docker.compose.project="+project))
		cs, err := c.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
		if err != nil {
			t.Errorf("cleanup: listing containers: %v", err)
		}
		for _, ctr := range cs {
			if err := c.ContainerRemove(ctx, ctr.ID, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
				t.Errorf("cleanup: removing container %s: %v", ctr.ID[:12], err)
			}
		}
		ns, _ := c.NetworkList(ctx, network.ListOptions{Filters: f})
		for _, n := range ns {
			// Engine 20.10 sometimes keeps counting an endpoint of a
			// container removed a moment ago: retry that for a while, and if
			// the engine still refuses, say so without failing the test
			// (only restarting dockerd clears such a network)
			deadline := time.Now().Add(10 * time.Second)
			for {
				err := c.NetworkRemove(ctx, n.ID)
				if err == nil {
					break
				}
				if !strings.Contains(err.Error(), "active endpoints") {
					t.Errorf("cleanup: removing network %s: %v", n.Name, err)
					break
				}
				if time.Now().After(deadline) {
					t.Logf("cleanup: the engine keeps network %s (stale endpoint, an engine bug): %v", n.Name, err)
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
		vs, _ := c.VolumeList(ctx, volume.ListOptions{Filters: f})
		for _, v := range vs.Volumes {
			if err := c.VolumeRemove(ctx, v.Name, true); err != nil {
				t.Errorf("cleanup: removing volume %s: %v", v.Name, err)
			}
		}
	})
}

// Exec runs cmd in container and returns its exit code and output.
func Exec(t testing.TB, c *client.Client, ctr string, cmd ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	created, err := c.ContainerExecCreate(ctx, ctr, container.ExecOptions{Cmd: cmd, AttachStdout: true, AttachStderr: true})
	if err != nil {
		t.Fatalf("exec in %s: %v", ctr, err)
	}
	att, err := c.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		t.Fatalf("exec in %s: %v", ctr, err)
	}
	defer att.Close()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, att.Reader); err != nil {
		t.Fatalf("exec in %s: reading output: %v", ctr, err)
	}
	ins, err := c.ContainerExecInspect(ctx, created.ID)
	if err != nil {
		t.Fatalf("exec in %s: %v", ctr, err)
	}
	return ins.ExitCode, out.String()
}
