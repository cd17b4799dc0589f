// Package normalize cleans raw customer text before analysis and keeps an
// exact map from every rune of the result back to the original.
//
// Normalize does, in one pass over the input:
//
//   - drops invalid UTF-8 bytes, control characters, zero-width characters,
//     emoji variation selectors (U+FE0F) and skin-tone modifiers;
//   - folds full-width forms U+FF01–U+FF5E to ASCII and U+3000 to a space.
//     All punctuation that has an ASCII twin becomes ASCII (，→, ！→! ？→?
//     ；→; ：→: （→( ～→~); CJK punctuation without one (。、《》「」【】…)
//     is kept. Downstream code (clause) therefore treats ',' and '，' alike;
//   - maps traditional to simplified characters with OpenCC's character
//     table (t2s_table.go, see internal/gent2s for provenance). Only
//     one-to-one character mapping is done, no phrase conversion;
//   - lowercases ASCII letters;
//   - removes HTML tags and comments (block tags such as <br>, <p>, <div>
//     become a line break) and decodes HTML entities (&amp; &nbsp; &#20320;
//     ...). Entities are decoded before tags are recognised, so an escaped
//     tag (&lt;img src=x&gt;, &#x3C;/p&#x3E;) is removed like a plain one.
//     Entities are decoded once: &amp;lt; is the text "&lt;";
//   - never outputs an HTML tag. A '<' kept as text (a broken or nested tag
//     such as <scr<script>ipt>, a '<' decoded from an entity or folded from
//     ＜, a '<' before a dropped character) is followed by a space when the
//     next character would open a tag in an HTML parser (an ASCII letter,
//     '/', '!' or '?'): "a<b" becomes "a< b". So S holds no tag but the pii
//     placeholders kept below. Normalize(S).S == S unless S holds '&' (an
//     entity is decoded once: &amp;lt; gives the text "&lt;") or '[' (an
//     emoticon that appeared only once characters were folded or dropped),
//     which FuzzNormalize checks;
//   - turns platform emoticon markup such as [哈哈] or [怒] into the bare word
//     set off by spaces, so sentiment still sees it, while bracketed
//     placeholders holding an ASCII letter or digit ([数字x], [金额x],
//     [ORDERID_123]) and the pii placeholders (<PHONE>, <ID>, ...) are kept
//     verbatim, case included;
//   - collapses runs of one repeated character: letters (Han) and ASCII
//     punctuation keep at most 3 (好好好好好 → 好好好, !!!!! → !!!), emoji,
//     symbols and CJK punctuation keep at most 2 (👍👍👍👍 → 👍👍). ASCII
//     letters, all digits and the Chinese numerals 〇零一幺二两三...九 are
//     never collapsed (numbers, ids, emails, numbers spelled in Chinese);
//   - collapses whitespace runs to one space, or one line break when the run
//     holds a line break, and trims it at both ends.
package normalize

//go:generate go run ./internal/gent2s -o t2s_table.go

import (
	"html"
	"sort"
	"unicode"
	"unicode/utf8"
)

// Text is normalized text with a map back to the original.
type Text struct {
	S string
	// Orig[i] is the rune offset in the original of rune i of S;
	// len(Orig) == utf8.RuneCountInString(S)+1 and the last element is the
	// rune length of the original (utf8.RuneCountInString: an invalid byte
	// counts as one rune). Orig is non-decreasing.
	Orig []int
}

// Span maps the rune span [start,end) of S back to the original: from the
// original rune of S[start] to just after the original rune of S[end-1]
// (markup dropped after the span is not included; a rune decoded from an
// entity maps to the entity's '&'). Out-of-range bounds are clamped.
func (t Text) Span(start, end int) (int, int) {
	if start < 0 {
		start = 0
	}
	if end > len(t.Orig)-1 {
		end = len(t.Orig) - 1
	}
	if start > end {
		start = end
	}
	if end == start {
		return t.Orig[start], t.Orig[start]
	}
	return t.Orig[start], t.Orig[end-1] + 1
}

const (
	lowT2S  = 0x3400
	highT2S = 0xA000
)

