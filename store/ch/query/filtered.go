package query

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vocproject/voc/store/ch"
)

// Query helpers of the HTTP API and the weekly report. Every query is
// built from fixed SQL and whitelisted expressions; client values only
// reach ClickHouse as bound parameters. Aggregates come from the hourly
// tables when the filter allows it and from the raw tables otherwise
// (customer tier on pain points, pain point on volumes).

// Filter narrows a query. From and To are required and bound [From, To);
// empty strings do not filter.
type Filter struct {
	From, To time.Time
	Product  string
	Channel  string
	Tier     string // customer_tier
	// Category and Subcategory select a pain point (Subcategory needs
	// Category).
	Category    string
	Subcategory string
	// Mentions selects records by what their customer said about an
	// aspect (rows of aspect_mentions); it narrows the record tables
	// (Verbatims, Trend, SentimentBy) and is ignored by the pain point
	// and topic aggregates.
	Mentions MentionFilter
}

// MentionFilter selects records with at least one customer aspect row
// (nlp.Aspect: opinion, topic mention or open opinion) matching every set
// field: Topic a mapped category talked about in any way (pain, praise,
// neutral, or named without an opinion); Aspect the aspect term;
// Unmapped only open opinions about aspects the taxonomy does not know
// (category ""); Polarity the row's polarity.
type MentionFilter struct {
	Topic    string
	Aspect   string
	Unmapped bool
	Polarity string
}

// IsZero reports whether m selects nothing.
func (m MentionFilter) IsZero() bool { return m == MentionFilter{} }

func (m MentionFilter) validate() error {
	if m.Topic != "" && m.Unmapped {
		return fmt.Errorf("%w: a topic is a mapped category: give topic or unmapped, not both", ErrBadFilter)
	}
	switch m.Polarity {
	case "", "positive", "negative", "neutral":
	default:
		return fmt.Errorf("%w: polarity %q is not positive, negative or neutral", ErrBadFilter, m.Polarity)
	}
	if m.Polarity != "" && m.Topic == "" && m.Aspect == "" && !m.Unmapped {
		return fmt.Errorf("%w: polarity needs topic, aspect or unmapped", ErrBadFilter)
	}
	return nil
}

// conds returns the conditions of m on aspect_mentions rows (besides
// role and time) and their arguments.
func (m MentionFilter) conds() ([]string, []any) {
	var w []string
	var args []any
	if m.Topic != "" {
		w = append(w, "category = ?")
		args = append(args, m.Topic)
	}
	if m.Unmapped {
		w = append(w, UnmappedRows)
	}
	if m.Aspect != "" {
		w = append(w, "aspect = ?")
		args = append(args, m.Aspect)
	}
	if m.Polarity != "" {
		w = append(w, "polarity = ?")
		args = append(args, m.Polarity)
	}
	return w, args
}

// ErrBadFilter is wrapped by the errors of an invalid Filter or argument.
var ErrBadFilter = errors.New("bad filter")

// Validate checks the range and the pain point fields.
func (f Filter) Validate() error {
	if f.From.IsZero() || f.To.IsZero() {
		return fmt.Errorf("%w: from and to are required", ErrBadFilter)
	}
	if !f.From.Before(f.To) {
		return fmt.Errorf("%w: from %s is not before to %s", ErrBadFilter, f.From.Format(time.RFC3339), f.To.Format(time.RFC3339))
	}
	if f.Subcategory != "" && f.Category == "" {
		return fmt.Errorf("%w: subcategory needs category", ErrBadFilter)
	}
	return f.Mentions.validate()
}

// Granularity is the bucket of a time series.
type Granularity string

// Granularities.
const (
	Hour Granularity = "hour"
	Day  Granularity = "day"
	Week Granularity = "week"
)

// bucket returns the bucket expression of a DateTime column.
func (g Granularity) bucket(col string) (string, error) {
	switch g {
	case Hour:
		return "toStartOfHour(" + col + ")", nil
	case Day, "":
		return "toDateTime(toDate(" + col + "))", nil
	case Week:
		return "toDateTime(toMonday(" + col + "))", nil
	}
	return "", fmt.Errorf("%w: granularity %q is not hour, day or week", ErrBadFilter, string(g))
}

