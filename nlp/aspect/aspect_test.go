package aspect_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/aspect"
	"github.com/vocproject/voc/nlp/clause"
	"github.com/vocproject/voc/nlp/normalize"
	"github.com/vocproject/voc/nlp/pii"
	"github.com/vocproject/voc/nlp/segment"
	"github.com/vocproject/voc/nlp/sentiment"
)

type env struct {
	set     *lexicons.Set
	seg     *segment.Segmenter
	m       *aspect.Matcher
	markers clause.Markers
}

var (
	envOnce sync.Once
	shared  env
	envErr  error
)

// setup loads the lexicons (the ecommerce pack, which the cases are
// about) and the segmenter once per test binary.
func setup(tb testing.TB) env {
	tb.Helper()
	envOnce.Do(func() {
		shared.set, envErr = lexicons.LoadPacks(lexicons.Embedded(), []string{"ecommerce"})
		if envErr != nil {
			return
		}
		if shared.seg, envErr = segment.New(shared.set.Domain); envErr != nil {
			return
		}
		shared.m, envErr = aspect.New(shared.set.Taxonomy)
		shared.markers = sentiment.Markers(shared.set.Sentiment)
	})
	if envErr != nil {
		tb.Fatal(envErr)
	}
	return shared
}

// match runs the stages before the matcher as the analyzer does.
func (e env) match(raw string) (string, []nlp.Aspect) {
	s, _ := pii.Mask(normalize.Normalize(raw).S)
	return s, e.m.Match(s, e.seg.Cut(s), clause.Split(s, e.markers))
}

// short renders an aspect as "category/subcategory:polarity".
func short(a nlp.Aspect) string {
	return fmt.Sprintf("%s/%s:%s", a.Category, a.Subcategory, a.Polarity)
}

const (
	pos = ":" + nlp.Positive
	neg = ":" + nlp.Negative
	neu = ":" + nlp.Neutral
)

func TestMatch(t *testing.T) {
	e := setup(t)
	tests := []struct {
		name string
		text string
		want []string // short forms in text order
	}{
		// praise
		{"praise two clauses", "物流很快，包装也很好", []string{"物流/配送快" + pos, "包装/满意" + pos}},
		{"praise courier", "快递小哥态度很好，还帮忙送上楼", []string{"物流/快递员态度好" + pos, "物流/送货上门" + pos}},
		{"praise price", "性价比很高，下次还来", []string{"价格/实惠" + pos, "整体/满意" + pos}},
		// a catch-all complaint goes when a specific aspect is a pain too, a verdict (不推荐) stays
		{"catch-all pruned", "太差了，物流慢死了", []string{"物流/配送慢" + neg}},
		{"praise catch-all kept", "物流很快，非常满意", []string{"物流/配送快" + pos, "整体/满意" + pos}},
		{"negated opinion before the aspect it qualifies", "不满意的购物体验", []string{"整体/不满" + neg}},
		{"verdict kept", "物流慢死了，不推荐购买", []string{"物流/配送慢" + neg, "整体/不满" + neg}},
		// a comparison that denies: 没有/不如 + point of comparison + opinion
		{"comparison denies", "质量没有以前那么好了", []string{"质量/做工差" + neg}},
		{"comparison with a reference", "物流没有以前快", []string{"物流/配送慢" + neg}},
		{"far behind a reference", "物流远不如以前快", []string{"物流/配送慢" + neg}},
		{"behind the model before", "包装还不如老款结实", []string{"包装/破损" + neg}},
		{"不像 + point", "质量不像以前那么好了", []string{"质量/做工差" + neg}},
		{"不像 denies a complaint", "包装不像别家那么烂", []string{"包装/满意" + pos}},
		{"不像 without 那么 compares nothing", "包装不像别家的又破又脏", []string{"包装/破损" + neg, "包装/破损" + neg}},
		{"no comparison", "没有破损，包装很好", []string{"包装/完好" + pos, "包装/满意" + pos}},
		{"praise service reply", "客服回复很及时，耐心解答", []string{"服务/响应快" + pos, "服务/态度好" + pos}},
		{"opinion before aspect", "很精美的包装，送人很有面子", []string{"包装/精美" + pos}},
		{"attribute of aspect", "卖家发货速度快", []string{"物流/配送快" + pos}},
		{"genuine", "专柜验过了，是正品", []string{"真伪/正品" + pos, "真伪/正品" + pos}},
		// complaints
		{"slow delivery", "快递太慢了，等了一个星期才到", []string{"物流/配送慢" + neg, "物流/配送慢" + neg}},
		{"rough handling", "外包装都被压扁了，快递暴力运输", []string{"包装/破损" + neg, "物流/暴力运输" + neg}},
		{"rude service", "客服态度很差，问什么都爱理不理", []string{"服务/态度差" + neg, "服务/态度差" + neg}},
		{"refund", "申请退款一直不到账", []string{"售后/退款难" + neg}},
		{"workmanship", "做工粗糙，线头很多", []string{"质量/做工差" + neg, "质量/做工差" + neg}},
		{"fake", "收到的是假货，和专柜的完全不一样", []string{"真伪/假货" + neg}},
		{"price high", "价格有点高", []string{"价格/贵" + neg}},
		// negation
		{"negated slow", "快递不慢", []string{"物流/配送快" + pos}},
		{"negated damage", "包装没有破损", []string{"包装/完好" + pos}},
		{"negated generic", "客服态度不好", []string{"服务/态度差" + neg}},
		{"negation through degree words", "物流一点也不慢", []string{"物流/配送快" + pos}},
		{"double negation", "质量不是不好", []string{"质量/质量好" + pos}},
		{"negated genuine", "这根本不是正品", []string{"真伪/假货" + neg}},
		{"negated price", "不贵，挺好用的", []string{"价格/实惠" + pos, "使用体验/好用" + pos}},
		// implicit aspects
		{"carried aspect", "快递，太慢了", []string{"物流/配送慢" + neg}},
		{"bare duration", "三天才到", []string{"物流/配送慢" + neg}},
		{"leak", "漏液了，瓶子里只剩一半", []string{"质量/漏液" + neg}},
		{"half an hour more", "多等了半个多小时才送到", []string{"物流/配送慢" + neg}},
		{"colloquial numeral", "整整俩小时才送到，饭都凉了", []string{"物流/配送慢" + neg, "口味/难吃" + neg}},
		{"delivered late", "送的太晚了", []string{"物流/配送慢" + neg}},
		{"dry meat is food", "肉特别干", []string{"口味/难吃" + neg}},
		{"hair dryer", "头发吹不干", nil},
		{"space parts clauses", "很好用 送的东西也很nice", []string{"使用体验/好用" + pos, "整体/满意" + pos}},
		{"same day", "昨天下单今天就到了，很快", []string{"物流/配送快" + pos, "物流/配送快" + pos}},
		// conjunctions
		{"conjunction", "物流和包装都很好", []string{"物流/满意" + pos, "包装/满意" + pos}},
		{"enumeration comma", "客服、物流都很给力", []string{"服务/态度好" + pos, "物流/配送快" + pos}},
		// hedges and questions
		{"hope genuine", "希望是正品", []string{"真伪/正品" + neu}},
		{"hope faster", "希望物流快一点", []string{"物流/配送快" + neu}},
		{"question", "请问是正品吗", []string{"真伪/正品" + neu}},
		{"wish", "有活动就更好了", []string{"价格/活动优惠" + neu}},
		{"A-not-A", "不知道好不好用，用了再说", nil},
		{"answered", "质量怎么样？还可以", []string{"质量/质量好" + pos}},
		{"normal phenomenon", "刚开机有点发热是正常现象", []string{"功能/效果差" + neu}},
		{"normal but bad", "包装差是正常的", []string{"包装/不满" + neg}},
		{"not normal", "刚开机有点发热，不是正常现象", []string{"功能/效果差" + neg}},
		{"now and then", "手机时不时就死机", []string{"质量/故障" + neg}},
		{"A-not-A of 动", "物流动不动？", nil},
		{"can also", "可以换外壳，还可以编铃声，音质不错", []string{"功能/效果好" + pos}},
		{"fine", "还可以吧", []string{"整体/满意" + pos}},
		{"fine to eat", "还可以吃", []string{"整体/满意" + pos}},
		{"answered how", "物流如何？很慢", []string{"物流/配送慢" + neg}},
		{"unanswered", "质量怎么样？我也不知道", nil},
		// contrast keeps both sides
		{"contrast", "质量不错，但是物流太慢了", []string{"质量/质量好" + pos, "物流/配送慢" + neg}},
		// traditional characters, normalized by the caller
		{"traditional", "物流很快，包裝完好，價格實惠", []string{"物流/配送快" + pos, "包装/完好" + pos, "价格/实惠" + pos}},
		// masked personal data
		{"placeholder", "我的电话13812345678，快递员态度很差", []string{"物流/快递员态度差" + neg}},
		// precision: words that only look like opinions
		{"not yet used", "还没用，不知道效果", nil},
		{"about to arrive", "快到了吧", nil},
		{"nearly", "和以前买的差不多", nil},
		{"value is not price", "很有收藏价值", nil},
		{"seems", "好像是新出的款", nil},
		{"evaluation word", "看了评价才买的", nil},
		{"gift fact", "还送了两个小样", nil},
		{"no opinion", "今天中午收到的，给妈妈买的", nil},
		{"easy to", "盖子不好扣上", nil},
		{"usually is not so-so", "一般外面买要四块一个", nil},
		{"so-so ends its clause", "质量一般吧", []string{"质量/做工差" + neg}},
		{"taste of food", "味道很好吃，分量也足", []string{"口味/好吃" + pos, "尺寸/分量足" + pos}},
		{"smell", "味道很好闻", []string{"气味/好闻" + pos}},
		{"opinion far from aspect", "外观也是比较适合那些做生意的商务人士", nil},
		{"no carry past another subject", "品质不错，发热量还好吧", []string{"质量/质量好" + pos}},
		// a connective goes on about the aspect before, with its own opinions only
		{"carry past a connective", "质量不错，但是不够结实", []string{"质量/质量好" + pos, "质量/做工差" + neg}},
		{"a verdict after a connective", "包装很好，不过还是很好的", []string{"包装/满意" + pos, "整体/满意" + pos}},
		{"counterfactual", "本以为能买到好东西", []string{"整体/满意" + neu}},
		{"english", "物流很nice", []string{"物流/满意" + pos}},
		{"english inside word", "items arrived", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, got := e.match(tt.text)
			var gs []string
			for _, a := range got {
				if !a.IsMention() { // mentions: TestMentions
					gs = append(gs, short(a))
				}
			}
			if !slices.Equal(gs, tt.want) {
				t.Errorf("Match(%q) = %v, want %v\n%+v", s, gs, tt.want, got)
			}
			checkSpans(t, s, got)
		})
	}
}

