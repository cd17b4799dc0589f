// Package sentiment scores the sentiment of a segmented, clause-split text
// with learned feature weights and hand-written lexicons combined by rules:
// negation scope, degree words, contrast and concession between clauses,
// sarcasm cues, emoji, exclamation and an optional star-rating prior.
//
// The model is linear in its features, so that "voc lexicon learn" can fit
// it with logistic regression and the scorer computes exactly what was fit:
//
//	raw = bias + Σ_clauses cw · ( Σ learned(f) + α·hand + β·emoji + γ·sarcasm ) + rating prior
//	score = tanh(raw / 2)   // = 2·P(positive) − 1
//
// cw is the clause weight (a clause opened by 但是 weighs more, the one
// before it less, a 虽然 clause less), learned(f) the learned weight of each
// feature (word "X", adjacent words "X+Y", words one thin word apart
// "X+_+Y", word in a negation scope "不|X", word of the first of several
// clauses "首|X"), hand the sum of hand-written word weights after negation,
// degree, exclamation and sarcasm rules, emoji and sarcasm the sums of the
// emoji and of the sarcasm cues. α, β and γ are learned too (TermLexicon,
// TermCues, TermSarcasm); α has its own value for a clause whose
// hand-written evidence is negative (TermLexiconNeg).
package sentiment

import (
	"iter"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/clause"
	"github.com/vocproject/voc/nlp/segment"
)

// Feature is a learned feature: a word {X, ""}, a pair of adjacent words
// {X, Y}, a pair of words one word apart {X, SkipMark+Y}, a word in a
// negation scope {NegPrefix, X}, a word of the first clause of a text of
// several clauses {FirstPrefix, X}, or a special term
// {lexicons.TermLexicon, ""} / {lexicons.TermLexiconNeg, ""} /
// {lexicons.TermCues, ""}.
type Feature struct{ A, B string }

// NegPrefix marks a negated feature; its term is "不|X".
const NegPrefix = "不|"

// FirstPrefix marks a word of the first clause of a text with several
// clauses: reviews tend to open with the verdict (太难吃了，…), so the same
// word weighs differently there. Its term is "首|X".
const FirstPrefix = "首|"

// SkipMark marks a pair of words with one thin word between them (one
// character, a degree or a negation word); its term is "X+_+Y" (不+_+好 for
// 不太好, 不怎么好 …).
const SkipMark = "_+"

// CharPrefix marks a pair of adjacent Han characters of a clause; its term
// is "字|XY". Character pairs do not depend on the segmenter's cut.
const CharPrefix = "字|"

// Term returns the LearnedFile spelling of f.
func (f Feature) Term() string {
	switch {
	case f.B == "":
		return f.A
	case f.A == NegPrefix || f.A == CharPrefix || f.A == FirstPrefix:
		return f.A + f.B
	}
	return f.A + "+" + f.B
}

// ParseTerm is the inverse of Term. The term syntax is checked when the
// lexicon is loaded.
func ParseTerm(t string) Feature {
	if rest, ok := strings.CutPrefix(t, NegPrefix); ok {
		return Feature{NegPrefix, rest}
	}
	if rest, ok := strings.CutPrefix(t, CharPrefix); ok {
		return Feature{CharPrefix, rest}
	}
	if rest, ok := strings.CutPrefix(t, FirstPrefix); ok {
		return Feature{FirstPrefix, rest}
	}
	if a, b, ok := strings.Cut(t, "+"); ok && a != "" && b != "" {
		return Feature{a, b}
	}
	return Feature{t, ""}
}

var (
	featLexicon    = Feature{lexicons.TermLexicon, ""}
	featLexiconNeg = Feature{lexicons.TermLexiconNeg, ""}
	featCues       = Feature{lexicons.TermCues, ""}
	featSarcasm    = Feature{lexicons.TermSarcasm, ""}
)

// Config tunes a Scorer. The zero value means the defaults.
type Config struct {
	// Band is the neutral band: |score| < Band is labelled neutral.
	// Default 0.2.
	Band float64
	// RatingWeight is the log-odds added per star above 3 (and removed per
	// star below). Default 0.8.
	RatingWeight float64
	// Inquiries are the cues of a question (the 咨询 cues of intent.tsv:
	// 请问, 什么时候, 吗 …), matched anywhere in a clause; a clause followed
	// by ? or ？ is a question too. With nlp.Options.Conversational, a
	// question clause with no negation is scored by its hand-written words
	// and cues only, not by the learned weights (and with none of them it
	// carries no sentiment).
	Inquiries []string
}

