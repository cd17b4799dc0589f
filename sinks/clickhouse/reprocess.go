package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/store/ch"
)

// ReprocessStats reports what Reprocess did.
type ReprocessStats struct {
	Records  int // records re-tagged
	Mentions int // aspect mentions written for them
	Changed  int // records whose pain points, praise points or sentiment label changed
	Chats    int // chat records left as they were (their turns are not stored)
}

// ErrReprocessCluster is returned by Reprocess in distributed mode.
var ErrReprocessCluster = errors.New("clickhouse: reprocess: not supported with distributed tables")

// ReprocessOptions are the optional parts of a reprocess.
type ReprocessOptions struct {
	// Index, when set, re-indexes each day's re-tagged records (the search
	// index sink's WriteBatch): documents are replaced by id.
	Index func(ctx context.Context, recs []*pipeline.Record) error
}

// The steps of reprocessing a day, in order; reprocessHook (tests) may
// fail any of them to simulate a crash before it.
const (
	stepFeedback = "feedback" // new feedback rows
	stepMentions = "mentions" // new aspect_mentions rows and hidden extras
	stepIndex    = "index"    // re-index
	stepHourly   = "hourly"   // rebuilt hours, one generation up
	stepRollup   = "rollup"   // catch-up rollup of the live rows
)

// Reprocess re-tags the stored records created in [from, to), widened to
// whole hours, with analyze (the current lexicons) and stamps them with
// version. It never deletes a row and never leaves a moment where a record
// is missing; it works a day at a time, each day:
//
//  1. reads the day's records from feedback (FINAL) and the number of
//     mention rows stored for each;
//  2. inserts their new feedback rows at the same Kafka positions: the
//     raw tables are ReplacingMergeTree without a version column, so the
//     row inserted last replaces the older one on merge, and FINAL, which
//     every reader uses (ch.DB.Read), already reads it;
//  3. inserts their new aspect_mentions rows, at mention indexes 0..n-1,
//     and for a record that had more mentions before, a row without a role
//     at each extra index: it replaces the old mention the same way, and
//     readers skip it (no role, no category);
//  4. re-indexes the records (opts.Index);
//  5. rebuilds the day's hours of every hourly table, per Kafka
//     partition, from the raw rows below the partition's aggregated offset
//     next(G) with version (generation(G)+1, next(G)), and zero rows for
//     the keys that disappeared (see "Hourly aggregates" in the package
//     comment);
//  6. rolls up each partition as the sink does after a batch, so that rows
//     written by a live pipeline meanwhile are counted again on top of the
//     rebuilt hours.
//
// Records written meanwhile by a live pipeline (late arrivals in the
// period) are kept: they have positions of their own, and step 6 counts
// them. Each step can be interrupted and the whole run repeated: running
// it again writes the same rows, a generation up. Between an interrupted
// run and its rerun, the hourly tables may still count the old tags of the
// period. Chats keep their rows: their turns are not stored, so they
// cannot be analysed again turn by turn.
func (s *Sink) Reprocess(ctx context.Context, from, to time.Time, analyze func(text string, opts nlp.Options) *nlp.Result, version string, opts ReprocessOptions) (ReprocessStats, error) {
	var st ReprocessStats
	if s.cfg.Distributed {
		return st, ErrReprocessCluster
	}
	if !to.After(from) {
		return st, fmt.Errorf("clickhouse: reprocess: empty range %s - %s", from, to)
	}
	from = from.UTC().Truncate(time.Hour)
	if t := to.UTC().Truncate(time.Hour); t.Before(to) {
		to = t.Add(time.Hour)
	} else {
		to = t
	}
	for day := from; day.Before(to); day = day.Add(24 * time.Hour) {
		end := day.Add(24 * time.Hour)
		if end.After(to) {
			end = to
		}
		if err := s.reprocessRange(ctx, day, end, analyze, version, opts, &st); err != nil {
			return st, err
		}
	}
	return st, s.mergeRaw(ctx, from, to)
}

