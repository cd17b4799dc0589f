// Package check checks lexicons against the analysis they drive: terms
// that normalization or the segmenter keep from ever matching, taxonomy
// terms that do not match in the sentences they are written for, and the
// test lines of the lexicon files (lexicons.TestCase).
//
// lexicons.Validate checks what the data alone shows; this package adds
// what needs the segmenter, the matcher and the analyzer, which the
// lexicons package cannot import.
package check

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
	"github.com/vocproject/voc/nlp/normalize"
	"github.com/vocproject/voc/nlp/segment"
)

// Validation is lexicons.Validation plus the analyzer built over the set
// (nil when the set does not load).
type Validation struct {
	*lexicons.Validation
	Analyzer  *analyzer.Analyzer
	Segmenter *segment.Segmenter
}

// Validate runs lexicons.Validate and, when the set loads, the checks that
// need the segmenter and the matcher. The first call in a process loads the
// segmenter dictionary (~3 s).
func Validate(fsys fs.FS) (*Validation, error) { return ValidatePacks(fsys, nil) }

// ValidatePacks is Validate with a pack selection (nil: the default).
func ValidatePacks(fsys fs.FS, packs []string) (*Validation, error) {
	v := &Validation{Validation: lexicons.ValidatePacks(fsys, packs)}
	if v.Set == nil {
		return v, nil
	}
	seg, err := segment.New(v.Set.Domain)
	if err != nil {
		return nil, fmt.Errorf("lexcheck: %w", err)
	}
	// the probes ask whether the taxonomy's terms match: topic mentions,
	// open extraction and clause sides would answer for them
	an, err := analyzer.NewWithConfig(v.Set, segment.NewHolder(seg), analyzer.Config{TaxonomyOnly: true})
	if err != nil {
		return nil, fmt.Errorf("lexcheck: %w", err)
	}
	v.Analyzer, v.Segmenter = an, seg
	v.Problems = append(v.Problems, Normalization(v.Entries)...)
	v.Problems = append(v.Problems, Tokens(seg, v.Entries)...)
	v.Problems = append(v.Problems, Numbers(v.Entries)...)
	// the probes leave out the terms already explained
	explained := map[string]bool{}
	for _, p := range v.Problems {
		if p.Term != "" {
			explained[fmt.Sprintf("%s:%d:%s", p.File, p.Line, p.Term)] = true
		}
	}
	v.Problems = append(v.Problems, Probe(an, seg, v.Entries, func(e lexicons.Entry) bool {
		return explained[fmt.Sprintf("%s:%d:%s", e.File, e.Line, e.Term)]
	})...)
	lexicons.SortProblems(v.Problems)
	return v, nil
}

// Normalization reports terms that text never holds after normalization
// (traditional characters, full-width forms, long repeats, markup): the
// matchers see normalized text only, so such a term can never match.
func Normalization(entries []lexicons.Entry) []lexicons.Problem {
	var ps []lexicons.Problem
	var bulk []string
	first := lexicons.Entry{}
	for _, e := range entries {
		if e.Kind == "category" {
			continue
		}
		want := strings.ToLower(e.Term)
		got := normalize.Normalize(e.Term).S
		if got == want {
			continue
		}
		if e.Source() == lexicons.SentimentFile {
			if len(bulk) == 0 {
				first = e
			}
			bulk = append(bulk, fmt.Sprintf("%s (line %d)", e.Term, e.Line))
			continue
		}
		ps = append(ps, lexicons.Problem{File: e.File, Line: e.Line, Warning: true, Check: "normalization", Term: e.Term,
			Msg: fmt.Sprintf("%s %q becomes %q in normalized text: it can never match as written", e.Kind, e.Term, got)})
	}
	if len(bulk) > 0 {
		ps = append(ps, lexicons.Problem{File: first.File, Line: first.Line, Warning: true, Check: "normalization",
			Msg: fmt.Sprintf("%d terms of %s change in normalized text (traditional characters, full-width forms) and never match: %s",
				len(bulk), lexicons.SentimentFile, listSome(bulk, 8))})
	}
	return ps
}

