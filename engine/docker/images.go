package docker

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/docker/docker/api/types/image"
)

// Pull pulls ref, passing the registry's progress messages to log. Without
// a reachable registry the error says which image could not be pulled and
// what to do instead.
func (c *Client) Pull(ctx context.Context, service, ref string, log func(string)) error {
	rc, err := c.api.ImagePull(ctx, familiar(ref), image.PullOptions{})
	if err != nil {
		return pullError(service, ref, err)
	}
	defer rc.Close()
	if err := readJSONMessages(rc, log); err != nil {
		return pullError(service, ref, err)
	}
	return nil
}

func pullError(service, ref string, err error) error {
	return fmt.Errorf("service %q: could not pull image %s: %w; if no registry is reachable, build it (a build: section and `berth up --build`) or load it with `docker load`", service, ref, err)
}

// readJSONMessages reads the engine's JSON message stream (pull and build
// output), passing status and stream text to log line by line, and returns
// the error the stream reports, if any.
func readJSONMessages(r io.Reader, log func(string)) error {
	dec := json.NewDecoder(bufio.NewReader(r))
	for {
		var msg struct {
			Stream      string `json:"stream"`
			Status      string `json:"status"`
			ID          string `json:"id"`
			Error       string `json:"error"`
			ErrorDetail struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&msg); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading the engine's messages: %w", err)
		}
		if msg.Error != "" || msg.ErrorDetail.Message != "" {
			text := msg.ErrorDetail.Message
			if text == "" {
				text = msg.Error
			}
			return fmt.Errorf("%s", text)
		}
		if log == nil {
			continue
		}
		text := msg.Stream
		if text == "" && msg.Status != "" {
			text = strings.TrimSpace(msg.ID + " " + msg.Status)
		}
		for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
			if line != "" {
				log(line)
			}
		}
	}
}

// Tag gives image id the reference ref as well.
func (c *Client) Tag(ctx context.Context, id, ref string) error {
	if err := c.api.ImageTag(ctx, id, ref); err != nil {
		return fmt.Errorf("tagging %s as %s: %w", id, ref, err)
	}
	return nil
}
