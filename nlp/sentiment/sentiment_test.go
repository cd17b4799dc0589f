package sentiment_test

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/clause"
	"github.com/vocproject/voc/nlp/normalize"
	"github.com/vocproject/voc/nlp/segment"
	"github.com/vocproject/voc/nlp/sentiment"
)

var (
	segOnce sync.Once
	seg     *segment.Segmenter
	segErr  error
	lexSet  *lexicons.Set
)

// setup loads the gse dictionary and the embedded lexicons once.
func setup(t testing.TB) (*segment.Segmenter, *lexicons.Set) {
	t.Helper()
	segOnce.Do(func() {
		lexSet, segErr = lexicons.Load(lexicons.Embedded())
		if segErr == nil {
			seg, segErr = segment.New(lexSet.Domain)
		}
	})
	if segErr != nil {
		t.Fatal(segErr)
	}
	return seg, lexSet
}

// handOnly returns the embedded lexicons without the learned weights, so
// that the rules are tested on their own.
func handOnly(set *lexicons.Set) *lexicons.Sentiment {
	return set.Sentiment.HandOnly()
}

func score(t testing.TB, sc *sentiment.Scorer, text string, opts nlp.Options) (nlp.Sentiment, []nlp.Clause) {
	t.Helper()
	sg, set := setup(t)
	s := normalize.Normalize(text).S
	return sc.Score(sg.Cut(s), clause.Split(s, sentiment.Markers(set.Sentiment)), opts)
}

func TestRules(t *testing.T) {
	_, set := setup(t)
	for _, lex := range []struct {
		name string
		lex  *lexicons.Sentiment
	}{{"hand", handOnly(set)}, {"shipped", set.Sentiment}} {
		sc := sentiment.New(lex.lex)
		tests := []struct {
			name string
			a, b string // score(a) must be < score(b)
		}{
			{"negation flips praise", "质量不好", "质量好"},
			{"negation flips complaint", "味道难吃", "味道不难吃"},
			{"negation scope reaches past degree", "不是很满意", "很满意"},
			{"degree intensifies praise", "满意", "非常满意"},
			{"degree intensifies complaint", "非常失望", "失望"},
			{"damping degree", "有点失望", "非常失望"}, // reversed: 有点 is milder
			{"contrast: later clause wins (neg)", "质量不错，但是物流太慢了", "物流太慢了，但是质量不错"},
			{"concession clause weighs less", "价格很贵，质量很好", "虽然价格很贵，但是质量很好"},
			{"sarcasm cue", "呵呵，真是好棒的服务", "真是好棒的服务"},
			{"angry emoji", "收到了😡", "收到了👍"},
			{"bracket emoticon", "收到了[怒]", "收到了[赞]"},
			{"exclamation intensifies complaint", "太差了!", "太差了"},
		}
		for _, tt := range tests {
			t.Run(lex.name+"/"+tt.name, func(t *testing.T) {
				if tt.name == "damping degree" {
					// 有点失望 is less negative than 非常失望.
					a, _ := score(t, sc, tt.b, nlp.Options{})
					b, _ := score(t, sc, tt.a, nlp.Options{})
					if !(a.Score < b.Score) {
						t.Errorf("score(%q)=%.3f, want < score(%q)=%.3f", tt.b, a.Score, tt.a, b.Score)
					}
					return
				}
				a, _ := score(t, sc, tt.a, nlp.Options{})
				b, _ := score(t, sc, tt.b, nlp.Options{})
				if !(a.Score < b.Score) {
					t.Errorf("score(%q)=%.3f, want < score(%q)=%.3f", tt.a, a.Score, tt.b, b.Score)
				}
			})
		}
	}
}

func TestLabels(t *testing.T) {
	_, set := setup(t)
	sc := sentiment.New(set.Sentiment)
	tests := []struct {
		text, want string
	}{
		{"很好吃，送餐也快，好评", nlp.Positive},
		{"太难吃了，再也不会买了", nlp.Negative},
		{"质量不错，但是物流太慢了，等了三天", nlp.Negative},
		{"虽然贵了点，但是效果非常好", nlp.Positive},
		{"呵呵，就这?", nlp.Negative},
		{"不好用，退货", nlp.Negative},
		{"没有发霉，很新鲜", nlp.Positive},
		{"", nlp.Neutral},
		{"。。。", nlp.Neutral},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, clauses := score(t, sc, tt.text, nlp.Options{})
			if got.Label != tt.want {
				t.Errorf("label = %s (score %.3f), want %s", got.Label, got.Score, tt.want)
			}
			if got.Score < -1 || got.Score > 1 || got.Confidence < 0 || got.Confidence > 1 {
				t.Errorf("out of range: %+v", got)
			}
			for _, c := range clauses {
				if c.Span[0] >= c.Span[1] {
					t.Errorf("empty clause span %v", c.Span)
				}
			}
		})
	}
}

