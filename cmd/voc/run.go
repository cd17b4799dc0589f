package main

import (
	"context"
	"errors"
)

// runCmd is a placeholder until the command is built.
type runCmd struct{ env env }

func (c *runCmd) Run(ctx context.Context, args []string) error {
	return errors.New("not built yet")
}
