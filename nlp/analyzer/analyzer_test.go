package analyzer_test

import (
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
	"github.com/vocproject/voc/nlp/normalize"
	"github.com/vocproject/voc/nlp/pii"
	"github.com/vocproject/voc/nlp/segment"
)

var (
	envOnce sync.Once
	envSet  *lexicons.Set
	envSeg  *segment.Segmenter
	envAn   *analyzer.Analyzer
	envErr  error
)

// setup loads the embedded lexicons, one segmenter and one analyzer per
// test binary (the gse dictionary costs seconds and hundreds of MB).
func setup(tb testing.TB) (*lexicons.Set, *segment.Segmenter, *analyzer.Analyzer) {
	tb.Helper()
	envOnce.Do(func() {
		if envSet, envErr = lexicons.Load(lexicons.Embedded()); envErr != nil {
			return
		}
		if envSeg, envErr = segment.New(envSet.Domain); envErr != nil {
			return
		}
		envAn, envErr = analyzer.New(envSet, segment.NewHolder(envSeg))
	})
	if envErr != nil {
		tb.Fatal(envErr)
	}
	return envSet, envSeg, envAn
}

// runeSlice returns s[start:end] in runes, or ok=false when out of range.
func runeSlice(s string, start, end int) (string, bool) {
	rs := []rune(s)
	if start < 0 || end > len(rs) || start > end {
		return "", false
	}
	return string(rs[start:end]), true
}

// checkResult checks the invariants every Result must hold.
func checkResult(t *testing.T, in string, r *nlp.Result) {
	t.Helper()
	if r == nil {
		t.Fatalf("%q: nil result", in)
	}
	if !utf8.ValidString(r.Text) {
		t.Errorf("%q: text %q is not valid UTF-8", in, r.Text)
	}
	s := r.Sentiment
	if math.IsNaN(s.Score) || s.Score < -1 || s.Score > 1 {
		t.Errorf("%q: score %v outside [-1,1]", in, s.Score)
	}
	switch {
	case s.Label == nlp.Positive && s.Score <= 0, s.Label == nlp.Negative && s.Score >= 0:
		t.Errorf("%q: label %s disagrees with score %v", in, s.Label, s.Score)
	case s.Label != nlp.Positive && s.Label != nlp.Negative && s.Label != nlp.Neutral:
		t.Errorf("%q: bad label %q", in, s.Label)
	}
	if r.Aspects == nil || r.PII == nil {
		t.Errorf("%q: aspects %v / pii %v must not be nil", in, r.Aspects, r.PII)
	}
	if !slices.IsSorted(r.PII) || len(slices.Compact(slices.Clone(r.PII))) != len(r.PII) {
		t.Errorf("%q: pii %v not sorted and unique", in, r.PII)
	}
	for _, a := range r.Aspects {
		got, ok := runeSlice(r.Text, a.Span[0], a.Span[1])
		if !ok || a.Span[0] >= a.Span[1] {
			t.Errorf("%q: aspect %+v: span outside text %q", in, a, r.Text)
			continue
		}
		// The span covers the aspect term and the opinion as written.
		if !strings.Contains(got, a.Aspect) || !strings.Contains(got, a.Opinion) {
			t.Errorf("%q: aspect %+v: span text %q lacks aspect or opinion", in, a, got)
		}
		if a.Category == "" && (a.Aspect == "" || a.Opinion == "") || a.Polarity == "" {
			t.Errorf("%q: aspect %+v without category or polarity", in, a)
		}
	}
	prev := 0
	for _, c := range r.Clauses {
		if _, ok := runeSlice(r.Text, c.Span[0], c.Span[1]); !ok || c.Span[0] < prev || c.Span[0] >= c.Span[1] {
			t.Errorf("%q: clause %v out of order or outside text (len %d)", in, c.Span, utf8.RuneCountInString(r.Text))
		}
		prev = c.Span[1]
	}
}