// Scorer scores texts. It is immutable and safe for concurrent use.
type Scorer struct {
	cfg Config
	// words holds everything known about a word, so that the walk costs
	// one map lookup per token (plus one per pair when pairs were learned).
	words                      map[string]entry
	pairs                      map[Feature]float64
	skips                      map[Feature]float64 // {X, Y} of the term X+_+Y
	chars                      map[string]float64  // learned character pairs
	hasBigrams                 bool
	bias                       float64
	lexW, lexNegW, cueW, sarcW float64
	neg                        map[string]float64
	deg                        map[string]float64
	markers                    map[string]lexicons.Marker
	cues                       map[rune][]lexicons.Cue // by first rune
	cueFirst                   [1 << 16 / 64]uint64    // bitmap of first runes in the BMP
	cueHigh                    bool                    // some cue starts outside the BMP
	prefix                     [1 << 16 / 64]uint64    // one-character degree and negation words
}

// entry is what the lexicons say about one word.
type entry struct {
	learned, negLearned, firstLearned, hand, neg, deg float64
	flags                                             uint8
}

const (
	hasLearned uint8 = 1 << iota
	hasNegLearned
	hasHand
	isNeg
	isDeg
	pairHead // the word starts a learned pair
	skipHead // the word starts a learned pair one word apart
	hasFirstLearned
)

// New returns a Scorer over lex with the default Config.
func New(lex *lexicons.Sentiment) *Scorer { return NewWithConfig(lex, Config{}) }

// NewWithConfig returns a Scorer over lex.
func NewWithConfig(lex *lexicons.Sentiment, cfg Config) *Scorer {
	if cfg.Band == 0 {
		cfg.Band = 0.2
	}
	var inq []string
	for _, q := range cfg.Inquiries {
		if q = strings.ToLower(strings.TrimSpace(q)); q != "" && q != "?" && q != "？" {
			inq = append(inq, q)
		}
	}
	cfg.Inquiries = inq
	if cfg.RatingWeight == 0 {
		cfg.RatingWeight = 0.8
	}
	s := &Scorer{
		cfg:     cfg,
		words:   make(map[string]entry, len(lex.Words)+len(lex.Learned)),
		pairs:   map[Feature]float64{},
		skips:   map[Feature]float64{},
		chars:   map[string]float64{},
		bias:    lex.Bias,
		lexW:    lex.LexiconWeight,
		lexNegW: lex.LexiconNegWeight,
		cueW:    lex.CueWeight,
		sarcW:   lex.SarcasmWeight,
		neg:     lex.Negations,
		deg:     lex.Degrees,
		markers: make(map[string]lexicons.Marker, len(lex.Markers)),
		cues:    map[rune][]lexicons.Cue{},
	}
	upd := func(w string, fn func(e *entry)) {
		e := s.words[w]
		fn(&e)
		s.words[w] = e
	}
	for t, w := range lex.Words {
		upd(t, func(e *entry) { e.hand, e.flags = w, e.flags|hasHand })
	}
	for t, f := range lex.Negations {
		upd(t, func(e *entry) { e.neg, e.flags = f, e.flags|isNeg })
	}
	for t, d := range lex.Degrees {
		upd(t, func(e *entry) { e.deg, e.flags = d, e.flags|isDeg })
		if r, size := utf8.DecodeRuneInString(t); size == len(t) && r < 1<<16 {
			s.prefix[r/64] |= 1 << (r % 64)
		}
	}
	for t := range lex.Negations {
		if r, size := utf8.DecodeRuneInString(t); size == len(t) && r < 1<<16 {
			s.prefix[r/64] |= 1 << (r % 64)
		}
	}
	for t, w := range lex.Learned {
		f := ParseTerm(t)
		switch {
		case f.B == "":
			upd(f.A, func(e *entry) { e.learned, e.flags = w, e.flags|hasLearned })
		case f.A == NegPrefix:
			upd(f.B, func(e *entry) { e.negLearned, e.flags = w, e.flags|hasNegLearned })
		case f.A == CharPrefix:
			s.chars[f.B] = w
		case f.A == FirstPrefix:
			upd(f.B, func(e *entry) { e.firstLearned, e.flags = w, e.flags|hasFirstLearned })
		case strings.HasPrefix(f.B, SkipMark):
			s.hasBigrams = true
			s.skips[Feature{f.A, f.B[len(SkipMark):]}] = w
			upd(f.A, func(e *entry) { e.flags |= skipHead })
		default:
			s.hasBigrams = true
			s.pairs[f] = w
			upd(f.A, func(e *entry) { e.flags |= pairHead })
		}
	}
	for _, m := range lex.Markers {
		s.markers[m.Word] = m
	}
	for _, c := range lex.Cues {
		r, _ := utf8.DecodeRuneInString(c.Text)
		s.cues[r] = append(s.cues[r], c)
		if r < 1<<16 {
			s.cueFirst[r/64] |= 1 << (r % 64)
		} else {
			s.cueHigh = true
		}
	}
	return s
}