// checkSpans checks that every span lies in the text, in text order, and
// covers the aspect term and the opinion.
func checkSpans(t *testing.T, s string, got []nlp.Aspect) {
	t.Helper()
	rs := []rune(s)
	prev := -1
	for _, a := range got {
		if a.Span[0] < 0 || a.Span[1] > len(rs) || a.Span[0] >= a.Span[1] {
			t.Errorf("%s: span %v outside [0, %d)", short(a), a.Span, len(rs))
			continue
		}
		if a.Span[0] < prev {
			t.Errorf("%s: span %v before the previous aspect's start %d", short(a), a.Span, prev)
		}
		prev = a.Span[0]
		covered := string(rs[a.Span[0]:a.Span[1]])
		if !strings.Contains(covered, a.Opinion) || !strings.Contains(covered, a.Aspect) {
			t.Errorf("%s: span %v = %q does not cover aspect %q and opinion %q", short(a), a.Span, covered, a.Aspect, a.Opinion)
		}
		if a.Opinion == "" && (a.Subcategory != "" || a.Polarity != nlp.Neutral || a.Aspect == "" || a.Category == "") {
			t.Errorf("%s: empty opinion, and not a topic mention (category, aspect, neutral)", short(a))
		}
		if a.Category == "" && (a.Aspect == "" || a.Opinion == "") {
			t.Errorf("%s: an open opinion without aspect %q or opinion %q", short(a), a.Aspect, a.Opinion)
		}
		switch a.Polarity {
		case nlp.Positive, nlp.Negative, nlp.Neutral:
		default:
			t.Errorf("%s: polarity %q", short(a), a.Polarity)
		}
	}
}

// TestMatchCategories checks that every category and subcategory the
// matcher reports is in the taxonomy.
func TestMatchCategories(t *testing.T) {
	e := setup(t)
	points := map[string]bool{}
	for _, c := range e.set.Taxonomy.Categories {
		points[c.PraisePoint()] = true
		points[c.PainPoint()] = true
	}
	for _, o := range e.set.Taxonomy.Opinions {
		points[o.Point] = true
		if o.Opposite != "" {
			points[o.Opposite] = true
		}
	}
	for _, text := range benchReviews {
		_, got := e.match(text)
		for _, a := range got {
			if _, ok := e.set.Taxonomy.Category(a.Category); ok && a.IsMention() {
				continue
			}
			if !points[a.Category+"/"+a.Subcategory] {
				t.Errorf("%q: point %s/%s is not in the taxonomy", text, a.Category, a.Subcategory)
			}
		}
	}
}

func TestMatchEdges(t *testing.T) {
	e := setup(t)
	if got := e.m.Match("", nil, nil); got != nil {
		t.Errorf("empty text: %v", got)
	}
	s := "物流很快"
	// clauses out of range or overlapping must not panic
	bad := []clause.Clause{{Start: -1, End: 2}, {Start: 0, End: 99}, {Start: 3, End: 2}, {Start: 0, End: 4}, {Start: 1, End: 4}}
	got := e.m.Match(s, e.seg.Cut(s), bad)
	if len(got) != 1 || got[0].Subcategory != "配送快" {
		t.Errorf("Match with bad clauses = %+v, want one 物流/配送快", got)
	}
	// no tokens: every position counts as a word boundary
	if got := e.m.Match(s, nil, clause.Split(s, e.markers)); len(got) != 1 {
		t.Errorf("Match without tokens = %+v, want one aspect", got)
	}
	if _, err := aspect.New(&lexicons.Taxonomy{}); err == nil {
		t.Error("New(empty taxonomy): no error")
	}
}

func TestMatchConcurrent(t *testing.T) {
	e := setup(t)
	want := make([][]nlp.Aspect, len(benchReviews))
	for i, text := range benchReviews {
		_, want[i] = e.match(text)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, text := range benchReviews {
				if _, got := e.match(text); !slices.Equal(got, want[i]) {
					t.Errorf("%q: concurrent result %+v, want %+v", text, got, want[i])
				}
			}
		}()
	}
	wg.Wait()
}

