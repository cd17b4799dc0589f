// Package segment cuts Chinese text into words with gse's dictionary and HMM
// model, plus domain words from the lexicons.
//
// The gse dictionary (simplified Chinese, ~3 s and ~150 MB to load) is loaded
// once per process, on the first New, and shared read-only by every
// Segmenter. Domain words live in a small overlay owned by each Segmenter, so
// a lexicon reload builds a new Segmenter cheaply and swaps it in with a
// Holder while Cut goes on concurrently.
package segment

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
	"github.com/go-ego/gse/hmm"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
)

// Token is one word of a cut. Start and End are rune offsets [Start,End)
// into the text given to Cut; Text is text[Start:End] (in runes). It is
// nlp.Token, so that an analysis result can carry its words.
type Token = nlp.Token

// POS tags given by Cut itself.
const (
	POSPlaceholder = "x"
	POSEnglish     = "eng"
	POSNumber      = "m"
)

var (
	baseOnce sync.Once
	base     *gse.Segmenter
	baseErr  error
)

// loadBase loads the embedded simplified-Chinese gse dictionary once per
// process. Text is normalized to simplified characters before cutting, so
// the traditional dictionary is not needed.
func loadBase() (*gse.Segmenter, error) {
	baseOnce.Do(func() {
		seg := &gse.Segmenter{SkipLog: true}
		if err := seg.LoadDictEmbed("zh_s"); err != nil {
			baseErr = fmt.Errorf("segment: load gse dictionary: %w", err)
			return
		}
		base = seg
	})
	return base, baseErr
}

type entry struct {
	freq float64
	pos  string
}

// Segmenter is immutable after New and safe for concurrent Cut. To change
// words build a new one and swap it in via a Holder.
type Segmenter struct {
	base     *gse.Segmenter
	extra    map[string]entry    // domain words, lowercased
	prefix   map[string]struct{} // proper prefixes of domain words
	logTotal float64
	added    int // domain words not in the base dictionary
}

// New returns a Segmenter over the shared gse dictionary plus words. A word
// with Freq 0 gets a frequency high enough to keep it whole. The first call
// loads the dictionary; later calls are cheap.
func New(words []lexicons.DomainWord) (*Segmenter, error) {
	b, err := loadBase()
	if err != nil {
		return nil, err
	}
	s := &Segmenter{
		base:   b,
		extra:  make(map[string]entry, len(words)),
		prefix: make(map[string]struct{}),
	}
	total := b.Dict.TotalFreq()
	s.logTotal = math.Log(total)
	for _, w := range words {
		word := strings.ToLower(strings.TrimSpace(w.Word))
		if word == "" || !utf8.ValidString(w.Word) || strings.IndexFunc(word, unicode.IsSpace) >= 0 {
			return nil, fmt.Errorf("segment: domain word %q: empty, invalid UTF-8 or holds a space", w.Word)
		}
		if w.Freq < 0 || math.IsNaN(w.Freq) || math.IsInf(w.Freq, 0) {
			return nil, fmt.Errorf("segment: domain word %q: bad frequency %v", w.Word, w.Freq)
		}
		freq := w.Freq
		if freq == 0 {
			freq = s.suggestFreq(word)
		}
		pos := w.POS
		bf, bpos, ok := b.Dict.Find([]byte(word))
		if ok && bf > 0 {
			if pos == "" {
				pos = bpos
			}
		} else {
			s.added++
		}
		s.extra[word] = entry{freq: freq, pos: pos}
		for i := range word {
			if i > 0 {
				s.prefix[word[:i]] = struct{}{}
			}
		}
	}
	return s, nil
}

// suggestFreq returns a frequency that makes word win over the pieces the
// base dictionary would cut it into (jieba's suggest_freq).
func (s *Segmenter) suggestFreq(word string) float64 {
	total := s.base.Dict.TotalFreq()
	bare := &Segmenter{base: s.base, logTotal: s.logTotal}
	f := 1.0
	for _, t := range bare.cutRun([]byte(word), nil, false) {
		pf, _, ok := s.base.Dict.Find([]byte(t.Text))
		if !ok || pf <= 0 {
			pf = 1
		}
		f *= pf / total
	}
	sf := f*total + 1
	if bf, _, ok := s.base.Dict.Find([]byte(word)); ok && bf > sf {
		sf = bf
	}
	return math.Max(sf, 10)
}

