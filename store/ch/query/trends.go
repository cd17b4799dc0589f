package query

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vocproject/voc/store/ch"
)

// Time series and period comparisons of pain points.

// TrendPoint is one bucket of a time series.
type TrendPoint struct {
	// Time starts the bucket, in the filter's zone.
	Time time.Time `json:"time"`
	// Records is the number of records: all records, or for a pain point
	// the records with it as a pain point.
	Records uint64 `json:"records"`
	// Negative: negative records; for a pain point, its negative mentions.
	Negative uint64 `json:"negative"`
	// NegativeShare is Negative/Records; for a pain point the share of its
	// volume that is negative: of a category, all its customer aspect rows
	// (pain, praise, neutral opinions and topic mentions: its topic
	// volume); of a category/subcategory, its opinions of any polarity.
	NegativeShare float64 `json:"negative_share"`
	// AvgSentiment is the mean sentiment of the records counted.
	AvgSentiment float64 `json:"avg_sentiment"`
}

// Series is a named time series.
type Series struct {
	Key    string       `json:"key"` // "total" or category/subcategory
	Points []TrendPoint `json:"points"`
}

// Trend returns the volume, negative share and mean sentiment per bucket
// of all records matching f (f.Category narrows to records with that pain
// point). Empty buckets are absent.
func (s *Store) Trend(ctx context.Context, f Filter, g Granularity) ([]TrendPoint, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if f.Category != "" {
		series, err := s.PainTrends(ctx, f, g, []string{painKey(f.Category, f.Subcategory)})
		if err != nil || len(series) == 0 {
			return nil, err
		}
		return series[0].Points, nil
	}
	src := s.feedbackSource(f)
	b, err := g.bucket(src.time, f.zone())
	if err != nil {
		return nil, err
	}
	where, args := src.conds(f, f.From, f.To, false)
	q := fmt.Sprintf(`SELECT %s AS t, sum(%s) AS r, sum(%s) AS n, sum(%s) AS ss FROM %s %s %s GROUP BY t ORDER BY t`,
		b, src.m["records"], src.m["negative"], src.m["ss"], src.table, src.clause, where)
	return queryRows(ctx, s, "trend", q, args, nil, func(r ch.Row) (TrendPoint, error) {
		var p TrendPoint
		if err := scanMean(r, &p.AvgSentiment, &p.Records, &p.Time, &p.Records, &p.Negative); err != nil {
			return p, err
		}
		p.Time = p.Time.In(f.zone())
		p.NegativeShare = ratio(float64(p.Negative), float64(p.Records))
		return p, nil
	})
}

func painKey(cat, sub string) string {
	if sub == "" {
		return cat
	}
	return cat + "/" + sub
}