// benchReviews are review-like texts of various lengths.
var benchReviews = []string{
	"物流很快，包装也很好，宝贝很喜欢，下次还会再来",
	"快递太慢了，等了一个星期才到，外包装都压扁了，客服态度也很差，问什么都不回",
	"质量不错，但是价格有点高，希望能多搞点活动",
	"第二天就到了，是正品，专柜验过了，性价比很高，推荐购买",
	"收到货发现漏液了，联系客服说给补发，结果一直拖着不处理，退款也不给退，太坑了，再也不会买了",
	"还没用，不知道效果怎么样，看包装像是正品，快递小哥态度很好",
	"很好用，味道淡淡的很好闻，物流和包装都很给力，赠品也很多",
	"衣服做工粗糙，线头很多，洗了一次就掉色，尺码偏小，退换货还要自己出运费",
	"手机用了三天就死机，售后说要寄回去检测，等了半个月还没修好",
	"外卖送得很快，味道也不错，就是分量有点少，饭都凉了",
	"物流很快，包裝完好，價格實惠，客服很耐心",
	"我的电话<PHONE>，订单<ORDER>，三天了还没发货，催了好几次也没人理",
}

func BenchmarkMatch(b *testing.B) {
	e := setup(b)
	type prepared struct {
		s       string
		tokens  []segment.Token
		clauses []clause.Clause
	}
	for _, n := range []int{1, 4, 16} {
		var texts []prepared
		size := 0
		for i := range benchReviews {
			var sb strings.Builder
			for k := 0; k < n; k++ {
				sb.WriteString(benchReviews[(i+k)%len(benchReviews)])
				sb.WriteString("。")
			}
			s, _ := pii.Mask(normalize.Normalize(sb.String()).S)
			texts = append(texts, prepared{s, e.seg.Cut(s), clause.Split(s, e.markers)})
			size += len(s)
		}
		b.Run(fmt.Sprintf("chars=%d", size/len(texts)/3), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, p := range texts {
					e.m.Match(p.s, p.tokens, p.clauses)
				}
			}
		})
	}
}

// FuzzMatch checks that Match never panics and keeps its spans inside the
// text, also when tokens and clauses do not fit the text.
func FuzzMatch(f *testing.F) {
	for _, s := range benchReviews {
		f.Add(s, 0)
	}
	f.Add("快递，太慢了！！三天才到", 3)
	f.Add("不不不不慢", 1)
	f.Add("十多天才到，等了两个多小时", 0)
	f.Add("😀😀好<PHONE>物流", 2)
	f.Add("除了包装，其他", 1) // the rest's clause ran past the text
	f.Add("除了包装其他都挺好", 2)
	e := setup(f)
	f.Fuzz(func(t *testing.T, raw string, shift int) {
		s := normalize.Normalize(raw).S
		toks := e.seg.Cut(s)
		cls := clause.Split(s, e.markers)
		checkSpans(t, s, e.m.Match(s, toks, cls))
		// offsets that do not fit the text must not panic either
		shift %= 5
		for i := range toks {
			toks[i].Start += shift
			toks[i].End += shift
		}
		for i := range cls {
			cls[i].End += shift
		}
		e.m.Match(s, toks, cls)
	})
}

// TestMatchClausesPastText gives the passes after the clauses (除了's rest)
// clause ends past the text, after a longer text left the scratch buffers
// room to spare: they must not panic.
func TestMatchClausesPastText(t *testing.T) {
	e := setup(t)
	for _, s := range []string{"除了包装，其他", "除了包装其他好", "除了包装，其他都"} {
		for shift := 1; shift <= 4; shift++ {
			e.match(strings.Repeat("物流很快", 50))
			cls := clause.Split(s, e.markers)
			for i := range cls {
				cls[i].End += shift
			}
			e.m.Match(s, e.seg.Cut(s), cls)
		}
	}
}

// TestMatchOpinionBeforeAspect covers an opinion whose aspect follows it and
// that is then split again (速度快 before 服务态度): the items must stay in
// text order, spans inside the text.
func TestMatchOpinionBeforeAspect(t *testing.T) {
	e := setup(t)
	for _, s := range []string{
		"速度快服务态度好",
		"上网速度快屏幕清晰系统流畅",
		"服务很差送货的时候发票数额少了20元, 送货员还说让我直接找当当, 他不负责的.",
	} {
		norm, got := e.match(s)
		if len(got) == 0 {
			t.Errorf("%s: no aspects", s)
		}
		checkSpans(t, norm, got)
	}
}

// TestMentions checks the topic mentions: aspect terms named without an
// opinion, one per category, none for a category the text has an opinion
// about, none for the overall category.
func TestMentions(t *testing.T) {
	e := setup(t)
	tests := []struct {
		name, text string
		want       []string // mentions as category:term
	}{
		{"question", "请问快递什么时候到", []string{"物流:快递"}},
		{"fact", "外观也是比较适合那些做生意的商务人士", []string{"外观:外观"}},
		{"one per category", "快递和物流都还没消息", []string{"物流:快递"}},
		{"not when the category has an opinion", "快递很快，物流单号也发了", nil},
		{"not after an attribute took it", "快递小哥的态度", []string{"物流:快递小哥的态度"}},
		{"two topics", "想问下包装和价格", []string{"包装:包装", "价格:价格"}},
		{"overall is no topic", "东西收到了", nil},
		{"an opinion elsewhere keeps the mention", "价格还没看，包装很精美", []string{"价格:价格"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, got := e.match(tt.text)
			var ms []string
			for _, a := range got {
				if a.IsMention() {
					ms = append(ms, a.Category+":"+a.Aspect)
				}
			}
			if !slices.Equal(ms, tt.want) {
				t.Errorf("mentions of %q = %v, want %v\n%+v", s, ms, tt.want, got)
			}
			checkSpans(t, s, got)
		})
	}
}

// TestOpen checks open extraction: opinions about aspects the taxonomy does
// not know, and taxonomy aspects with opinion words it does not list.
func TestOpen(t *testing.T) {
	e := setup(t)
	m, err := aspect.New(e.set.Taxonomy, aspect.WithOpinionWords(e.set.Sentiment.Words))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		want       []string // category/subcategory:polarity@aspect
	}{
		{"unknown part, slow", "指纹识别很慢", []string{"/:negative@指纹识别"}},
		{"implicit opinion keeps the noun before", "这个键盘不太好用", []string{"使用体验/难用:negative@键盘"}},
		{"implicit opinion keeps the noun after", "非常漂亮的刺绣", []string{"外观/好看:positive@刺绣"}},
		{"generic opinion keeps the overall category and the noun", "这款手机真不错", []string{"整体/满意:positive@手机"}},
		{"a verb is no verdict", "最近英语水平提高了不少", nil},
		{"an opinion before a noun qualifies it", "一种新型血液", nil},
		{"negated", "电源键不灵敏", []string{"/:negative@电源键"}},
		{"adverb is no verdict", "指纹识别老是出错", nil},
		{"taxonomy aspect, opinion it does not list", "屏幕很细腻", []string{"功能/效果好:positive@屏幕"}},
		{"asked", "请问指纹识别灵敏吗", []string{"/:neutral@指纹识别"}},
		{"people are no aspect", "老公很喜欢", []string{"整体/满意:positive@"}},
		{"taxonomy first", "物流很快", []string{"物流/配送快:positive@物流"}},
		{"no opinion word", "指纹识别在背面", nil},
		{"the head of a compound names its aspect", "新款屏幕很细腻", []string{"功能/效果好:positive@新款屏幕"}},
		{"the head of a compound names its aspect", "华为手机屏幕很细腻", []string{"功能/效果好:positive@手机屏幕"}},
		{"a compound without a known head is about its known first part", "包装盒子印刷很模糊", []string{"包装/不满:negative@包装盒子印刷"}},
		{"a card is no lag", "支持TF卡扩展", nil},
		{"a degree word is no opinion", "系统驱动确实很烦", nil},
		{"a negation before a verb is no opinion", "笔记本是没有拆过的", nil},
		{"asked with V没有", "请问配送员配送没有?", []string{"物流/:neutral@配送员配送"}},
		{"a quantity is no opinion about an unknown noun", "这家的收费不少", nil},
		{"an age is no opinion about an unknown noun", "下载不了新的软件", nil},
		{"an age is no opinion about an unknown noun", "就是新的订单", nil},
		{"明显 before more of its clause is an adverb", "指纹识别明显不灵敏", []string{"/:negative@指纹识别"}},
		{"ease before a verb is no opinion: the verb says it", "面板很容易划坏", nil},
		{"ease before a verb is no opinion: the verb says it", "指纹识别不容易识别", nil},
		{"thanks close a request", "请尽快发货谢谢", nil},
		{"thanks close a request", "申请退款 谢谢", nil},
		{"ease at the end of its clause is one", "指纹识别很容易", []string{"/:positive@指纹识别"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := normalize.Normalize(tt.text).S
			got := m.Match(s, e.seg.Cut(s), clause.Split(s, e.markers))
			var gs []string
			for _, a := range got {
				if !a.IsMention() {
					gs = append(gs, short(a)+"@"+a.Aspect)
				}
			}
			if !slices.Equal(gs, tt.want) {
				t.Errorf("Match(%q) = %v, want %v\n%+v", s, gs, tt.want, got)
			}
			checkSpans(t, s, got)
		})
	}
}

