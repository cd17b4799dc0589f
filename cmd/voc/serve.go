package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vocproject/voc/api"
	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp/segment"
	"github.com/vocproject/voc/sinks/bleve"
	"github.com/vocproject/voc/sinks/clickhouse"
)

// serveCmd is "voc serve": the read-only API, dashboard and report.
type serveCmd struct{ env env }

// chFlags registers the ClickHouse connection flags; the password comes
// from VOC_CLICKHOUSE_PASSWORD.
func chFlags(fs *flag.FlagSet, e env) func() (clickhouse.Config, error) {
	addr := fs.String("addr", "127.0.0.1:9000", "ClickHouse native `host:port` (comma-separated for several)")
	database := fs.String("database", "voc", "database `name`")
	username := fs.String("username", "default", "ClickHouse user")
	useTLS := fs.Bool("tls", false, "connect to ClickHouse with TLS")
	return func() (clickhouse.Config, error) {
		var addrs []string
		for _, a := range strings.Split(*addr, ",") {
			if a = strings.TrimSpace(a); a != "" {
				addrs = append(addrs, a)
			}
		}
		cfg := clickhouse.Config{Addrs: addrs, Database: *database, Username: *username, TLS: *useTLS}
		if e.Getenv != nil {
			cfg.Password = e.Getenv("VOC_CLICKHOUSE_PASSWORD")
		}
		if err := cfg.Validate(); err != nil {
			return cfg, fmt.Errorf("%w: %v", errUsage, err)
		}
		return cfg, nil
	}
}

func (c *serveCmd) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("voc serve", flag.ContinueOnError)
	fs.SetOutput(c.env.Stderr)
	chConfig := chFlags(fs, c.env)
	listen := fs.String("listen", "127.0.0.1:8080", "HTTP `address`; loopback by default, a non-loopback address needs VOC_API_TOKEN")
	indexDir := fs.String("index", bleve.DefaultPath, "search index `directory` (opened read-only; skipped when missing or locked by voc run)")
	lexDir := fs.String("lexicons", "", "lexicon directory over the embedded lexicons (segmenter words for search)")
	insecure := fs.Bool("insecure-no-token", false, "allow a non-loopback --listen without VOC_API_TOKEN")
	fs.Usage = func() {
		fmt.Fprintln(c.env.Stderr, "usage: voc serve [flags]\n\nServes the read-only JSON API (/api/v1/), the dashboard (/) and the weekly report (/report).\nWith VOC_API_TOKEN set, /api/ and /report require \"Authorization: Bearer $VOC_API_TOKEN\".\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	cfg, err := chConfig()
	if err != nil {
		return err
	}
	token := ""
	if c.env.Getenv != nil {
		token = c.env.Getenv("VOC_API_TOKEN")
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return fmt.Errorf("%w: --listen %q: %v", errUsage, *listen, err)
	}
	if !isLoopback(host) && token == "" && !*insecure {
		return fmt.Errorf("%w: --listen %s is not a loopback address: set VOC_API_TOKEN (or --insecure-no-token)", errUsage, *listen)
	}
	logger := slog.New(slog.NewTextHandler(c.env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ch, err := clickhouse.Open(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer ch.Close(context.Background())
	idx := openIndexReadOnly(*indexDir, *lexDir, logger)
	if idx != nil {
		defer idx.Close(context.Background())
	}
	h, err := api.New(api.Config{CH: ch, Index: idx, Token: token, Logger: logger})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", *listen, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(c.env.Stderr, "voc serve: dashboard http://%s/  report http://%s/report\n", ln.Addr(), ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// openIndexReadOnly opens the search index when there is one; without it
// (missing, or locked by a running voc run) text search falls back to
// ClickHouse.
func openIndexReadOnly(dir, lexDir string, logger *slog.Logger) *bleve.Sink {
	if _, err := os.Stat(filepath.Join(dir, "index_meta.json")); err != nil {
		logger.Info("serve: no search index; text search uses ClickHouse", "index", dir)
		return nil
	}
	set, err := lexicons.LoadDefault(lexDir)
	if err != nil {
		logger.Warn("serve: lexicons; text search uses ClickHouse", "err", err)
		return nil
	}
	seg, err := segment.New(set.Domain)
	if err != nil {
		logger.Warn("serve: segmenter; text search uses ClickHouse", "err", err)
		return nil
	}
	bleve.SetSegmenter(segment.NewHolder(seg))
	idx, err := bleve.Open(bleve.Config{Path: dir, ReadOnly: true}, logger)
	if err != nil {
		if errors.Is(err, bleve.ErrLocked) {
			logger.Warn("serve: the index is held by a running voc run (its own HTTP server serves the API with it); text search uses ClickHouse", "index", dir)
		} else {
			logger.Warn("serve: open index; text search uses ClickHouse", "err", err)
		}
		return nil
	}
	return idx
}
