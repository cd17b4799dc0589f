// Package suggest mines a sample of feedback for lexicon candidates:
//
//   - new words: character n-grams that the segmenter's dictionary does not
//     know, cohesive inside (pointwise mutual information between their
//     parts) and free at both edges (entropy of the characters seen left and
//     right of them) — the classic unsupervised new-word discovery;
//   - complaint phrases: word n-grams frequent in the clauses of negative
//     texts that no pain point covers (and that are not positive
//     themselves), and rare elsewhere;
//   - rising terms: words and new words whose share of texts grew most from
//     the older half of the sample to the recent half (when texts have a
//     time);
//   - unmapped aspects: the aspects the analysis paired with an opinion but
//     the taxonomy does not know (nlp.Aspect.IsUnmapped), by the texts
//     naming them, near-duplicates grouped, with a guessed category.
//
// Each candidate comes with counts, a score and example sentences, and a
// line in lexicon-file format to review and paste.
package suggest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/lexicons/tools/parallel"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
	"github.com/vocproject/voc/nlp/segment"
)

// Doc is one text of the sample.
type Doc struct {
	Text   string
	Time   time.Time // zero when unknown
	Rating int       // 1-5 stars, 0 none
	// Conversational: a chat, call or email (nlp.Options.Conversational).
	Conversational bool
}

// Config tunes Mine. The zero value means defaults.
type Config struct {
	// Top is the most candidates per section. Default 20.
	Top int
	// MinCount is the fewest occurrences (texts for phrases and rising
	// terms) of a candidate. Default 5.
	MinCount int
	// MaxRunes is the longest new word, in characters. Default 4.
	MaxRunes int
	// MinPMI is the lowest cohesion (natural log) of a new word. Default 3.
	MinPMI float64
	// MinEntropy is the lowest left and right boundary entropy (nats) of
	// a new word. Default 1.
	MinEntropy float64
	// Examples per candidate. Default 2.
	Examples int
	// Workers analyse texts in parallel. Default 1.
	Workers int
	// CategoryFiles names the file that declares each category
	// (CategoryFiles), where an aspect line of the category belongs; nil:
	// taxonomy.tsv for all.
	CategoryFiles map[string]string
}

func (c *Config) defaults() {
	if c.Top <= 0 {
		c.Top = 20
	}
	if c.MinCount <= 0 {
		c.MinCount = 5
	}
	if c.MaxRunes <= 1 {
		c.MaxRunes = 4
	}
	if c.MinPMI == 0 {
		c.MinPMI = 3
	}
	if c.MinEntropy == 0 {
		c.MinEntropy = 1
	}
	if c.Examples <= 0 {
		c.Examples = 2
	}
	if c.Workers <= 0 {
		c.Workers = 1
	}
}

// Candidate is one suggested term.
type Candidate struct {
	Term  string  `json:"term"`
	Score float64 `json:"score"`
	// Count is the occurrences of a new word; the texts holding a phrase
	// or a rising term.
	Count int `json:"count"`
	// New words.
	Texts        int     `json:"texts,omitempty"` // texts holding a new word
	PMI          float64 `json:"pmi,omitempty"`
	LeftEntropy  float64 `json:"left_entropy,omitempty"`
	RightEntropy float64 `json:"right_entropy,omitempty"`
	// Complaint phrases: negative clauses without a pain point holding
	// the phrase (Count), other clauses holding it, the guessed point.
	Elsewhere int     `json:"elsewhere,omitempty"`
	LogOdds   float64 `json:"log_odds,omitempty"`
	Point     string  `json:"point,omitempty"`
	PointWhy  string  `json:"point_why,omitempty"`
	// Rising terms: texts of the recent and the older half; share of
	// negative texts among those holding the term.
	Recent   int     `json:"recent,omitempty"`
	Older    int     `json:"older,omitempty"`
	Negative float64 `json:"negative,omitempty"`
	Existing string  `json:"existing,omitempty"` // what the lexicons already say of the term
	// Unmapped aspects: Count (and Texts) the texts naming the term or a
	// near-duplicate of it (Variants, with their texts); Mentions the
	// opinions about them, Negative and Positive the shares of those
	// opinions by polarity, Opinions the most frequent opinion words; the
	// guessed category ("?" when none stands out) and why.
	Variants    []TermCount `json:"variants,omitempty"`
	Mentions    int         `json:"mentions,omitempty"`
	Positive    float64     `json:"positive,omitempty"`
	Opinions    []TermCount `json:"opinions,omitempty"`
	Category    string      `json:"category,omitempty"`
	CategoryWhy string      `json:"category_why,omitempty"`
	// Line is the lexicon line to paste ("" when the term is known; for an
	// unmapped aspect whose category is "?", a line to complete), File the
	// file it belongs in ("" for such a line: the file that declares the
	// category chosen).
	Line     string   `json:"line"`
	File     string   `json:"file"`
	Examples []string `json:"examples"`
}

