package clickhouse

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"

	"github.com/vocproject/voc/store/ch"
)

// TestReprocess re-tags stored records with another analysis: raw rows,
// mentions and hourly aggregates must equal those of records written with
// that analysis in the first place, chats stay as they were, and running
// it twice changes nothing.
func TestReprocess(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	recs := genBatch("reviews", []int{0, 1, 2}, 0, 60)
	write(t, s, recs)

	retag := func(text string, opts nlp.Options) *nlp.Result {
		return &nlp.Result{Text: text, Sentiment: nlp.Sentiment{Score: 0.5, Label: nlp.Positive, Confidence: 0.9},
			Aspects: []nlp.Aspect{{Category: "质量", Subcategory: "漏液", Polarity: nlp.Negative, Span: [2]int{0, 2}}},
			Intent:  nlp.IntentComplaint}
	}
	chats := 0
	for _, r := range recs {
		if r.Feedback.Kind == feedback.KindChat {
			chats++
			continue
		}
		a := retag(r.Analysis.Text, nlp.Options{})
		a.PII = r.Analysis.PII
		r.Analysis, r.LexiconVersion = a, "v2"
	}
	want := expected(recs)
	for run := range 2 {
		st, err := s.Reprocess(ctx, baseTime, baseTime.Add(48*time.Hour), retag, "v2", ReprocessOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if st.Records != len(recs)-chats || st.Chats != chats {
			t.Errorf("run %d: %+v, want %d records and %d chats", run, st, len(recs)-chats, chats)
		}
		checkCounts(t, s, want)
	}
	var old uint64
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM "+s.table(ch.TableFeedback)+" FINAL WHERE kind != 'chat' AND lexicon_version != 'v2'").Scan(&old); err != nil {
		t.Fatal(err)
	}
	if old != 0 {
		t.Errorf("%d records keep the old lexicon version", old)
	}
	// the replaced rows are merged away: the product's readers, which read
	// the raw tables without FINAL, see one row per position
	for _, tb := range []string{ch.TableFeedback, ch.TableMentions} {
		var rows, keys uint64
		if err := s.conn.QueryRow(ctx, "SELECT count(), uniqExact(kafka_topic, kafka_partition, kafka_offset, "+
			map[string]string{ch.TableFeedback: "0", ch.TableMentions: "mention"}[tb]+") FROM "+s.table(tb)).Scan(&rows, &keys); err != nil {
			t.Fatal(err)
		}
		if rows != keys {
			t.Errorf("%s after reprocess: %d rows for %d keys without FINAL", tb, rows, keys)
		}
	}
	if _, err := s.Reprocess(ctx, baseTime, baseTime, retag, "v2", ReprocessOptions{}); err == nil {
		t.Error("empty range: no error")
	}
}

// retagByRating is an analysis that differs from the generated one and
// gives a record 0 to 2 mentions after its rating, so that re-tagging
// both adds and hides mentions.
func retagByRating(text string, opts nlp.Options) *nlp.Result {
	as := []nlp.Aspect{
		{Category: "质量", Subcategory: "漏液", Aspect: "杯盖", Opinion: "漏水", Polarity: nlp.Negative, Span: [2]int{0, 2}},
		{Category: "服务", Subcategory: "客服态度", Aspect: "客服", Opinion: "好", Polarity: nlp.Positive, Span: [2]int{3, 5}},
	}
	n := opts.Rating % 3
	label, score := nlp.Negative, -0.5
	if n == 0 {
		label, score = nlp.Positive, 0.75
	}
	return &nlp.Result{Text: text, Sentiment: nlp.Sentiment{Score: score, Label: label, Confidence: 0.9},
		Aspects: as[:n], Intent: nlp.IntentInquiry, Escalation: n == 2}
}