// reviews are realistic texts across channels and forms of writing.
var reviews = []struct {
	name string
	text string
	// wantCat is a category/subcategory:polarity that must be found, if set.
	wantCat string
	label   string // expected sentiment label, if set
}{
	{"contrast", "质量不错，但是物流太慢了，等了一个星期才到。", "物流/配送慢:negative", nlp.Negative},
	{"praise", "快递小哥很负责，送货上门，还帮忙搬上楼，给个五星好评。", "", nlp.Positive},
	{"service", "客服态度非常差！！！问了三遍都不回复，差评[怒][怒]", "服务/态度差:negative", nlp.Negative},
	{"traditional", "這個產品質量很好，物流也很快，下次還會再來買。", "物流/配送快:positive", nlp.Positive},
	{"fullwidth", "ＯＫ的，没什么问题，ｉＰｈｏｎｅ１５ Ｐｒｏ 用着很流畅。", "", ""},
	{"html", "<p>收到货了，<b>非常满意</b></p><br/>物流快&amp;包装好", "", nlp.Positive},
	{"emoji", "性价比很高，比实体店便宜了200多块，推荐购买👍👍👍👍👍👍", "", nlp.Positive},
	{"repeats", "好好好好好好好好，太棒了！！！！！！", "", nlp.Positive},
	{"pii", "包装破损，里面的东西都碎了，要求退货退款，电话13812345678", "包装/破损:negative", nlp.Negative},
	{"negation", "衣服不好看，面料也不舒服，不推荐。", "", nlp.Negative},
	{"sarcasm", "呵呵，就这？三天才到，快递真是快得没谁了", "", nlp.Negative},
	{"escalation", "再不给我退款我就打12315投诉你们！", "", nlp.Negative},
	{"mixed", "耳机的noise cancelling效果一般，battery也不耐用", "", ""},
	{"pain point, no scored word", "有股怪味道", "气味/难闻:negative", nlp.Negative},
	{"one word of praise", "好评", "", nlp.Positive},
	{"one word of complaint", "尺码偏小", "尺寸/不合适:negative", nlp.Negative},
	{"empty", "", "", nlp.Neutral},
	{"spaces", "   \n\t  ", "", nlp.Neutral},
	{"markup only", "[哈哈][哈哈]", "", ""},
}

func TestAnalyze(t *testing.T) {
	_, _, an := setup(t)
	for _, tt := range reviews {
		t.Run(tt.name, func(t *testing.T) {
			r := an.Analyze(tt.text, nlp.Options{})
			checkResult(t, tt.text, r)
			// Text is the masked normalized text: mask runs after normalize.
			want, _ := pii.Mask(normalize.Normalize(tt.text).S)
			if r.Text != want {
				t.Errorf("Text = %q, want %q", r.Text, want)
			}
			if tt.label != "" && r.Sentiment.Label != tt.label {
				t.Errorf("label = %s (%.3f), want %s", r.Sentiment.Label, r.Sentiment.Score, tt.label)
			}
			if tt.wantCat != "" {
				var got []string
				for _, a := range r.Aspects {
					got = append(got, a.Category+"/"+a.Subcategory+":"+a.Polarity)
				}
				if !slices.Contains(got, tt.wantCat) {
					t.Errorf("aspects %v lack %s", got, tt.wantCat)
				}
			}
		})
	}
}

func TestAnalyzeSignals(t *testing.T) {
	_, _, an := setup(t)
	r := an.Analyze("再不给我退款我就打12315投诉你们！", nlp.Options{})
	if !r.Escalation || r.Intent != nlp.IntentComplaint {
		t.Errorf("escalation text: intent %q escalation %v, want 投诉 true", r.Intent, r.Escalation)
	}
	r = an.Analyze("这款有没有黑色的？什么时候发货？", nlp.Options{})
	if r.Escalation || r.Intent != nlp.IntentInquiry {
		t.Errorf("question: intent %q escalation %v, want 咨询 false", r.Intent, r.Escalation)
	}
	if len(r.Clauses) != 2 {
		t.Errorf("question: %d clauses, want 2", len(r.Clauses))
	}
	// The rating is a prior: a neutral text leans with it.
	lo := an.Analyze("收到了，就是这个", nlp.Options{Rating: 1}).Sentiment.Score
	hi := an.Analyze("收到了，就是这个", nlp.Options{Rating: 5}).Sentiment.Score
	if !(lo < 0 && hi > 0) {
		t.Errorf("rating prior: score %v with 1 star, %v with 5 stars", lo, hi)
	}
}

