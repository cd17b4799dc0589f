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

// Open extraction: after the taxonomy has had its say, opinions about
// aspects it does not know are paired by pattern over the segmented words:
//
//	X (degree|negation)* opinion      指纹识别很慢, 键盘手感不好
//	opinion 的 X                       很好的手感, 超烂的做工
//
// X is a run of nouns (gse's part of speech n, nz, vn, ng; ASCII words)
// that no emitted aspect covers and that is not a generic noun (老公,
// 时候); the opinion is a word of the taxonomy with one polarity or a
// sentiment word of weight at least minOpinionWeight. A negation flips
// the polarity; a question makes it neutral. An X that is an aspect term
// of the taxonomy (屏幕 with 细腻, an opinion the taxonomy does not list
// for it) takes its category and the category's praise or pain point; any
// other X is emitted with an empty category, so that what a customer said
// about an unknown part is kept and can surface as an emerging aspect.

// minOpinionWeight is the least |weight| of a sentiment word that makes it
// an opinion in open extraction: weaker words are mostly neutral verbs.
const minOpinionWeight = 0.6

// maxOpenGap is the most degree words and negations between an aspect and
// its opinion (手感也不是很好).
const maxOpenGap = 4

// maxAspectRunes bounds an open aspect (a run of up to three nouns).
const maxAspectRunes = 8

// open runs open extraction over the clauses.
func (t *text) open(clauses []clause.Clause) {
	if t.m.signs == nil || len(t.tokens) == 0 {
		return
	}
	t.attach(clauses)
	covered := make([]bool, len(t.rs))
	for _, o := range t.sc.out {
		for i := max(o.Span[0], 0); i < o.Span[1] && i < len(covered); i++ {
			covered[i] = true
		}
	}
	for _, g := range t.ignored {
		for i := max(g[0], 0); i < g[1] && i < len(covered); i++ {
			covered[i] = true
		}
	}
	free := func(s, e int) bool {
		for i := s; i < e; i++ {
			if covered[i] {
				return false
			}
		}
		return true
	}
	k0 := 0
	for _, c := range clauses {
		for k0 < len(t.tokens) && t.tokens[k0].Start < c.Start {
			k0++
		}
		k1 := k0
		for k1 < len(t.tokens) && t.tokens[k1].End <= c.End {
			k1++
		}
		if k1-k0 < 2 {
			continue
		}
		question := t.question(c)
		for k := k0; k < k1; k++ {
			pol, ok := t.opinionWord(k)
			if !ok || !free(t.tokens[k].Start, t.tokens[k].End) || t.negatesNext(k, k1) ||
				adverbs[t.tokens[k].Text] && t.tokens[k].Text != "一般" && !t.gapOK(t.tokens[k].End, c.End) {
				// (方向盘明显不是真皮: an adverb; 一般 before more words stays
				// an opinion here: 网速一般在长春还算物有所值 is slow wifi)
				continue
			}
			if eases[t.tokens[k].Text] && k+1 < k1 && t.tokens[k+1].Start == t.tokens[k].End && t.verb(k+1) {
				continue // 面板很容易|划坏: the verb, not the ease, judges
			}
			oend := t.tokens[k].End
			if k+1 < k1 {
				// 不好|看, 难|用: the word after makes the opinion
				if p, ok := t.opinionText(t.tokens[k].Text + t.tokens[k+1].Text); ok && free(oend, t.tokens[k+1].End) {
					pol, oend = p, t.tokens[k+1].End
				}
			}
			// X (degree|negation)* opinion
			j, negs := k-1, 0
			for j >= k0 && k-1-j < maxOpenGap {
				l, ok := t.wordLexeme(j)
				if !ok || !l.filler() {
					break
				}
				if l.neg {
					negs++
				}
				j--
			}
			ostart := t.tokens[j+1].Start
			// an opinion right before a noun qualifies that noun (新型|血液,
			// 火红|的圆盘 is the other pattern), not the one before it
			after := k + 1 // the word after the opinion
			if oend != t.tokens[k].End {
				after = k + 2
			}
			attrib := after < k1 && t.noun(after)
			if s, ok := t.nounRun(j, k0, -1); ok && !attrib && free(s, t.tokens[j].End) && free(ostart, oend) {
				t.emitOpen(s, t.tokens[j].End, ostart, oend, pol, negs, question, covered)
				continue
			}
			// opinion 的 X
			if k+2 < k1 && t.tokens[k+1].Text == "的" {
				if e, ok := t.nounRun(k+2, k1, +1); ok && free(t.tokens[k+2].Start, e) && free(ostart, t.tokens[k].End) {
					t.emitOpen(t.tokens[k+2].Start, e, ostart, t.tokens[k].End, pol, negs, question, covered)
				}
			}
		}
		k0 = k1
	}
}

