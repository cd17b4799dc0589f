// Package pii masks personal data in Chinese customer text with typed
// placeholders.
//
// Mask expects normalized text (nlp/normalize: ASCII digits and letters,
// lowercase) but works on any string. It finds, in order of priority:
//
//   - EMAIL: local@domain.tld;
//   - ORDER: a run of ASCII letters/digits/'-' of at least 6 characters with
//     at least 4 digits right after 订单/单号/订单号/订单编号/order (optionally
//     followed by ':', '#', 是, 为 or spaces). The keyword stays, the number is
//     masked. Order context wins over every number rule below;
//   - ADDRESS: a street address ending in a number: [区/市...]X路/街/巷/弄/
//     胡同/大道 + digits + 号/弄/栋/幢/座/号楼/单元/室..., or X小区/花园/大厦/
//     公寓/新村/家园/苑 + digits + 栋/幢/座/号楼/单元/室/号. The masked span starts
//     after the nearest function word (在 住 到 是 址 ...) or punctuation
//     before the street, at most 16 characters back. City or district names
//     alone are not masked;
//   - numbers, made of digit groups joined by single spaces or '-':
//     PHONE: a mainland mobile number 1[3-9]x{9}, optionally after 86, +86
//     or 0086; LANDLINE: 0 + area code (3-4 digits) + 7-8 digits;
//     ID: an 18-digit resident id (GB 11643: plausible birth date, valid
//     check digit, X allowed) or a 15-digit old-form id (plausible date);
//     CARD: 13-19 digits passing the Luhn check, in groups of 4 if grouped.
//
// Numbers that match none of these are left alone: prices, dates,
// quantities ("199元", "2023年12月", "3天"), and also an 18-digit number whose
// id check digit is wrong (it is masked as CARD only if it passes Luhn).
// 400/800 service numbers and 7-8 digit numbers without an area code are not
// masked.
package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Placeholders that replace masked spans.
const (
	Phone    = "<PHONE>"
	Landline = "<LANDLINE>"
	ID       = "<ID>"
	Card     = "<CARD>"
	Email    = "<EMAIL>"
	Order    = "<ORDER>"
	Address  = "<ADDRESS>"
)

type kind uint8

const (
	none kind = iota
	kAddress
	kCard
	kEmail
	kID
	kLandline
	kOrder
	kPhone
	nKinds
)

// names and placeholders by kind; names sort in kind order.
var (
	names        = [nKinds]string{"", "ADDRESS", "CARD", "EMAIL", "ID", "LANDLINE", "ORDER", "PHONE"}
	placeholders = [nKinds]string{"", Address, Card, Email, ID, Landline, Order, Phone}
)

type span struct {
	b, e int // byte offsets
	k    kind
}

// Mask replaces personal data with typed placeholders and returns the masked
// text and the sorted unique types masked ("ADDRESS", "CARD", "EMAIL", "ID",
// "LANDLINE", "ORDER", "PHONE"). Text without personal data is returned
// unchanged without copying. Mask never panics.
func Mask(s string) (masked string, types []string) {
	digits := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			digits = true
			break
		}
	}
	at := strings.IndexByte(s, '@') >= 0
	if !digits && !at {
		return s, nil // every rule but email needs a digit
	}
	var spans []span
	if at {
		spans = findEmails(s, spans)
	}
	if digits {
		spans = findOrders(s, spans)
		spans = findNumbers(s, spans)
	}
	if len(spans) == 0 {
		return s, nil
	}
	sortSpans(spans)
	var b strings.Builder
	b.Grow(len(s))
	var seen [nKinds]bool
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.b])
		b.WriteString(placeholders[sp.k])
		seen[sp.k] = true
		last = sp.e
	}
	b.WriteString(s[last:])
	for k := kind(1); k < nKinds; k++ {
		if seen[k] {
			types = append(types, names[k])
		}
	}
	return b.String(), types
}

func sortSpans(sp []span) {
	for i := 1; i < len(sp); i++ { // few spans: insertion sort
		for j := i; j > 0 && sp[j].b < sp[j-1].b; j-- {
			sp[j], sp[j-1] = sp[j-1], sp[j]
		}
	}
}

// covered returns the end of the span holding byte i, or -1.
func covered(spans []span, i int) int {
	for _, sp := range spans {
		if i >= sp.b && i < sp.e {
			return sp.e
		}
	}
	return -1
}

