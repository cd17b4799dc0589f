package query

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/vocproject/voc/store/ch"
)

// Topic volume and emerging aspects. Both read the customer rows of
// aspect_mentions (one row per nlp.Aspect), because they count distinct
// records per category or aspect, which the hourly tables cannot give (a
// record's rows of one category spread over subcategories and
// polarities). pain_hourly holds the same rows summed per hour (topic
// volume: sum(mentions) WHERE category != '' over every polarity); see
// examples.sql.

// recordKey identifies a record among aspect_mentions rows for counting
// distinct records: a 64-bit hash of its Kafka position, which
// uniqExact counts 3-4 times faster than the position itself (measured on
// 18.16 with 1M records). Two records of one count share a hash with a
// probability below 1e-7 for a million records.
const recordKey = "cityHash64(kafka_topic, kafka_partition, kafka_offset)"

// TopicVolume is how much customers talked about one category of the
// taxonomy in a period, whatever they said: its pain points, praise
// points, neutral opinions (hedged or asked) and topic mentions (the
// category named without an opinion).
type TopicVolume struct {
	Category string `json:"category"`
	// Records whose customer text has at least one row of the category.
	Records uint64 `json:"records"`
	// Volume is the category's aspect rows: Pain + Praise + Neutral.
	Volume uint64 `json:"volume"`
	Pain   uint64 `json:"pain"`
	Praise uint64 `json:"praise"`
	// Neutral counts neutral opinions and topic mentions; TopicMentions
	// is the part of them without an opinion.
	Neutral       uint64 `json:"neutral"`
	TopicMentions uint64 `json:"topic_mentions"`
	// Share is Records over all records of the period; NegativeShare is
	// Pain/Volume.
	Share         float64 `json:"share"`
	NegativeShare float64 `json:"negative_share"`
	// The previous period of the same length.
	PreviousRecords uint64  `json:"previous_records"`
	PreviousVolume  uint64  `json:"previous_volume"`
	PreviousShare   float64 `json:"previous_share"`
	// Change is Share/PreviousShare - 1 (1e9 when new), VolumeChange
	// Volume/PreviousVolume - 1 (1e9 when new). Z, P and Significant test
	// the share of records as PainChange does, corrected over all topics.
	Change       float64 `json:"change"`
	VolumeChange float64 `json:"volume_change"`
	Z            float64 `json:"z"`
	P            float64 `json:"p"`
	Significant  bool    `json:"significant"`
}

// Periods are a range [From, To) and the period of the same length
// before it, [PrevFrom, From), with all records of each.
type Periods struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	PrevFrom time.Time `json:"prev_from"`
	// Records and PreviousRecords are all records of each period.
	Records         uint64 `json:"records"`
	PreviousRecords uint64 `json:"previous_records"`
}

// TopicVolumes are the topics of [From, To) against the period of the
// same length before, by volume.
type TopicVolumes struct {
	Periods
	Items []TopicVolume `json:"items"`
}

// mentionsWhere returns the conditions and arguments of the customer rows
// of aspect_mentions matching f's product, channel and tier in [from, to),
// with the fixed conditions rows.
func (s *Store) mentionsWhere(f Filter, from, to time.Time, rows ...string) (string, []any) {
	g := f
	g.Category, g.Subcategory, g.Mentions = "", "", MentionFilter{}
	src := source{time: "created_at", where: append([]string{"role = 'customer'"}, rows...)}
	return src.conds(g, from, to, true)
}

// periodCounts returns the select list of a query of aspect_mentions rows
// over a period and the one of the same length before it (from divides
// them), grouped by key, with the arguments of its placeholders: key; the
// group's records (rec) and rows (n) since from, its negative (neg) and
// positive (pos) rows since from; the columns extra, whose placeholders
// also stand for from; and its records (prec) and rows (pn) before from.
func periodCounts(key string, from time.Time, extra ...string) (string, []any) {
	cols := append([]string{key,
		"uniqExactIf(" + recordKey + ", created_at >= ?) AS rec",
		"countIf(created_at >= ?) AS n",
		"countIf(created_at >= ? AND polarity = 'negative') AS neg",
		"countIf(created_at >= ? AND polarity = 'positive') AS pos"},
		extra...)
	cols = append(cols,
		"uniqExactIf("+recordKey+", created_at < ?) AS prec",
		"countIf(created_at < ?) AS pn")
	list := strings.Join(cols, ",\n    ")
	args := make([]any, strings.Count(list, "?"))
	for i := range args {
		args[i] = from
	}
	return list, args
}

