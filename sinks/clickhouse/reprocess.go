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

// Reprocess re-tags the stored records created in [from, to), widened to
// whole hours, with analyze (the current lexicons) and stamps them with
// version. It works a day at a time, each day:
//
//  1. reads the day's records (FINAL) from feedback;
//  2. deletes their rows from feedback and aspect_mentions (mutations,
//     waited for) and inserts the new rows at the same Kafka positions;
//  3. deletes the day's hourly aggregates and recomputes them from the raw
//     tables, so that they stay exact.
//
// Running it again gives the same result, so a failed run is repaired by
// running it again. Chats keep their rows: their turns are not stored, so
// they cannot be analysed again turn by turn. Run it on past periods: a
// record of a reprocessed hour written by a live pipeline between steps 3's
// delete and recompute would be counted twice in the aggregates.
func (s *Sink) Reprocess(ctx context.Context, from, to time.Time, analyze func(text string, opts nlp.Options) *nlp.Result, version string) (ReprocessStats, error) {
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
		if err := s.reprocessRange(ctx, day, end, analyze, version, &st); err != nil {
			return st, err
		}
	}
	return st, nil
}

func (s *Sink) reprocessRange(ctx context.Context, from, to time.Time, analyze func(string, nlp.Options) *nlp.Result, version string, st *ReprocessStats) error {
	rng := fmt.Sprintf("created_at >= toDateTime(%d) AND created_at < toDateTime(%d)", from.Unix(), to.Unix())
	recs, err := s.storedRecords(ctx, rng, st)
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
	notChat := " AND kind != '" + feedback.KindChat + "'"
	if len(recs) > 0 {
		for _, t := range []string{ch.TableFeedback, ch.TableMentions} {
			if err := s.mutate(ctx, t, "DELETE WHERE "+rng+notChat); err != nil {
				return err
			}
		}
		now := time.Now().UTC().Truncate(time.Second)
		if err := s.insertFeedback(ctx, recs, now); err != nil {
			return err
		}
		n, err := s.insertMentions(ctx, recs, now)
		if err != nil {
			return err
		}
		st.Records += len(recs)
		st.Mentions += n
	}
	// Aggregates: recompute the hours from the raw tables.
	hours := fmt.Sprintf("hour >= toDateTime(%d) AND hour < toDateTime(%d)", from.Unix(), to.Unix())
	for _, t := range []string{ch.TableFeedbackHourly, ch.TablePainHourly} {
		if err := s.mutate(ctx, t, "DELETE WHERE "+hours); err != nil {
			return err
		}
	}
	for _, q := range []struct{ target, cols, sel, source string }{
		{ch.TableFeedbackHourly, ch.FeedbackHourlyColumns, ch.FeedbackHourlySelect, ch.TableFeedback},
		{ch.TablePainHourly, ch.PainHourlyColumns, ch.PainHourlySelect, ch.TableMentions},
	} {
		src := "(SELECT * FROM " + s.table(q.source) + " FINAL WHERE " + rng + ")"
		stmt := "INSERT INTO " + s.table(q.target) + " (" + q.cols + ") " + fmt.Sprintf(q.sel, src)
		if err := s.conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("clickhouse: reprocess: recompute %s: %w", q.target, err)
		}
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

// mutate runs ALTER TABLE … cmd and waits until the mutation is applied.
func (s *Sink) mutate(ctx context.Context, table, cmd string) error {
	if err := s.conn.Exec(ctx, "ALTER TABLE "+s.table(table)+" "+cmd); err != nil {
		return fmt.Errorf("clickhouse: reprocess: alter %s: %w", table, err)
	}
	for {
		var pending uint64
		if err := s.conn.QueryRow(ctx, "SELECT count() FROM system.mutations WHERE database = ? AND table = ? AND is_done = 0",
			s.cfg.Database, table).Scan(&pending); err != nil {
			return fmt.Errorf("clickhouse: reprocess: wait for mutation of %s: %w", table, err)
		}
		if pending == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("clickhouse: reprocess: wait for mutation of %s: %w", table, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
