package query

import (
	"context"
	"testing"
	"time"
)

// TestPainTrendsKeys: bare categories alone (no category/subcategory key)
// query fine on ClickHouse 18.16, whose has() refuses an empty array
// literal (Array(Nothing)), and a key given twice gets its points each
// time, not an empty first series.
func TestPainTrendsKeys(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	recs := genBatch("keys", []int{0}, 0, 120)
	write(t, s, recs)
	from := baseTime.Truncate(24 * time.Hour)
	f := Filter{From: from, To: from.Add(72 * time.Hour)}
	// A category's records are those of its pain points, summed.
	var want uint64
	for _, r := range recs {
		as := customerAspects(r)
		for _, sub := range []string{"配送速度", "包装"} {
			if hasPain(as, "物流", sub) {
				want++
			}
		}
	}
	if want == 0 {
		t.Fatal("the batch has no 物流 pain")
	}
	sum := func(se Series) uint64 {
		var n uint64
		for _, p := range se.Points {
			n += p.Records
		}
		return n
	}
	tests := []struct {
		name string
		keys []string
		want []uint64
	}{
		{"a bare category", []string{"物流"}, []uint64{want}},
		{"bare categories only", []string{"物流", "质量"}, nil},
		{"a key twice", []string{"物流", "物流"}, []uint64{want, want}},
		{"a pair twice", []string{"物流/配送速度", "质量", "物流/配送速度"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.PainTrends(ctx, f, Day, tc.keys)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.keys) {
				t.Fatalf("%d series for %d keys", len(got), len(tc.keys))
			}
			for i, se := range got {
				if se.Key != tc.keys[i] {
					t.Errorf("series %d is %q, want %q", i, se.Key, tc.keys[i])
				}
				if sum(se) == 0 {
					t.Errorf("series %d (%s) is empty", i, se.Key)
				}
				if tc.want != nil && sum(se) != tc.want[i] {
					t.Errorf("series %d (%s): %d records, want %d", i, se.Key, sum(se), tc.want[i])
				}
			}
		})
	}
	t.Run("Trend of a bare category", func(t *testing.T) {
		ff := f
		ff.Category = "物流"
		pts, err := s.Trend(ctx, ff, Day)
		if err != nil {
			t.Fatal(err)
		}
		if n := sum(Series{Points: pts}); n != want {
			t.Errorf("%d records, want %d", n, want)
		}
	})
}
