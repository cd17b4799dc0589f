package main

import (
	"context"
	"errors"
)

// analyzeCmd is a placeholder until the command is built.
type analyzeCmd struct{ env env }

func (c *analyzeCmd) Run(ctx context.Context, args []string) error {
	return errors.New("not built yet")
}
