package bleve

import (
	"context"
	"fmt"
	"sort"
	"strings"

	blv "github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/vocproject/voc/store/search"
)

// Search runs q. It is safe to call while WriteBatch runs; it sees the
// batches written before it started.
func (s *Sink) Search(ctx context.Context, q search.Query) (*search.Result, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if q.Size == 0 {
		q.Size = 20
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, search.ErrClosed
	}
	req := blv.NewSearchRequestOptions(buildQuery(q), q.Size, q.Offset, false)
	req.Fields = []string{"*"}
	req.IncludeLocations = q.Highlight
	if strings.TrimSpace(q.Text) == "" {
		req.SortBy([]string{"-" + search.FieldCreatedAt, "_id"})
	} else {
		req.SortBy([]string{"-_score", "-" + search.FieldCreatedAt, "_id"})
	}
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("bleve: search: %w", err)
	}
	out := &search.Result{Total: res.Total, Took: res.Took, Hits: make([]search.Hit, 0, len(res.Hits))}
	for _, dm := range res.Hits {
		h := search.Hit{ID: dm.ID, Score: dm.Score, Fields: map[string]interface{}{}}
		for k, v := range dm.Fields {
			switch k {
			case search.FieldText:
				h.Text, _ = v.(string)
			case search.FieldAgentText:
				h.AgentText, _ = v.(string)
			case search.FieldCreatedAt:
				h.CreatedAt = parseTime(v)
			default:
				h.Fields[k] = v
			}
		}
		if q.Highlight {
			for field, text := range map[string]string{search.FieldText: h.Text, search.FieldAgentText: h.AgentText} {
				spans := spansOf(dm.Locations[field], len(text))
				if len(spans) == 0 {
					continue
				}
				if h.Spans == nil {
					h.Spans, h.Fragments = map[string][]search.Span{}, map[string]string{}
				}
				h.Spans[field] = spans
				h.Fragments[field] = search.Fragment(text, spans, "<mark>", "</mark>", search.FragmentRunes)
			}
		}
		out.Hits = append(out.Hits, h)
	}
	return out, nil
}

func buildQuery(q search.Query) query.Query {
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
			parts = append(parts, blv.NewDisjunctionQuery(match(search.FieldText), match(search.FieldAgentText)))
		} else {
			parts = append(parts, match(search.FieldText))
		}
	}
	term := func(field, v string) {
		if v != "" {
			t := blv.NewTermQuery(v)
			t.SetField(field)
			parts = append(parts, t)
		}
	}
	term(search.FieldKind, q.Kind)
	term(search.FieldChannel, q.Channel)
	term(search.FieldProduct, q.Product)
	term(search.FieldTier, q.Tier)
	term(search.FieldCategories, q.Category)
	term(search.FieldPainPoints, q.PainPoint)
	term(search.FieldSentiment, q.Sentiment)
	term(search.FieldIntent, q.Intent)
	if !q.From.IsZero() || !q.To.IsZero() {
		incl, excl := true, false
		r := blv.NewDateRangeInclusiveQuery(q.From, q.To, &incl, &excl)
		r.SetField(search.FieldCreatedAt)
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
func spansOf(terms bsearch.TermLocationMap, n int) []search.Span {
	var spans []search.Span
	for _, locs := range terms {
		for _, l := range locs {
			st, en := int(l.Start), int(l.End)
			if st < 0 || en > n || st >= en {
				continue
			}
			spans = append(spans, search.Span{Start: st, End: en})
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