// TestHeadings checks that topics listed under a heading (缺点：, 优点是)
// take its side, and that a heading that is an opinion or negated does not.
func TestHeadings(t *testing.T) {
	e := setup(t)
	e.checkTopicCases(t, []topicCase{
		{"colon, list, two sides", "缺点：包装，价格。优点是物流", []string{"包装:negative", "价格:negative", "物流:positive"}},
		{"copula", "唯一的缺点就是包装", []string{"包装:negative"}},
		{"ends in 是", "美中不足的是包装", []string{"包装:negative"}},
		{"numbered list", "缺点:1.包装 2.价格", []string{"包装:negative", "价格:negative"}},
		{"the sentence ends the heading", "缺点：包装。物流也到了", []string{"包装:negative", "物流:neutral"}},
		{"negated heading", "没什么缺点，包装也还行吧", []string{"包装:positive"}},
		{"negated heading, topic", "没发现什么缺点，物流昨天到的", []string{"物流:neutral"}},
		{"an opinion, not a heading", "缺点太多了，物流昨天到的", []string{"物流:neutral"}},
		{"a topic's own opinion wins", "缺点：物流很快但包装破了", []string{"物流:positive", "包装:negative"}},
		{"asked stays neutral", "优点是什么？价格吗", []string{"价格:neutral"}},
	})
}

// TestInferior checks that a topic a comparison puts below its point of
// comparison is a pain, and that other 不如 are not.
func TestInferior(t *testing.T) {
	e := setup(t)
	e.checkTopicCases(t, []topicCase{
		{"不如 + point", "包装不如从前", []string{"包装:negative"}},
		{"degree word first", "价格也远远不如别家", []string{"价格:negative"}},
		{"和 + point + 没法比", "包装和别家的没法比", []string{"包装:negative"}},
		{"opinion after the point", "包装不如以前好", []string{"包装:negative"}},
		{"a clause between", "包装，不如以前", []string{"包装:neutral"}},
		{"not the topic's comparison", "物流到了，不如退了吧", []string{"物流:neutral"}},
		{"a word between that is no degree word", "包装盒子里的说明书不如以前", []string{"包装:neutral"}},
		{"named point glued to the opinion", "价格没有京东便宜", []string{"价格:negative"}},
		{"a version number is a point", "质量没有2.0版的好", []string{"质量:negative"}},
		{"a version number is a point", "质量没有2.5好", []string{"质量:negative"}},
		{"named point, 不如", "包装不如华为好", []string{"包装:negative"}},
		{"an adverb before the marker", "价格也没有京东便宜", []string{"价格:negative"}},
		{"an adverb before the marker", "物流还没有顺丰快", []string{"物流:negative"}},
		{"让人 is no point", "质量也没有让人失望", []string{"质量:positive"}},
		{"a verb is no point: the opinion keeps its side", "物流没有收到很失望", []string{"物流:negative"}},
	})
}

// TestScornful checks that a scornful question (这就是…？, 这也叫…？) blames
// what it names when the text complains of something else too, and that it
// leaves alone a judgment after it, praise around it, and 这就是 alone.
func TestScornful(t *testing.T) {
	e := setup(t)
	e.checkTopicCases(t, []topicCase{
		{"a topic", "包装都破了，这就是京东的质量？", []string{"包装:negative", "质量:negative"}},
		{"an opinion the question held", "包装破了，这也叫新鲜？", []string{"包装:negative", "新鲜度:negative"}},
		{"two topics, one point each", "包装破了，这就是你们的物流和服务？", []string{"包装:negative", "物流:negative", "服务:negative"}},
		{"no complaint: a question", "这就是京东的质量？", []string{"质量:neutral"}},
		{"the judgment after it", "这就是顺丰的速度吗？第二天就到了，赞", []string{"物流:positive"}},
		{"所谓的 without a question mark", "这就是所谓的物美价廉吧，很满意", []string{"价格:positive"}},
		{"no question", "这就是我想要的颜色", []string{"外观:neutral"}},
		{"a question that does not open with 这就是", "包装破了，请问这个的质量？", []string{"包装:negative", "质量:neutral"}},
	})
}

// TestRhetoric checks questions whose 不是 asserts a complaint (这不是坑人吗)
// and those it leaves to be questions.
func TestRhetoric(t *testing.T) {
	e := setup(t)
	e.checkTopicCases(t, []topicCase{
		{"a complaint asserted", "这不是质量问题吗？", []string{"质量:negative"}},
		{"不就是", "这不就是质量差吗", []string{"质量:negative"}},
		{"an opinion after the aspect", "这质量不是很差吗", []string{"质量:negative"}},
		{"a praise is the promise broken, a question", "不是次日达么？", []string{"物流:neutral"}},
		{"是不是asks", "是不是质量问题吗", []string{"质量:neutral"}},
		{"no question: a denial", "不是质量问题，是我不会用", []string{"质量:neutral"}},
		{"a question word asks", "这不是质量问题吗？怎么处理", []string{"质量:negative"}},
		{"what asks", "不是质量问题是什么问题吗", []string{"质量:neutral"}},
		{"praise before it stays", "快递很快不就是包装差了点嘛", []string{"物流:positive", "包装:negative"}},
		{"不是一般的 intensifies", "质量不是一般的好嘛", []string{"质量:positive"}},
		{"a statement with 嘛", "这个价格不是很贵嘛", []string{"价格:positive"}},
	})
}

// TestExcepted checks a topic that 除了 sets apart from a judged rest: it
// takes the reverse of the rest's side, and the rest's opinion is not its.
func TestExcepted(t *testing.T) {
	e := setup(t)
	e.checkTopicCases(t, []topicCase{
		{"praise of the rest", "除了包装其他都挺好的", []string{"包装:negative"}},
		{"a comma and 外", "除了价格外，其他都满意", []string{"价格:negative"}},
		{"blame of the rest", "除了质量，别的都不好", []string{"质量:positive"}},
		{"别的, no comma", "除了质量别的都不好", []string{"质量:positive"}},
		{"an opinion of its own stays", "除了物流慢，其他都挺好", []string{"物流:negative"}},
		{"no rest named", "除了包装，还送了一个杯子", []string{"包装:neutral"}},
		{"besides: the rest too", "除了价格，其他也都很好", []string{"价格:neutral"}},
	})
}