// piiCases hold personal data that must never come out of the analyzer.
var piiCases = []struct {
	name, text, secret string
	types              []string
}{
	{"mobile", "快递太慢了，打我电话13812345678", "13812345678", []string{"PHONE"}},
	{"mobile fullwidth", "快递太慢了，打我电话１３８１２３４５６７８", "12345678", []string{"PHONE"}},
	{"mobile spaced", "联系 +86 138 1234 5678，客服一直不回复", "1234 5678", []string{"PHONE"}},
	{"landline", "座机010-87654321没人接，售后太差", "87654321", []string{"LANDLINE"}},
	{"id", "身份证11010519491231002X已经提交了，退款还没到", "11010519491231002x", []string{"ID"}},
	{"card", "退款到卡6222021234567890128了吗？", "6222021234567890128", []string{"CARD"}},
	{"email", "发票发到zhang.san@example.com，谢谢，物流很快", "zhang.san", []string{"EMAIL"}},
	{"order", "订单号：JD20231225001234 到现在还没发货，差评", "20231225001234", []string{"ORDER"}},
	{"address", "送到朝阳区建国路88号的快递被暴力运输了", "建国路88号", []string{"ADDRESS"}},
	{"several", "电话13812345678，邮箱a.b@qq.com，包装破损", "13812345678", []string{"EMAIL", "PHONE"}},
}

func TestAnalyzePII(t *testing.T) {
	_, _, an := setup(t)
	for _, tt := range piiCases {
		t.Run(tt.name, func(t *testing.T) {
			r := an.Analyze(tt.text, nlp.Options{})
			checkResult(t, tt.text, r)
			if !reflect.DeepEqual(r.PII, tt.types) {
				t.Errorf("PII = %v, want %v", r.PII, tt.types)
			}
			fields := []string{r.Text}
			for _, a := range r.Aspects {
				fields = append(fields, a.Aspect, a.Opinion, a.Category, a.Subcategory)
			}
			for _, f := range fields {
				if strings.Contains(strings.ToLower(f), tt.secret) {
					t.Errorf("%q leaks %q", f, tt.secret)
				}
			}
			for _, ty := range tt.types {
				if !strings.Contains(r.Text, "<"+ty+">") {
					t.Errorf("text %q lacks placeholder <%s>", r.Text, ty)
				}
			}
		})
	}
}

// TestAnalyzePIIKeepsSegmentation checks that masking leaves the analysis
// of the surrounding text as it is without the personal data.
func TestAnalyzePIIKeepsSegmentation(t *testing.T) {
	_, _, an := setup(t)
	for _, tt := range []struct{ with, without string }{
		{"快递太慢了，电话13812345678，包装也破了", "快递太慢了，电话，包装也破了"},
		{"客服态度差，我的邮箱是abc@163.com", "客服态度差，我的邮箱是"},
		{"订单号123456789012的包装破损了，快递太慢", "订单号的包装破损了，快递太慢"},
	} {
		a, b := an.Analyze(tt.with, nlp.Options{}), an.Analyze(tt.without, nlp.Options{})
		sub := func(r *nlp.Result) []string {
			var out []string
			for _, x := range r.Aspects {
				out = append(out, x.Category+"/"+x.Subcategory+":"+x.Polarity)
			}
			return out
		}
		if !slices.Equal(sub(a), sub(b)) || len(sub(a)) == 0 {
			t.Errorf("%q: aspects %v, without PII %v", tt.with, sub(a), sub(b))
		}
		if a.Sentiment.Label != b.Sentiment.Label {
			t.Errorf("%q: label %s, without PII %s", tt.with, a.Sentiment.Label, b.Sentiment.Label)
		}
	}
}

