// Package aspect finds aspect-level opinions — pain points (痛点) and praise
// points — in normalized, PII-masked text, using the pain-point taxonomy of
// the lexicons.
//
// Within each clause the Matcher looks up aspect terms (快递, 包装, 客服),
// opinion terms (慢, 破损, 热情), implicit opinions that name their own
// category (三天才到, 漏液, 正品), and the words around them: negations
// (不慢 → the opposite point), degree and filler words (很, 也, 都),
// hedges (希望… makes the mention neutral) and conjunctions (物流和包装都很
// 好 → two aspects). An opinion with no aspect in its clause takes the
// aspect of the clause before (快递，太慢了) when it fits that aspect's
// category; a generic opinion (好, 差) takes the category of its aspect.
package aspect

import (
	"fmt"
	"slices"
	"strings"
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
	aspects  []lexicons.AspectTerm
	opinions []lexicons.OpinionTerm
	cats     map[string]lexicons.Category
	overall  string // category of generic opinions with no aspect ("整体")
}

// lexeme is everything one surface string can be. A string may play several
// roles (好 is a degree word and an opinion; 没有 a negation and an opinion
// about gifts); the context decides.
type lexeme struct {
	term     string
	aspects  []int32 // into Matcher.aspects
	opinions []int32 // into Matcher.opinions: explicit opinions, need an aspect
	implicit int32   // into Matcher.opinions, -1 if none
	mod      bool
	neg      bool
	hedge    bool
	conj     bool
	ascii    bool // an ASCII term must be a whole token
}

func (l *lexeme) isOpinion() bool { return len(l.opinions) > 0 || l.implicit >= 0 }

// overallCategory receives generic opinions that attach to no aspect.
const overallCategory = "整体"

