package ch

import (
	"context"
	"fmt"
)

// Counts are totals over everything stored, as readers see it (every
// table read through DB.Read, with FINAL), for checking exactness: when
// exact, Records == DistinctRecords == HourlyRecords and CustomerMentions
// == PainMentions. Mentions hidden by reprocess (no role) are not counted.
type Counts struct {
	Records          uint64 // rows in feedback
	DistinctRecords  uint64 // distinct positions in feedback
	Mentions         uint64 // rows in aspect_mentions
	DistinctMentions uint64 // distinct (position, mention) in aspect_mentions
	CustomerMentions uint64 // rows in aspect_mentions with role customer
	SentimentSum     float64

	HourlyRecords      uint64 // sum(records) in feedback_hourly
	HourlyNegative     uint64
	HourlyComplaints   uint64
	HourlyEscalations  uint64
	HourlySentimentSum float64

	PainMentions     uint64 // sum(mentions) in pain_hourly
	PainRecords      uint64 // sum(records) in pain_hourly
	PainSentimentSum float64

	Conversations         uint64 // rows in conversations
	DistinctConversations uint64 // distinct positions in conversations
	Violations            uint64 // rows in agent_violations
	DistinctViolations    uint64 // distinct (position, violation) in agent_violations
}

// Counts returns the totals of the tables.
func (s *DB) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	qs := []struct {
		q    string
		dest []any
	}{
		{"SELECT count(), uniqExact(kafka_topic, kafka_partition, kafka_offset), sum(toFloat64(sentiment)) FROM " + s.Read(TableFeedback),
			[]any{&c.Records, &c.DistinctRecords, &c.SentimentSum}},
		{"SELECT count(), uniqExact(kafka_topic, kafka_partition, kafka_offset, mention), sum(role = 'customer') FROM " + s.Read(TableMentions) + " WHERE role != ''",
			[]any{&c.Mentions, &c.DistinctMentions, &c.CustomerMentions}},
		{"SELECT sum(records), sum(negative), sum(complaints), sum(escalations), sum(sentiment_sum) FROM " + s.Read(TableFeedbackHourly),
			[]any{&c.HourlyRecords, &c.HourlyNegative, &c.HourlyComplaints, &c.HourlyEscalations, &c.HourlySentimentSum}},
		{"SELECT sum(mentions), sum(records), sum(sentiment_sum) FROM " + s.Read(TablePainHourly),
			[]any{&c.PainMentions, &c.PainRecords, &c.PainSentimentSum}},
		{"SELECT count(), uniqExact(kafka_topic, kafka_partition, kafka_offset) FROM " + s.Read(TableConversations),
			[]any{&c.Conversations, &c.DistinctConversations}},
		{"SELECT count(), uniqExact(kafka_topic, kafka_partition, kafka_offset, violation) FROM " + s.Read(TableViolations),
			[]any{&c.Violations, &c.DistinctViolations}},
	}
	for _, q := range qs {
		if err := s.conn.QueryRow(ctx, q.q).Scan(q.dest...); err != nil {
			return c, fmt.Errorf("clickhouse: counts: %w", err)
		}
	}
	return c, nil
}

// HourlyDiff compares every hourly table, per hour and dimensions, with
// the same aggregate computed from the raw rows (FINAL), as readers see
// both, and describes the first difference; "" when they are equal.
// Sums of sentiment are compared to 4 decimals.
func (s *DB) HourlyDiff(ctx context.Context) (string, error) {
	for _, q := range []struct{ target, source, dims, sums, count, sel string }{
		{TableFeedbackHourly, TableFeedback, "hour, product, channel, kind, customer_tier",
			"sum(records), sum(negative), sum(complaints), sum(escalations), round(sum(sentiment_sum), 4)", "records", FeedbackHourlySelect},
		{TablePainHourly, TableMentions, "hour, category, subcategory, product, channel, polarity",
			"sum(mentions), sum(records), round(sum(sentiment_sum), 4)", "mentions", PainHourlySelect},
	} {
		agg := func(from string) (map[string]string, error) {
			out := map[string]string{}
			// Keys summing to zero are left out: reprocess leaves zero rows
			// for keys that no record has any more.
			qs := fmt.Sprintf("SELECT toString(tuple(%s)), toString(tuple(%s)) FROM %s GROUP BY %s HAVING sum(%s) > 0",
				q.dims, q.sums, from, q.dims, q.count)
			err := EachRow(ctx, s.conn, qs, nil, func(r Row) error {
				var k, v string
				if err := r.Scan(&k, &v); err != nil {
					return err
				}
				out[k] = v
				return nil
			})
			return out, err
		}
		raw, err := agg("(" + fmt.Sprintf(q.sel, s.Read(q.source)) + ")")
		if err != nil {
			return "", fmt.Errorf("clickhouse: aggregate %s: %w", q.source, err)
		}
		hourly, err := agg(s.Read(q.target))
		if err != nil {
			return "", fmt.Errorf("clickhouse: read %s: %w", q.target, err)
		}
		for k, v := range raw {
			if hourly[k] != v {
				return fmt.Sprintf("%s %s = %q, the raw rows give %q", q.target, k, hourly[k], v), nil
			}
		}
		for k, v := range hourly {
			if _, ok := raw[k]; !ok {
				return fmt.Sprintf("%s %s = %q, no raw rows", q.target, k, v), nil
			}
		}
	}
	return "", nil
}