// source is a table with the expressions of its measures: the hourly
// aggregate or the raw table it is built from.
type source struct {
	table string
	time  string
	where []string // fixed conditions
	// measures by name: SQL expressions to sum()
	m map[string]string
	// mentions is the aspect_mentions table that a record table's
	// MentionFilter reads (the local one with distributed tables).
	mentions string
}

// painSource reads pain_hourly unless the filter needs aspect_mentions.
func (s *Store) painSource(f Filter) source {
	if f.Tier == "" {
		return source{table: s.table(ch.TablePainHourly), time: "hour", m: map[string]string{
			"mentions": "mentions", "records": "records", "ss": "sentiment_sum"}}
	}
	return source{table: s.table(ch.TableMentions), time: "created_at", where: []string{"role = 'customer'"},
		m: map[string]string{"mentions": "1", "records": "is_first", "ss": "if(is_first = 1, toFloat64(sentiment), 0)"}}
}

// feedbackSource reads feedback_hourly unless the filter names a pain
// point or selects records by their mentions.
func (s *Store) feedbackSource(f Filter) source {
	if f.Category == "" && f.Mentions.IsZero() {
		return source{table: s.table(ch.TableFeedbackHourly), time: "hour", m: map[string]string{
			"records": "records", "negative": "negative", "ss": "sentiment_sum", "escalations": "escalations", "complaints": "complaints"}}
	}
	return source{table: s.table(ch.TableFeedback), time: "created_at", mentions: s.local(ch.TableMentions), m: map[string]string{
		"records": "1", "negative": "sentiment_label = 'negative'", "ss": "toFloat64(sentiment)", "escalations": "escalation",
		"complaints": "intent = '投诉' OR sentiment_label = 'negative'"}}
}

// where returns the conditions and arguments of f over src, the time range
// being [from, to) (which may differ from f's, for a previous period).
// pain says whether src is a pain table (category columns) or a feedback
// table (pain_points arrays).
func (src source) conds(f Filter, from, to time.Time, pain bool) (string, []any) {
	w := append([]string{src.time + " >= ?", src.time + " < ?"}, src.where...)
	args := []any{from.UTC(), to.UTC()}
	add := func(cond string, v any) {
		w = append(w, cond)
		args = append(args, v)
	}
	if f.Product != "" {
		add("product = ?", f.Product)
	}
	if f.Channel != "" {
		add("channel = ?", f.Channel)
	}
	if f.Tier != "" {
		add("customer_tier = ?", f.Tier)
	}
	if f.Category != "" {
		switch {
		case pain && f.Subcategory != "":
			add("category = ?", f.Category)
			add("subcategory = ?", f.Subcategory)
		case pain:
			add("category = ?", f.Category)
		case f.Subcategory != "":
			add("has(pain_points, ?)", f.Category+"/"+f.Subcategory)
		default:
			add("has(categories, ?)", f.Category)
		}
	}
	if !pain && !f.Mentions.IsZero() {
		// The record's position among those of its matching rows. Each
		// record's rows live on the shard of its feedback row (both
		// tables are sharded by Kafka partition), so with distributed
		// tables the subquery reads the local table on every shard.
		mw, margs := f.Mentions.conds()
		mw = append([]string{"role = 'customer'", "created_at >= ?", "created_at < ?"}, mw...)
		w = append(w, "(kafka_topic, kafka_partition, kafka_offset) IN (SELECT kafka_topic, kafka_partition, kafka_offset FROM "+
			src.mentions+" WHERE "+strings.Join(mw, " AND ")+")")
		args = append(append(args, from.UTC(), to.UTC()), margs...)
	}
	return strings.Join(w, " AND "), args
}

