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
	"github.com/vocproject/voc/internal/config"
	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp/segment"
	"github.com/vocproject/voc/sinks/bleve"
	"github.com/vocproject/voc/store/ch"
	"github.com/vocproject/voc/store/ch/query"
	"github.com/vocproject/voc/store/search"
)

// serveCmd is "voc serve": the read-only API, dashboard and report.
type serveCmd struct{ env env }

// chFlags registers the ClickHouse connection flags; the password comes
// from VOC_CLICKHOUSE_PASSWORD.
func chFlags(fs *flag.FlagSet, e env) func() (ch.Config, error) {
	addr := fs.String("addr", "127.0.0.1:9000", "ClickHouse native `host:port` (comma-separated for several)")
	database := fs.String("database", "voc", "database `name`")
	username := fs.String("username", "default", "ClickHouse user")
	useTLS := fs.Bool("tls", false, "connect to ClickHouse with TLS")
	return func() (ch.Config, error) {
		var addrs []string
		for _, a := range strings.Split(*addr, ",") {
			if a = strings.TrimSpace(a); a != "" {
				addrs = append(addrs, a)
			}
		}
		cfg := ch.Config{Addrs: addrs, Database: *database, Username: *username, TLS: *useTLS}
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
	fs := newFlagSet("voc serve", c.env, "usage: voc serve [flags]\n\nServes the read-only JSON API (/api/v1/), the dashboard (/) and the weekly report (/report).\n"+
		"With VOC_API_TOKEN set (at least 16 printable ASCII characters), /api/ and /report require \"Authorization: Bearer $VOC_API_TOKEN\";\n"+
		"without it, a loopback --listen answers only loopback Host names (localhost, 127.0.0.1, [::1]). See SECURITY.md.\n\nflags:")
	chConfig := chFlags(fs, c.env)
	listen := fs.String("listen", "127.0.0.1:8080", "HTTP `address`; loopback by default, a non-loopback address needs VOC_API_TOKEN")
	indexDir := fs.String("index", bleve.DefaultPath, "search index `directory` (opened read-only; skipped when missing or locked by voc run)")
	lexDir := fs.String("lexicons", "", "lexicon directory over the embedded lexicons (segmenter words for search)")
	insecure := fs.Bool("insecure-no-token", false, "allow a non-loopback --listen without VOC_API_TOKEN")
	apiTimeout := fs.Duration("api-timeout", api.DefaultQueryTimeout, "longest an API request may query (then 504)")
	reportTimeout := fs.Duration("report-timeout", api.DefaultReportTimeout, "longest a /report may take (then 504)")
	maxConcurrent := fs.Int("max-concurrent", api.DefaultMaxConcurrent, "API requests and reports in progress at most; beyond, 503 with Retry-After")
	tz := fs.String("tz", query.DefaultZone, "IANA time `zone` whose days the dashboard, API and report count in (whole-hour offsets)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	zone, err := tzFlag(*tz)
	if err != nil {
		return err
	}
	cfg, err := chConfig()
	if err != nil {
		return err
	}
	token := ""
	if c.env.Getenv != nil {
		token = c.env.Getenv("VOC_API_TOKEN")
	}
	if token != "" {
		if err := config.CheckToken(token); err != nil {
			return fmt.Errorf("%w: VOC_API_TOKEN %v", errUsage, err)
		}
	}
	if *apiTimeout <= 0 || *reportTimeout <= 0 || *maxConcurrent <= 0 {
		return fmt.Errorf("%w: --api-timeout, --report-timeout and --max-concurrent must be positive", errUsage)
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return fmt.Errorf("%w: --listen %q: %v", errUsage, *listen, err)
	}
	if !api.IsLoopback(host) && token == "" && !*insecure {
		return fmt.Errorf("%w: --listen %s is not a loopback address: set VOC_API_TOKEN (or --insecure-no-token)", errUsage, *listen)
	}
	logger := slog.New(slog.NewTextHandler(c.env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ch, err := query.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer ch.Close()
	idx := openIndexReadOnly(*indexDir, *lexDir, logger)
	if idx != nil {
		defer idx.Close(context.Background())
	}
	h, err := api.New(api.Config{CH: ch, Index: searcher(idx), Token: token, Logger: logger, Zone: zone,
		QueryTimeout: *apiTimeout, ReportTimeout: *reportTimeout, MaxConcurrent: *maxConcurrent})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", *listen, err)
	}
	srv := &http.Server{Handler: api.CheckHost(h, *listen, token), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: *reportTimeout + 30*time.Second, IdleTimeout: 2 * time.Minute}
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

// tzFlag loads the zone of a --tz flag.
func tzFlag(name string) (*time.Location, error) {
	loc, err := query.LoadZone(name)
	if err != nil {
		return nil, fmt.Errorf("%w: --tz: %v", errUsage, err)
	}
	return loc, nil
}

// searcher is idx as the API's index: none when no index is open (a nil
// *bleve.Sink in the interface would not be nil).
func searcher(idx *bleve.Sink) search.Searcher {
	if idx == nil {
		return nil
	}
	return idx
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