// mergeRaw merges the monthly partitions of the raw tables that [from, to)
// touches (OPTIMIZE … FINAL), so that the rows reprocess replaced are gone
// for the readers that do not read with FINAL (ch.DB.Query). Rerunning
// reprocess after an interruption merges them too.
func (s *Sink) mergeRaw(ctx context.Context, from, to time.Time) error {
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(to); m = m.AddDate(0, 1, 0) {
		for _, t := range []string{ch.TableFeedback, ch.TableMentions} {
			q := fmt.Sprintf("OPTIMIZE TABLE %s PARTITION %d FINAL", s.table(t), m.Year()*100+int(m.Month()))
			if err := s.conn.Exec(ctx, q); err != nil {
				return fmt.Errorf("clickhouse: reprocess: merge %s: %w", t, err)
			}
		}
	}
	return nil
}

func (s *Sink) step(name string) error {
	if s.reprocessHook != nil {
		return s.reprocessHook(name)
	}
	return nil
}

func (s *Sink) reprocessRange(ctx context.Context, from, to time.Time, analyze func(string, nlp.Options) *nlp.Result, version string, opts ReprocessOptions, st *ReprocessStats) error {
	rng := fmt.Sprintf("created_at >= toDateTime(%d) AND created_at < toDateTime(%d)", from.Unix(), to.Unix())
	recs, err := s.storedRecords(ctx, rng, st)
	if err != nil {
		return err
	}
	stored, err := s.mentionCounts(ctx, rng)
	if err != nil {
		return err
	}
	for _, r := range recs {
		old := r.Analysis
		res := analyze(old.Text, nlp.Options{Rating: r.Feedback.Rating, Conversational: r.Feedback.IsConversational()})
		if res == nil {
			return fmt.Errorf("clickhouse: reprocess: no analysis of record %q", r.ID)
		}
		res.PII = old.PII // the stored text is already masked: keep what was found then
		_, p0, q0 := points(old.Aspects)
		_, p1, q1 := points(res.Aspects)
		if fmt.Sprint(p0, q0, old.Sentiment.Label) != fmt.Sprint(p1, q1, res.Sentiment.Label) {
			st.Changed++
		}
		r.Analysis, r.LexiconVersion = res, version
	}
	if len(recs) > 0 {
		now := time.Now().UTC().Truncate(time.Second)
		if err := s.step(stepFeedback); err != nil {
			return err
		}
		if err := s.insertFeedback(ctx, recs, now); err != nil {
			return fmt.Errorf("clickhouse: reprocess: %w", err)
		}
		if err := s.step(stepMentions); err != nil {
			return err
		}
		var rows [][]any
		for _, r := range recs {
			mr := mentionRows(r, now)
			rows = append(rows, mr...)
			st.Mentions += len(mr)
			for i := len(mr); i < stored[r.Msg.Pos]; i++ {
				rows = append(rows, hiddenMention(r, i))
			}
		}
		if err := s.insertRows(ctx, ch.TableMentions, mentionColumns, rows); err != nil {
			return fmt.Errorf("clickhouse: reprocess: %w", err)
		}
		if opts.Index != nil {
			if err := s.step(stepIndex); err != nil {
				return err
			}
			if err := opts.Index(ctx, recs); err != nil {
				return fmt.Errorf("clickhouse: reprocess: index: %w", err)
			}
		}
		st.Records += len(recs)
	}
	parts, err := s.rangePartitions(ctx, rng)
	if err != nil {
		return err
	}
	if err := s.step(stepHourly); err != nil {
		return err
	}
	for _, p := range parts {
		for _, a := range aggregates {
			if err := s.rebuildHours(ctx, a, p, from, to); err != nil {
				return err
			}
		}
	}
	if err := s.step(stepRollup); err != nil {
		return err
	}
	if err := s.rollupAll(ctx, parts, false); err != nil {
		return fmt.Errorf("clickhouse: reprocess: %w", err)
	}
	return nil
}