// Report is the outcome of Mine.
type Report struct {
	Texts    int `json:"texts"`
	Negative int `json:"negative_texts"`
	// NewWords, Phrases and Rising are ranked by score, best first.
	NewWords []Candidate `json:"new_words"`
	Phrases  []Candidate `json:"complaint_phrases"`
	Rising   []Candidate `json:"rising"`
	// Unmapped are the aspects without a category, ranked by texts;
	// UnmappedTexts the texts holding one (before --min-count).
	Unmapped      []Candidate `json:"unmapped_aspects"`
	UnmappedTexts int         `json:"unmapped_texts"`
	// Packs is the pack selection the sample was analysed with.
	Packs []string `json:"packs,omitempty"`
	// Split is the time dividing the older and the recent half; zero when
	// too few texts have a time (Rising is empty then).
	Split time.Time `json:"split,omitzero"`
}

// analysed is one text after analysis.
type analysed struct {
	text    string
	clauses []nlp.Clause
	aspects []nlp.Aspect
	neg     bool
	time    time.Time
}

// chunk is how many texts are cut at a time for the word statistics: the
// tokens of a chunk are dropped once counted.
const chunk = 4096

// Analyzer analyses one text (*analyzer.Analyzer does).
type Analyzer interface {
	Analyze(text string, opts nlp.Options) *nlp.Result
}

var _ Analyzer = (*analyzer.Analyzer)(nil)

// Mine analyses docs with an (whose lexicons are set, segmenter seg) and
// returns the candidates. It returns ctx's error if ctx ends first.
func Mine(ctx context.Context, an Analyzer, seg *segment.Segmenter, set *lexicons.Set, docs []Doc, cfg Config) (*Report, error) {
	cfg.defaults()
	if len(docs) == 0 {
		return nil, errors.New("suggest: no texts")
	}
	as := make([]analysed, len(docs))
	err := parallel.Each(ctx, len(docs), cfg.Workers, func(i int) {
		d := docs[i]
		r := an.Analyze(d.Text, nlp.Options{Rating: d.Rating, Conversational: d.Conversational})
		as[i] = analysed{text: r.Text, clauses: r.Clauses, aspects: r.Aspects, time: d.Time,
			neg: r.Sentiment.Label == nlp.Negative || d.Rating > 0 && d.Rating <= 2}
	})
	if err != nil {
		return nil, err
	}
	known := knownTerms(set)
	rep := &Report{Texts: len(docs), Packs: set.Packs}
	for _, a := range as {
		if a.neg {
			rep.Negative++
		}
	}
	rep.Unmapped, rep.UnmappedTexts = unmappedAspects(as, set.Taxonomy, seg, known, cfg)
	words := newWords(as, seg, known, cfg)
	rep.NewWords = top(words, cfg.Top)
	// Phrases and rising terms are words: cut the texts with the new
	// words added, as they would be once pasted into the lexicons.
	domain := slices.Clone(set.Domain)
	for _, w := range words {
		domain = append(domain, lexicons.DomainWord{Word: w.Term})
	}
	seg2, err := segment.New(domain)
	if err != nil {
		return nil, fmt.Errorf("suggest: %w", err)
	}
	pa := newPhraseAcc(set)
	ra := newRisingAcc(as, words, cfg)
	tokens := make([][]segment.Token, chunk)
	for start := 0; start < len(as); start += chunk {
		part := as[start:min(start+chunk, len(as))]
		if err := parallel.Each(ctx, len(part), cfg.Workers, func(i int) { tokens[i] = seg2.Cut(part[i].text) }); err != nil {
			return nil, err
		}
		for i := range part {
			pa.add(&part[i], tokens[i], known, cfg)
			if ra != nil {
				ra.add(&part[i], tokens[i], known, cfg)
			}
			tokens[i] = nil
		}
	}
	rep.Phrases = pa.result(set, known, cfg)
	if ra != nil {
		rep.Rising, rep.Split = ra.result(seg, set, known, cfg), ra.split
	}
	return rep, nil
}

