package aspect

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/clause"
)

// Headings: reviews often list their points under a heading (缺点：隔音，
// 早餐。优点是位置). A topic named after a heading, in its sentence, that no
// opinion took is one of the heading's points: 缺点：隔音 blames the sound
// insulation as 隔音太差 would.

// headings is the matcher's dictionary of heading terms.
type headings struct {
	dict *Dict
	pol  []int // by dictionary value
}

// maxHeadingReach bounds how far (in runes) a heading's points reach.
const maxHeadingReach = 60

func newHeadings(hs []lexicons.Heading) *headings {
	if len(hs) == 0 {
		return nil
	}
	h := &headings{dict: NewDict()}
	for _, x := range hs {
		if x.Term != "" {
			h.dict.Add(strings.ToLower(x.Term), int32(len(h.pol)))
			h.pol = append(h.pol, x.Polarity)
		}
	}
	return h
}

// headingAt is a heading found in the text: runes [start, end) and the end
// of its reach.
type headingAt struct {
	start, end, reach, pol int
}

// headed gives the topic mentions after a heading the heading's side.
func (t *text) headed() {
	if t.m.headings == nil {
		return
	}
	some := false
	for _, o := range t.sc.out {
		if o.IsMention() && !o.Asked {
			some = true
			break
		}
	}
	if !some {
		return
	}
	var found []headingAt
	for i := 0; i < len(t.lower); i++ {
		end, v, ok := t.m.headings.dict.Longest(t.lower, i)
		if !ok || !t.introduces(i, end) {
			continue
		}
		found = append(found, headingAt{start: i, end: end, pol: t.m.headings.pol[v]})
		i = end - 1
	}
	if len(found) == 0 {
		return
	}
	for k := range found {
		h := &found[k]
		h.reach = t.sentenceEnd(h.end, min(h.end+maxHeadingReach, len(t.rs)))
		if k+1 < len(found) {
			h.reach = min(h.reach, found[k+1].start)
		}
	}
	for i := range t.sc.out {
		x := &t.sc.out[i]
		if !x.IsMention() || x.Asked {
			continue
		}
		for _, h := range found {
			if x.Span[0] < h.end || x.Span[0] >= h.reach {
				continue
			}
			x.Polarity = nlp.Negative
			if h.pol > 0 {
				x.Polarity = nlp.Positive
			}
			x.Subcategory = side(t.m.cats[x.Category], h.pol > 0)
			x.Opinion = string(t.rs[h.start:h.end])
			x.Span[0] = h.start
			break
		}
	}
}

// introduces reports whether the heading at runes [s, e) introduces points:
// it is whole words, not negated (没什么缺点, 不算大缺点), and followed by a
// colon or a copula (是, 就是, 在于, 为), or ends in one (美中不足的是) — 缺点太多
// and 房间面积不足15平米 are opinions, not headings.
func (t *text) introduces(s, e int) bool {
	if s > 0 && t.tokenStarting(s) < 0 || e < len(t.rs) && t.tokenStarting(e) < 0 && t.tokenHolding(e) >= 0 {
		return false
	}
	before := string(t.lower[max(0, s-3):s])
	for _, n := range []string{"没", "无", "不算", "什么", "不是"} {
		if strings.Contains(before, n) {
			return false
		}
	}
	if s > 0 && t.rs[s-1] == '有' && (s < 2 || !strings.ContainsRune("还另也", t.rs[s-2])) {
		return false // the object of 有 (冰雪路面有优势, 刹车…): 还有缺点就是 still heads
	}
	if t.rs[e-1] == '是' {
		return true // 美中不足的是
	}
	i := e
	for i < len(t.rs) && (t.rs[i] == ' ' || t.rs[i] == '\u3000') {
		i++
	}
	if i == len(t.rs) {
		return false
	}
	switch t.rs[i] {
	case '：', ':', '，', ',', '-', '—':
		return true
	}
	rest := string(t.lower[i:min(len(t.lower), i+2)])
	for _, w := range []string{"是", "就是", "在于", "为", "有", "就"} {
		if strings.HasPrefix(rest, w) {
			return true
		}
	}
	return false
}

// sentenceEnd returns the first end of a sentence in runes [from, to), or
// to: 。！？!? and line breaks, and a full stop that is no decimal point or
// list number (1.隔音 2.早餐).
func (t *text) sentenceEnd(from, to int) int {
	for i := from; i < to; i++ {
		if t.endsSentence(i) {
			return i
		}
	}
	return to
}

// endsSentence reports whether rune i ends a sentence (see sentenceEnd).
func (t *text) endsSentence(i int) bool {
	switch t.rs[i] {
	case '。', '！', '？', '!', '?', '\n':
		return true
	case '.':
		return i == 0 || t.rs[i-1] < '0' || t.rs[i-1] > '9'
	}
	return false
}

// inferiorMarkers say that what comes before them is worse than what comes
// after: 质感不如从前, 音质比不上苹果, 屏幕和led没法比.
var inferiorMarkers = []string{"不如", "比不上", "比不了", "赶不上", "不及", "没法比", "没得比", "没法跟", "没法和", "差远了", "差得远", "差太多", "逊色于", "大不如前"}