// Topics returns the topic volume of every category talked about in f's
// range or the period of the same length before it, by volume in the
// range (then by records, category), at most limit (0: all). f's pain
// point and mention filter are ignored.
func (s *Store) Topics(ctx context.Context, f Filter, limit int) (*TopicVolumes, error) {
	f.Category, f.Subcategory, f.Mentions = "", "", MentionFilter{}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	prev := f.From.Add(-f.To.Sub(f.From))
	out := &TopicVolumes{Periods: Periods{From: f.From.In(f.zone()), To: f.To.In(f.zone()), PrevFrom: prev.In(f.zone())}, Items: []TopicVolume{}}
	var wg sync.WaitGroup
	var totalsErr error
	wg.Go(func() { out.Records, out.PreviousRecords, totalsErr = s.periodTotals(ctx, f, prev) })
	cols, qargs := periodCounts("category", f.From.UTC(),
		"countIf(created_at >= ? AND polarity = 'neutral') AS neu",
		"countIf(created_at >= ? AND opinion = '') AS bare")
	where, args := s.mentionsWhere(f, prev, f.To, TopicRows)
	q := `SELECT ` + cols + `
FROM ` + s.table(ch.TableMentions) + `
WHERE ` + where + `
GROUP BY category
ORDER BY n DESC, rec DESC, category`
	if limit > 0 {
		q += fmt.Sprintf("\nLIMIT %d", limit)
	}
	qargs = append(qargs, args...)
	var err error
	out.Items, err = queryRows(ctx, s, "topics", q, qargs, out.Items, func(r ch.Row) (TopicVolume, error) {
		var t TopicVolume
		if err := r.Scan(&t.Category, &t.Records, &t.Volume, &t.Pain, &t.Praise, &t.Neutral, &t.TopicMentions,
			&t.PreviousRecords, &t.PreviousVolume); err != nil {
			return t, err
		}
		return t, nil
	})
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if totalsErr != nil {
		return nil, fmt.Errorf("clickhouse: topics: %w", totalsErr)
	}
	n1, n0 := float64(out.Records), float64(out.PreviousRecords)
	pv := make([]float64, len(out.Items))
	for i := range out.Items {
		t := &out.Items[i]
		t.Share = ratio(float64(t.Records), n1)
		t.PreviousShare = ratio(float64(t.PreviousRecords), n0)
		t.NegativeShare = ratio(float64(t.Pain), float64(t.Volume))
		t.Change = shareChange(t.Share, t.PreviousShare)
		t.VolumeChange = shareChange(float64(t.Volume), float64(t.PreviousVolume))
		t.Z, t.P = TwoProportionZ(t.Records, out.Records, t.PreviousRecords, out.PreviousRecords)
		pv[i] = t.P
	}
	for i, sig := range significant(pv) {
		out.Items[i].Significant = sig
	}
	return out, nil
}

// OpinionCount is an opinion word said about an aspect, with how often.
type OpinionCount struct {
	Opinion  string `json:"opinion"`
	Mentions uint64 `json:"mentions"`
}

// UnmappedAspect is an aspect the taxonomy does not know that customers
// gave an opinion about (category "", e.g. 指纹识别 很慢): a candidate
// for the taxonomy.
type UnmappedAspect struct {
	Aspect string `json:"aspect"`
	// Records with at least one opinion about it; Mentions the opinions.
	Records       uint64  `json:"records"`
	Mentions      uint64  `json:"mentions"`
	Negative      uint64  `json:"negative"`
	Positive      uint64  `json:"positive"`
	Neutral       uint64  `json:"neutral"`
	NegativeShare float64 `json:"negative_share"` // Negative/Mentions
	// Opinions are its most common opinion words, most frequent first.
	Opinions []OpinionCount `json:"opinions"`
	// FirstSeen is its first mention in the period.
	FirstSeen time.Time `json:"first_seen"`
	// The previous period of the same length; New when it had no mention
	// there.
	PreviousRecords  uint64 `json:"previous_records"`
	PreviousMentions uint64 `json:"previous_mentions"`
	New              bool   `json:"new"`
	// Share and PreviousShare are its records over all records of each
	// period; Change is Share/PreviousShare - 1 (1e9 when new).
	Share         float64 `json:"share"`
	PreviousShare float64 `json:"previous_share"`
	Change        float64 `json:"change"`
}

// UnmappedAspects are the emerging aspects of [From, To).
type UnmappedAspects struct {
	Periods
	// UnmappedRecords are the records of the period with at least one
	// opinion about an aspect the taxonomy does not know, Aspects the
	// distinct such aspects, Mentions those opinions: how much the
	// taxonomy misses.
	UnmappedRecords uint64           `json:"unmapped_records"`
	Aspects         uint64           `json:"aspects"`
	Mentions        uint64           `json:"mentions"`
	Items           []UnmappedAspect `json:"items"`
}