func overlaps(spans []span, b, e int) bool {
	for _, sp := range spans {
		if b < sp.e && sp.b < e {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
func isAlnum(c byte) bool { return isDigit(c) || isLetter(c) }

// ---- emails

func isLocal(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func findEmails(s string, spans []span) []span {
	for at := 0; at < len(s); {
		k := strings.IndexByte(s[at:], '@')
		if k < 0 {
			break
		}
		i := at + k
		at = i + 1
		b := i
		for b > 0 && isLocal(s[b-1]) {
			b--
		}
		for b < i && (s[b] == '.' || s[b] == '-') {
			b++
		}
		if b == i {
			continue
		}
		// domain: labels of [a-z0-9-] joined by '.', ending in a letters-only TLD
		e, end := i+1, -1
		for {
			l := e
			for l < len(s) && (isAlnum(s[l]) || s[l] == '-') {
				l++
			}
			if l == e {
				break
			}
			if e > i+1 { // a label after a dot: its letters prefix may be the TLD
				t := e
				for t < l && isLetter(s[t]) {
					t++
				}
				if t-e >= 2 {
					end = t
				}
				if t < l {
					break
				}
			}
			if l < len(s) && s[l] == '.' {
				e = l + 1
				continue
			}
			break
		}
		if end < 0 || overlaps(spans, b, end) {
			continue
		}
		spans = append(spans, span{b, end, kEmail})
		at = end
	}
	return spans
}

// ---- order numbers

var orderKeys = []string{"订单", "单号", "order"}

func findOrders(s string, spans []span) []span {
	for _, key := range orderKeys {
		for at := 0; at < len(s); {
			k := strings.Index(s[at:], key)
			if k < 0 {
				break
			}
			i := at + k + len(key)
			at = i
			// skip 号 编号 and separators
			for _, p := range []string{"编号", "号", "id", "no."} {
				if strings.HasPrefix(s[i:], p) {
					i += len(p)
					break
				}
			}
			for n := 0; n < 4 && i < len(s); n++ {
				switch {
				case s[i] == ' ' || s[i] == ':' || s[i] == '#':
					i++
				case strings.HasPrefix(s[i:], "："), strings.HasPrefix(s[i:], "是"), strings.HasPrefix(s[i:], "为"):
					i += 3
				default:
					n = 4
				}
			}
			e, nd := i, 0
			for e < len(s) && (isAlnum(s[e]) || s[e] == '-') {
				if isDigit(s[e]) {
					nd++
				}
				e++
			}
			for e > i && s[e-1] == '-' {
				e--
			}
			if e-i >= 6 && nd >= 4 && !overlaps(spans, i, e) {
				spans = append(spans, span{i, e, kOrder})
				at = e
			}
		}
	}
	return spans
}

// ---- numbers and addresses

type group struct{ b, e int }

const maxDigits = 24

func findNumbers(s string, spans []span) []span {
	var groups []group
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		if e := covered(spans, i); e >= 0 {
			i = e
			continue
		}
		// a candidate: digit groups joined by one ' ' or '-'
		groups = groups[:0]
		j := i
		for {
			b := j
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			groups = append(groups, group{b, j})
			if j+1 < len(s) && (s[j] == ' ' || s[j] == '-') && isDigit(s[j+1]) && covered(spans, j+1) < 0 {
				j++
				continue
			}
			break
		}
		// an address number: the first group right after a street marker
		if b, e, ok := address(s, groups[0].b, groups[0].e); ok && !overlaps(spans, b, e) {
			spans = append(spans, span{b, e, kAddress})
			i = e
			continue
		}
		spans = classifyGroups(s, groups, spans)
		i = j
	}
	return spans
}

// classifyGroups masks the longest classifiable runs of consecutive groups.
func classifyGroups(s string, groups []group, spans []span) []span {
	var buf [maxDigits + 1]byte
	for i := 0; i < len(groups); {
		found := false
		// every group has a digit, so at most maxDigits groups fit
		for j := min(len(groups)-1, i+maxDigits-1); j >= i; j-- {
			d := buf[:0]
			n := 0
			for k := i; k <= j; k++ {
				n += groups[k].e - groups[k].b
			}
			if n > maxDigits {
				continue
			}
			for k := i; k <= j; k++ {
				d = append(d, s[groups[k].b:groups[k].e]...)
			}
			b, e := groups[i].b, groups[j].e
			// a trailing X is an id check digit
			x := e < len(s) && (s[e] == 'x' || s[e] == 'X') && (e+1 == len(s) || !isAlnum(s[e+1]))
			k := classify(d, groups[i:j+1], x)
			if k == none {
				continue
			}
			if k == kID && len(d) == 17 {
				e++ // the X
			}
			if k == kPhone && b > 0 && s[b-1] == '+' {
				b--
			}
			spans = append(spans, span{b, e, k})
			i, found = j+1, true
			break
		}
		if !found {
			i++
		}
	}
	return spans
}

func classify(d []byte, groups []group, x bool) kind {
	n := len(d)
	switch {
	case isMobile(d):
		return kPhone
	case n == 13 && d[0] == '8' && d[1] == '6' && isMobile(d[2:]):
		return kPhone
	case n == 15 && string(d[:4]) == "0086" && isMobile(d[4:]):
		return kPhone
	case isLandline(d, groups):
		return kLandline
	case n == 18 && idOK(d):
		return kID
	case n == 17 && x && idOK(append(d[:17:17], 'X')):
		return kID
	case n == 15 && oldIDOK(d):
		return kID
	case n >= 13 && n <= 19 && d[0] != '0' && cardGroups(groups) && luhn(d):
		return kCard
	}
	return none
}

func isMobile(d []byte) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'
}

func isLandline(d []byte, groups []group) bool {
	n := len(d)
	if n < 10 || n > 12 || d[0] != '0' || d[1] == '0' {
		return false
	}
	area := 4 // 0xxx
	if d[1] == '1' || d[1] == '2' {
		area = 3 // 010, 02x
	}
	if len(groups) > 1 {
		if a := groups[0].e - groups[0].b; a != area {
			return false
		}
	}
	local := n - area
	return local == 7 || local == 8
}

func cardGroups(groups []group) bool {
	for _, g := range groups[:len(groups)-1] {
		if g.e-g.b != 4 {
			return false
		}
	}
	return true
}

func luhn(d []byte) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if (len(d)-1-i)%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

func atoi(d []byte) int {
	v := 0
	for _, c := range d {
		v = v*10 + int(c-'0')
	}
	return v
}

func dateOK(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	return d <= days[m] && (m != 2 || d <= 28 || y%4 == 0 && (y%100 != 0 || y%400 == 0))
}

func regionOK(d []byte) bool { return d[0] >= '1' && d[0] <= '8' && d[1] >= '0' && d[1] <= '9' }

// idOK checks an 18-character resident id (GB 11643-1999).
func idOK(d []byte) bool {
	if !regionOK(d) {
		return false
	}
	for _, c := range d[:17] {
		if !isDigit(c) {
			return false
		}
	}
	y := atoi(d[6:10])
	if y < 1900 || y > 2099 || !dateOK(y, atoi(d[10:12]), atoi(d[12:14])) {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(d[i]-'0') * w
	}
	return "10X98765432"[sum%11] == upper(d[17])
}

func upper(c byte) byte {
	if c == 'x' {
		return 'X'
	}
	return c
}

// oldIDOK checks a 15-digit id (region, YYMMDD, 3 digits).
func oldIDOK(d []byte) bool {
	return regionOK(d) && dateOK(1900+atoi(d[6:8]), atoi(d[8:10]), atoi(d[10:12]))
}

// street markers before the number and unit suffixes after it.
var (
	streetMarkers = []string{"路", "街", "巷", "弄", "胡同", "大道", "小区", "花园", "大厦", "公寓", "新村", "家园", "苑"}
	unitSuffixes  = []string{"号楼", "号院", "单元", "号", "弄", "栋", "幢", "座", "室", "楼", "层", "户"}
	stopRunes     = "在住是到寄送发往址于的我你他她们了把给从请和与及为:,.!?;~ \n"
)

// address reports an address around the digit run [b,e): the run must follow
// a street marker and be followed by a unit suffix.
func address(s string, b, e int) (int, int, bool) {
	mb := -1
	p := strings.TrimRight(s[:b], " ")
	for _, m := range streetMarkers {
		if strings.HasSuffix(p, m) {
			mb = len(p) - len(m)
			break
		}
	}
	if mb < 0 {
		return 0, 0, false
	}
	suffix := func(at int) int {
		for _, u := range unitSuffixes {
			if strings.HasPrefix(s[at:], u) {
				return len(u)
			}
		}
		return 0
	}
	n := suffix(e)
	if n == 0 {
		return 0, 0, false
	}
	end := e + n
	// more units: 3栋2单元501室, 88-1号
	for end < len(s) {
		j := end
		for j < len(s) && (isAlnum(s[j]) || s[j] == '-') {
			j++
		}
		if j == end {
			break
		}
		if n := suffix(j); n > 0 {
			end = j + n
			continue
		}
		if j-end >= 3 && allDigits(s[end:j]) {
			end = j // a bare room number at the end
		}
		break
	}
	// start: walk back over Han characters to a function word
	start := mb
	for k := 0; k < 16 && start > 0; k++ {
		r, size := utf8.DecodeLastRuneInString(s[:start])
		if !unicode.Is(unicode.Han, r) || strings.ContainsRune(stopRunes, r) {
			break
		}
		start -= size
	}
	if start == mb {
		return 0, 0, false // no street name
	}
	return start, end, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