// emitOpen emits the opinion at runes [os, oe) about the aspect at [as,
// ae) and marks both covered.
func (t *text) emitOpen(as, ae, os, oe, pol, negs int, question bool, covered []bool) {
	if negs%2 == 1 {
		pol = -pol
	}
	term := string(t.rs[as:ae])
	a := nlp.Aspect{Aspect: term, Opinion: string(t.rs[os:oe]), Span: [2]int{min(as, os), max(ae, oe)}}
	switch {
	case question:
		a.Polarity = nlp.Neutral
	case pol > 0:
		a.Polarity = nlp.Positive
	default:
		a.Polarity = nlp.Negative
	}
	if v, hs, he, ok := t.head(as, ae); ok {
		cat := t.m.aspects[t.m.lex[v].aspects[0]].Category
		if c, ok := t.m.cats[cat]; ok {
			a.Category = cat
			a.Subcategory = side(c, pol > 0)
			if question {
				a.Subcategory = "" // asked, not said: a mention of the topic with its words
			}
		}
		if t.namedAt == nil {
			t.namedAt = make(map[[2]int][]*aspectRef, len(t.named))
			for _, r := range t.named {
				t.namedAt[[2]int{r.start, r.end}] = append(t.namedAt[[2]int{r.start, r.end}], r)
			}
		}
		for _, r := range t.namedAt[[2]int{hs, he}] {
			r.used = true
		}
	}
	for i := a.Span[0]; i < a.Span[1]; i++ {
		covered[i] = true
	}
	t.sc.out = append(t.sc.out, a)
}

// head finds the taxonomy aspect that the open aspect at runes [as, ae)
// names: the whole run when it is an aspect term, else its longest tail
// that starts a word and is one. Chinese compounds put the head last
// (小米|声音 is a 声音, 电话簿|功能 a 功能, 低配版|前脸 a 前脸), so the tail
// says what the run is about; when no tail is a term, the longest head
// that ends a word and is one names the part (大灯|亮度 is about 大灯). It
// returns the lexeme and the term's runes.
func (t *text) head(as, ae int) (int32, int, int, bool) {
	for s := as; s < ae; s++ {
		if s > as && t.tokenStarting(s) < 0 {
			continue
		}
		if ae-s < 2 && s > as {
			break // a one-character tail (声, 钱) says too little
		}
		v, ok := t.m.index[strings.ToLower(string(t.rs[s:ae]))]
		if ok && t.m.lex[v].isAspect() {
			return v, s, ae, true
		}
	}
	for e := ae - 1; e-as >= 2; e-- {
		if t.tokenStarting(e) < 0 {
			continue
		}
		v, ok := t.m.index[strings.ToLower(string(t.rs[as:e]))]
		if ok && t.m.lex[v].isAspect() {
			return v, as, e, true
		}
	}
	return 0, 0, 0, false
}

// negatesNext reports whether token k is a negation that is also an
// opinion (没有: 一点辣味都没有) followed in its clause (ending at token k1)
// by a word it negates (笔记本是没有拆过的, 还没有弄好): there it is no
// opinion.
func (t *text) negatesNext(k, k1 int) bool {
	l, ok := t.wordLexeme(k)
	if !ok || !l.neg {
		return false
	}
	for j := k + 1; j < k1; j++ {
		for _, r := range t.tokens[j].Text {
			if !isParticle(r) && !unicode.IsPunct(r) && !unicode.IsSpace(r) {
				return true
			}
		}
	}
	return false
}

// nextRune returns the first rune of the token after k when it follows
// right away.
func (t *text) nextRune(k int) (rune, bool) {
	if k+1 >= len(t.tokens) || t.tokens[k+1].Start != t.tokens[k].End {
		return 0, false
	}
	r, _ := utf8.DecodeRuneInString(t.tokens[k+1].Text)
	return r, true
}

// opinionWord reports whether token k carries an opinion, and its sign.
// gse's part of speech is a hint, not a rule: it tags 很慢 an adverb and 灵敏
// a person's name.
func (t *text) opinionWord(k int) (int, bool) {
	tk := t.tokens[k]
	if next, _ := t.nextRune(k); tk.Text == "好" && strings.ContainsRune("多几久", next) {
		return 0, false // 好 of 好多次, 好几天, 好久: a degree word
	}
	if t.card(tk.Start, tk.End) || quantities[tk.Text] || ages[tk.Text] || thanks[tk.Text] {
		return 0, false
	}
	switch {
	case tk.POS == "x" || tk.POS == "m" || tk.POS == "eng" || tk.POS == "r" || tk.POS == "p" ||
		tk.POS == "c" || tk.POS == "u" || tk.POS == "q":
		return 0, false
	case tk.POS == "d" || tk.POS == "v" || tk.POS == "vn" || strings.HasPrefix(tk.POS, "n") && tk.POS != "nr":
		// an adverb (老是, 总是), a verb (推荐, 支持, 取得) or a noun is a
		// verdict when the taxonomy says so, or when it is a strong
		// sentiment word (很慢, 垃圾)
		o := t.m.opinionOf(tk.Text)
		switch {
		case o.tax != 0:
			return int(o.tax), true
		case tk.POS == "v" || tk.POS == "vn" || !o.strong:
			return 0, false
		}
		return int(o.word), o.word != 0
	}
	return t.opinionText(tk.Text)
}