// maxInferiorGap is the most runes between a topic and an inferior marker
// (屏幕效果和led没法比: 和led).
const maxInferiorGap = 6

// inferior gives a topic mention that a comparison puts below its point of
// comparison, with no opinion of its own, the category's pain point:
// 质感不如从前 blames the feel as 质感变差了 would. The marker follows the
// topic in its clause, after degree words (也, 远远, 明显) or a 和/跟 + point
// of comparison (屏幕和led没法比); an opinion after the marker (不如以前好)
// is read by the matcher already.
func (t *text) inferior(clauses []clause.Clause) {
	for i := range t.sc.out {
		x := &t.sc.out[i]
		if !x.IsMention() || x.Asked || x.Span[1] >= len(t.rs) {
			continue
		}
		c := t.clauseOf(clauses, x.Span[0])
		if c == nil {
			continue
		}
		limit := min(x.Span[1]+maxInferiorGap, c.End)
		for s := x.Span[1]; s < limit; s++ {
			rest := string(t.lower[s:min(c.End, s+4)])
			m := ""
			for _, w := range inferiorMarkers {
				if strings.HasPrefix(rest, w) {
					m = w
					break
				}
			}
			if m == "" {
				continue
			}
			// 没法比 and 差远了 need the point of comparison before them
			// (和led没法比); the others need it after (不如从前)
			e := s + utf8.RuneCountInString(m)
			if !t.comparedWith(x.Span[1], s, e, c.End, m) {
				break
			}
			x.Polarity = nlp.Negative
			x.Subcategory = side(t.m.cats[x.Category], false)
			x.Opinion = strings.TrimSpace(string(t.rs[s:e]))
			x.Span[1] = e
			break
		}
	}
}

// comparedWith checks the words around an inferior marker at runes [s, e)
// after a topic ending at from, in a clause ending at end.
func (t *text) comparedWith(from, s, e, end int, marker string) bool {
	between := string(t.lower[from:s])
	for _, r := range between {
		if r == ' ' || r == ',' || r == '，' {
			return false
		}
	}
	switch marker {
	case "没法比", "没得比", "差远了", "差得远", "差太多":
		// a 和/跟/与 point of comparison first
		return strings.HasPrefix(between, "和") || strings.HasPrefix(between, "跟") || strings.HasPrefix(between, "与") ||
			strings.HasPrefix(between, "比")
	case "大不如前":
		return true
	}
	// the marker right after the topic or after degree words only, and a
	// point of comparison after it
	for k := t.tokenHolding(from); k >= 0 && k < len(t.tokens) && t.tokens[k].Start < s; k++ {
		if t.tokens[k].End <= from {
			continue
		}
		word := t.tokens[k].Text
		if t.tokens[k].End > s { // 远远|不如 cut as one word
			word = string(t.lower[t.tokens[k].Start:s])
		}
		v, ok := t.m.index[strings.ToLower(word)]
		if !ok || !t.m.lex[v].filler() || t.m.lex[v].neg {
			return false
		}
	}
	return e < end
}

// restWords name the rest after an exception (除了包装，其他都挺好), which
// exceptClosers may close (除了价格以外).
var (
	restWords     = []string{"其他的", "其它的", "其余的", "别的", "其他", "其它", "其余"}
	exceptClosers = []string{"以外", "之外", "外"}
)

// excepted gives a topic mention that 除了 sets apart from a judged rest,
// with no opinion of its own, the reverse of the rest's side: 除了包装，其他
// 都挺好 blames the packaging, 除了屏幕，别的都是垃圾 praises the screen. 除了
// stands right before the topic (at most three runes between, no
// punctuation: 除了这个屏幕), 外,
// 以外 or 之外 may close it, and the rest is named next; the rest's side is
// its first opinion in its clause, negations before it counted.
func (t *text) excepted(clauses []clause.Clause) {
	for _, r := range t.named {
		if r.used || r.merged || r.implied || r.asked {
			continue
		}
		at := t.exceptAt(r.start)
		if at < 0 {
			continue
		}
		k := t.skipPrefix(r.end, len(t.rs), exceptClosers)
		for k < len(t.rs) && (t.rs[k] == '，' || t.rs[k] == ',' || t.rs[k] == ' ') {
			k++
		}
		e := t.skipPrefix(k, len(t.rs), restWords)
		c := t.clauseOf(clauses, k)
		if e == k || c == nil || e >= c.End || c.End > len(t.rs) {
			continue
		}
		p, pe := t.restSide(e, min(c.End, e+maxRest))
		// the mention of its category (one per category, wherever it was
		// named first: 这种包装…，除了包装其他都挺好的)
		i := slices.IndexFunc(t.sc.out, func(a nlp.Aspect) bool {
			return a.IsMention() && !a.Asked && a.Polarity == nlp.Neutral && a.Category == r.category
		})
		if p == 0 || i < 0 {
			continue
		}
		x := &t.sc.out[i]
		x.Polarity = nlp.Negative
		if p < 0 {
			x.Polarity = nlp.Positive
		}
		x.Subcategory = side(t.m.cats[x.Category], p < 0)
		x.Aspect = string(t.rs[r.start:r.end])
		x.Opinion = strings.TrimSpace(string(t.rs[at:r.end]))
		x.Span = [2]int{at, r.end}
		// and the rest's own verdict (其他都挺好), unless an opinion there
		// was found already
		if oc, ok := t.m.cats[t.m.overall]; ok && !slices.ContainsFunc(t.sc.out, func(a nlp.Aspect) bool {
			return !a.IsMention() && a.Span[0] < pe && a.Span[1] > k
		}) {
			v := nlp.Aspect{Category: t.m.overall, Subcategory: side(oc, p > 0), Opinion: string(t.rs[k:pe]), Polarity: nlp.Positive, Span: [2]int{k, pe}}
			if p < 0 {
				v.Polarity = nlp.Negative
			}
			t.sc.out = append(t.sc.out, v)
		}
	}
}

