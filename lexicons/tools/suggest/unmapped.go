package suggest

import (
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/segment"
)

// TermCount is a term with a count (texts of a variant, occurrences of an
// opinion word).
type TermCount struct {
	Term  string `json:"term"`
	Count int    `json:"count"`
}

// CategoryFiles returns, for the categories of the taxonomy that fsys with
// the pack selection packs composes (as lexicons.LoadPacks does), the file
// that declares each: the first declaration, packs/NAME/taxonomy.tsv or
// taxonomy.tsv. Mine names it as the file an aspect line of the category
// belongs in.
func CategoryFiles(fsys fs.FS, packs []string) (map[string]string, error) {
	cfs, _, err := lexicons.Compose(fsys, packs)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	err = lexicons.ReadLines(cfs, lexicons.TaxonomyFile, false, func(l lexicons.Line) error {
		if len(l.Fields) >= 2 && l.Fields[0] == "category" {
			if _, ok := out[l.Fields[1]]; !ok {
				out[l.Fields[1]] = l.File
			}
		}
		return nil
	})
	return out, err
}

// unmappedStat collects what the analysis said about one open aspect term.
type unmappedStat struct {
	term               string
	docs               []int32 // texts naming it, ascending
	mentions, neg, pos int
	opinions           map[string]int
	examples           []string
}

// minUnmappedRunes and maxUnmappedRunes bound the terms proposed as aspect
// lines (the taxonomy takes terms up to 24 characters).
const (
	minUnmappedRunes = 2
	maxUnmappedRunes = 24
)

// unmappedAspects ranks the aspects the analysis found without a category
// (nlp.Aspect.IsUnmapped: an opinion about an aspect the taxonomy does not
// know) by the texts naming them, near-duplicates (充电器 充电头) grouped,
// each with a guessed category of tax and the aspect line to paste.
//
// seg, when not nil, tells words from fragments for the guesses (指纹识别
// and 人脸识别 share the word 识别; 服务员 and 话务员 share only 务员).
func unmappedAspects(as []analysed, tax *lexicons.Taxonomy, seg *segment.Segmenter, k *known, cfg Config) (ranked []Candidate, texts int) {
	generic := map[string]bool{}
	for _, g := range tax.Generic {
		generic[lexicons.MatchKey(g)] = true
	}
	stats := map[string]*unmappedStat{}
	for i, a := range as {
		found := false
		for _, asp := range a.aspects {
			if !asp.IsUnmapped() {
				continue
			}
			term := lexicons.MatchKey(strings.TrimSpace(asp.Aspect))
			if !proposable(term) || generic[term] {
				continue
			}
			if _, ok := k.taxonomy[term]; ok {
				continue // a term of the taxonomy: not for an aspect line
			}
			found = true
			st := stats[term]
			if st == nil {
				st = &unmappedStat{term: term, opinions: map[string]int{}}
				stats[term] = st
			}
			st.mentions++
			switch asp.Polarity {
			case nlp.Negative:
				st.neg++
			case nlp.Positive:
				st.pos++
			}
			if op := strings.TrimSpace(asp.Opinion); op != "" {
				st.opinions[strings.ToLower(op)]++
			}
			if n := len(st.docs); n == 0 || st.docs[n-1] != int32(i) {
				st.docs = append(st.docs, int32(i))
				if len(st.examples) < cfg.Examples {
					st.examples = append(st.examples, snippetAt(a.text, asp.Span, asp.Aspect))
				}
			}
		}
		if found {
			texts++
		}
	}
	if len(stats) == 0 {
		return nil, texts
	}
	groups := nearDuplicates(stats)
	var out []Candidate
	for _, g := range groups {
		c := groupCandidate(g, cfg)
		if c.Count >= cfg.MinCount {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		if out[i].Mentions != out[j].Mentions {
			return out[i].Mentions > out[j].Mentions
		}
		return out[i].Term < out[j].Term
	})
	out = top(out, cfg.Top)
	g := newGuesser(as, tax, seg)
	for i := range out {
		c := &out[i]
		terms := []string{c.Term}
		for _, v := range c.Variants {
			terms = append(terms, v.Term)
		}
		c.Category, c.CategoryWhy = g.guess(terms, groupDocs(stats, terms))
		switch f := cfg.CategoryFiles[c.Category]; {
		case c.Category == "?":
			c.File = "" // the file of the category chosen
		case f != "":
			c.File = f
		default:
			c.File = lexicons.TaxonomyFile
		}
		c.Line = "aspect\t" + c.Category + "\t" + strings.Join(terms, " ")
	}
	return out, texts
}