// t2sDense maps runes in [lowT2S, highT2S) to simplified; 0 means unchanged.
var t2sDense = func() []rune {
	d := make([]rune, highT2S-lowT2S)
	for _, p := range t2sPairs {
		if p[0] >= lowT2S && p[0] < highT2S {
			d[p[0]-lowT2S] = p[1]
		}
	}
	return d
}()

func toSimplified(r rune) rune {
	if r < lowT2S {
		return r
	}
	if r < highT2S {
		if s := t2sDense[r-lowT2S]; s != 0 {
			return s
		}
		return r
	}
	if r < 0x20000 {
		return r
	}
	i := sort.Search(len(t2sPairs), func(i int) bool { return t2sPairs[i][0] >= r })
	if i < len(t2sPairs) && t2sPairs[i][0] == r {
		return t2sPairs[i][1]
	}
	return r
}

// normalizer is the state of one Normalize call.
type normalizer struct {
	out  []byte
	orig []int
	last rune // last rune written, -1 after a space
	run  int  // how many times last was written in a row
	// pending whitespace, written before the next rune
	space   bool
	newline bool
	spaceAt int
}

// Normalize returns the normalized form of s. It never panics and always
// returns valid UTF-8.
func Normalize(s string) Text {
	n := utf8.RuneCountInString(s)
	z := normalizer{out: make([]byte, 0, len(s)), orig: make([]int, 0, n+1), last: -1}
	z.normalize(s, false)
	z.orig = append(z.orig, n)
	return Text{S: string(z.out), Orig: z.orig}
}

// Blank reports whether Normalize(s).S is empty: s holds only whitespace,
// HTML tags and comments, control, zero-width and other dropped characters
// (see the package comment). It stops at the first character kept, so it
// is cheap on ordinary text.
func Blank(s string) bool {
	var out [16]byte
	var orig [16]int
	z := normalizer{out: out[:0], orig: orig[:0], last: -1}
	z.normalize(s, true)
	return len(z.out) == 0
}

// normalize normalizes s into z; with stop, it returns after the first character
// written.
func (z *normalizer) normalize(s string, stop bool) {
	ri := 0
	for i := 0; i < len(s) && (!stop || len(z.out) == 0); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '<':
				if m, block, keep := tagLen(s[i:]); m > 0 {
					if keep {
						z.verbatim(s[i:i+m], ri)
					} else if block {
						z.pendingSpace(ri, true)
					}
					ri += utf8.RuneCountInString(s[i : i+m])
					i += m
					continue
				}
			case '&':
				if m, r := entity(s[i:]); m > 0 {
					if r == '<' {
						// decode first, then strip: &lt;b&gt; is a tag
						if n, tag, block, keep := entityTag(s[i+m:]); n > 0 {
							if keep {
								z.verbatim(tag, ri)
							} else if block {
								z.pendingSpace(ri, true)
							}
							ri += m + utf8.RuneCountInString(s[i+m:i+m+n])
							i += m + n
							continue
						}
					}
					z.add(r, ri)
					ri += m // entities are ASCII
					i += m
					continue
				}
			case '[':
				if m, kind := bracket(s[i:]); m > 0 {
					if kind == bracketPlaceholder {
						z.verbatim(s[i:i+m], ri)
						ri += utf8.RuneCountInString(s[i : i+m])
					} else {
						z.pendingSpace(ri, false)
						ri++
						for _, r := range s[i+1 : i+m-1] {
							z.add(r, ri)
							ri++
						}
						z.pendingSpace(ri, false)
						ri++
					}
					i += m
					continue
				}
			}
			z.add(rune(c), ri)
			i++
			ri++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || size > 1 {
			z.add(r, ri)
		}
		i += size
		ri++
	}
}

