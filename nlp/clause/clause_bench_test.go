package clause

import (
	"fmt"
	"testing"

	"github.com/vocproject/voc/internal/gen"
)

func BenchmarkSplit(b *testing.B) {
	lines := gen.Lines(b, "../segment/testdata/reviews.txt")
	m := DefaultMarkers()
	for _, n := range gen.BenchSizes {
		s := gen.Sized(lines, n)
		b.Run(fmt.Sprintf("chars=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				Split(s, m)
			}
		})
	}
	if corpus := gen.Shopping(2000); corpus != nil {
		b.Run("corpus=shopping", func(b *testing.B) {
			total := 0
			for _, s := range corpus {
				total += len(s)
			}
			b.SetBytes(int64(total))
			b.ReportAllocs()
			for b.Loop() {
				for _, s := range corpus {
					Split(s, m)
				}
			}
		})
	}
}