// proposable reports whether term can stand in an aspect line: no spaces,
// TABs or '=', not a comment, 2 to 24 characters, not only digits and
// punctuation.
func proposable(term string) bool {
	n := utf8.RuneCountInString(term)
	if n < minUnmappedRunes || n > maxUnmappedRunes || strings.HasPrefix(term, "#") || strings.ContainsAny(term, "={}") {
		return false
	}
	letter := false
	for _, r := range term {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
		letter = letter || unicode.IsLetter(r)
	}
	return letter
}

// nearDuplicates groups the terms that are spelt alike: of the same
// length (3 characters or more), differing in one character, so that they
// share at least two characters at one end (充电器 充电头, 左耳机 右耳机,
// 指纹识别 指纹辨别; not 电池 电量). A group is a term and the less frequent
// terms spelt like it (not like one another: 房间设施 takes 房间设置, which
// does not bring 房间布置 along), ordered by texts, most first.
func nearDuplicates(stats map[string]*unmappedStat) [][]*unmappedStat {
	all := make([]*unmappedStat, 0, len(stats))
	for _, st := range stats {
		all = append(all, st)
	}
	sort.Slice(all, func(i, j int) bool {
		if len(all[i].docs) != len(all[j].docs) {
			return len(all[i].docs) > len(all[j].docs)
		}
		return all[i].term < all[j].term
	})
	// the keys of a term: the term with one character masked; terms
	// with a key in common differ in that one character
	keys := func(t string) []string {
		rs := []rune(t)
		if len(rs) < 3 {
			return nil
		}
		var out []string
		for p := range rs {
			if len(rs) == 3 && p == 1 {
				continue // 充x器: one character shared at each end
			}
			out = append(out, fmt.Sprintf("%d\x00%s\x00%s", p, string(rs[:p]), string(rs[p+1:])))
		}
		return out
	}
	var groups [][]*unmappedStat
	head := map[string]int{} // a key of a group's first term → the group
	for _, st := range all {
		g := -1
		for _, k := range keys(st.term) {
			if i, ok := head[k]; ok && (g < 0 || i < g) {
				g = i
			}
		}
		if g >= 0 {
			groups[g] = append(groups[g], st)
			continue
		}
		for _, k := range keys(st.term) {
			head[k] = len(groups)
		}
		groups = append(groups, []*unmappedStat{st})
	}
	return groups
}

// groupCandidate sums a group of near-duplicates into one candidate named
// by its most frequent term.
func groupCandidate(g []*unmappedStat, cfg Config) Candidate {
	c := Candidate{Term: g[0].term}
	var docs []int32
	opinions := map[string]int{}
	neg, pos := 0, 0
	for i, st := range g {
		docs = mergeDocs(docs, st.docs)
		c.Mentions += st.mentions
		neg += st.neg
		pos += st.pos
		for o, n := range st.opinions {
			opinions[o] += n
		}
		if i > 0 {
			c.Variants = append(c.Variants, TermCount{Term: st.term, Count: len(st.docs)})
		}
		for _, e := range st.examples {
			if len(c.Examples) < cfg.Examples {
				c.Examples = append(c.Examples, e)
			}
		}
	}
	c.Count, c.Texts = len(docs), len(docs)
	c.Score = float64(len(docs))
	if c.Mentions > 0 {
		c.Negative = round2(float64(neg) / float64(c.Mentions))
		c.Positive = round2(float64(pos) / float64(c.Mentions))
	}
	for o, n := range opinions {
		c.Opinions = append(c.Opinions, TermCount{Term: o, Count: n})
	}
	sort.Slice(c.Opinions, func(i, j int) bool {
		if c.Opinions[i].Count != c.Opinions[j].Count {
			return c.Opinions[i].Count > c.Opinions[j].Count
		}
		return c.Opinions[i].Term < c.Opinions[j].Term
	})
	c.Opinions = c.Opinions[:min(len(c.Opinions), maxOpinions)]
	return c
}

// maxOpinions is the most opinion words shown per unmapped aspect.
const maxOpinions = 5

// groupDocs returns the texts naming any of terms.
func groupDocs(stats map[string]*unmappedStat, terms []string) []int32 {
	var docs []int32
	for _, t := range terms {
		if st := stats[t]; st != nil {
			docs = mergeDocs(docs, st.docs)
		}
	}
	return docs
}