// known is what the lexicons already hold.
type known struct {
	taxonomy map[string]string // match key → kind and point, e.g. "implicit 质量/漏液"
	words    map[string]bool   // domain and sentiment words
	stop     map[string]bool   // degree words, negations, hedges, conjunctions
}

func knownTerms(set *lexicons.Set) *known {
	k := &known{taxonomy: map[string]string{}, words: map[string]bool{}, stop: map[string]bool{}}
	t := set.Taxonomy
	for _, a := range t.Aspects {
		if _, ok := k.taxonomy[lexicons.MatchKey(a.Term)]; !ok {
			k.taxonomy[lexicons.MatchKey(a.Term)] = "aspect " + a.Category
		}
	}
	for _, o := range t.Opinions {
		kind := "opinion"
		if o.Implicit {
			kind = "implicit"
		}
		k.taxonomy[lexicons.MatchKey(o.Term)] = kind + " " + o.Point
	}
	for _, list := range [][]string{t.Modifiers, t.Negations, t.Hedges, t.Conjunctions} {
		for _, w := range list {
			k.stop[w] = true
		}
	}
	for _, w := range t.Ignored {
		k.words[w] = true
	}
	for _, d := range set.Domain {
		k.words[strings.ToLower(d.Word)] = true
	}
	for w := range set.Sentiment.Words {
		k.words[w] = true
	}
	for w := range set.Sentiment.Degrees {
		k.stop[w] = true
	}
	for w := range set.Sentiment.Negations {
		k.stop[w] = true
	}
	return k
}

// edgeChars are function characters a new word does not start or end with.
const edgeChars = "的了是我你他她它们在有也都就还很太不没这那个和与及或又被把给让对跟吗呢吧啊呀哦嘛么着过到说要会能可以上下来去一"

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// run is a maximal run of Han characters: its text and the byte offset of
// each character (and of the end), so that n-grams are substrings.
type run struct {
	s   string
	off []int32
}

func (r run) runes() int { return len(r.off) - 1 }

// gram returns the n characters from character i.
func (r run) gram(i, n int) string { return r.s[r.off[i]:r.off[i+n]] }

// hanRuns returns the runs of Han characters of s.
func hanRuns(s string) []run {
	var out []run
	var cur []int32
	start := -1
	flush := func(end int) {
		if start >= 0 {
			cur = append(cur, int32(end-start))
			out = append(out, run{s: s[start:end], off: cur})
			cur, start = nil, -1
		}
	}
	for i, r := range s {
		if !isHan(r) {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
		}
		cur = append(cur, int32(i-start))
	}
	flush(len(s))
	return out
}

