package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/vocproject/voc/store/ch"
)

// migrateCmd creates or upgrades the ClickHouse database and tables.
type migrateCmd struct{ env env }

// migrateFlags parses the command line of `voc migrate` into a sink
// config. The password comes from VOC_CLICKHOUSE_PASSWORD, not a flag, so
// that it does not show in the process list.
func migrateFlags(args []string, e env) (ch.Config, time.Duration, error) {
	fs := newFlagSet("voc migrate", e,
		"usage: voc migrate [--addr HOST:PORT] [--database NAME] [--cluster NAME [--distributed]]",
		"\nCreates or upgrades voc's ClickHouse schema and prints its version. The password is read from VOC_CLICKHOUSE_PASSWORD.")
	addr := fs.String("addr", "127.0.0.1:9000", "ClickHouse native `host:port` (comma-separated for several)")
	database := fs.String("database", "voc", "database `name`")
	username := fs.String("username", "default", "ClickHouse user")
	cluster := fs.String("cluster", "", "run DDL ON CLUSTER `name`")
	distributed := fs.Bool("distributed", false, "with --cluster: Replicated *_local tables behind Distributed tables")
	useTLS := fs.Bool("tls", false, "connect with TLS")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	if err := parseNoArgs(fs, args); err != nil {
		return ch.Config{}, 0, err
	}
	if *timeout <= 0 {
		return ch.Config{}, 0, fmt.Errorf("%w: --timeout must be positive", errUsage)
	}
	var addrs []string
	for _, a := range strings.Split(*addr, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	cfg := ch.Config{
		Addrs:       addrs,
		Database:    *database,
		Username:    *username,
		Cluster:     *cluster,
		Distributed: *distributed,
		TLS:         *useTLS,
	}
	if e.Getenv != nil {
		cfg.Password = e.Getenv("VOC_CLICKHOUSE_PASSWORD")
	}
	if err := cfg.Validate(); err != nil {
		return ch.Config{}, 0, fmt.Errorf("%w: %v", errUsage, err)
	}
	return cfg, *timeout, nil
}

func (c *migrateCmd) Run(ctx context.Context, args []string) error {
	cfg, timeout, err := migrateFlags(args, c.env)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(c.env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return migrate(ctx, cfg, logger, c.env)
}

// migrate applies the migrations and prints the resulting version.
func migrate(ctx context.Context, cfg ch.Config, logger *slog.Logger, e env) error {
	s, err := ch.Open(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer s.Close()
	before, err := s.SchemaVersion(ctx)
	if err != nil {
		before = 0 // no schema_migrations table yet
	}
	if err := s.Migrate(ctx); err != nil {
		return err
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if v == before {
		fmt.Fprintf(e.Stdout, "schema version %d (up to date)\n", v)
	} else {
		fmt.Fprintf(e.Stdout, "schema version %d (was %d)\n", v, before)
	}
	return nil
}
