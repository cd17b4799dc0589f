// Package clause splits text into clauses on punctuation and on discourse
// markers, so that "质量不错但是物流太慢" yields two clauses whose second one
// starts with the contrast marker 但是.
package clause

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// Kinds of Clause.Kind.
const (
	Contrast   = "contrast"
	Concession = "concession"
)

// Markers are the discourse markers that start a clause. A Contrast or Pause
// marker in the middle of a clause starts a new clause; a Concession marker
// only labels the clause it opens.
type Markers struct {
	Contrast   []string // 但是 不过 可是 然而 只是 但
	Concession []string // 虽然 尽管 虽说
	Pause      []string // 而且 并且 然后 另外 此外
}

// DefaultMarkers returns the built-in markers.
func DefaultMarkers() Markers {
	return Markers{
		Contrast:   []string{"但是", "不过", "可是", "然而", "只是", "但", "却是"},
		Concession: []string{"虽然", "尽管", "虽说", "虽"},
		Pause:      []string{"而且", "并且", "然后", "另外", "此外", "况且", "再者"},
	}
}

// Clause is one clause of a text. Start and End are rune offsets [Start,End)
// into the text given to Split; Text excludes the punctuation that ends the
// clause and surrounding spaces.
type Clause struct {
	Start, End int
	Text       string
	Lead       string // marker word the clause starts with, "" if none
	Kind       string // Contrast, Concession or ""
}

// isBreak reports whether r ends a clause.
func isBreak(r rune) bool {
	switch r {
	case '，', '。', '！', '？', '；', ',', '.', '!', '?', ';', '~', '～', '…', '\n', '\r':
		return true
	}
	return false
}

// Split splits s into clauses. It never returns empty clauses.
func Split(s string, m Markers) []Clause {
	// first runes of all markers: a cheap filter before matching
	var firstBuf [32]rune
	firsts := firstBuf[:0]
	for _, ws := range [][]string{m.Contrast, m.Concession, m.Pause} {
		for _, w := range ws {
			if r, _ := utf8.DecodeRuneInString(w); w != "" && !slices.Contains(firsts, r) {
				firsts = append(firsts, r)
			}
		}
	}
	var out []Clause
	start, startB := -1, 0 // rune and byte offset of the current clause
	lead, kind := "", ""
	ri := 0
	prev := rune(-1)
	end := func(ri, bi int) {
		if start >= 0 {
			out = appendTrimmed(out, s, start, startB, ri, bi, lead, kind)
		}
		start, lead, kind = -1, "", ""
	}
	for bi := 0; bi < len(s); {
		r, size := utf8.DecodeRuneInString(s[bi:])
		brk := isBreak(r)
		if (r == '.' || r == ',') && isDigit(prev) && bi+size < len(s) && isDigit(rune(s[bi+size])) {
			brk = false // 3.5分, 1,000元
		}
		if brk {
			end(ri, bi)
			prev = r
			bi += size
			ri++
			continue
		}
		if start < 0 {
			if unicode.IsSpace(r) {
				prev = r
				bi += size
				ri++
				continue
			}
			start, startB = ri, bi
			if !slices.Contains(firsts, r) {
				// no marker here
			} else if w, k := matchMarker(s[bi:], m, prev, true); w != "" {
				lead, kind = w, k
			}
		} else if ri-start < 2 || !slices.Contains(firsts, r) {
			// no marker here, or too close to the clause start to split
		} else if w, k := matchMarker(s[bi:], m, prev, false); w != "" {
			end(ri, bi)
			start, startB, lead, kind = ri, bi, w, k
		}
		prev = r
		bi += size
		ri++
	}
	end(ri, len(s))
	return out
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// matchMarker returns the longest marker at the start of s and its kind.
// At the start of a clause every marker counts; in the middle only contrast
// and pause markers split.
func matchMarker(s string, m Markers, prev rune, atStart bool) (string, string) {
	best, kind := "", ""
	try := func(ws []string, k string) {
		for _, w := range ws {
			if len(w) > len(best) && len(w) <= len(s) && s[:len(w)] == w && !excluded(w, prev, s[len(w):]) {
				best, kind = w, k
			}
		}
	}
	try(m.Contrast, Contrast)
	if atStart {
		try(m.Concession, Concession)
	}
	try(m.Pause, "")
	return best, kind
}

// excluded lists contexts where a marker is part of another word:
// 不但 (not only), 但愿, 但凡, 不只是.
func excluded(w string, prev rune, rest string) bool {
	switch w {
	case "但":
		if prev == '不' {
			return true
		}
		r, _ := utf8.DecodeRuneInString(rest)
		return r == '愿' || r == '凡'
	case "只是":
		return prev == '不' || prev == '就'
	}
	return false
}

func appendTrimmed(out []Clause, s string, start, startB, end, endB int, lead, kind string) []Clause {
	t := s[startB:endB]
	for len(t) > 0 {
		r, size := utf8.DecodeLastRuneInString(t)
		if !unicode.IsSpace(r) {
			break
		}
		t = t[:len(t)-size]
		end--
	}
	if t == "" {
		return out
	}
	return append(out, Clause{Start: start, End: end, Text: t, Lead: lead, Kind: kind})
}
