package bleve

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/vocproject/voc/internal/gen"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"

	"github.com/vocproject/voc/store/search"
)

// feedRecords turns generated messages into records. The analysis is taken
// from the generator's ground truth instead of the NLP, which is not what
// is measured here.
func feedRecords(items []gen.Item) []*pipeline.Record {
	recs := make([]*pipeline.Record, len(items))
	for i := range items {
		it := &items[i]
		m := &it.Msg
		res := &nlp.Result{Text: m.Text, Sentiment: nlp.Sentiment{Label: it.Truth.Sentiment}}
		for _, tp := range it.Truth.Topics {
			res.Aspects = append(res.Aspects, nlp.Aspect{Category: tp.Category, Subcategory: tp.Subcategory, Polarity: tp.Polarity})
		}
		r := &pipeline.Record{ID: m.ID, Feedback: m, Analysis: res}
		if m.IsChat() {
			var cust []string
			for _, t := range m.Turns {
				r.Turns = append(r.Turns, nlp.TurnResult{Role: t.Role, Result: nlp.Result{Text: t.Text}})
				if t.Role == "customer" {
					cust = append(cust, t.Text)
				}
			}
			res.Text = strings.Join(cust, "\n")
		}
		recs[i] = r
	}
	return recs
}

func genRecords(b *testing.B, days, perDay int) []*pipeline.Record {
	b.Helper()
	g, err := gen.New(gen.Config{Seed: 42, Days: days, PerDay: perDay})
	if err != nil {
		b.Fatal(err)
	}
	return feedRecords(g.Items())
}

// peakRSS returns the process's peak resident set in MB (Linux), or 0.
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkWriteBatch indexes batches of 5000 generated records (voc run's
// default index batch) into a growing index: words=analysis with the words
// the analysis cut (as voc run writes), words=none cutting every text again.
func BenchmarkWriteBatch(b *testing.B) {
	useSegmenter(b)
	seg, err := segmenter()
	if err != nil {
		b.Fatal(err)
	}
	recs := genRecords(b, 10, 1000)
	for _, words := range []bool{true, false} {
		name := "words=none"
		if words {
			name = "words=analysis"
		}
		b.Run(name, func(b *testing.B) {
			for _, r := range recs {
				r.Analysis.Tokens = nil
				if words {
					r.Analysis.Tokens = seg.Cut(r.Analysis.Text)
				}
			}
			const size = 5000
			s, err := Open(Config{Path: b.TempDir() + "/index", BatchSize: size}, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close(context.Background())
			ctx := context.Background()
			n, round := 0, 0
			b.ReportAllocs()
			for b.Loop() {
				batch := recs[n : n+size]
				for _, r := range batch { // new ids for the same texts
					r.ID = fmt.Sprintf("%s-r%d", r.Feedback.ID, round)
				}
				if err := s.WriteBatch(ctx, batch); err != nil {
					b.Fatal(err)
				}
				n += size
				if n+size > len(recs) {
					n, round = 0, round+1
				}
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "docs/s")
			b.ReportMetric(peakRSS(), "peakRSS-MB")
		})
	}
}

// BenchmarkSearch searches an index of 28 days x 2000 generated records.
func BenchmarkSearch(b *testing.B) {
	useSegmenter(b)
	recs := genRecords(b, 28, 2000)
	s, err := Open(Config{Path: b.TempDir() + "/index"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	for i := 0; i < len(recs); i += 1000 {
		if err := s.WriteBatch(context.Background(), recs[i:min(i+1000, len(recs))]); err != nil {
			b.Fatal(err)
		}
	}
	queries := []struct {
		name string
		q    search.Query
	}{
		{"word", search.Query{Text: "物流"}},
		{"two-words", search.Query{Text: "客服态度"}},
		{"word+filters+highlight", search.Query{Text: "漏液", Product: "SKU-1001 保温杯", Sentiment: "negative", Highlight: true}},
		{"filters-only-newest", search.Query{PainPoint: "售后/退款难", Channel: "ecommerce"}},
	}
	for _, tc := range queries {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			var total uint64
			for b.Loop() {
				res, err := s.Search(context.Background(), tc.q)
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total
			}
			b.ReportMetric(float64(total), "hits")
			b.ReportMetric(peakRSS(), "peakRSS-MB")
		})
	}
}
