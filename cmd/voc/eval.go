package main

import (
	"context"
	"errors"
)

// evalCmd is a placeholder until the command is built.
type evalCmd struct{ env env }

func (c *evalCmd) Run(ctx context.Context, args []string) error {
	return errors.New("not built yet")
}