// mergeDocs returns the union of two ascending lists.
func mergeDocs(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return out
}

// guesser guesses the category of an unknown aspect from the aspect terms
// of the taxonomy and the categories named in the same texts.
type guesser struct {
	as      []analysed
	overall string
	// terms are the aspect terms that may lend their category: of two or
	// more characters, not attributes (速度, 态度: they take the category
	// of the aspect before them), not of the overall category.
	terms   map[string][]string // term → categories
	attrs   map[string]bool
	generic map[string]bool
	product map[string]bool // terms of the overall category (手机, 东西)
	catDocs map[string]int  // texts naming an aspect of the category
	seg     *segment.Segmenter
}

// word reports whether s is one word of the dictionary (any string when
// there is no segmenter).
func (g *guesser) word(s string) bool {
	if g.seg == nil {
		return true
	}
	toks := g.seg.Cut(s)
	return len(toks) == 1 && toks[0].POS != ""
}

func newGuesser(as []analysed, tax *lexicons.Taxonomy, seg *segment.Segmenter) *guesser {
	g := &guesser{as: as, terms: map[string][]string{}, attrs: map[string]bool{}, generic: map[string]bool{}, product: map[string]bool{}, catDocs: map[string]int{}, seg: seg}
	for _, t := range tax.Generic {
		g.generic[lexicons.MatchKey(t)] = true
	}
	g.overall = "整体"
	if _, ok := tax.Category(g.overall); !ok && len(tax.Categories) > 0 {
		g.overall = tax.Categories[len(tax.Categories)-1].Name
	}
	for _, a := range tax.Aspects {
		t := lexicons.MatchKey(a.Term)
		if a.Attr {
			g.attrs[t] = true
			continue
		}
		if a.Category == g.overall {
			g.product[t] = true
			continue
		}
		if strings.Contains(t, lexicons.NumberPattern) || utf8.RuneCountInString(t) < 2 {
			continue
		}
		if !slices.Contains(g.terms[t], a.Category) {
			g.terms[t] = append(g.terms[t], a.Category)
		}
	}
	for _, a := range as {
		for c := range docCategories(a) {
			g.catDocs[c]++
		}
	}
	return g
}

// docCategories returns the categories of the aspects (opinions and
// mentions) of one text.
func docCategories(a analysed) map[string]bool {
	cats := map[string]bool{}
	for _, asp := range a.aspects {
		if asp.Category != "" {
			cats[asp.Category] = true
		}
	}
	return cats
}

// affix is evidence for a category: a run of characters the unknown term
// shares with an aspect term of the taxonomy at its start or end.
type affix struct {
	cat, part, with string
	suffix, whole   bool // at the end; part is the taxonomy term itself
}

func (a affix) String() string {
	where := "starts"
	if a.suffix {
		where = "ends"
	}
	if a.whole {
		return fmt.Sprintf("%s with %s, an aspect of %s", where, a.part, a.cat)
	}
	return fmt.Sprintf("shares %s with %s (%s)", a.part, a.with, a.cat)
}

// minLift is how many times its usual share of texts a category must be
// named in the texts of an unknown aspect to be guessed from them alone.
const minLift = 1.5