// maxOpinions is how many opinion words an UnmappedAspect lists.
const maxOpinions = 3

// UnmappedAspects returns the aspects outside the taxonomy that customers
// gave opinions about in f's range, most records first (then mentions,
// aspect), those on at least minRecords records, at most limit (0: all),
// compared with the period of the same length before. f's pain point and
// mention filter are ignored.
func (s *Store) UnmappedAspects(ctx context.Context, f Filter, minRecords, limit int) (*UnmappedAspects, error) {
	f.Category, f.Subcategory, f.Mentions = "", "", MentionFilter{}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	prev := f.From.Add(-f.To.Sub(f.From))
	from := f.From.UTC()
	out := &UnmappedAspects{Periods: Periods{From: f.From.In(f.zone()), To: f.To.In(f.zone()), PrevFrom: prev.In(f.zone())}, Items: []UnmappedAspect{}}
	// All records, the coverage of the period and the aspects, at once.
	var wg sync.WaitGroup
	var totalsErr, coverErr error
	wg.Go(func() { out.Records, out.PreviousRecords, totalsErr = s.periodTotals(ctx, f, prev) })
	wg.Go(func() {
		where, args := s.mentionsWhere(f, f.From, f.To, UnmappedRows)
		q := `SELECT uniqExact(` + recordKey + `), uniqExact(aspect), count() FROM ` + s.table(ch.TableMentions) + ` WHERE ` + where
		coverErr = s.conn.QueryRow(ctx, q, args...).Scan(&out.UnmappedRecords, &out.Aspects, &out.Mentions)
	})
	cols, qargs := periodCounts("aspect", from, "minIf(created_at, created_at >= ?) AS seen")
	where, args := s.mentionsWhere(f, prev, f.To, UnmappedRows)
	q := `SELECT ` + cols + `
FROM ` + s.table(ch.TableMentions) + `
WHERE ` + where + `
GROUP BY aspect
HAVING rec >= ?
ORDER BY rec DESC, n DESC, aspect`
	if limit > 0 {
		q += fmt.Sprintf("\nLIMIT %d", limit)
	}
	qargs = append(qargs, args...)
	qargs = append(qargs, uint64(max(minRecords, 1)))
	byAspect := map[string]int{}
	err := s.query(ctx, "unmapped aspects", q, qargs, func(r ch.Row) error {
		a := UnmappedAspect{Opinions: []OpinionCount{}}
		if err := r.Scan(&a.Aspect, &a.Records, &a.Mentions, &a.Negative, &a.Positive, &a.FirstSeen, &a.PreviousRecords, &a.PreviousMentions); err != nil {
			return err
		}
		byAspect[a.Aspect] = len(out.Items)
		out.Items = append(out.Items, a)
		return nil
	})
	wg.Wait()
	switch {
	case err != nil:
		return nil, err
	case totalsErr != nil:
		return nil, fmt.Errorf("clickhouse: unmapped aspects: %w", totalsErr)
	case coverErr != nil:
		return nil, fmt.Errorf("clickhouse: unmapped aspects: totals: %w", coverErr)
	}
	for i := range out.Items {
		a := &out.Items[i]
		a.Neutral = a.Mentions - a.Negative - a.Positive
		a.NegativeShare = ratio(float64(a.Negative), float64(a.Mentions))
		a.New = a.PreviousMentions == 0
		a.Share = ratio(float64(a.Records), float64(out.Records))
		a.PreviousShare = ratio(float64(a.PreviousRecords), float64(out.PreviousRecords))
		a.Change = shareChange(a.Share, a.PreviousShare)
	}
	if len(out.Items) == 0 {
		return out, nil
	}
	// The commonest opinion words of the listed aspects.
	aspects := make([]string, len(out.Items))
	for i, a := range out.Items {
		aspects[i] = a.Aspect
	}
	where, args = s.mentionsWhere(f, f.From, f.To, UnmappedRows)
	q = `SELECT aspect, opinion, count() AS n
FROM ` + s.table(ch.TableMentions) + `
WHERE ` + where + ` AND has(?, aspect)
GROUP BY aspect, opinion
ORDER BY aspect, n DESC, opinion`
	err = s.query(ctx, "unmapped aspects: opinions", q, append(args, aspects), func(r ch.Row) error {
		var a string
		var o OpinionCount
		if err := r.Scan(&a, &o.Opinion, &o.Mentions); err != nil {
			return err
		}
		if i, ok := byAspect[a]; ok && len(out.Items[i].Opinions) < maxOpinions && strings.TrimSpace(o.Opinion) != "" {
			out.Items[i].Opinions = append(out.Items[i].Opinions, o)
		}
		return nil
	})
	return out, err
}