// eases say how easily something happens: before a verb (容易划坏,
// 不容易识别) the verb is the opinion, and open extraction leaves it to the
// taxonomy.
var eases = map[string]bool{"容易": true, "很容易": true, "易": true, "不易": true, "不容易": true, "难": true, "很难": true, "轻易": true}

// verb reports whether token k is a verb, a word the lexicons added (gse
// gives those no part of speech: 划坏) or opens an implicit opinion of the
// taxonomy (死机, which gse calls a noun).
func (t *text) verb(k int) bool {
	tk := t.tokens[k]
	if strings.HasPrefix(tk.POS, "v") {
		return true
	}
	if r, _ := utf8.DecodeRuneInString(tk.Text); tk.POS == "" && unicode.Is(unicode.Han, r) {
		return true
	}
	_, v, ok := t.m.dict.Longest(t.lower, tk.Start)
	return ok && t.m.lex[v].implicit >= 0
}

// thanks close a request politely (请尽快发货谢谢, 申请退款 谢谢): they
// praise nothing named before them.
var thanks = map[string]bool{"谢谢": true, "感谢": true, "多谢": true, "谢了": true, "谢啦": true, "谢谢啦": true, "谢谢了": true, "谢谢您": true, "谢谢你": true, "感谢您": true, "非常感谢": true, "万分感谢": true}

// quantities say how many, which is praise or blame only by what is
// counted (功能多, 广告多): about a noun the taxonomy does not know they say
// nothing (乱七八糟的收费不少 is no praise).
var quantities = map[string]bool{"多": true, "很多": true, "好多": true, "挺多": true, "较多": true,
	"比较多": true, "许多": true, "不少": true, "少": true, "很少": true, "不多": true, "较少": true, "比较少": true}

// ages say how new something is, which is praise only of what should be
// new (全新, 新鲜 are taxonomy opinions): about an unknown noun they describe
// it (下载不了新的软件, 就是新的订单).
var ages = map[string]bool{"新": true, "旧": true, "新的": true, "旧的": true}

// opinionSign is what open extraction knows of a word as an opinion.
type opinionSign struct {
	tax    int8 // the polarity of its taxonomy opinions, when they agree
	word   int8 // the sign of its sentiment weight, when |weight| ≥ minOpinionWeight
	strong bool // |weight| ≥ strongOpinionWeight
	none   bool // an aspect, hedge or ignore phrase: no opinion
}

// opinionOf looks up a word (any case) in the table New built.
func (m *Matcher) opinionOf(s string) opinionSign {
	o, ok := m.signs[s]
	if !ok && hasUpper(s) {
		o, ok = m.signs[strings.ToLower(s)]
	}
	if !ok || o.none {
		return opinionSign{}
	}
	return o
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false
}

// buildSigns fills m.signs from the taxonomy's opinions and the opinion
// words: one map lookup per word on the hot path.
func (m *Matcher) buildSigns(opinions []lexicons.OpinionTerm) {
	// the polarity of each taxonomy opinion term, 0 when its points disagree
	opPol := map[string]int{}
	for _, o := range opinions {
		term := strings.ToLower(o.Term)
		switch p, seen := opPol[term]; {
		case !seen:
			opPol[term] = o.Polarity
		case p != o.Polarity:
			opPol[term] = 0
		}
	}
	m.signs = make(map[string]opinionSign, len(m.words)+len(opPol))
	for w, v := range m.words {
		var o opinionSign
		switch {
		case v >= minOpinionWeight:
			o.word = 1
		case v <= -minOpinionWeight:
			o.word = -1
		default:
			continue
		}
		o.strong = v >= strongOpinionWeight || v <= -strongOpinionWeight
		m.signs[strings.ToLower(w)] = o
	}
	for w, p := range opPol {
		o := m.signs[w]
		o.tax = int8(p)
		if o.tax != 0 || o.word != 0 {
			m.signs[w] = o
		}
	}
	for w, o := range m.signs {
		if v, ok := m.index[w]; ok {
			l := &m.lex[v]
			// a degree word or negation of the taxonomy is no opinion
			// (确实, 实在 weigh as much as 好 in HowNet): 系统驱动确实很烦
			// says 烦, not 确实
			if l.ignore || l.isAspect() || l.hedge || l.filler() && !l.isOpinion() {
				o.none = true
				m.signs[w] = o
			}
		}
	}
}

