package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vocproject/voc/api"
	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp/segment"
	"github.com/vocproject/voc/sinks/bleve"
	"github.com/vocproject/voc/store/search"
)

// searchCmd is "voc search": full-text search of the verbatims in the index.
type searchCmd struct{ env env }

func (c *searchCmd) Run(ctx context.Context, args []string) error {
	fl := newFlagSet("search", c.env, "usage: voc search [flags] QUERY\n\nQUERY words must all occur; an empty QUERY lists the newest matches of the filters.\n"+
		"--index reads an index directory no voc run holds; --url asks a running voc run (an index replica: index.mode replica) or voc serve,\n"+
		"with VOC_API_TOKEN as its bearer token.\n\nflags:")
	dir := fl.String("index", bleve.DefaultPath, "index directory")
	base := fl.String("url", "", "ask the index of the voc run or voc serve at this `URL` (http://host:9464) instead of reading a directory")
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
	if *base != "" {
		res, err := remoteSearch(ctx, *base, c.env.Getenv("VOC_API_TOKEN"), q)
		if err != nil {
			return err
		}
		return printHits(c.env.Stdout, res, *asJSON, *color)
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
	return printHits(c.env.Stdout, res, *asJSON, *color)
}

// printHits prints a search result: one hit per paragraph, matches
// highlighted, or JSON Lines.
func printHits(w io.Writer, res *search.Result, asJSON, color bool) error {
	if asJSON {
		if err := writeJSONLines(w, res.Hits); err != nil {
			return fmt.Errorf("write hit: %w", err)
		}
		return nil
	}
	before, after := "【", "】"
	if color {
		before, after = "\x1b[1;31m", "\x1b[0m"
	}
	fmt.Fprintf(w, "%d hits (%s)\n", res.Total, res.Took.Round(time.Microsecond))
	for _, h := range res.Hits {
		when := ""
		if !h.CreatedAt.IsZero() {
			when = h.CreatedAt.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(w, "\n%s  %s  %v  %v", h.ID, when, h.Fields[search.FieldChannel], h.Fields[search.FieldProduct])
		if s, ok := h.Fields[search.FieldSentiment]; ok {
			fmt.Fprintf(w, "  %v", s)
		}
		fmt.Fprintln(w)
		text := search.Fragment(h.Text, h.Spans[search.FieldText], before, after, search.FragmentRunes)
		fmt.Fprintf(w, "  %s\n", oneLine(text))
		if sp := h.Spans[search.FieldAgentText]; len(sp) > 0 {
			fmt.Fprintf(w, "  agent: %s\n", oneLine(search.Fragment(h.AgentText, sp, before, after, search.FragmentRunes)))
		}
	}
	return nil
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ⏎ ") }

// remoteSearch asks the /api/v1/search of a running voc run or voc serve
// (engine=index, so that every instance with an index replica answers the
// same) and converts its page to a search.Result.
func remoteSearch(ctx context.Context, base, token string, q search.Query) (*search.Result, error) {
	switch {
	case q.Kind != "":
		return nil, fmt.Errorf("%w: --kind is not available with --url", errUsage)
	case q.Category != "":
		return nil, fmt.Errorf("%w: --category is not available with --url; --pain selects by pain point", errUsage)
	case q.IncludeAgent:
		return nil, fmt.Errorf("%w: --agent is not available with --url", errUsage)
	}
	v := url.Values{"engine": {"index"}, "size": {strconv.Itoa(q.Size)}, "offset": {strconv.Itoa(q.Offset)}}
	for k, s := range map[string]string{"q": q.Text, "product": q.Product, "channel": q.Channel, "customer_tier": q.Tier,
		"category": q.PainPoint, "sentiment": q.Sentiment} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if !q.From.IsZero() {
		v.Set("from", q.From.UTC().Format(time.RFC3339))
	}
	if !q.To.IsZero() {
		v.Set("to", q.To.UTC().Format(time.RFC3339))
	}
	u := strings.TrimSuffix(base, "/") + "/api/v1/search?" + v.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: --url %q: %w", errUsage, base, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("search %s: %s: %s", base, resp.Status, strings.TrimSpace(string(body)))
	}
	var page api.SearchResponse
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return nil, fmt.Errorf("search %s: read the answer: %w", base, err)
	}
	res := &search.Result{Total: page.Total, Took: time.Since(start), Hits: make([]search.Hit, 0, len(page.Items))}
	for _, it := range page.Items {
		h := search.Hit{ID: it.ID, Score: it.Score, CreatedAt: it.CreatedAt, Text: it.Text, Fields: map[string]interface{}{
			search.FieldChannel: it.Channel, search.FieldProduct: it.Product, search.FieldKind: it.Kind,
			search.FieldSentiment: it.SentimentLabel, search.FieldTier: it.Tier, search.FieldIntent: it.Intent}}
		if spans := byteSpans(it.Text, it.Matches); len(spans) > 0 {
			h.Spans = map[string][]search.Span{search.FieldText: spans}
		}
		res.Hits = append(res.Hits, h)
	}
	return res, nil
}

// byteSpans converts the API's rune spans of text to byte spans.
func byteSpans(text string, spans []api.Span) []search.Span {
	var out []search.Span
	runes := 0
	at := make([]int, 0, len(text)+1) // byte offset of each rune, and the end
	for i := range text {
		at = append(at, i)
		runes++
	}
	at = append(at, len(text))
	for _, sp := range spans {
		if sp.Start < 0 || sp.End > runes || sp.Start >= sp.End {
			continue
		}
		out = append(out, search.Span{Start: at[sp.Start], End: at[sp.End]})
	}
	return out
}
