// Package pii masks personal data in Chinese customer text with typed
// placeholders.
//
// Mask expects normalized text (nlp/normalize: ASCII digits and letters,
// lowercase) but works on any string. It finds, in order of priority:
//
//   - EMAIL: local@domain.tld, and addresses spelled out to get past a
//     filter: zhangsan at 163 dot com, li(at)qq.com, wang艾特126点com,
//     abc#sina.com (the top-level domain must then be a known one);
//   - ORDER: a run of ASCII letters/digits/'-' of at least 6 characters with
//     at least 4 digits right after 订单/单号/订单号/订单编号/order (optionally
//     followed by ':', '#', 是, 为 or spaces). The keyword stays, the number is
//     masked. Order context wins over every number rule below;
//   - QQ and WECHAT: the account after its name (qq, 扣扣, 企鹅号; 微信, v信,
//     vx, wx, wechat, 威信, then optionally 号/号码/id/是/为/加/联系 and
//     separators): 5-11 digits for QQ, a WeChat id of 6-20 letters, digits,
//     '_' and '-' starting with a letter. The name stays;
//   - ADDRESS: a street address ending in a number: [区/市...]X路/街/道/巷/弄/
//     胡同/大道/村/里 + number + 号/弄/栋/幢/座/号楼/单元/室/区/期..., or
//     X小区/花园/大厦/公寓/新村/家园/苑/广场/城/园 + number + the same, with
//     more units and a bare room number after it (3栋2单元501室, 3-2-501);
//     the number may be in Chinese numerals (解放路十八号). The masked span
//     starts after the nearest function word (在 住 到 是 址 ...) or
//     punctuation before the street, at most 16 characters back. Words that
//     only end like a street (知道, 味道, 这里, 公园, ...) are not streets. A
//     chain of two or more building units without a street (3栋2单元501室,
//     5号楼1单元302) is an address too. City or district names alone are not
//     masked;
//   - numbers, made of digit groups joined by single spaces or '-':
//     PHONE: a mainland mobile number 1[3-9]x{9}, optionally after 86, +86
//     or 0086, also in Chinese numerals (一三八…, 幺三八…);
//     LANDLINE: 0 + area code (3-4 digits) + 7-8 digits, the area code
//     possibly in brackets: (010)62345678;
//     ID: an 18-digit resident id (GB 11643: plausible birth date, valid
//     check digit, X allowed) or a 15-digit old-form id (plausible date);
//     CARD: 13-19 digits, in groups of 4 if grouped, after a card cue (卡号,
//     银行卡, 账号, ... in the 8 characters before) or else passing the Luhn
//     check with a card issuer's prefix and length (see isCard), which a
//     millisecond timestamp, a 69x EAN-13 barcode or most codes do not have.
//
// Numbers that match none of these are left alone: prices, dates,
// quantities ("199元", "2023年12月", "3天"), model numbers, timestamps,
// barcodes, and also an 18-digit number whose id check digit is wrong.
// 400/800 service numbers and 7-8 digit numbers without an area code are not
// masked.
//
// testdata/probes.tsv is a labelled set of customer messages on which
// TestProbes measures recall and the false-positive rate.
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
	QQ       = "<QQ>"
	WeChat   = "<WECHAT>"
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
	kQQ
	kWeChat
	nKinds
)

// names and placeholders by kind; names sort in kind order.
var (
	names        = [nKinds]string{"", "ADDRESS", "CARD", "EMAIL", "ID", "LANDLINE", "ORDER", "PHONE", "QQ", "WECHAT"}
	placeholders = [nKinds]string{"", Address, Card, Email, ID, Landline, Order, Phone, QQ, WeChat}
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
	spans := find(s)
	if len(spans) == 0 {
		return s, nil
	}
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

// find returns the sorted spans to mask in s.
func find(s string) []span {
	// what the text holds decides which rules can match
	var digits, at, letters bool
	numeral := -1        // the first Chinese numeral
	run, longest := 0, 0 // of ASCII letters, digits, '_' and '-'
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = true
			run++
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters = true
			run++
		case c == '_' || c == '-':
			run++
		case c == '@':
			at = true
			run = 0
		case c >= 0xE3 && c <= 0xE9 && i+2 < len(s):
			if numeral < 0 && numeralAt(s, i) {
				numeral = i
			}
			run = 0
			i += 2
		default:
			run = 0
		}
		longest = max(longest, run)
	}
	var spans []span
	if at {
		spans = findEmails(s, spans)
	}
	if letters && longest >= 2 {
		spans = findSpelledEmails(s, spans)
	}
	if digits {
		spans = findOrders(s, spans)
	}
	if longest >= 5 {
		spans = findAccounts(s, spans) // QQ and WeChat after their cue
	}
	if numeral >= 0 {
		spans = findHanNumbers(s, numeral, spans)
	}
	if digits {
		spans = findNumbers(s, spans)
	}
	sortSpans(spans)
	return spans
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

