package pii

import (
	"strings"
	"unicode/utf8"
)

// This file holds the rules for personal data written to get past a filter
// or in words: e-mail addresses with "at" and "dot", numbers in Chinese
// numerals, and the QQ and WeChat accounts that follow their name.

// ---- spelled e-mail addresses: zhangsan at 163 dot com, li(at)qq.com

// atWords and dotWords stand for '@' and '.' in a spelled address.
var (
	atWords  = []string{" at ", "(at)", "[at]", "{at}", " (at) ", " [at] ", "艾特", " 艾特 ", "#"}
	dotWords = []string{".", " dot ", "(dot)", "[dot]", "{dot}", " (dot) ", " [dot] ", "点", " 点 "}
	// tlds are the top-level domains a spelled address may end in.
	tlds = []string{"com", "cn", "net", "org", "edu", "gov", "io", "co", "cc", "me", "top", "vip",
		"info", "biz", "xyz", "hk", "tw", "jp", "uk", "us"}
)

// findSpelledEmails masks local part, an at word, and a domain of labels
// joined by dot words whose last label is a known top-level domain.
func findSpelledEmails(s string, spans []span) []span {
	if !strings.Contains(s, "at") && !strings.Contains(s, "艾特") && strings.IndexByte(s, '#') < 0 {
		return spans
	}
	for _, w := range atWords {
		spans = spelledAt(s, w, spans)
	}
	return spans
}

func spelledAt(s, w string, spans []span) []span {
	for at := 0; at < len(s); {
		k := strings.Index(s[at:], w)
		if k < 0 {
			break
		}
		i := at + k
		at = i + len(w)
		b := i
		for b > 0 && isLocal(s[b-1]) {
			b--
		}
		for b < i && !isAlnum(s[b]) {
			b++
		}
		if i-b < 2 || !hasLetterOrDigits(s[b:i]) {
			continue
		}
		e := spelledDomain(s, i+len(w))
		if e < 0 || overlaps(spans, b, e) {
			continue
		}
		spans = append(spans, span{b, e, kEmail})
		at = e
	}
	return spans
}

func hasLetterOrDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if isAlnum(s[i]) {
			return true
		}
	}
	return false
}

// spelledDomain returns the end of a domain at byte i of s: labels joined by
// dot words, at least two, the last a known top-level domain; -1 if none.
func spelledDomain(s string, i int) int {
	end, labels := -1, 0
	for {
		l := labelEnd(s, i)
		if l == i {
			break
		}
		labels++
		if labels >= 2 && isTLD(s[i:l]) && (l == len(s) || !isAlnum(s[l])) {
			end = l
		}
		n := 0
		for _, d := range dotWords {
			if strings.HasPrefix(s[l:], d) && len(d) > n {
				n = len(d)
			}
		}
		if n == 0 {
			break
		}
		i = l + n
	}
	return end
}

func isTLD(s string) bool {
	for _, t := range tlds {
		if s == t {
			return true
		}
	}
	return false
}

// ---- QQ and WeChat accounts after their name: QQ:12345678, 微信:abc_123

// accountKeys name an account; the account follows, after an optional
// 号/号码/id, separators and 是/为/加/搜.
var accountKeys = []struct {
	key   string
	k     kind
	ascii bool // the key is ASCII: it must not follow a letter
}{
	{"qq", kQQ, true}, {"扣扣", kQQ, false}, {"企鹅号", kQQ, false},
	{"微信", kWeChat, false}, {"v信", kWeChat, true}, {"vx", kWeChat, true}, {"wx", kWeChat, true},
	{"威信", kWeChat, false}, {"薇信", kWeChat, false}, {"wechat", kWeChat, true}, {"weixin", kWeChat, true},
}

var accountFillers = []string{"号码", "号", "id", "群", "是", "为", "加", "搜", "联系", ":", " ", "#"}

func findAccounts(s string, spans []span) []span {
	for _, ak := range accountKeys {
		for at := 0; at < len(s); {
			k := strings.Index(s[at:], ak.key)
			if k < 0 {
				break
			}
			i := at + k
			at = i + len(ak.key)
			if ak.ascii && i > 0 && isLetter(s[i-1]) {
				continue
			}
			j := at
			for n := 0; n < 4; n++ {
				f := unitAt(s[j:], accountFillers)
				if f == 0 {
					break
				}
				j += f
			}
			e := j
			for e < len(s) && (isAlnum(s[e]) || s[e] == '_' || s[e] == '-') {
				e++
			}
			if e == j || overlaps(spans, j, e) || e < len(s) && (s[e] == '@' || s[e] == '.') {
				continue // none, or an e-mail address
			}
			if ak.k == kQQ && qqNumber(s[j:e]) || ak.k == kWeChat && wechatID(s[j:e]) {
				spans = append(spans, span{j, e, ak.k})
				at = e
			}
		}
	}
	return spans
}

// qqNumber reports 5 to 11 digits not starting with 0.
func qqNumber(s string) bool {
	return len(s) >= 5 && len(s) <= 11 && s[0] != '0' && allDigits(s)
}