// Markers returns the clause markers of lex for clause.Split.
func Markers(lex *lexicons.Sentiment) clause.Markers {
	var m clause.Markers
	for _, mk := range lex.Markers {
		switch mk.Kind {
		case lexicons.MarkerContrast:
			m.Contrast = append(m.Contrast, mk.Word)
		case lexicons.MarkerConcession:
			m.Concession = append(m.Concession, mk.Word)
		case lexicons.MarkerPause:
			m.Pause = append(m.Pause, mk.Word)
		}
	}
	return m
}

// Score scores one text given its tokens (from segment.Cut of the whole
// normalized text) and its clauses (rune offsets into the same text). It
// returns the text's sentiment and one sentiment per clause. A text with no
// evidence at all (and no rating) is neutral with score 0.
func (s *Scorer) Score(tokens []segment.Token, clauses []clause.Clause, opts nlp.Options) (nlp.Sentiment, []nlp.Clause) {
	out := make([]nlp.Clause, len(clauses))
	raw, ev := s.score(tokens, clauses, out, opts.Conversational)
	if opts.Rating >= 1 && opts.Rating <= 5 {
		raw += s.cfg.RatingWeight * float64(opts.Rating-3)
		ev += 2
	} else if ev == 0 {
		return nlp.Sentiment{Label: nlp.Neutral}, out
	}
	return s.sentiment(raw, ev), out
}

// Band returns the neutral band: |score| < Band is labelled neutral.
func (s *Scorer) Band() float64 { return s.cfg.Band }

// Raw returns the text's log-odds of being positive (before the rating
// prior) and the number of pieces of evidence found.
func (s *Scorer) Raw(tokens []segment.Token, clauses []clause.Clause) (float64, int) {
	return s.score(tokens, clauses, nil, false)
}

func (s *Scorer) sentiment(raw float64, ev int) nlp.Sentiment {
	score := math.Tanh(raw / 2)
	label := nlp.Neutral
	switch {
	case score >= s.cfg.Band:
		label = nlp.Positive
	case score <= -s.cfg.Band:
		label = nlp.Negative
	}
	// Confidence grows with the evidence: one feature alone is half sure.
	conf := math.Abs(score) * (1 - math.Pow(0.5, float64(ev)))
	return nlp.Sentiment{Score: score, Label: label, Confidence: conf}
}

// clauseWeight returns the weight of clause i: its own marker weight times
// 1/w when the next clause opens with a contrast marker of weight w.
func (s *Scorer) clauseWeight(clauses []clause.Clause, i int) float64 {
	w := 1.0
	if clauses[i].Kind != "" {
		if m, ok := s.markers[clauses[i].Lead]; ok && m.Kind != lexicons.MarkerPause {
			w *= m.Weight
		}
	}
	if i+1 < len(clauses) && clauses[i+1].Kind == clause.Contrast {
		if m, ok := s.markers[clauses[i+1].Lead]; ok && m.Kind == lexicons.MarkerContrast {
			w /= m.Weight
		}
	}
	return w
}

// isWord reports whether a token can be a feature: it starts with a letter
// or digit and holds none of the term syntax characters.
func isWord(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	switch {
	case r >= 0x4E00 && r <= 0x9FFF: // CJK unified ideographs, the usual case
	case r < utf8.RuneSelf:
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	case !unicode.IsLetter(r) && !unicode.IsDigit(r):
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] == '+' || t[i] == '|' {
			return false
		}
	}
	return true
}

// scopeLen is how many words a negation or degree word reaches.
const scopeLen = 3