// listSome joins the first n items and says how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

// Numbers reports taxonomy terms in which the number pattern is followed
// by a numeral: the matcher's {N} takes every numeral after it (十多天 is
// one number), so such a term never matches.
func Numbers(entries []lexicons.Entry) []lexicons.Problem {
	var ps []lexicons.Problem
	for _, e := range entries {
		r, ok := numeralAfterPattern(e)
		if !ok {
			continue
		}
		fixed := strings.Replace(e.Term, lexicons.NumberPattern+string(r), lexicons.NumberPattern, 1)
		ps = append(ps, lexicons.Problem{File: e.File, Line: e.Line, Warning: true, Check: "unreachable", Term: e.Term,
			Msg: fmt.Sprintf("%s never matches: %s takes every numeral after it (十多, 十来, 两三 are one number), so no %q can follow; write %q, which matches %s too",
				what(e), lexicons.NumberPattern, string(r), fixed, strings.Replace(fixed, lexicons.NumberPattern, "三十"+string(r), 1))})
	}
	return ps
}

// numeralAfterPattern returns the numeral that follows {N} in e's term.
func numeralAfterPattern(e lexicons.Entry) (rune, bool) {
	if e.Source() != lexicons.TaxonomyFile {
		return 0, false
	}
	_, rest, ok := strings.Cut(e.Term, lexicons.NumberPattern)
	if !ok {
		return 0, false
	}
	r, _ := utf8.DecodeRuneInString(rest)
	if r >= '0' && r <= '9' || strings.ContainsRune("多来一二三四五六七八九十百千万两俩仨几半零〇", r) {
		return r, true
	}
	return 0, false
}

// Tokens reports words that the sentiment scorer looks up per token but
// the segmenter never produces whole, and domain words the segmenter still
// cuts.
func Tokens(seg *segment.Segmenter, entries []lexicons.Entry) []lexicons.Problem {
	var ps []lexicons.Problem
	for _, e := range entries {
		switch {
		case e.Kind == "domain":
		case e.Source() == lexicons.SentimentVocFile, e.Source() == lexicons.NegationFile, e.Source() == lexicons.DegreeFile:
		default:
			continue // sentiment.tsv: a public list, checked in bulk below
		}
		toks := seg.Cut(strings.ToLower(e.Term))
		if len(toks) <= 1 {
			continue
		}
		msg := fmt.Sprintf("%s %q is cut %s by the segmenter: words are looked up per token, so it never counts; add it to %s",
			e.Kind, e.Term, cutString(toks), lexicons.DomainFile)
		if e.Kind == "domain" {
			msg = fmt.Sprintf("domain word %q is still cut %s: give it a higher frequency", e.Term, cutString(toks))
		}
		ps = append(ps, lexicons.Problem{File: e.File, Line: e.Line, Warning: true, Check: "segmentation", Msg: msg})
	}
	// sentiment.tsv holds many phrases from public lists that are never a
	// token; one line says how many.
	var bulk []string
	first := lexicons.Entry{}
	for _, e := range entries {
		if e.Source() == lexicons.SentimentFile && e.Kind == "sentiment" && len(seg.Cut(strings.ToLower(e.Term))) > 1 {
			if len(bulk) == 0 {
				first = e
			}
			bulk = append(bulk, fmt.Sprintf("%s (line %d)", e.Term, e.Line))
		}
	}
	if len(bulk) > 0 {
		ps = append(ps, lexicons.Problem{File: first.File, Line: first.Line, Warning: true, Check: "segmentation",
			Msg: fmt.Sprintf("%d terms of %s are never a single token and never count; add the ones that matter to %s: %s",
				len(bulk), lexicons.SentimentFile, lexicons.DomainFile, listSome(bulk, 8))})
	}
	return ps
}