// TestGluedNegation checks negations that the segmenter glues to the word
// before or after them (不发|烫, 从来没|死机).
func TestGluedNegation(t *testing.T) {
	e := setup(t)
	tests := []struct{ text, want string }{
		{"手机不发烫", "功能/效果好:positive"},
		{"手机发烫", "功能/效果差:negative"},
		{"这个从来没卡顿过", "功能/效果好:positive"},
	}
	for _, tt := range tests {
		e.checkPoints(t, tt.text, []string{tt.want})
	}
}

// TestQuestions checks which questions assert nothing (asked: neutral) and
// which complain (为什么…？).
func TestQuestions(t *testing.T) {
	e := setup(t)
	tests := []struct{ text, want string }{
		{"物流什么时候到？", "物流:neutral"},
		{"价格会便宜嘛？", "价格:neutral"},
		{"发货了没？快递呢", "物流:neutral"},
		{"为什么物流这么慢？", "物流:negative"},
		{"快递怎么还这么慢？", "物流:negative"},
	}
	for _, tt := range tests {
		s, got := e.match(tt.text)
		var gs []string
		for _, a := range got {
			if a.Category != "整体" {
				gs = append(gs, a.Category+":"+string(a.Polarity))
			}
		}
		if !slices.Equal(gs, []string{tt.want}) {
			t.Errorf("Match(%q) = %v, want [%s]\n%+v", s, gs, tt.want, got)
		}
		checkSpans(t, s, got)
	}
}

// checkTopics checks the category:polarity of the specific topics Match
// finds in text (not 整体, not unmapped aspects).
func (e env) checkTopics(t *testing.T, text string, want []string) {
	t.Helper()
	s, got := e.match(text)
	var gs []string
	for _, a := range got {
		if a.Category != "" && a.Category != "整体" {
			gs = append(gs, a.Category+":"+string(a.Polarity))
		}
	}
	if !slices.Equal(gs, want) {
		t.Errorf("topics of %q = %v, want %v\n%+v", s, gs, want, got)
	}
	checkSpans(t, s, got)
}

// topicCase names a text and the category:polarity of the topics Match
// should find in it (checkTopics).
type topicCase struct {
	name, text string
	want       []string
}

// checkTopicCases runs checkTopics on each case, as a subtest.
func (e env) checkTopicCases(t *testing.T, cases []topicCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) { e.checkTopics(t, tt.text, tt.want) })
	}
}

// renderedCase is a text and what Match should render for it.
type renderedCase struct {
	text string
	want []string // category/subcategory:polarity
}

// checkCases checks what match renders for each case's text.
func checkCases(t *testing.T, match func(string) (string, []nlp.Aspect), cases []renderedCase) {
	t.Helper()
	for _, tt := range cases {
		s, got := match(tt.text)
		checkRendered(t, s, got, tt.want, short)
	}
}

// matcherFor loads packs and returns a match function with the stages
// before the matcher, as e.match does for the ecommerce pack.
func (e env) matcherFor(t *testing.T, packs ...string) (*aspect.Matcher, func(raw string) (string, []nlp.Aspect)) {
	t.Helper()
	set, err := lexicons.LoadPacks(lexicons.Embedded(), packs)
	if err != nil {
		t.Fatal(err)
	}
	seg, err := segment.New(set.Domain)
	if err != nil {
		t.Fatal(err)
	}
	m, err := aspect.New(set.Taxonomy)
	if err != nil {
		t.Fatal(err)
	}
	return m, func(raw string) (string, []nlp.Aspect) {
		s, _ := pii.Mask(normalize.Normalize(raw).S)
		return s, m.Match(s, seg.Cut(s), clause.Split(s, e.markers))
	}
}

// checkRendered checks the aspects Match found in s, each rendered, in
// order.
func checkRendered(t *testing.T, s string, got []nlp.Aspect, want []string, render func(nlp.Aspect) string) {
	t.Helper()
	var gs []string
	for _, a := range got {
		gs = append(gs, render(a))
	}
	if !slices.Equal(gs, want) {
		t.Errorf("Match(%q) = %v, want %v\n%+v", s, gs, want, got)
	}
	checkSpans(t, s, got)
}

// checkPoints checks the points (category/subcategory:polarity) Match finds
// in text, in order.
func (e env) checkPoints(t *testing.T, text string, want []string) {
	t.Helper()
	s, got := e.match(text)
	checkRendered(t, s, got, want, short)
}

// checkAllTopics runs checkTopics on each text of want.
func (e env) checkAllTopics(t *testing.T, want map[string][]string) {
	t.Helper()
	for text, w := range want {
		e.checkTopics(t, text, w)
	}
}

// TestImplicitNamesItsAspect checks that an implicit opinion reports the
// aspect its phrase names, so that the stored aspect and the drill-down show
// what the customer spoke of.
func TestImplicitNamesItsAspect(t *testing.T) {
	e := setup(t)
	tests := []struct{ text, want string }{
		{"价格实惠", "价格/实惠:positive@价格"},     // an aspect term of the phrase
		{"泡沫丰富", "功能/效果好:positive@泡沫"},    // the words before the opinion term 丰富
		{"送货快", "物流/配送快:positive@送货"},     // another aspect term of the category
		{"很便宜", "价格/实惠:positive@"},        // names no aspect
		{"美白效果不明显", "功能/效果差:negative@美白"}, // a bare aspect is no praise
	}
	for _, tt := range tests {
		s, got := e.match(tt.text)
		var gs []string
		for _, a := range got {
			gs = append(gs, short(a)+"@"+a.Aspect)
		}
		if !slices.Equal(gs, []string{tt.want}) {
			t.Errorf("Match(%q) = %v, want [%s]", s, gs, tt.want)
		}
		checkSpans(t, s, got)
	}
}

// TestNotEvenOne checks that 一点/任何 … 都没有 and 没有任何 deny the
// opinion between them (一点漏光都没有 is praise).
func TestNotEvenOne(t *testing.T) {
	e := setup(t)
	tests := []struct{ text, want string }{
		{"包装一点破损也没有", "包装/完好:positive"},
		{"任何划痕都没有", "质量/质量好:positive"},
		{"一点异味都没有", "气味/好闻:positive"},
		{"手机没有任何划痕", "质量/质量好:positive"},
		{"包装有破损", "包装/破损:negative"}, // no closer
	}
	for _, tt := range tests {
		s, got := e.match(tt.text)
		var gs []string
		for _, a := range got {
			gs = append(gs, short(a))
		}
		if !slices.Equal(gs, []string{tt.want}) {
			t.Errorf("Match(%q) = %v, want [%s]", s, gs, tt.want)
		}
		checkSpans(t, s, got)
	}
}

// TestListedShareAnOpinion checks that aspects listed in bare clauses take
// the opinion that follows 都 (价格，质量都不错), and only then; so do
// aspects named side by side (价格质量都不错).
func TestListedShareAnOpinion(t *testing.T) {
	e := setup(t)
	e.checkTopicCases(t, []topicCase{
		{"two", "价格，质量都不错", []string{"价格:positive", "质量:positive"}},
		{"three, pain", "物流，包装，客服都很差", []string{"物流:negative", "包装:negative", "服务:negative"}},
		{"no 都", "价格，质量不错", []string{"价格:neutral", "质量:positive"}},
		{"an opinion between ends the list", "价格，还行吧，质量都不错", []string{"价格:positive", "质量:positive"}},
		{"a verdict of its own after the list", "价格，质量，包装，很不错", []string{"价格:positive", "质量:positive", "包装:positive"}},
		// aspects named side by side, nothing between, share 都 too
		{"side by side", "价格质量都不错", []string{"价格:positive", "质量:positive"}},
		{"three side by side, then a comma", "物流包装客服，都很差", []string{"物流:negative", "包装:negative", "服务:negative"}},
		{"side by side, no 都", "物流包装很好", []string{"物流:neutral", "包装:positive"}},
	})
}

