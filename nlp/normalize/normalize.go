// Package normalize cleans raw customer text before analysis and keeps an
// exact map from every rune of the result back to the original.
package normalize

import (
	"strings"
	"unicode/utf8"
)

// Text is normalized text with a map back to the original.
type Text struct {
	S string
	// Orig[i] is the rune offset in the original of rune i of S;
	// len(Orig) == utf8.RuneCountInString(S)+1 and the last element is the
	// rune length of the original (invalid bytes count as one rune each).
	Orig []int
}

// Normalize returns the normalized form of s. It never panics.
func Normalize(s string) Text {
	n := utf8.RuneCountInString(s)
	var b strings.Builder
	b.Grow(len(s))
	orig := make([]int, 0, n+1)
	space := false
	idx := 0
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
				orig = append(orig, idx)
			}
			space = true
			idx++
			continue
		}
		space = false
		b.WriteRune(r)
		orig = append(orig, idx)
		idx++
	}
	out := b.String()
	if space && len(out) > 0 {
		out = out[:len(out)-1]
		orig = orig[:len(orig)-1]
	}
	orig = append(orig, n)
	return Text{S: out, Orig: orig}
}
