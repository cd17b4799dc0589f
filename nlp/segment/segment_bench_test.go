package segment

import (
	"fmt"
	"testing"

	"github.com/vocproject/voc/nlp/clause"
	"github.com/vocproject/voc/nlp/normalize"
	"github.com/vocproject/voc/nlp/pii"

	"github.com/vocproject/voc/internal/gen"
)

// prepared returns normalized, masked text, as Cut sees it in the analyzer.
func prepared(s string) string {
	m, _ := pii.Mask(normalize.Normalize(s).S)
	return m
}

type benchCase struct {
	name  string
	texts []string
}

func benchCases(b *testing.B) []benchCase {
	lines := gen.Lines(b, "testdata/reviews.txt")
	var cs []benchCase
	for _, n := range gen.BenchSizes {
		cs = append(cs, benchCase{fmt.Sprintf("chars=%d", n), []string{gen.Sized(lines, n)}})
	}
	if corpus := gen.Shopping(2000); corpus != nil {
		cs = append(cs, benchCase{"corpus=shopping", corpus})
	}
	return cs
}

func run(b *testing.B, texts []string, f func(string)) {
	total := 0
	for _, s := range texts {
		total += len(s)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range texts {
			f(s)
		}
	}
}

func BenchmarkCut(b *testing.B) {
	s := seg(b)
	for _, c := range benchCases(b) {
		ts := make([]string, len(c.texts))
		for i, t := range c.texts {
			ts[i] = prepared(t)
		}
		b.Run(c.name, func(b *testing.B) { run(b, ts, func(t string) { s.Cut(t) }) })
	}
}

// BenchmarkGseBare is gse's own Cut(text, true) on the same texts as
// BenchmarkCut, for comparison.
func BenchmarkGseBare(b *testing.B) {
	g := seg(b).base
	for _, c := range benchCases(b) {
		ts := make([]string, len(c.texts))
		for i, t := range c.texts {
			ts[i] = prepared(t)
		}
		b.Run(c.name, func(b *testing.B) { run(b, ts, func(t string) { g.Cut(t, true) }) })
	}
}

// BenchmarkPipeline is normalize + mask + split + cut on raw text, the part
// of the analyzer this package family provides.
func BenchmarkPipeline(b *testing.B) {
	s := seg(b)
	m := clause.DefaultMarkers()
	for _, c := range benchCases(b) {
		b.Run(c.name, func(b *testing.B) {
			run(b, c.texts, func(t string) {
				n := normalize.Normalize(t)
				masked, _ := pii.Mask(n.S)
				clause.Split(masked, m)
				s.Cut(masked)
			})
		})
	}
}