func cutString(toks []segment.Token) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.Text
	}
	return strings.Join(parts, "|")
}

// probeSet is the vocabulary the probe sentences are built from.
type probeSet struct {
	aspects  map[string][]string // category\x00group → aspect terms (first few, not attributes)
	opinions map[string][]string // category\x00group → explicit opinion terms
	generic  []string            // generic praise/pain opinions
	cats     map[string][]string // term → categories of its aspect entries
	modifier string
	overall  string
}

const probeFew = 3

func newProbeSet(entries []lexicons.Entry) *probeSet {
	p := &probeSet{aspects: map[string][]string{}, opinions: map[string][]string{}, cats: map[string][]string{}}
	catNames := []string{}
	for _, e := range entries {
		if e.Source() != lexicons.TaxonomyFile {
			continue
		}
		switch e.Kind {
		case "category":
			catNames = append(catNames, e.Term)
		case "aspect":
			key := lexicons.MatchKey(e.Term)
			if !slices.Contains(p.cats[key], e.Category) {
				p.cats[key] = append(p.cats[key], e.Category)
			}
			if e.Attr || strings.Contains(e.Term, lexicons.NumberPattern) {
				continue
			}
			for _, k := range []string{e.Category + "\x00" + e.Group, e.Category + "\x00*"} {
				if len(p.aspects[k]) < probeFew {
					p.aspects[k] = append(p.aspects[k], e.Term)
				}
			}
		case "opinion":
			if strings.Contains(e.Term, lexicons.NumberPattern) {
				continue
			}
			if e.Category == lexicons.AnyCategory {
				if len(p.generic) < probeFew {
					p.generic = append(p.generic, e.Term)
				}
				continue
			}
			k := e.Category + "\x00" + e.Group
			if len(p.opinions[k]) < probeFew {
				p.opinions[k] = append(p.opinions[k], e.Term)
			}
		case "modifier":
			if p.modifier == "" || e.Term == "很" {
				p.modifier = e.Term
			}
		}
	}
	if slices.Contains(catNames, "整体") {
		p.overall = "整体"
	} else if len(catNames) > 0 {
		p.overall = catNames[0]
	}
	return p
}

// aspectsFor returns aspect terms an opinion of category cat and group
// group attaches to.
func (p *probeSet) aspectsFor(cat, group string) []string {
	if cat == lexicons.AnyCategory {
		cat = p.overall
	}
	if a := p.aspects[cat+"\x00"+group]; len(a) > 0 {
		return a
	}
	return p.aspects[cat+"\x00*"]
}

// opinionsFor returns opinion terms that fit an aspect of cat and group.
func (p *probeSet) opinionsFor(cat, group string) []string {
	var out []string
	out = append(out, p.opinions[cat+"\x00"+group]...)
	if group != "" {
		out = append(out, p.opinions[cat+"\x00"]...)
	}
	return append(out, p.generic...)
}