// The scorer and the feature extractor read a text the same way: clause by
// clause, word by word, with the same rules for what counts. score sums
// the learned weights of the features it meets (the hot path: a map lookup
// only for a word that may start a learned feature); Features reports every
// feature to the learner. What they share is below: the walk state of a
// clause (wordWalk) and the clause-level rules (clauseRules).

// score runs the model over the text. It fills out (when not nil) with the
// clause sentiments and returns the raw score and the evidence count. With
// conv set, a question clause without negation counts its hand-written
// words and cues only (Config.Inquiries).
func (s *Scorer) score(tokens []segment.Token, clauses []clause.Clause, out []nlp.Clause, conv bool) (float64, int) {
	raw, evidence := s.bias, 0
	sarcastic := s.sarcastic(clauses)
	ti := 0
	for ci := range clauses {
		c := &clauses[ci]
		cw := s.clauseWeight(clauses, ci)
		var learned float64
		ev := 0 // learned evidence; w.handEv counts the hand-written words
		first := opensVerdict(clauses, ci)
		var w wordWalk
		for t, e := range w.words(s, tokens, &ti, c) {
			if conv && !w.negated && e.flags&isNeg == 0 && s.opensWithNegation(t) {
				w.negated = true // a word opened by a negation (没到, 不想) negates too
			}
			if w.prev != "" && w.prevE.flags&pairHead != 0 {
				if x, ok := s.pairs[Feature{w.prev, t}]; ok {
					learned += x
					ev++
				}
			}
			if w.prev2 != "" && w.prev2E.flags&skipHead != 0 && w.thinMiddle() {
				if x, ok := s.skips[Feature{w.prev2, t}]; ok {
					learned += x
					ev++
				}
			}
			if first && e.flags&hasFirstLearned != 0 {
				learned += e.firstLearned
				ev++
			}
			if w.step(s, t, e) {
				if e.flags&hasNegLearned != 0 {
					learned += e.negLearned
					ev++
				}
			} else if e.flags&hasLearned != 0 {
				learned += e.learned
				ev++
			}
		}
		if len(s.chars) > 0 {
			var sum float64
			for p := range hanPairs(c.Text) {
				if x, ok := s.chars[p]; ok {
					sum += x
					ev++
				}
			}
			learned += sum
		}
		after := clauseAfter(tokens, ti, clauses, ci)
		hand, cues, sarc, n := s.clauseRules(c.Text, w.hand, sarcastic, after)
		ev += w.handEv + n
		// In a conversation a question without negation is an inquiry: what
		// its words learned from reviews (where questions are rhetorical
		// complaints) does not apply; only hand-written opinion words and
		// cues count.
		if conv && !w.negated && s.question(c.Text, after) {
			learned, ev = 0, w.handEv+n
			if ev == 0 {
				if out != nil {
					out[ci] = nlp.Clause{Span: [2]int{c.Start, c.End}, Sentiment: nlp.Sentiment{Label: nlp.Neutral}}
				}
				continue
			}
		}
		lexW := s.lexW
		if hand < 0 {
			lexW = s.lexNegW
		}
		cr := learned + lexW*hand + s.cueW*cues + s.sarcW*sarc
		raw += cw * cr
		evidence += ev
		if out != nil {
			out[ci] = nlp.Clause{Span: [2]int{c.Start, c.End}, Sentiment: nlp.Sentiment{Label: nlp.Neutral}}
			if ev > 0 {
				out[ci].Sentiment = s.sentiment(cr, ev)
			}
		}
	}
	return raw, evidence
}

// Features calls fn for every occurrence of a feature in the text with its
// value (the clause weight, or for the special features the weighted
// evidence). The learner fits the weights of these features; Raw equals the
// bias plus the sum of weight·value over these calls.
func (s *Scorer) Features(tokens []segment.Token, clauses []clause.Clause, fn func(f Feature, x float64)) {
	sarcastic := s.sarcastic(clauses)
	ti := 0
	for ci := range clauses {
		c := &clauses[ci]
		cw := s.clauseWeight(clauses, ci)
		first := opensVerdict(clauses, ci)
		var w wordWalk
		for t, e := range w.words(s, tokens, &ti, c) {
			if w.prev != "" {
				fn(Feature{w.prev, t}, cw)
			}
			if w.prev2 != "" && w.thinMiddle() {
				fn(Feature{w.prev2, SkipMark + t}, cw)
			}
			if first {
				fn(Feature{FirstPrefix, t}, cw)
			}
			if w.step(s, t, e) {
				fn(Feature{NegPrefix, t}, cw)
			} else {
				fn(Feature{t, ""}, cw)
			}
		}
		for p := range hanPairs(c.Text) {
			fn(Feature{CharPrefix, p}, cw)
		}
		hand, cues, sarc, _ := s.clauseRules(c.Text, w.hand, sarcastic, clauseAfter(tokens, ti, clauses, ci))
		switch {
		case hand > 0:
			fn(featLexicon, cw*hand)
		case hand < 0:
			fn(featLexiconNeg, cw*hand)
		}
		if cues != 0 {
			fn(featCues, cw*cues)
		}
		if sarc != 0 {
			fn(featSarcasm, cw*sarc)
		}
	}
}