// retagged returns what recs are once reprocessed with analyze: chats as
// they were, every other record with the new analysis.
func retagged(recs []*pipeline.Record, analyze func(string, nlp.Options) *nlp.Result, version string) []*pipeline.Record {
	var out []*pipeline.Record
	for _, r := range recs {
		if r.Feedback.Kind == feedback.KindChat {
			out = append(out, r)
			continue
		}
		c := *r
		c.Analysis = analyze(r.Analysis.Text, nlp.Options{Rating: r.Feedback.Rating})
		c.Analysis.PII = r.Analysis.PII
		c.LexiconVersion = version
		out = append(out, &c)
	}
	return out
}

// TestReprocessCrashAtEveryStep interrupts reprocess before each of its
// steps (the crash of a process between two statements), writes late
// arrivals into the period, then runs it again: no record is lost or
// doubled, every record carries the new tags, the index received every
// re-tagged record, and every hourly aggregate equals the aggregate of the
// raw rows.
func TestReprocessCrashAtEveryStep(t *testing.T) {
	errCrash := errors.New("crash")
	for _, step := range []string{stepFeedback, stepMentions, stepIndex, stepHourly, stepRollup} {
		t.Run(step, func(t *testing.T) {
			ctx := context.Background()
			s := openTest(t)
			recs := genBatch("crash", []int{0, 1, 2}, 0, 60)
			write(t, s, recs)
			indexed := map[string]string{}
			opts := ReprocessOptions{Index: func(_ context.Context, rs []*pipeline.Record) error {
				for _, r := range rs {
					indexed[r.ID] = r.LexiconVersion
				}
				return nil
			}}
			s.reprocessHook = func(at string) error {
				if at == step {
					return errCrash
				}
				return nil
			}
			if _, err := s.Reprocess(ctx, baseTime, baseTime.Add(48*time.Hour), retagByRating, "v2", opts); !errors.Is(err, errCrash) {
				t.Fatalf("reprocess with a crash before %s: %v", step, err)
			}
			late := genBatch("crash", []int{0, 1, 2}, 60, 80) // late arrivals into the period
			write(t, s, late)
			s.reprocessHook = nil
			if msg := hourlyMismatch(t, s); msg != "" && step == stepFeedback {
				t.Errorf("before the rerun: %s", msg)
			}
			if _, err := s.Reprocess(ctx, baseTime, baseTime.Add(48*time.Hour), retagByRating, "v2", opts); err != nil {
				t.Fatal(err)
			}
			all := retagged(append(recs, late...), retagByRating, "v2")
			checkCounts(t, s, expected(all))
			if msg := hourlyMismatch(t, s); msg != "" {
				t.Error(msg)
			}
			for _, r := range all {
				if r.Feedback.Kind != feedback.KindChat && indexed[r.ID] != "v2" {
					t.Errorf("record %s not re-indexed", r.ID)
					break
				}
			}
		})
	}
}

// TestReprocessWhileWriting reprocesses a period while a live sink keeps
// writing late arrivals into it: every record is kept once and every
// hourly aggregate equals the aggregate of the raw rows, whichever tags
// the late arrivals ended with.
func TestReprocessWhileWriting(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	live, err := Open(ctx, s.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close(ctx)
	recs := genBatch("live", []int{0, 1}, 0, 100)
	write(t, s, recs)
	done := make(chan error, 1)
	var late []*pipeline.Record
	go func() {
		for off := int64(100); off < 300; off += 20 {
			b := genBatch("live", []int{0, 1}, off, off+20)
			late = append(late, b...)
			if err := live.WriteBatch(ctx, b); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range 2 {
		if _, err := s.Reprocess(ctx, baseTime, baseTime.Add(48*time.Hour), retagByRating, "v2", ReprocessOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c, err := s.DB().Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := uint64(len(recs) + len(late)); c.Records != n || c.DistinctRecords != n || c.HourlyRecords != n {
		t.Errorf("counts %+v, want %d records", c, n)
	}
	if msg := hourlyMismatch(t, s); msg != "" {
		t.Error(msg)
	}
}