// strongOpinionWeight is the least |weight| of a sentiment word that gse
// tags an adverb or a noun for it to be an opinion.
const strongOpinionWeight = 1.0

// opinionText reports whether s is an opinion word, and its sign: a term of
// the taxonomy's opinions with one polarity, else a sentiment word.
func (t *text) opinionText(s string) (int, bool) {
	o := t.m.opinionOf(s)
	if o.tax != 0 {
		return int(o.tax), true
	}
	return int(o.word), o.word != 0
}

// wordLexeme returns the taxonomy lexeme that token k is as a whole word.
func (t *text) wordLexeme(k int) (*lexeme, bool) {
	v, ok := t.m.index[strings.ToLower(t.tokens[k].Text)]
	if !ok {
		return nil, false
	}
	return &t.m.lex[v], true
}

// nounRun finds the run of nouns that ends (dir -1) or starts (dir +1) at
// token k, not beyond limit, and returns its other end in runes. The word
// of the run nearest the opinion may be a verb after a noun (指纹|识别,
// 系统|运行): the compound names a function.
func (t *text) nounRun(k, limit, dir int) (int, bool) {
	if k < 0 || k >= len(t.tokens) || dir < 0 && k < limit || dir > 0 && k >= limit {
		return 0, false
	}
	if !t.noun(k) {
		prev := k + dir
		if dir > 0 || prev < limit || !t.verbTail(k) || !t.noun(prev) {
			return 0, false
		}
		k = prev
	}
	end := k
	for n := 1; n < 3; n++ {
		next := end + dir
		if next < 0 || next >= len(t.tokens) || dir < 0 && next < limit || dir > 0 && next >= limit || !t.noun(next) {
			break
		}
		lo, hi := min(k, next), max(k, next)
		if t.tokens[hi].End-t.tokens[lo].Start > maxAspectRunes {
			break
		}
		end = next
	}
	lo, hi := min(k, end), max(k, end)
	if t.tokens[hi].End-t.tokens[lo].Start < 2 {
		return 0, false // one character: 人, 钱, 菜 say too little
	}
	if dir < 0 {
		return t.tokens[end].Start, true
	}
	return t.tokens[end].End, true
}

// verbTail reports whether token k is a two-character verb that may end a
// noun compound (识别, 运行, 充电).
func (t *text) verbTail(k int) bool {
	tk := t.tokens[k]
	if tk.POS != "v" || utf8.RuneCountInString(tk.Text) != 2 {
		return false
	}
	_, isOpinion := t.opinionText(tk.Text)
	return !isOpinion && !t.m.generic[tk.Text] && !t.overallTerm(k-1)
}

// overallTerm reports whether token k is an aspect term of the overall
// category (东西, 宝贝): 东西|收到 is no compound.
func (t *text) overallTerm(k int) bool {
	if k < 0 || t.m.overall == "" {
		return false
	}
	v, ok := t.m.index[strings.ToLower(t.tokens[k].Text)]
	return ok && t.m.lex[v].isAspect() && t.m.aspects[t.m.lex[v].aspects[0]].Category == t.m.overall
}

// attach gives an opinion the taxonomy found without an aspect term (an
// implicit one: 不太好用, 漂亮) the unknown noun right before it, or after
// it and 的 (这个键盘|不太好用, 非常漂亮的|刺绣), so that the aspect is kept.
// A generic opinion filed under the overall category stays there: the noun
// before 不错 is mostly the product itself (手机不错, 衣服很好).
func (t *text) attach(clauses []clause.Clause) {
	var cov []int32 // how many emitted spans cover each rune, built when needed
	for i := range t.sc.out {
		o := &t.sc.out[i]
		if o.Aspect != "" || o.Opinion == "" {
			continue
		}
		k := t.tokenHolding(o.Span[0]) // 真|不错 may be one word
		if k < 0 {
			continue
		}
		c := t.clauseOf(clauses, o.Span[0])
		if c == nil {
			continue
		}
		var as, ae int
		first := t.tokenStarting(c.Start)
		j := k - 1 // over degree words between: 键盘|真|不错
		for j >= max(first, 0) && k-1-j < maxOpenGap {
			if l, ok := t.wordLexeme(j); !ok || !l.filler() {
				break
			}
			j--
		}
		if s, ok := t.nounRun(j, first, -1); ok && j >= 0 && first >= 0 {
			as, ae = s, t.tokens[j].End
		} else if e := t.tokenStarting(o.Span[1]); e >= 0 && e+1 < len(t.tokens) && t.tokens[e].Text == "的" && t.tokens[e+1].End <= c.End {
			end, ok := t.nounRun(e+1, len(t.tokens), +1)
			if !ok || end > c.End {
				continue
			}
			as, ae = t.tokens[e+1].Start, end
		} else {
			continue
		}
		if cov == nil {
			cov = t.coverage()
		}
		if overlaps(cov, as, ae, o.Span) {
			continue
		}
		span := [2]int{min(o.Span[0], as), max(o.Span[1], ae)}
		for r := span[0]; r < span[1]; r++ {
			if r < o.Span[0] || r >= o.Span[1] {
				cov[r]++
			}
		}
		o.Aspect = string(t.rs[as:ae])
		o.Span = span
	}
}

