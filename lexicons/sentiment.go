package lexicons

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"strconv"
	"strings"
)

// Sentiment files (see data/FORMAT.md).
const (
	SentimentFile    = "sentiment.tsv"     // hand-written, from public lexicons
	SentimentVocFile = "sentiment_voc.tsv" // hand-written by voc; overrides SentimentFile
	LearnedFile      = "learned.tsv"       // learned by "voc lexicon learn"
	NegationFile     = "negation.tsv"
	DegreeFile       = "degree.tsv"
	ContrastFile     = "contrast.tsv"
	EmojiFile        = "emoji.tsv"
	SarcasmFile      = "sarcasm.tsv"
)

// Special terms of LearnedFile: they are model coefficients, not words.
const (
	TermBias    = "<bias>"    // added to every text's score
	TermLexicon = "<lexicon>" // coefficient of the hand-written evidence
	// TermLexiconNeg is the coefficient of a clause's hand-written evidence
	// when it is negative (TermLexicon then applies to positive evidence).
	TermLexiconNeg = "<lexicon->"
	TermCues       = "<cues>" // coefficient of emoji cues (and of sarcasm cues without TermSarcasm)
	// TermSarcasm is the coefficient of the sarcasm cues (optional: TermCues
	// when absent). Apart from emoji, so that the noisy sarcasm cues of
	// review data (呵呵 is as often friendly) do not set the emoji weight.
	TermSarcasm = "<sarcasm>"
)

// Kinds of Marker.Kind.
const (
	MarkerContrast   = "contrast"
	MarkerConcession = "concession"
	MarkerPause      = "pause"
)

// Marker is a discourse marker that opens a clause.
type Marker struct {
	Word   string
	Kind   string  // MarkerContrast, MarkerConcession or MarkerPause
	Weight float64 // clause weight (see FORMAT.md)
}

// Cue is a string matched anywhere in a clause: an emoji, an emoticon or a
// sarcasm cue.
type Cue struct {
	Text    string
	Weight  float64
	Sarcasm bool
}

// LearnedEntry is one line of LearnedFile.
type LearnedEntry struct {
	Term       string
	Weight     float64
	Support    int    // number of training texts holding the term
	Provenance string // free text, e.g. the data sets it was learned from
}

// Sentiment holds the sentiment lexicons. It is immutable once loaded.
type Sentiment struct {
	// Words are the hand-written word weights (negative = complaint). A
	// word of SentimentFile that the taxonomy lists as an aspect term is
	// left out (Load): it names what is talked about, not an opinion
	// (动力, 噪音, 服务); SentimentVocFile can still weigh it.
	Words map[string]float64
	// public holds the Words whose weight comes from SentimentFile.
	public map[string]bool
	// Learned are the learned feature weights by term: a word "X", an
	// adjacent pair "X+Y", or a word in a negation scope "不|X". The special
	// terms TermBias, TermLexicon and TermCues are kept in the fields below.
	Learned map[string]float64
	// Bias is TermBias (0 when no learned file).
	Bias float64
	// LexiconWeight is TermLexicon, CueWeight TermCues (1 when absent).
	LexiconWeight, CueWeight float64
	// LexiconNegWeight is TermLexiconNeg (LexiconWeight when absent).
	LexiconNegWeight float64
	// SarcasmWeight is TermSarcasm (CueWeight when absent).
	SarcasmWeight float64
	// Negations map a negation word to the factor applied to the hand-written
	// weight of a sentiment word in its scope (-1 flips, -0.5 flips and damps).
	Negations map[string]float64
	// Degrees map a degree word to the multiplier of the next sentiment word.
	Degrees map[string]float64
	Markers []Marker
	Cues    []Cue
}