// newWords finds character n-grams that are cohesive and free at both
// edges and that the dictionary does not hold whole. Counting goes by
// length, counting an n-gram only when both its (n-1)-grams are frequent,
// so that memory stays proportional to the frequent n-grams.
func newWords(as []analysed, seg *segment.Segmenter, k *known, cfg Config) []Candidate {
	var runs []run
	total := 0
	docOf := []int{} // text index of each run
	for ti, a := range as {
		for _, r := range hanRuns(a.text) {
			runs = append(runs, r)
			docOf = append(docOf, ti)
			total += r.runes()
		}
	}
	if total == 0 {
		return nil
	}
	counts := map[string]int{}
	for n := 1; n <= cfg.MaxRunes; n++ {
		for _, r := range runs {
			for i := 0; i+n <= r.runes(); i++ {
				if n > 1 && (counts[r.gram(i, n-1)] < cfg.MinCount || counts[r.gram(i+1, n-1)] < cfg.MinCount) {
					continue
				}
				counts[r.gram(i, n)]++
			}
		}
		for w, c := range counts {
			if n > 1 && c < cfg.MinCount && utf8.RuneCountInString(w) == n {
				delete(counts, w)
			}
		}
	}
	type stats struct {
		left, right map[rune]int
		leftEdge    int // occurrences at the start of a run: each a distinct neighbour
		rightEdge   int
		texts       int
		lastText    int
		examples    []string
	}
	cands := map[string]*stats{}
	for w, c := range counts {
		first, _ := utf8.DecodeRuneInString(w)
		last, _ := utf8.DecodeLastRuneInString(w)
		if utf8.RuneCountInString(w) < 2 || c < cfg.MinCount || strings.ContainsRune(edgeChars, first) || strings.ContainsRune(edgeChars, last) {
			continue
		}
		cands[w] = &stats{left: map[rune]int{}, right: map[rune]int{}, lastText: -1}
	}
	for ri, r := range runs {
		ti := docOf[ri]
		for n := 2; n <= cfg.MaxRunes; n++ {
			for i := 0; i+n <= r.runes(); i++ {
				g := r.gram(i, n)
				st := cands[g]
				if st == nil {
					continue
				}
				if i == 0 {
					st.leftEdge++
				} else {
					prev, _ := utf8.DecodeRuneInString(r.s[r.off[i-1]:])
					st.left[prev]++
				}
				if i+n == r.runes() {
					st.rightEdge++
				} else {
					next, _ := utf8.DecodeRuneInString(r.s[r.off[i+n]:])
					st.right[next]++
				}
				if st.lastText != ti {
					st.lastText = ti
					st.texts++
					if len(st.examples) < cfg.Examples {
						st.examples = append(st.examples, snippet(as[ti].text, g))
					}
				}
			}
		}
	}
	var out []Candidate
	for w, st := range cands {
		c := counts[w]
		rs := []rune(w) // a candidate: few
		pmi := math.Inf(1)
		for s := 1; s < len(rs); s++ {
			a, b := counts[string(rs[:s])], counts[string(rs[s:])]
			if a == 0 || b == 0 {
				pmi = 0
				break
			}
			// p(w) / (p(a) p(b)) with p(x) = count(x) / total
			pmi = math.Min(pmi, math.Log(float64(c)*float64(total)/(float64(a)*float64(b))))
		}
		le, re := entropy(st.left, st.leftEdge), entropy(st.right, st.rightEdge)
		if pmi < cfg.MinPMI || le < cfg.MinEntropy || re < cfg.MinEntropy {
			continue
		}
		if k.words[w] {
			continue
		}
		if _, ok := k.taxonomy[lexicons.MatchKey(w)]; ok {
			continue
		}
		if toks := seg.Cut(w); dictionaryWords(toks) || functionEdge(toks) {
			continue // a dictionary word, words the segmenter keeps apart well (物流|很快), or a phrase led or closed by a function word (真是|拉胯, 房间|里)
		}
		score := math.Log2(float64(c)) * math.Min(le, re) * math.Min(pmi, 10) / 10
		out = append(out, Candidate{Term: w, Score: round2(score), Count: c, Texts: st.texts, PMI: round2(pmi),
			LeftEntropy: round2(le), RightEntropy: round2(re), Line: w, File: lexicons.DomainFile, Examples: st.examples})
	}
	sortCandidates(out)
	// A part of a longer candidate that almost always occurs in it is
	// that candidate (芋泥波 in 芋泥波波); a longer one made of a shorter
	// one and a dictionary word is the shorter one in a phrase (拉胯了).
	isCand := map[string]bool{}
	for _, c := range out {
		isCand[c.Term] = true
	}
	known := func(s string) bool {
		if isCand[s] {
			return true
		}
		toks := seg.Cut(s)
		return len(toks) == 1 && toks[0].POS != ""
	}
	var kept []Candidate
	for _, c := range out {
		redundant := false
		for _, o := range out {
			if o.Term != c.Term && strings.Contains(o.Term, c.Term) && float64(o.Count) >= 0.8*float64(c.Count) {
				redundant = true
				break
			}
		}
		rs := []rune(c.Term)
		for i := 1; i < len(rs) && !redundant; i++ {
			l, r := string(rs[:i]), string(rs[i:])
			redundant = (isCand[l] || isCand[r]) && known(l) && known(r)
		}
		if !redundant {
			kept = append(kept, c)
		}
	}
	return kept
}