func TestAnalyzeChat(t *testing.T) {
	_, _, an := setup(t)
	turns := []nlp.Turn{
		{Role: "customer", Text: "我的快递呢？三天了还没到，电话13812345678"},
		{Role: "agent", Text: "非常抱歉给您带来不好的体验，物流太慢了，您也可以拨打12315反映"},
		{Role: "customer", Text: ""},
		{Role: "customer", Text: "再不到我就投诉你们，找你们领导"},
		{Role: "agent", Text: "好的，已为您加急处理，您的电话是13900001111吗"},
	}
	cr := an.AnalyzeChat(turns, nlp.Options{})
	if len(cr.Turns) != len(turns) {
		t.Fatalf("%d turn results, want %d", len(cr.Turns), len(turns))
	}
	checkResult(t, "chat", &cr.Result)
	for i, tr := range cr.Turns {
		checkResult(t, turns[i].Text, &tr.Result)
		if tr.Role != turns[i].Role {
			t.Errorf("turn %d: role %q, want %q", i, tr.Role, turns[i].Role)
		}
		want, _ := pii.Mask(normalize.Normalize(turns[i].Text).S)
		if tr.Text != want {
			t.Errorf("turn %d: text %q, want %q", i, tr.Text, want)
		}
	}
	// Agents' words are not the customer's opinion.
	for _, i := range []int{1, 4} {
		tr := cr.Turns[i]
		if tr.Sentiment != (nlp.Sentiment{Label: nlp.Neutral}) || len(tr.Aspects) != 0 || tr.Intent != "" || tr.Escalation || tr.Clauses != nil {
			t.Errorf("agent turn %d analysed as opinion: %+v", i, tr.Result)
		}
	}
	if tr := cr.Turns[4]; !reflect.DeepEqual(tr.PII, []string{"PHONE"}) || strings.Contains(tr.Text, "1390000") {
		t.Errorf("agent turn 4 not masked: pii %v text %q", tr.PII, tr.Text)
	}
	if strings.Contains(cr.Text, "抱歉") || strings.Contains(cr.Text, "加急") {
		t.Errorf("overall text %q holds agent words", cr.Text)
	}
	wantText := cr.Turns[0].Text + "\n" + cr.Turns[3].Text
	if cr.Text != wantText {
		t.Errorf("overall text %q, want %q", cr.Text, wantText)
	}
	if cr.Turns[0].Sentiment.Label != nlp.Negative || cr.Sentiment.Label != nlp.Negative {
		t.Errorf("customer sentiment: turn %s, overall %s; want negative", cr.Turns[0].Sentiment.Label, cr.Sentiment.Label)
	}
	if !cr.Turns[3].Escalation || !cr.Escalation || cr.Intent != nlp.IntentComplaint {
		t.Errorf("escalation: turn %v, overall %v intent %q", cr.Turns[3].Escalation, cr.Escalation, cr.Intent)
	}
	if !reflect.DeepEqual(cr.PII, []string{"PHONE"}) {
		t.Errorf("overall pii %v", cr.PII)
	}
	// A customer turn's pain point is also in the overall result, at the
	// offsets of the joined text.
	if len(cr.Turns[0].Aspects) == 0 {
		t.Fatalf("turn 0 has no aspects: %+v", cr.Turns[0].Result)
	}
	a := cr.Turns[0].Aspects[0]
	found := false
	for _, b := range cr.Aspects {
		found = found || b == a // turn 0 starts the joined text
	}
	if !found {
		t.Errorf("overall aspects %+v lack turn 0's %+v", cr.Aspects, a)
	}
	last := cr.Turns[3]
	off := utf8.RuneCountInString(cr.Turns[0].Text) + 1
	for _, c := range last.Clauses {
		want := [2]int{c.Span[0] + off, c.Span[1] + off}
		if !slices.ContainsFunc(cr.Clauses, func(o nlp.Clause) bool { return o.Span == want }) {
			t.Errorf("overall clauses %v lack turn 3's clause %v shifted to %v", cr.Clauses, c.Span, want)
		}
	}
}

func TestAnalyzeChatEscalationOnlyFromCustomer(t *testing.T) {
	_, _, an := setup(t)
	cr := an.AnalyzeChat([]nlp.Turn{
		{Role: "customer", Text: "请问什么时候发货？"},
		{Role: "agent", Text: "如有不满您可以拨打12315或找律师"},
	}, nlp.Options{})
	if cr.Escalation || cr.Turns[1].Escalation {
		t.Errorf("agent's escalation words flagged the chat")
	}
	if cr.Text != "请问什么时候发货?" {
		t.Errorf("overall text %q", cr.Text)
	}
}