// PainTrends returns one series per key ("category/subcategory", or a
// bare category for all its subcategories) over f, ignoring f's own
// pain point. Records and Negative count pain (negative opinions);
// NegativeShare divides them by the key's volume. Rows without a category
// (open opinions) never match a key. Keys without data get an empty
// series; a key given twice gets the same points each time.
func (s *Store) PainTrends(ctx context.Context, f Filter, g Granularity, keys []string) ([]Series, error) {
	f.Category, f.Subcategory = "", ""
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, nil
	}
	src := s.painSource(f)
	b, err := g.bucket(src.time, f.zone())
	if err != nil {
		return nil, err
	}
	where, args := src.conds(f, f.From, f.To, true)
	var cats, pairs []string
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		if strings.Contains(k, "/") {
			pairs = append(pairs, k)
		} else {
			cats = append(cats, k)
		}
	}
	// A key expression per row: the pair when asked for, else the
	// category. Arrays are bound only when not empty: ClickHouse 18.16
	// types [] as Array(Nothing), which has() refuses against a String.
	keyExpr := "category"
	var kw []string
	var qargs []any
	if len(pairs) > 0 {
		keyExpr = "if(has(?, concat(category, '/', subcategory)), concat(category, '/', subcategory), category)"
		qargs = append(qargs, pairs)
		kw = append(kw, "has(?, concat(category, '/', subcategory))")
	}
	if len(cats) > 0 {
		kw = append(kw, "has(?, category)")
	}
	q := fmt.Sprintf(`SELECT %s AS t, %s AS k,
    sum(if(polarity = 'negative', %s, 0)) AS r,
    sum(if(polarity = 'negative', %s, 0)) AS n,
    sum(%s) AS m,
    sum(if(polarity = 'negative', %s, 0)) AS ss
FROM %s %s %s AND `+TopicRows+` AND (%s)
GROUP BY t, k ORDER BY k, t`, b, keyExpr, src.m["records"], src.m["mentions"], src.m["mentions"], src.m["ss"], src.table, src.clause, where, strings.Join(kw, " OR "))
	qargs = append(qargs, args...)
	if len(pairs) > 0 {
		qargs = append(qargs, pairs)
	}
	if len(cats) > 0 {
		qargs = append(qargs, cats)
	}
	byKey := map[string][]TrendPoint{}
	err = s.query(ctx, "pain trends", q, qargs, func(r ch.Row) error {
		var p TrendPoint
		var k string
		var m uint64
		if err := scanMean(r, &p.AvgSentiment, &p.Records, &p.Time, &k, &p.Records, &p.Negative, &m); err != nil {
			return err
		}
		p.Time = p.Time.In(f.zone())
		p.NegativeShare = ratio(float64(p.Negative), float64(m))
		if seen[k] {
			byKey[k] = append(byKey[k], p)
		}
		return nil
	})
	out := make([]Series, len(keys))
	for i, k := range keys {
		out[i] = Series{Key: k, Points: byKey[k]}
		if out[i].Points == nil {
			out[i].Points = []TrendPoint{}
		}
	}
	return out, err
}

// PainChange is a pain point in a period and the period before.
type PainChange struct {
	Category    string `json:"category"`
	Subcategory string `json:"subcategory"`
	// Records with the pain point in the current and previous period.
	Current  uint64 `json:"current"`
	Previous uint64 `json:"previous"`
	// Shares of all records of each period.
	CurrentShare  float64 `json:"current_share"`
	PreviousShare float64 `json:"previous_share"`
	// Change is CurrentShare/PreviousShare - 1 (+Inf as 1e9 when new).
	Change float64 `json:"change"`
	// Z is the two-proportion z statistic, P its two-sided p-value;
	// Significant when P stays below 0.05 after the Benjamini-Hochberg
	// correction over all pain points compared.
	Z            float64 `json:"z"`
	P            float64 `json:"p"`
	Significant  bool    `json:"significant"`
	AvgSentiment float64 `json:"avg_sentiment"`
}

// PainChanges is the comparison of [From, To) with the period of the same
// length before it.
type PainChanges struct {
	PrevFrom        time.Time    `json:"prev_from"`
	Records         uint64       `json:"records"`
	PreviousRecords uint64       `json:"previous_records"`
	Items           []PainChange `json:"items"`
}

// Alpha is the false discovery rate of PainChange.Significant.
const Alpha = 0.05