// Probe analyses short sentences built for every aspect, opinion and
// implicit term of the taxonomy (aspect + opinion, aspect + degree word +
// opinion, an implicit phrase alone) and reports the terms that match in
// none of them, with the segmenter's cut when a word crosses the term's
// edge. Entries for which skip returns true are not probed. Such a term is dead or nearly so: the matcher takes a term only
// where it agrees with the segmentation, and the longest term at each
// place.
func Probe(an *analyzer.Analyzer, seg *segment.Segmenter, entries []lexicons.Entry, skip func(lexicons.Entry) bool) []lexicons.Problem {
	p := newProbeSet(entries)
	var ps []lexicons.Problem
	seen := map[string]bool{}
	// aspects first: an opinion glued to an aspect that is reported
	// itself is not reported again
	ordered := make([]lexicons.Entry, 0, len(entries))
	for _, aspects := range []bool{true, false} {
		for _, e := range entries {
			if (e.Kind == "aspect") == aspects {
				ordered = append(ordered, e)
			}
		}
	}
	badAspect := map[string]bool{}
	for _, e := range ordered {
		if e.Source() != lexicons.TaxonomyFile || skip != nil && skip(e) {
			continue
		}
		key := e.Kind + "\x00" + e.Point + "\x00" + e.Category + "\x00" + e.Group + "\x00" + e.Term
		if seen[key] {
			continue
		}
		seen[key] = true
		var sentences []probe
		for _, term := range numberVariants(e.Term) {
			switch e.Kind {
			case "opinion":
				for _, a := range p.aspectsFor(e.Category, e.Group) {
					if lexicons.MatchKey(a) != lexicons.MatchKey(e.Term) {
						sentences = append(sentences, probe{a, term, ""}, probe{a + p.modifier, term, ""})
					}
				}
			case "implicit":
				sentences = append(sentences, probe{"", term, ""}, probe{p.modifier, term, ""})
			case "aspect":
				if e.Attr {
					continue // an attribute follows another aspect; alone it is like any aspect
				}
				for _, o := range p.opinionsFor(e.Category, e.Group) {
					if lexicons.MatchKey(o) != lexicons.MatchKey(e.Term) {
						sentences = append(sentences, probe{"", term, o}, probe{"", term, p.modifier + o})
					}
				}
			}
		}
		if len(sentences) == 0 {
			continue
		}
		var failed []probe
		for _, s := range sentences {
			if !p.matches(an, e, s) {
				failed = append(failed, s)
			}
		}
		switch {
		case len(failed) == len(sentences):
			if e.Kind == "aspect" {
				badAspect[e.Term] = true
			}
			ps = append(ps, p.explain(an, seg, e, sentences))
		case len(failed) > 0:
			// A failure in a sentence without a degree word, at a word
			// the dictionary does not know (the HMM made it), is the
			// segmenter gluing an unknown term to its neighbour. For an
			// opinion it must happen after more than one of the aspects
			// tried, else that aspect is to blame (and reported).
			var first probe
			var glued lexicons.Entry
			aspects := map[string]bool{}
			for _, s := range failed {
				if p.modifier != "" && (strings.HasSuffix(s.before, p.modifier) || strings.HasPrefix(s.after, p.modifier)) {
					continue
				}
				if e.Kind == "opinion" && badAspect[s.before] {
					continue
				}
				if tok, ok := crossingToken(seg, s); ok && tok.POS == "" {
					if len(aspects) == 0 {
						first, glued = s, e
					}
					aspects[s.before] = true
				}
			}
			tried := map[string]bool{}
			for _, s := range sentences {
				tried[s.before] = true
			}
			if len(aspects) == 0 || e.Kind == "opinion" && len(aspects) < 2 && len(tried) > 1 {
				continue
			}
			if e.Kind == "aspect" {
				badAspect[e.Term] = true
			}
			tok, _ := crossingToken(seg, first)
			advice := fmt.Sprintf("add %q to %s", glued.Term, lexicons.DomainFile)
			if e.Kind != "aspect" {
				advice = "add the words to " + lexicons.DomainFile
			}
			ps = append(ps, lexicons.Problem{File: e.File, Line: e.Line, Warning: true, Check: "segmentation", Term: e.Term,
				Msg: fmt.Sprintf("%s does not match in %s: the segmenter, not knowing the words, cuts it %s (%q crosses the term's edge); %s",
					what(e), first.text(), cutString(seg.Cut(normalize.Normalize(first.text()).S)), tok.Text, advice)})
		}
	}
	return ps
}

// numberVariants returns term with its number patterns replaced by a few
// kinds of numbers (digits, Chinese numerals; digits only in a decimal).
func numberVariants(term string) []string {
	if !strings.Contains(term, lexicons.NumberPattern) {
		return []string{term}
	}
	if strings.Contains(term, lexicons.NumberPattern+"."+lexicons.NumberPattern) {
		// a decimal (市区{N}.{N}) is written in digits
		return []string{strings.ReplaceAll(term, lexicons.NumberPattern, "3")}
	}
	var out []string
	for _, n := range []string{"3", "三", "十", "三十"} {
		out = append(out, strings.ReplaceAll(term, lexicons.NumberPattern, n))
	}
	return out
}

