package bleve

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"

	"github.com/vocproject/voc/store/search"
)

func termsOf(ts analysis.TokenStream) []string {
	out := make([]string, len(ts))
	for i, tk := range ts {
		out[i] = fmt.Sprintf("%s@%d[%d,%d)t%d", tk.Term, tk.Position, tk.Start, tk.End, tk.Type)
	}
	return out
}

// The text field analysed from the analysis's words gives the token stream
// voc_zh gives when it cuts the text itself.
func TestPrecutSameTokens(t *testing.T) {
	s, _ := openTemp(t)
	seg, _ := segmenter()
	zh := s.idx.Mapping().AnalyzerNamed(AnalyzerName)
	if zh == nil || !s.precut.ok {
		t.Fatalf("voc_zh analyzer %v, precut %v", zh, s.precut.ok)
	}
	texts := []string{
		"联系我<PHONE>，保温杯漏液了!! Bluetooth 很差😡",
		"快递呢？\n太慢了，等了五天才到的啊",
		"iPhone 15 Pro MAX 的屏幕 OLED 很清楚，电池 4500mAh",
		"不是很满意呢吧，客服态度也一般般哦～～～",
		strings.Repeat("物流速度快包装也很好", 30),
		"a",
		"，。！",
		"😀👍 ",
	}
	for _, c := range corpus {
		texts = append(texts, c.text, c.agent)
	}
	for _, text := range texts {
		if text == "" {
			continue
		}
		want := termsOf(zh.Analyze([]byte(text)))
		ca := &cutAnalyzer{words: seg.Cut(text), filters: s.precut.filters}
		got := termsOf(ca.Analyze([]byte(text)))
		if !slices.Equal(got, want) {
			t.Errorf("%q:\n got  %v\n want %v", text, got, want)
		}
	}
}

// Words that do not fit the text are not used: the field is cut again.
func TestPrecutWordsMustFit(t *testing.T) {
	useSegmenter(t)
	seg, _ := segmenter()
	text := "保温杯漏液了，质量太差"
	good := seg.Cut(text)
	shifted := slices.Clone(good)
	shifted[1].Start, shifted[1].End = shifted[1].Start+1, shifted[1].End+1
	tests := []struct {
		name  string
		words []nlp.Token
		fit   bool
	}{
		{"own words", good, true},
		{"another text's words", seg.Cut("物流太慢了，客服也不理人啊啊"), false},
		{"shifted offsets", shifted, false},
		{"past the end", []nlp.Token{{Text: "差", Start: 10, End: 12}}, false},
		{"out of order", []nlp.Token{good[1], good[0]}, false},
		{"empty word", []nlp.Token{{Start: 2, End: 2}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(text)
			if got := wordsFit(in, byteOffsets(in), tc.words); got != tc.fit {
				t.Errorf("wordsFit = %v, want %v", got, tc.fit)
			}
		})
	}
}

// An index written with the analysis's words answers every query as one
// written without them; a record whose words are wrong is indexed from its
// text.
func TestPrecutIndexSameAnswers(t *testing.T) {
	plain, _ := openTemp(t)
	cut, _ := openTemp(t)
	seg, _ := segmenter()
	writeCorpus(t, plain, corpus)
	recs := make([]*pipeline.Record, len(corpus))
	for i, d := range corpus {
		recs[i] = record(d)
		recs[i].Analysis.Tokens = seg.Cut(d.text)
	}
	// r6's words belong to another text.
	recs[5].Analysis.Tokens = seg.Cut("保温杯漏液，质量太差")
	if err := cut.WriteBatch(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"物流", "快递 物流", "保温", "保温杯", "漏液 质量", "退款", "PHONE", "bluetooth", "音质", "态度", "加急", "五天"} {
		t.Run(q, func(t *testing.T) {
			want, err := plain.Search(context.Background(), search.Query{Text: q, Highlight: true})
			if err != nil {
				t.Fatal(err)
			}
			got, err := cut.Search(context.Background(), search.Query{Text: q, Highlight: true})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), ids(want)) {
				t.Fatalf("hits %v, want %v", ids(got), ids(want))
			}
			spans := func(r *search.Result) map[string]string {
				m := map[string]string{}
				for _, h := range r.Hits {
					m[h.ID] = fmt.Sprint(h.Spans)
				}
				return m
			}
			gs, ws := spans(got), spans(want)
			for id, w := range ws {
				if gs[id] != w {
					t.Errorf("%s spans %s, want %s", id, gs[id], w)
				}
			}
		})
	}
	// The wrong words were not indexed for r6.
	res, err := cut.Search(context.Background(), search.Query{Text: "漏液"})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(ids(res), "r6") {
		t.Errorf("r6 indexed with another text's words: %v", ids(res))
	}
}

// FuzzPrecut checks on any text that the pre-cut analysis either gives
// voc_zh's tokens or, when the words do not fit, falls back to them.
func FuzzPrecut(f *testing.F) {
	for _, s := range []string{"联系我<PHONE>，保温杯漏液了!! Bluetooth 很差😡", "快递呢？\n太慢了", "a\xffb保温杯", "  ", "ＯＫ的ｉＰｈｏｎｅ"} {
		f.Add(s)
	}
	useSegmenter(f)
	seg, _ := segmenter()
	s, err := Open(Config{Path: f.TempDir() + "/index"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close(context.Background())
	zh := s.idx.Mapping().AnalyzerNamed(AnalyzerName)
	f.Fuzz(func(t *testing.T, text string) {
		want := termsOf(zh.Analyze([]byte(text)))
		got := termsOf((&cutAnalyzer{words: seg.Cut(text), filters: s.precut.filters}).Analyze([]byte(text)))
		if !slices.Equal(got, want) {
			t.Errorf("%q:\n got  %v\n want %v", text, got, want)
		}
		for _, tk := range (&cutAnalyzer{words: seg.Cut(text), filters: s.precut.filters}).Analyze([]byte(text)) {
			if tk.Start < 0 || tk.End > len(text) || tk.Start > tk.End || string(tk.Term) == "" {
				t.Errorf("%q: token %q at [%d,%d)", text, tk.Term, tk.Start, tk.End)
			}
		}
	})
}
