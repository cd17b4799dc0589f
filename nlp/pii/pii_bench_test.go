package pii

import (
	"fmt"
	"testing"

	"github.com/vocproject/voc/internal/benchdata"
)

func BenchmarkMask(b *testing.B) {
	lines := benchdata.Lines(b, "../segment/testdata/reviews.txt")
	for _, n := range benchdata.Sizes {
		s := benchdata.Sized(lines, n)
		b.Run(fmt.Sprintf("chars=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				Mask(s)
			}
		})
	}
	if corpus := benchdata.Shopping(2000); corpus != nil {
		b.Run("corpus=shopping", func(b *testing.B) {
			total := 0
			for _, s := range corpus {
				total += len(s)
			}
			b.SetBytes(int64(total))
			b.ReportAllocs()
			for b.Loop() {
				for _, s := range corpus {
					Mask(s)
				}
			}
		})
	}
}
