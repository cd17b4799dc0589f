package clickhouse

import (
	"context"
	"testing"
	"time"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/nlp"

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
	if _, err := s.Reprocess(ctx, baseTime, baseTime, retag, "v2", ReprocessOptions{}); err == nil {
		t.Error("empty range: no error")
	}
}