// tokenStarting returns the token that starts at rune i, -1 if none.
func (t *text) tokenStarting(i int) int {
	if k := t.tokenHolding(i); k >= 0 && t.tokens[k].Start == i {
		return k
	}
	return -1
}

// tokenHolding returns the token that holds rune i, -1 if none.
func (t *text) tokenHolding(i int) int {
	if i < 0 || i >= len(t.tokAt) {
		return -1
	}
	return int(t.tokAt[i])
}

// clauseOf returns the clause holding rune i (clauses are in text order).
func (t *text) clauseOf(clauses []clause.Clause, i int) *clause.Clause {
	j, _ := slices.BinarySearchFunc(clauses, i, func(c clause.Clause, i int) int {
		switch {
		case c.End <= i:
			return -1
		case c.Start > i:
			return 1
		}
		return 0
	})
	if j < len(clauses) && clauses[j].Start <= i && i < clauses[j].End {
		return &clauses[j]
	}
	return nil
}

// coverage counts, per rune, the spans of emitted aspects that cover it.
func (t *text) coverage() []int32 {
	cov := make([]int32, len(t.rs))
	for _, o := range t.sc.out {
		for r := max(o.Span[0], 0); r < o.Span[1] && r < len(cov); r++ {
			cov[r]++
		}
	}
	return cov
}

// overlaps reports whether [s, e) overlaps the span of an emitted aspect
// other than the one whose span is own, by the counts of coverage.
func overlaps(cov []int32, s, e int, own [2]int) bool {
	for r := max(s, 0); r < e && r < len(cov); r++ {
		n := cov[r]
		if own[0] <= r && r < own[1] {
			n--
		}
		if n > 0 {
			return true
		}
	}
	return false
}

// noun reports whether token k may name an aspect.
func (t *text) noun(k int) bool {
	tk := t.tokens[k]
	text := strings.ToLower(tk.Text)
	if t.m.generic[text] {
		return false
	}
	switch tk.POS {
	case "n", "nz", "vn", "ng", "nrt":
	case "eng":
		return len(text) >= 2 && strings.IndexFunc(text, unicode.IsLetter) >= 0
	default:
		// a word of the taxonomy's aspects is a noun whatever gse says
		if v, ok := t.m.index[text]; ok && t.m.lex[v].isAspect() {
			return true
		}
		return false
	}
	// an opinion, degree or negation word is no aspect (a noun to gse: 垃圾)
	if v, ok := t.m.index[text]; ok {
		l := &t.m.lex[v]
		if !l.isAspect() && (l.isOpinion() || l.filler() || l.ignore || l.hedge) {
			return false
		}
	}
	return true
}

// mentions emits a topic mention for each category named by an aspect term
// that no opinion took, once per category, when the text holds no opinion
// of that category. The overall category (东西, 宝贝) is no topic.
func (t *text) mentions() {
	if len(t.named) == 0 {
		return
	}
	seen := map[string]bool{}
	sided := map[string]bool{}
	for _, o := range t.sc.out {
		seen[o.Category] = true
		sided[o.Category] = sided[o.Category] || o.Polarity != nlp.Neutral
	}
	for _, r := range t.named {
		if r.merged || r.implied || r.category == t.m.overall || sided[r.category] {
			continue
		}
		taken := r.used || seen[r.category]
		if s, e, ok := t.lacked(r); ok {
			if taken {
				// a lack said of the feature itself outweighs a reading
				// that takes no side (一个填充物都没有，真担心会摔坏: the
				// worry is hedged, the missing padding is not)
				t.sc.out = slices.DeleteFunc(t.sc.out, func(o nlp.Aspect) bool {
					return o.Category == r.category && o.Polarity == nlp.Neutral && o.Span[0] == r.start
				})
			}
			t.emitFeature(r, s, e, false) // 没有蓝牙, 四驱都没有: a complaint
			seen[r.category], sided[r.category] = true, true
			continue
		}
		if taken {
			continue
		}
		seen[r.category] = true
		if s, ok := t.had(r); ok {
			t.emitFeature(r, s, r.end, true) // 也有电子手刹了: praise
			sided[r.category] = true
			continue
		}
		t.sc.out = append(t.sc.out, nlp.Aspect{
			Category: r.category,
			Aspect:   string(t.rs[r.start:r.end]),
			Polarity: nlp.Neutral,
			Span:     [2]int{r.start, r.end},
			Asked:    r.asked,
		})
	}
}

