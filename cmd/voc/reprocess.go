package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/vocproject/voc/internal/config"
	"github.com/vocproject/voc/sinks/bleve"
	"github.com/vocproject/voc/sinks/clickhouse"
)

// reprocessCmd re-tags stored feedback with the current lexicons.
type reprocessCmd struct{ env env }

// parseTime reads RFC 3339 or a date (YYYY-MM-DD, UTC).
func parseTime(flagName, v string) (time.Time, error) {
	t, err := parseDate(v, time.UTC)
	if err != nil || v == "" {
		return time.Time{}, fmt.Errorf("%w: --%s %q: want RFC 3339 or YYYY-MM-DD", errUsage, flagName, v)
	}
	return t, nil
}

func (c *reprocessCmd) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("voc reprocess", c.env, "usage: voc reprocess --from TIME --to TIME [--config FILE] [--lexicons DIR]",
		"\nRe-tags the stored feedback of a past period with the current lexicons: sentiment, intent,",
		"pain points and mentions are replaced at their Kafka positions and the hourly aggregates",
		"rebuilt; the search index (index.path, when it exists) is re-tagged too. No row is deleted:",
		"new rows replace old ones, so it is safe to interrupt and run again. Chats keep their tags",
		"(turns are not stored). The index is locked while voc run writes it: stop voc run, or pass",
		"--skip-index and re-tag the index later by running reprocess again.")
	path := fs.String("config", "", "configuration `file` (clickhouse and nlp sections are used)")
	fromS := fs.String("from", "", "start of the period (RFC 3339 or YYYY-MM-DD), rounded down to the hour")
	toS := fs.String("to", "", "end of the period, exclusive, rounded up to the hour")
	lex := fs.String("lexicons", "", "lexicon `directory` overriding nlp.lexicons")
	skipIndex := fs.Bool("skip-index", false, "leave the search index as it is")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *fromS == "" || *toS == "" {
		return fmt.Errorf("%w: --from and --to are required", errUsage)
	}
	from, err := parseTime("from", *fromS)
	if err != nil {
		return err
	}
	to, err := parseTime("to", *toS)
	if err != nil {
		return err
	}
	if !to.After(from) {
		return fmt.Errorf("%w: --to must be after --from", errUsage)
	}
	cfg, err := config.LoadFile(*path, c.env.Getenv, checkAlerts)
	if err != nil {
		return err
	}
	if *lex != "" {
		cfg.NLP.Lexicons = *lex
	}
	log := slog.New(slog.NewTextHandler(c.env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	an, holder, err := buildAnalyzer(cfg.NLP.Lexicons, cfg.NLP.Packs, nil)
	if err != nil {
		return err
	}
	ch, err := openClickHouse(ctx, cfg.ClickHouse, false, log)
	if err != nil {
		return err
	}
	defer ch.Close(context.Background())
	var opts clickhouse.ReprocessOptions
	if _, err := os.Stat(cfg.Index.Path); err == nil && !cfg.Index.Disabled && !*skipIndex {
		bleve.SetSegmenter(holder)
		idx, err := bleve.Open(bleve.Config{Path: cfg.Index.Path, BatchSize: cfg.Index.BatchSize}, log)
		if err != nil {
			return fmt.Errorf("reprocess: open the search index %s (stop voc run, or pass --skip-index): %w", cfg.Index.Path, err)
		}
		defer idx.Close(context.Background())
		opts.Index = idx.WriteBatch
	}
	start := time.Now()
	st, err := ch.Reprocess(ctx, from, to, an.Analyze, an.Version(), opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stdout, "reprocessed %d records (%d changed tags or sentiment, %d mentions) with lexicons %s in %s; %d chats kept\n",
		st.Records, st.Changed, st.Mentions, an.Version(), time.Since(start).Round(time.Millisecond), st.Chats)
	return nil
}
