// Package aspect finds aspect-level opinions — pain points (痛点) and praise
// points — in normalized, PII-masked text, using the pain-point taxonomy of
// the lexicons.
//
// Within each clause the Matcher looks up aspect terms (快递, 包装, 客服),
// opinion terms (慢, 破损, 热情), implicit opinions that name their own
// category (三天才到, 漏液, 正品), and the words around them: negations
// (不慢 → the opposite point), degree and filler words (很, 也, 都), hedges
// (希望… makes the mention neutral) and conjunctions (物流和包装都很好 → two
// aspects). An opinion with no aspect in its clause takes the aspect of the
// clause before (快递，太慢了) when it fits that aspect's category; a
// generic opinion (好, 差) takes the category of its aspect, or 整体 when
// there is none.
//
// Terms must agree with the segmentation: a term may not cut a word in two
// (好像 holds no 好, 依旧 no 旧) unless the rest of the word is a degree
// word, negation or particle (太慢了, 很好, 不慢).
package aspect

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/clause"
	"github.com/vocproject/voc/nlp/segment"
)

// Matcher finds aspect-level opinions in a normalized, PII-masked text. It
// is immutable after New and safe for concurrent use.
type Matcher struct {
	dict     *Dict
	lex      []lexeme
	index    map[string]int32 // lowercased term → into lex
	aspects  []lexicons.AspectTerm
	opinions []lexicons.OpinionTerm
	cats     map[string]lexicons.Category
	overall  string // category of generic opinions with no aspect ("整体"), "" if none
	// open extraction (open.go): the weights of opinion words outside the
	// taxonomy (WithOpinionWords; read by New only), the nouns that name no
	// aspect, and what each word is as an opinion (nil: open extraction off)
	words   map[string]float64
	generic map[string]bool
	signs   map[string]opinionSign
	// noMentions turns topic mentions off (WithoutMentions)
	noMentions bool
	// headings introduce one side's points (缺点：, 优点是): heading.go
	headings *headings
	// attrCats are the categories of each attribute term that names
	// several (速度: 物流 and 性能)
	attrCats   map[string][]string
	attrShared map[string]bool // the categories of attrCats
	pool       sync.Pool
}

// WithoutMentions turns topic mentions off: only opinions are emitted, as
// before mentions existed (for comparisons and benchmarks).
func WithoutMentions() Option {
	return func(m *Matcher) { m.noMentions = true }
}

// Option configures a Matcher.
type Option func(*Matcher)

// WithOpinionWords turns on open extraction (open.go) with the weights of
// sentiment words (negative: complaint): a noun the taxonomy does not know,
// followed by such a word (指纹识别很慢) or preceded by one and 的 (很好的手感),
// is an opinion about an unmapped aspect. New does not copy words; the
// caller must not change it afterwards.
func WithOpinionWords(words map[string]float64) Option {
	return func(m *Matcher) { m.words = words }
}

// lexeme is everything one surface string can be. A string may play several
// roles (好 is a degree word and an opinion; 没有 a negation and an opinion
// about gifts); the context decides.
type lexeme struct {
	term     string
	runes    int
	aspects  []int32 // into Matcher.aspects
	opinions []int32 // into Matcher.opinions: explicit opinions, they need an aspect
	implicit int32   // into Matcher.opinions, -1 if none
	mod      bool
	neg      bool
	hedge    bool
	conj     bool
	ignore   bool
	ascii    bool // an ASCII term must be a whole token
	// aspectLead marks an implicit opinion that starts with an aspect term
	// (物流快): a degree word cannot precede it (包装好|物流快).
	aspectLead bool
	// termAt and termLen locate, in runes, the aspect an implicit opinion
	// names (价格 in 价格实惠, 泡沫 in 泡沫丰富); termLen 0: none (便宜).
	// termKnown: it is an aspect term of the taxonomy; else the words
	// before the phrase's opinion term, kept only when they are nouns.
	termAt, termLen int16
	termKnown       bool
}

func (l *lexeme) isOpinion() bool { return len(l.opinions) > 0 || l.implicit >= 0 }
func (l *lexeme) isAspect() bool  { return len(l.aspects) > 0 }

// filler reports whether l may stand between a negation or degree word and
// the opinion it modifies.
func (l *lexeme) filler() bool { return l.mod || l.neg }

// overallCategory receives generic opinions that attach to no aspect.
const overallCategory = "整体"

// hedgeReach is how far (in runes) a hedge reaches to the opinion it
// makes uncertain: 希望物流快一点, 不知道是不是正品.
const hedgeReach = 8

// New builds a Matcher from the taxonomy.
func New(tax *lexicons.Taxonomy, opts ...Option) (*Matcher, error) {
	if tax == nil || len(tax.Categories) == 0 {
		return nil, fmt.Errorf("aspect: new matcher: empty taxonomy")
	}
	m := &Matcher{
		dict:     NewDict(),
		aspects:  tax.Aspects,
		opinions: tax.Opinions,
		cats:     make(map[string]lexicons.Category, len(tax.Categories)),
	}
	for _, c := range tax.Categories {
		m.cats[c.Name] = c
	}
	if _, ok := m.cats[overallCategory]; ok {
		m.overall = overallCategory
	}
	for _, o := range opts {
		o(m)
	}
	m.headings = newHeadings(tax.Headings)
	for _, a := range tax.Aspects {
		if k := strings.ToLower(a.Term); a.Attr && !slices.Contains(m.attrCats[k], a.Category) {
			if m.attrCats == nil {
				m.attrCats = map[string][]string{}
			}
			m.attrCats[k] = append(m.attrCats[k], a.Category)
		}
	}
	for k, cs := range m.attrCats {
		if len(cs) < 2 {
			delete(m.attrCats, k)
			continue
		}
		if m.attrShared == nil {
			m.attrShared = map[string]bool{}
		}
		for _, c := range cs {
			m.attrShared[c] = true
		}
	}
	m.generic = make(map[string]bool, len(tax.Generic))
	for _, w := range tax.Generic {
		m.generic[strings.ToLower(w)] = true
	}
	index := map[string]int32{}
	m.index = index
	lowerPattern := strings.ToLower(lexicons.NumberPattern)
	get := func(term string) *lexeme {
		term = strings.ReplaceAll(strings.ToLower(term), lowerPattern, lexicons.NumberPattern)
		i, ok := index[term]
		if !ok {
			i = int32(len(m.lex))
			index[term] = i
			n := utf8.RuneCountInString(strings.ReplaceAll(term, lexicons.NumberPattern, "0"))
			m.lex = append(m.lex, lexeme{term: term, runes: n, implicit: -1, ascii: isASCII(term)})
			m.dict.Add(term, i)
		}
		return &m.lex[i]
	}
	for i, a := range tax.Aspects {
		if _, ok := m.cats[a.Category]; !ok {
			return nil, fmt.Errorf("aspect: new matcher: aspect %q: unknown category %q", a.Term, a.Category)
		}
		l := get(a.Term)
		l.aspects = append(l.aspects, int32(i))
	}
	for i, o := range tax.Opinions {
		if o.Category != lexicons.AnyCategory {
			if _, ok := m.cats[o.Category]; !ok {
				return nil, fmt.Errorf("aspect: new matcher: opinion %q: unknown category %q", o.Term, o.Category)
			}
		}
		l := get(o.Term)
		if o.Implicit {
			l.implicit = int32(i)
		} else {
			l.opinions = append(l.opinions, int32(i))
		}
	}
	for _, w := range tax.Modifiers {
		get(w).mod = true
	}
	for _, w := range tax.Negations {
		get(w).neg = true
	}
	for _, w := range tax.Hedges {
		get(w).hedge = true
	}
	for _, w := range tax.Conjunctions {
		get(w).conj = true
	}
	for _, w := range tax.Ignored {
		get(w).ignore = true
	}
	for i := range m.lex {
		l := &m.lex[i]
		if l.implicit < 0 {
			continue
		}
		rs := []rune(l.term)
		for e := 1; e < len(rs); e++ {
			if v, ok := index[string(rs[:e])]; ok && m.lex[v].isAspect() {
				l.aspectLead = true
			}
		}
		l.termAt, l.termLen, l.termKnown = m.namedTerm(rs, tax.Opinions[l.implicit].Category)
	}
	if m.words != nil {
		m.buildSigns(tax.Opinions)
	}
	return m, nil
}

// namedTerm finds the aspect an implicit opinion phrase names: the longest
// aspect term inside it, one of the opinion's category first (价格 in
// 价格实惠, 效果 in 美白效果好); else the words before an opinion term that
// ends the phrase, after degree words and negations (泡沫 in 泡沫很丰富).
// It returns rune offset and length, length 0 when the phrase names none,
// and whether the term is one of the taxonomy.
func (m *Matcher) namedTerm(rs []rune, category string) (at, n int16, known bool) {
	if len(rs) > 32 || strings.Contains(string(rs), lexicons.NumberPattern) {
		return 0, 0, false
	}
	best, bestSame := [2]int{}, false
	for i := range rs {
		for e := i + 1; e <= len(rs); e++ {
			if e-i == len(rs) {
				continue // the whole phrase is no aspect of itself
			}
			v, ok := m.index[string(rs[i:e])]
			if !ok || !m.lex[v].isAspect() {
				continue
			}
			same := false
			for _, ai := range m.lex[v].aspects {
				if m.aspects[ai].Category == category {
					same = true
				}
			}
			if same && !bestSame || same == bestSame && e-i > best[1] {
				best, bestSame = [2]int{i, e - i}, same
			}
		}
	}
	if best[1] > 0 {
		return int16(best[0]), int16(best[1]), true
	}
	for e := 2; e < len(rs); e++ {
		rest := e
		for rest < len(rs) {
			k := m.fillerPrefix(rs[rest:])
			if k == 0 {
				break
			}
			rest += k
		}
		if rest == len(rs) {
			continue
		}
		if v, ok := m.index[string(rs[rest:])]; ok && m.lex[v].isOpinion() {
			return 0, int16(e), false
		}
	}
	return 0, 0, false
}

// fillerPrefix returns the length in runes of the degree word or negation
// rs starts with, 0 if none.
func (m *Matcher) fillerPrefix(rs []rune) int {
	for e := min(len(rs)-1, 3); e >= 1; e-- {
		if v, ok := m.index[string(rs[:e])]; ok && m.lex[v].filler() {
			return e
		}
	}
	return 0
}

// Overall returns the category that verdicts on the whole go to ("整体"),
// "" when the taxonomy has none.
func (m *Matcher) Overall() string { return m.overall }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// item is one lexeme found in a clause, at rune offsets [start, end).
type item struct {
	start, end int
	lx         int32
}

// isParticle reports whether r may trail a term inside a word (太慢了,
// 好的) or stand between two items without breaking their link. A space
// is no particle: in reviews it often parts two clauses.
func isParticle(r rune) bool {
	switch r {
	case '了', '的', '啦', '啊', '呀', '哦', '哈', '滴', '得', '地', '嘛', '噢', '喔', '耶', '呢', '吧', '哇', '呦', '哟', '咯', '喽', '嗷':
		return true
	}
	return false
}

// text holds the state of one Match call.
type text struct {
	m      *Matcher
	rs     []rune
	lower  []rune // rs with ASCII letters lowercased
	tokAt  []int32
	tokens []segment.Token
	sc     *scratch
	refs   []aspectRef // block the aspects of this call are allocated from
	// named are the aspect terms found, in text order, for the topic
	// mentions of those no opinion attached to
	named []*aspectRef
	// namedAt indexes named by span for open extraction (built when needed;
	// named is complete by then)
	namedAt map[[2]int][]*aspectRef
	// ignored are the spans of ignore phrases (安装好, 还没用): open
	// extraction pairs nothing inside them
	ignored [][2]int
	// catchAll are the indices into sc.out of generic opinions filed under
	// the overall category (太差了): pruneOverall may drop them; implicit
	// verdicts (不推荐, 下次还来) stay
	catchAll []int
	// refiled are the opinions refile moved to their aspect's category
	refiled []nlp.Aspect
	// copies is set when a rewrite (scornful) may have made two results
	// the same: dedupe drops the copy
	copies bool
	// emitted indexes sc.out by point and span once it grows past
	// linearEmits, so that de-duplication stays linear in long texts
	emitted map[emitKey]struct{}
	// listed are the aspects of the bare clauses right before the current
	// one (价格，外观，质量都不错): an opinion after 都 takes them too
	listed []*aspectRef
	// past are the clauses that tell how things were (以前挺流畅的): their
	// opinions give way to the present ones (see superseded)
	past [][2]int
	// orphans are the generic verdicts (省心了, 很好用) that found no aspect
	// in a taxonomy without an overall category: adoptOrphans gives each to
	// a topic of its sentence
	orphans []orphan
	// inner are implicit opinions whose aspect term stands inside the
	// phrase after other words (制冷 in 不制冷): nameInner gives it to them
	// when open extraction found no noun before
	inner []innerTerm
}

// orphan is a generic verdict with no aspect: its opinion, the runes
// [s, e) that say it, its negation and hedge.
type orphan struct {
	op        lexicons.OpinionTerm
	s, e      int
	neg, hedg bool
}