// functionEdge reports whether a cut starts or ends with a function word
// of two or more characters (the tags of single characters the dictionary
// falls back to say little: 啵 is a particle there).
func functionEdge(toks []segment.Token) bool {
	if len(toks) < 2 {
		return false
	}
	for _, t := range []segment.Token{toks[0], toks[len(toks)-1]} {
		if t.End-t.Start >= 2 && functionWord(t, nil) {
			return true
		}
	}
	return false
}

// dictionaryWords reports whether toks are one dictionary word or several
// of two or more characters each: the segmenter needs no help with them.
func dictionaryWords(toks []segment.Token) bool {
	if len(toks) == 1 {
		return toks[0].POS != ""
	}
	for _, t := range toks {
		if t.POS == "" || t.End-t.Start < 2 {
			return false
		}
	}
	return true
}

// entropy returns the entropy (nats) of a neighbour distribution, each
// edge occurrence counting as a distinct neighbour.
func entropy(m map[rune]int, edges int) float64 {
	n := edges
	for _, c := range m {
		n += c
	}
	if n == 0 {
		return 0
	}
	h := 0.0
	for _, c := range m {
		p := float64(c) / float64(n)
		h -= p * math.Log(p)
	}
	if edges > 0 {
		p := 1 / float64(n)
		h -= float64(edges) * p * math.Log(p)
	}
	return h
}

// phraseAcc collects the word n-grams (1-3 words) of the clauses of
// negative texts without a pain point, and of the other clauses.
type phraseAcc struct {
	stats                    map[string]*phraseStat
	negClauses, otherClauses int
	aspectCats               map[string][]string // aspect term → categories
	words                    map[string]float64  // the hand-written sentiment weights
}

type phraseStat struct {
	neg, other int
	cats       map[string]int
	aspects    map[string]int
	examples   []string
}

func newPhraseAcc(set *lexicons.Set) *phraseAcc {
	pa := &phraseAcc{stats: map[string]*phraseStat{}, aspectCats: map[string][]string{}}
	if set.Sentiment != nil {
		pa.words = set.Sentiment.Words
	}
	for _, asp := range set.Taxonomy.Aspects {
		k := lexicons.MatchKey(asp.Term)
		if !slices.Contains(pa.aspectCats[k], asp.Category) {
			pa.aspectCats[k] = append(pa.aspectCats[k], asp.Category)
		}
	}
	return pa
}

// add counts the phrases of one text, cut into tokens.
func (pa *phraseAcc) add(a *analysed, tokens []segment.Token, k *known, cfg Config) {
	pti, ti := 0, 0
	for _, c := range a.clauses {
		// a clause of a negative text, not itself positive, with no pain
		// point: its words may be a complaint the lexicons miss (and,
		// unknown to them, leave the clause without evidence)
		uncovered := a.neg && c.Sentiment.Label != nlp.Positive && !painIn(a.aspects, c.Span)
		if uncovered {
			pa.negClauses++
		} else {
			pa.otherClauses++
		}
		for ti < len(tokens) && tokens[ti].Start < c.Span[0] {
			ti++
		}
		tj := ti
		for tj < len(tokens) && tokens[tj].End <= c.Span[1] {
			tj++
		}
		near := tokens[pti:tj] // this clause and the one before
		pti = ti
		seen := map[string]bool{}
		for _, g := range wordGrams(tokens[ti:tj], k) {
			if seen[g.text] || !pa.complaintShaped(g.tokens) {
				continue
			}
			seen[g.text] = true
			st := pa.stats[g.text]
			if st == nil {
				st = &phraseStat{cats: map[string]int{}, aspects: map[string]int{}}
				pa.stats[g.text] = st
			}
			if !uncovered {
				st.other++
				continue
			}
			st.neg++
			// the aspect words of this clause and the one before
			cats := map[string]bool{}
			for _, t := range near {
				for _, cat := range pa.aspectCats[strings.ToLower(t.Text)] {
					if !cats[cat] {
						cats[cat] = true
						st.cats[cat]++
						st.aspects[t.Text]++
					}
				}
			}
			if len(st.examples) < cfg.Examples {
				st.examples = append(st.examples, snippet(a.text, g.text))
			}
		}
	}
}

