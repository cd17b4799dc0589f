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
	raw, ev := s.walk(tokens, clauses, nil, out, opts.Conversational)
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
	return s.walk(tokens, clauses, nil, nil, false)
}

// Features calls fn for every occurrence of a feature in the text with its
// value (the clause weight, or for the special features the weighted
// evidence). The learner fits the weights of these features; Raw equals the
// bias plus the sum of weight·value over these calls.
func (s *Scorer) Features(tokens []segment.Token, clauses []clause.Clause, fn func(f Feature, x float64)) {
	s.walk(tokens, clauses, fn, nil, false)
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

// walk runs the model over the text. With fn set it reports features;
// otherwise it sums learned weights. It fills out (when not nil) with the
// clause sentiments and returns the raw score and the evidence count. With
// conv set (fn nil), a question clause without negation counts its
// hand-written words and cues only (Config.Inquiries).
func (s *Scorer) walk(tokens []segment.Token, clauses []clause.Clause, fn func(Feature, float64), out []nlp.Clause, conv bool) (float64, int) {
	raw := s.bias
	if fn != nil {
		raw = 0
	}
	evidence := 0
	ti := 0
	// Sarcasm anywhere (呵呵，真是好棒的服务) turns the text's praise to scorn.
	sarcastic := false
	for ci := range clauses {
		if _, _, sc, _ := s.matchCues(clauses[ci].Text); sc {
			sarcastic = true
			break
		}
	}
	for ci := range clauses {
		c := &clauses[ci]
		cw := s.clauseWeight(clauses, ci)
		for ti < len(tokens) && tokens[ti].Start < c.Start {
			ti++
		}
		var learned, hand float64
		ev, handEv := 0, 0 // all evidence; hand-written words
		negated := false   // a negation word in the clause
		negF, negLeft := 0.0, 0
		degM, degLeft := 1.0, 0
		prev, prev2 := "", ""
		var prevE, prev2E entry
		// A text that opens with a concession (虽然…) does not open with its
		// verdict.
		first := ci == 0 && len(clauses) > 1 && c.Kind != clause.Concession
		for ; ti < len(tokens) && tokens[ti].Start < c.End; ti++ {
			t := tokens[ti].Text
			if !isWord(t) {
				prev, prev2 = "", ""
				continue
			}
			e := s.words[t]
			if conv && !negated && e.flags&isNeg == 0 {
				// a word opened by a negation (没到, 不想) negates too
				if _, size := utf8.DecodeRuneInString(t); size < len(t) && s.words[t[:size]].flags&isNeg != 0 {
					negated = true
				}
			}
			if prev != "" {
				if fn != nil {
					fn(Feature{prev, t}, cw)
				} else if prevE.flags&pairHead != 0 {
					if w, ok := s.pairs[Feature{prev, t}]; ok {
						learned += w
						ev++
					}
				}
			}
			// A pair one word apart only over a thin middle word (不太好,
			// 慢了点, 不怎么好): over a content word it is mostly noise.
			if prev2 != "" && (prevE.flags&(isNeg|isDeg) != 0 || utf8.RuneCountInString(prev) == 1) {
				if fn != nil {
					fn(Feature{prev2, SkipMark + t}, cw)
				} else if prev2E.flags&skipHead != 0 {
					if w, ok := s.skips[Feature{prev2, t}]; ok {
						learned += w
						ev++
					}
				}
			}
			if first {
				if fn != nil {
					fn(Feature{FirstPrefix, t}, cw)
				} else if e.flags&hasFirstLearned != 0 {
					learned += e.firstLearned
					ev++
				}
			}
			prev2, prev2E = prev, prevE
			prev, prevE = t, e
			if e.flags&isNeg != 0 {
				negated = true
				if negLeft > 0 {
					negF *= e.neg
				} else {
					negF = e.neg
				}
				negLeft = scopeLen
				learned += s.learnedWord(t, e, false, cw, fn, &ev)
				continue
			}
			if e.flags&isDeg != 0 {
				degM, degLeft = e.deg, scopeLen
				learned += s.learnedWord(t, e, false, cw, fn, &ev)
				continue
			}
			learned += s.learnedWord(t, e, negLeft > 0, cw, fn, &ev)
			if h, ok := s.handWord(t, e); ok {
				if negLeft > 0 {
					h *= negF
					negLeft = 0
				}
				if degLeft > 0 {
					h *= degM
					degLeft = 0
				}
				hand += h
				ev++
				handEv++
			}
			negLeft--
			degLeft--
		}
		if fn != nil || len(s.chars) > 0 {
			learned += s.charPairs(c.Text, cw, fn, &ev)
		}
		cues, sarc, _, n := s.matchCues(c.Text)
		ev += n
		if sarcastic && hand > 0 {
			hand *= -0.5 // praise said with 呵呵 is scorn
		}
		// The punctuation after the clause, if any.
		after := ""
		if ti < len(tokens) && tokens[ti].Start >= c.End && (ci+1 == len(clauses) || tokens[ti].Start < clauses[ci+1].Start) {
			after = tokens[ti].Text
		}
		// An exclamation mark after the clause intensifies its words.
		if strings.ContainsAny(after, "!！") {
			hand *= 1.3
			cues *= 1.3
			sarc *= 1.3
		}
		// In a conversation a question without negation is an inquiry: what
		// its words learned from reviews (where questions are rhetorical
		// complaints) does not apply; only hand-written opinion words and
		// cues count.
		if conv && fn == nil && !negated && s.question(c.Text, after) {
			learned, ev = 0, handEv+n
			if ev == 0 {
				if out != nil {
					out[ci] = nlp.Clause{Span: [2]int{c.Start, c.End}, Sentiment: nlp.Sentiment{Label: nlp.Neutral}}
				}
				continue
			}
		}
		if fn != nil {
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
			continue
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

// learnedWord reports word t (negated or not) to fn, or returns its
// learned weight.
func (s *Scorer) learnedWord(t string, e entry, negated bool, cw float64, fn func(Feature, float64), ev *int) float64 {
	if fn != nil {
		if negated {
			fn(Feature{NegPrefix, t}, cw)
		} else {
			fn(Feature{t, ""}, cw)
		}
		return 0
	}
	if negated {
		if e.flags&hasNegLearned != 0 {
			*ev++
			return e.negLearned
		}
		return 0
	}
	if e.flags&hasLearned != 0 {
		*ev++
		return e.learned
	}
	return 0
}

// charPairs reports the pairs of adjacent Han characters of text to fn, or
// returns the sum of their learned weights.
func (s *Scorer) charPairs(text string, cw float64, fn func(Feature, float64), ev *int) float64 {
	var sum float64
	prevAt, prevHan := 0, false
	for i, r := range text {
		han := r >= 0x4E00 && r <= 0x9FFF
		if han && prevHan {
			p := text[prevAt : i+3] // Han characters of the BMP are 3 bytes
			if fn != nil {
				fn(Feature{CharPrefix, p}, cw)
			} else if w, ok := s.chars[p]; ok {
				sum += w
				*ev++
			}
		}
		prevAt, prevHan = i, han
	}
	return sum
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
