package aspect_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp/aspect"
	"github.com/vocproject/voc/nlp/clause"
	"github.com/vocproject/voc/nlp/normalize"
	"github.com/vocproject/voc/nlp/pii"
	"github.com/vocproject/voc/nlp/segment"
)

// FuzzMatchOpen feeds the matcher (open extraction and mentions on, as the
// analyzer runs it) arbitrary text: it must not panic, and every aspect it
// returns must be well formed (checkSpans). Its cost is the subject of
// BenchmarkMatchLong.
func FuzzMatchOpen(f *testing.F) {
	for _, s := range []string{
		"物流很快，包装也很好",
		"光圈太差了，快门很慢，不推荐",
		"太差了，物流慢死了",
		"呵呵，真是好质量",
		"手机续航不行，一天三充？",
		"",
		"，，，。。。！！",
		"好好好好好好好好好好好好好好好好好好好好好好好",
		"屏幕屏幕屏幕屏幕屏幕屏幕屏幕屏幕屏幕很清晰",
		"不不不不不不不不不不好",
		"a\x00b<b>c</b>\u200b很好",
		strings.Repeat("电池不耐用，客服态度差，", 40),
	} {
		f.Add(s)
	}
	e := setup(f)
	m, err := aspect.New(e.set.Taxonomy, aspect.WithOpinionWords(e.set.Sentiment.Words))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if !utf8.ValidString(raw) || len(raw) > 4096 {
			return
		}
		s, _ := pii.Mask(normalize.Normalize(raw).S)
		got := m.Match(s, e.seg.Cut(s), clause.Split(s, e.markers))
		checkSpans(t, s, got)
	})
}

// BenchmarkMatchLong matches one review repeated to 16 KB, 256 KB and
// 1 MB: ns/byte stays the same when the matcher is linear in its input
// (it was quadratic in the number of aspects found: 1 MB took minutes).
func BenchmarkMatchLong(b *testing.B) {
	e := setup(b)
	m, err := aspect.New(e.set.Taxonomy, aspect.WithOpinionWords(e.set.Sentiment.Words))
	if err != nil {
		b.Fatal(err)
	}
	unit := "物流很慢，包装破损，客服态度差，屏幕很清晰，光圈很好，价格太贵，下次还来。"
	for _, size := range []struct {
		name  string
		bytes int
	}{{"16KB", 16 << 10}, {"256KB", 256 << 10}, {"1MB", 1 << 20}} {
		s := strings.Repeat(unit, size.bytes/len(unit)+1)
		tokens, clauses := e.seg.Cut(s), clause.Split(s, e.markers)
		b.Run(size.name, func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				m.Match(s, tokens, clauses)
			}
		})
	}
	// a bare attribute that the default packs share (速度: 物流 and 性能),
	// and the topics that tell which it is
	set, err := lexicons.LoadPacks(lexicons.Embedded(), []string{"ecommerce", "service", "electronics", "app"})
	if err != nil {
		b.Fatal(err)
	}
	seg, err := segment.New(set.Domain)
	if err != nil {
		b.Fatal(err)
	}
	dm, err := aspect.New(set.Taxonomy, aspect.WithOpinionWords(set.Sentiment.Words))
	if err != nil {
		b.Fatal(err)
	}
	shared := "收到了，速度很快，系统流畅，快递也快，速度还行。"
	s := strings.Repeat(shared, (256<<10)/len(shared)+1)
	tokens, clauses := seg.Cut(s), clause.Split(s, e.markers)
	b.Run("shared-attribute-256KB", func(b *testing.B) {
		b.SetBytes(int64(len(s)))
		for b.Loop() {
			dm.Match(s, tokens, clauses)
		}
	})
}