// result ranks the phrases frequent in the uncovered negative clauses and
// rare in the others.
func (pa *phraseAcc) result(set *lexicons.Set, k *known, cfg Config) []Candidate {
	if pa.negClauses == 0 {
		return nil
	}
	var out []Candidate
	for g, st := range pa.stats {
		if st.neg < cfg.MinCount {
			continue
		}
		lo := math.Log((float64(st.neg)+0.5)/float64(pa.negClauses+1)) - math.Log((float64(st.other)+0.5)/float64(pa.otherClauses+1))
		if lo < minLogOdds {
			continue
		}
		if _, ok := k.taxonomy[lexicons.MatchKey(g)]; ok {
			continue
		}
		point, why := guessPoint(set, st.cats, st.aspects, st.neg)
		out = append(out, Candidate{Term: g, Score: round2(float64(st.neg) * lo), Count: st.neg, Elsewhere: st.other,
			LogOdds: round2(lo), Point: point, PointWhy: why, File: lexicons.TaxonomyFile,
			Line: "implicit\t" + point + "\t-\t" + g, Examples: st.examples})
	}
	sortCandidates(out)
	// drop a phrase inside a better one with nearly its count, and a
	// longer one whose count a better shorter one holds
	var kept []Candidate
	for _, c := range out {
		dup := false
		for _, o := range kept {
			if (strings.Contains(o.Term, c.Term) || strings.Contains(c.Term, o.Term)) && float64(min(o.Count, c.Count)) >= 0.7*float64(max(o.Count, c.Count)) {
				dup = true
				break
			}
		}
		if !dup {
			kept = append(kept, c)
		}
		if len(kept) == cfg.Top {
			break
		}
	}
	return kept
}

// minLogOdds is the least log ratio between a phrase's share of the
// uncovered negative clauses and its share of the other clauses (5×).
var minLogOdds = math.Log(5)

// painIn reports whether a negative aspect overlaps span.
func painIn(aspects []nlp.Aspect, span [2]int) bool {
	for _, a := range aspects {
		if a.Polarity == nlp.Negative && a.Span[0] < span[1] && a.Span[1] > span[0] {
			return true
		}
	}
	return false
}

// wordGrams returns the word n-grams (1-3 adjacent words) of the tokens
// of a clause that hold a content word (a noun, verb, adjective or idiom of
// two or more characters, or a word the dictionary lacks) and neither start
// nor end with a function word (pronoun, adverb, conjunction, preposition,
// particle, numeral, measure word, degree word or negation).
func wordGrams(in []segment.Token, k *known) []gram {
	var out []gram
	for i := range in {
		for n := 1; n <= 3 && i+n <= len(in); n++ {
			g := in[i : i+n]
			ok, content := true, false
			var b strings.Builder
			for j, t := range g {
				n := utf8.RuneCountInString(t.Text)
				if !allHan(t.Text) || t.End-t.Start != n || j > 0 && t.Start != g[j-1].End {
					ok = false
					break
				}
				if n >= 2 && !k.stop[t.Text] && contentPOS(t.POS) {
					content = true
				}
				b.WriteString(t.Text)
			}
			if !ok || !content || functionWord(g[0], k) || functionWord(g[len(g)-1], k) {
				continue
			}
			out = append(out, gram{b.String(), g})
		}
	}
	return out
}

// gram is a phrase of wordGrams and its tokens.
type gram struct {
	text   string
	tokens []segment.Token
}

