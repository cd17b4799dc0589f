package bleve

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	blv "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
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

// Search runs q. It is safe to call while WriteBatch runs; it sees the
// batches written before it started.
func (s *Sink) Search(ctx context.Context, q Query) (*Result, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if q.Size == 0 {
		q.Size = 20
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, ErrClosed
	}
	req := blv.NewSearchRequestOptions(buildQuery(q), q.Size, q.Offset, false)
	req.Fields = []string{"*"}
	req.IncludeLocations = q.Highlight
	if strings.TrimSpace(q.Text) == "" {
		req.SortBy([]string{"-" + FieldCreatedAt, "_id"})
	} else {
		req.SortBy([]string{"-_score", "-" + FieldCreatedAt, "_id"})
	}
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("bleve: search: %w", err)
	}
	out := &Result{Total: res.Total, Took: res.Took, Hits: make([]Hit, 0, len(res.Hits))}
	for _, dm := range res.Hits {
		h := Hit{ID: dm.ID, Score: dm.Score, Fields: map[string]interface{}{}}
		for k, v := range dm.Fields {
			switch k {
			case FieldText:
				h.Text, _ = v.(string)
			case FieldAgentText:
				h.AgentText, _ = v.(string)
			case FieldCreatedAt:
				h.CreatedAt = parseTime(v)
			default:
				h.Fields[k] = v
			}
		}
		if q.Highlight {
			for field, text := range map[string]string{FieldText: h.Text, FieldAgentText: h.AgentText} {
				spans := spansOf(dm.Locations[field], len(text))
				if len(spans) == 0 {
					continue
				}
				if h.Spans == nil {
					h.Spans, h.Fragments = map[string][]Span{}, map[string]string{}
				}
				h.Spans[field] = spans
				h.Fragments[field] = Fragment(text, spans, "<mark>", "</mark>", FragmentRunes)
			}
		}
		out.Hits = append(out.Hits, h)
	}
	return out, nil
}

func buildQuery(q Query) query.Query {
	var parts []query.Query
	if strings.TrimSpace(q.Text) != "" {
		match := func(field string) query.Query {
			m := blv.NewMatchQuery(q.Text)
			m.SetField(field)
			m.Analyzer = AnalyzerName
			m.SetOperator(query.MatchQueryOperatorAnd)
			return m
		}
		if q.IncludeAgent {
			parts = append(parts, blv.NewDisjunctionQuery(match(FieldText), match(FieldAgentText)))
		} else {
			parts = append(parts, match(FieldText))
		}
	}
	term := func(field, v string) {
		if v != "" {
			t := blv.NewTermQuery(v)
			t.SetField(field)
			parts = append(parts, t)
		}
	}
	term(FieldKind, q.Kind)
	term(FieldChannel, q.Channel)
	term(FieldProduct, q.Product)
	term(FieldTier, q.Tier)
	term(FieldCategories, q.Category)
	term(FieldPainPoints, q.PainPoint)
	term(FieldSentiment, q.Sentiment)
	term(FieldIntent, q.Intent)
	if !q.From.IsZero() || !q.To.IsZero() {
		incl, excl := true, false
		r := blv.NewDateRangeInclusiveQuery(q.From, q.To, &incl, &excl)
		r.SetField(FieldCreatedAt)
		parts = append(parts, r)
	}
	switch len(parts) {
	case 0:
		return blv.NewMatchAllQuery()
	case 1:
		return parts[0]
	}
	return blv.NewConjunctionQuery(parts...)
}

// spansOf merges the term locations of one field into sorted,
// non-overlapping byte spans within [0, n).
func spansOf(terms search.TermLocationMap, n int) []Span {
	var spans []Span
	for _, locs := range terms {
		for _, l := range locs {
			st, en := int(l.Start), int(l.End)
			if st < 0 || en > n || st >= en {
				continue
			}
			spans = append(spans, Span{st, en})
		}
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].Start != spans[j].Start {
			return spans[i].Start < spans[j].Start
		}
		return spans[i].End > spans[j].End
	})
	merged := spans[:0]
	for _, sp := range spans {
		if k := len(merged) - 1; k >= 0 && sp.Start <= merged[k].End {
			merged[k].End = max(merged[k].End, sp.End)
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

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
