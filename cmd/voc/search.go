package main

import (
	"context"
	"errors"
)

// searchCmd is a placeholder until the command is built.
type searchCmd struct{ env env }

func (c *searchCmd) Run(ctx context.Context, args []string) error {
	return errors.New("not built yet")
}