// emitFeature emits the side a cue at runes [s, e) takes on the feature
// that mention r names: its category's praise or pain point.
func (t *text) emitFeature(r *aspectRef, s, e int, positive bool) {
	pol := nlp.Negative
	if positive {
		pol = nlp.Positive
	}
	t.sc.out = append(t.sc.out, nlp.Aspect{
		Category:    r.category,
		Subcategory: side(t.m.cats[r.category], positive),
		Aspect:      string(t.rs[r.start:r.end]),
		Opinion:     string(t.rs[s:e]),
		Polarity:    pol,
		Span:        [2]int{s, e},
	})
}

// hadCues say that a product has a feature besides the rest (也有, 终于有,
// 居然有): said of a feature, they praise it.
var hadCues = []string{"也有", "终于有", "居然有", "竟然有", "还带", "还配有", "也配有"}

// had reports whether mention r names a feature (an aspect term marked
// lack) right after a cue of hadCues, and where the cue starts.
func (t *text) had(r *aspectRef) (int, bool) {
	if r.asked || r.implied {
		return 0, false
	}
	if v, ok := t.m.index[string(t.lower[r.start:r.end])]; !ok || !t.lackable(v, r.category) {
		return 0, false
	}
	before := string(t.rs[max(0, r.start-3):r.start])
	for _, w := range hadCues {
		if strings.HasSuffix(before, w) {
			return r.start - utf8.RuneCountInString(w), true
		}
	}
	return 0, false
}

// side returns the name of c's praise point (positive) or pain point
// ("配送快" of 物流/配送快).
func side(c lexicons.Category, positive bool) string {
	point := c.PainPoint()
	if positive {
		point = c.PraisePoint()
	}
	_, name, _ := strings.Cut(point, "/")
	return name
}

// unfeatures are words before 功能 that name no feature of its own (没有
// 什么功能, 没有过多花哨功能, 没用过这个功能).
var unfeatures = map[string]bool{"什么": true, "过多": true, "太多": true, "多少": true, "这个": true, "那个": true, "这": true, "那": true, "此": true, "任何": true, "其他": true, "其它": true, "别的": true, "花哨": true, "多余": true, "用过": true, "用": true, "的": true}

// lackCues say that a product comes without something (没有蓝牙, 不支持otg).
var lackCues = []string{"没有", "没", "无", "不带", "没带", "不支持", "缺少", "缺", "去掉了", "取消了", "砍掉了", "没配", "没有配", "不配"}

// lacked reports whether mention r names a feature (an aspect term marked
// lack) that a cue right before it says the product lacks (没有蓝牙), or
// one after it that ends its clause (四驱都没有, 后排出风口没有才没买), and
// the span of the cue and the feature. A place or time it names is no lack
// (没有wifi的地方), nor a variant it tells apart (没有彩屏的车, 没有蓝牙的版本),
// nor a question or a hedge.
func (t *text) lacked(r *aspectRef) (int, int, bool) {
	if r.asked || r.implied {
		return 0, 0, false
	}
	term := string(t.lower[r.start:r.end])
	v, ok := t.m.index[term]
	if !ok {
		return 0, 0, false
	}
	lack := t.lackable(v, r.category)
	start := r.start // of the feature's name
	// a feature named by what it does (没有休眠功能, 不支持夜间模式): the
	// word before the head may be one the taxonomy does not know
	if !lack && r.start > 0 && (term == "功能" || term == "模式") {
		if k := t.tokenHolding(r.start - 1); k >= 0 && t.tokens[k].End == r.start && r.start-t.tokens[k].Start <= 4 && !unfeatures[t.tokens[k].Text] {
			lack, start = true, t.tokens[k].Start
		}
	}
	if !lack {
		return 0, 0, false
	}
	after := string(t.rs[r.end:min(len(t.rs), r.end+3)])
	for _, w := range []string{"的地方", "的时候", "的情况", "的话", "的车", "的版本", "的款", "的型号", "的机型"} {
		if strings.HasPrefix(after, w) {
			return 0, 0, false
		}
	}
	before := string(t.rs[max(0, start-3):start])
	for _, w := range lackCues {
		if strings.HasSuffix(before, w) {
			s := start - utf8.RuneCountInString(w)
			if s > 0 && t.rs[s-1] == '有' && w == "没" {
				return 0, 0, false // 有没蓝牙 asks
			}
			return s, r.end, true
		}
	}
	if e, ok := t.lackAfter(r.end); ok {
		return start, e, true
	}
	return 0, 0, false
}

