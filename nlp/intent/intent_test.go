package intent_test

import (
	"sync"
	"testing"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/aspect"
	"github.com/vocproject/voc/nlp/clause"
	"github.com/vocproject/voc/nlp/intent"
	"github.com/vocproject/voc/nlp/normalize"
	"github.com/vocproject/voc/nlp/pii"
	"github.com/vocproject/voc/nlp/segment"
	"github.com/vocproject/voc/nlp/sentiment"
)

type env struct {
	seg     *segment.Segmenter
	sc      *sentiment.Scorer
	m       *aspect.Matcher
	c       *intent.Classifier
	markers clause.Markers
}

var (
	envOnce sync.Once
	shared  env
	envErr  error
)

// setup loads the lexicons and the segmenter once per test binary.
func setup(tb testing.TB) env {
	tb.Helper()
	envOnce.Do(func() {
		set, err := lexicons.Load(lexicons.Embedded())
		if err != nil {
			envErr = err
			return
		}
		if shared.seg, envErr = segment.New(set.Domain); envErr != nil {
			return
		}
		if shared.m, envErr = aspect.New(set.Taxonomy); envErr != nil {
			return
		}
		shared.sc = sentiment.New(set.Sentiment)
		shared.c = intent.New(set.Intents)
		shared.markers = sentiment.Markers(set.Sentiment)
	})
	if envErr != nil {
		tb.Fatal(envErr)
	}
	return shared
}

// classify runs the whole analysis the way the analyzer does.
func (e env) classify(raw string) (string, bool) {
	s, _ := pii.Mask(normalize.Normalize(raw).S)
	toks := e.seg.Cut(s)
	cls := clause.Split(s, e.markers)
	sent, _ := e.sc.Score(toks, cls, nlp.Options{})
	return e.c.Classify(s, toks, sent, e.m.Match(s, toks, cls))
}

func TestClassify(t *testing.T) {
	e := setup(t)
	tests := []struct {
		name       string
		text       string
		intent     string
		escalation bool
	}{
		{"inquiry shipping", "请问这款什么时候发货？", nlp.IntentInquiry, false},
		{"inquiry where", "帮我查一下快递到哪了", nlp.IntentInquiry, false},
		{"inquiry stock", "这个颜色还有货吗", nlp.IntentInquiry, false},
		{"complaint cue", "太过分了，发来的东西是坏的还不给解决", nlp.IntentComplaint, false},
		{"complaint inferred", "快递三天才到，太慢了，外包装也破了", nlp.IntentComplaint, false},
		{"complaint rhetorical question", "怎么这么慢啊，一个星期了还没到", nlp.IntentComplaint, false},
		{"complaint not satisfied", "说好的正品呢，非常不满意", nlp.IntentComplaint, false},
		{"after-sales return", "收到的商品有破损，申请退货退款", nlp.IntentAfterSales, false},
		{"after-sales question", "退款什么时候到账？", nlp.IntentAfterSales, false},
		{"after-sales repair", "手机屏幕坏了，能保修吗", nlp.IntentAfterSales, false},
		{"suggestion", "建议包装再结实一点，容易压坏", nlp.IntentSuggestion, false},
		{"suggestion hope", "东西不错，希望能多送点小样", nlp.IntentSuggestion, false},
		{"praise cue", "客服小姐姐非常耐心，感谢", nlp.IntentPraise, false},
		{"praise inferred", "物流很快，包装很精美", nlp.IntentPraise, false},
		{"praise with hope is still praise", "很好用，会回购的，希望一直保持", nlp.IntentPraise, false},
		{"escalation 12315", "再不处理我就打12315投诉你们", nlp.IntentComplaint, true},
		{"escalation lawyer", "我已经联系律师了，等着吧", nlp.IntentComplaint, true},
		{"escalation media", "不退款我就去网上曝光你们", nlp.IntentComplaint, true},
		{"no escalation inside a number", "型号是A123150，请问有货吗", nlp.IntentInquiry, false},
		{"no escalation in a bank name", "用工商银行的卡付的款，物流很快，很满意", nlp.IntentPraise, false},
		// media words flag escalation only with complaint context
		{"repost is no escalation", "转发微博", "", false},
		{"praise of a tv host", "电视台的主持们真漂亮", "", false},
		{"news is no escalation", "昨天电视台报道了这个牌子", "", false},
		{"price is no escalation", "花了315元买的，很值", "", false},
		{"media threat with a refund", "再不退款我就发微博曝光你们", nlp.IntentComplaint, true},
		{"media threat with a pain point", "等了半个月还没发货，我要上电视台", nlp.IntentComplaint, true},
		{"media threat in a negative text", "发的货不对，我要发微博让大家看看", nlp.IntentComplaint, true},
		{"threat alone", "已经投诉到12315了", nlp.IntentComplaint, true},
		{"seeking media alone", "我要找媒体", nlp.IntentComplaint, true},
		{"nothing", "今天天气晴", "", false},
		{"traditional", "請問什麼時候發貨", nlp.IntentInquiry, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, esc := e.classify(tt.text)
			if got != tt.intent || esc != tt.escalation {
				t.Errorf("Classify(%q) = %q, %v; want %q, %v", tt.text, got, esc, tt.intent, tt.escalation)
			}
		})
	}
}

