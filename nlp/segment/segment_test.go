package segment

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/vocproject/voc/internal/gen"
	"github.com/vocproject/voc/lexicons"
)

// testWords are domain words for tests only; real ones come from lexicons.
var testWords = []lexicons.DomainWord{
	{Word: "续航"},
	{Word: "拍照党"},
	{Word: "性价比超高", POS: "a"},
	{Word: "京东PLUS", Freq: 5000, POS: "nz"},
}

// testSegmenter loads the dictionary once for all tests and benchmarks.
var testSegmenter = sync.OnceValues(func() (*Segmenter, error) { return New(testWords) })

func seg(tb testing.TB) *Segmenter {
	tb.Helper()
	s, err := testSegmenter()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func reviews(tb testing.TB) []string {
	tb.Helper()
	return gen.Lines(tb, "testdata/reviews.txt")
}

func texts(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Text
	}
	return out
}

// checkTokens verifies exact offsets and that tokens cover every non-space
// rune of text, in order.
func checkTokens(t *testing.T, text string, toks []Token) {
	t.Helper()
	r := []rune(text)
	at := 0
	for _, tok := range toks {
		for at < tok.Start {
			if !unicode.IsSpace(r[at]) {
				t.Fatalf("%q: rune %d %q not covered (next token %+v)", text, at, r[at], tok)
			}
			at++
		}
		if tok.Start != at || tok.End <= tok.Start || tok.End > len(r) {
			t.Fatalf("%q: bad token %+v at %d", text, tok, at)
		}
		if got := string(r[tok.Start:tok.End]); got != tok.Text {
			t.Fatalf("%q: token %+v but text[%d:%d] = %q", text, tok, tok.Start, tok.End, got)
		}
		at = tok.End
	}
	for ; at < len(r); at++ {
		if !unicode.IsSpace(r[at]) {
			t.Fatalf("%q: rune %d %q not covered at the end", text, at, r[at])
		}
	}
}

func TestCut(t *testing.T) {
	s := seg(t)
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"spaces only", "  \n ", nil},
		{"basic", "质量不错但是物流太慢", []string{"质量", "不错", "但是", "物流", "太慢"}},
		{"placeholder", "电话<PHONE>请回电", []string{"电话", "<PHONE>", "请", "回电"}},
		{"placeholders adjacent", "<PHONE><EMAIL>", []string{"<PHONE>", "<EMAIL>"}},
		{"jd placeholders", "[数字x]元[ORDERID_123]", []string{"[数字x]", "元", "[ORDERID_123]"}},
		{"ascii whole", "iphone15pro手机", []string{"iphone15pro", "手机"}},
		{"number decimal", "评分4.8分", []string{"评分", "4.8", "分"}},
		{"spaces dropped", "很好 用", []string{"很", "好", "用"}},
		{"domain word", "续航很好", []string{"续航", "很", "好"}},
		{"domain word new", "我是拍照党", []string{"我", "是", "拍照党"}},
		{"domain word long", "这个性价比超高", []string{"这个", "性价比超高"}},
		{"domain word ascii", "京东plus会员", []string{"京东plus", "会员"}},
		{"not a placeholder", "a<b>c [ ] <ph", []string{"a", "<", "b", ">", "c", "[", "]", "<", "ph"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Cut(tt.in)
			checkTokens(t, tt.in, got)
			if tt.name == "spaces dropped" {
				// only check that the space is gone and offsets are right
				for _, tok := range got {
					if strings.TrimSpace(tok.Text) != tok.Text {
						t.Fatalf("space token %+v", tok)
					}
				}
				return
			}
			if g := texts(got); !reflect.DeepEqual(g, tt.want) && !(len(g) == 0 && len(tt.want) == 0) {
				t.Errorf("Cut(%q) = %q, want %q", tt.in, g, tt.want)
			}
		})
	}
}

func TestCutPOS(t *testing.T) {
	s := seg(t)
	got := s.Cut("<PHONE>iphone 15 性价比超高")
	want := []string{POSPlaceholder, POSEnglish, POSNumber, "a"}
	var pos []string
	for _, tok := range got {
		pos = append(pos, tok.POS)
	}
	if !reflect.DeepEqual(pos, want) {
		t.Errorf("POS = %q, want %q (tokens %+v)", pos, want, got)
	}
}

// TestCutMatchesGse checks the own DAG/HMM walk against gse's Cut(text, true)
// on plain Chinese text, where both must agree.
func TestCutMatchesGse(t *testing.T) {
	bare, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reviews(t) {
		if strings.ContainsAny(r, "<[0123456789abcdefghijklmnopqrstuvwxyzＡＢＣＯＫｉＰ&") {
			continue // ASCII and placeholders are handled differently on purpose
		}
		got := texts(bare.Cut(r))
		want := bare.base.Cut(r, true)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Cut(%q)\n got %q\nwant %q", r, got, want)
		}
	}
}

func TestCutReviews(t *testing.T) {
	s := seg(t)
	for _, r := range reviews(t) {
		checkTokens(t, r, s.Cut(r))
	}
}

func TestCutInvalidUTF8(t *testing.T) {
	s := seg(t)
	for _, in := range []string{"\xff好\xfe", "好\xe4\xbd", "<PHO\xffNE>"} {
		toks := s.Cut(in)
		n := 0
		for _, tok := range toks {
			if tok.Start != n && tok.Start < n {
				t.Fatalf("%q: overlapping %+v", in, toks)
			}
			n = tok.End
		}
		if n == 0 {
			t.Fatalf("%q: no tokens", in)
		}
	}
}

func TestNewErrors(t *testing.T) {
	seg(t) // load once
	for _, w := range []lexicons.DomainWord{{Word: " "}, {Word: "好\xff"}, {Word: "京东 plus"}, {Word: "好", Freq: -1}} {
		if _, err := New([]lexicons.DomainWord{w}); err == nil {
			t.Errorf("New(%+v): no error", w)
		}
	}
}

func TestNewIsCheap(t *testing.T) {
	s := seg(t)
	s2, err := New([]lexicons.DomainWord{{Word: "新词汇测试"}})
	if err != nil {
		t.Fatal(err)
	}
	if s2.base != s.base {
		t.Fatal("New reloaded the gse dictionary")
	}
	if s2.Words() != s.base.Dict.NumTokens()+1 {
		t.Errorf("Words() = %d, want base+1", s2.Words())
	}
	if got := texts(s2.Cut("新词汇测试")); !reflect.DeepEqual(got, []string{"新词汇测试"}) {
		t.Errorf("got %q", got)
	}
	if got := texts(s.Cut("新词汇测试")); reflect.DeepEqual(got, []string{"新词汇测试"}) {
		t.Errorf("the old segmenter sees the new word: %q", got)
	}
}

// TestHolderConcurrent cuts from many goroutines while the segmenter is
// swapped; run with -race.
func TestHolderConcurrent(t *testing.T) {
	s := seg(t)
	h := NewHolder(s)
	rs := reviews(t)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r := rs[(g+i)%len(rs)]
				toks := h.Load().Cut(r)
				if len(toks) == 0 {
					errs <- fmt.Errorf("no tokens for %q", r)
					return
				}
			}
		}(g)
	}
	for i := 0; i < 20; i++ {
		n, err := New(append(testWords[:len(testWords):len(testWords)], lexicons.DomainWord{Word: fmt.Sprintf("词%d号", i)}))
		if err != nil {
			t.Fatal(err)
		}
		h.Swap(n)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if h.Load() == s {
		t.Error("Swap had no effect")
	}
}