func TestAnalyzeChatRating(t *testing.T) {
	_, _, an := setup(t)
	turns := []nlp.Turn{{Role: "customer", Text: "收到了"}, {Role: "agent", Text: "好的"}}
	lo, hi := an.AnalyzeChat(turns, nlp.Options{Rating: 1}), an.AnalyzeChat(turns, nlp.Options{Rating: 5})
	if !(lo.Sentiment.Score < 0 && hi.Sentiment.Score > 0) {
		t.Errorf("overall score %v with 1 star, %v with 5", lo.Sentiment.Score, hi.Sentiment.Score)
	}
	if !reflect.DeepEqual(lo.Turns, hi.Turns) {
		t.Errorf("rating changed the turns: %+v vs %+v", lo.Turns, hi.Turns)
	}
}

func TestAnalyzeChatEdges(t *testing.T) {
	_, _, an := setup(t)
	for _, tt := range []struct {
		name  string
		turns []nlp.Turn
	}{
		{"none", nil},
		{"agent only", []nlp.Turn{{Role: "agent", Text: "您好，请问有什么可以帮您"}}},
		{"empty customer", []nlp.Turn{{Role: "customer", Text: " "}}},
		{"role case", []nlp.Turn{{Role: "Customer", Text: "太慢了"}}},
		{"unknown role", []nlp.Turn{{Role: "bot", Text: "太慢了"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cr := an.AnalyzeChat(tt.turns, nlp.Options{})
			checkResult(t, tt.name, &cr.Result)
			if len(cr.Turns) != len(tt.turns) {
				t.Fatalf("%d turns, want %d", len(cr.Turns), len(tt.turns))
			}
			var want []string
			for i, tr := range cr.Turns {
				checkResult(t, tt.turns[i].Text, &tr.Result)
				if analyzer.IsCustomer(tt.turns[i].Role) && tr.Text != "" {
					want = append(want, tr.Text)
				}
			}
			if cr.Text != strings.Join(want, "\n") {
				t.Errorf("overall text %q, want %q", cr.Text, strings.Join(want, "\n"))
			}
		})
	}
}

func TestNew(t *testing.T) {
	set, _, an := setup(t)
	if an.Version() != set.Version || an.Version() == "" {
		t.Errorf("Version() = %q, want %q", an.Version(), set.Version)
	}
	for _, tt := range []struct {
		name string
		set  *lexicons.Set
		seg  *segment.Holder
	}{
		{"nil set", nil, nil},
		{"no taxonomy", &lexicons.Set{Sentiment: set.Sentiment, Intents: set.Intents}, nil},
		{"empty holder", set, &segment.Holder{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := analyzer.New(tt.set, tt.seg); err == nil || !strings.HasPrefix(err.Error(), "analyzer: ") {
				t.Errorf("New: err %v, want an analyzer error", err)
			}
		})
	}
	// nil holder: New builds its own segmenter, with the same results.
	own, err := analyzer.New(set, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range reviews {
		if a, b := own.Analyze(tt.text, nlp.Options{}), an.Analyze(tt.text, nlp.Options{}); !reflect.DeepEqual(a, b) {
			t.Errorf("%q: own segmenter %+v, shared %+v", tt.text, a, b)
		}
	}
}

// TestConcurrentSwap analyses texts from many goroutines while the
// segmenter is swapped back and forth; every result must be the one of
// either segmenter (run with -race).
func TestConcurrentSwap(t *testing.T) {
	set, segA, _ := setup(t)
	words := append(slices.Clone(set.Domain), lexicons.DomainWord{Word: "物流太慢"}, lexicons.DomainWord{Word: "态度非常差"})
	segB, err := segment.New(words)
	if err != nil {
		t.Fatal(err)
	}
	holder := segment.NewHolder(segA)
	an, err := analyzer.New(set, holder)
	if err != nil {
		t.Fatal(err)
	}
	type want struct{ a, b *nlp.Result }
	wants := make([]want, len(reviews))
	for i, tt := range reviews {
		wants[i].a = an.Analyze(tt.text, nlp.Options{})
	}
	holder.Swap(segB)
	for i, tt := range reviews {
		wants[i].b = an.Analyze(tt.text, nlp.Options{})
	}
	differ := 0
	for _, w := range wants {
		if !reflect.DeepEqual(w.a, w.b) {
			differ++
		}
	}
	if differ == 0 {
		t.Fatal("the two segmenters give the same results: the swap is not observable")
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%2 == 0 {
				holder.Swap(segA)
			} else {
				holder.Swap(segB)
			}
		}
	}()
	var workers sync.WaitGroup
	for g := range 4 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for n := range 30 {
				i := (g + n) % len(reviews)
				got := an.Analyze(reviews[i].text, nlp.Options{})
				if !reflect.DeepEqual(got, wants[i].a) && !reflect.DeepEqual(got, wants[i].b) {
					t.Errorf("%q: result %+v is neither segmenter's", reviews[i].text, got)
				}
			}
		}()
	}
	workers.Wait()
	close(stop)
	wg.Wait()
}