// labelEnd returns the end of the domain label ([a-z0-9-]*) at byte i of s.
func labelEnd(s string, i int) int {
	for i < len(s) && (isAlnum(s[i]) || s[i] == '-') {
		i++
	}
	return i
}

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
			l := labelEnd(s, e)
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
		// a landline with its area code in brackets: (010)6234 5678
		if e := bracketLandline(s, groups[0].b, groups[0].e); e > 0 && !overlaps(spans, groups[0].b-1, e) {
			spans = append(spans, span{groups[0].b - 1, e, kLandline})
			i = e
			continue
		}
		// building, unit and room without a street: 3栋2单元501室
		if e := units(s, groups[0].b, 2); e > 0 && !overlaps(spans, groups[0].b, e) {
			spans = append(spans, span{groups[0].b, e, kAddress})
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
			k := classify(d, groups[i:j+1], x, s, b)
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

// classify returns the kind of the digits d, read from groups of s that
// start at byte b; x tells that an X follows them.
func classify(d []byte, groups []group, x bool, s string, b int) kind {
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
	case n >= 13 && n <= 19 && d[0] != '0' && cardGroups(groups) && isCard(d, cardCue(s, b)):
		return kCard
	}
	return none
}

// isCard tells a bank card number from other long numbers. After a card
// cue (卡号, 银行卡, 账号, ...) any 13-19 digits are a card (a mistyped
// card is still personal). Without one the number must pass the Luhn check
// and have an issuer's prefix and length: UnionPay 62 (16-19), Visa 4 (16),
// Mastercard 51-55 (16; not the 2-series, rare here and like many codes), American Express 34/37 (15), JCB
// 3528-3589 (16), Discover 6011/65 (16), Diners 36/38 (14). A 13-digit
// millisecond timestamp (1[5-9]...) or a 69x EAN-13 barcode never has one.
func isCard(d []byte, cue bool) bool {
	if cue {
		return true
	}
	if !luhn(d) {
		return false
	}
	n := len(d)
	p2 := atoi(d[:2])
	p4 := atoi(d[:4])
	switch {
	case p2 == 62:
		return n >= 16
	case d[0] == '4':
		return n == 16
	case p2 >= 51 && p2 <= 55:
		return n == 16
	case p2 == 34 || p2 == 37:
		return n == 15
	case p4 >= 3528 && p4 <= 3589, p4 == 6011, p2 == 65:
		return n == 16
	case p2 == 36 || p2 == 38:
		return n == 14
	}
	return false
}

// cardKeys are the cues of a card number in the few characters before it.
var cardKeys = []string{"卡", "card", "账号", "账户", "帐号", "帐户"}