// TestShortVerdicts checks that a one-rune generic opinion with a degree
// word or negation, in a clause of its own, is a verdict on the whole, and
// that 好 as a degree word or reply is not.
func TestShortVerdicts(t *testing.T) {
	e := setup(t)
	tests := []struct {
		text string
		want []string
	}{
		{"很好", []string{"整体/满意" + pos}},
		{"挺好的", []string{"整体/满意" + pos}},
		{"不太好", []string{"整体/不满" + neg}},
		{"好的好的", nil},                          // a reply
		{"好吧", nil},                            // no degree word
		{"有活动就更好了", []string{"价格/活动优惠" + neu}}, // a wish
		{"发票好多张", nil},                         // 好 of 好多 is a degree word
		// who judges (我觉得) leaves the clause to the verdict, one of its own
		{"我觉得很好", []string{"整体/满意" + pos}},
		{"颜色有点暗，我个人觉得挺好的", []string{"外观/难看" + neg, "整体/满意" + pos}},
	}
	for _, tt := range tests {
		s, got := e.match(tt.text)
		var gs []string
		for _, a := range got {
			gs = append(gs, short(a))
		}
		if !slices.Equal(gs, tt.want) {
			t.Errorf("Match(%q) = %v, want %v", s, gs, tt.want)
		}
	}
}

// TestAnotA checks that an A-not-A question (物流快不快) asks about its topic:
// a neutral, asked mention, not an opinion.
func TestAnotA(t *testing.T) {
	e := setup(t)
	for _, text := range []string{"物流快不快", "包装好不好"} {
		s, got := e.match(text)
		if len(got) != 1 || !got[0].IsMention() || !got[0].Asked || got[0].Polarity != nlp.Neutral {
			t.Errorf("Match(%q) = %+v, want one asked neutral mention", s, got)
		}
	}
	// a term that holds the pattern is no question
	if _, got := e.match("客服爱理不理"); len(got) != 1 || got[0].Polarity != nlp.Negative {
		t.Errorf("Match(客服爱理不理) = %+v, want one pain", got)
	}
}

// TestWishForMore checks that wishing an aspect more of its opinion (再便宜
// 点, 再大些) says it falls short, also when the segmenter glues the opinion
// to 再 or 点 and when the clause is framed as a wish (就好了), also with
// 更 after a modal in a wish frame (要是能更快就好了; not 不能更, 可能更),
// and that the frame's 好 and a 还可以 before the wish are no praise.
func TestWishForMore(t *testing.T) {
	e := setup(t)
	e.checkAllTopics(t, map[string][]string{
		"价格再便宜点就好了":     {"价格:negative"},
		"如果价格再低点会更好":    {"价格:negative"},
		"物流能再快一些":       {"物流:negative"},
		"包装再稍微好一点":      {"包装:negative"},
		"物流应该更快一点":      {"物流:negative"},
		"包装可以更结实一些就太好了": {"包装:negative"},
		// 更 with no 一点 in a wish frame; 不能更 and 可能更 hold no modal
		"物流要是能更快就好了":  {"物流:negative"},
		"包装要是能更结实就好了": {"包装:negative"},
		"价格不能更便宜了":    {"价格:positive"},
		"下一批可能更便宜":    {"价格:positive"},
		// a wish without 再 stays a wish; 再 before a verb is no opinion;
		// 更 without a modal compares
		"希望物流快一点":   {"物流:neutral"},
		"物流比上次更快一点": {"物流:positive"},
	})
	for _, text := range []string{"价格再便宜点就好了", "客服态度还可以再好些"} {
		if _, got := e.match(text); slices.ContainsFunc(got, func(a nlp.Aspect) bool { return a.Polarity == nlp.Positive }) {
			t.Errorf("Match(%q) = %+v, want no praise", text, got)
		}
	}
	if _, got := e.match("下次还会再来买些"); slices.ContainsFunc(got, func(a nlp.Aspect) bool { return a.Polarity == nlp.Negative }) {
		t.Errorf("Match(下次还会再来买些) = %+v, want no pain", got)
	}
}

// TestManaged checks that a judgment after 控制 says how the point of the
// implicit term before it is kept: 异味控制得不错 praises the smell, and
// is no complaint about a smell plus a verdict on the whole.
func TestManaged(t *testing.T) {
	e := setup(t)
	for text, want := range map[string]string{
		"异味控制得不错": "气味/好闻:positive",
		"色差控制得很好": "外观/好看:positive",
		"异味控制得不好": "气味/难闻:negative",
		"掉色控制一般":  "质量/褪色:negative",
	} {
		s, got := e.match(text)
		if len(got) != 1 || short(got[0]) != want {
			t.Errorf("Match(%q) = %+v, want one %s", s, got, want)
		}
		checkSpans(t, s, got)
	}
}

// TestBetterThan checks comparisons that assert (X比Y好): the opinion that
// ends the clause after 比 and a point of comparison is about the aspect
// before 比, also when the segmenter glues the point to it, and its
// complement (点, 多了, 很多) and words like 差点 ("almost") do not hide it;
// adverbs may stand before 比; 不比 (不会比, 没比) and a point that is this product
// (比这家) reverse the opinion; 性价比 and a point that names what is spoken
// of make no comparison.
func TestBetterThan(t *testing.T) {
	e := setup(t)
	e.checkAllTopics(t, map[string][]string{
		"外观比实物差点":    {"外观:negative"},
		"质量比上次买的好多了": {"质量:positive"},
		"物流比别家快很多":   {"物流:positive"},
		"价格比京东贵":     {"价格:negative"},
		"价格比京东低多了":   {"价格:positive"},
		"性价比高":       {"价格:positive"},
		// the product as a whole is the point compared with, not what is spoken of
		"质量比以前买的东西好多了": {"质量:positive"},
		// adverbs between the aspect and 比, and a complement 太多
		"价格也比别家便宜":   {"价格:positive"},
		"质量都比以前差了":   {"质量:negative"},
		"物流明显比上次慢太多": {"物流:negative"},
		// 不比 negates: not worse is praise, not cheaper a complaint
		"质量不比商场的差":  {"质量:positive"},
		"价钱也不比外面便宜": {"价格:negative"},
		"外观根本不比实物差": {"外观:positive"},
		// and so do 不会比 and 没比
		"价格不会比京东贵": {"价格:positive"},
		"价格没比外面便宜": {"价格:negative"},
		// 不会比 and a point that is this product: reversed twice
		"这个价位不会比这个更好了": {"价格:positive"},
		// the point is this product: what is compared is another's
		"别家的价格比这家便宜": {"价格:negative"},
		// a point that only starts with 这 or 本 is another's
		"价格比本地超市便宜":    {"价格:positive"},
		"质量比这几年买的都好":   {"质量:positive"},
		"质量一点也不比专卖店的差": {"质量:positive"},
		"原来用的味道比这个香":   {"口味:negative"},
	})
}

// TestLiking checks that a verb of liking judges the aspect it takes as
// its object, past words that only point at it (这个, 这款的), with the
// aspects joined to it by 和 or 、, and is no verdict on the whole then.
func TestLiking(t *testing.T) {
	e := setup(t)
	for text, want := range map[string][]string{
		"很喜欢这个颜色":  {"外观:positive"},
		"不喜欢这款的颜色": {"外观:negative"},
		"讨厌这个味道":   {"口味:negative"},
		// and the aspects joined to its object
		"很喜欢这款的包装和颜色": {"包装:positive", "外观:positive"},
		"不喜欢包装、颜色":    {"包装:negative", "外观:negative"},
	} {
		e.checkTopics(t, text, want)
		if _, got := e.match(text); slices.ContainsFunc(got, func(a nlp.Aspect) bool { return a.Category == "整体" }) {
			t.Errorf("Match(%q) = %+v, want no 整体", text, got)
		}
	}
	// with nothing after it, liking is a verdict
	if _, got := e.match("很喜欢"); len(got) != 1 || got[0].Category != "整体" {
		t.Errorf("Match(很喜欢) = %+v, want one 整体", got)
	}
}