func FuzzAnalyze(f *testing.F) {
	for _, tt := range reviews {
		f.Add(tt.text)
	}
	for _, tt := range piiCases {
		f.Add(tt.text)
	}
	f.Add("\xff\xfe<PHONE>[哈哈]&amp;\u200b")
	f.Fuzz(func(t *testing.T, s string) {
		_, _, an := setup(t)
		checkResult(t, s, an.Analyze(s, nlp.Options{}))
		cr := an.AnalyzeChat([]nlp.Turn{{Role: "customer", Text: s}, {Role: "agent", Text: s}, {Role: "customer", Text: s}}, nlp.Options{})
		checkResult(t, s, &cr.Result)
	})
}

// TestAnalyzeReviewFile checks the invariants on every hand-written review
// of the segmenter's test data.
func TestAnalyzeReviewFile(t *testing.T) {
	_, _, an := setup(t)
	b, err := os.ReadFile("../segment/testdata/reviews.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		n++
		checkResult(t, l, an.Analyze(l, nlp.Options{}))
	}
	if n < 20 {
		t.Errorf("only %d reviews read", n)
	}
}

// TestLongClause: a long text without punctuation is analysed in bounded
// clauses that tile it, and its aspects are still found.
func TestLongClause(t *testing.T) {
	_, _, a := setup(t)
	text := strings.Repeat("快递很慢包装也破了客服态度很差", 200)
	res := a.Analyze(text, nlp.Options{})
	if len(res.Clauses) < 2 {
		t.Fatalf("%d clauses for %d characters", len(res.Clauses), len([]rune(text)))
	}
	prev := 0
	for _, c := range res.Clauses {
		if c.Span[0] < prev || c.Span[1]-c.Span[0] > analyzer.MaxClauseRunes {
			t.Fatalf("clause %v after %d", c.Span, prev)
		}
		prev = c.Span[1]
	}
	if len(res.Aspects) < 100 {
		t.Errorf("%d aspects in 200 repetitions of three complaints", len(res.Aspects))
	}
}