// complaintShaped reports whether the words of a phrase can say what is
// wrong: a lone noun (距离, 型号, 皮带) is what a technical post talks about,
// not a complaint, unless the sentiment lexicons weigh it as one (通病); on a
// car forum such nouns filled the section. Verbs stay (下头, 熄火): new slang
// for a complaint is often an old word in a new sense.
func (pa *phraseAcc) complaintShaped(toks []segment.Token) bool {
	if len(toks) > 1 || pa.words[toks[0].Text] < 0 {
		return true
	}
	pos := toks[0].POS
	return pos == "" || !(pos[0] == 'n' || pos == "vn" || pos[0] == 't' || pos[0] == 's' || pos[0] == 'f')
}

// contentPOS reports whether a part of speech (jieba tags) is a content
// word's; "" is a word the HMM found.
func contentPOS(pos string) bool {
	if pos == "" {
		return true
	}
	switch pos[0] {
	case 'n', 'v', 'a', 'i', 'l', 'j', 'z':
		return true
	}
	return false
}

// functionWord reports whether t may not start or end a phrase.
func functionWord(t segment.Token, k *known) bool {
	if k != nil && k.stop[t.Text] {
		return true
	}
	if t.POS == "" {
		return false
	}
	switch t.POS[0] {
	case 'r', 'd', 'c', 'p', 'u', 'y', 'm', 'q', 'e', 'o', 'f':
		return true
	}
	return false
}

func allHan(s string) bool {
	for _, r := range s {
		if !isHan(r) {
			return false
		}
	}
	return s != ""
}

// guessPoint picks the pain point of the category named most often by the
// aspects of the texts holding a phrase; the overall category's when none
// stands out.
func guessPoint(set *lexicons.Set, cats, aspects map[string]int, n int) (string, string) {
	overall := "整体"
	if _, ok := set.Taxonomy.Category(overall); !ok && len(set.Taxonomy.Categories) > 0 {
		overall = set.Taxonomy.Categories[len(set.Taxonomy.Categories)-1].Name
	}
	best, bc := "", 0
	for c, v := range cats {
		if c != overall && (v > bc || v == bc && c < best) {
			best, bc = c, v
		}
	}
	if best != "" && float64(bc) >= 0.3*float64(n) {
		if c, ok := set.Taxonomy.Category(best); ok {
			asp, ac := "", 0
			for a, v := range aspects {
				if v > ac || v == ac && a < asp {
					asp, ac = a, v
				}
			}
			why := fmt.Sprintf("%s is named near it in %d of %d clauses", best, bc, n)
			if asp != "" {
				why += fmt.Sprintf(" (most often %s)", asp)
			}
			return c.PainPoint(), why
		}
	}
	c, _ := set.Taxonomy.Category(overall)
	return c.PainPoint(), "no category stands out nearby: check the point"
}

// risingAcc counts, per term, the texts of the older and the recent half
// of the sample's time range holding it.
type risingAcc struct {
	split           time.Time
	newWord         map[string]bool
	stats           map[string]*risingStat
	nRecent, nOlder int
}

type risingStat struct {
	recent, older, neg int
	examples           []string
}

// newRisingAcc returns nil when too few texts have a time.
func newRisingAcc(as []analysed, words []Candidate, cfg Config) *risingAcc {
	var first, last time.Time
	n := 0
	for _, a := range as {
		if a.time.IsZero() {
			continue
		}
		if n == 0 || a.time.Before(first) {
			first = a.time
		}
		if n == 0 || a.time.After(last) {
			last = a.time
		}
		n++
	}
	if n < 2*cfg.MinCount || n < len(as)/2 {
		return nil
	}
	split := first.Add(last.Sub(first) / 2) // the middle of the time range
	if !split.After(first) {
		return nil
	}
	ra := &risingAcc{split: split, newWord: map[string]bool{}, stats: map[string]*risingStat{}}
	for _, w := range words {
		ra.newWord[w.Term] = true
	}
	return ra
}