// maxRest bounds how far after the rest word (其他) its opinion is looked
// for (其他的我都很满意).
const maxRest = 12

// exceptAt returns where a 除了 starts that sets apart the topic at rune s
// (除了包装, 除了这个屏幕), or -1.
func (t *text) exceptAt(s int) int {
	at := -1
	for j := max(0, s-5); j+2 <= s; j++ {
		if t.rs[j] == '除' && t.rs[j+1] == '了' && !slices.ContainsFunc(t.rs[j+2:s], func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) }) {
			at = j
		}
	}
	return at
}

// restBetween reports whether runes [s, e) hold a word of restWords.
func (t *text) restBetween(s, e int) bool {
	at, _ := t.findWord(s, e, restWords)
	return at >= 0
}

// restSide returns the side (+1, -1, 0 if none) of the first opinion in runes
// [s, end), negations before it counted, and where it ends. 也, 还 or 同样
// before it make the rest like the topic (除了价格，其他也都很好: "besides"),
// no side.
func (t *text) restSide(s, end int) (int, int) {
	if strings.ContainsAny(string(t.rs[s:end]), "也还同") {
		return 0, 0
	}
	negs := 0
	for _, it := range t.scan(s, end, 0, nil) {
		l := &t.m.lex[it.lx]
		if l.neg && !l.isOpinion() {
			negs++
			continue
		}
		p := t.polarityOf(l)
		if p == 0 {
			if l.isAspect() {
				return 0, 0 // 其他配件: the rest is named, not judged
			}
			continue
		}
		if negs%2 == 1 {
			p = -p
		}
		return p, it.end
	}
	return 0, 0
}

// scornOpeners open a rhetorical question that scorns what it names: 这就是
// 京东的质量？ 这也叫新鲜？ (这算是正品吗 may ask).
var scornOpeners = []string{"这就是", "这就叫", "这也叫", "这也算", "这叫"}

// scornful gives what a scornful question names (这就是京东的质量？, 这也叫新
// 鲜？) its category's pain point: the topic named, and an opinion the
// question held (asked) or reversed, when both lie in the question and the
// text complains of something else too (a scornful question comes with its
// complaint: 都坏掉了，这就是所谓的新鲜水果吗？; 这就是顺丰的速度吗？第二天就
// 到了 is praise).
func (t *text) scornful(clauses []clause.Clause) {
	complaint := func(c *clause.Clause) bool {
		for _, o := range t.sc.out {
			if o.Polarity == nlp.Negative && !o.IsMention() && (o.Span[1] <= c.Start || o.Span[0] >= c.End) {
				return true
			}
		}
		return false
	}
	n := 0
	for i := range t.sc.out {
		x := &t.sc.out[i]
		if x.Category == "" || x.Polarity == nlp.Negative {
			continue
		}
		c := t.clauseOf(clauses, x.Span[0])
		if c == nil || x.Span[1] > c.End || !t.scorns(*c) || !complaint(c) {
			continue
		}
		x.Polarity, x.Asked = nlp.Negative, false
		x.Subcategory = side(t.m.cats[x.Category], false)
		x.Opinion = strings.TrimSpace(string(t.rs[c.Start:c.End]))
		x.Span = [2]int{c.Start, c.End}
		n++
	}
	// two results of one question may now be the same: dedupe drops the copy
	t.copies = t.copies || n > 1
}

// scorns reports whether clause c is a scornful question: it opens with
// 这就是 (这也叫, 这叫 …) and ends its sentence with a question mark.
func (t *text) scorns(c clause.Clause) bool {
	if c.Start < 0 || c.End > len(t.rs) || c.Start >= c.End {
		return false
	}
	s := strings.TrimSpace(string(t.lower[c.Start:c.End]))
	opened := false
	for _, w := range scornOpeners {
		if strings.HasPrefix(s, w) {
			opened = true
			break
		}
	}
	if !opened {
		return false
	}
	i := c.End
	for i < len(t.rs) && (t.rs[i] == ' ' || t.rs[i] == '\u3000') {
		i++
	}
	return i < len(t.rs) && (t.rs[i] == '？' || t.rs[i] == '?')
}