// add normalizes rune r found at original rune offset at and writes it.
func (z *normalizer) add(r rune, at int) {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		r = ' '
	}
	if r < utf8.RuneSelf {
		switch {
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r == '\n' || r == '\r':
			z.pendingSpace(at, true)
			return
		case r == ' ' || r == '\t' || r == '\v' || r == '\f':
			z.pendingSpace(at, false)
			return
		case r < 0x20 || r == 0x7F:
			return
		}
		z.write(r, at, maxRepeat(r))
		return
	}
	if r >= 0x4E00 && r <= 0x9FFF { // common Han: the hot path
		z.write(toSimplified(r), at, 3)
		return
	}
	if dropped(r) {
		return
	}
	if unicode.IsSpace(r) {
		z.pendingSpace(at, r == 0x2028 || r == 0x2029 || r == 0x85)
		return
	}
	r = toSimplified(r)
	z.write(r, at, maxRepeat(r))
}

// maxRepeat is how many copies of r in a row are kept; 0 means all.
func maxRepeat(r rune) int {
	switch {
	case r < utf8.RuneSelf:
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' {
			return 0
		}
		return 3
	case r >= 0x4E00 && r <= 0x9FFF, unicode.IsLetter(r):
		return 3
	case unicode.IsDigit(r):
		return 0
	}
	return 2
}

// numeral reports the Chinese numerals that write a digit: like ASCII
// digits they are never collapsed (一三九八八八八一二三四 is a phone number).
func numeral(r rune) bool {
	switch r {
	case '〇', '零', '一', '幺', '二', '两', '三', '四', '五', '六', '七', '八', '九':
		return true
	}
	return false
}

// dropped reports runes that carry no meaning for analysis.
func dropped(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2060 && r <= 0x2064,
		r == 0xFEFF, r == 0x00AD, r >= 0xFE00 && r <= 0xFE0F, r >= 0x1F3FB && r <= 0x1F3FF,
		r >= 0x80 && r < 0xA0, r >= 0xE0000 && r <= 0xE007F:
		return true
	}
	return false
}

func (z *normalizer) pendingSpace(at int, newline bool) {
	if len(z.out) == 0 {
		return
	}
	if !z.space {
		z.space, z.spaceAt = true, at
	}
	z.newline = z.newline || newline
}

func (z *normalizer) flushSpace() {
	if !z.space {
		return
	}
	c := byte(' ')
	if z.newline {
		c = '\n'
	}
	z.out = append(z.out, c)
	z.orig = append(z.orig, z.spaceAt)
	z.space, z.newline = false, false
	z.last, z.run = -1, 0
}

// write writes r unless it is the (max+1)-th copy of the same rune in a row.
// A '<' left as text is never followed by a character that would open an
// HTML tag: a space goes between them.
func (z *normalizer) write(r rune, at, max int) {
	if r < utf8.RuneSelf && opensTag(byte(r)) && !z.space {
		if n := len(z.out); n > 0 && z.out[n-1] == '<' {
			z.space, z.spaceAt = true, at
		}
	}
	z.flushSpace()
	if r == z.last {
		z.run++
		if max > 0 && z.run > max && !numeral(r) {
			return
		}
	} else {
		z.last, z.run = r, 1
	}
	z.out = utf8.AppendRune(z.out, r)
	z.orig = append(z.orig, at)
}

// verbatim writes the valid UTF-8 s unchanged, its first rune being at
// original offset at.
func (z *normalizer) verbatim(s string, at int) {
	z.flushSpace()
	for _, r := range s {
		z.out = utf8.AppendRune(z.out, r)
		z.orig = append(z.orig, at)
		at++
	}
	z.last, z.run = -1, 0
}

// placeholders are the pii placeholders kept verbatim.
var placeholders = map[string]bool{
	"PHONE": true, "LANDLINE": true, "ID": true, "CARD": true, "EMAIL": true,
	"ORDER": true, "ADDRESS": true, "URL": true, "QQ": true, "WECHAT": true,
}

// blockTags become a line break when removed.
var blockTags = map[string]bool{
	"br": true, "p": true, "div": true, "li": true, "tr": true, "ul": true, "ol": true,
	"table": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"hr": true, "blockquote": true, "section": true, "article": true,
}