// TestAttributeOfTheWhole checks that an attribute word after the product
// or shop as a whole names its own category: 这家的服务 is 服务 (快递小哥的
// 态度 stays 物流).
func TestAttributeOfTheWhole(t *testing.T) {
	e := setup(t)
	e.checkTopics(t, "这家的服务是最差的", []string{"服务:negative"})
	e.checkTopics(t, "快递小哥的态度很好", []string{"物流:positive"})
}

// TestAnaphor checks that a clause opened by a pronoun (这个, 这点) judges
// what the clause before named, not the purchase as a whole.
func TestAnaphor(t *testing.T) {
	e := setup(t)
	for _, text := range []string{"颜色没有色差，这点很好", "质量很好，这个比较不错"} {
		if _, got := e.match(text); len(got) != 2 || got[1].Category != got[0].Category || got[1].Polarity != nlp.Positive {
			t.Errorf("Match(%q) = %+v, want the second opinion on the first one's category", text, got)
		}
	}
}

// TestRefile checks that a verdict on anything said of an aspect term of
// one category is filed under that category once: a whole-purchase phrase
// (太坑了) or a word another category also uses (烂了 is rotten food) right
// after 物流 is a delivery complaint, with no catch-all or freshness beside
// it; a word only one category knows keeps its category.
func TestRefile(t *testing.T) {
	e := setup(t)
	m, err := aspect.New(e.set.Taxonomy, aspect.WithOpinionWords(e.set.Sentiment.Words))
	if err != nil {
		t.Fatal(err)
	}
	match := func(text string) (string, []nlp.Aspect) {
		s := normalize.Normalize(text).S
		return s, m.Match(s, e.seg.Cut(s), clause.Split(s, e.markers))
	}
	for text, want := range map[string]string{
		"物流太坑了":   "物流/不满:negative",
		"物流太烂了":   "物流/不满:negative",
		"质量太坑了":   "质量/做工差:negative",
		"快递员态度差":  "物流/快递员态度差:negative",
		"这东西太烂了":  "整体/不满:negative",
		"水果烂了好几个": "新鲜度/不新鲜:negative",
	} {
		s, got := match(text)
		if len(got) != 1 || short(got[0]) != want {
			t.Errorf("Match(%q) = %+v, want one %s", s, got, want)
		}
		checkSpans(t, s, got)
	}
	// with no aspect, 太坑了 stays a verdict on the purchase
	if _, got := match("太坑了"); len(got) != 1 || got[0].Category != "整体" {
		t.Errorf("Match(太坑了) = %+v, want one 整体", got)
	}
}

// TestClauseRules checks rules that read a clause as a whole:
//   - a negation before an implicit opinion that starts with an aspect word
//     (送货上门 starts with 送货) denies it, where a degree word would not
//     lead into it (包装好|物流快);
//   - the opinions of a clause about how things were (以前…) give way to
//     the opposite opinion of the present, and stay when nothing says
//     otherwise.
func TestClauseRules(t *testing.T) {
	e := setup(t)
	tests := []struct {
		text string
		want []string
	}{
		{"快递没有送货上门", []string{"物流/不送上门" + neg}},
		{"没有送货上门", []string{"物流/不送上门" + neg}},
		{"快递送货上门", []string{"物流/送货上门" + pos}},
		{"包装好物流快", []string{"包装/满意" + pos, "物流/配送快" + pos}},
		{"以前质量很好，这次质量太差了", []string{"质量/做工差" + neg}},
		{"这次质量太差了，以前质量很好", []string{"质量/做工差" + neg}},
		{"以前质量就很好，这次也一样", []string{"质量/质量好" + pos}},
		{"质量很好，物流以前很慢", []string{"质量/质量好" + pos, "物流/配送慢" + neg}},
	}
	for _, tt := range tests {
		e.checkPoints(t, tt.text, tt.want)
	}
}

// TestDisbelief checks a denied judgment (没觉得, 不认为) before an opinion
// of its clause: the opinion is negated once more.
func TestDisbelief(t *testing.T) {
	e := setup(t)
	tests := []struct{ text, want string }{
		{"我不认为质量差", "质量/质量好" + pos},
		{"我没觉得质量好", "质量/做工差" + neg},
		{"我不认为质量不好", "质量/质量好" + pos},
		{"丝毫没觉得质量不好", "质量/质量好" + pos},
		{"我觉得质量很差", "质量/做工差" + neg},
		// 不大 before an opinion is 不太
		{"用起来不大方便", "使用体验/难用" + neg},
		// a closing "gone" says the problem is over
		{"异味没有了", "气味/好闻" + pos},
		{"用了几天异味就消失了", "气味/好闻" + pos},
		{"赠品没有了", "价格/赠品少" + neg},
		// 不到哪去 says the opinion right before it holds little
		{"质量好不到哪里去", "质量/做工差" + neg},
		{"质量差不到哪去", "质量/质量好" + pos},
		// a doubt about the cause leaves the opinion asserted
		{"不知是不是天气的原因包装破损了", "包装/破损" + neg},
	}
	for _, tt := range tests {
		e.checkPoints(t, tt.text, []string{tt.want})
	}
}

// TestDenial checks that a denial before an aspect (不是屏幕不好, 倒不是
// 价格贵) takes no side on it, where a negation of the opinion would
// praise it; a rhetorical 还不是 and a copula (肥牛不是肥牛) deny nothing.
func TestDenial(t *testing.T) {
	e := setup(t)
	tests := []struct {
		text string
		want []string
	}{
		{"并不是屏幕不好", []string{"功能/效果差" + neu}},
		{"倒不是价格贵", []string{"价格/贵" + neu}},
		{"不是质量问题", []string{"质量/做工差" + neu}},
		{"不是物流慢，是商家发货慢", []string{"物流/配送慢" + neu, "物流/配送慢" + neg}},
		{"质量不是很好", []string{"质量/做工差" + neg}},
		{"不是特别喜欢", []string{"整体/不满" + neg}},
		{"说到底还不是手机有问题", []string{"质量/故障" + neg}},
	}
	for _, tt := range tests {
		e.checkPoints(t, tt.text, tt.want)
	}
}

// TestOrphanVerdicts checks, in a taxonomy without an overall category
// (the car pack), a generic verdict with no aspect: it goes to the topic
// closest before it in its sentence, never to one after it or in another
// sentence.
func TestOrphanVerdicts(t *testing.T) {
	e := setup(t)
	m, match := e.matcherFor(t, "cars")
	if m.Overall() != "" {
		t.Fatalf("the car pack has an overall category %q", m.Overall())
	}
	tests := []struct {
		text string
		want []string // category:polarity
	}{
		{"俺就再没换过其他机油，省心了", []string{"动力" + pos}},
		{"真心喜欢，价格也就车商价格", []string{"价格" + neu}},
		{"机油换过了。省心了", []string{"动力" + neu}},
		{"机油换过了，一点都不省心", []string{"动力" + neg}},
		{"机油换过了，这么棒的车", []string{"动力" + neu}}, // 棒 judges 车
		// the topic named last, though its category's mention is an earlier term
		{"底盘。操控感在suv里，真的很好", []string{"操控" + pos}},
	}
	for _, tt := range tests {
		s, got := match(tt.text)
		checkRendered(t, s, got, tt.want, func(a nlp.Aspect) string { return a.Category + ":" + a.Polarity })
	}
}