// New builds a Matcher from the taxonomy.
func New(tax *lexicons.Taxonomy) (*Matcher, error) {
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
	index := map[string]int32{}
	get := func(term string) *lexeme {
		term = strings.ReplaceAll(strings.ToLower(term), strings.ToLower(lexicons.NumberPattern), lexicons.NumberPattern)
		i, ok := index[term]
		if !ok {
			i = int32(len(m.lex))
			index[term] = i
			m.lex = append(m.lex, lexeme{term: term, implicit: -1, ascii: isASCII(term)})
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
	return m, nil
}

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

// particles may trail a term inside a token (太慢了, 好的) or stand between
// items without breaking their link.
func isParticle(r rune) bool {
	switch r {
	case '了', '的', '啦', '啊', '呀', '哦', '哈', '滴', '得', '地', '嘛', '噢', '喔', '耶', '呢', '吧', '哇', ' ':
		return true
	}
	return false
}

// text holds the per-call state of Match.
type text struct {
	m      *Matcher
	rs     []rune
	lower  []rune // rs with ASCII letters lowercased
	tokAt  []int32
	tokens []segment.Token
	out    []nlp.Aspect
}

// Match returns the aspects found, in text order. tokens are
// segment.Segmenter.Cut(text) and clauses are clause.Split(text, markers),
// both with rune offsets. Span is rune offsets into text covering the
// aspect term (if any) and the opinion.
func (m *Matcher) Match(s string, tokens []segment.Token, clauses []clause.Clause) []nlp.Aspect {
	if s == "" || len(clauses) == 0 {
		return nil
	}
	rs := []rune(s)
	t := &text{m: m, rs: rs, tokens: tokens}
	t.lower = rs
	for i, r := range rs {
		if r >= 'A' && r <= 'Z' {
			if &t.lower[0] == &rs[0] {
				t.lower = slices.Clone(rs)
			}
			t.lower[i] = r + 'a' - 'A'
		}
	}
	t.tokAt = make([]int32, len(rs))
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
	for _, c := range clauses {
		if c.Start < 0 || c.End > len(rs) || c.Start >= c.End {
			continue
		}
		items := t.scan(c.Start, c.End, 0)
		last := t.clause(c, items, carry)
		if last != nil {
			carry, since = last, 0
		} else if since++; since > 2 {
			carry = nil
		}
	}
	return t.out
}

// scan finds the lexemes of rs[from:to], longest valid match first, each
// at most maxLen runes (0: any).
func (t *text) scan(from, to, maxLen int) []item {
	var items []item
	rs := t.lower[:to]
	for i := from; i < to; {
		best, bv := -1, int32(0)
		t.m.dict.Each(rs, i, func(end int, v int32) {
			if end <= best || maxLen > 0 && end-i > maxLen {
				return
			}
			l := &t.m.lex[v]
			if t.valid(i, end, l) {
				best, bv = end, v
			}
		})
		if best > i {
			items = append(items, item{i, best, bv})
			i = best
			continue
		}
		i++
	}
	return items
}

// valid reports whether the term at [s, e) fits the segmentation: it must
// not cut a word in two (好像, 价值, 依旧), except where the rest of the
// word is a degree word, negation or particle (太慢了, 很好, 不慢).
func (t *text) valid(s, e int, l *lexeme) bool {
	ts, te := t.tokenBounds(s), t.tokenBounds(e-1)
	if l.ascii {
		return ts[0] == s && te[1] == e
	}
	startOK := ts[0] == s || t.affix(ts[0], s)
	endOK := te[1] == e || t.suffix(e, te[1])
	if e-s >= 2 {
		return startOK || endOK
	}
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

// affix reports whether rs[s:e] (the start of a token before a term) is a
// degree word or negation.
func (t *text) affix(s, e int) bool {
	for s < e {
		end, v, ok := t.m.dict.Longest(t.lower[:e], s)
		if ok && end == e {
			l := &t.m.lex[v]
			return l.mod || l.neg
		}
		if ok && (t.m.lex[v].mod || t.m.lex[v].neg) {
			s = end
			continue
		}
		return false
	}
	return true
}

// suffix reports whether rs[s:e] (the end of a token after a term) is made
// of particles or starts another term.
func (t *text) suffix(s, e int) bool {
	allParticles := true
	for i := s; i < e; i++ {
		if !isParticle(t.rs[i]) {
			allParticles = false
			break
		}
	}
	if allParticles {
		return true
	}
	_, _, ok := t.m.dict.Longest(t.lower[:e], s)
	return ok
}

// aspectRef is an aspect term found in a clause, resolved to its category.
type aspectRef struct {
	term       string
	start, end int
	category   string
	group      string
	used       bool // an opinion attached to it
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

// clause matches one clause and returns the last aspect it named (nil if
// none), for the next clause's opinions.
func (t *text) clause(c clause.Clause, items []item, carry *aspectRef) *aspectRef {
	m := t.m
	var group []*aspectRef // current aspects (several when joined by conjunctions)
	var last *aspectRef
	negStart, negs := -1, 0 // start and count of pending negations
	hedged := t.question(c)
	conjPending := false
	prevEnd := c.Start
	for k := 0; k < len(items); k++ {
		it := items[k]
		l := &m.lex[it.lx]
		adjacent := t.gapOK(prevEnd, it.start)
		if !adjacent {
			negStart, negs = -1, 0
			conjPending = false
		}
		next := -1 // next item if adjacent
		if k+1 < len(items) && t.gapOK(it.end, items[k+1].start) {
			next = k + 1
		}
		nextOpinion := next >= 0 && t.leadsToOpinion(items[next:])
		prevEnd = it.end
		switch {
		case l.hedge && !l.isOpinion() && len(l.aspects) == 0:
			hedged = true
			continue
		case l.conj && len(l.aspects) == 0 && !l.isOpinion():
			if len(group) > 0 && adjacent {
				conjPending = true
			}
			continue
		case len(l.aspects) > 0 && !(l.isOpinion() && t.opinionHere(items, k, negStart >= 0, adjacent, group)):
			a := t.resolveAspect(it, l, group, adjacent)
			if conjPending {
				group = append(group, &a.aspectRef)
			} else if a.attrOf {
				group[len(group)-1] = &a.aspectRef
			} else {
				group = []*aspectRef{&a.aspectRef}
			}
			last = group[len(group)-1]
			conjPending = false
			negStart, negs = -1, 0
			continue
		case l.neg && (nextOpinion || !l.isOpinion()):
			if negStart < 0 {
				negStart = it.start
			}
			negs++
			continue
		case l.mod && (nextOpinion || !l.isOpinion()):
			continue
		}
		if !l.isOpinion() {
			continue
		}
		// an opinion
		var targets []*aspectRef
		switch {
		case len(group) > 0:
			targets = group
		case next >= 0 && len(m.lex[items[next].lx].aspects) > 0 && !m.lex[items[next].lx].isOpinion():
			// 很好的包装, 超快的物流: the aspect follows
			nl := &m.lex[items[next].lx]
			a := t.resolveAspect(items[next], nl, nil, false)
			targets = []*aspectRef{&a.aspectRef}
			group = targets
			last = targets[0]
			k = next
			prevEnd = items[next].end
		case carry != nil:
			targets = []*aspectRef{carry}
		}
		if len(targets) > 0 && it.end-it.start > 1 && !t.fitsAny(l, targets) {
			// 很快 is a term of 服务 but 物流很快 means 很|快: look inside
			if sub := t.scan(it.start, it.end, it.end-it.start-1); t.subFits(sub, targets) {
				items = slices.Concat(items[:k], sub, items[k+1:])
				prevEnd = it.start
				k--
				continue
			}
		}
		neg := negs%2 == 1 // 不是不好 is praise
		ostart := it.start
		if negStart >= 0 {
			ostart = negStart
		}
		negStart, negs = -1, 0
		emitted := false
		for _, a := range targets {
			op, ok := t.pick(l, a, a == carry)
			if !ok {
				continue
			}
			span := [2]int{min(a.start, ostart), max(a.end, it.end)}
			t.emit(op, a.term, a.category, span, ostart, it.end, neg, hedged)
			a.used = true
			emitted = true
		}
		if emitted {
			continue
		}
		if l.implicit >= 0 {
			op := m.opinions[l.implicit]
			t.emit(op, "", op.Category, [2]int{ostart, it.end}, ostart, it.end, neg, hedged)
			continue
		}
		if len(targets) == 0 && m.overall != "" {
			for _, oi := range l.opinions {
				if op := m.opinions[oi]; op.Category == lexicons.AnyCategory {
					t.emit(op, "", m.overall, [2]int{ostart, it.end}, ostart, it.end, neg, hedged)
					break
				}
			}
		}
	}
	return last
}

// opinionHere reports whether items[k], both an aspect and an opinion term
// (优惠, 赠送), acts as the opinion: after a negation or degree word, or
// when it fits the aspect before it.
func (t *text) opinionHere(items []item, k int, negated, adjacent bool, group []*aspectRef) bool {
	if negated {
		return true
	}
	if k > 0 && adjacent && t.m.lex[items[k-1].lx].mod {
		return true
	}
	return len(group) > 0 && t.fits(&t.m.lex[items[k].lx], group[len(group)-1])
}

// leadsToOpinion reports whether items start with degree words or
// negations followed by an opinion (很|好, 不|慢, 好|快).
func (t *text) leadsToOpinion(items []item) bool {
	for k, it := range items {
		l := &t.m.lex[it.lx]
		if k > 0 && !t.gapOK(items[k-1].end, it.start) {
			return false
		}
		if l.isOpinion() {
			return true
		}
		if !l.mod && !l.neg {
			return false
		}
	}
	return false
}

// fitsAny reports whether l has an opinion for one of targets.
func (t *text) fitsAny(l *lexeme, targets []*aspectRef) bool {
	for _, a := range targets {
		if _, ok := t.pick(l, a, false); ok {
			return true
		}
	}
	return false
}

// subFits reports whether the items found inside a longer term hold an
// aspect or an opinion that fits one of targets.
func (t *text) subFits(sub []item, targets []*aspectRef) bool {
	for _, it := range sub {
		l := &t.m.lex[it.lx]
		if len(l.aspects) > 0 || t.fitsAny(l, targets) {
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

type resolved struct {
	aspectRef
	attrOf bool // an attribute (态度) of the aspect before it
}

// resolveAspect resolves the aspect term at it: an attribute right after
// another aspect (快递小哥的态度) takes that aspect's category.
func (t *text) resolveAspect(it item, l *lexeme, group []*aspectRef, adjacent bool) resolved {
	a := t.m.aspects[l.aspects[0]]
	r := resolved{aspectRef: aspectRef{term: string(t.rs[it.start:it.end]), start: it.start, end: it.end, category: a.Category, group: a.Group}}
	if a.Attr && len(group) > 0 && adjacent {
		prev := group[len(group)-1]
		if t.gapOK(prev.end, it.start) {
			r.attrOf = true
			r.term = string(t.rs[prev.start:it.end])
			r.start = prev.start
			r.category, r.group = prev.category, prev.group
		}
	}
	return r
}

// pick chooses the opinion of l that applies to aspect a: one of a's
// category (and group, if the opinion names one), else a generic one. A
// carried aspect (from the clause before) takes only category opinions,
// or generic ones while it has none yet.
func (t *text) pick(l *lexeme, a *aspectRef, carried bool) (lexicons.OpinionTerm, bool) {
	var best lexicons.OpinionTerm
	score := 0
	consider := func(op lexicons.OpinionTerm) {
		s := 0
		switch {
		case op.Category == a.category && op.Group != "" && op.Group == a.group:
			s = 4
		case op.Category == a.category && op.Group == "":
			s = 3
		case op.Category == lexicons.AnyCategory && !(carried && a.used):
			s = 1
		}
		if s > score {
			best, score = op, s
		}
	}
	for _, oi := range l.opinions {
		consider(t.m.opinions[oi])
	}
	if l.implicit >= 0 && t.m.opinions[l.implicit].Category == a.category {
		consider(t.m.opinions[l.implicit])
	}
	return best, score > 0
}

// question reports whether clause c is a question (物流快吗?), whose
// opinions are not asserted.
func (t *text) question(c clause.Clause) bool {
	if c.End < len(t.rs) {
		if r := t.rs[c.End]; r == '?' || r == '？' {
			return true
		}
	}
	switch t.rs[c.End-1] {
	case '吗':
		return true
	}
	return false
}

// emit appends the aspect for opinion op about an aspect of category cat
// (op's own category unless op is generic).
func (t *text) emit(op lexicons.OpinionTerm, term, cat string, span [2]int, ostart, oend int, neg, hedged bool) {
	point, pol := op.Point, op.Polarity
	if neg {
		pol = -pol
		point = op.Opposite
		if point == "" || strings.HasPrefix(point, lexicons.AnyCategory+"/") {
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
	for _, o := range t.out {
		if o.Category == category && o.Subcategory == sub && o.Span == span {
			return
		}
	}
	t.out = append(t.out, nlp.Aspect{
		Category:    category,
		Subcategory: sub,
		Aspect:      term,
		Opinion:     string(t.rs[ostart:oend]),
		Polarity:    polarity,
		Span:        span,
	})
}
