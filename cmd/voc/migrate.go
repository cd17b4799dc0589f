package main

import (
	"context"
	"errors"
)

// migrateCmd is a placeholder until the command is built.
type migrateCmd struct{ env env }

func (c *migrateCmd) Run(ctx context.Context, args []string) error {
	return errors.New("not built yet")
}
