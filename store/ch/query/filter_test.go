package query

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"
)

// customerAspects are the aspects that land in pain_hourly for r.
func customerAspects(r *pipeline.Record) []nlp.Aspect {
	if len(r.Turns) == 0 {
		return r.Analysis.Aspects
	}
	var out []nlp.Aspect
	for _, t := range r.Turns {
		if t.Role == "customer" {
			out = append(out, t.Aspects...)
		}
	}
	return out
}

func hasPain(as []nlp.Aspect, cat, sub string) bool {
	for _, a := range as {
		if a.Category == cat && a.Subcategory == sub && a.Polarity == nlp.Negative {
			return true
		}
	}
	return false
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-4 }

func TestAPIQueries(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	recs := genBatch("api", []int{0, 1}, 0, 300)
	write(t, s, recs)
	from := baseTime.Truncate(24 * time.Hour)
	f := Filter{From: from, To: from.Add(72 * time.Hour)}

	t.Run("trend by day", func(t *testing.T) {
		got, err := s.Trend(ctx, f, Day)
		if err != nil {
			t.Fatal(err)
		}
		want := map[time.Time][2]uint64{}
		for _, r := range recs {
			d := r.Feedback.CreatedAt.UTC().Truncate(24 * time.Hour)
			w := want[d]
			w[0]++
			if r.Analysis.Sentiment.Label == nlp.Negative {
				w[1]++
			}
			want[d] = w
		}
		if len(got) != len(want) {
			t.Fatalf("got %d buckets, want %d: %+v", len(got), len(want), got)
		}
		for _, p := range got {
			w := want[p.Time.UTC()]
			if p.Records != w[0] || p.Negative != w[1] || !near(p.NegativeShare, float64(w[1])/float64(w[0])) {
				t.Errorf("%s: got %d records %d negative, want %v", p.Time, p.Records, p.Negative, w)
			}
		}
	})

	t.Run("pain trend with and without tier", func(t *testing.T) {
		for _, tier := range []string{"", "vip"} {
			ff := f
			ff.Tier = tier
			got, err := s.PainTrends(ctx, ff, Hour, []string{"物流/配送速度", "质量"})
			if err != nil {
				t.Fatal(err)
			}
			var want, wantCat uint64
			for _, r := range recs {
				if tier != "" && tierOf(r) != tier {
					continue
				}
				as := customerAspects(r)
				if hasPain(as, "物流", "配送速度") {
					want++
				}
				if hasPain(as, "质量", "做工") {
					wantCat++
				}
			}
			var sum, sumCat uint64
			for _, p := range got[0].Points {
				sum += p.Records
			}
			for _, p := range got[1].Points {
				sumCat += p.Records
			}
			if sum != want || sumCat != wantCat || want == 0 {
				t.Errorf("tier %q: 物流/配送速度 %d records, 质量 %d; want %d, %d", tier, sum, sumCat, want, wantCat)
			}
		}
	})

	t.Run("changes", func(t *testing.T) {
		cur := Filter{From: from.Add(24 * time.Hour), To: from.Add(48 * time.Hour)}
		got, err := s.PainPointChanges(ctx, cur)
		if err != nil {
			t.Fatal(err)
		}
		var n1, n0, c1, c0 uint64
		for _, r := range recs {
			at := r.Feedback.CreatedAt
			in1 := !at.Before(cur.From) && at.Before(cur.To)
			in0 := !at.Before(from) && at.Before(cur.From)
			has := hasPain(customerAspects(r), "物流", "包装")
			switch {
			case in1:
				n1++
				if has {
					c1++
				}
			case in0:
				n0++
				if has {
					c0++
				}
			}
		}
		if got.Records != n1 || got.PreviousRecords != n0 {
			t.Fatalf("totals %d/%d, want %d/%d", got.Records, got.PreviousRecords, n1, n0)
		}
		found := false
		for _, it := range got.Items {
			if it.Category == "物流" && it.Subcategory == "包装" {
				found = true
				z, p := TwoProportionZ(c1, n1, c0, n0)
				if it.Current != c1 || it.Previous != c0 || !near(it.Z, z) || !near(it.P, p) {
					t.Errorf("物流/包装 = %+v, want %d/%d z %v", it, c1, c0, z)
				}
			}
		}
		if !found {
			t.Errorf("物流/包装 missing from %+v", got.Items)
		}
	})

	t.Run("sentiment by channel", func(t *testing.T) {
		got, err := s.SentimentBy(ctx, f, "channel")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]uint64{}
		for _, r := range recs {
			want[r.Feedback.Channel]++
		}
		if len(got) != len(want) {
			t.Fatalf("got %+v, want %v", got, want)
		}
		for _, g := range got {
			if g.Records != want[g.Key] {
				t.Errorf("%s: %d records, want %d", g.Key, g.Records, want[g.Key])
			}
		}
		if _, err := s.SentimentBy(ctx, f, "text; DROP TABLE feedback"); !errors.Is(err, ErrBadFilter) {
			t.Errorf("bad dimension: err = %v, want ErrBadFilter", err)
		}
	})

	t.Run("sentiment by channel of a pain point reads the raw table", func(t *testing.T) {
		ff := f
		ff.Category, ff.Subcategory = "质量", "做工"
		got, err := s.SentimentBy(ctx, ff, "channel")
		if err != nil {
			t.Fatal(err)
		}
		var sum, want uint64
		for _, g := range got {
			sum += g.Records
		}
		for _, r := range recs {
			if hasPain(r.Analysis.Aspects, "质量", "做工") {
				want++
			}
		}
		if sum != want || want == 0 {
			t.Errorf("records with 质量/做工: %d, want %d", sum, want)
		}
	})

	t.Run("key drivers of rating", func(t *testing.T) {
		got, err := s.KeyDrivers(ctx, f, "rating", 1)
		if err != nil {
			t.Fatal(err)
		}
		var n, nw float64
		var sum, sumw float64
		for _, r := range recs {
			n++
			sum += float64(r.Feedback.Rating)
			if hasPain(r.Analysis.Aspects, "物流", "配送速度") {
				nw++
				sumw += float64(r.Feedback.Rating)
			}
		}
		if got.Scored != uint64(n) || !near(got.Mean, sum/n) {
			t.Fatalf("scored %d mean %v, want %v %v", got.Scored, got.Mean, n, sum/n)
		}
		for _, d := range got.Drivers {
			if d.Category == "物流" && d.Subcategory == "配送速度" {
				impact := (sum-sumw)/(n-nw) - sumw/nw
				if d.Records != uint64(nw) || !near(d.Impact, impact) || !near(d.Share, nw/n) {
					t.Errorf("driver %+v, want records %v impact %v", d, nw, impact)
				}
				return
			}
		}
		t.Errorf("物流/配送速度 missing from %+v", got.Drivers)
	})

	t.Run("verbatims of a pain point with its spans", func(t *testing.T) {
		ff := f
		ff.Category, ff.Subcategory = "物流", "包装"
		page, err := s.Verbatims(ctx, ff, "", "", 5, 0)
		if err != nil {
			t.Fatal(err)
		}
		var want uint64
		for _, r := range recs {
			if hasPain(r.Analysis.Aspects, "物流", "包装") {
				want++
			}
		}
		if page.Total != want || len(page.Items) != 5 {
			t.Fatalf("total %d items %d, want %d and 5", page.Total, len(page.Items), want)
		}
		for i, v := range page.Items {
			if i > 0 && v.CreatedAt.After(page.Items[i-1].CreatedAt) {
				t.Errorf("not newest first at %d", i)
			}
			if len(v.Mentions) == 0 {
				t.Errorf("%s: no mentions", v.ID)
			}
			for _, m := range v.Mentions {
				if m.Category != "物流" || m.Subcategory != "包装" {
					t.Errorf("%s: mention of %s/%s", v.ID, m.Category, m.Subcategory)
				}
				if m.Start < 0 || string([]rune(v.Text)[m.Start:m.End]) != "包装破损" {
					t.Errorf("%s: span %d-%d of %q", v.ID, m.Start, m.End, v.Text)
				}
			}
		}
	})

	t.Run("record", func(t *testing.T) {
		r := recs[13] // a chat
		v, err := s.Record(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, tr := range r.Turns {
			want += len(tr.Aspects)
		}
		if want == 0 {
			want = len(r.Analysis.Aspects)
		}
		if v.ID != r.ID || len(v.Mentions) != want || v.Product != r.Feedback.Product {
			t.Errorf("record %+v, want id %s with %d mentions", v, r.ID, want)
		}
		if _, err := s.Record(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing record: err = %v", err)
		}
	})

	t.Run("facets", func(t *testing.T) {
		fc, err := s.Facets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(fc.Products) != len(products) || len(fc.Channels) != len(channels) || len(fc.PainPoints) != 3 || fc.First.IsZero() {
			t.Errorf("facets %+v", fc)
		}
	})

	t.Run("alerts", func(t *testing.T) {
		if _, err := s.Alerts(ctx, f.From, f.To, 10); !errors.Is(err, ErrNoAlerts) {
			t.Fatalf("without tables: err = %v, want ErrNoAlerts", err)
		}
		if err := s.conn.Exec(ctx, `CREATE TABLE `+s.table("alert_state")+` (id String, series String, kind String, status String, opened_at DateTime,
    updated_at DateTime, last_firing DateTime, resolved_at DateTime, delivered UInt8, team String, title String, payload String,
    instance String, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		at := from.Add(time.Hour)
		b, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("alert_state")+" (id, series, kind, status, opened_at, updated_at, title, version)")
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range [][]any{
			{"a1", "pain/物流/包装", "spike", "firing", at, at, "物流/包装 激增", uint64(1)},
			{"a1", "pain/物流/包装", "spike", "resolved", at, at.Add(time.Hour), "物流/包装 激增", uint64(2)},
		} {
			if err := b.Append(row...); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Send(); err != nil {
			t.Fatal(err)
		}
		got, err := s.Alerts(ctx, f.From, f.To, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Status != "resolved" || got[0].Title != "物流/包装 激增" {
			t.Errorf("alerts %+v", got)
		}
	})
}

func tierOf(r *pipeline.Record) string {
	if r.Feedback.Customer.Tier == "" {
		return "normal"
	}
	return r.Feedback.Customer.Tier
}

func TestTwoProportionZ(t *testing.T) {
	tests := []struct {
		name           string
		x1, n1, x0, n0 uint64
		z, p           float64
	}{
		{"textbook", 30, 100, 10, 100, 3.5355, 0.000407},
		{"equal shares", 10, 100, 20, 200, 0, 1},
		{"empty period", 5, 0, 1, 10, 0, 1},
		{"falling", 10, 100, 30, 100, -3.5355, 0.000407},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			z, p := TwoProportionZ(tc.x1, tc.n1, tc.x0, tc.n0)
			if math.Abs(z-tc.z) > 1e-3 || math.Abs(p-tc.p) > 1e-5 {
				t.Errorf("z, p = %v, %v; want %v, %v", z, p, tc.z, tc.p)
			}
		})
	}
}

func TestSignificant(t *testing.T) {
	ps := []float64{0.001, 0.04, 0.03, 0.5}
	got := significant(ps)
	// BH at 0.05 with m=4: thresholds .0125 .025 .0375 .05; sorted p
	// .001 .03 .04 .5 → largest k with p_k <= k/m*alpha is k=1.
	want := []bool{true, false, false, false}
	for i := range ps {
		if got[i] != want[i] {
			t.Errorf("test %d (p %v): significant %v, want %v", i, ps[i], got[i], want[i])
		}
	}
}