// PainPointChanges compares every pain point's share of records in f's
// range with the previous period of the same length, most frequent first.
// f's pain point, if any, narrows to that category or pain point.
func (s *Store) PainPointChanges(ctx context.Context, f Filter) (*PainChanges, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	prev := f.From.Add(-f.To.Sub(f.From))
	out := &PainChanges{PrevFrom: prev.In(f.zone()), Items: []PainChange{}}
	var err error
	if out.Records, out.PreviousRecords, err = s.periodTotals(ctx, f, prev); err != nil {
		return nil, fmt.Errorf("clickhouse: pain point changes: %w", err)
	}
	ps := s.painSource(f)
	where, args := ps.conds(f, prev, f.To, true)
	q := fmt.Sprintf(`SELECT category, subcategory,
    sum(if(%[1]s >= ?, %[2]s, 0)) AS cur,
    sum(if(%[1]s < ?, %[2]s, 0)) AS prv,
    sum(if(%[1]s >= ?, %[3]s, 0)) AS ss
FROM %[4]s %[6]s `+PainRows+` AND %[5]s
GROUP BY category, subcategory
HAVING cur + prv > 0
ORDER BY cur DESC, prv DESC, category, subcategory`, ps.time, ps.m["records"], ps.m["ss"], ps.table, where, ps.clause)
	from := f.From.UTC()
	out.Items, err = queryRows(ctx, s, "pain point changes", q, append([]any{from, from, from}, args...), out.Items, func(r ch.Row) (PainChange, error) {
		var c PainChange
		if err := scanMean(r, &c.AvgSentiment, &c.Current, &c.Category, &c.Subcategory, &c.Current, &c.Previous); err != nil {
			return c, err
		}
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	out.test()
	return out, nil
}

// test fills in the shares, their change and the two-proportion test of
// every item from the counts.
func (out *PainChanges) test() {
	n1, n0 := float64(out.Records), float64(out.PreviousRecords)
	for i := range out.Items {
		c := &out.Items[i]
		c.CurrentShare = ratio(float64(c.Current), n1)
		c.PreviousShare = ratio(float64(c.Previous), n0)
		c.Change = shareChange(c.CurrentShare, c.PreviousShare)
		c.Z, c.P = TwoProportionZ(c.Current, out.Records, c.Previous, out.PreviousRecords)
	}
	pv := make([]float64, len(out.Items))
	for i, c := range out.Items {
		pv[i] = c.P
	}
	for i, sig := range significant(pv) {
		out.Items[i].Significant = sig
	}
}

// periodTotals returns the number of all records matching f's product,
// channel and tier in [f.From, f.To) and in [prev, f.From), whatever their
// pain points or mentions: the denominators of shares of records.
func (s *Store) periodTotals(ctx context.Context, f Filter, prev time.Time) (cur, previous uint64, err error) {
	tf := f
	tf.Category, tf.Subcategory, tf.Mentions = "", "", MentionFilter{}
	fs := s.feedbackSource(tf)
	where, args := fs.conds(tf, prev, f.To, false)
	q := fmt.Sprintf(`SELECT sum(if(%[1]s >= ?, %[2]s, 0)), sum(if(%[1]s < ?, %[2]s, 0)) FROM %[3]s %[5]s %[4]s`, fs.time, fs.m["records"], fs.table, where, fs.clause)
	if err := s.conn.QueryRow(ctx, q, append([]any{f.From.UTC(), f.From.UTC()}, args...)...).Scan(&cur, &previous); err != nil {
		return 0, 0, fmt.Errorf("totals: %w", err)
	}
	return cur, previous, nil
}

// shareChange is cur/prev - 1, 1e9 (for +Inf) when the share is new, 0
// when both are 0.
func shareChange(cur, prev float64) float64 {
	switch {
	case prev > 0:
		return cur/prev - 1
	case cur > 0:
		return 1e9
	}
	return 0
}

// TwoProportionZ tests x1/n1 against x0/n0 with the pooled two-proportion
// z-test; it returns z (positive when the first share is larger) and the
// two-sided p-value. With an empty period it returns 0, 1.
func TwoProportionZ(x1, n1, x0, n0 uint64) (z, p float64) {
	if n1 == 0 || n0 == 0 {
		return 0, 1
	}
	p1, p0 := float64(x1)/float64(n1), float64(x0)/float64(n0)
	pool := float64(x1+x0) / float64(n1+n0)
	se := math.Sqrt(pool * (1 - pool) * (1/float64(n1) + 1/float64(n0)))
	if se == 0 {
		return 0, 1
	}
	z = (p1 - p0) / se
	return z, math.Erfc(math.Abs(z) / math.Sqrt2)
}

// significant applies the Benjamini-Hochberg procedure at Alpha to the
// p-values ps: which tests are significant.
func significant(ps []float64) []bool {
	idx := make([]int, len(ps))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case ps[a] < ps[b]:
			return -1
		case ps[a] > ps[b]:
			return 1
		}
		return a - b
	})
	m := float64(len(ps))
	k := -1
	for r, i := range idx {
		if ps[i] <= Alpha*float64(r+1)/m {
			k = r
		}
	}
	out := make([]bool, len(ps))
	for r := 0; r <= k; r++ {
		out[idx[r]] = true
	}
	return out
}