// TestReply checks a one-rune opinion alone in its clause after a clause
// that said more than its aspect: a reply (好), not an opinion of that
// aspect; after a clause that named only its aspect it is one (物流：快).
func TestReply(t *testing.T) {
	e := setup(t)
	_, match := e.matcherFor(t, "ecommerce", "service", "electronics", "app")
	checkCases(t, match, []renderedCase{
		{"这边联系售后操作催收哦，好", []string{"售后/" + neu, "界面/" + neu}},
		{"物流：快", []string{"物流/配送快" + pos}},
	})
}

// TestTopicMarker checks a clause that only introduces a topic, after 对于,
// 关于 or a determiner (对于这次的物流，非常失望): its aspect takes the generic
// opinion of the next clause, as a bare one does (快递，太慢了).
func TestTopicMarker(t *testing.T) {
	e := setup(t)
	_, match := e.matcherFor(t, "ecommerce")
	tests := []struct {
		text string
		want []string // category/subcategory:polarity
	}{
		{"对于这次的物流，非常失望", []string{"物流/不满" + neg}},
		{"关于价格，还算满意", []string{"价格/实惠" + pos}},
		{"至于包装，太差了", []string{"包装/不满" + neg}},
		{"这个价格，很满意", []string{"价格/实惠" + pos}},
		{"对比了一下价格，很满意", []string{"价格/" + neu, "整体/满意" + pos}},
	}
	for _, tt := range tests {
		s, got := match(tt.text)
		checkRendered(t, s, got, tt.want, short)
	}
}

// TestSharedAttribute checks that a bare attribute that several categories
// share (速度: delivery in reviews, the device's running speed) takes the
// category of the topic named nearest to it, its sentence first, and keeps
// the pack's reading when no such topic is named.
func TestSharedAttribute(t *testing.T) {
	e := setup(t)
	_, match := e.matcherFor(t, "ecommerce", "service", "electronics", "app")
	checkCases(t, match, []renderedCase{
		{"收到了，速度很快，两天就到了", []string{"物流/配送快" + pos, "物流/配送快" + pos}},
		{"物流乌龟，速度太慢", []string{"物流/配送慢" + neg}},
		{"速度很快，系统流畅", []string{"性能/流畅" + pos, "性能/流畅" + pos}},
		// the nearest topic
		{"速度很快，运行流畅，昨晚下单今天就到了", []string{"性能/流畅" + pos, "性能/流畅" + pos, "物流/配送快" + pos}},
		// its own sentence's topic before another sentence's
		{"运行很流畅，这台机器的速度很快。物流也快", []string{"性能/流畅" + pos, "性能/流畅" + pos, "物流/配送快" + pos}},
		// nothing to tell by: the pack's reading
		{"速度很快", []string{"性能/流畅" + pos}},
		// nor by a topic too far away
		{"速度很快，手机用起来很顺手，屏幕也够大够亮，拍照清楚，声音也好听，快递也很快", []string{"性能/流畅" + pos, "使用体验/好用" + pos, "屏幕/显示好" + pos, "屏幕/显示好" + pos, "拍照/拍照好" + pos, "音质/音质好" + pos, "物流/配送快" + pos}},
		// a negation stays: no faster is no fast delivery
		{"快递收到了，速度不快", []string{"物流/不满" + neg}},
		// 性能更好 is no wish: 能 is 性能's
		{"性能更好一些", []string{"性能/流畅" + pos}},
	})
}

// TestNotOpinions checks words that read as a negation or a verdict but are
// something else where they stand: 没有了 ("is gone") denies nothing after
// it, 还好 opening a clause that goes on is "fortunately", and 的话 makes
// the opinion just before it a condition.
func TestNotOpinions(t *testing.T) {
	e := setup(t)
	_, match := e.matcherFor(t, "ecommerce", "service", "electronics", "app")
	checkCases(t, match, []renderedCase{
		{"其它的什么都没有了也不能打电话", []string{"功能/效果差" + neg}},
		{"不能打电话", []string{"功能/效果差" + neg}},
		{"还好网上可以下载驱动", []string{"性能/" + neu}},
		{"质量还好", []string{"质量/质量好" + pos}},
		{"还好吧", []string{"整体/满意" + pos}},
		// an opinion closed by 的话 is a condition; a verdict on nothing
		// named in a condition says nothing
		{"没问题的话就不换了", nil},
		{"质量好的话我还会再买", []string{"质量/质量好" + neu, "整体/满意" + pos}},
		{"质量还不错 你要是买来送人的话", []string{"质量/质量好" + pos}},
		// a fault not met is no complaint; 就没有了 runs out, it is not over
		{"没出现过卡顿", []string{"性能/流畅" + pos}},
		{"没有遇到过黑屏的情况", []string{"稳定性/稳定" + pos}},
		{"只能用几个小时就没有了", []string{"续航/续航短" + neg}},
		// 得不得了 is "extremely", not a question
		{"好用得不得了", []string{"使用体验/好用" + pos}},
		// a negation reaches across "one" and a measure word
		{"没有一个好用的", []string{"使用体验/难用" + neg}},
		// a clause that only asks to confirm the one before makes it asked
		{"价格便宜，是这样吗？", []string{"价格/实惠" + neu}},
		{"价格便宜，是不是因为质量差", []string{"价格/实惠" + pos, "质量/做工差" + neu}},
	})
}

// TestLack checks features marked lack: after a cue of absence they are a
// pain point of their category, not a mention, and after 也有 or 居然有 a
// praise point; asked, or naming a place, they stay mentions.
func TestLack(t *testing.T) {
	e := setup(t)
	_, match := e.matcherFor(t, "ecommerce", "electronics")
	tests := []struct {
		text string
		want []string // category/subcategory:polarity
	}{
		{"没有蓝牙", []string{"信号/信号差" + neg}},
		{"不支持otg", []string{"功能/效果差" + neg}},
		{"有蓝牙", []string{"信号/" + neu}},
		{"有没有蓝牙", []string{"信号/" + neu}},
		{"有没蓝牙", []string{"信号/" + neu}},
		{"也没蓝牙", []string{"信号/信号差" + neg}},
		{"没有wifi的地方", []string{"信号/" + neu}},
		{"买的是没有蓝牙的版本", []string{"信号/" + neu}}, // a variant told apart
		{"没有键盘", []string{"使用体验/" + neu}},     // 键盘 is not marked lack
		// a feature named by a word before 功能 that no line lists
		{"没有休眠功能", []string{"功能/效果差" + neg}},
		{"居然没有计步功能", []string{"功能/效果差" + neg}},
		{"没有什么功能", []string{"功能/" + neu}},
		{"没有过多花哨功能", []string{"功能/" + neu}},
		// a cue after the feature that ends its clause
		{"连个蓝牙都没有", []string{"信号/信号差" + neg}},
		{"蓝牙也没。", []string{"信号/信号差" + neg}},
		{"蓝牙没有才没买", []string{"信号/信号差" + neg}},
		{"蓝牙没有问题", []string{"信号/信号好" + pos}},
		{"蓝牙没用过", []string{"信号/" + neu}},
		// a feature it has besides the rest is praise
		{"这款也有蓝牙了", []string{"信号/信号好" + pos}},
		{"居然有蓝牙", []string{"信号/信号好" + pos}},
		// a lack outweighs a reading of the feature that takes no side
		{"一个填充物都没有，真担心会摔坏", []string{"包装/不满" + neg}},
		// once per category: the feature named again (录音功能) adds no second lack
		{"没有录音功能，没有gprs", []string{"功能/效果差" + neg, "信号/信号差" + neg}},
	}
	for _, tt := range tests {
		s, got := match(tt.text)
		checkRendered(t, s, got, tt.want, short)
	}
}
