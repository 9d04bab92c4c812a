package main

import (
	"context"
	"errors"
)

// exitInterrupted turns err, when it only says that ctx was interrupted
// (Ctrl-C or SIGTERM ended it), into exit code 130 without a message;
// other errors pass through.
func exitInterrupted(ctx context.Context, err error) error {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return &exitError{code: 130}
	}
	return err
}