// query runs q and scans every row (ch.EachRow), its errors prefixed
// with op.
func (s *Store) query(ctx context.Context, op, q string, args []any, scan func(ch.Row) error) error {
	if err := ch.EachRow(ctx, s.conn, q, args, scan); err != nil {
		return fmt.Errorf("clickhouse: %s: %w", op, err)
	}
	return nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// TrendPoint is one bucket of a time series.
type TrendPoint struct {
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
	b, err := g.bucket(src.time)
	if err != nil {
		return nil, err
	}
	where, args := src.conds(f, f.From, f.To, false)
	q := fmt.Sprintf(`SELECT %s AS t, sum(%s) AS r, sum(%s) AS n, sum(%s) AS ss FROM %s WHERE %s GROUP BY t ORDER BY t`,
		b, src.m["records"], src.m["negative"], src.m["ss"], src.table, where)
	var out []TrendPoint
	err = s.query(ctx, "trend", q, args, func(r ch.Row) error {
		var p TrendPoint
		var ss float64
		if err := r.Scan(&p.Time, &p.Records, &p.Negative, &ss); err != nil {
			return err
		}
		p.AvgSentiment = ratio(ss, float64(p.Records))
		p.NegativeShare = ratio(float64(p.Negative), float64(p.Records))
		out = append(out, p)
		return nil
	})
	return out, err
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
	b, err := g.bucket(src.time)
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
FROM %s WHERE %s AND `+TopicRows+` AND (%s)
GROUP BY t, k ORDER BY k, t`, b, keyExpr, src.m["records"], src.m["mentions"], src.m["mentions"], src.m["ss"], src.table, where, strings.Join(kw, " OR "))
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
		var ss float64
		if err := r.Scan(&p.Time, &k, &p.Records, &p.Negative, &m, &ss); err != nil {
			return err
		}
		p.AvgSentiment = ratio(ss, float64(p.Records))
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
	out := &PainChanges{PrevFrom: prev.UTC(), Items: []PainChange{}}
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
FROM %[4]s WHERE `+PainRows+` AND %[5]s
GROUP BY category, subcategory
HAVING cur + prv > 0
ORDER BY cur DESC, prv DESC, category, subcategory`, ps.time, ps.m["records"], ps.m["ss"], ps.table, where)
	from := f.From.UTC()
	err = s.query(ctx, "pain point changes", q, append([]any{from, from, from}, args...), func(r ch.Row) error {
		var c PainChange
		var ss float64
		if err := r.Scan(&c.Category, &c.Subcategory, &c.Current, &c.Previous, &ss); err != nil {
			return err
		}
		c.AvgSentiment = ratio(ss, float64(c.Current))
		out.Items = append(out.Items, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
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
	return out, nil
}

// periodTotals returns the number of all records matching f's product,
// channel and tier in [f.From, f.To) and in [prev, f.From), whatever their
// pain points or mentions: the denominators of shares of records.
func (s *Store) periodTotals(ctx context.Context, f Filter, prev time.Time) (cur, previous uint64, err error) {
	tf := f
	tf.Category, tf.Subcategory, tf.Mentions = "", "", MentionFilter{}
	fs := s.feedbackSource(tf)
	where, args := fs.conds(tf, prev, f.To, false)
	q := fmt.Sprintf(`SELECT sum(if(%[1]s >= ?, %[2]s, 0)), sum(if(%[1]s < ?, %[2]s, 0)) FROM %[3]s WHERE %[4]s`, fs.time, fs.m["records"], fs.table, where)
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

// GroupSentiment is the sentiment of one group of records: its totals.
type GroupSentiment struct {
	Key string `json:"key"`
	Totals
}

// Dimensions that SentimentBy may group by.
var groupColumns = map[string]string{"channel": "channel", "product": "product", "customer_tier": "customer_tier"}

// SentimentBy returns the sentiment of the records matching f grouped by
// dim (channel, product or customer_tier), most records first.
func (s *Store) SentimentBy(ctx context.Context, f Filter, dim string) ([]GroupSentiment, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	col, ok := groupColumns[dim]
	if !ok {
		return nil, fmt.Errorf("%w: cannot group by %q (channel, product or customer_tier)", ErrBadFilter, dim)
	}
	src := s.feedbackSource(f)
	where, args := src.conds(f, f.From, f.To, false)
	q := fmt.Sprintf(`SELECT %s AS g, sum(%s) AS r, sum(%s) AS n, sum(%s) AS e, sum(%s) AS c, sum(%s) AS ss
FROM %s WHERE %s GROUP BY g ORDER BY r DESC, g`, col, src.m["records"], src.m["negative"], src.m["escalations"], src.m["complaints"], src.m["ss"], src.table, where)
	out := []GroupSentiment{}
	err := s.query(ctx, "sentiment by "+dim, q, args, func(r ch.Row) error {
		var g GroupSentiment
		var ss float64
		if err := r.Scan(&g.Key, &g.Records, &g.Negative, &g.Escalations, &g.Complaints, &ss); err != nil {
			return err
		}
		g.AvgSentiment = ratio(ss, float64(g.Records))
		g.NegativeShare = ratio(float64(g.Negative), float64(g.Records))
		out = append(out, g)
		return nil
	})
	return out, err
}

// Driver is a pain point's effect on a score.
type Driver struct {
	Category    string `json:"category"`
	Subcategory string `json:"subcategory"`
	// Records with a score that have the pain point; Share of all scored.
	Records uint64  `json:"records"`
	Share   float64 `json:"share"`
	// MeanWith and MeanWithout are the mean score of scored records with
	// and without the pain point; Impact is MeanWithout - MeanWith (how
	// much lower the score is when it is present), Weighted is
	// Impact*Share (the points of the overall mean it costs), the ranking.
	MeanWith    float64 `json:"mean_with"`
	MeanWithout float64 `json:"mean_without"`
	Impact      float64 `json:"impact"`
	Weighted    float64 `json:"weighted"`
}

// Drivers is the key driver analysis of one score.
type Drivers struct {
	Metric  string   `json:"metric"`
	Scored  uint64   `json:"scored"` // records with a score
	Mean    float64  `json:"mean"`
	Drivers []Driver `json:"drivers"`
}

// Scores that KeyDrivers analyses, with the condition of a present score.
var scoreColumns = map[string][2]string{
	"csat":   {"toFloat64(csat)", "csat > 0"},
	"nps":    {"toFloat64(nps)", "nps >= 0"},
	"rating": {"toFloat64(rating)", "rating > 0"},
}

// KeyDrivers ranks the pain points by how much of metric (csat, nps — the
// 0-10 likelihood — or rating) they cost among the records matching f
// that have a score. f's pain point, if any, is ignored. Pain points on
// fewer than minRecords scored records are left out.
func (s *Store) KeyDrivers(ctx context.Context, f Filter, metric string, minRecords int) (*Drivers, error) {
	f.Category, f.Subcategory = "", ""
	if err := f.Validate(); err != nil {
		return nil, err
	}
	sc, ok := scoreColumns[metric]
	if !ok {
		return nil, fmt.Errorf("%w: metric %q is not csat, nps or rating", ErrBadFilter, metric)
	}
	src := source{table: s.table(ch.TableFeedback), time: "created_at", mentions: s.local(ch.TableMentions)}
	where, args := src.conds(f, f.From, f.To, false)
	where += " AND " + sc[1]
	out := &Drivers{Metric: metric, Drivers: []Driver{}}
	var total float64
	q := fmt.Sprintf("SELECT count(), sum(%s) FROM %s WHERE %s", sc[0], src.table, where)
	if err := s.conn.QueryRow(ctx, q, args...).Scan(&out.Scored, &total); err != nil {
		return nil, fmt.Errorf("clickhouse: key drivers: %w", err)
	}
	if out.Scored == 0 {
		return out, nil
	}
	out.Mean = total / float64(out.Scored)
	q = fmt.Sprintf(`SELECT pp, count() AS n, sum(%s) AS s FROM %s ARRAY JOIN pain_points AS pp WHERE %s AND pp NOT LIKE '/%%' GROUP BY pp HAVING n >= ?`,
		sc[0], src.table, where)
	err := s.query(ctx, "key drivers", q, append(args, uint64(max(minRecords, 1))), func(r ch.Row) error {
		var d Driver
		var key string
		var sum float64
		if err := r.Scan(&key, &d.Records, &sum); err != nil {
			return err
		}
		d.Category, d.Subcategory, _ = strings.Cut(key, "/")
		d.Share = float64(d.Records) / float64(out.Scored)
		d.MeanWith = sum / float64(d.Records)
		if rest := out.Scored - d.Records; rest > 0 {
			d.MeanWithout = (total - sum) / float64(rest)
		} else {
			d.MeanWithout = d.MeanWith
		}
		d.Impact = d.MeanWithout - d.MeanWith
		d.Weighted = d.Impact * d.Share
		out.Drivers = append(out.Drivers, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out.Drivers, func(a, b Driver) int {
		if a.Weighted != b.Weighted {
			if a.Weighted > b.Weighted {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Category+"/"+a.Subcategory, b.Category+"/"+b.Subcategory)
	})
	return out, nil
}

// Mention is one stored aspect mention. Start and End are rune offsets
// into the record's text; they are -1 when the mention comes from a chat
// turn whose offsets do not index the stored text and its words were not
// found in it.
type Mention struct {
	Turn        int     `json:"turn"`
	Role        string  `json:"role"`
	Category    string  `json:"category"`
	Subcategory string  `json:"subcategory"`
	Aspect      string  `json:"aspect"`
	Opinion     string  `json:"opinion"`
	Polarity    string  `json:"polarity"`
	Start       int     `json:"start"`
	End         int     `json:"end"`
	Sentiment   float64 `json:"sentiment"`
}

// Verbatim is a stored record, as the API shows it.
type Verbatim struct {
	ID             string    `json:"id"`
	Kind           string    `json:"kind"`
	Channel        string    `json:"channel"`
	Product        string    `json:"product"`
	CreatedAt      time.Time `json:"created_at"`
	Rating         uint8     `json:"rating"`
	CSAT           uint8     `json:"csat"`
	NPS            int8      `json:"nps"` // -1: none
	Tier           string    `json:"customer_tier"`
	Region         string    `json:"region"`
	Text           string    `json:"text"` // masked
	Sentiment      float64   `json:"sentiment"`
	SentimentLabel string    `json:"sentiment_label"`
	Confidence     float64   `json:"confidence"`
	Intent         string    `json:"intent"`
	Escalation     bool      `json:"escalation"`
	PainPoints     []string  `json:"pain_points"`
	PraisePoints   []string  `json:"praise_points"`
	PII            []string  `json:"pii"`
	LexiconVersion string    `json:"lexicon_version"`
	TurnCount      int       `json:"turn_count"`
	Mentions       []Mention `json:"mentions"`
}

const verbatimColumns = `id, kind, channel, product, created_at, rating, csat, nps, customer_tier, region, text,
    sentiment, sentiment_label, confidence, intent, escalation, pain_points, praise_points, pii, lexicon_version, turn_count`

func scanVerbatim(r ch.Row) (Verbatim, error) {
	var v Verbatim
	var sent, conf float32
	var esc uint8
	var turns uint16
	err := r.Scan(&v.ID, &v.Kind, &v.Channel, &v.Product, &v.CreatedAt, &v.Rating, &v.CSAT, &v.NPS, &v.Tier, &v.Region, &v.Text,
		&sent, &v.SentimentLabel, &conf, &v.Intent, &esc, &v.PainPoints, &v.PraisePoints, &v.PII, &v.LexiconVersion, &turns)
	v.Sentiment, v.Confidence, v.Escalation, v.TurnCount = float64(sent), float64(conf), esc == 1, int(turns)
	v.Mentions = []Mention{}
	return v, err
}

// ErrNotFound is returned for a record that is not stored.
var ErrNotFound = errors.New("clickhouse: record not found")

// Record returns one record by id with all its mentions.
func (s *Store) Record(ctx context.Context, id string) (*Verbatim, error) {
	var out *Verbatim
	q := "SELECT " + verbatimColumns + " FROM " + s.table(ch.TableFeedback) + " WHERE id = ? LIMIT 1"
	err := s.query(ctx, "record", q, []any{id}, func(r ch.Row) error {
		v, err := scanVerbatim(r)
		out = &v
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	vs := []Verbatim{*out}
	if err := s.attachMentions(ctx, vs, out.CreatedAt, out.CreatedAt.Add(time.Second), Filter{}); err != nil {
		return nil, err
	}
	return &vs[0], nil
}

// VerbatimPage is one page of verbatims.
type VerbatimPage struct {
	Total uint64     `json:"total"`
	Items []Verbatim `json:"items"`
}

// Verbatims returns the records matching f, newest first, with the
// mentions of f's pain point, or the customer mentions f.Mentions selects
// (all mentions when f has neither). text, when set, must occur in the
// record's text (case-insensitive substring).
func (s *Store) Verbatims(ctx context.Context, f Filter, text, sentiment string, limit, offset int) (*VerbatimPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	src := source{table: s.table(ch.TableFeedback), time: "created_at", mentions: s.local(ch.TableMentions)}
	where, args := src.conds(f, f.From, f.To, false)
	if text != "" {
		where += " AND positionCaseInsensitiveUTF8(text, ?) > 0"
		args = append(args, text)
	}
	if sentiment != "" {
		where += " AND sentiment_label = ?"
		args = append(args, sentiment)
	}
	out := &VerbatimPage{Items: []Verbatim{}}
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM "+src.table+" WHERE "+where, args...).Scan(&out.Total); err != nil {
		return nil, fmt.Errorf("clickhouse: verbatims: count: %w", err)
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY created_at DESC, id LIMIT %d, %d", verbatimColumns, src.table, where, max(offset, 0), max(limit, 0))
	err := s.query(ctx, "verbatims", q, args, func(r ch.Row) error {
		v, err := scanVerbatim(r)
		out.Items = append(out.Items, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.attachMentions(ctx, out.Items, f.From, f.To, f); err != nil {
		return nil, err
	}
	return out, nil
}

// MentionsOf fills the mentions of records already fetched elsewhere (the
// search index) by id; created_at bounds narrow the read.
func (s *Store) MentionsOf(ctx context.Context, vs []Verbatim, from, to time.Time) error {
	return s.attachMentions(ctx, vs, from, to, Filter{})
}

// attachMentions reads the mentions of vs (only those of sel's pain
// point, or the customer rows its MentionFilter selects, when set) and
// computes their offsets into each text.
func (s *Store) attachMentions(ctx context.Context, vs []Verbatim, from, to time.Time, sel Filter) error {
	if len(vs) == 0 {
		return nil
	}
	byID := map[string]int{}
	ids := make([]string, 0, len(vs))
	for i, v := range vs {
		byID[v.ID] = i
		ids = append(ids, v.ID)
	}
	where := "has(?, id)"
	args := []any{ids}
	if !from.IsZero() && !to.IsZero() {
		where += " AND created_at >= ? AND created_at < ?"
		args = append(args, from.UTC(), to.UTC())
	}
	if sel.Category != "" {
		where += " AND category = ?"
		args = append(args, sel.Category)
	}
	if sel.Subcategory != "" {
		where += " AND subcategory = ?"
		args = append(args, sel.Subcategory)
	}
	if !sel.Mentions.IsZero() {
		w, a := sel.Mentions.conds()
		where += " AND " + strings.Join(append([]string{"role = 'customer'"}, w...), " AND ")
		args = append(args, a...)
	}
	q := `SELECT id, mention, turn, role, category, subcategory, aspect, opinion, polarity, span_start, span_end, sentiment, kind
FROM ` + s.table(ch.TableMentions) + " WHERE " + where + " ORDER BY id, mention"
	last := ""
	lastMention := -1
	return s.query(ctx, "mentions", q, args, func(r ch.Row) error {
		var id, kind string
		var mention, turn uint16
		var st, en uint32
		var sent float32
		var m Mention
		if err := r.Scan(&id, &mention, &turn, &m.Role, &m.Category, &m.Subcategory, &m.Aspect, &m.Opinion, &m.Polarity, &st, &en, &sent, &kind); err != nil {
			return err
		}
		if id == last && int(mention) == lastMention {
			return nil // a duplicate row not merged yet
		}
		last, lastMention = id, int(mention)
		i, ok := byID[id]
		if !ok {
			return nil
		}
		m.Turn, m.Sentiment = int(turn), float64(sent)
		m.Start, m.End = locate(vs[i].Text, m, int(st), int(en), vs[i].TurnCount > 0)
		vs[i].Mentions = append(vs[i].Mentions, m)
		return nil
	})
}

// locate returns the rune span of a mention in text: the stored span when
// it indexes the text (records analysed as one text), else the first
// occurrence of the aspect through the opinion, else of either word.
func locate(text string, m Mention, st, en int, chat bool) (int, int) {
	runes := []rune(text)
	if !chat && st < en && en <= len(runes) {
		return st, en
	}
	find := func(w string) int {
		if w == "" {
			return -1
		}
		i := strings.Index(text, w)
		if i < 0 {
			return -1
		}
		return len([]rune(text[:i]))
	}
	a, o := find(m.Aspect), find(m.Opinion)
	la, lo := len([]rune(m.Aspect)), len([]rune(m.Opinion))
	switch {
	case a >= 0 && o >= 0 && o >= a:
		return a, o + lo
	case a >= 0 && o >= 0:
		return o, max(a+la, o+lo)
	case o >= 0:
		return o, o + lo
	case a >= 0:
		return a, a + la
	}
	return -1, -1
}

// Facets are the distinct values of the filter fields in a range.
type Facets struct {
	Products   []string `json:"products"`
	Channels   []string `json:"channels"`
	Tiers      []string `json:"customer_tiers"`
	PainPoints []string `json:"pain_points"`
	// First and Last bound the stored data (zero when empty).
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

// Facets returns the distinct products, channels, tiers and pain points.
func (s *Store) Facets(ctx context.Context) (*Facets, error) {
	out := &Facets{Products: []string{}, Channels: []string{}, Tiers: []string{}, PainPoints: []string{}}
	var n uint64
	q := "SELECT groupUniqArray(product), groupUniqArray(channel), groupUniqArray(customer_tier), min(hour), max(hour), sum(records) FROM " + s.table(ch.TableFeedbackHourly)
	if err := s.conn.QueryRow(ctx, q).Scan(&out.Products, &out.Channels, &out.Tiers, &out.First, &out.Last, &n); err != nil {
		return nil, fmt.Errorf("clickhouse: facets: %w", err)
	}
	if n == 0 {
		out.First, out.Last = time.Time{}, time.Time{}
	} else {
		out.Last = out.Last.Add(time.Hour)
	}
	q = "SELECT groupUniqArray(concat(category, '/', subcategory)) FROM " + s.table(ch.TablePainHourly) + " WHERE " + PainRows
	if err := s.conn.QueryRow(ctx, q).Scan(&out.PainPoints); err != nil {
		return nil, fmt.Errorf("clickhouse: facets: %w", err)
	}
	for _, l := range [][]string{out.Products, out.Channels, out.Tiers, out.PainPoints} {
		slices.Sort(l)
	}
	return out, nil
}

// Alert is one alert of the alert_state table.
type Alert struct {
	ID         string    `json:"id"`
	Series     string    `json:"series"`
	Kind       string    `json:"kind"`
	Status     string    `json:"status"`
	OpenedAt   time.Time `json:"opened_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	Team       string    `json:"team"`
	Title      string    `json:"title"`
	Payload    string    `json:"payload"`
}

// ErrNoAlerts is returned by Alerts when the alert tables do not exist.
var ErrNoAlerts = errors.New("clickhouse: no alert tables")

// Alerts returns the alerts opened or updated in [from, to), newest first,
// at most limit; ErrNoAlerts when alerting never ran on this database.
func (s *Store) Alerts(ctx context.Context, from, to time.Time, limit int) ([]Alert, error) {
	var n uint64
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = 'alert_state'", s.cfg.Database).Scan(&n); err != nil {
		return nil, fmt.Errorf("clickhouse: alerts: %w", err)
	}
	if n == 0 {
		return nil, ErrNoAlerts
	}
	q := fmt.Sprintf(`SELECT id, series, kind, status, opened_at, updated_at, resolved_at, team, title, payload
FROM %s FINAL
WHERE updated_at >= ? AND opened_at < ?
ORDER BY opened_at DESC, id
LIMIT %d`, s.table(ch.TableAlertState), max(limit, 1))
	out := []Alert{}
	err := s.query(ctx, "alerts", q, []any{from.UTC(), to.UTC()}, func(r ch.Row) error {
		var a Alert
		if err := r.Scan(&a.ID, &a.Series, &a.Kind, &a.Status, &a.OpenedAt, &a.UpdatedAt, &a.ResolvedAt, &a.Team, &a.Title, &a.Payload); err != nil {
			return err
		}
		if a.ResolvedAt.Unix() <= 0 {
			a.ResolvedAt = time.Time{}
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// Totals are the volume and sentiment of a set of records: of one group
// (GroupSentiment), or the sums of several (Total).
type Totals struct {
	Records       uint64  `json:"records"`
	Negative      uint64  `json:"negative"`
	NegativeShare float64 `json:"negative_share"`
	AvgSentiment  float64 `json:"avg_sentiment"`
	Escalations   uint64  `json:"escalations"`
	Complaints    uint64  `json:"complaints"`
}

// Total sums gs (the mean sentiment weighted by records).
func Total(gs []GroupSentiment) Totals {
	var t Totals
	var ss float64
	for _, g := range gs {
		t.Records += g.Records
		t.Negative += g.Negative
		t.Escalations += g.Escalations
		t.Complaints += g.Complaints
		ss += g.AvgSentiment * float64(g.Records)
	}
	if t.Records > 0 {
		t.NegativeShare = float64(t.Negative) / float64(t.Records)
		t.AvgSentiment = ss / float64(t.Records)
	}
	return t
}