func loadSentiment(fsys fs.FS) (*Sentiment, error) {
	s := &Sentiment{
		Words:         map[string]float64{},
		public:        map[string]bool{},
		Learned:       map[string]float64{},
		LexiconWeight: 1,
		CueWeight:     1,
		SarcasmWeight: 1,
		Negations:     map[string]float64{},
		Degrees:       map[string]float64{},
	}
	var errs Errors
	collect := func(err error) {
		if err == nil {
			return
		}
		var es Errors
		if errors.As(err, &es) {
			errs = append(errs, es...)
			return
		}
		errs = append(errs, &Error{Err: err})
	}
	for _, name := range []string{SentimentFile, SentimentVocFile} {
		collect(ReadLines(fsys, name, name == SentimentVocFile, func(l Line) error {
			term, w, err := termWeight(l, 2, 4, -5, 5)
			if err != nil {
				return err
			}
			if name == SentimentFile && len([]rune(term)) < 2 {
				return l.Errorf("single character %q: put reviewed single characters in %s", term, SentimentVocFile)
			}
			if _, dup := s.Words[term]; dup && name == SentimentFile {
				return l.Errorf("duplicate term %q", term)
			}
			s.Words[term] = w
			s.public[term] = name == SentimentFile
			return nil
		}))
	}
	negSeen, sarcSeen := false, false
	collect(ReadLines(fsys, LearnedFile, true, func(l Line) error {
		e, err := ParseLearned(l)
		if err != nil {
			return err
		}
		switch e.Term {
		case TermBias:
			s.Bias = e.Weight
		case TermLexicon:
			s.LexiconWeight = e.Weight
		case TermLexiconNeg:
			s.LexiconNegWeight, negSeen = e.Weight, true
		case TermCues:
			s.CueWeight = e.Weight
		case TermSarcasm:
			s.SarcasmWeight, sarcSeen = e.Weight, true
		default:
			if _, dup := s.Learned[e.Term]; dup {
				return l.Errorf("duplicate term %q", e.Term)
			}
			s.Learned[e.Term] = e.Weight
		}
		return nil
	}))
	if !negSeen {
		s.LexiconNegWeight = s.LexiconWeight
	}
	if !sarcSeen {
		s.SarcasmWeight = s.CueWeight
	}
	collect(ReadLines(fsys, NegationFile, false, func(l Line) error {
		if len(l.Fields) == 1 {
			l.Fields = append(l.Fields, "-1")
		}
		term, w, err := termWeight(l, 2, 2, -1, 0)
		if err != nil {
			return err
		}
		s.Negations[term] = w
		return nil
	}))
	collect(ReadLines(fsys, DegreeFile, false, func(l Line) error {
		term, w, err := termWeight(l, 2, 2, 0.1, 3)
		if err != nil {
			return err
		}
		s.Degrees[term] = w
		return nil
	}))
	collect(ReadLines(fsys, ContrastFile, false, func(l Line) error {
		if len(l.Fields) != 3 {
			return l.Errorf("want 3 fields (marker, kind, weight), got %d", len(l.Fields))
		}
		m := Marker{Word: l.Fields[0], Kind: l.Fields[1]}
		if m.Word == "" {
			return l.Errorf("empty marker")
		}
		switch m.Kind {
		case MarkerContrast, MarkerConcession, MarkerPause:
		default:
			return l.Errorf("kind %q: want contrast, concession or pause", m.Kind)
		}
		w, err := parseWeight(l.Fields[2], 0.1, 5)
		if err != nil {
			return l.Errorf("weight: %w", err)
		}
		m.Weight = w
		s.Markers = append(s.Markers, m)
		return nil
	}))
	for _, f := range []struct {
		name    string
		sarcasm bool
	}{{EmojiFile, false}, {SarcasmFile, true}} {
		collect(ReadLines(fsys, f.name, true, func(l Line) error {
			term, w, err := termWeight(l, 2, 2, -5, 5)
			if err != nil {
				return err
			}
			s.Cues = append(s.Cues, Cue{Text: term, Weight: w, Sarcasm: f.sarcasm})
			return nil
		}))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return s, nil
}

// termWeight parses "term<TAB>weight[...]" with between min and max fields.
func termWeight(l Line, minF, maxF int, lo, hi float64) (string, float64, error) {
	if len(l.Fields) < minF || len(l.Fields) > maxF {
		return "", 0, l.Errorf("want %d to %d fields, got %d", minF, maxF, len(l.Fields))
	}
	term := l.Fields[0]
	if term == "" {
		return "", 0, l.Errorf("empty term")
	}
	w, err := parseWeight(l.Fields[1], lo, hi)
	if err != nil {
		return "", 0, l.Errorf("term %q: weight: %w", term, err)
	}
	if len(l.Fields) >= 3 && l.Fields[2] != "" {
		if n, err := strconv.Atoi(l.Fields[2]); err != nil || n < 0 {
			return "", 0, l.Errorf("term %q: support %q: want a count >= 0", term, l.Fields[2])
		}
	}
	return term, w, nil
}

func parseWeight(f string, lo, hi float64) (float64, error) {
	w, err := strconv.ParseFloat(f, 64)
	if err != nil || math.IsNaN(w) || math.IsInf(w, 0) {
		return 0, fmt.Errorf("%q is not a number", f)
	}
	if w < lo || w > hi {
		return 0, fmt.Errorf("%v out of range [%v, %v]", w, lo, hi)
	}
	return w, nil
}

// ParseLearned parses one line of LearnedFile:
// term<TAB>weight[<TAB>support[<TAB>provenance]].
func ParseLearned(l Line) (LearnedEntry, error) {
	if len(l.Fields) < 2 || len(l.Fields) > 4 {
		return LearnedEntry{}, l.Errorf("want 2 to 4 fields (term, weight, support, provenance), got %d", len(l.Fields))
	}
	e := LearnedEntry{Term: l.Fields[0]}
	if err := checkTerm(e.Term); err != nil {
		return e, l.Errorf("term %q: %w", e.Term, err)
	}
	w, err := parseWeight(l.Fields[1], -20, 20)
	if err != nil {
		return e, l.Errorf("term %q: weight: %w", e.Term, err)
	}
	e.Weight = w
	if len(l.Fields) >= 3 && l.Fields[2] != "" {
		n, err := strconv.Atoi(l.Fields[2])
		if err != nil || n < 0 {
			return e, l.Errorf("term %q: support %q: want a count >= 0", e.Term, l.Fields[2])
		}
		e.Support = n
	}
	if len(l.Fields) == 4 {
		e.Provenance = l.Fields[3]
	}
	return e, nil
}

// checkTerm validates the syntax of a learned term.
func checkTerm(t string) error {
	switch t {
	case TermBias, TermLexicon, TermLexiconNeg, TermCues, TermSarcasm:
		return nil
	case "":
		return errors.New("empty term")
	}
	if strings.HasPrefix(t, "<") && strings.HasSuffix(t, ">") && strings.ToLower(t) == t {
		return errors.New("unknown special term")
	}
	if rest, ok := strings.CutPrefix(t, "字|"); ok {
		if rest == "" || strings.ContainsAny(rest, "|+") {
			return errors.New(`want "字|XY"`)
		}
		return nil
	}
	if rest, ok := strings.CutPrefix(t, "不|"); ok {
		t = rest
	} else if rest, ok := strings.CutPrefix(t, "首|"); ok {
		t = rest
	}
	const want = `want "X", "X+Y", "X+_+Y", "不|X" or "首|X"`
	if t == "" || strings.Contains(t, "|") {
		return errors.New(want)
	}
	if x, y, ok := strings.Cut(t, "+_+"); ok {
		if x == "" || y == "" || strings.Contains(x, "+") || strings.Contains(y, "+") {
			return errors.New(want)
		}
		return nil
	}
	if a, b, ok := strings.Cut(t, "+"); ok && (a == "" || b == "" || strings.Contains(b, "+")) {
		return errors.New(want)
	}
	return nil
}

// HandOnly returns a copy of s without the learned part: no learned
// weights, bias 0 and every coefficient 1, so that a scorer over it scores
// with the hand-written lists and rules alone (and reports the features the
// learner fits).
func (s *Sentiment) HandOnly() *Sentiment {
	h := *s
	h.Learned, h.Bias = nil, 0
	h.LexiconWeight, h.LexiconNegWeight, h.CueWeight, h.SarcasmWeight = 1, 1, 1, 1
	return &h
}

// dropAspects removes from Words the SentimentFile words that t lists as
// aspect terms.
func (s *Sentiment) dropAspects(t *Taxonomy) {
	for _, a := range t.Aspects {
		if s.public[a.Term] {
			delete(s.Words, a.Term)
			delete(s.public, a.Term)
		}
	}
}
