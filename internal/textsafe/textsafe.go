// Package textsafe makes customer- and data-derived text safe to print on
// a terminal: control characters that a terminal would act on (C0 but tab
// and newline, DEL, C1 and with them every ESC or CSI sequence), the
// bidirectional overrides that reorder what is shown, and bytes that are
// not UTF-8 are replaced by their Go escape (\x1b, \u202e, \xff), so the
// reader sees what the data holds and the terminal does nothing with it.
// Defang keeps bare URLs in data text from becoming links where it is
// shown as Markdown (chat alerts, the Markdown report).
package textsafe

import (
	"strings"
	"unicode/utf8"
)

// Line returns s for one line of output (a table cell, a one-line
// message): unsafe characters escaped, and tab, newline and carriage
// return turned into spaces. s is returned as is when it is safe.
func Line(s string) string { return clean(s, false) }

// Text returns s for multi-line output: tab and newline kept, every other
// unsafe character (carriage return too: it overwrites what is shown)
// escaped. s is returned as is when it is safe.
func Text(s string) string { return clean(s, true) }

// Safe reports whether s prints as itself under Text.
func Safe(s string) bool { return firstUnsafe(s, true) < 0 }

// Defang makes the URLs in s plain text for Markdown renderers and chat
// clients that link them on sight: "://" gets a full-width colon
// (https：//) and the dot of "www." (any case) turns full-width (www．).
func Defang(s string) string {
	s = strings.ReplaceAll(s, "://", "：//")
	lower := strings.ToLower(s)
	i := strings.Index(lower, "www.")
	if i < 0 {
		return s
	}
	var b strings.Builder
	for i >= 0 {
		b.WriteString(s[:i+3])
		b.WriteString("．")
		s, lower = s[i+4:], lower[i+4:]
		i = strings.Index(lower, "www.")
	}
	b.WriteString(s)
	return b.String()
}

func clean(s string, multiline bool) string {
	i := firstUnsafe(s, multiline)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			escapeByte(&b, s[i])
		case r == '\t' || r == '\n' || r == '\r':
			switch {
			case !multiline:
				b.WriteByte(' ')
			case r == '\r':
				escape(&b, r)
			default:
				b.WriteRune(r)
			}
		case unsafe(r):
			escape(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// firstUnsafe returns the index of the first byte of s that clean
// changes, -1 when there is none.
func firstUnsafe(s string, multiline bool) int {
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		case r == '\t' || r == '\n':
			if !multiline {
				return i
			}
		case unsafe(r):
			return i
		}
	}
	return -1
}

// unsafe reports the runes a terminal acts on or that reorder the text
// around them: C0 controls (tab and newline are handled by the caller),
// DEL, C1 controls, and the bidirectional embeddings, overrides and
// isolates (U+202A–U+202E, U+2066–U+2069).
func unsafe(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

const hexDigits = "0123456789abcdef"

// escapeByte writes \xff for a byte that is not UTF-8 (or an ASCII control).
func escapeByte(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&0xf])
}

// escape writes r as strconv.Quote would: \x1b below 0x80, else \u009b.
func escape(b *strings.Builder, r rune) {
	if r < 0x80 {
		escapeByte(b, byte(r))
		return
	}
	b.WriteString(`\u`)
	for shift := 12; shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[(r>>shift)&0xf])
	}
}