// innerTerm is the aspect term at runes [s, e) of the opinion sc.out[out].
type innerTerm struct{ out, s, e int }

// nameInner names the implicit opinions of t.inner that are still without
// an aspect term by the term inside their phrase.
func (t *text) nameInner() {
	for _, in := range t.inner {
		if o := &t.sc.out[in.out]; o.Aspect == "" {
			o.Aspect = string(t.rs[in.s:in.e])
		}
	}
}

// nouns reports whether runes [s, e) are whole tokens that may all name an
// aspect (泡沫 of 泡沫丰富, not 戴久了 of 戴久了耳朵疼).
func (t *text) nouns(s, e int) bool {
	k := t.tokenStarting(s)
	if k < 0 {
		return false
	}
	for ; k < len(t.tokens) && t.tokens[k].End <= e; k++ {
		if !t.noun(k) {
			return false
		}
		if t.tokens[k].End == e {
			return true
		}
	}
	return false
}

// emitKey is what makes two emitted opinions the same.
type emitKey struct {
	category, sub string
	span          [2]int
}

// linearEmits is how many emitted opinions are compared one by one before
// emitted indexes them.
const linearEmits = 16

// seenEmit reports whether an opinion of the point at span was emitted
// already, and records it if not (the caller appends it to sc.out).
func (t *text) seenEmit(category, sub string, span [2]int) bool {
	k := emitKey{category, sub, span}
	if t.emitted == nil {
		for _, o := range t.sc.out {
			if o.Category == category && o.Subcategory == sub && o.Span == span {
				return true
			}
		}
		if len(t.sc.out) < linearEmits {
			return false
		}
		t.emitted = make(map[emitKey]struct{}, 2*len(t.sc.out))
		for _, o := range t.sc.out {
			t.emitted[emitKey{o.Category, o.Subcategory, o.Span}] = struct{}{}
		}
	}
	if _, ok := t.emitted[k]; ok {
		return true
	}
	t.emitted[k] = struct{}{}
	return false
}

// newRef returns a zeroed aspectRef that lives as long as the call.
func (t *text) newRef() *aspectRef {
	if len(t.refs) == cap(t.refs) {
		t.refs = make([]aspectRef, 0, min(2*cap(t.refs)+2, 32))
	}
	t.refs = t.refs[:len(t.refs)+1]
	return &t.refs[len(t.refs)-1]
}

// scratch holds the buffers of one Match call, reused through a pool.
type scratch struct {
	rs, lower []rune
	tokAt     []int32
	items     []item
	out       []nlp.Aspect // copied out at the end of the call
}

// maxPooled bounds the buffers kept for reuse (in runes): a rare huge text
// must not pin its memory.
const maxPooled = 1 << 16

func (sc *scratch) release(p *sync.Pool) {
	if cap(sc.rs) <= maxPooled && cap(sc.lower) <= maxPooled {
		clear(sc.out) // drop the strings
		sc.out = sc.out[:0]
		p.Put(sc)
	}
}

// aspectRef is an aspect found in a clause, resolved to its category.
type aspectRef struct {
	start, end int // the aspect term (with the aspect before an attribute)
	category   string
	group      string
	alts       []int32 // other readings of the term (味道: 气味, 口味), into Matcher.aspects
	used       bool    // an opinion attached to it
	merged     bool    // replaced by the attribute after it (快递小哥|的态度)
	asked      bool    // in a question, or within reach of a hedge
	denied     bool    // after a denial (不是屏幕不好): its opinions take no side
	bare       bool    // its clause held nothing else (快递，太慢了)
	implied    bool    // no term: the category of an implicit opinion
	// juxt is the aspect of another category named right before this one,
	// nothing between (价格|质量都不错), which an opinion after 都 shares
	juxt *aspectRef
}

// Match returns the aspects found in s, in text order. tokens are
// segment.Segmenter.Cut(s) and clauses are clause.Split(s, markers), both
// with rune offsets. Span is rune offsets into s covering the aspect term
// (if any) and the opinion. Match does not retain its arguments.
func (m *Matcher) Match(s string, tokens []segment.Token, clauses []clause.Clause) []nlp.Aspect {
	if s == "" || len(clauses) == 0 {
		return nil
	}
	sc, _ := m.pool.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer sc.release(&m.pool)
	rs := sc.rs[:0]
	upper := false
	for _, r := range s {
		rs = append(rs, r)
		upper = upper || r >= 'A' && r <= 'Z'
	}
	sc.rs = rs
	t := &text{m: m, rs: rs, lower: rs, tokens: tokens, sc: sc}
	if upper {
		t.lower = append(sc.lower[:0], rs...)
		sc.lower = t.lower
		for i, r := range t.lower {
			if r >= 'A' && r <= 'Z' {
				t.lower[i] = r + 'a' - 'A'
			}
		}
	}
	t.tokAt = slices.Grow(sc.tokAt[:0], len(rs))[:len(rs)]
	sc.tokAt = t.tokAt
	for i := range t.tokAt {
		t.tokAt[i] = -1
	}
	for k, tk := range tokens {
		for i := max(tk.Start, 0); i < tk.End && i < len(rs); i++ {
			t.tokAt[i] = int32(k)
		}
	}
	var carry *aspectRef
	since := 0
	prevEnd := -1
	for _, c := range clauses {
		if c.Start < 0 || c.End > len(rs) || c.Start >= c.End || c.Start < prevEnd {
			continue
		}
		prevEnd = c.End
		if pastClause(c.Text) {
			t.past = append(t.past, [2]int{c.Start, c.End})
		}
		last := t.clause(c, carry)
		if last != nil {
			carry, since = last, 0
		} else if since++; since >= 2 {
			carry = nil
		}
		if last != nil && last.bare && !last.used && !last.implied && len(t.listed) < maxListed {
			t.listed = append(t.listed, last) // 价格，质量都不错: 价格 waits for 都
		} else {
			t.listed = t.listed[:0]
		}
	}
	t.open(clauses)
	t.nameInner()
	t.refile()
	t.contextual()
	if !m.noMentions {
		t.mentions()
		t.adoptOrphans()
		t.headed()
		t.inferior(clauses)
		t.excepted(clauses)
		t.scornful(clauses)
	}
	t.pruneOverall()
	t.dedupe()
	t.superseded()
	if len(sc.out) == 0 {
		return nil
	}
	out := slices.Clone(sc.out)
	// an opinion about the aspect of the clause before starts there
	slices.SortStableFunc(out, func(a, b nlp.Aspect) int { return a.Span[0] - b.Span[0] })
	return out
}

// scan appends to items the lexemes of rs[from:to], longest valid match
// first, each at most maxLen runes (0: any).
func (t *text) scan(from, to, maxLen int, items []item) []item {
	rs := t.lower[:to]
	type cand struct {
		end int
		v   int32
	}
	var buf [8]cand
	for i := from; i < to; {
		cands := buf[:0]
		t.m.dict.Each(rs, i, func(end int, v int32) {
			if maxLen == 0 || end-i <= maxLen {
				cands = append(cands, cand{end, v})
			}
		})
		// the longest candidate that agrees with the segmentation
		slices.SortFunc(cands, func(a, b cand) int { return b.end - a.end })
		best := cand{end: -1}
		for _, c := range cands {
			if t.valid(i, c.end, &t.m.lex[c.v]) {
				best = c
				break
			}
		}
		if best.end < 0 {
			// 不发|烫: a negation or degree word that the segmenter glued
			// to the start of the term after it (valid lets 发烫 start
			// inside the word) is a word of its own
			for _, c := range cands {
				if l := &t.m.lex[c.v]; l.filler() && !l.ignore && t.tokenBounds(i)[0] == i && t.startsTerm(c.end, to, maxLen) {
					best = c
					break
				}
			}
		}
		if best.end > i {
			items = append(items, item{i, best.end, best.v})
			i = best.end
			continue
		}
		i++
	}
	return t.dropAnotA(items)
}

// dropAnotA drops the items of A-not-A questions (好不好用, 是不是正品,
// 有没有破损): they assert nothing.
// startsTerm reports whether a term that agrees with the segmentation
// starts at rune i (and ends by to).
func (t *text) startsTerm(i, to, maxLen int) bool {
	ok := false
	t.m.dict.Each(t.lower[:to], i, func(end int, v int32) {
		if !ok && (maxLen == 0 || end-i <= maxLen) && t.valid(i, end, &t.m.lex[v]) {
			ok = true
		}
	})
	return ok
}

// anotA reports whether rune j is the 不 or 没 of an A-not-A question (快不快,
// 有没有); 0 < j < len(t.rs)-1.
func (t *text) anotA(j int) bool {
	// 得不得了 is "extremely" (好用得不得了), 时不时 "now and then" and 动不动就
	// "at every turn" (动力时不时下降), not a question (油耗动不动?)
	if (t.rs[j] != '不' && t.rs[j] != '没') || t.rs[j-1] != t.rs[j+1] {
		return false
	}
	switch t.rs[j-1] {
	case '得', '时':
		return false
	case '动':
		return j+2 >= len(t.rs) || t.rs[j+2] != '就'
	}
	return true
}

func (t *text) dropAnotA(items []item) []item {
	out := items[:0]
	for _, it := range items {
		drop := false
		for j := max(it.start-1, 1); j <= it.end && j+1 < len(t.rs); j++ {
			inside := j-1 >= it.start && j+1 < it.end // 爱理不理 is a term, not a question
			if t.anotA(j) && j-1 < it.end && j+1 >= it.start && !inside {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, it)
			continue
		}
		// 物流快不快 asks about 物流: the aspect an implicit opinion opens
		// with stays, as a topic
		if l := &t.m.lex[it.lx]; l.implicit >= 0 && l.termKnown && l.termAt == 0 && l.termLen > 0 {
			e := it.start + int(l.termLen)
			if v, ok := t.m.index[string(t.lower[it.start:e])]; ok && e <= it.end {
				out = append(out, item{it.start, e, v})
			}
		}
	}
	return out
}

// valid reports whether the term at [s, e) agrees with the segmentation:
// it starts where a word starts, or after a degree word or negation inside
// the word (很|好, 不|慢), and it ends where a word ends, or before
// particles or more terms inside the word (慢|了).
func (t *text) valid(s, e int, l *lexeme) bool {
	if l.ignore {
		return true
	}
	ts, te := t.tokenBounds(s), t.tokenBounds(e-1)
	if l.ascii {
		return ts[0] == s && te[1] == e
	}
	startOK := ts[0] == s || t.covered(ts[0], s, true)
	endOK := te[1] == e || t.covered(e, te[1], false) ||
		// 价格|比: the segmenter's 价格比 (a ratio) is mostly a comparison
		l.isAspect() && te[1] == e+1 && t.rs[e] == '比'
	return startOK && endOK
}

// tokenBounds returns the token containing rune i, or [i, i+1].
func (t *text) tokenBounds(i int) [2]int {
	if k := t.tokAt[i]; k >= 0 {
		tk := t.tokens[k]
		return [2]int{max(tk.Start, 0), min(tk.End, len(t.rs))}
	}
	return [2]int{i, i + 1}
}

// covered reports whether rs[s:e], the part of a word before (prefix) or
// after a term, is made of particles and terms: degree words, negations
// and aspects before a term (物流|快), degree words, negations and
// opinions after one (慢|了, 服务|好).
func (t *text) covered(s, e int, prefix bool) bool {
	for s < e {
		if isParticle(t.rs[s]) {
			s++
			continue
		}
		end, v, ok := t.m.dict.Longest(t.lower[:e], s)
		if !ok {
			return false
		}
		l := &t.m.lex[v]
		if l.ignore || !(l.filler() || prefix && l.isAspect() || !prefix && l.isOpinion()) {
			return false
		}
		s = end
	}
	return true
}

