package query

import (
	"context"
	"testing"
	"time"

	"github.com/vocproject/voc/nlp"
)

// TestDaySumsOverview checks the overview computed from the daily sums
// against the records (counts) and against the queries it replaces
// (SentimentBy's totals, Trend by day, PainPointChanges), with the hourly
// tables holding two versions of most keys (two batches over the same
// hours).
func TestDaySumsOverview(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	recs := genBatch("days", []int{0, 1}, 0, 200)
	write(t, s, recs)
	more := genBatch("days", []int{0, 1}, 200, 400)
	write(t, s, more)
	recs = append(recs, more...)

	shanghai, err := LoadZone("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	cst := time.Date(2026, 3, 4, 0, 0, 0, 0, shanghai)
	for _, tc := range []struct {
		name string
		f    Filter
	}{
		{"utc day", Filter{From: day, To: day.AddDate(0, 0, 1)}},
		{"shanghai day", Filter{From: cst, To: cst.AddDate(0, 0, 1), Zone: shanghai}},
		{"product", Filter{From: day, To: day.AddDate(0, 0, 1), Product: products[1]}},
		{"channel and tier (raw pain rows)", Filter{From: day, To: day.AddDate(0, 0, 1), Channel: channels[0], Tier: "vip"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			if !WholeDays(f) {
				t.Fatalf("%s – %s is not whole days", f.From, f.To)
			}
			sums, err := s.DaySums(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := sums.Overview()
			if !ok {
				t.Fatal("no overview from the sums")
			}
			// The records.
			prev := f.From.Add(-f.To.Sub(f.From))
			var cur, before, neg, withPain uint64
			for _, r := range recs {
				at := r.Feedback.CreatedAt
				if (f.Product != "" && r.Feedback.Product != f.Product) || (f.Channel != "" && r.Feedback.Channel != f.Channel) ||
					(f.Tier != "" && tierOf(r) != f.Tier) || at.Before(prev) || !at.Before(f.To) {
					continue
				}
				if at.Before(f.From) {
					before++
					continue
				}
				cur++
				if r.Analysis.Sentiment.Label == nlp.Negative {
					neg++
				}
				if hasPain(customerAspects(r), "物流", "配送速度") {
					withPain++
				}
			}
			if cur == 0 || before == 0 || got.Current.Records != cur || got.Previous.Records != before || got.Current.Negative != neg {
				t.Errorf("records %d before %d negative %d, want %d, %d, %d", got.Current.Records, got.Previous.Records, got.Current.Negative, cur, before, neg)
			}
			var daily uint64
			for _, p := range got.Daily {
				daily += p.Records
			}
			if daily != cur {
				t.Errorf("daily series sums to %d, want %d", daily, cur)
			}
			found := false
			for _, c := range got.Pains.Items {
				if c.Category == "物流" && c.Subcategory == "配送速度" {
					found = true
					if c.Current != withPain {
						t.Errorf("物流/配送速度: %d records, want %d", c.Current, withPain)
					}
					sp, ok := sums.PainDays(c.Category + "/" + c.Subcategory)
					if !ok || len(sp) != 1 || sp[0] != withPain {
						t.Errorf("物流/配送速度 days %v, want [%d]", sp, withPain)
					}
				}
			}
			if !found && withPain > 0 {
				t.Errorf("物流/配送速度 missing from %+v", got.Pains.Items)
			}

			// The queries it replaces.
			pf := f
			pf.From, pf.To = prev, f.From
			for _, x := range []struct {
				name string
				f    Filter
				got  Totals
			}{{"current", f, got.Current}, {"previous", pf, got.Previous}} {
				gs, err := s.SentimentBy(ctx, x.f, "channel")
				if err != nil {
					t.Fatal(err)
				}
				if w := Total(gs); !sameTotals(x.got, w) {
					t.Errorf("%s: %+v, SentimentBy %+v", x.name, x.got, w)
				}
			}
			trend, err := s.Trend(ctx, f, Day)
			if err != nil {
				t.Fatal(err)
			}
			if len(trend) != len(got.Daily) {
				t.Fatalf("daily %+v, Trend %+v", got.Daily, trend)
			}
			for i, p := range trend {
				g := got.Daily[i]
				if !g.Time.Equal(p.Time) || g.Time.Location() != p.Time.Location() || g.Records != p.Records || g.Negative != p.Negative ||
					!near(g.NegativeShare, p.NegativeShare) || !near(g.AvgSentiment, p.AvgSentiment) {
					t.Errorf("day %d: %+v, Trend %+v", i, g, p)
				}
			}
			pc, err := s.PainPointChanges(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if !pc.PrevFrom.Equal(got.Pains.PrevFrom) || pc.Records != got.Pains.Records || pc.PreviousRecords != got.Pains.PreviousRecords ||
				len(pc.Items) != len(got.Pains.Items) || len(pc.Items) == 0 {
				t.Fatalf("pain changes %+v, PainPointChanges %+v", got.Pains, pc)
			}
			for i, w := range pc.Items {
				g := got.Pains.Items[i]
				if g.Category != w.Category || g.Subcategory != w.Subcategory || g.Current != w.Current || g.Previous != w.Previous ||
					!near(g.AvgSentiment, w.AvgSentiment) || !near(g.Z, w.Z) || !near(g.P, w.P) || g.Significant != w.Significant {
					t.Errorf("pain change %d: %+v, PainPointChanges %+v", i, g, w)
				}
			}
		})
	}

	// What the sums cannot give exactly.
	for _, f := range []Filter{
		{From: day.Add(time.Hour), To: day.AddDate(0, 0, 1)},
		{From: day, To: day.AddDate(0, 0, 1), Category: "物流"},
		{From: day, To: day.AddDate(0, 0, 1), Mentions: MentionFilter{Aspect: "物流"}},
		{From: day, To: day.AddDate(0, 0, 1), Zone: shanghai},
	} {
		if WholeDays(f) {
			t.Errorf("%+v: whole days", f)
		}
	}
	// What changed ignores the mention filter; its sums do not give the
	// overview of records selected by their mentions.
	c, err := s.Changes(ctx, Filter{From: day, To: day.AddDate(0, 0, 1), Mentions: MentionFilter{Aspect: "物流"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Sums().Overview(); ok {
		t.Error("an overview of records selected by their mentions from what changed's sums")
	}
	c, err = s.Changes(ctx, Filter{From: day, To: day.AddDate(0, 0, 1)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if po, ok := c.Sums().Overview(); !ok || po.Current.Records == 0 {
		t.Errorf("overview from what changed's sums: %v %+v", ok, po)
	}
}

func sameTotals(a, b Totals) bool {
	return a.Records == b.Records && a.Negative == b.Negative && a.Escalations == b.Escalations && a.Complaints == b.Complaints &&
		near(a.NegativeShare, b.NegativeShare) && near(a.AvgSentiment, b.AvgSentiment)
}