// wordWalk is the state of the walk over the words of one clause: the two
// previous words (for pairs), the negation and degree scopes, and the
// hand-written evidence found so far.
type wordWalk struct {
	prev, prev2   string
	prevE, prev2E entry
	negF          float64 // the factor of the open negation scope
	negLeft       int     // words left in it
	degM          float64 // the multiplier of the open degree scope
	degLeft       int
	negated       bool // a negation word in the clause
	hand          float64
	handEv        int
}

// words yields the words of clause c with their lexicon entries, from
// token *ti on (tokens before the clause are skipped), and leaves *ti at
// the first token past the clause. A token that is no word (punctuation,
// emoji) is not yielded, and no pair spans it.
func (w *wordWalk) words(s *Scorer, tokens []segment.Token, ti *int, c *clause.Clause) iter.Seq2[string, entry] {
	return func(yield func(string, entry) bool) {
		for *ti < len(tokens) && tokens[*ti].Start < c.Start {
			*ti++
		}
		for ; *ti < len(tokens) && tokens[*ti].Start < c.End; *ti++ {
			t := tokens[*ti].Text
			if !isWord(t) {
				w.prev, w.prev2 = "", ""
				continue
			}
			if !yield(t, s.words[t]) {
				return
			}
		}
	}
}

// thinMiddle reports whether the previous word is thin (one character, a
// degree or a negation word), so that a pair one word apart spans it (不太好,
// 慢了点, 不怎么好): over a content word such a pair is mostly noise.
func (w *wordWalk) thinMiddle() bool {
	return w.prevE.flags&(isNeg|isDeg) != 0 || utf8.RuneCountInString(w.prev) == 1
}

// step moves the walk past word t: a negation or degree word opens its
// scope; any other word adds its hand-written weight, scaled by the open
// scopes, which it closes. It reports whether t's learned feature is the
// negated one (不|t): t is in a negation scope.
func (w *wordWalk) step(s *Scorer, t string, e entry) (negScope bool) {
	w.prev2, w.prev2E = w.prev, w.prevE
	w.prev, w.prevE = t, e
	if e.flags&isNeg != 0 {
		w.negated = true
		if w.negLeft > 0 {
			w.negF *= e.neg
		} else {
			w.negF = e.neg
		}
		w.negLeft = scopeLen
		return false
	}
	if e.flags&isDeg != 0 {
		w.degM, w.degLeft = e.deg, scopeLen
		return false
	}
	negScope = w.negLeft > 0
	if h, ok := s.handWord(t, e); ok {
		if w.negLeft > 0 {
			h *= w.negF
			w.negLeft = 0
		}
		if w.degLeft > 0 {
			h *= w.degM
			w.degLeft = 0
		}
		w.hand += h
		w.handEv++
	}
	w.negLeft--
	w.degLeft--
	return negScope
}

// sarcastic reports whether a sarcasm cue stands anywhere in the text
// (呵呵，真是好棒的服务): it turns the whole text's praise to scorn.
func (s *Scorer) sarcastic(clauses []clause.Clause) bool {
	for ci := range clauses {
		if _, _, sc, _ := s.matchCues(clauses[ci].Text); sc {
			return true
		}
	}
	return false
}

// opensVerdict reports whether clause ci is the first of several that does
// not open with a concession (虽然…): reviews open with their verdict.
func opensVerdict(clauses []clause.Clause, ci int) bool {
	return ci == 0 && len(clauses) > 1 && clauses[ci].Kind != clause.Concession
}

// clauseAfter returns the punctuation token after clause ci, if any; ti is
// the index of the first token past the clause's words.
func clauseAfter(tokens []segment.Token, ti int, clauses []clause.Clause, ci int) string {
	if ti < len(tokens) && tokens[ti].Start >= clauses[ci].End && (ci+1 == len(clauses) || tokens[ti].Start < clauses[ci+1].Start) {
		return tokens[ti].Text
	}
	return ""
}