// tagLen returns the byte length of an HTML tag, comment or pii placeholder
// at the start of s (which starts with '<'), whether it is a block tag and
// whether to keep it (a placeholder). 0 if none.
func tagLen(s string) (n int, block, keep bool) {
	if len(s) < 3 {
		return 0, false, false
	}
	c := s[1]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!') {
		return 0, false, false
	}
	const maxTag = 512
	end := -1
	for i := 1; i < len(s) && i < maxTag; i++ {
		if s[i] == '>' {
			end = i
			break
		}
		if s[i] == '<' || s[i] == '\n' && c != '!' {
			return 0, false, false
		}
	}
	if end < 0 {
		return 0, false, false
	}
	body := s[1:end]
	if placeholders[body] {
		return end + 1, false, true
	}
	// tag name
	name := body
	if name != "" && name[0] == '/' {
		name = name[1:]
	}
	j := 0
	for j < len(name) && (name[j] >= 'a' && name[j] <= 'z' || name[j] >= 'A' && name[j] <= 'Z' || name[j] >= '0' && name[j] <= '9') {
		j++
	}
	if c != '!' {
		if j == 0 || j < len(name) && name[j] != ' ' && name[j] != '/' && name[j] != '\t' {
			return 0, false, false // "<3", "<a很好>" and the like are not tags
		}
	}
	lower := make([]byte, j)
	for k := 0; k < j; k++ {
		b := name[k]
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		lower[k] = b
	}
	return end + 1, blockTags[string(lower)], false
}

// opensTag reports the bytes that make a preceding '<' start a tag, a
// comment or a processing instruction in an HTML parser (HTML's "tag open
// state": an ASCII letter, '/', '!' or '?').
func opensTag(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!' || c == '?'
}

// entityTag returns the byte length of the rest of an HTML tag whose '<' was
// an entity, s being what follows that entity (b&gt; or /p>), entities in it
// decoded; the tag as decoded, whether it is a block tag and whether to
// keep it (a placeholder). 0 if s does not complete a tag.
func entityTag(s string) (n int, tag string, block, keep bool) {
	const maxTag = 512
	buf := []byte{'<'}
	for i := 0; i < len(s) && len(buf) < maxTag; {
		r, m := rune(s[i]), 1
		if r == '&' {
			if k, e := entity(s[i:]); k > 0 {
				r, m = e, k
			}
		} else if r >= utf8.RuneSelf {
			r, m = utf8.DecodeRuneInString(s[i:])
		}
		if r == '<' {
			return 0, "", false, false
		}
		buf = utf8.AppendRune(buf, r)
		i += m
		if r == '>' {
			tag = string(buf)
			if t, block, keep := tagLen(tag); t == len(tag) {
				return i, tag, block, keep
			}
			return 0, "", false, false
		}
	}
	return 0, "", false, false
}

// entity returns the byte length of an HTML entity at the start of s (which
// starts with '&') and the rune it stands for. 0 if none.
func entity(s string) (int, rune) {
	const maxEntity = 12
	for i := 2; i < len(s) && i < maxEntity; i++ {
		c := s[i]
		if c == ';' {
			u := html.UnescapeString(s[:i+1])
			r, size := utf8.DecodeRuneInString(u)
			if size == len(u) && u != s[:i+1] && r != utf8.RuneError {
				return i + 1, r
			}
			return 0, 0
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '#') {
			return 0, 0
		}
	}
	return 0, 0
}

const (
	bracketEmoticon = iota + 1
	bracketPlaceholder
)

// bracket returns the byte length of bracket markup at the start of s
// (which starts with '[') and its kind. 0 if none.
func bracket(s string) (int, int) {
	const maxBracket = 48
	ascii, letters := false, 0
	for i := 1; i < len(s) && i < maxBracket; {
		c := s[i]
		if c == ']' {
			switch {
			case i == 1:
				return 0, 0
			case ascii:
				return i + 1, bracketPlaceholder
			case letters <= 6:
				return i + 1, bracketEmoticon
			}
			return 0, 0
		}
		if c < utf8.RuneSelf {
			if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' {
				ascii = true
				i++
				continue
			}
			return 0, 0
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.Is(unicode.Han, r) {
			return 0, 0
		}
		letters++
		i += size
	}
	return 0, 0
}
