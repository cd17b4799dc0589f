package query

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vocproject/voc/store/ch"
)

// Filter, the selection of the HTTP API's and the weekly report's
// queries, and how it becomes SQL. Aggregates come from the hourly tables
// when the filter allows it and from the raw tables otherwise (customer
// tier on pain points, pain point on volumes).

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
	// Zone cuts the days and weeks of the Day and Week buckets and of
	// Changes (nil: UTC); it must pass CheckZone. It does not move From
	// and To.
	Zone *time.Location
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

// addConds adds to w the conditions of m on aspect_mentions rows (besides
// role and time).
func (m MentionFilter) addConds(w *ch.Where) {
	w.Eq("category", m.Topic)
	if m.Unmapped {
		w.Add(UnmappedRows)
	}
	w.Eq("aspect", m.Aspect)
	w.Eq("polarity", m.Polarity)
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
	if err := CheckZone(f.Zone); err != nil {
		return fmt.Errorf("%w: %w", ErrBadFilter, err)
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

// bucket returns the bucket expression of a DateTime column: its hour,
// or the start of its day or week (Monday) in loc, a DateTime in loc.
func (g Granularity) bucket(col string, loc *time.Location) (string, error) {
	z := zoneSQL(loc)
	switch g {
	case Hour:
		return "toStartOfHour(" + col + ")", nil
	case Day, "":
		return "toDateTime(toDate(" + col + ", " + z + "), " + z + ")", nil
	case Week:
		return "toDateTime(toMonday(" + col + ", " + z + "), " + z + ")", nil
	}
	return "", fmt.Errorf("%w: granularity %q is not hour, day or week", ErrBadFilter, string(g))
}

// source is a table with the expressions of its measures: the hourly
// aggregate or the raw table it is built from.
type source struct {
	table string
	// clause selects rows of table: WHERE, or PREWHERE for an hourly
	// aggregate (ch.Filter); its conditions are only those of conds and
	// the callers' on the dimensions.
	clause string
	time   string
	where  []string // fixed conditions
	// measures by name: SQL expressions to sum()
	m map[string]string
	// mentions is the aspect_mentions table that a record table's
	// MentionFilter reads (the local one with distributed tables).
	mentions string
}

// painSource reads pain_hourly unless the filter needs aspect_mentions.
func (s *Store) painSource(f Filter) source {
	if f.Tier == "" {
		return source{table: s.table(ch.TablePainHourly), clause: ch.Filter(ch.TablePainHourly), time: "hour", m: map[string]string{
			"mentions": "mentions", "records": "records", "ss": "sentiment_sum"}}
	}
	return source{table: s.table(ch.TableMentions), clause: "WHERE", time: "created_at", where: []string{"role = 'customer'"},
		m: map[string]string{"mentions": "1", "records": "is_first", "ss": "if(is_first = 1, toFloat64(sentiment), 0)"}}
}

// feedbackSource reads feedback_hourly unless the filter names a pain
// point or selects records by their mentions.
func (s *Store) feedbackSource(f Filter) source {
	if f.Category == "" && f.Mentions.IsZero() {
		return source{table: s.table(ch.TableFeedbackHourly), clause: ch.Filter(ch.TableFeedbackHourly), time: "hour", m: map[string]string{
			"records": "records", "negative": "negative", "ss": "sentiment_sum", "escalations": "escalations", "complaints": "complaints"}}
	}
	return source{table: s.table(ch.TableFeedback), clause: "WHERE", time: "created_at", mentions: s.local(ch.TableMentions), m: map[string]string{
		"records": "1", "negative": "sentiment_label = 'negative'", "ss": "toFloat64(sentiment)", "escalations": "escalation",
		"complaints": "intent = '投诉' OR sentiment_label = 'negative'"}}
}

// where returns the conditions and arguments of f over src, the time range
// being [from, to) (which may differ from f's, for a previous period).
// pain says whether src is a pain table (category columns) or a feedback
// table (pain_points arrays).
func (src source) conds(f Filter, from, to time.Time, pain bool) (string, []any) {
	var w ch.Where
	w.Add(src.time+" >= ?", from.UTC())
	w.Add(src.time+" < ?", to.UTC())
	for _, c := range src.where {
		w.Add(c)
	}
	w.Eq("product", f.Product)
	w.Eq("channel", f.Channel)
	w.Eq("customer_tier", f.Tier)
	if f.Category != "" {
		switch {
		case pain:
			w.Add("category = ?", f.Category)
			w.Eq("subcategory", f.Subcategory)
		case f.Subcategory != "":
			w.Add("has(pain_points, ?)", f.Category+"/"+f.Subcategory)
		default:
			w.Add("has(categories, ?)", f.Category)
		}
	}
	if !pain && !f.Mentions.IsZero() {
		// The record's position among those of its matching rows. Each
		// record's rows live on the shard of its feedback row (both
		// tables are sharded by Kafka partition), so with distributed
		// tables the subquery reads the local table on every shard.
		var mw ch.Where
		mw.Add("role = 'customer'")
		mw.Add("created_at >= ?", from.UTC())
		mw.Add("created_at < ?", to.UTC())
		f.Mentions.addConds(&mw)
		w.Add("(kafka_topic, kafka_partition, kafka_offset) IN (SELECT kafka_topic, kafka_partition, kafka_offset FROM "+
			src.mentions+" WHERE "+mw.String()+")", mw.Args...)
	}
	return w.String(), w.Args
}

// query runs q and scans every row (ch.EachRow), its errors prefixed
// with op.
func (s *Store) query(ctx context.Context, op, q string, args []any, scan func(ch.Row) error) error {
	if err := ch.EachRow(ctx, s.conn, q, args, scan); err != nil {
		return fmt.Errorf("clickhouse: %s: %w", op, err)
	}
	return nil
}

// queryRows runs q like query and appends to out the value scan reads from
// each row; on an error it returns no rows.
func queryRows[T any](ctx context.Context, s *Store, op, q string, args []any, out []T, scan func(ch.Row) (T, error)) ([]T, error) {
	err := s.query(ctx, op, q, args, func(r ch.Row) error {
		v, err := scan(r)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// scanMean scans the columns of r into dest and its last column, a sum of
// sentiment over the records that *n counts (n is one of dest), into
// mean: 0 without records.
func scanMean(r ch.Row, mean *float64, n *uint64, dest ...any) error {
	var ss float64
	if err := r.Scan(append(dest, &ss)...); err != nil {
		return err
	}
	*mean = ratio(ss, float64(*n))
	return nil
}