func TestRatingPrior(t *testing.T) {
	_, set := setup(t)
	sc := sentiment.New(set.Sentiment)
	tests := []struct {
		name string
		text string
	}{
		{"no evidence", "收到了"},
		{"weak evidence", "还行吧"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, _ := score(t, sc, tt.text, nlp.Options{Rating: 1})
			mid, _ := score(t, sc, tt.text, nlp.Options{})
			hi, _ := score(t, sc, tt.text, nlp.Options{Rating: 5})
			if !(lo.Score < mid.Score && mid.Score < hi.Score) {
				t.Errorf("1 star %.3f, none %.3f, 5 stars %.3f: want increasing", lo.Score, mid.Score, hi.Score)
			}
		})
	}
	// Strong text evidence beats the rating.
	got, _ := score(t, sc, "太难吃了，垃圾，差评，再也不会买了", nlp.Options{Rating: 5})
	if got.Label != nlp.Negative {
		t.Errorf("strong complaint with 5 stars: %+v, want negative", got)
	}
}

// TestFeaturesMatchRaw checks that the scorer computes the linear model the
// learner fits: bias + Σ weight·value over Features equals Raw.
func TestFeaturesMatchRaw(t *testing.T) {
	sg, set := setup(t)
	l := *set.Sentiment
	l.LexiconNegWeight = l.LexiconWeight + 0.37 // tell both coefficients apart
	l.SarcasmWeight = l.CueWeight + 0.29
	lex := &l
	sc := sentiment.New(lex)
	for _, text := range []string{
		"质量不错，但是物流太慢了，等了三天!",
		"虽然价格很贵，但是不是很满意，呵呵[怒]",
		"味道不难吃，分量足，好评👍",
		"太难吃了，送餐也不太快，慢了点",
	} {
		t.Run(text, func(t *testing.T) {
			s := normalize.Normalize(text).S
			toks, cls := sg.Cut(s), clause.Split(s, sentiment.Markers(lex))
			want := lex.Bias
			sc.Features(toks, cls, func(f sentiment.Feature, x float64) {
				switch f.A {
				case lexicons.TermLexicon:
					want += lex.LexiconWeight * x
				case lexicons.TermLexiconNeg:
					want += lex.LexiconNegWeight * x
				case lexicons.TermCues:
					want += lex.CueWeight * x
				case lexicons.TermSarcasm:
					want += lex.SarcasmWeight * x
				default:
					want += lex.Learned[f.Term()] * x
				}
			})
			got, _ := sc.Raw(toks, cls)
			if math.Abs(got-want) > 1e-9 {
				t.Errorf("Raw = %v, model = %v", got, want)
			}
		})
	}
}

// TestStructureFeatures checks where the first-clause (首|X) and one-apart
// (X+_+Y) features are reported.
func TestStructureFeatures(t *testing.T) {
	sg, set := setup(t)
	sc := sentiment.New(set.Sentiment)
	first := func(w string) sentiment.Feature { return sentiment.Feature{A: sentiment.FirstPrefix, B: w} }
	skip := func(a, b string) sentiment.Feature { return sentiment.Feature{A: a, B: sentiment.SkipMark + b} }
	for _, tt := range []struct {
		text      string
		want, not []sentiment.Feature
	}{
		{text: "太难吃了，送餐也慢", want: []sentiment.Feature{first("难吃")}, not: []sentiment.Feature{first("送餐"), first("慢")}},
		{text: "太难吃了", not: []sentiment.Feature{first("难吃")}},                        // one clause: no first clause
		{text: "虽然有点贵，但是质量好", not: []sentiment.Feature{first("贵"), first("有点")}},     // a concession is no verdict
		{text: "送餐慢了点", want: []sentiment.Feature{skip("慢", "点"), {A: "慢", B: "了"}}}, // over a one-character word
		{text: "物流速度很快", not: []sentiment.Feature{skip("物流", "很快")}},                 // not over a content word
	} {
		t.Run(tt.text, func(t *testing.T) {
			s := normalize.Normalize(tt.text).S
			got := map[sentiment.Feature]bool{}
			sc.Features(sg.Cut(s), clause.Split(s, sentiment.Markers(set.Sentiment)), func(f sentiment.Feature, _ float64) { got[f] = true })
			for _, f := range tt.want {
				if !got[f] {
					t.Errorf("feature %s not reported; got %v", f.Term(), got)
				}
			}
			for _, f := range tt.not {
				if got[f] {
					t.Errorf("feature %s reported", f.Term())
				}
			}
		})
	}
}

func TestTermRoundTrip(t *testing.T) {
	for _, term := range []string{"好", "物流+慢", "不|好", "<lexicon>", "首|好", "不+_+好"} {
		if got := sentiment.ParseTerm(term).Term(); got != term {
			t.Errorf("ParseTerm(%q).Term() = %q", term, got)
		}
	}
}