// wechatID reports a WeChat id: 6 to 20 letters, digits, '_' and '-'
// starting with a letter (wxid_ ids are longer). An id made of digits is a
// phone or QQ number, left to those rules.
func wechatID(s string) bool {
	return len(s) >= 6 && len(s) <= 28 && isLetter(s[0])
}

// ---- numbers in Chinese numerals

// hanDigit returns the digit a Chinese numeral character stands for
// (一三八 幺 两 壹 〇 零), -1 if none.
func hanDigit(r rune) int {
	switch r {
	case '〇', '零':
		return 0
	case '一', '幺', '壹':
		return 1
	case '二', '两', '贰':
		return 2
	case '三', '叁':
		return 3
	case '四', '肆':
		return 4
	case '五', '伍':
		return 5
	case '六', '陆':
		return 6
	case '七', '柒':
		return 7
	case '八', '捌':
		return 8
	case '九', '玖':
		return 9
	}
	return -1
}

// hanNumeral reports the characters of a number in Chinese numerals, the
// digits and 十百千.
func hanNumeral(r rune) bool {
	return r < 0x10000 && numeralBits[r>>6]&(1<<(r&63)) != 0
}

// numeralBits is the set of hanNumeral runes, all in the BMP.
var numeralBits = func() (b [0x10000 >> 6]uint64) {
	for _, r := range "〇零一幺壹二两贰三叁四肆五伍六陆七柒八捌九玖十百千" {
		b[r>>6] |= 1 << (r & 63)
	}
	return b
}()

// numeralAt reports a hanNumeral encoded in the three bytes at s[i:]; the
// caller checks that they are there.
func numeralAt(s string, i int) bool {
	r := rune(s[i]&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
	return numeralBits[r>>6]&(1<<(r&63)) != 0
}

// findHanNumbers masks phone numbers written with Chinese numerals
// (一三八一二三四五六七八九, 幺三八 1234 5678) and addresses numbered with
// them (解放路十八号, 三栋二单元).
// The first numeral is at byte from.
func findHanNumbers(s string, from int, spans []span) []span {
	var d []byte
	for i := from; i < len(s); {
		c := s[i]
		if c < 0xE3 || c > 0xE9 || i+2 >= len(s) || !numeralAt(s, i) {
			i++
			continue
		}
		size := 3
		// back up over ASCII digits written before: 138一二三四五六七八
		b := i
		for b > 0 && (isDigit(s[b-1]) || (s[b-1] == ' ' || s[b-1] == '-') && b > 1 && isDigit(s[b-2])) {
			b--
		}
		for b < i && !isDigit(s[b]) {
			b++
		}
		if e := covered(spans, b); e >= 0 {
			i = max(e, i+size)
			continue
		}
		// the numeral run: digits in Chinese or ASCII, ' ' or '-' between
		d = d[:0]
		e, pure := b, true
		for e < len(s) {
			if isDigit(s[e]) {
				d = append(d, s[e])
				e++
				continue
			}
			r, n := utf8.DecodeRuneInString(s[e:])
			if v := hanDigit(r); v >= 0 {
				d = append(d, byte('0'+v))
				e += n
				continue
			}
			if r == '十' || r == '百' || r == '千' {
				pure = false
				e += n
				continue
			}
			if (r == ' ' || r == '-') && e+1 < len(s) && e > b && (isDigit(s[e+1]) || hanDigitAt(s[e+1:])) {
				e++
				continue
			}
			break
		}
		for e > b && (s[e-1] == ' ' || s[e-1] == '-') {
			e--
		}
		if (!pure || len(d) < 11) && !unitNext(s[e:]) {
			i = max(e, i+size) // 一个, 三遍: not a phone, no unit after it
			continue
		}
		if ab, ae, ok := address(s, b, e); ok && !overlaps(spans, ab, ae) {
			spans = append(spans, span{ab, ae, kAddress})
			i = ae
			continue
		}
		if ue := units(s, b, 2); ue > 0 && !overlaps(spans, b, ue) && roomUnit(s[b:ue]) {
			spans = append(spans, span{b, ue, kAddress})
			i = ue
			continue
		}
		if pure && len(d) >= 11 {
			var k kind
			switch {
			case isMobile(d):
				k = kPhone
			case len(d) == 13 && d[0] == '8' && d[1] == '6' && isMobile(d[2:]):
				k = kPhone
			case isLandline(d, nil):
				k = kLandline
			}
			if k != none && !overlaps(spans, b, e) {
				spans = append(spans, span{b, e, k})
			}
		}
		i = max(e, i+size)
	}
	return spans
}

// roomUnit reports a unit or a room in a chain of units, which tells
// 三栋二单元 from 一座一座.
func roomUnit(s string) bool {
	return strings.Contains(s, "单元") || strings.Contains(s, "室") || strings.Contains(s, "号楼")
}

// unitNext reports that s starts with the first character of a unit
// suffix, which every address number is followed by.
func unitNext(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	switch r {
	case '号', '单', '弄', '栋', '幢', '座', '室', '楼', '层', '户', '区', '期':
		return true
	}
	return false
}

func hanDigitAt(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return hanDigit(r) >= 0
}