// lackable reports whether lexeme v is an aspect term marked lack in
// category.
func (t *text) lackable(v int32, category string) bool {
	for _, ai := range t.m.lex[v].aspects {
		if a := t.m.aspects[ai]; a.Lack && a.Category == category {
			return true
		}
	}
	return false
}

// postLackCues say after a feature that the product comes without it
// (四驱都没有, 导航也没).
var postLackCues = []string{"都没有", "也没有", "都没", "也没", "没有", "没"}

// lackAfter reports whether a cue of postLackCues at rune i ends its clause,
// or stands before a particle or 才/就 (后排出风口没有才没买), and where it
// ends: 导航没有问题, 导航没用过 and 拍摄也没的说 say no lack.
func (t *text) lackAfter(i int) (int, bool) {
	after := string(t.rs[i:min(len(t.rs), i+4)])
	for _, w := range postLackCues {
		if !strings.HasPrefix(after, w) {
			continue
		}
		e := i + utf8.RuneCountInString(w)
		if e == len(t.rs) {
			return e, true
		}
		switch r := t.rs[e]; {
		case strings.ContainsRune("了啊呀吧呢哦啦才就", r):
			return e, true
		case !unicode.Is(unicode.Han, r) && !unicode.IsLetter(r) && !unicode.IsDigit(r):
			return e, true
		}
		return 0, false
	}
	return 0, false
}

// adoptOrphans gives each generic verdict that found no aspect (a taxonomy
// without an overall category) to the topic mention of its sentence closest
// before it: 俺就再没换过其他机油，省心了 praises the oil. A verdict before
// any topic (真心喜欢，价格也就车商价格) is mostly about something else.
// A mention takes at most one verdict. The topic is any term the mention
// of its category stands for: in 底盘。操控感在suv里，真的很好 the verdict
// praises 操控感, though the mention of 操控 is 底盘, named first.
func (t *text) adoptOrphans() {
	for _, o := range t.orphans {
		var best *aspectRef
		at := -1 // the mention of best's category
		for _, r := range t.named {
			if r.used || r.merged || r.implied || r.asked || r.end > o.s || t.sentenceEnd(r.end, o.s) < o.s || best != nil && r.end <= best.end {
				continue
			}
			if i := slices.IndexFunc(t.sc.out, func(a nlp.Aspect) bool {
				return a.IsMention() && !a.Asked && a.Polarity == nlp.Neutral && a.Category == r.category
			}); i >= 0 {
				best, at = r, i
			}
		}
		if best == nil {
			continue
		}
		n := len(t.sc.out)
		span := [2]int{min(best.start, o.s), max(best.end, o.e)}
		t.emit(o.op, string(t.rs[best.start:best.end]), best.category, span, o.s, o.e, o.neg, o.hedg)
		if len(t.sc.out) > n {
			t.sc.out[at] = t.sc.out[n]
			t.sc.out = t.sc.out[:n]
		}
	}
}

// pruneOverall drops the catch-all complaints (a generic negative opinion
// with no aspect, filed under 整体) of a text where a specific aspect is a
// pain too: 太差了，物流慢死了 is a delivery complaint, not two complaints.
// A praise verdict stays (质量很好，非常满意 is also satisfaction with the
// purchase): the pain tables are what a catch-all would crowd.
func (t *text) pruneOverall() {
	if t.m.overall == "" || len(t.catchAll) == 0 {
		return
	}
	// a catch-all that took a noun in attach (光圈太差了) is kept
	drop := make([]bool, len(t.sc.out))
	for _, i := range t.catchAll {
		drop[i] = t.sc.out[i].Aspect == "" && t.sc.out[i].Polarity == nlp.Negative
	}
	var side [3]bool // polarities a specific aspect takes
	for i, o := range t.sc.out {
		if !drop[i] && o.Opinion != "" && o.Category != t.m.overall {
			side[polarityIndex(o.Polarity)] = true
		}
	}
	out := t.sc.out[:0]
	for i, o := range t.sc.out {
		if drop[i] && side[polarityIndex(o.Polarity)] {
			continue
		}
		out = append(out, o)
	}
	clear(t.sc.out[len(out):])
	t.sc.out = out
}