func BenchmarkScore(b *testing.B) {
	sg, set := setup(b)
	sc := sentiment.New(set.Sentiment)
	m := sentiment.Markers(set.Sentiment)
	base := "质量不错，但是物流太慢了，等了三天才到，包装也有点破损，客服态度还可以。"
	for _, n := range []int{1, 4} {
		s := normalize.Normalize(strings.Repeat(base, n)).S
		toks, cls := sg.Cut(s), clause.Split(s, m)
		b.Run(fmt.Sprintf("chars=%d", len([]rune(s))), func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				sc.Score(toks, cls, nlp.Options{})
			}
		})
		b.Run(fmt.Sprintf("cut/chars=%d", len([]rune(s))), func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				sg.Cut(s)
			}
		})
	}
}

// In a conversation a question with no opinion word is an inquiry: it
// carries no sentiment, while the same words in a review keep their
// learned weight.
func TestConversationalQuestions(t *testing.T) {
	_, set := setup(t)
	var inq []string
	for _, c := range set.Intents.Cues {
		if c.Intent == nlp.IntentInquiry {
			inq = append(inq, c.Term)
		}
	}
	sc := sentiment.NewWithConfig(set.Sentiment, sentiment.Config{Inquiries: inq})
	conv := nlp.Options{Conversational: true}
	tests := []struct {
		text string
		want string // label in a conversation
		// clauses: the label of each clause in a conversation, when checked
		clauses  []string
		asReview bool // scored as in a review (a negation keeps the learned weights)
	}{
		{text: "请问什么时候发货", want: nlp.Neutral},
		{text: "在吗？", want: nlp.Neutral},
		{text: "这个有蓝色的吗？", want: nlp.Neutral},
		{text: "已经发货了？", want: nlp.Neutral},                      // a question mark, no cue
		{text: "怎么还没发货", want: nlp.Negative, asReview: true},     // a negation: a complaint
		{text: "我的退款怎么还没到账", want: nlp.Negative, asReview: true}, // 没到: a word opened by a negation
		{text: "怎么这么难吃", want: nlp.Negative},                     // an opinion word
		{text: "你们是骗子吗", want: nlp.Negative},                     // an opinion word
		{text: "质量太差了，请问发票怎么开？", want: nlp.Negative, clauses: []string{nlp.Negative, nlp.Neutral}},
		{text: "好的谢谢", want: nlp.Positive},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, clauses := score(t, sc, tt.text, conv)
			if got.Label != tt.want {
				t.Errorf("conversation: %s (score %.3f), want %s", got.Label, got.Score, tt.want)
			}
			if tt.want == nlp.Neutral && (got.Score != 0 || got.Confidence != 0) {
				t.Errorf("conversation: inquiry scored %+v, want 0", got)
			}
			for i, want := range tt.clauses {
				if i >= len(clauses) || clauses[i].Sentiment.Label != want {
					t.Errorf("clauses %+v, want labels %v", clauses, tt.clauses)
					break
				}
			}
			if tt.asReview {
				if rev, _ := score(t, sc, tt.text, nlp.Options{}); rev.Score != got.Score {
					t.Errorf("conversation %.4f, review %.4f: want the same", got.Score, rev.Score)
				}
			}
			if tt.want != nlp.Neutral {
				return
			}
			// In a review the same words keep their weight.
			rev, _ := score(t, sc, tt.text, nlp.Options{})
			if rev.Score == 0 {
				t.Errorf("review: %+v, want the learned weights of its words", rev)
			}
		})
	}
	// A question holding a hand-written word is scored by that word alone:
	// 帮忙 is mildly positive, the review-learned weight of the question is
	// not applied.
	text := "能帮忙查下快递到哪了吗"
	got, _ := score(t, sc, text, conv)
	rev, _ := score(t, sc, text, nlp.Options{})
	if got.Label != nlp.Neutral || got.Score == 0 || got.Score <= rev.Score {
		t.Errorf("%s: conversation %+v, review %+v: want neutral, not 0, above the review", text, got, rev)
	}
}

// TestCueStands checks that 就这 is scorn alone or before what it scorns,
// and no cue where it starts a longer word (就这些, 就这样).
func TestCueStands(t *testing.T) {
	tests := []struct {
		cue, rest string
		want      bool
	}{
		{"就这", "？", true},
		{"就这", "质量", true},
		{"就这", "", true},
		{"就这", "些区别", false},
		{"就这", "样吧", false},
		{"呵呵", "些", true},
	}
	for _, tt := range tests {
		if got := sentiment.CueStands(tt.cue, tt.rest); got != tt.want {
			t.Errorf("CueStands(%q, %q) = %v, want %v", tt.cue, tt.rest, got, tt.want)
		}
	}
}
