package clickhouse

import (
	"context"
	"slices"
	"strings"
	"time"
)

// pending is the aggregate, per hourly key, of the raw rows this sink
// inserted into one table for one partition since its last rollup of it
// began: the rollup's delta when nobody else wrote the partition (see
// "Hourly aggregates" in the package comment).
type pending struct {
	rows   int      // raw rows inserted
	lo, hi int64    // their lowest and highest offset
	last   [2]int64 // the position (offset, mention) of the last one
	keys   map[string]*hourlyRow
	bad    bool // a row whose hour is not computed here as ClickHouse does
}

// columnIndex maps the names of an insert column list to their positions.
func columnIndex(columns string) map[string]int {
	m := map[string]int{}
	for i, c := range strings.Split(columns, ",") {
		m[strings.TrimSpace(c)] = i
	}
	return m
}

var (
	feedbackCol = columnIndex(feedbackColumns)
	mentionCol  = columnIndex(mentionColumns)
)

// foldFeedback is FeedbackHourlySelect for one feedback insert row.
func foldFeedback(row []any) (ok bool, dims []string, counts []uint64, sum float64) {
	c := feedbackCol
	label, intent := row[c["sentiment_label"]].(string), row[c["intent"]].(string)
	var neg, complaint uint64
	if label == "negative" {
		neg = 1
	}
	if intent == "投诉" || label == "negative" {
		complaint = 1
	}
	dims = []string{row[c["product"]].(string), row[c["channel"]].(string), row[c["kind"]].(string), row[c["customer_tier"]].(string)}
	counts = []uint64{1, neg, complaint, uint64(row[c["escalation"]].(uint8))}
	return true, dims, counts, float64(row[c["sentiment"]].(float32))
}

// foldMention is PainHourlySelect for one aspect_mentions insert row.
func foldMention(row []any) (ok bool, dims []string, counts []uint64, sum float64) {
	c := mentionCol
	if row[c["role"]].(string) != "customer" {
		return false, nil, nil, 0
	}
	first := row[c["is_first"]].(uint8)
	if first == 1 {
		sum = float64(row[c["sentiment"]].(float32))
	}
	dims = []string{row[c["category"]].(string), row[c["subcategory"]].(string), row[c["product"]].(string),
		row[c["channel"]].(string), row[c["polarity"]].(string)}
	return true, dims, []uint64{1, uint64(first)}, sum
}

// startOfHour is toStartOfHour(t) on a server in loc; false where that
// is not the UTC hour (an offset of part of an hour, a clock change
// within an hour of t).
func startOfHour(t time.Time, loc *time.Location) (time.Time, bool) {
	h := t.Truncate(time.Hour)
	if loc == nil {
		return h, false
	}
	_, off := t.In(loc).Zone()
	for _, u := range []time.Time{h, h.Add(-time.Hour), h.Add(2 * time.Hour)} {
		if _, o := u.In(loc).Zone(); o != off {
			return h, false
		}
	}
	return h, off%3600 == 0
}

// serverLocation is the time zone ClickHouse computes hours in, read once;
// nil when it cannot be read or loaded (no fast path then).
func (s *Sink) serverLocation(ctx context.Context) *time.Location {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.tzRead {
		s.tzRead = true
		var tz string
		if err := s.conn.QueryRow(ctx, "SELECT timezone()").Scan(&tz); err == nil {
			s.tz, _ = time.LoadLocation(tz)
		}
	}
	return s.tz
}

// note adds rows, just inserted into table by WriteBatch (columns per
// insert column list), to the pending aggregates of their partitions. A
// partition's rows must come in increasing positions, each once: a
// position noted twice (a row inserted again) makes its pending bad.
func (s *Sink) note(ctx context.Context, table string, rows [][]any) {
	i := slices.IndexFunc(aggregates, func(a aggregate) bool { return a.source == table })
	if i < 0 {
		return
	}
	a, col := aggregates[i], aggregates[i].col
	loc := s.serverLocation(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, row := range rows {
		p := partKey{row[col["kafka_topic"]].(string), row[col["kafka_partition"]].(int32)}
		off := row[col["kafka_offset"]].(int64)
		pos := [2]int64{off, 0}
		if i, ok := col["mention"]; ok {
			pos[1] = int64(row[i].(uint16))
		}
		k := rollupKey{a.table, p}
		pd := s.pending[k]
		if pd == nil {
			pd = &pending{lo: off, hi: off, keys: map[string]*hourlyRow{}}
			s.pending[k] = pd
		} else if pos[0] < pd.last[0] || pos[0] == pd.last[0] && pos[1] <= pd.last[1] {
			pd.bad = true
		}
		pd.last = pos
		pd.rows++
		pd.lo, pd.hi = min(pd.lo, off), max(pd.hi, off)
		ok, dims, counts, sum := a.fold(row)
		if !ok {
			continue
		}
		hour, exact := startOfHour(row[col["created_at"]].(time.Time), loc)
		if !exact {
			pd.bad = true
			continue
		}
		r := &hourlyRow{hour: hour, dims: dims, counts: counts, sum: sum, first: off, version: uint64(off + 1)}
		if cur := pd.keys[r.key()]; cur != nil {
			cur.add(r)
			cur.first = min(cur.first, off)
			cur.version = max(cur.version, uint64(off+1))
		} else {
			pd.keys[r.key()] = r
		}
	}
}

// takePending returns and forgets the pending aggregate of p in table a.
func (s *Sink) takePending(a aggregate, p partKey) *pending {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := rollupKey{a.table, p}
	pd := s.pending[k]
	delete(s.pending, k)
	return pd
}
