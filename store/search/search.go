// Package search is the query side of voc's full-text index: the Query a
// search asks, the Result and Hits it gets, the names of the indexed
// fields, Fragment for highlighting, and Searcher, what answers a Query.
// The index itself, which writes the documents and answers searches, is
// sinks/bleve; the HTTP API, voc search and voc demo use this package so
// that they need no sink.
package search

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Searcher answers searches: sinks/bleve's index.
type Searcher interface {
	Search(ctx context.Context, q Query) (*Result, error)
}

// ErrClosed is returned by calls on a closed index.
var ErrClosed = errors.New("bleve: sink is closed")

// Fields of an indexed document (the mapping is sinks/bleve's NewMapping).
const (
	FieldText       = "text"       // customer text, voc_zh, stored, term vectors
	FieldAgentText  = "agent_text" // agent turns of a chat, voc_zh, stored
	FieldKind       = "kind"
	FieldChannel    = "channel"
	FieldProduct    = "product"
	FieldTier       = "customer_tier"
	FieldRegion     = "region"
	FieldIntent     = "intent"
	FieldSentiment  = "sentiment" // label: positive, negative, neutral
	FieldCategories = "categories"
	FieldPainPoints = "pain_points"
	FieldPII        = "pii"
	FieldLexicon    = "lexicon_version"
	FieldCreatedAt  = "created_at"      // datetime
	FieldScore      = "sentiment_score" // numeric
	FieldRating     = "rating"          // numeric
	FieldCSAT       = "csat"            // numeric
	FieldNPS        = "nps"             // numeric
	FieldEscalation = "escalation"      // boolean
)

// Query is a search of the index. Every set field narrows the result.
type Query struct {
	// Text is matched against the customer text with the voc_zh analyzer;
	// every word of it must occur (AND). Empty matches every document, and
	// hits then come newest first.
	Text string
	// IncludeAgent also matches Text against the agent turns of chats.
	IncludeAgent bool

	Kind      string // exact kind (review, chat, ...)
	Channel   string // exact channel
	Product   string // exact product
	Tier      string // exact customer tier
	Category  string // aspect category, e.g. 物流 or 物流/配送慢, any polarity
	PainPoint string // negative aspect, e.g. 物流 or 物流/配送慢
	Sentiment string // positive, negative or neutral
	Intent    string // exact intent

	// From and To bound created_at: From <= created_at < To. Zero is open.
	From, To time.Time

	// Size is the number of hits to return (default 20, at most MaxSize);
	// Offset skips the first hits.
	Size, Offset int

	// Highlight fills Hit.Spans and Hit.Fragments.
	Highlight bool
}

// MaxSize is the largest Query.Size.
const MaxSize = 10000

// Validate reports a bad field.
func (q Query) Validate() error {
	switch q.Sentiment {
	case "", "positive", "negative", "neutral":
	default:
		return fmt.Errorf("bleve: query: sentiment %q is not positive, negative or neutral", q.Sentiment)
	}
	if q.Size < 0 || q.Size > MaxSize {
		return fmt.Errorf("bleve: query: size %d is outside 0-%d", q.Size, MaxSize)
	}
	if q.Offset < 0 {
		return fmt.Errorf("bleve: query: offset %d is negative", q.Offset)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return fmt.Errorf("bleve: query: from %s is not before to %s", q.From.Format(time.RFC3339), q.To.Format(time.RFC3339))
	}
	return nil
}

// Span is a highlighted range [Start, End) of byte offsets into a text.
type Span struct{ Start, End int }

// Hit is one matching document.
type Hit struct {
	ID        string    `json:"id"`
	Score     float64   `json:"score"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	Text      string    `json:"text"`
	AgentText string    `json:"agent_text,omitempty"`
	// Fields holds the other stored fields (channel, product, rating, ...).
	Fields map[string]interface{} `json:"fields,omitempty"`
	// Spans are the matched ranges of Text and of AgentText (key
	// "agent_text"), sorted and merged, when Query.Highlight is set.
	Spans map[string][]Span `json:"spans,omitempty"`
	// Fragments are the highlighted texts, matches in <mark></mark>, keyed
	// like Spans.
	Fragments map[string]string `json:"fragments,omitempty"`
}

// Result is the answer to a Query.
type Result struct {
	Total uint64        `json:"total"` // matching documents, not only those in Hits
	Took  time.Duration `json:"took"`
	Hits  []Hit         `json:"hits"`
}

// FragmentRunes is the longest fragment in Hit.Fragments, in runes.
const FragmentRunes = 160

// Fragment returns text with every span wrapped in before and after. When
// text is longer than maxRunes runes (maxRunes > 0), only a window of
// maxRunes runes around the first span is kept, with "…" marking the cuts.
// Spans must be sorted, non-overlapping byte ranges of text, as in Hit.Spans.
func Fragment(text string, spans []Span, before, after string, maxRunes int) string {
	from, to := 0, len(text)
	if maxRunes > 0 && utf8.RuneCountInString(text) > maxRunes {
		anchor := 0
		if len(spans) > 0 {
			anchor = spans[0].Start
		}
		// back up to 20 runes before the first match
		from = anchor
		for i := 0; i < 20 && from > 0; i++ {
			_, size := utf8.DecodeLastRuneInString(text[:from])
			from -= size
		}
		to = from
		for i := 0; i < maxRunes && to < len(text); i++ {
			_, size := utf8.DecodeRuneInString(text[to:])
			to += size
		}
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	cur := from
	for _, sp := range spans {
		st, en := max(sp.Start, cur), min(sp.End, to)
		if st >= en {
			continue
		}
		b.WriteString(text[cur:st])
		b.WriteString(before)
		b.WriteString(text[st:en])
		b.WriteString(after)
		cur = en
	}
	b.WriteString(text[cur:to])
	if to < len(text) {
		b.WriteString("…")
	}
	return b.String()
}