// guess returns the category of terms (a group of near-duplicates) and why;
// "?" when no category stands out. docs are the texts naming the terms.
//
// The first evidence is spelling: a taxonomy term at the start or end of
// the term (充电头 starts with 充电; 指纹识别 ends with 识别), else the
// longest word of two or more characters shared at either end with a
// taxonomy term (指纹识别 and 人脸识别 share 识别). Where spelling names
// several categories, or none, the categories named in the same texts
// decide: the one named most often, at least twice, in at least 30% of
// the texts and 1.5 times its share of the whole sample.
func (g *guesser) guess(terms []string, docs []int32) (string, string) {
	var best []affix
	bestLen := 0
	consider := func(a affix) {
		n := utf8.RuneCountInString(a.part)
		if g.attrs[a.part] || g.generic[a.part] || g.product[a.part] || n < bestLen {
			return
		}
		if n > bestLen {
			best, bestLen = nil, n
		}
		if !slices.ContainsFunc(best, func(b affix) bool { return b.cat == a.cat }) {
			best = append(best, a)
		}
	}
	for _, w := range terms {
		rs := []rune(w)
		// taxonomy terms at either end (the longest first)
		for n := len(rs) - 1; n >= 2; n-- {
			for _, suffix := range []bool{true, false} {
				part := string(rs[:n])
				if suffix {
					part = string(rs[len(rs)-n:])
				}
				for _, c := range g.terms[part] {
					consider(affix{cat: c, part: part, with: part, suffix: suffix, whole: true})
				}
			}
		}
	}
	if len(best) == 0 {
		// words shared with taxonomy terms, not attributes, generic
		// nouns or names of the product (配送速度 and 网络速度 share only an
		// attribute; 手机屏幕 and 手机壳 only the product)
		var known []string
		for t := range g.terms {
			known = append(known, t)
		}
		sort.Strings(known)
		for _, w := range terms {
			rs := []rune(w)
			for _, t := range known {
				ts := []rune(t)
				if t == w {
					continue
				}
				p, s := commonPrefix(rs, ts), commonSuffix(rs, ts)
				suffix, prefix := string(rs[len(rs)-s:]), string(rs[:p])
				sok, pok := s >= 2 && s >= bestLen && g.word(suffix), p >= 2 && p >= bestLen && g.word(prefix)
				for _, c := range g.terms[t] {
					if sok {
						consider(affix{cat: c, part: suffix, with: t, suffix: true})
					}
					if pok {
						consider(affix{cat: c, part: prefix, with: t})
					}
				}
			}
		}
	}

	// the categories named in the same texts
	co := map[string]int{}
	for _, d := range docs {
		for c := range docCategories(g.as[d]) {
			if c != g.overall {
				co[c]++
			}
		}
	}
	n := len(docs)
	lift := func(c string) float64 {
		if g.catDocs[c] == 0 || n == 0 {
			return 0
		}
		return float64(co[c]) / float64(n) / (float64(g.catDocs[c]) / float64(len(g.as)))
	}
	named := func(c string) string { return fmt.Sprintf("named with %s in %d of %d texts", c, co[c], n) }
	coBest := func(among []string) string {
		b := ""
		for _, c := range among {
			if co[c] > co[b] || co[c] == co[b] && co[c] > 0 && (lift(c) > lift(b) || lift(c) == lift(b) && c < b) {
				b = c
			}
		}
		if b == "" || co[b] < 2 || float64(co[b]) < 0.3*float64(n) || lift(b) < minLift {
			return ""
		}
		return b
	}

	var cats []string
	var whys []string
	for _, a := range best {
		cats = append(cats, a.cat)
		whys = append(whys, a.String())
	}
	switch {
	case len(best) == 1:
		why := whys[0]
		if c := coBest(sortedKeys(co)); c != "" {
			if c == best[0].cat {
				why += "; " + named(c)
			} else {
				why += "; but " + named(c) + ": check"
			}
		}
		return best[0].cat, why
	case len(best) > 1:
		if c := coBest(cats); c != "" {
			return c, strings.Join(whys, "; ") + "; " + named(c)
		}
		return "?", strings.Join(whys, "; ") + ": no category stands out, pick one"
	}
	if c := coBest(sortedKeys(co)); c != "" {
		return c, named(c) + fmt.Sprintf(" (%.1f× its share of the sample); no aspect term is spelt alike", lift(c))
	}
	why := "no aspect term is spelt alike and no category is named in its texts more than usual"
	if c := topKey(co); c != "" {
		why += fmt.Sprintf(" (most often %s: %d of %d texts)", c, co[c], n)
	}
	return "?", why + ": pick one"
}

func commonPrefix(a, b []rune) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func commonSuffix(a, b []rune) int {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// topKey returns the key of the largest count (the first in order on ties).
func topKey(m map[string]int) string {
	b := ""
	for _, k := range sortedKeys(m) {
		if m[k] > m[b] {
			b = k
		}
	}
	return b
}

// snippetAt returns the clause-sized piece of text around the rune span;
// around the first occurrence of term when the span does not fit the text.
func snippetAt(text string, span [2]int, term string) string {
	rs := []rune(text)
	if span[0] < 0 || span[1] > len(rs) || span[0] >= span[1] {
		return snippet(text, term)
	}
	start, end := span[0], span[1]
	for start > 0 && span[0]-start < 30 && !isStop(rs[start-1]) {
		start--
	}
	for end < len(rs) && end-span[0] < 40 && !isStop(rs[end]) {
		end++
	}
	return string(rs[start:end])
}