// TestIncidentalTopics: a review that takes a side keeps the topics it
// judges or asks about and drops those it only names; one that judges
// nothing keeps them; "incidental keep" (forum packs) keeps them all.
func TestIncidentalTopics(t *testing.T) {
	set, seg, an := setup(t)
	kept := *set
	kept.KeepIncidental = true
	forum, err := analyzer.New(&kept, segment.NewHolder(seg))
	if err != nil {
		t.Fatal(err)
	}
	points := func(r *nlp.Result) []string {
		var out []string
		for _, a := range r.Aspects {
			out = append(out, a.Point()+":"+a.Polarity)
		}
		return out
	}
	tests := []struct {
		text         string
		review, keep []string
	}{
		{"质量很好，物流是顺丰", []string{"质量/质量好:positive"}, []string{"质量/质量好:positive", "物流:neutral"}},
		{"质量很好，请问什么时候发货？", []string{"质量/质量好:positive", "物流:neutral"}, []string{"质量/质量好:positive", "物流:neutral"}},
		{"物流是顺丰，包装是纸箱", []string{"物流:neutral", "包装:neutral"}, []string{"物流:neutral", "包装:neutral"}},
		{"包装破损了，希望物流快一点", []string{"包装/破损:negative"}, []string{"包装/破损:negative", "物流/配送快:neutral"}},
	}
	for _, tt := range tests {
		if got := points(an.Analyze(tt.text, nlp.Options{})); !slices.Equal(got, tt.review) {
			t.Errorf("%s: %v, want %v", tt.text, got, tt.review)
		}
		if got := points(forum.Analyze(tt.text, nlp.Options{})); !slices.Equal(got, tt.keep) {
			t.Errorf("%s (incidental keep): %v, want %v", tt.text, got, tt.keep)
		}
		// a customer's message to the company keeps its topics: dropping
		// them is for reviews
		if got := points(an.Analyze(tt.text, nlp.Options{Conversational: true})); !slices.Equal(got, tt.keep) {
			t.Errorf("%s (conversational): %v, want %v", tt.text, got, tt.keep)
		}
	}
}

// TestDoubtGivesNoSide: a topic in a clause that doubts (不知道, 是否) or
// supposes (如果, 假如), or follows a supposition in its sentence, takes no
// side from the clause's score, and a supposition is no verdict on the whole.
func TestDoubtGivesNoSide(t *testing.T) {
	_, _, an := setup(t)
	for _, text := range []string{"还在更新不知道效果怎么样", "系统刚升级，是不是更省电了还不清楚",
		"如果质量不好我会退货", "如果出现质量问题怎么办",
		"如果这款机找不到联通网络，我只有去把它退了"} {
		for _, a := range an.Analyze(text, nlp.Options{}).Aspects {
			if a.Polarity != nlp.Neutral {
				t.Errorf("%s: %s is %s (%q), want no side", text, a.Point(), a.Polarity, a.Opinion)
			}
		}
	}
	// 如果可以 is an idiom (if I could), no supposition
	if r := an.Analyze("如果可以一颗星都不想给", nlp.Options{}); !slices.ContainsFunc(r.Aspects, func(a nlp.Aspect) bool { return a.Polarity == nlp.Negative }) {
		t.Errorf("如果可以一颗星都不想给: %v, want a complaint", r.Aspects)
	}
}

// TestTopicsVerdict: a verdict right after a topic mention (物流我是很满意的,
// 这速度必须差评) is the topic's; it is no second point on the whole.
func TestTopicsVerdict(t *testing.T) {
	_, _, an := setup(t)
	tests := []struct {
		text string
		want []string
	}{
		{"物流我是很满意的", []string{"物流:positive"}},
		{"自营这物流必须差评", []string{"物流:negative"}},
		// a verdict that names its own noun stays (商品 is the whole)
		{"这家店的商品真的不错", []string{"服务:positive", "整体:positive"}},
		// far from the topic the verdict is on the whole
		{"物流是顺丰，总之非常满意", []string{"整体:positive"}},
	}
	for _, tt := range tests {
		var got []string
		for _, a := range an.Analyze(tt.text, nlp.Options{}).Aspects {
			got = append(got, a.Category+":"+a.Polarity)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.text, got, tt.want)
		}
	}
}

// TestProneIsNoEase: 容易 before a verb or a fault says what tends to
// happen (系统容易死机, 面板很容易划坏), never that something is easy.
func TestProneIsNoEase(t *testing.T) {
	_, _, an := setup(t)
	for _, text := range []string{"系统容易死机", "装了系统以后容易死机", "面板很容易划坏", "外壳容易磨花"} {
		r := an.Analyze(text, nlp.Options{})
		for _, a := range r.Aspects {
			if a.Polarity == nlp.Positive {
				t.Errorf("%s: %s is praise (%q)", text, a.Point(), a.Opinion)
			}
		}
	}
	// before no verb 容易 is ease
	if r := an.Analyze("安装很容易", nlp.Options{}); !slices.ContainsFunc(r.Aspects, func(a nlp.Aspect) bool { return a.Polarity == nlp.Positive }) {
		t.Errorf("安装很容易: %v, want praise", r.Aspects)
	}
}