// clauseRules matches the cues of a clause and applies the clause-level
// rules to its hand-written sum: in a sarcastic text praise is scorn, and an
// exclamation mark after the clause intensifies its words and cues. It
// returns the hand-written, emoji and sarcasm sums and the number of cues.
func (s *Scorer) clauseRules(text string, hand float64, sarcastic bool, after string) (h, cues, sarc float64, n int) {
	cues, sarc, _, n = s.matchCues(text)
	if sarcastic && hand > 0 {
		hand *= -0.5 // praise said with 呵呵 is scorn
	}
	if strings.ContainsAny(after, "!！") {
		hand *= 1.3
		cues *= 1.3
		sarc *= 1.3
	}
	return hand, cues, sarc, n
}

// opensWithNegation reports whether word t of several characters starts
// with a negation word (没到, 不想).
func (s *Scorer) opensWithNegation(t string) bool {
	_, size := utf8.DecodeRuneInString(t)
	return size < len(t) && s.words[t[:size]].flags&isNeg != 0
}

// question reports whether a clause is a question: followed by a question
// mark, or holding an inquiry cue.
func (s *Scorer) question(text, after string) bool {
	if strings.ContainsAny(after, "?？") {
		return true
	}
	if len(s.cfg.Inquiries) == 0 {
		return false
	}
	text = strings.ToLower(text)
	for _, q := range s.cfg.Inquiries {
		if strings.Contains(text, q) {
			return true
		}
	}
	return false
}

// handWord returns the hand-written weight of word t. A word the
// segmenter kept whole with a leading degree or negation character (太差,
// 不好) gets the weight of the rest, multiplied.
func (s *Scorer) handWord(t string, e entry) (float64, bool) {
	if e.flags&hasHand != 0 {
		return e.hand, true
	}
	r, size := utf8.DecodeRuneInString(t)
	if size == len(t) || r >= 1<<16 || s.prefix[r/64]&(1<<(r%64)) == 0 {
		return 0, false
	}
	rest, ok := s.words[t[size:]]
	if !ok || rest.flags&hasHand == 0 {
		return 0, false
	}
	head := s.words[t[:size]]
	switch {
	case head.flags&isDeg != 0:
		return rest.hand * head.deg, true
	case head.flags&isNeg != 0:
		return rest.hand * head.neg, true
	}
	return 0, false
}

// hanPairs yields the pairs of adjacent Han characters of text.
func hanPairs(text string) iter.Seq[string] {
	return func(yield func(string) bool) {
		prevAt, prevHan := 0, false
		for i, r := range text {
			han := r >= 0x4E00 && r <= 0x9FFF
			if han && prevHan && !yield(text[prevAt:i+3]) { // Han characters of the BMP are 3 bytes
				return
			}
			prevAt, prevHan = i, han
		}
	}
}

// CueStands reports whether a cue followed by rest is the cue and not the
// start of a longer word: 就这 is scorn (就这？ 就这质量), 就这些 and 就这样
// are not. The analyzer asks it before it turns praise points into pains;
// the scorer counts every match (its learned weights were fitted so).
func CueStands(cue, rest string) bool {
	if cue != "就这" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return !strings.ContainsRune("些样么个种款次里边一点两位块", r)
}

// matchCues sums the emoji and the sarcasm cues found in text (the longest
// at each place, so that 真是服了 does not count 服了 again), reports
// whether one was sarcasm, and counts them.
func (s *Scorer) matchCues(text string) (emoji, sarc float64, sarcastic bool, n int) {
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r < 1<<16 {
			if s.cueFirst[r/64]&(1<<(r%64)) == 0 {
				i += size
				continue
			}
		} else if !s.cueHigh {
			i += size
			continue
		}
		best := -1
		for k, c := range s.cues[r] {
			if strings.HasPrefix(text[i:], c.Text) && (best < 0 || len(c.Text) > len(s.cues[r][best].Text)) {
				best = k
			}
		}
		if best < 0 {
			i += size
			continue
		}
		c := s.cues[r][best]
		if c.Sarcasm {
			sarc += c.Weight
			sarcastic = true
		} else {
			emoji += c.Weight
		}
		n++
		i += len(c.Text)
	}
	return emoji, sarc, sarcastic, n
}