// Words returns the number of words in the dictionary.
func (s *Segmenter) Words() int { return s.base.Dict.NumTokens() + s.added }

// lookup returns the frequency and POS of w and whether w or a longer word
// starting with w may exist.
func (s *Segmenter) lookup(w []byte) (freq float64, pos string, more bool) {
	freq, pos, more = s.base.Dict.Find(w)
	if len(s.extra) > 0 {
		if e, ok := s.extra[string(w)]; ok {
			freq, more = e.freq, true
			if e.pos != "" || pos == "" {
				pos = e.pos
			}
		} else if _, ok := s.prefix[string(w)]; ok {
			more = true
		}
	}
	return freq, pos, more
}

// Cut cuts text into tokens, using the HMM for words not in the dictionary.
// ASCII letter/digit runs stay whole (a decimal point between digits
// included), placeholders (<PHONE>, [数字x]) come out as one token each,
// and whitespace is dropped. Text is expected normalized (nlp/normalize):
// domain words are matched lowercased. Cut never panics and is safe for
// concurrent use.
func (s *Segmenter) Cut(text string) []Token {
	out := make([]Token, 0, len(text)/4+1)
	b := []byte(text)
	ri := 0 // rune offset of b[start:]
	start := 0
	for i := 0; i < len(b); {
		if n := placeholderLen(text[i:]); n > 0 {
			out = s.cutSpan(b, start, i, ri, out)
			ri += utf8.RuneCount(b[start:i])
			out = append(out, Token{Text: text[i : i+n], Start: ri, End: ri + utf8.RuneCountInString(text[i:i+n]), POS: POSPlaceholder})
			ri = out[len(out)-1].End
			i += n
			start = i
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if unicode.IsSpace(r) {
			out = s.cutSpan(b, start, i, ri, out)
			ri += utf8.RuneCount(b[start:i]) + 1
			i += size
			start = i
			continue
		}
		i += size
	}
	return s.cutSpan(b, start, len(b), ri, out)
}

// cutSpan cuts b[start:end], whose first rune is at rune offset ri.
func (s *Segmenter) cutSpan(b []byte, start, end, ri int, out []Token) []Token {
	if end <= start {
		return out
	}
	n := len(out)
	out = s.cutRun(b[start:end], out, true)
	for i := n; i < len(out); i++ {
		out[i].Start += ri
		out[i].End += ri
	}
	return out
}

// placeholderLen returns the byte length of a placeholder at the start of
// s: <UPPER> (pii placeholders) or [..] holding an ASCII letter or digit
// (transcript placeholders such as [数字x], [ORDERID_123]); 0 if none.
func placeholderLen(s string) int {
	if len(s) < 3 {
		return 0
	}
	switch s[0] {
	case '<':
		for i := 1; i < len(s) && i < 16; i++ {
			c := s[i]
			if c == '>' {
				if i > 1 {
					return i + 1
				}
				return 0
			}
			if c < 'A' || c > 'Z' {
				return 0
			}
		}
	case '[':
		ascii := false
		for i := 1; i < len(s) && i < 48; i++ {
			c := s[i]
			switch {
			case c == ']':
				if ascii && i > 1 {
					return i + 1
				}
				return 0
			case c == '[' || c == ' ' || c == '\n' || c == '\t':
				return 0
			case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
				ascii = true
			}
		}
	}
	return 0
}

// unit is a rune, or a whole ASCII letter/digit run, of a text being cut.
type unit struct{ b, r int } // byte and rune offset of its start

// cutRun cuts b (no whitespace, no placeholders) with the DAG of dictionary
// words, most probable route, and HMM for runs of single characters.
// Offsets of the appended tokens are relative to b.
func (s *Segmenter) cutRun(b []byte, out []Token, useHMM bool) []Token {
	// units
	units := make([]unit, 0, len(b)/2+2)
	ri := 0
	for i := 0; i < len(b); {
		units = append(units, unit{i, ri})
		c := b[i]
		if isAlnum(c) {
			j := i + 1
			for j < len(b) && (isAlnum(b[j]) || b[j] == '.' && isDigit(b[j-1]) && j+1 < len(b) && isDigit(b[j+1])) {
				j++
			}
			ri += j - i
			i = j
			continue
		}
		_, size := utf8.DecodeRune(b[i:])
		i += size
		ri++
	}
	n := len(units)
	units = append(units, unit{len(b), ri})

	// best route from the end (jieba calc): route[k] = best log prob of
	// b[units[k]:], next[k] = end unit of the first word.
	logp := make([]float64, n+1)
	next := make([]int, n+1)
	for k := n - 1; k >= 0; k-- {
		best, bestJ := math.Inf(-1), -1
		for j := k + 1; j <= n; j++ {
			freq, _, more := s.lookup(b[units[k].b:units[j].b])
			if freq > 0 {
				if p := math.Log(freq) - s.logTotal + logp[j]; p > best || p == best && j > bestJ {
					best, bestJ = p, j
				}
			}
			if !more {
				break
			}
		}
		if bestJ < 0 {
			best, bestJ = -s.logTotal+logp[k+1], k+1
		}
		logp[k], next[k] = best, bestJ
	}

	emit := func(from, to int) {
		w := b[units[from].b:units[to].b]
		t := Token{Text: string(w), Start: units[from].r, End: units[to].r}
		if to == from+1 && isAlnum(w[0]) {
			t.POS = POSEnglish
			if isDigit(w[0]) && isDigit(w[len(w)-1]) {
				t.POS = POSNumber
			}
		} else {
			_, t.POS, _ = s.lookup(w)
		}
		out = append(out, t)
	}
	bufStart := -1
	flushBuf := func(end int) {
		if bufStart < 0 {
			return
		}
		if end-bufStart == 1 || !useHMM {
			for k := bufStart; k < end; k++ {
				emit(k, k+1)
			}
		} else {
			s.hmmCut(b, units, bufStart, end, emit)
		}
		bufStart = -1
	}
	for k := 0; k < n; {
		j := next[k]
		if j == k+1 {
			if bufStart < 0 {
				bufStart = k
			}
		} else {
			flushBuf(k)
			emit(k, j)
		}
		k = j
	}
	flushBuf(n)
	return out
}

// hmmCut cuts units [from,to), each a single unit, with gse's HMM: runs of
// Han characters go through Viterbi, everything else stays one token per
// unit. A run that is itself a dictionary word is emitted char by char, as
// jieba does.
func (s *Segmenter) hmmCut(b []byte, units []unit, from, to int, emit func(int, int)) {
	if f, _, _ := s.lookup(b[units[from].b:units[to].b]); f > 0 {
		for k := from; k < to; k++ {
			emit(k, k+1)
		}
		return
	}
	k := from
	for k < to {
		r, _ := utf8.DecodeRune(b[units[k].b:])
		if !unicode.Is(unicode.Han, r) {
			emit(k, k+1)
			k++
			continue
		}
		j := k + 1
		for j < to {
			r, _ := utf8.DecodeRune(b[units[j].b:])
			if !unicode.Is(unicode.Han, r) {
				break
			}
			j++
		}
		if j-k == 1 {
			emit(k, k+1)
			k = j
			continue
		}
		words := hmm.Cut(string(b[units[k].b:units[j].b]))
		u := k
		for _, w := range words {
			m := utf8.RuneCountInString(w)
			if m == 0 || u+m > j {
				break
			}
			emit(u, u+m)
			u += m
		}
		for ; u < j; u++ { // never happens unless the HMM drops text
			emit(u, u+1)
		}
		k = j
	}
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Holder holds the current Segmenter; Load and Swap are safe for concurrent
// use.
type Holder struct{ p atomic.Pointer[Segmenter] }

// NewHolder returns a Holder holding s.
func NewHolder(s *Segmenter) *Holder {
	h := &Holder{}
	h.p.Store(s)
	return h
}

// Load returns the current Segmenter.
func (h *Holder) Load() *Segmenter { return h.p.Load() }

// Swap makes s the current Segmenter. Cuts already running finish with the
// old one.
func (h *Holder) Swap(s *Segmenter) { h.p.Store(s) }
