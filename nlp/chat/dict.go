package chat

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// dict finds terms in a text: every occurrence, then the longest ones that
// do not overlap (我也没办法 rather than 没办法 inside it).
type dict struct {
	byFirst map[rune][]entry // by first rune, longest first
}

type entry struct {
	term  string
	runes int
	id    int
}

// match is one term found: rune offsets [start, end) and the byte offset
// of its start in the text.
type match struct {
	start, end int
	byteStart  int
	id         int
	term       string
}

func newDict() dict { return dict{byFirst: map[rune][]entry{}} }

func (d dict) add(term string, id int) {
	r, _ := utf8.DecodeRuneInString(term)
	d.byFirst[r] = append(d.byFirst[r], entry{term: term, runes: utf8.RuneCountInString(term), id: id})
}

// sort orders each bucket longest first, then by id, so that find is
// deterministic.
func (d dict) sort() {
	for _, es := range d.byFirst {
		slices.SortStableFunc(es, func(a, b entry) int { return cmp.Or(cmp.Compare(b.runes, a.runes), cmp.Compare(a.id, b.id)) })
	}
}

// find appends to out the non-overlapping matches in text of the terms
// whose id keep accepts (nil: all), preferring longer terms and, among
// equally long ones, earlier ones; out is in text order.
func (d dict) find(text string, keep func(id int) bool, out []match) []match {
	if len(d.byFirst) == 0 {
		return out
	}
	base := len(out)
	ri := 0
	for bi, r := range text {
		for _, e := range d.byFirst[r] {
			if (keep == nil || keep(e.id)) && strings.HasPrefix(text[bi:], e.term) {
				out = append(out, match{start: ri, end: ri + e.runes, byteStart: bi, id: e.id, term: e.term})
			}
		}
		ri++
	}
	cands := out[base:]
	if len(cands) < 2 {
		return out
	}
	slices.SortStableFunc(cands, func(a, b match) int {
		return cmp.Or(cmp.Compare(b.end-b.start, a.end-a.start), cmp.Compare(a.start, b.start))
	})
	kept := cands[:0]
	for _, m := range cands {
		if !slices.ContainsFunc(kept, func(k match) bool { return m.start < k.end && k.start < m.end }) {
			kept = append(kept, m)
		}
	}
	slices.SortFunc(kept, func(a, b match) int { return cmp.Compare(a.start, b.start) })
	return out[:base+len(kept)]
}