// hiddenMention is the row that hides mention i of r, which the new
// analysis no longer has: same position and index, no role, no category,
// no polarity, so that no reader counts it.
func hiddenMention(r *pipeline.Record, i int) []any {
	return []any{
		r.ID, uint16(min(i, 65535)), uint16(0), "", createdAt(r, time.Time{}),
		r.Feedback.Product, r.Feedback.Channel, kind(r.Feedback), tier(r.Feedback),
		"", "", "", "", "", uint32(0), uint32(0), float32(0), uint8(0),
		r.Msg.Pos.Topic, int32(r.Msg.Pos.Partition), r.Msg.Pos.Offset,
	}
}

// mentionCounts returns the number of mention rows (hidden ones included)
// stored for each position of rng.
func (s *Sink) mentionCounts(ctx context.Context, rng string) (map[pipeline.Position]int, error) {
	out := map[pipeline.Position]int{}
	q := "SELECT kafka_topic, kafka_partition, kafka_offset, toUInt64(max(mention) + 1) FROM " + s.db.Read(ch.TableMentions) +
		" WHERE " + rng + " GROUP BY kafka_topic, kafka_partition, kafka_offset"
	err := ch.EachRow(ctx, s.conn, q, nil, func(r ch.Row) error {
		var (
			p    pipeline.Position
			part int32
			n    uint64
		)
		if err := r.Scan(&p.Topic, &part, &p.Offset, &n); err != nil {
			return err
		}
		p.Partition = int(part)
		out[p] = int(n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("clickhouse: reprocess: count mentions: %w", err)
	}
	return out, nil
}

// rangePartitions returns the Kafka partitions with records in rng.
func (s *Sink) rangePartitions(ctx context.Context, rng string) ([]partKey, error) {
	var out []partKey
	q := "SELECT DISTINCT kafka_topic, kafka_partition FROM " + s.table(ch.TableFeedback) + " WHERE " + rng
	err := ch.EachRow(ctx, s.conn, q, nil, func(r ch.Row) error {
		var k partKey
		if err := r.Scan(&k.topic, &k.partition); err != nil {
			return err
		}
		out = append(out, k)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("clickhouse: reprocess: list partitions: %w", err)
	}
	return out, nil
}

// rebuildHours writes the hours [from, to) of a for partition p from the
// raw rows (FINAL) below next(G), where G is the highest version of p's
// rows in a, with version (generation(G)+1, next(G)); keys of those hours
// without raw rows get zero rows.
func (s *Sink) rebuildHours(ctx context.Context, a aggregate, p partKey, from, to time.Time) error {
	fail := func(step string, err error) error {
		return fmt.Errorf("clickhouse: reprocess: rebuild %s of %s/%d: %s: %w", a.table, p.topic, p.partition, step, err)
	}
	var top uint64
	if err := s.conn.QueryRow(ctx, "SELECT max(version) FROM "+s.table(a.table)+" WHERE kafka_topic = ? AND kafka_partition = ?",
		p.topic, p.partition).Scan(&top); err != nil {
		return fail("read version", err)
	}
	gen, next := ch.SplitVersion(top)
	version := ch.Version(gen+1, next)
	hours := fmt.Sprintf("hour >= toDateTime(%d) AND hour < toDateTime(%d)", from.Unix(), to.Unix())
	rng := fmt.Sprintf("created_at >= toDateTime(%d) AND created_at < toDateTime(%d)", from.Unix(), to.Unix())

	fresh := map[string]*hourlyRow{}
	var order []*hourlyRow
	src := "(SELECT * FROM " + s.db.Read(a.source) + " WHERE kafka_topic = ? AND kafka_partition = ? AND kafka_offset < ? AND " + rng + ")"
	q := "SELECT " + a.selectColumns(true) + " FROM (" + fmt.Sprintf(a.sel, src) + ")"
	if err := ch.EachRow(ctx, s.conn, q, []any{p.topic, p.partition, next}, func(row ch.Row) error {
		_, r, err := a.scan(row, true)
		if err == nil {
			fresh[r.key()] = r
			order = append(order, r)
		}
		return err
	}); err != nil {
		return fail("aggregate raw rows", err)
	}
	q = "SELECT " + a.selectColumns(false) + " FROM " + s.db.Read(a.table) + " WHERE kafka_topic = ? AND kafka_partition = ? AND " + hours
	if err := ch.EachRow(ctx, s.conn, q, []any{p.topic, p.partition}, func(row ch.Row) error {
		_, r, err := a.scan(row, false)
		if err != nil {
			return err
		}
		if fresh[r.key()] == nil {
			zero := &hourlyRow{hour: r.hour, dims: r.dims, counts: make([]uint64, len(a.counts))}
			fresh[r.key()] = zero
			order = append(order, zero)
		}
		return nil
	}); err != nil {
		return fail("read current rows", err)
	}
	rows := make([][]any, 0, len(order))
	for _, r := range order {
		rows = append(rows, a.row(p, r, version))
	}
	if err := s.insertRows(ctx, a.table, a.columns, rows); err != nil {
		return fail("insert", err)
	}
	return nil
}

// storedRecords rebuilds the non-chat records of rng from feedback, with
// their stored analysis (text, PII, sentiment label, points) in Analysis.
func (s *Sink) storedRecords(ctx context.Context, rng string, st *ReprocessStats) ([]*pipeline.Record, error) {
	var chats uint64
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM "+s.table(ch.TableFeedback)+" FINAL WHERE "+rng+" AND kind = 'chat'").Scan(&chats); err != nil {
		return nil, fmt.Errorf("clickhouse: reprocess: count chats: %w", err)
	}
	st.Chats += int(chats)
	q := `SELECT id, kind, channel, product, created_at, rating, csat, nps, customer_id, customer_tier, region, agent_id, lang,
	text, sentiment_label, pain_points, praise_points, pii, kafka_topic, kafka_partition, kafka_offset
	FROM ` + s.table(ch.TableFeedback) + ` FINAL WHERE ` + rng + ` AND kind != 'chat'`
	rows, err := s.conn.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: reprocess: read feedback: %w", err)
	}
	defer rows.Close()
	var out []*pipeline.Record
	for rows.Next() {
		var (
			m              feedback.Message
			created        time.Time
			rating, csat   uint8
			nps            int8
			label          string
			pains, praises []string
			pii            []string
			topic          string
			partition      int32
			offset         int64
		)
		if err := rows.Scan(&m.ID, &m.Kind, &m.Channel, &m.Product, &created, &rating, &csat, &nps, &m.Customer.ID, &m.Customer.Tier,
			&m.Region, &m.AgentID, &m.Lang, &m.Text, &label, &pains, &praises, &pii, &topic, &partition, &offset); err != nil {
			return nil, fmt.Errorf("clickhouse: reprocess: read feedback: %w", err)
		}
		m.CreatedAt, m.Rating, m.CSAT = created, int(rating), int(csat)
		if nps >= 0 {
			v := int(nps)
			m.NPS = &v
		}
		old := &nlp.Result{Text: m.Text, PII: pii, Sentiment: nlp.Sentiment{Label: label}}
		for _, p := range pains {
			old.Aspects = append(old.Aspects, pointAspect(p, nlp.Negative))
		}
		for _, p := range praises {
			old.Aspects = append(old.Aspects, pointAspect(p, nlp.Positive))
		}
		out = append(out, &pipeline.Record{
			Msg:      pipeline.Message{Pos: pipeline.Position{Topic: topic, Partition: int(partition), Offset: offset}, Time: created},
			ID:       m.ID,
			Feedback: &m,
			Analysis: old,
		})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: reprocess: read feedback: %w", err)
	}
	return out, nil
}

func pointAspect(key, polarity string) nlp.Aspect {
	for i := 0; i < len(key); i++ {
		if key[i] == '/' {
			return nlp.Aspect{Category: key[:i], Subcategory: key[i+1:], Polarity: polarity}
		}
	}
	return nlp.Aspect{Category: key, Polarity: polarity}
}