// TestClassifyInputs checks the rules on sentiment and aspects alone.
func TestClassifyInputs(t *testing.T) {
	c := intent.New(&lexicons.Intents{Cues: []lexicons.IntentCue{
		{Term: "请问", Intent: "咨询", Weight: 1},
		{Term: "满意", Intent: "表扬", Weight: 1},
		{Term: "不满意", Intent: "投诉", Weight: 1.5},
		{Term: "退货", Intent: "售后", Weight: 1.5},
		{Term: "律师", Intent: lexicons.Escalation, Weight: 1},
		{Term: "微博", Intent: lexicons.Escalation, Weight: 1, Context: lexicons.ContextComplaint},
		{Term: "差评", Intent: "投诉", Weight: 1.5},
		{Term: "后悔", Intent: "投诉", Weight: 1, Context: lexicons.ContextComplaint},
	}})
	mild := nlp.Sentiment{Score: -0.3, Label: nlp.Negative}
	neg := nlp.Sentiment{Score: -0.8, Label: nlp.Negative}
	posv := nlp.Sentiment{Score: 0.8, Label: nlp.Positive}
	neutral := nlp.Sentiment{Label: nlp.Neutral}
	pain := []nlp.Aspect{{Category: "物流", Subcategory: "配送慢", Polarity: nlp.Negative}}
	praise := []nlp.Aspect{{Category: "物流", Subcategory: "配送快", Polarity: nlp.Positive}}
	tests := []struct {
		name    string
		text    string
		sent    nlp.Sentiment
		aspects []nlp.Aspect
		want    string
		esc     bool
	}{
		{"no cue, negative with pain", "太慢", neg, pain, nlp.IntentComplaint, false},
		{"no cue, negative without pain", "唉", neg, nil, "", false},
		{"no cue, positive with praise", "真快", posv, praise, nlp.IntentPraise, false},
		{"no cue, positive without praise", "哈哈", posv, nil, "", false},
		{"no cue, neutral", "嗯", neutral, pain, "", false},
		{"longest cue wins", "不满意", neutral, nil, nlp.IntentComplaint, false},
		{"praise cue in negative text", "满意吗", neg, pain, nlp.IntentComplaint, false},
		{"inquiry about return", "请问怎么退货", neutral, nil, nlp.IntentAfterSales, false},
		{"escalation", "找律师", posv, praise, nlp.IntentComplaint, true},
		{"context cue alone", "发微博", neutral, nil, "", false},
		{"context cue, mildly negative", "发微博", mild, nil, "", false},
		{"context cue, positive with praise", "发微博", posv, praise, nlp.IntentPraise, false},
		{"context cue, clearly negative", "发微博", neg, nil, nlp.IntentComplaint, true},
		{"context cue, pain point", "发微博", neutral, pain, nlp.IntentComplaint, true},
		{"context cue, complaint cue", "差评，发微博", neutral, nil, nlp.IntentComplaint, true},
		{"context cue, escalation cue", "律师和微博", neutral, nil, nlp.IntentComplaint, true},
		{"context cues do not give each other context", "后悔，发微博", neutral, nil, "", false},
		{"context complaint cue with context", "后悔", neg, nil, nlp.IntentComplaint, false},
		{"empty", "", neutral, nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, esc := c.Classify(tt.text, nil, tt.sent, tt.aspects)
			if got != tt.want || esc != tt.esc {
				t.Errorf("Classify(%q) = %q, %v; want %q, %v", tt.text, got, esc, tt.want, tt.esc)
			}
		})
	}
	if got, esc := intent.New(nil).Classify("请问", nil, neutral, nil); got != "" || esc {
		t.Errorf("nil cues: %q, %v", got, esc)
	}
}

func BenchmarkClassify(b *testing.B) {
	e := setup(b)
	texts := []string{
		"请问这款什么时候发货？我下单三天了还没发",
		"快递太慢了，等了一个星期才到，外包装都压扁了，客服态度也很差，我要投诉",
		"东西很好用，物流很快，包装很精美，会回购的，感谢客服小姐姐",
	}
	type prepared struct {
		s       string
		tokens  []segment.Token
		sent    nlp.Sentiment
		aspects []nlp.Aspect
	}
	var ps []prepared
	size := 0
	for _, raw := range texts {
		s := normalize.Normalize(raw).S
		toks := e.seg.Cut(s)
		cls := clause.Split(s, e.markers)
		sent, _ := e.sc.Score(toks, cls, nlp.Options{})
		ps = append(ps, prepared{s, toks, sent, e.m.Match(s, toks, cls)})
		size += len(s)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range ps {
			e.c.Classify(p.s, p.tokens, p.sent, p.aspects)
		}
	}
}