// add counts the words (and new words) of one text, cut into tokens.
func (ra *risingAcc) add(a *analysed, tokens []segment.Token, k *known, cfg Config) {
	if a.time.IsZero() {
		return
	}
	recent := !a.time.Before(ra.split)
	if recent {
		ra.nRecent++
	} else {
		ra.nOlder++
	}
	seen := map[string]bool{}
	add := func(term string) {
		if seen[term] {
			return
		}
		seen[term] = true
		st := ra.stats[term]
		if st == nil {
			st = &risingStat{}
			ra.stats[term] = st
		}
		if recent {
			st.recent++
			if len(st.examples) < cfg.Examples {
				st.examples = append(st.examples, snippet(a.text, term))
			}
		} else {
			st.older++
		}
		if a.neg {
			st.neg++
		}
	}
	for _, t := range tokens {
		if utf8.RuneCountInString(t.Text) >= 2 && allHan(t.Text) && !k.stop[t.Text] {
			add(t.Text)
		}
	}
	for w := range ra.newWord {
		if strings.Contains(a.text, w) {
			add(w)
		}
	}
}

// result ranks the terms whose share of texts grew most.
func (ra *risingAcc) result(seg *segment.Segmenter, set *lexicons.Set, k *known, cfg Config) []Candidate {
	if ra.nRecent == 0 || ra.nOlder == 0 {
		return nil
	}
	var out []Candidate
	for term, st := range ra.stats {
		if st.recent < cfg.MinCount {
			continue
		}
		// two-proportion z-score of the share of texts holding the term
		p1, p2 := float64(st.recent)/float64(ra.nRecent), float64(st.older)/float64(ra.nOlder)
		p := float64(st.recent+st.older) / float64(ra.nRecent+ra.nOlder)
		se := math.Sqrt(p * (1 - p) * (1/float64(ra.nRecent) + 1/float64(ra.nOlder)))
		if se == 0 || p1 < 2*p2 {
			continue
		}
		z := (p1 - p2) / se
		if z < 3 {
			continue
		}
		c := Candidate{Term: term, Score: round2(z), Count: st.recent + st.older, Recent: st.recent, Older: st.older,
			Negative: round2(float64(st.neg) / float64(st.recent+st.older)), Examples: st.examples}
		switch ex, ok := k.taxonomy[lexicons.MatchKey(term)]; {
		case ok:
			c.Existing = ex
		case c.Negative >= 0.6:
			c.File = lexicons.TaxonomyFile
			point, _ := guessPoint(set, nil, nil, 1)
			c.Point, c.Line = point, "implicit\t"+point+"\t-\t"+term
		case ra.newWord[term] || !dictionaryWords(seg.Cut(term)):
			c.File, c.Line = lexicons.DomainFile, term
		default:
			c.Existing = "a known word, not in the taxonomy"
		}
		out = append(out, c)
	}
	sortCandidates(out)
	return top(out, cfg.Top)
}

// sortCandidates orders by score, then the longer term first (辅助驾驶
// before its parts 辅助 and 驾驶 when they score alike), then the term.
func sortCandidates(cs []Candidate) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Score != cs[j].Score {
			return cs[i].Score > cs[j].Score
		}
		if li, lj := len(cs[i].Term), len(cs[j].Term); li != lj {
			return li > lj
		}
		return cs[i].Term < cs[j].Term
	})
}

func top(cs []Candidate, n int) []Candidate {
	if len(cs) > n {
		return cs[:n]
	}
	return cs
}

// snippet returns the clause-sized piece of text around the first term.
func snippet(text, term string) string {
	rs := []rune(text)
	i := strings.Index(text, term)
	if i < 0 {
		return truncate(rs, 60)
	}
	at := utf8.RuneCountInString(text[:i])
	start, end := at, at+utf8.RuneCountInString(term)
	for start > 0 && at-start < 30 && !isStop(rs[start-1]) {
		start--
	}
	for end < len(rs) && end-at < 40 && !isStop(rs[end]) {
		end++
	}
	return string(rs[start:end])
}

func isStop(r rune) bool {
	return strings.ContainsRune("。！？!?；;\n", r)
}

func truncate(rs []rune, n int) string {
	if len(rs) <= n {
		return string(rs)
	}
	return string(rs[:n-1]) + "…"
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
