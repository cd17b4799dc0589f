package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp/segment"
	"github.com/vocproject/voc/sinks/bleve"
	"github.com/vocproject/voc/store/search"
)

// searchCmd is "voc search": full-text search of the verbatims in the index.
type searchCmd struct{ env env }

func (c *searchCmd) Run(ctx context.Context, args []string) error {
	fl := newFlagSet("search", c.env, "usage: voc search [flags] QUERY\n\nQUERY words must all occur; an empty QUERY lists the newest matches of the filters.\n\nflags:")
	dir := fl.String("index", bleve.DefaultPath, "index directory")
	lexDir := fl.String("lexicons", "", "lexicon directory over the embedded lexicons (domain words for the segmenter)")
	var q search.Query
	fl.StringVar(&q.Channel, "channel", "", "only this channel")
	fl.StringVar(&q.Product, "product", "", "only this product")
	fl.StringVar(&q.Tier, "tier", "", "only this customer tier")
	fl.StringVar(&q.Kind, "kind", "", "only this kind (review, chat, call, email, survey)")
	fl.StringVar(&q.Category, "category", "", "only texts with an aspect of this category (物流 or 物流/配送慢)")
	fl.StringVar(&q.PainPoint, "pain", "", "only texts with this pain point (物流 or 物流/配送慢)")
	fl.StringVar(&q.Sentiment, "sentiment", "", "only positive, negative or neutral texts")
	from := fl.String("from", "", "created at or after (RFC 3339 or 2006-01-02)")
	to := fl.String("to", "", "created before (RFC 3339 or 2006-01-02)")
	fl.IntVar(&q.Size, "n", 20, "number of hits")
	fl.IntVar(&q.Offset, "offset", 0, "skip this many hits")
	fl.BoolVar(&q.IncludeAgent, "agent", false, "also search the agent turns of chats")
	asJSON := fl.Bool("json", false, "print hits as JSON Lines")
	color := fl.Bool("color", false, "highlight with terminal colours instead of 【】")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	q.Text = strings.Join(fl.Args(), " ")
	q.Highlight = true
	var err error
	if q.From, err = parseDateFlag("from", *from, time.Local); err != nil {
		return err
	}
	if q.To, err = parseDateFlag("to", *to, time.Local); err != nil {
		return err
	}
	if err := q.Validate(); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if _, err := os.Stat(filepath.Join(*dir, "index_meta.json")); err != nil {
		return fmt.Errorf("open index %s: no index there (run voc run or voc demo first): %w", *dir, err)
	}

	set, err := lexicons.LoadDefault(*lexDir)
	if err != nil {
		return fmt.Errorf("load lexicons: %w", err)
	}
	seg, err := segment.New(set.Domain)
	if err != nil {
		return err
	}
	bleve.SetSegmenter(segment.NewHolder(seg))
	logger := slog.New(slog.NewTextHandler(c.env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	idx, err := bleve.Open(bleve.Config{Path: *dir, ReadOnly: true}, logger)
	if err != nil {
		return err
	}
	defer idx.Close(context.Background())
	res, err := idx.Search(ctx, q)
	if err != nil {
		return err
	}

	if *asJSON {
		if err := writeJSONLines(c.env.Stdout, res.Hits); err != nil {
			return fmt.Errorf("write hit: %w", err)
		}
		return nil
	}
	before, after := "【", "】"
	if *color {
		before, after = "\x1b[1;31m", "\x1b[0m"
	}
	fmt.Fprintf(c.env.Stdout, "%d hits (%s)\n", res.Total, res.Took.Round(time.Microsecond))
	for _, h := range res.Hits {
		when := ""
		if !h.CreatedAt.IsZero() {
			when = h.CreatedAt.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(c.env.Stdout, "\n%s  %s  %v  %v", h.ID, when, h.Fields[search.FieldChannel], h.Fields[search.FieldProduct])
		if s, ok := h.Fields[search.FieldSentiment]; ok {
			fmt.Fprintf(c.env.Stdout, "  %v", s)
		}
		fmt.Fprintln(c.env.Stdout)
		text := search.Fragment(h.Text, h.Spans[search.FieldText], before, after, search.FragmentRunes)
		fmt.Fprintf(c.env.Stdout, "  %s\n", oneLine(text))
		if sp := h.Spans[search.FieldAgentText]; len(sp) > 0 {
			fmt.Fprintf(c.env.Stdout, "  agent: %s\n", oneLine(search.Fragment(h.AgentText, sp, before, after, search.FragmentRunes)))
		}
	}
	return nil
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ⏎ ") }