// refile files under its aspect's category an opinion that a fixed
// category's word gave about an aspect term of another category, when that
// word is a verdict on anything: the whole purchase's (物流太坑了 is a
// delivery complaint, not a catch-all: 太坑了 is an implicit 整体 phrase) or
// a word that is also a generic opinion (物流太烂了: 烂了 is rotten food, and
// bad anything; 这手机太烂了 is a verdict on the phone). A term of several
// categories is left alone, and so is a word that only one category's
// points know (充电器不能用 and 这手机漏液 keep their fault).
func (t *text) refile() {
	for i := range t.sc.out {
		o := &t.sc.out[i]
		if o.Aspect == "" || o.Polarity == nlp.Neutral || o.Opinion == "" || o.Category == "" {
			continue
		}
		v, ok := t.m.index[strings.ToLower(o.Aspect)]
		if !ok || len(t.m.lex[v].aspects) == 0 {
			continue
		}
		l := &t.m.lex[v]
		own := t.m.aspects[l.aspects[0]].Category
		if own == o.Category {
			continue
		}
		single := true
		for _, ai := range l.aspects[1:] {
			single = single && t.m.aspects[ai].Category == own
		}
		// the product as a whole takes a verdict on anything as a verdict
		// (这手机太烂了), and keeps what only one category says (这手机漏液)
		if !single || o.Category != t.m.overall && !t.m.genericVerdict(o.Opinion, o.Polarity) {
			continue
		}
		o.Category, o.Subcategory = own, side(t.m.cats[own], o.Polarity == nlp.Positive)
		t.refiled = append(t.refiled, *o)
	}
}

// dedupe drops an exact copy of an earlier result when a rewrite may have
// made one (t.copies), and an opinion refile moved into a category where
// another opinion of the same side covers the same words (物流太坑了: the
// clause's 物流 complaint is there once).
func (t *text) dedupe() {
	if t.copies {
		seen := make(map[nlp.Aspect]bool, len(t.sc.out))
		t.drop(func(_ int, o nlp.Aspect) bool {
			dup := seen[o]
			seen[o] = true
			return dup
		})
	}
	if len(t.refiled) == 0 {
		return
	}
	t.drop(func(i int, o nlp.Aspect) bool {
		if !slices.Contains(t.refiled, o) {
			return false
		}
		for j, p := range t.sc.out {
			if j != i && p.Category == o.Category && p.Polarity == o.Polarity &&
				p.Span[0] < o.Span[1] && o.Span[0] < p.Span[1] && !(j > i && slices.Contains(t.refiled, p)) {
				return true
			}
		}
		return false
	})
}

// drop removes the aspects of sc.out for which gone(i, sc.out[i]) holds,
// all decided before any is removed.
func (t *text) drop(gone func(i int, o nlp.Aspect) bool) {
	del := make([]bool, len(t.sc.out))
	for i, o := range t.sc.out {
		del[i] = gone(i, o)
	}
	out := t.sc.out[:0]
	for i, o := range t.sc.out {
		if !del[i] {
			out = append(out, o)
		}
	}
	clear(t.sc.out[len(out):])
	t.sc.out = out
}

// pastMarkers open a clause about how things were (以前挺流畅的, 刚开始还好).
var pastMarkers = []string{"以前", "之前", "原来", "原先", "本来", "起初", "一开始", "刚开始", "开始的时候", "刚买的时候", "刚买时", "刚用的时候", "刚用时", "前段时间", "以往"}

// pastClause reports whether a clause opens with a word of pastMarkers.
func pastClause(s string) bool {
	s = strings.TrimLeft(s, " 我们这个款台部手机电脑软件也都还")
	for _, w := range pastMarkers {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// superseded drops the opinions of clauses about how things were when the
// text says the opposite of the same category in the present: 这个版本越来
// 越卡了，以前挺流畅的 is a lag complaint, not lag and smoothness. A past
// opinion with nothing against it stays (以前就很好用，一直回购).
func (t *text) superseded() {
	if len(t.past) == 0 {
		return
	}
	inPast := func(o nlp.Aspect) bool {
		i := o.Span[1] - 1
		return slices.ContainsFunc(t.past, func(c [2]int) bool { return c[0] <= i && i < c[1] })
	}
	t.drop(func(i int, o nlp.Aspect) bool {
		if o.Polarity == nlp.Neutral || o.IsMention() || !inPast(o) {
			return false
		}
		for j, p := range t.sc.out {
			if j != i && p.Category == o.Category && p.Polarity != nlp.Neutral && p.Polarity != o.Polarity && !inPast(p) {
				return true
			}
		}
		return false
	})
}

// genericVerdict reports whether opinion, past the degree words before it and
// the particles after it, is a generic opinion (差, 烂, 好) of that side.
func (m *Matcher) genericVerdict(opinion, polarity string) bool {
	rs := []rune(strings.TrimRight(opinion, "了啦呀啊的吧"))
	for range 3 {
		n := m.fillerPrefix(rs)
		if n == 0 {
			break
		}
		rs = rs[n:]
	}
	v, ok := m.index[string(rs)]
	if !ok {
		return false
	}
	want := -1
	if polarity == nlp.Positive {
		want = 1
	}
	for _, oi := range m.lex[v].opinions {
		if op := m.opinions[oi]; op.Category == lexicons.AnyCategory && op.Polarity == want {
			return true
		}
	}
	return false
}

func polarityIndex(p string) int {
	switch p {
	case nlp.Positive:
		return 0
	case nlp.Negative:
		return 1
	}
	return 2
}
