package main

import (
	"context"
	"errors"
)

// lexiconCmd is a placeholder until the command is built.
type lexiconCmd struct{ env env }

func (c *lexiconCmd) Run(ctx context.Context, args []string) error {
	return errors.New("not built yet")
}