// cardCue reports a card cue at most 8 characters before byte b of s.
func cardCue(s string, b int) bool {
	w := s[:b]
	for k := 0; k < 8 && len(w) > 0; k++ {
		_, size := utf8.DecodeLastRuneInString(w)
		w = w[:len(w)-size]
	}
	w = s[len(w):b]
	for _, k := range cardKeys {
		if strings.Contains(w, k) {
			return true
		}
	}
	return false
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

// bracketLandline returns the end of a landline whose area code is the
// digits [b,e) of s between '(' and ')', 0 if there is none.
func bracketLandline(s string, b, e int) int {
	if b == 0 || s[b-1] != '(' || e >= len(s) || s[e] != ')' || s[b] != '0' || s[b+1] == '0' {
		return 0
	}
	area := 4
	if s[b+1] == '1' || s[b+1] == '2' {
		area = 3
	}
	if e-b != area {
		return 0
	}
	j := e + 1
	if j < len(s) && s[j] == ' ' {
		j++
	}
	if j >= len(s) || s[j] == '0' || !isDigit(s[j]) {
		return 0
	}
	n := 0
	for j < len(s) {
		if isDigit(s[j]) {
			n++
			j++
			continue
		}
		if (s[j] == '-' || s[j] == ' ') && j+1 < len(s) && isDigit(s[j+1]) && n > 0 && n < 7 {
			j++
			continue
		}
		break
	}
	if n != 7 && n != 8 {
		return 0
	}
	return j
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
	streetMarkers = []string{"路", "街", "巷", "弄", "胡同", "道", "小区", "花园", "大厦", "公寓", "新村",
		"家园", "苑", "村", "里", "广场", "公馆", "府", "城", "园区", "园"}
	unitSuffixes = []string{"号楼", "号院", "单元", "号", "弄", "栋", "幢", "座", "室", "楼", "层", "户", "区", "期"}
	stopRunes    = "在住是到寄送发往址于的我你他她们了把给从请和与及为号:,.!?;~()、。， \n"
	// notStreets are words ending in a street marker that are not streets:
	// 知道18号 is a date.
	notStreets = []string{"知道", "味道", "频道", "渠道", "通道", "难道", "报道", "轨道", "管道", "跑道",
		"车道", "一道", "这道", "那道", "哪道", "顺道", "绕道", "说道", "问道", "地道", "公道", "街道",
		"这里", "那里", "哪里", "家里", "店里", "城里", "心里", "手里", "村里", "夜里", "公里", "千里",
		"万里", "一路", "上路", "走路", "半路", "电路", "线路", "思路", "套路", "进城", "长城", "县城",
		"商城", "政府", "出路", "网路", "公园", "乐园", "幼儿园", "校园", "果园", "菜园", "动物园", "游乐园"}
	// buildingUnits are the units of a building, unit and room chain.
	buildingUnits = []string{"号楼", "栋", "幢", "座", "单元", "室", "户"}
)

// notStreet reports that p (the text before a number) ends in a word that
// only looks like a street.
func notStreet(p string) bool {
	for _, w := range notStreets {
		if strings.HasSuffix(p, w) {
			return true
		}
	}
	return false
}

// numLen returns the byte length of the house, building or room number at
// the start of s: ASCII letters, digits and '-', or Chinese numerals.
func numLen(s string) int {
	j := 0
	for j < len(s) {
		if isAlnum(s[j]) || s[j] == '-' {
			j++
			continue
		}
		if r, size := utf8.DecodeRuneInString(s[j:]); hanNumeral(r) {
			j += size
			continue
		}
		break
	}
	return j
}

// units returns the end of a chain of at least min numbered building units
// at byte b of s (3栋2单元501室, 5号楼1单元302: a bare room number of 3 or
// more digits may end it), 0 if there is none. Every number is followed by
// one of buildingUnits but the last.
func units(s string, b, min int) int {
	end, n := b, 0
	for end < len(s) {
		j := end + numLen(s[end:])
		if j == end {
			break
		}
		if u := unitAt(s[j:], buildingUnits); u > 0 {
			end, n = j+u, n+1
			continue
		}
		if n > 0 && j-end >= 3 && allDigits(s[end:j]) {
			end, n = j, n+1
		}
		break
	}
	if n < min {
		return 0
	}
	return end
}

// unitAt returns the byte length of the unit of us at the start of s.
func unitAt(s string, us []string) int {
	for _, u := range us {
		if strings.HasPrefix(s, u) {
			return len(u)
		}
	}
	return 0
}

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
	if mb < 0 || notStreet(p) {
		return 0, 0, false
	}
	n := unitAt(s[e:], unitSuffixes)
	if n == 0 {
		return 0, 0, false
	}
	end := e + n
	// more units: 3栋2单元501室, 88-1号, 3-2-501, also after a space
	for end < len(s) {
		at := end
		if s[at] == ' ' || s[at] == ',' {
			at++
		}
		j := at + numLen(s[at:])
		if j == at {
			break
		}
		if n := unitAt(s[j:], unitSuffixes); n > 0 {
			end = j + n
			continue
		}
		if at == end && j-at >= 3 && roomNumber(s[at:j]) {
			end = j // a bare room number at the end: 501, 3-2-501
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

// roomNumber reports digits, or groups of digits joined by '-'.
func roomNumber(s string) bool {
	if !isDigit(s[0]) || !isDigit(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && (s[i] != '-' || s[i-1] == '-') {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