// looseRunes counts the runes between a and b that are neither particles,
// punctuation nor spaces.
func (t *text) looseRunes(a, b int) int {
	n := 0
	for i := a; i < b; i++ {
		if r := t.rs[i]; !isParticle(r) && !unicode.IsPunct(r) && !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// adverb reports whether 一般 is the adverb "usually" (一般外面买要四块)
// rather than the verdict "so-so" that ends its clause (质量一般), 明显 the
// adverb "clearly" (方向盘明显不是真皮, 明显感觉) rather than the verdict
// "noticeable" (异响明显, 效果明显), 冲 the verb "go for" (冲四驱去的)
// rather than "jerky" (换挡有点冲), 突出 "sticks out" (电池突出一块)
// rather than "outstanding" (性能突出), or 可以 "can" (可以等新款了)
// rather than "fine" (优惠可以): as verdicts they end their clause.
func (t *text) adverb(c clause.Clause, it item, l *lexeme) bool {
	if l.term == "好" && it.start == c.Start+1 && t.rs[c.Start] == '还' {
		// 还好 opening a clause that goes on is "fortunately" (还好网站上
		// 可以下载驱动), at its end "fine" (质量还好, 还好吧)
		return !t.gapOK(it.end, c.End)
	}
	if l.term == "还可以" {
		return t.canDo(it)
	}
	return adverbs[l.term] && !t.gapOK(it.end, c.End)
}

// judgedUses after 还可以 judge, they add no ability: 还可以接受, 还可以用,
// 还可以吃 (and 把, a slip for 吧).
const judgedUses = "接用吃把"

// canDo reports whether 还可以 at it is "can also" (还可以编铃声, 还可以听歌):
// a verb follows it right away that is no term of its own and not one of
// judgedUses.
func (t *text) canDo(it item) bool {
	k := t.freeVerbAt(it.end, true)
	if k < 0 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t.tokens[k].Text)
	return !strings.ContainsRune(judgedUses, r)
}

// freeVerbAt returns the token that starts at rune i when it is a verb (or,
// with prep, a preposition: 还可以当u盘用) and no term of its own (好|评价;
// 好|用 would be one), or -1.
func (t *text) freeVerbAt(i int, prep bool) int {
	k := t.tokenStarting(i)
	if k < 0 {
		return -1
	}
	if pos := t.tokens[k].POS; !strings.HasPrefix(pos, "v") && !(prep && pos == "p") {
		return -1
	}
	if _, _, ok := t.m.dict.Longest(t.lower, i); ok {
		return -1
	}
	return k
}

// adverbs are the verdicts that are something else when more of their
// clause follows (see adverb).
var adverbs = map[string]bool{"一般": true, "明显": true, "很明显": true, "冲": true, "突出": true, "可以": true}

// card reports whether runes [s, e) are 卡 right after a Latin letter or
// digit: a card (SD卡, TF卡, SIM卡, T-Flash卡), not a lag.
func (t *text) card(s, e int) bool {
	if e-s != 1 || t.rs[s] != '卡' || s == 0 {
		return false
	}
	r := t.rs[s-1]
	return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// nearly reports whether 近 comes right before a number: "nearly" (近二十人),
// not "near".
func (t *text) nearly(it item, l *lexeme) bool {
	return l.term == "近" && it.end < len(t.rs) && isNumeral(t.rs[it.end], true)
}

// numberSuffix reports whether 多 follows a number it belongs to (30多,
// 十多个): "more than", not "plenty".
func (t *text) numberSuffix(it item, l *lexeme) bool {
	if l.term != "多" || it.start == 0 {
		return false
	}
	if isNumeral(t.rs[it.start-1], false) {
		return true
	}
	// 6个多, 两万多, 800块多: after a number and its measure word
	return it.start > 1 && strings.ContainsRune("个块万千百升元次天年月", t.rs[it.start-1]) && isNumeral(t.rs[it.start-2], false)
}

// gapOK reports whether only particles stand between rune offsets a and b.
func (t *text) gapOK(a, b int) bool {
	for i := a; i < b; i++ {
		if !isParticle(t.rs[i]) {
			return false
		}
	}
	return true
}

// clauseState is the running state of one clause.
type clauseState struct {
	c           clause.Clause
	carry       *aspectRef
	group       []*aspectRef // current aspects: several when joined (物流和包装)
	last        *aspectRef
	conjPending bool
	negStart    int // start of pending negations, -1 if none
	negs        int
	hedgeEnd    int // end of the last hedge not yet spent, -1 if none
	question    bool
	// loose counts the runes no item covers since the last aspect: an
	// opinion further than maxLoose from its aspect is about something
	// else (外观也是比较适合商务人士).
	loose int
	// clean is set while nothing but degree words, negations and hedges
	// opened the clause: only then may an opinion take the aspect of the
	// clause before (快递，太慢了 but not 快递很快，发热量还好).
	clean bool
	// cmp is a comparison that denies (没有以前那么好, 不如图片的好看):
	// the marker's runes [cmp[0], cmp[1]) and the furthest rune where the
	// opinion it negates may start (cmp[2]); cmp[0] < 0 if none
	cmp [3]int
	// modEnd is the end of the last degree word passed, -1 if none
	modEnd int
	// more is set while the current opinion is wished for more (再大一点):
	// it is denied, and asserted even when the clause wishes
	more bool
	// none denies what stands between 一点/任何 and 都没有 (一点漏光都没有,
	// 任何问题也没有): opinions in runes [none[0], none[1]) are negated, the
	// closing 都没有 at [none[1], none[2]) is skipped; none[0] < 0 if none
	none [3]int
	// disbelief is the span of a denied judgment (没觉得, 不认为) that
	// opens what follows in the clause: opinions after it are negated once
	// more (没觉得刹车差, 不认为质量不好); disbelief[0] < 0 if none
	disbelief [2]int
	// gone is where a closing "gone" (异响没有了, 卡顿的现象消失了) starts:
	// the opinions before it are negated once more; -1 if none
	gone int
	// connected is set when a connective opened the clause (但是不够清晰):
	// the aspect before takes its opinions of that aspect's own category
	// only (不过还是很好的 is a verdict, not about the aspect before)
	connected bool
	// short is where a 不到哪去 (好不到哪去: not much good) starts, which
	// negates the opinion right before it; -1 if none
	short int
}

// denials deny a claim rather than negate an opinion: 不是屏幕不好 says
// nothing of the screen, 屏幕不好 negated would praise it.
var denials = []string{"不是", "并不是", "也不是", "倒不是", "又不是", "都不是", "而不是", "并非", "不是说", "并不是说"}

// denies reports whether the pending negation, opening its clause's
// topics and ending at rune end, is a denial word and no rhetorical
// question (还不是手机有问题, 岂不是, 可不是).
func (t *text) denies(st *clauseState, end int) bool {
	s := st.negStart
	return s >= 0 && len(st.group) == 0 && slices.Contains(denials, string(t.rs[s:end])) &&
		(s == 0 || !strings.ContainsRune("还岂可", t.rs[s-1])) && !strings.Contains(string(t.rs[max(0, s-4):s]), "难道")
}

// deny counts one more negation of the pending opinion, the first starting
// at rune at.
func (st *clauseState) deny(at int) {
	if st.negStart < 0 {
		st.negStart = at
	}
	st.negs++
}

// oneOf reports whether runes [a, b) are "one" and a measure word (一家, 一个,
// 一款), which a negation reaches across: 没有一家好宾馆 denies 好.
func (t *text) oneOf(a, b int) bool {
	return b-a == 2 && t.rs[a] == '一' && strings.ContainsRune("家个款件样台部位种点", t.rs[a+1])
}

// confirmations ask whether the clause before them is so.
var confirmations = []string{"是这样吗", "是这样的吗", "是吗", "对吗", "对吧", "是真的吗", "真的吗", "是不是"}

// confirmed reports whether a clause ending at end is followed by a clause
// that only asks to confirm it (…，是这样吗？).
func (t *text) confirmed(end int) bool {
	i := end
	for i < len(t.rs) && (unicode.IsPunct(t.rs[i]) || unicode.IsSpace(t.rs[i])) && t.rs[i] != '。' {
		i++
	}
	if i == end || i >= len(t.rs) {
		return false
	}
	for _, w := range confirmations {
		n := utf8.RuneCountInString(w)
		if hasRunes(t.rs[i:], w) && (i+n == len(t.rs) || unicode.IsPunct(t.rs[i+n]) || unicode.IsSpace(t.rs[i+n])) {
			return true
		}
	}
	return false
}

// goneVerb reports whether negation l is the verb of 什么都没有了 ("is
// gone"), which denies nothing after it: 什么都没有了也不能打电话 is a
// complaint.
func (t *text) goneVerb(it item, l *lexeme) bool {
	return (l.term == "没有" || l.term == "没") && it.end < len(t.rs) && t.rs[it.end] == '了'
}

// goneWords close a clause that says its opinions are over (异响没有了).
var goneWords = []string{"没有了", "没了", "消失了", "不见了", "没再出现", "没有再出现", "再也没有了", "再也没了", "再没出现"}

// goneAt finds a word of goneWords that ends clause c, particles after it
// aside, or -1.
func (t *text) goneAt(c clause.Clause) int {
	q := strings.TrimRight(c.Text, "吧啊呀呢哈的过 ")
	if !strings.ContainsAny(q, "没失见出") {
		return -1
	}
	for _, w := range goneWords {
		if strings.HasSuffix(q, w) {
			if strings.HasPrefix(w, "没") && strings.HasSuffix(strings.TrimSuffix(q, w), "就") {
				return -1 // 用几个小时就没有了 runs out (异味就消失了 is over)
			}
			return c.Start + utf8.RuneCountInString(q) - utf8.RuneCountInString(w)
		}
	}
	return -1
}

// shortWords say after an opinion that it holds only a little: 好不到哪去
// is not good, 差不到哪里去 not bad.
var shortWords = []string{"不到哪去", "不到哪里去", "不到哪儿去", "不到那去", "不到那里去"}

// shortAt finds the first word of shortWords in clause c, or -1.
func (t *text) shortAt(c clause.Clause) int {
	if !strings.Contains(c.Text, "不到") {
		return -1
	}
	at, _ := t.findWord(c.Start, c.End, shortWords)
	return at
}

// findWord returns where the first word of words that lies in runes [s, e)
// starts and ends, or -1, -1.
func (t *text) findWord(s, e int, words []string) (int, int) {
	for i := s; i < e; i++ {
		for _, w := range words {
			if hasRunes(t.rs[i:e], w) {
				return i, i + utf8.RuneCountInString(w)
			}
		}
	}
	return -1, -1
}

// disbeliefs deny the judgment that follows them in their clause.
var disbeliefs = []string{"丝毫没觉得", "一点没觉得", "从来没觉得", "从没觉得", "并没觉得", "并不觉得", "没有觉得", "没觉得",
	"不觉得", "没觉着", "不觉着", "没有感觉", "没感觉到", "没感觉", "不认为", "并不认为",
	// a fault not met: 没出现过卡顿, 未发现坏点, 没有遇到过黑屏的情况
	"没有出现过", "没出现过", "没有出现", "没出现", "从没出现", "从未出现", "未出现", "没有发现过", "没发现过", "没有发现", "没发现", "未发现",
	"没有遇到过", "没遇到过", "没有遇到", "没遇到", "从没遇到", "没有碰到过", "没碰到过", "没有碰到", "没碰到"}

// disbeliefAt finds the first word of disbeliefs in clause c, or {-1, -1}.
func (t *text) disbeliefAt(c clause.Clause) [2]int {
	if !strings.ContainsAny(c.Text, "没不未") {
		return [2]int{-1, -1}
	}
	s, e := t.findWord(c.Start, c.End, disbeliefs)
	return [2]int{s, e}
}

// noneMarkers open a "not even one" phrase closed by noneClosers
// (一点异味都没有, 丝毫划痕也没有).
var noneMarkers = []string{"一点点", "一点儿", "一点", "一丁点", "一丝", "丝毫", "半点", "任何", "什么", "啥"}

// noneClosers close it; the longest first.
var noneClosers = []string{"都没有", "也没有", "都不存在", "都没", "也没"}

// maxNone is the most runes between a "not even one" marker and its closer.
const maxNone = 8

// noneAt finds a "not even one" phrase in clause c (see clauseState.none).
func (t *text) noneAt(c clause.Clause) [3]int {
	no := [3]int{-1, -1, -1}
	if !strings.Contains(c.Text, "没") && !strings.Contains(c.Text, "不存在") {
		return no // no closer: most clauses
	}
	s := t.rs[c.Start:c.End]
	for i := 0; i < len(s); i++ {
		m := ""
		for _, w := range noneMarkers {
			if hasRunes(s[i:], w) {
				m = w
				break
			}
		}
		if m == "" || (m == "什么" || m == "啥") && i > 0 && (s[i-1] == '为' || s[i-1] == '干') {
			continue
		}
		xs := i + utf8.RuneCountInString(m)
		for j := xs + 1; j < len(s) && j-xs <= maxNone; j++ {
			for _, w := range noneClosers {
				if hasRunes(s[j:], w) {
					return [3]int{c.Start + xs, c.Start + j, c.Start + j + utf8.RuneCountInString(w)}
				}
			}
		}
		return no
	}
	return no
}

// hasRunes reports whether rs starts with w.
func hasRunes(rs []rune, w string) bool {
	i := 0
	for _, r := range w {
		if i >= len(rs) || rs[i] != r {
			return false
		}
		i++
	}
	return true
}

// maxLoose is the most runes outside any term between an aspect and its
// opinion.
const maxLoose = 6

// clause matches one clause and returns the last aspect it named or
// implied (nil if none), for the opinions of the next clause.
func (t *text) clause(c clause.Clause, carry *aspectRef) *aspectRef {
	items := t.scan(c.Start, c.End, 0, t.sc.items[:0])
	defer func() { t.sc.items = items[:0] }()
	rh, out := t.rhetoric(c, items), len(t.sc.out)
	st := &clauseState{c: c, carry: carry, negStart: -1, hedgeEnd: -1, modEnd: -1, question: rh < 0 && t.question(c), clean: true, cmp: t.comparison(c), none: t.noneAt(c), disbelief: t.disbeliefAt(c), gone: t.goneAt(c), short: t.shortAt(c)}
	if st.cmp[0] >= 0 {
		if os, ok := t.endOpinion(c, st.cmp[1]); ok && os <= st.cmp[2] {
			items = t.comparedOpinion(items, os, c.End)
		}
	}
	better, rev, cancel := [3]int{-1, -1, -1}, -1, false
	if st.cmp[0] < 0 {
		if better, rev, cancel = t.betterThan(c, items); better[0] >= 0 {
			items = t.comparedOpinion(items, better[1], better[2])
		}
	}
	mores, items := t.moreWishes(c, items)
	frame := t.wishFrame(c)
	prevEnd := c.Start
	// 我觉得很好, 总的来说很满意: who judges, or that it sums up, leaves the
	// clause to the judgment
	if n := t.prefix(c, items, speakerPrefixes); n > 0 {
		prevEnd = c.Start + n
		items = slices.DeleteFunc(items, func(it item) bool { return it.end <= prevEnd })
		carry, st.carry = nil, nil // 胎噪大，我个人感觉很不错: a verdict of its own
	} else if n := t.prefix(c, items, connectives); n > 0 {
		// 屏幕很大，但是不够清晰: a connective keeps the clause's opinion
		// on the aspect before
		prevEnd = c.Start + n
		items = slices.DeleteFunc(items, func(it item) bool { return it.end <= prevEnd })
		st.connected = true
	}
	if carry != nil {
		// 这个比较不错, 这点很满意 after 屏幕没有坏点: the pronoun points at
		// what the clause before spoke of
		for _, w := range anaphors {
			if n := utf8.RuneCountInString(w); c.End-c.Start > n && hasRunes(t.rs[c.Start:c.End], w) &&
				!slices.ContainsFunc(items, func(it item) bool { return it.start < c.Start+n }) {
				prevEnd = c.Start + n
				break
			}
		}
	}
	for k := 0; k < len(items); k++ {
		it := items[k]
		l := &t.m.lex[it.lx]
		if st.cmp[0] >= 0 && it.start >= st.cmp[0] && it.end <= st.cmp[1] {
			continue // the marker (没有 is also an opinion of gifts and tastes)
		}
		if st.cmp[0] >= 0 && it.start >= st.cmp[1] && it.end <= st.cmp[2] && l.isAspect() && !l.isOpinion() && len(st.group) > 0 {
			prevEnd = it.end
			continue // the point of comparison (新版本不如旧版本好用): the aspect is before the marker
		}
		if st.none[0] >= 0 && it.start >= st.none[1] && it.end <= st.none[2] {
			continue // the closing 都没有
		}
		if it.start == rh {
			prevEnd = it.end
			continue // 不是 of 这不是质量问题吗: it asserts
		}
		if better[0] >= 0 && it.start >= better[0] && it.end <= better[1] {
			prevEnd = it.end
			continue // 比 and the point of comparison (比现款森林人好)
		}
		if it.start == better[1] {
			st.loose, st.clean = 0, false // the point of comparison is no loose talk
			prevEnd = it.start
		}
		if better[0] >= 0 && it.start >= better[2] {
			continue // its complement (多了 of 低多了) is no opinion
		}
		if len(st.group) > 0 && t.exceptAt(st.group[0].start) >= 0 && t.restBetween(prevEnd, it.end) {
			st.group = nil // 除了包装其他都挺好: the opinion is the rest's
		}
		adjacent := t.gapOK(prevEnd, it.start) || st.negStart >= 0 && t.oneOf(prevEnd, it.start)
		if n := t.looseRunes(prevEnd, it.start); n > 0 {
			st.loose += n
			st.clean = false
		}
		if !adjacent {
			st.negStart, st.negs = -1, 0
			st.conjPending = false
		}
		if cancel && it.start == better[1] {
			st.negStart, st.negs = -1, 0 // 不会比这个更好了: the negation and the point cancel
		}
		if rev >= 0 && it.start == better[1] {
			st.negStart, st.negs = rev, 1 // 不比, or 比这个
		}
		next := -1 // the next item, when only particles stand between
		if k+1 < len(items) && (t.gapOK(it.end, items[k+1].start) || l.neg && t.oneOf(it.end, items[k+1].start)) {
			next = k + 1
		}
		leads := next >= 0 && t.leadsToOpinion(items[next:], l.neg)
		prevEnd = it.end
		switch {
		case l.ignore:
			st.negStart, st.negs = -1, 0
			st.clean = false
			t.ignored = append(t.ignored, [2]int{it.start, it.end})
			continue
		case l.hedge && !l.isOpinion() && !l.isAspect():
			st.hedgeEnd = it.end
			continue
		case l.conj && !l.isOpinion() && !l.isAspect():
			st.conjPending = len(st.group) > 0 && adjacent
			continue
		case l.isAspect() && !(l.isOpinion() && t.opinionHere(st, items, k, adjacent)):
			denied := adjacent && t.denies(st, it.start)
			t.addAspect(st, it, l, adjacent)
			// 并不是屏幕不好, 倒不是价格贵: the claim about the aspect is
			// denied, which says neither what it is nor its opposite (in
			// its clause; 肥牛不是肥牛 names no claim)
			st.last.denied = denied
			continue
		case l.neg && (leads || !l.isOpinion()) || l.term == "不大" && leads:
			// (不大 before an opinion is 不太: 屏幕不大清楚, not 屏幕不大)
			if !t.goneVerb(it, l) {
				st.deny(it.start)
			}
			continue
		case l.term == "大" && leads && st.negStart >= 0 && adjacent:
			continue // 不大方便 is 不太方便: 大 is a degree word here (声音不大 is not)
		case l.mod && (leads || !l.isOpinion()):
			if !l.isOpinion() {
				st.modEnd = it.end // a pure degree word (很, 太): not 好 of 好好
			}
			continue
		case !l.isOpinion():
			continue
		}
		if t.beforeVerb(it, l) || t.adverb(c, it, l) || t.numberSuffix(it, l) || t.nearly(it, l) || t.card(it.start, it.end) {
			st.negStart, st.negs = -1, 0
			st.clean = false
			continue
		}
		if st.none[0] >= 0 && it.start >= st.none[0] && it.end <= st.none[1] {
			// 一点漏光都没有: the closer denies the opinion
			st.deny(it.start)
		}
		st.more = false
		if len(mores) > 0 {
			if it.start >= frame && frame >= 0 {
				continue // 就好了 of 再便宜点就好了 frames the wish
			}
			if i := slices.IndexFunc(mores, func(w [2]int) bool { return w[1] == it.start }); i >= 0 && st.negs == 0 {
				// 能再便宜点就好了, 屏幕还可以再大些: a wish for more says the
				// aspect falls short (不够便宜), asserted even in a wish
				st.negStart, st.negs, st.more = mores[i][0], 1, true
			} else if slices.ContainsFunc(mores, func(w [2]int) bool { return w[0] >= it.end && t.gapOK(it.end, w[0]) }) {
				continue // 还可以 of 还可以再大些: could be more
			}
		}
		if l.implicit >= 0 && strings.HasPrefix(l.term, "再") && t.m.opinions[l.implicit].Polarity < 0 {
			st.more = true // 再优惠点就好了: a wish for more, as a phrase of its own
		}
		if st.cmp[0] >= 0 && st.negs == 0 && st.cmp[1] < it.start && it.start <= st.cmp[2] {
			// 质量没有以前那么好: the comparison denies the opinion
			st.negStart, st.negs = st.cmp[0], 1
			st.cmp[0] = -1
		}
		if l.implicit >= 0 && !l.isAspect() && st.negs == 0 {
			if j, judged, ok := t.managed(items, k, c.End); ok {
				// 发热控制得不错: the judgment after 控制 says how the point
				// of the implicit term is kept, praise when it is good
				if t.m.opinions[l.implicit].Polarity != judged {
					st.negStart, st.negs = it.start, 1
				}
				t.opinion(st, item{it.start, items[j].end, it.lx}, l, nil)
				st.negStart, st.negs = -1, 0
				k, prevEnd = j, items[j].end
				continue
			}
		}
		// an opinion: find what it is about
		ki := k // the opinion's index; k moves on when the aspect follows it
		var targets []*aspectRef
		listed := false // targets hold t.listed
		switch {
		case len(st.group) > 0 && st.loose <= maxLoose:
			targets = st.group
			if last := st.group[len(st.group)-1]; last.juxt != nil && t.all(last.end, it.start) {
				targets = t.juxtaposed(st.group)
			}
			if len(t.listed) > 0 && t.all(st.group[len(st.group)-1].end, it.start) {
				targets, listed = slices.Concat(t.listed, targets), true
			}
		case len(st.group) > 0:
			// too far from its aspect: about something unnamed
		case t.likes(l) && t.likedAspect(items, k) > k:
			// 喜欢这个颜色, 不喜欢新款内饰: what one likes follows the verb
			if len(l.opinions) == 0 && it.end-it.start > 2 {
				// 很喜欢 is a verdict on the whole (a pack's implicit
				// term), but before what it likes it is 很|喜欢
				if sub := t.scan(it.start, it.end, it.end-it.start-1, nil); len(sub) > 1 {
					items = slices.Concat(items[:k], sub, items[k+1:])
					k, prevEnd = k-1, it.start
					continue
				}
			}
			next := t.likedAspect(items, k)
			negStart, negs := st.negStart, st.negs
			t.addAspect(st, items[next], &t.m.lex[items[next].lx], false)
			// and the aspects joined to it (喜欢这款车的外观和内饰风格)
			for next+1 < len(items) {
				j := next + 1
				if l := &t.m.lex[items[j].lx]; l.conj && !l.isAspect() && items[j].start == items[next].end && j+1 < len(items) && items[j+1].start == items[j].end {
					j++ // 和 is a word of the taxonomy
				} else if items[j].start != items[next].end+1 || !strings.ContainsRune("和与及、跟", t.rs[items[next].end]) {
					break
				}
				if l := &t.m.lex[items[j].lx]; !l.isAspect() || l.isOpinion() {
					break
				}
				next = j
				st.conjPending = true // joins st.group
				t.addAspect(st, items[next], &t.m.lex[items[next].lx], false)
			}
			st.negStart, st.negs = negStart, negs
			targets = st.group
			k, prevEnd = next, items[next].end
		case next >= 0 && t.m.lex[items[next].lx].isAspect() && !t.m.lex[items[next].lx].isOpinion():
			// 很好的包装, 超快的物流: the aspect follows (不满意的购物体验:
			// the negation before the opinion stays)
			negStart, negs := st.negStart, st.negs
			t.addAspect(st, items[next], &t.m.lex[items[next].lx], false)
			st.negStart, st.negs = negStart, negs
			targets = st.group
			k, prevEnd = next, items[next].end
		case carry != nil && st.clean && (it.end-it.start > 1 || st.negStart >= 0 || st.modEnd >= 0 || carry.bare) && !t.qualifies(it.end) &&
			(!st.connected || t.ownOpinion(l, carry)):
			// (a one-rune opinion alone is mostly a reply, 这边联系售后操作，好,
			// unless the clause before named only its aspect: 物流：快)
			targets = []*aspectRef{carry}
			if carry.juxt != nil && t.all(c.Start, it.start) {
				targets = t.juxtaposed(targets) // 物流包装，都很好
			}
			if n := len(t.listed); n > 1 && t.listed[n-1] == carry {
				// a verdict in a clause of its own after a list of bare
				// topics judges them all (屏幕，音质，续航，都不错 without 都)
				targets, listed = slices.Clone(t.listed), true
			}
		}
		carried := len(targets) == 1 && targets[0] == carry
		if k == ki && it.end-it.start > 1 && len(targets) > 0 && !t.fitsAny(l, targets) && !(carried && l.implicit >= 0) {
			// (an implicit term that opens a clause states its own point:
			// 系统不好，容易死机 is a crash, not 容易 about 系统)
			// 很快 is a term of 服务, but in 物流很快 it is 很|快; 态度很好
			// is one of 服务, but in 快递小哥态度很好 it is 态度|很|好
			if sub := t.scan(it.start, it.end, it.end-it.start-1, nil); t.subFits(sub, targets, l.implicit < 0) {
				items = slices.Concat(items[:k], sub, items[k+1:])
				k, prevEnd = k-1, it.start
				continue
			}
		}
		if st.short > it.start && t.gapOK(it.end, st.short) {
			st.deny(it.start) // 质量好不到哪去 is not good
		}
		if st.gone > it.start && it.end <= st.gone {
			st.deny(it.start) // 异响没有了: the problem is over
		}
		if st.disbelief[0] >= 0 && it.start >= st.disbelief[1] && !(st.negStart >= 0 && st.negStart < st.disbelief[1]) {
			// 丝毫没觉得刹车差: the judgment is denied (不认为质量不好 twice)
			st.negStart, st.negs = st.disbelief[0], st.negs+1
		}
		// the listed aspects wait for an opinion that takes them (操控，舒适性都
		// 有很大改善: not 很大, which the scan above splits)
		took := t.opinion(st, it, l, targets)
		if took && listed {
			t.listed = t.listed[:0]
		}
		if !took && l.implicit < 0 && k == ki {
			if it.end-it.start > 1 {
				// 不贵 is an opinion about a price, but alone it is 不|贵
				if sub := t.scan(it.start, it.end, it.end-it.start-1, nil); t.subImplicit(sub) {
					items = slices.Concat(items[:k], sub, items[k+1:])
					k, prevEnd = k-1, it.start
					continue
				}
				t.overall(st, it, l, targets)
			} else if st.clean && !st.question && (st.negStart >= 0 || st.modEnd >= 0 && t.gapOK(st.modEnd, it.start)) {
				// a one-rune verdict needs a degree word or negation and a
				// clause of its own (很好, 太差了, 不好); alone it is mostly
				// something else (好的, 好吧), after other words about
				// them (发热量还好)
				t.overall(st, it, l, targets)
			}
		}
		st.negStart, st.negs = -1, 0
	}
	if rh >= 0 {
		// a praise asserted so (不是次日达么, 苹果不是又香又甜吗) is the
		// promise the writer holds against what came: only a question
		for i := out; i < len(t.sc.out); i++ {
			if a := &t.sc.out[i]; a.Polarity == nlp.Positive && a.Span[1] > rh {
				a.Polarity = nlp.Neutral
			}
		}
	}
	if at := t.normalAt(c); at >= 0 {
		// 怠速高声音大是正常现象: the writer calls the symptom normal, no
		// complaint
		for i := out; i < len(t.sc.out); i++ {
			if a := &t.sc.out[i]; a.Polarity == nlp.Negative && a.Span[1] <= at {
				a.Polarity = nlp.Neutral
			}
		}
	}
	if st.last != nil {
		st.last.bare = t.bare(c, items)
	}
	return st.last
}

// normalWords call what comes before them in their clause a normal
// phenomenon; 布局差是正常的 and 质量差很正常 stay complaints.
var normalWords = []string{"是正常现象", "属正常现象", "属于正常现象", "是很正常的现象", "是很正常的事", "属于正常范围", "属正常范围", "是正常范围"}

// normalAt returns where a word of normalWords that no negation precedes
// (不是正常现象) starts in clause c, or -1.
func (t *text) normalAt(c clause.Clause) int {
	if !strings.Contains(c.Text, "正常") {
		return -1
	}
	for i := c.Start + 1; i < c.End; {
		at, _ := t.findWord(i, c.End, normalWords)
		if at < 0 || t.rs[at-1] != '不' && t.rs[at-1] != '没' {
			return at
		}
		i = at + 1
	}
	return -1
}

// comparisonMarkers deny what follows a point of comparison: 没有以前好,
// 不如图片好看, 比不上实体店的好吃, 不像原厂那么软.
var comparisonMarkers = []string{"没有", "不如", "不像", "比不上", "赶不上", "不及", "没", "远不如", "远远不如", "还不如", "都不如", "也不如", "比不过"}

// comparisonLinks end the point of comparison right before the opinion
// (没有以前那么好, 没有想象中的好).
var comparisonLinks = []string{"那么", "这么", "那样", "这样", "那种", "这种", "的"}

// comparisonRefs are points of comparison that need no link (物流没有以前快).
var comparisonRefs = []string{"以前", "之前", "原来", "从前", "上次", "上回", "想象", "预期", "期待", "描述", "宣传", "图片", "图上", "店里", "实体店", "别家", "别人家", "其他家", "上一代", "上代", "老款", "旧款", "以往", "过去"}

// maxComparison is the most runes between a comparison marker and the
// opinion it denies.
const maxComparison = 10

// comparison finds a comparison that denies an opinion in the clause (没有
// 以前那么好): a marker that is a word of its own, followed within
// maxComparison runes by a point of comparison that ends with a link
// word or names one of comparisonRefs. It returns the marker's span and the
// last rune where the opinion may start, or {-1, -1, -1}.
func (t *text) comparison(c clause.Clause) [3]int {
	none := [3]int{-1, -1, -1}
	for k := t.tokenStarting(c.Start); k >= 0 && k < len(t.tokens) && t.tokens[k].End <= c.End; k++ {
		tk := t.tokens[k]
		if !slices.Contains(comparisonMarkers, tk.Text) {
			continue
		}
		limit := min(tk.End+maxComparison, c.End)
		between := string(t.rs[tk.End:limit])
		// 不像 compares through 那么 and the like, or 的 and an opinion that
		// ends the clause (口感不像第一次的好; 泳池不像五星级的又小又旧 says
		// the pool is small and old)
		like := tk.Text == "不像"
		for _, ref := range comparisonRefs {
			if i := strings.Index(between, ref); i >= 0 && (i == 0 || slices.Contains(comparisonLinks, between[:i])) && !like {
				return [3]int{tk.Start, tk.End, limit}
			}
		}
		// a link word right before the opinion: checked loosely here (the
		// opinion must start within reach, after some point of comparison)
		for j := k + 2; j < len(t.tokens) && t.tokens[j].Start < limit; j++ {
			if like && t.tokens[j].Text == "的" && (j+1 >= len(t.tokens) || t.tokens[j+1].End > c.End || strings.TrimRight(string(t.rs[t.tokens[j+1].End:c.End]), "了啊呀呢的吧") != "") {
				continue
			}
			if slices.Contains(comparisonLinks, t.tokens[j].Text) && j+1 < len(t.tokens) && t.tokens[j+1].Start < c.End {
				if _, ok := t.opinionText(t.tokens[j+1].Text); ok || t.taxonomyOpinionAt(t.tokens[j+1].Start) {
					return [3]int{tk.Start, tk.End, t.tokens[j+1].Start}
				}
			}
		}
		if os, ok := t.namedPoint(c, k, limit); ok && !like {
			return [3]int{tk.Start, tk.End, os}
		}
		return none
	}
	return none
}

// likingVerbs take what they judge as their object: 喜欢这个颜色.
var likingVerbs = []string{"喜欢", "喜爱", "钟爱", "偏爱", "讨厌", "嫌弃", "受不了"}

// likes reports whether l is a verb of liking or disliking.
func (t *text) likes(l *lexeme) bool {
	return l.isOpinion() && slices.ContainsFunc(likingVerbs, func(v string) bool { return strings.HasSuffix(l.term, v) })
}

// likedAspect returns the index of the aspect item that the liking verb
// items[k] takes as its object: the first aspect after it within 6 runes
// that is not the product as a whole (这款 of 喜欢这款的外观), with nothing
// else found before it (这个, 新款, 它的 may stand between), or -1.
func (t *text) likedAspect(items []item, k int) int {
	for j := k + 1; j < len(items); j++ {
		n := items[j]
		if n.start-items[k].end > 6 {
			return -1
		}
		for i := items[j-1].end; i < n.start; i++ {
			if !unicode.Is(unicode.Han, t.rs[i]) {
				return -1 // a space or a mark parts them
			}
		}
		l := &t.m.lex[n.lx]
		switch {
		case !l.isAspect() || l.isOpinion():
			return -1
		case t.m.aspects[l.aspects[0]].Category != t.m.overall:
			return j
		}
	}
	return -1
}

// anaphors open a clause about what the clause before named.
var anaphors = []string{"这一点", "这方面", "这点", "这个", "这些", "这样"}

// speakerPrefixes open a clause with who judges or with a summing up (我觉得
// 很好, 总的来说还不错).
var speakerPrefixes = []string{"我个人觉得", "我个人认为", "我个人感觉", "我觉得", "我感觉", "我认为", "个人觉得", "个人感觉", "个人认为",
	"我们觉得", "我们感觉", "总的来说", "总体来说", "整体来说", "总体感觉", "整体感觉", "总的感觉", "总而言之", "总之"}

// ownOpinion reports whether l has an opinion of a's category (清晰 of a
// screen), not only a generic one (好, 不错).
func (t *text) ownOpinion(l *lexeme, a *aspectRef) bool {
	op, ok := t.pick(l, a, false)
	return ok && op.Category != lexicons.AnyCategory
}

// connectives open a clause that goes on about what the clause before
// named (但是不够清晰, 不过有点贵).
var connectives = []string{"但是", "可是", "不过", "只是", "然而", "而且", "并且"}

// prefix returns the length of the word of words that opens clause c
// before any aspect or opinion and leaves more after it, or 0.
func (t *text) prefix(c clause.Clause, items []item, words []string) int {
	end := t.skipPrefix(c.Start, c.End-1, words)
	if end == c.Start || slices.ContainsFunc(items, func(it item) bool {
		l := &t.m.lex[it.lx]
		return it.start < end && (it.end > end || l.isAspect() || l.isOpinion())
	}) {
		return 0
	}
	return end - c.Start
}

// notComparison holds the words around 比 that make no comparison: 性价比,
// 对比, 相比, 无比, 好比, 比较, 比例, 比如, 比赛 ….
var notComparison = [2]string{"价对相无好类正反占", "较例如赛起方分重率"}

// comparisonComplements may follow the opinion of a comparison (强多了, 大
// 很多, 小太多, 差点, 好一些).
var comparisonComplements = []string{"了", "啊", "呀", "呢", "的", "吧", "多了", "很多", "太多", "得多", "不少", "一点", "一些", "点", "些", "许多", "多"}

// comparisonNegations deny a comparison with 比 right after them.
var comparisonNegations = []string{"不会", "不", "没"}

// comparisonNegation returns the length of the negation of comparisonNegations
// that ends right before the 比 at rune j in clause c, or 0.
func (t *text) comparisonNegation(c clause.Clause, j int) int {
	for _, w := range comparisonNegations {
		if n := utf8.RuneCountInString(w); j-n >= c.Start && hasRunes(t.rs[j-n:j], w) {
			return n
		}
	}
	return 0
}

// betterThan finds a comparison that asserts in clause c: an aspect, 比, a
// point of comparison (1 to 8 runes) and an opinion that ends the clause
// before its complements: 避震效果比现款森林人好, 外观比现款差点, 价格比京东贵.
// The opinion applies as is, or reversed after 不比 (质量不比商场的差 is
// praise) and when the point is the product reviewed (别家的价格比这家便宜
// is a complaint). It returns where 比 and the opinion start and where the
// opinion ends at most, or {-1, -1, -1}, and where the words that reverse
// the opinion start (the 不 of 不比, or 比), -1 if it applies as is; cancel
// is set when 不比 and a point that is this product reverse it twice (不会比
// 这个更好了): the negation before 比 is spent.
func (t *text) betterThan(c clause.Clause, items []item) (cmp [3]int, rev int, cancel bool) {
	none := [3]int{-1, -1, -1}
	for j := c.Start + 1; j+2 < c.End; j++ {
		if t.rs[j] != '比' || strings.ContainsRune(notComparison[0], t.rs[j-1]) || strings.ContainsRune(notComparison[1], t.rs[j+1]) {
			continue
		}
		// the aspect compared stands right before 比, or before degree
		// and filler words (空间都比途观大, 价格也比别家便宜), and 不
		// (质量一点也不比专卖店的差, 价钱也不比外面便宜) negates the
		// opinion
		last := -1
		for i, it := range items {
			if it.end <= j && it.start >= c.Start {
				last = i
			}
		}
		end, negated := j, false
		neg := t.comparisonNegation(c, j)
		if neg > 0 {
			// 不比苹果差 (one word of the segmenter's), 不会比沃尔沃贵,
			// 没比外面便宜: the comparison is negated
			end, negated = j-neg, true
			if last >= 0 && items[last].end > end {
				if !t.m.lex[items[last].lx].neg {
					return none, -1, false
				}
				end = items[last].start // 一点也不|比
				last--
			}
			for _, w := range pointAdverbs { // 并不比, 也不比
				if n := utf8.RuneCountInString(w); end-n > c.Start && string(t.rs[end-n:end]) == w && (last < 0 || items[last].end <= end-n) {
					end -= n
					break
				}
			}
		}
		for ; last >= 0 && items[last].start >= c.Start; last-- {
			l := &t.m.lex[items[last].lx]
			if l.isAspect() || !l.mod || l.neg || !t.gapOK(items[last].end, end) {
				break
			}
			end = items[last].start
		}
		if last < 0 || items[last].start < c.Start || !t.m.lex[items[last].lx].isAspect() || t.m.lex[items[last].lx].implicit >= 0 || !t.gapOK(items[last].end, end) {
			return none, -1, false
		}
		// the ends the opinion may have, most complements trimmed first (好
		// of 好多了, 快 of 快很多), then fewer (多 of 比别家多)
		ends := []int{c.End}
		for end, trimmed := c.End, true; trimmed; {
			trimmed = false
			for _, w := range comparisonComplements {
				if n := utf8.RuneCountInString(w); end-n > j+1 && string(t.rs[end-n:end]) == w {
					end -= n
					ends = append(ends, end)
					trimmed = true
					break
				}
			}
		}
		rev, cancel := -1, false
		switch this := t.thisPoint(j+1, c.End); {
		case negated && this:
			// 不会比这个更好了: reversed twice, the opinion as is, and the
			// negation before 比 spent
			cancel = true
		case negated:
			rev = j - neg
		case this:
			// 别家的价格比这家便宜, 原来用的味道比这个香: the product reviewed
			// is the point, what is compared is another's, and the opinion
			// is the reverse for this one
			rev = j
		}
		for _, end := range slices.Backward(ends) {
			for n := 2; n >= 1; n-- {
				os := end - n
				if point := os - j - 1; point < 1 || point > 8 {
					continue
				}
				inPoint := slices.ContainsFunc(items, func(it item) bool {
					l := &t.m.lex[it.lx]
					return it.start > j && it.end <= os && (l.isAspect() && !t.wholeOnly(l) || l.implicit >= 0 && it.end-it.start > 1)
				})
				if inPoint {
					return none, -1, false // 比平时折扣更多: the point holds what is spoken of
				}
				if _, ok := t.opinionText(string(t.rs[os:end])); ok || t.taxonomyOpinionSpan(os, end) {
					return [3]int{j, os, end}, rev, cancel
				}
			}
		}
		return none, -1, false
	}
	return none, -1, false
}

// wholeOnly reports whether l names only the product or shop as a whole
// (手机, 东西): as the point of a comparison (信号比以前的手机好多了) it is
// what the aspect is compared with, not what is spoken of.
func (t *text) wholeOnly(l *lexeme) bool {
	if t.m.overall == "" || len(l.aspects) == 0 {
		return false
	}
	for _, ai := range l.aspects {
		if t.m.aspects[ai].Category != t.m.overall {
			return false
		}
	}
	return true
}

// comparedOpinion makes sure an opinion item starts at rune os, where a
// comparison's opinion was found inside a word of the segmenter's
// (森林|人大: 大): it inserts the longest opinion term there, ending by end.
func (t *text) comparedOpinion(items []item, os, end int) []item {
	at := len(items)
	for i, it := range items {
		if it.start == os && t.m.lex[it.lx].isOpinion() && it.end <= end {
			return items
		}
		if it.start == os {
			// not the comparison's opinion (差点 of 比现款差点 is no "almost",
			// 好多 of 好多了 no "many"): drop it
			items = slices.Delete(items, i, i+1)
			at = i
			break
		}
		if it.start > os {
			at = i
			break
		}
	}
	best := item{start: -1}
	t.m.dict.Each(t.lower[:end], os, func(e int, v int32) {
		if t.m.lex[v].isOpinion() && e > best.end {
			best = item{os, e, v}
		}
	})
	if best.start < 0 || at > 0 && items[at-1].end > os || at < len(items) && items[at].start < best.end {
		return items
	}
	return slices.Insert(items, at, best)
}

// thisPoints name the product reviewed as a point of comparison (比这个,
// 比这家); 这边, 这几年, 本地, 本田 and 本店 (这个价格比本店其他的便宜) do not.
var thisPoints = []string{"这个", "这款", "这家", "这台", "这部", "这件", "这次", "这只", "这种", "这批", "这一款", "这一家", "这一个"}

// thisPoint reports whether the point of comparison starting at rune i
// (before end) is the product reviewed: one of thisPoints, or a bare 这
// right before the opinion (比这贵).
func (t *text) thisPoint(i, end int) bool {
	for _, w := range thisPoints {
		if hasRunes(t.rs[i:end], w) {
			return true
		}
	}
	if t.rs[i] != '这' {
		return false
	}
	for n := 2; n >= 1; n-- {
		if i+1+n <= end {
			if _, ok := t.opinionText(string(t.rs[i+1 : i+1+n])); ok {
				return true
			}
		}
	}
	return false
}

// pointAdverbs may stand between a topic and a comparison marker.
var pointAdverbs = []string{"还", "都", "也", "真", "可", "并", "确实", "根本", "完全", "明显", "远", "就", "真的"}

// namedPoint finds the opinion after a comparison marker (token k) and a
// named point of comparison (空间没有森林人大, 动力不如思域强): a noun or
// aspect stands before the marker, the opinion is a word of one or two
// runes that ends the clause (endOpinion), and the 2 to 6 runes between
// hold no term of the taxonomy's (no opinion, degree word, negation or
// aspect). It returns the rune where the opinion starts.
func (t *text) namedPoint(c clause.Clause, k, limit int) (int, bool) {
	n := k - 1 // the noun before the marker, past an adverb (空间还没森林人大)
	for n > 0 && t.tokens[n].Start >= c.Start && slices.Contains(pointAdverbs, t.tokens[n].Text) {
		n--
	}
	if n < 0 || t.tokens[n].Start < c.Start || !t.noun(n) {
		return 0, false
	}
	from := t.tokens[k].End
	os, ok := t.endOpinion(c, from)
	if point := os - from; !ok || point < 2 || point > 6 || os > limit {
		return 0, false
	}
	if strings.ContainsRune("让令使叫", t.rs[from]) || slices.ContainsFunc(t.rs[from:os], unicode.IsSpace) || !t.versionPoint(from, os) && slices.ContainsFunc(t.rs[from:os], unicode.IsDigit) {
		return 0, false // 没有让人失望, 还没有吃 看起来不错, 没有120小时: no point of comparison
	}
	for i := from; i < os; {
		// the longest term at i: an aspect may be the point (新版本不如旧版本
		// 好用, 不如小米手机流畅), an opinion or another word of the taxonomy
		// may not
		end, v := 0, int32(-1)
		t.m.dict.Each(t.lower[:os], i, func(e int, lv int32) {
			if e > end {
				end, v = e, lv
			}
		})
		switch {
		case v < 0:
			i++
		case t.m.lex[v].isAspect() && !t.m.lex[v].isOpinion():
			i = end
		default:
			return 0, false
		}
	}
	return os, true
}

// versionPoint reports whether runes [from, to) name a version or an
// engine by its number (2.5, 2.0t, 1.5T的): 动力没有2.5强 compares, 没有
// 120小时 does not.
func (t *text) versionPoint(from, to int) bool {
	rs := t.rs[from:to]
	if len(rs) > 0 && rs[len(rs)-1] == '的' {
		rs = rs[:len(rs)-1]
	}
	i := 0
	for i < len(rs) && (rs[i] >= '0' && rs[i] <= '9' || rs[i] == '.') {
		i++
	}
	if i == 0 || !slices.Contains(rs[:i], '.') {
		return false
	}
	for ; i < len(rs); i++ {
		if !(rs[i] >= 'a' && rs[i] <= 'z' || rs[i] >= 'A' && rs[i] <= 'Z') {
			return false
		}
	}
	return true
}

// endOpinion finds an opinion term of one or two runes that ends clause c
// (before trailing particles), starting after rune from. The segmenter
// often glues a point of comparison to it (森林|人大, 想象|中大), so this
// reads runes, not tokens. It returns the rune where it starts.
func (t *text) endOpinion(c clause.Clause, from int) (int, bool) {
	end := c.End
	for end > from && strings.ContainsRune("了啊呀呢的吧", t.rs[end-1]) {
		end--
	}
	for n := 2; n >= 1; n-- {
		os := end - n
		if os <= from {
			continue
		}
		if _, ok := t.opinionText(string(t.rs[os:end])); ok || t.taxonomyOpinionAt(os) {
			return os, true
		}
	}
	return 0, false
}

// taxonomyOpinionSpan reports whether runes [s, e) are a taxonomy opinion term.
func (t *text) taxonomyOpinionSpan(s, e int) bool {
	found := false
	t.m.dict.Each(t.lower[:e], s, func(end int, v int32) {
		if end == e && t.m.lex[v].isOpinion() {
			found = true
		}
	})
	return found
}

// taxonomyOpinionAt reports whether a taxonomy opinion term starts at rune i.
func (t *text) taxonomyOpinionAt(i int) bool {
	found := false
	t.m.dict.Each(t.lower, i, func(end int, v int32) {
		if t.m.lex[v].isOpinion() {
			found = true
		}
	})
	return found
}

// addAspect makes the aspect term at it the current aspect of the clause
// (or adds it to the current ones after a conjunction). An attribute right
// after another aspect (快递小哥的态度) takes that aspect's category.
func (t *text) addAspect(st *clauseState, it item, l *lexeme, adjacent bool) {
	a := t.m.aspects[l.aspects[0]]
	r := t.newRef()
	*r = aspectRef{start: it.start, end: it.end, category: a.Category, group: a.Group, alts: l.aspects[1:]}
	switch {
	case a.Attr && len(st.group) > 0 && adjacent && t.gapOK(st.group[len(st.group)-1].end, it.start) && st.group[len(st.group)-1].category != t.m.overall:
		// (not after the product or shop as a whole: 这家的服务 is 服务)
		prev := st.group[len(st.group)-1]
		r.start, r.category, r.group, r.alts = prev.start, prev.category, prev.group, prev.alts
		st.group[len(st.group)-1] = r
		prev.merged = true
	case st.conjPending:
		st.group = append(st.group, r)
	default:
		if n := len(st.group); n > 0 {
			if prev := st.group[n-1]; prev.end == it.start && !prev.implied && prev.category != r.category && prev.category != t.m.overall {
				r.juxt = prev
			}
		}
		st.group = []*aspectRef{r}
	}
	st.last = r
	r.asked = st.question || st.hedgeEnd >= 0 && it.start-st.hedgeEnd <= hedgeReach
	t.named = append(t.named, r)
	st.conjPending = false
	st.negStart, st.negs = -1, 0
	st.loose = 0
	st.clean = false
}

// opinion emits the opinion l at it about targets (or, when none fits,
// its implicit point) and reports whether it emitted anything.
func (t *text) opinion(st *clauseState, it item, l *lexeme, targets []*aspectRef) bool {
	neg := st.negs%2 == 1 // 不是不好 is praise
	ostart := it.start
	if st.negStart >= 0 {
		ostart = st.negStart
	}
	hedged := t.hedged(st, ostart)
	emitted := false
	for _, a := range targets {
		op, ok := t.pick(l, a, a == st.carry)
		if !ok {
			continue
		}
		span := [2]int{ostart, it.end}
		term := ""
		if !a.implied {
			span = [2]int{min(a.start, ostart), max(a.end, it.end)}
			term = string(t.rs[a.start:a.end])
		}
		t.emit(op, term, a.category, span, ostart, it.end, neg, hedged || a.denied && a != st.carry)
		a.used = true
		emitted = true
	}
	if emitted || l.implicit < 0 {
		return emitted
	}
	op := t.m.opinions[l.implicit]
	term, inner := "", false
	ts, te := it.start+int(l.termAt), it.start+int(l.termAt)+int(l.termLen)
	switch {
	case l.termLen == 0 || te > it.end:
	case !l.termKnown && !t.nouns(ts, te):
	case l.termAt == 0:
		term = string(t.rs[ts:te]) // 价格实惠, 泡沫丰富
	default:
		inner = true // 不制冷: a noun right before (冰箱不制冷) names it better; see nameInner
	}
	if neg && st.negs == 1 && l.termAt == 0 && l.termLen > 0 && l.termKnown && t.denies(st, it.start) {
		neg, hedged = false, true // 不是物流慢: denied, not praise
	}
	n := len(t.sc.out)
	t.emit(op, term, op.Category, [2]int{ostart, it.end}, ostart, it.end, neg, hedged)
	if inner && len(t.sc.out) > n {
		t.inner = append(t.inner, innerTerm{n, ts, te})
	}
	st.last = t.newRef()
	*st.last = aspectRef{start: ostart, end: it.end, category: op.Category, used: true, implied: true}
	return true
}

// overall emits a generic opinion that attaches to no aspect as one about
// the purchase as a whole (整体).
func (t *text) overall(st *clauseState, it item, l *lexeme, targets []*aspectRef) {
	for _, a := range targets {
		if a != st.carry {
			return // an aspect of this clause it does not fit
		}
	}
	ostart := it.start
	if st.negStart >= 0 {
		ostart = st.negStart
	}
	op, ok := t.genericOf(l)
	negs := 0
	if !ok && it.end-it.start > 1 {
		// 很好 is an opinion of some category (服务 in a pack), but alone
		// it is 很|好, a verdict
		for _, sub := range t.scan(it.start, it.end, it.end-it.start-1, nil) {
			sl := &t.m.lex[sub.lx]
			if sub.end == it.end {
				op, ok = t.genericOf(sl) // the last word (好 of 很好, not of 好多)
				break
			}
			if sl.neg {
				negs++
			} else if !sl.mod {
				return
			}
		}
	}
	if !ok {
		return
	}
	if t.m.overall == "" {
		if ostart > 0 && t.rs[ostart-1] == '就' {
			return // 慢慢开就ok: advice, not a verdict on a topic
		}
		if t.qualifies(it.end) {
			return // 这么棒的车: it judges the noun after it, not a topic before
		}
		t.orphans = append(t.orphans, orphan{op, ostart, it.end, (st.negs+negs)%2 == 1, t.hedged(st, ostart)})
		return
	}
	if t.hedged(st, ostart) {
		return // an uncertain verdict on nothing named says nothing (没问题的话)
	}
	n := len(t.sc.out)
	t.emit(op, "", t.m.overall, [2]int{ostart, it.end}, ostart, it.end, (st.negs+negs)%2 == 1, false)
	if len(t.sc.out) > n {
		t.catchAll = append(t.catchAll, n)
	}
}

// qualifies reports whether 的 and a noun follow rune i: an opinion that
// ends there judges that noun (这么棒的车, 很好的一次体验), not an aspect
// of the clause before.
func (t *text) qualifies(i int) bool {
	e := t.tokenStarting(i)
	if e < 0 || e+1 >= len(t.tokens) || t.tokens[e].Text != "的" {
		return false
	}
	next := t.tokens[e+1]
	if t.noun(e+1) || t.m.generic[strings.ToLower(next.Text)] {
		return true
	}
	// a one-character noun gse tags zg (车)
	if _, known := t.m.index[strings.ToLower(next.Text)]; known || next.POS != "zg" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(next.Text)
	return unicode.Is(unicode.Han, r) && !isParticle(r)
}

// genericOf returns the generic opinion of l, if any.
func (t *text) genericOf(l *lexeme) (lexicons.OpinionTerm, bool) {
	for _, oi := range l.opinions {
		if op := t.m.opinions[oi]; op.Category == lexicons.AnyCategory {
			return op, true
		}
	}
	return lexicons.OpinionTerm{}, false
}

// hedged reports whether the opinion starting at start is uncertain, and
// spends the hedge.
func (t *text) hedged(st *clauseState, start int) bool {
	if st.more {
		return false
	}
	if st.question {
		return true
	}
	if st.hedgeEnd >= 0 && start-st.hedgeEnd <= hedgeReach {
		if w := string(t.rs[st.hedgeEnd:max(start, st.hedgeEnd)]); strings.Contains(w, "原因") || strings.Contains(w, "导致") || strings.Contains(w, "造成") {
			return false // 不知是不是驱动的原因声音较差: only the cause is in doubt
		}
		st.hedgeEnd = -1
		return true
	}
	return t.conditional(st.c, start)
}

// conditional reports whether an opinion at start is the condition of a
// clause that closes it with 的话 (没问题的话就不换了, 不满意的话可以退).
func (t *text) conditional(c clause.Clause, start int) bool {
	return start >= c.Start && start < c.End && strings.Contains(string(t.rs[start:min(c.End, start+conditionReach)]), "的话")
}

// conditionReach is how far after an opinion's start a 的话 makes it a
// condition: 没问题的话, not 不算太省油 … 你要是在市内住的话 of a long clause.
const conditionReach = 8

// managers are the verbs of keeping something in check: 发热控制得不错.
var managers = []string{"控制", "压制", "把控"}

// managed reports whether the implicit opinion items[k] is followed by a
// verb of managing it (控制, 控制得, 控制的) and a judgment of how well
// (发热控制得不错, 发热控制一般, 噪音压制得不好). It returns the judgment's
// item and its polarity (+1 good, -1 bad).
func (t *text) managed(items []item, k, end int) (int, int, bool) {
	i := items[k].end
	if k+1 < len(items) && items[k+1].start == i {
		// the judgment holds the verb (控制得不错 is a term of 拍照)
		nx := items[k+1]
		for _, w := range managers {
			if hasRunes(t.rs[i:nx.end], w) {
				if p := t.polarityOf(&t.m.lex[nx.lx]); p != 0 {
					return k + 1, p, true
				}
			}
		}
	}
	found := false
	for _, w := range managers {
		if hasRunes(t.rs[i:end], w) {
			i += utf8.RuneCountInString(w)
			found = true
			break
		}
	}
	if !found {
		return 0, 0, false
	}
	if i < end && (t.rs[i] == '得' || t.rs[i] == '的') {
		i++
	}
	negs := 0
	for j := k + 1; j < len(items); j++ {
		it := items[j]
		if it.start < i {
			continue
		}
		if !t.gapOK(i, it.start) {
			return 0, 0, false
		}
		l := &t.m.lex[it.lx]
		if p := t.polarityOf(l); p != 0 && !(l.filler() && j+1 < len(items) && t.gapOK(it.end, items[j+1].start)) {
			if negs%2 == 1 {
				return j, -p, true
			}
			return j, p, true
		}
		if !l.filler() {
			return 0, 0, false
		}
		if l.neg {
			negs++
		}
		i = it.end
	}
	return 0, 0, false
}

// polarityOf returns the side of opinion l: its generic opinion's, else
// its first opinion's, else its implicit point's; 0 when it is none.
func (t *text) polarityOf(l *lexeme) int {
	if op, ok := t.genericOf(l); ok {
		return op.Polarity
	}
	if len(l.opinions) > 0 {
		return t.m.opinions[l.opinions[0]].Polarity
	}
	if l.implicit >= 0 {
		return t.m.opinions[l.implicit].Polarity
	}
	return 0
}

// moreSuffixes end a wish for more after its opinion (再大一点, 再快些).
var moreSuffixes = []string{"一点", "一些", "点", "些"}

// wishFrames end a clause that wishes (就好了, 就完美了, 会更好).
var wishFrames = []string{"就好", "就更好", "就太好", "就完美", "就更完美", "就太完美", "会更好", "就可以", "就行", "就ok"}

// moreWishes finds the wishes for more in clause c: 再 (and a softener:
// 再稍微), or 更 after a modal (应该更), right before an opinion term that 一点/些 ends or follows (能再便宜
// 点就好了, 屏幕还可以再大些, 分量再多一些), or, after a modal's 更, that
// a wish frame closes (要是能更长就好了, 包装可以做得更好就完美了). Such a wish says the aspect falls
// short. It returns, per wish, the start of 再 and the opinion's start;
// items gains the opinion when the segmenter glued it to its neighbours
// (再大|一点, 大些).
func (t *text) moreWishes(c clause.Clause, items []item) ([][2]int, []item) {
	var out [][2]int
	for j := c.Start; j+1 < c.End; j++ {
		if t.rs[j] != '再' && !(t.rs[j] == '更' && t.modalBefore(c, j)) {
			continue
		}
		os := j + 1
		for _, soft := range []string{"稍微", "稍稍", "略微"} {
			if hasRunes(t.rs[os:c.End], soft) {
				os += utf8.RuneCountInString(soft)
				break
			}
		}
		best := -1
		t.m.dict.Each(t.lower[:c.End], os, func(e int, v int32) {
			if t.m.lex[v].isOpinion() && e > best {
				best = e
			}
		})
		if best < 0 {
			continue
		}
		term := string(t.rs[os:best])
		// with no 一点/些: a wish frame right after the opinion (要是能更长
		// 就好了; 可以更省电 may say what a mode does, 应该更低 only guess)
		wish := t.rs[j] == '更' && t.wishFrame(c) == best
		for _, w := range moreSuffixes {
			wish = wish || strings.HasSuffix(term, w) && len(term) > len(w) || hasRunes(t.rs[best:c.End], w)
		}
		if wish {
			out = append(out, [2]int{j, os})
			items = t.comparedOpinion(items, os, best)
		}
	}
	return out, items
}

// modals before 更 make it a wish for more (应该更亮一点, 可以更大些), not a
// comparison (比上一代更亮一点).
var modals = []string{"应该", "应", "可以", "能", "希望"}

// modalBefore reports whether a modal ends right before rune j of clause
// c, or before a verb of making (可以做得更好). 不能更棒 and 可能更好吃 hold
// none.
func (t *text) modalBefore(c clause.Clause, j int) bool {
	for _, v := range []string{"做得", "做的", "弄得", "变得", "做"} {
		if n := utf8.RuneCountInString(v); j-n >= c.Start && hasRunes(t.rs[j-n:j], v) {
			j -= n
			break
		}
	}
	for _, m := range modals {
		if n := utf8.RuneCountInString(m); j-n >= c.Start && hasRunes(t.rs[j-n:j], m) {
			// not 不能更, 可能更, 性能更好一些
			return j-n == c.Start || !strings.ContainsRune("不可没性功才智体技", t.rs[j-n-1])
		}
	}
	return false
}

// wishFrame returns where the frame of a wish that ends clause c starts
// (就好了 of 再便宜点就好了), or -1.
func (t *text) wishFrame(c clause.Clause) int {
	text := []rune(strings.TrimRight(c.Text, "了啦吧呀啊哦!！~～"))
	for _, w := range wishFrames {
		if n := utf8.RuneCountInString(w); len(text) >= n && string(text[len(text)-n:]) == w {
			return c.Start + len(text) - n
		}
	}
	return -1
}

// beforeVerb reports whether 好, 不好, 快, 难 or 慢 is followed right away
// by a verb it qualifies (easy to, hard to, about to): 不好扣上, 好找,
// 快到了 say nothing about quality or speed. 容易 before any verb says how
// easily something happens (容易死机), not how easy it is to use.
func (t *text) beforeVerb(it item, l *lexeme) bool {
	if it.end >= len(t.rs) {
		return false
	}
	switch l.term {
	case "容易", "很容易", "易", "不容易", "不易":
		// 系统容易死机, 外壳容易磨花: how easily something happens is no
		// ease of use; the verb after it (a term or not) judges
		k := t.tokAt[it.end]
		return k >= 0 && t.tokens[k].Start == it.end && t.verb(int(k))
	}
	if l.implicit >= 0 {
		return false
	}
	switch l.term {
	case "好", "不好", "快", "难", "慢":
	default:
		return false
	}
	return t.freeVerbAt(it.end, false) >= 0
}

// opinionHere reports whether items[k], both an aspect and an opinion term
// (优惠, 赠送), acts as the opinion: after a negation or degree word, or
// when it fits the aspect before it.
func (t *text) opinionHere(st *clauseState, items []item, k int, adjacent bool) bool {
	if st.negStart >= 0 && adjacent {
		return true
	}
	if k > 0 && adjacent && t.m.lex[items[k-1].lx].mod {
		return true
	}
	return len(st.group) > 0 && t.fits(&t.m.lex[items[k].lx], st.group[len(st.group)-1])
}

// leadsToOpinion reports whether items start with degree words or
// negations followed by an opinion (很|好, 不|慢, 好|快). An opinion that
// starts with an aspect term (物流快) follows no degree word (包装好|物流快),
// but a negation denies it (neg: the word before items is one): 快递没有|送货上门.
func (t *text) leadsToOpinion(items []item, neg bool) bool {
	for k, it := range items {
		l := &t.m.lex[it.lx]
		if k > 0 && !t.gapOK(items[k-1].end, it.start) {
			return false
		}
		if l.isOpinion() {
			return !l.aspectLead || neg
		}
		if !l.filler() {
			return false
		}
	}
	return false
}

// juxtaposed returns group with the aspects named right before its first
// one, nothing between (价格质量都不错, 外观内饰都很满意), in text order.
func (t *text) juxtaposed(group []*aspectRef) []*aspectRef {
	var before []*aspectRef
	for a := group[0].juxt; a != nil && len(before) < maxListed; a = a.juxt {
		before = append(before, a)
	}
	slices.Reverse(before)
	return slices.Concat(before, group)
}

// maxListed bounds the bare clauses an opinion after 都 takes.
const maxListed = 6

// allWords gather the aspects listed before them under one opinion
// (价格，质量都不错).
const allWords = "都均全"

// all reports whether runes [s, e) between an aspect and its opinion hold
// a word of allWords.
func (t *text) all(s, e int) bool {
	return slices.ContainsFunc(t.rs[s:e], func(r rune) bool { return strings.ContainsRune(allWords, r) })
}

// topicMarkers introduce the topic of what follows (对于屏幕，我很满意);
// determiners may stand before it (对于这次的物流，…).
var (
	topicMarkers = []string{"对于", "关于", "至于", "对"}
	determiners  = []string{"这次的", "这个", "这次", "这款", "这种", "这家的", "该", "此"}
)

// bare reports whether clause c holds nothing but aspect terms (快递，…),
// maybe after a topic marker (对于屏幕，…): such an aspect takes even a
// generic opinion from the next clause.
func (t *text) bare(c clause.Clause, items []item) bool {
	limit := c.End // a prefix ends before the first term
	if len(items) > 0 {
		limit = items[0].start
	}
	i := t.skipPrefix(c.Start, limit, topicMarkers)
	i = t.skipPrefix(i, limit, determiners)
	asks := c.End < len(t.rs) && (t.rs[c.End] == '？' || t.rs[c.End] == '?')
	for _, it := range items {
		if it.end <= i {
			continue // inside the words of asking skipped below
		}
		if t.looseRunes(i, it.start) > 0 {
			return false
		}
		l := &t.m.lex[it.lx]
		if !l.isAspect() && !l.conj {
			if j := t.skipPrefix(it.start, c.End, howAsked); asks && j > it.start {
				i = j
				continue
			}
			return false
		}
		i = it.end
	}
	if asks {
		i = t.skipPrefix(i, c.End, howAsked)
	}
	return t.looseRunes(i, c.End) == 0
}

// howAsked are the words that ask how an aspect is before a question mark
// (质量怎么样？还可以): the answer after it judges the aspect as after a bare
// one.
var howAsked = []string{"怎么样", "咋样", "怎样", "如何", "好不好", "行不行"}

// skipPrefix returns the rune after the first of words that starts at rune
// i and ends by limit, or i when none does.
func (t *text) skipPrefix(i, limit int, words []string) int {
	for _, w := range words {
		if n := utf8.RuneCountInString(w); i+n <= limit && hasRunes(t.rs[i:], w) {
			return i + n
		}
	}
	return i
}

// holds reports whether a term longer than runes [s, e) covers them (爱理不理
// holds 理不理).
func (t *text) holds(s, e int) bool {
	found := false
	for i := max(s-4, 0); i <= s && !found; i++ {
		t.m.dict.Each(t.lower, i, func(end int, v int32) {
			if end >= e && end-i > e-s {
				found = true
			}
		})
	}
	return found
}

// rhetoricals open a question that asserts what follows: 这不是质量问题吗
// complains of quality, 这不就是坑人么 of being cheated.
var rhetoricals = []string{"不就是", "不也是", "不都是", "不正是", "不是"}

// rhetoric returns where the negation of a rhetorical question starts in
// clause c, or -1: a 不是 (不就是, 不也是) that a negation item of items
// starts and an opinion follows, in a clause ending in 吗 or 么 (嘛 after
// 不就是 and the like only) that asks nothing else. 是不是 asks, 不是说好的
// …吗 reproaches a broken promise, 不是一般的 is an intensifier, and a
// phrase that holds the negation (不是正品) keeps its own reading.
func (t *text) rhetoric(c clause.Clause, items []item) int {
	if c.End-c.Start < 4 || !strings.ContainsRune("吗么嘛", t.rs[c.End-1]) {
		return -1
	}
	statement := t.rs[c.End-1] == '嘛' // 这个价格不是很贵嘛: mostly a statement after a bare 不是
	for _, w := range []string{"什么", "怎么", "哪", "啥", "谁", "多少", "几", "是否", "有没有", "会不会", "能不能"} {
		if strings.Contains(c.Text, w) {
			return -1
		}
	}
	for i := c.Start; i < c.End-1; i++ {
		for _, w := range rhetoricals {
			n := utf8.RuneCountInString(w)
			if !hasRunes(t.rs[i:c.End], w) || i+n >= c.End-1 || t.rs[i+n] == '说' || i > c.Start && t.rs[i-1] == '是' {
				continue
			}
			if w == "不是" && (statement || hasRunes(t.rs[i+n:c.End], "一般")) {
				return -1 // 不是一般的好 is "remarkably good"
			}
			if !slices.ContainsFunc(items, func(it item) bool { return it.start == i && t.m.lex[it.lx].neg && !t.m.lex[it.lx].isOpinion() }) {
				return -1
			}
			// it asserts a judgment (坑人, 质量问题), not a fact that was
			// promised (三鲜饺子里不是虾仁吗)
			if slices.ContainsFunc(items, func(it item) bool {
				l := &t.m.lex[it.lx]
				return it.start >= i+n && (l.isOpinion() || l.implicit >= 0)
			}) {
				return i
			}
			return -1
		}
	}
	return -1
}

// question reports whether clause c asks or wishes rather than asserts
// (物流快吗, 是正品吗?, 再便宜点就好了): its opinions are neutral.
func (t *text) question(c clause.Clause) bool {
	switch t.rs[c.End-1] {
	case '吗', '么':
		return true
	}
	if t.confirmed(c.End) {
		return true // 价格比成都便宜，是这样吗？
	}
	// A-not-A that ends the clause asks (油耗高不高, 物流快不快呀, 好不好用):
	// dropAnotA drops its opinion, the topic it asks about is asked
	for j := max(c.Start+1, c.End-5); j+1 < c.End; j++ {
		if t.anotA(j) && unicode.Is(unicode.Han, t.rs[j-1]) && !t.holds(j-1, j+2) {
			return true
		}
	}
	// a wish: 有活动就更好了, 能再便宜点就好了
	if t.wishFrame(c) >= 0 {
		return true
	}
	if c.End < len(t.rs) && (t.rs[c.End] == '?' || t.rs[c.End] == '？') {
		// V没有? and V了没? ask whether it happened (发货没有？); 嘛? asks
		// (价格会低嘛？)
		if q := strings.TrimRight(c.Text, "呢呀啊"); strings.HasSuffix(q, "没有") || strings.HasSuffix(q, "了没") || strings.HasSuffix(c.Text, "嘛") {
			return true
		}
		// why does it (为什么老是死机？, 怎么还没发货？) complains, it does
		// not ask
		for _, w := range []string{"为什么", "为何", "怎么会", "怎么老", "怎么总", "怎么又", "怎么还", "怎么这么", "怎么那么"} {
			if strings.Contains(c.Text, w) {
				return false
			}
		}
		for _, w := range []string{"什么", "怎么", "是否", "多少", "哪", "啥", "为何", "为什么", "难道", "还是", "是不是", "有没有", "会不会", "能不能", "要不要", "几"} {
			if strings.Contains(c.Text, w) {
				return true
			}
		}
	}
	return false
}

// fitsAny reports whether l has an opinion for one of targets.
func (t *text) fitsAny(l *lexeme, targets []*aspectRef) bool {
	for _, a := range targets {
		if t.fits(l, a) {
			return true
		}
	}
	return false
}

// fits reports whether l has an opinion for aspect a.
func (t *text) fits(l *lexeme, a *aspectRef) bool {
	_, ok := t.pick(l, a, false)
	return ok
}

// subFits reports whether the items found inside a longer term hold an
// aspect or an opinion that fits one of targets. When generic is false
// the opinion must be one of the target's category: 好假 is 真伪 even
// after 盒子, although 好 alone would fit any aspect.
func (t *text) subFits(sub []item, targets []*aspectRef, generic bool) bool {
	for _, it := range sub {
		l := &t.m.lex[it.lx]
		if l.isAspect() {
			return true
		}
		for _, a := range targets {
			if op, ok := t.pick(l, a, false); ok && (generic || op.Category != lexicons.AnyCategory) {
				return true
			}
		}
	}
	return false
}

// subImplicit reports whether the items found inside a longer term hold an
// implicit opinion.
func (t *text) subImplicit(sub []item) bool {
	for _, it := range sub {
		if t.m.lex[it.lx].implicit >= 0 {
			return true
		}
	}
	return false
}

// pick chooses the opinion of l that applies to aspect a: one of a's
// category and group, else one of its category, else a generic one. A
// carried aspect (from the clause before) takes generic opinions only when
// its clause was bare and it has none yet. A term whose implicit point is
// of another category (次品 is about quality) is not generic for a.
func (t *text) pick(l *lexeme, a *aspectRef, carried bool) (lexicons.OpinionTerm, bool) {
	op, score := t.pickIn(l, a.category, a.group, a, carried)
	for _, ai := range a.alts {
		alt := t.m.aspects[ai]
		if o, s := t.pickIn(l, alt.Category, alt.Group, a, carried); s > score && s >= 3 {
			// 味道很好吃: 味道 is about food, not smell
			op, score = o, s
			a.category, a.group, a.alts = alt.Category, alt.Group, nil
		}
	}
	return op, score > 0
}

// pickIn scores the opinions of l for an aspect of category cat and group:
// 4 for one of the group, 3 of the category, 2 generic, 1 of another group
// of the category; 0 when none applies.
func (t *text) pickIn(l *lexeme, cat, group string, a *aspectRef, carried bool) (lexicons.OpinionTerm, int) {
	var best lexicons.OpinionTerm
	score := 0
	generic := !carried || a.bare && !a.used
	if l.implicit >= 0 && t.m.opinions[l.implicit].Category != cat {
		generic = false
	}
	consider := func(op lexicons.OpinionTerm) {
		s := 0
		switch {
		case op.Category == cat && op.Group != "" && op.Group == group:
			s = 4
		case op.Category == cat && op.Group == "":
			s = 3
		case op.Category == lexicons.AnyCategory && generic:
			s = 2
		case op.Category == cat && group == "" && !carried:
			s = 1 // 快递很负责: 快递 may be the courier
		}
		if s > score {
			best, score = op, s
		}
	}
	for _, oi := range l.opinions {
		consider(t.m.opinions[oi])
	}
	if l.implicit >= 0 && t.m.opinions[l.implicit].Category == cat {
		consider(t.m.opinions[l.implicit])
	}
	return best, score
}

// emit appends the aspect for opinion op about an aspect of category cat
// (op's own category unless op is generic).
func (t *text) emit(op lexicons.OpinionTerm, term, cat string, span [2]int, ostart, oend int, neg, hedged bool) {
	point, pol := op.Point, op.Polarity
	if neg {
		pol = -pol
		point = op.Opposite
		if strings.HasPrefix(point, lexicons.AnyCategory+"/") {
			point = ""
		}
	}
	if op.Category == lexicons.AnyCategory || point == "" {
		c, ok := t.m.cats[cat]
		if !ok {
			return
		}
		if pol > 0 {
			point = c.PraisePoint()
		} else {
			point = c.PainPoint()
		}
	}
	category, sub, _ := strings.Cut(point, "/")
	polarity := nlp.Positive
	switch {
	case hedged:
		polarity = nlp.Neutral
	case pol < 0:
		polarity = nlp.Negative
	}
	if t.seenEmit(category, sub, span) {
		return
	}
	t.sc.out = append(t.sc.out, nlp.Aspect{
		Category:    category,
		Subcategory: sub,
		Aspect:      term,
		Opinion:     string(t.rs[ostart:oend]),
		Polarity:    polarity,
		Span:        span,
	})
}

// contextualReach is how far (in runes) a topic may stand from a bare
// shared attribute to tell its category.
const contextualReach = 30

// contextual re-files what is said of a bare attribute that several
// categories share (速度: 物流 in reviews, 性能 of a device) to the one of
// those categories whose topic is named nearest to it within
// contextualReach, in its sentence first (收到了，速度很快，两天就到了 and
// 上午就到了！速度真快！ are delivery; 速度很快，系统流畅 is the device's). With
// no such topic it keeps its reading.
func (t *text) contextual() {
	if len(t.m.attrCats) == 0 || !slices.ContainsFunc(t.sc.out, func(o nlp.Aspect) bool { return t.m.attrCats[strings.ToLower(o.Aspect)] != nil }) {
		return
	}
	// the topics of the categories that share attributes, in text order
	type topic struct {
		at        int
		cat, term string
	}
	var topics []topic
	for _, p := range t.sc.out {
		if t.m.attrShared[p.Category] {
			topics = append(topics, topic{p.Span[0], p.Category, strings.ToLower(p.Aspect)})
		}
	}
	for _, r := range t.named {
		if t.m.attrShared[r.category] {
			topics = append(topics, topic{r.start, r.category, strings.ToLower(string(t.rs[r.start:r.end]))})
		}
	}
	slices.SortFunc(topics, func(a, b topic) int { return a.at - b.at })
	sent := t.sentences()
	for i := range t.sc.out {
		o := &t.sc.out[i]
		term := strings.ToLower(o.Aspect)
		cats := t.m.attrCats[term]
		at := o.Span[0]
		if len(cats) == 0 || !slices.Contains(cats, o.Category) || at < 0 || at >= len(sent) {
			continue
		}
		best, bd := "", 1<<30
		k, _ := slices.BinarySearchFunc(topics, at-contextualReach, func(x topic, v int) int { return x.at - v })
		for ; k < len(topics) && topics[k].at <= at+contextualReach; k++ {
			x := topics[k]
			if x.term == term || x.at < 0 || x.at >= len(sent) || !slices.Contains(cats, x.cat) {
				continue
			}
			d := max(x.at-at, at-x.at)
			if sent[x.at] != sent[at] {
				d += 2 * contextualReach // its own sentence's topics first
			}
			if d < bd {
				best, bd = x.cat, d
			}
		}
		if best == "" || best == o.Category {
			continue
		}
		o.Category = best
		if o.Subcategory != "" {
			o.Subcategory, o.Polarity = t.pointIn(best, strings.TrimPrefix(strings.ToLower(o.Opinion), term), o.Polarity)
		}
	}
}

// sentences returns the index of the sentence each rune is in (see
// sentenceEnd).
func (t *text) sentences() []int32 {
	out := make([]int32, len(t.rs))
	k := int32(0)
	for i := range t.rs {
		out[i] = k
		if t.endsSentence(i) {
			k++
		}
	}
	return out
}

// pointIn returns the point in category cat that the opinion words rest
// (很快, 太慢了) say, trying shorter endings of rest (快 of 很快): its name
// and polarity, the one of polarity pol first; one of the other polarity
// says pol was a generic word's (速度惊人 is fast delivery, though 惊人 is a
// generic complaint). An ending after a negation (不快, 没有想象的快) is not
// tried. With none, the category's generic praise or pain point of
// polarity pol.
func (t *text) pointIn(cat, rest, pol string) (string, string) {
	want := 1
	if pol == nlp.Negative {
		want = -1
	}
	other := ""
	for r := []rune(rest); len(r) > 0; r = r[1:] {
		if strings.ContainsRune("不没无非未别", r[0]) {
			break
		}
		li, ok := t.m.index[string(r)]
		if !ok {
			continue
		}
		for _, oi := range t.m.lex[li].opinions {
			op := t.m.opinions[oi]
			if op.Category != cat {
				continue
			}
			_, name, _ := strings.Cut(op.Point, "/")
			if op.Polarity == want {
				return name, pol
			}
			if other == "" {
				other = name
			}
		}
	}
	if other != "" {
		if pol == nlp.Negative {
			return other, nlp.Positive
		}
		return other, nlp.Negative
	}
	return side(t.m.cats[cat], pol == nlp.Positive), pol
}
