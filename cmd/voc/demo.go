package main

import (
	"context"
	"errors"
)

// demoCmd is a placeholder until the command is built.
type demoCmd struct{ env env }

func (c *demoCmd) Run(ctx context.Context, args []string) error {
	return errors.New("not built yet")
}
