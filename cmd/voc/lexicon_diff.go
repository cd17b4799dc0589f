package main

import (
	"context"
	"errors"
)

func (c *lexiconCmd) diff(ctx context.Context, args []string) error {
	return errors.New("diff: not implemented yet")
}

func (c *lexiconCmd) suggest(ctx context.Context, args []string) error {
	return errors.New("suggest: not implemented yet")
}
