package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/vocproject/voc/alerts"
	"github.com/vocproject/voc/internal/config"
	"github.com/vocproject/voc/pipeline"
)

// runCmd is the daemon: consume Kafka, analyse, write to ClickHouse and the
// search index, dead-letter what cannot be processed.
type runCmd struct{ env env }

func (c *runCmd) Run(ctx context.Context, args []string) error {
	usage := []string{
		"usage: voc run [--config FILE] [--migrate=false] [--check-config]",
		"\nConsumes the Kafka topics, analyses each message and writes ClickHouse and the search index.",
		"SIGHUP or POST /admin/reload reloads the lexicons; SIGINT/SIGTERM drain and stop (a second one exits at once).",
		"\nEnvironment overrides:",
	}
	for _, e := range config.Env {
		usage = append(usage, fmt.Sprintf("  %-24s %s", e.Name, e.Field))
	}
	fs := newFlagSet("voc run", c.env, append(usage, "")...)
	path := fs.String("config", "", "configuration `file` (YAML); default: built-in defaults and VOC_* variables")
	migrate := fs.Bool("migrate", true, "create or upgrade the ClickHouse tables at start (idempotent)")
	check := fs.Bool("check-config", false, "validate the configuration, print it and exit")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	cfg, err := config.LoadFile(*path, c.env.Getenv, checkAlerts)
	if err != nil {
		return err
	}
	if *check {
		fmt.Fprintf(c.env.Stdout, "configuration is valid\nkafka: brokers %v topics %v group %s dead letters %s\nclickhouse: %v database %s\nindex: %s (disabled %v, mode %s)\nhttp: %s\n",
			cfg.Kafka.Brokers, cfg.Kafka.Topics, cfg.Kafka.GroupID, cfg.Kafka.DeadLetterTopic,
			cfg.ClickHouse.Addrs, cfg.ClickHouse.Database, cfg.Index.Path, cfg.Index.Disabled, cfg.Index.Mode, cfg.HTTP.Listen)
		return nil
	}
	log := newLogger(c.env.Stderr, cfg.Log)
	if cfg.MemoryLimitMB > 0 && c.env.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(cfg.MemoryLimitMB) << 20)
	}
	d, err := startDaemon(ctx, cfg, *migrate, log)
	if err != nil {
		return err
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				d.nlp.reload()
			}
		}
	}()
	runErr := d.Run(ctx)
	if errors.Is(runErr, pipeline.ErrPermanent) {
		// Not ready, the endpoints up, until stopped: a restart cannot
		// fix a permanent error, and the metrics and the dashboard stay
		// readable meanwhile.
		<-ctx.Done()
	}
	closeErr := d.Close()
	if runErr != nil {
		return runErr
	}
	if closeErr != nil {
		return fmt.Errorf("shutdown: %w", closeErr)
	}
	log.Info("voc run: stopped cleanly")
	return nil
}

// checkAlerts validates the alerts section of voc's configuration, which
// package config carries without reading.
func checkAlerts(c *config.Config) error {
	_, err := alerts.FromNode(&c.Alerts)
	return err
}
