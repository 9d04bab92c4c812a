package engine

import (
	"context"
	"fmt"
)

// Committer is what `berth commit` needs from the engine.
type Committer interface {
	Containers
	// Commit creates an image from the container's changes and returns
	// its ID.
	Commit(ctx context.Context, container string, spec CommitSpec) (string, error)
}

// CommitSpec is the image Commit creates.
type CommitSpec struct {
	// Reference names the image (REPOSITORY[:TAG]); empty leaves it
	// untagged.
	Reference string
	Author    string
	Message   string
	// Changes are Dockerfile instructions applied to the image (-c).
	Changes []string
	// Pause pauses the container while it is committed.
	Pause bool
}

// CommitOptions are what Commit does.
type CommitOptions struct {
	Service string
	// Index picks the service's container with this number (0: the
	// first running one).
	Index int
	Spec  CommitSpec
	// DryRun finds the container and says what would be committed,
	// returning no ID.
	DryRun bool
}

// Commit creates an image from the changes of a running container of the
// service (of the project named projectName) and returns the image's ID.
func Commit(ctx context.Context, c Committer, projectName string, o CommitOptions, sink Sink) (string, error) {
	ctr, err := RunningContainer(ctx, c, projectName, o.Service, o.Index)
	if err != nil {
		return "", err
	}
	if o.DryRun {
		Emit(sink, Info, fmt.Sprintf("Would commit %s", ctr.Name))
		return "", nil
	}
	id, err := c.Commit(ctx, ctr.Name, o.Spec)
	if err != nil {
		return "", err
	}
	Emit(sink, Info, fmt.Sprintf("Committed %s as %s", ctr.Name, id))
	return id, nil
}
