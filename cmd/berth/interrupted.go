package main

import (
	"context"
	"errors"
)

// interrupted turns the end of a command that runs until Ctrl-C into exit
// code 130, without a message; other errors pass through.
func interrupted(ctx context.Context, err error) error {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return &exitError{code: 130}
	}
	return err
}
