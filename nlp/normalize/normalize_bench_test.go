package normalize_test

import (
	"fmt"
	"testing"

	"github.com/vocproject/voc/internal/gen"
	"github.com/vocproject/voc/nlp/normalize"
)

func BenchmarkNormalize(b *testing.B) {
	lines := gen.Lines(b, "../segment/testdata/reviews.txt")
	for _, n := range gen.BenchSizes {
		s := gen.Sized(lines, n)
		b.Run(fmt.Sprintf("chars=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				normalize.Normalize(s)
			}
		})
	}
	if corpus := gen.Shopping(2000); corpus != nil {
		b.Run("corpus=shopping", func(b *testing.B) {
			benchCorpus(b, corpus, func(s string) { normalize.Normalize(s) })
		})
	}
}

func benchCorpus(b *testing.B, corpus []string, f func(string)) {
	total := 0
	for _, s := range corpus {
		total += len(s)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range corpus {
			f(s)
		}
	}
}