// probe is a sentence before + term + after.
type probe struct{ before, term, after string }

func (s probe) text() string { return s.before + s.term + s.after }

// matches reports whether the analysis of s shows entry e where it is.
func (p *probeSet) matches(an *analyzer.Analyzer, e lexicons.Entry, s probe) bool {
	r := an.Analyze(s.text(), nlp.Options{})
	term := strings.ToLower(s.term)
	start := utf8.RuneCountInString(s.before)
	end := start + utf8.RuneCountInString(s.term)
	for _, a := range r.Aspects {
		if a.Span[0] > start || a.Span[1] < end {
			continue
		}
		switch e.Kind {
		case "aspect":
			if a.Aspect == term && slices.Contains(p.cats[lexicons.MatchKey(e.Term)], a.Category) {
				return true
			}
		case "opinion", "implicit":
			want := nlp.Positive
			if e.Polarity < 0 {
				want = nlp.Negative
			}
			if a.Polarity != want || !strings.Contains(a.Opinion, term) {
				continue
			}
			if e.Category == lexicons.AnyCategory || a.Category+"/"+a.Subcategory == e.Point {
				return true
			}
		}
	}
	return false
}

// explain describes why e matched in none of sentences.
func (p *probeSet) explain(an *analyzer.Analyzer, seg *segment.Segmenter, e lexicons.Entry, sentences []probe) lexicons.Problem {
	s := sentences[len(sentences)-1]
	for _, c := range sentences {
		if crossing(seg, c) != "" {
			s = c
			break
		}
	}
	var texts []string
	for _, c := range sentences {
		texts = append(texts, c.text())
	}
	if len(texts) > 3 {
		texts = texts[:3]
	}
	msg := fmt.Sprintf("%s matches in none of %s", what(e), strings.Join(texts, ", "))
	check := "unreachable"
	if w := crossing(seg, s); w != "" {
		check = "segmentation"
		msg += fmt.Sprintf(": the segmenter cuts %s as %s, the word %q crosses the term's edge", s.text(), cutString(seg.Cut(normalize.Normalize(s.text()).S)), w)
	} else {
		r := an.Analyze(s.text(), nlp.Options{})
		var found []string
		for _, a := range r.Aspects {
			found = append(found, FormatAspect(a)+" ("+a.Opinion+")")
		}
		if len(found) == 0 {
			found = []string{"nothing"}
		}
		msg += fmt.Sprintf(": %s (cut %s) gives %s", s.text(), cutString(seg.Cut(normalize.Normalize(s.text()).S)), strings.Join(found, ", "))
	}
	return lexicons.Problem{File: e.File, Line: e.Line, Warning: true, Check: check, Msg: msg}
}

func what(e lexicons.Entry) string {
	s := fmt.Sprintf("%s %q", e.Kind, e.Term)
	switch {
	case e.Point != "":
		s += " (" + e.Point + ")"
	case e.Kind == "aspect":
		s += " (" + e.Category + ")"
	}
	return s
}

// crossing returns the word of the cut of s that crosses an edge of the
// term, "" if none.
func crossing(seg *segment.Segmenter, s probe) string {
	t, _ := crossingToken(seg, s)
	return t.Text
}

func crossingToken(seg *segment.Segmenter, s probe) (segment.Token, bool) {
	text := normalize.Normalize(s.text()).S
	start := utf8.RuneCountInString(normalize.Normalize(s.before).S)
	end := start + utf8.RuneCountInString(normalize.Normalize(s.term).S)
	for _, t := range seg.Cut(text) {
		if t.Start < start && t.End > start || t.Start < end && t.End > end {
			return t, true
		}
	}
	return segment.Token{}, false
}
