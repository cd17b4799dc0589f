package normalize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "质量不错", "质量不错"},
		{"full width ascii", "ＡＢＣ１２３，好！", "abc123,好!"},
		{"cjk punctuation kept", "好。《书》、「引」…", "好。《书》、「引」…"},
		{"ideographic space", "很好\u3000\u3000物流快", "很好 物流快"},
		{"traditional", "這個產品質量很好，物流太慢了", "这个产品质量很好,物流太慢了"},
		{"traditional ambiguous first candidate", "乾淨", "干净"},
		{"simplified untouched", "著名的么", "著名的么"},
		{"lowercase ascii", "iPhone 15 PRO", "iphone 15 pro"},
		{"repeat han", "好好好好好好", "好好好"},
		{"repeat han three kept", "好好好", "好好好"},
		{"repeat emoji", "👍👍👍👍👍", "👍👍"},
		{"repeat emoji with selector", "❤️❤️❤️❤️", "❤❤"},
		{"skin tone dropped", "👍🏻👍🏻👍🏻", "👍👍"},
		{"repeat punct", "太差了!!!!!!", "太差了!!!"},
		{"repeat full width punct", "太差了！！！！？？？？", "太差了!!!???"},
		{"digits not collapsed", "13888888888", "13888888888"},
		{"chinese numerals not collapsed", "一三九八八八八一二三四 好好好好", "一三九八八八八一二三四 好好好"},
		{"pii placeholders kept", "<QQ> <WECHAT>", "<QQ> <WECHAT>"},
		{"ascii letters not collapsed", "soooo good", "soooo good"},
		{"whitespace", "  a \t\t b  \r\n\n c  ", "a b\nc"},
		{"html tags", "<p>很好</p><p>物流<b>快</b></p>", "很好\n物流快"},
		{"html br", "质量好<br/>价格贵", "质量好\n价格贵"},
		{"not a tag", "价格<100元 a<b", "价格<100元 a< b"},
		{"html comment", "好<!-- x -->用", "好用"},
		{"entities", "A&amp;B &lt;3 &nbsp;x&#20320;&#x597D;", "a&b <3 x你好"},
		{"bad entity", "&nosuch; &#0;", "&nosuch; &#0;"},
		{"emoticon", "太好了[哈哈][哈哈]下次还买", "太好了 哈哈 哈哈 下次还买"},
		{"emoticon single", "差评[怒]", "差评 怒"},
		{"jd placeholders", "[数字x]元[金额x] 订单[ORDERID_123]", "[数字x]元[金额x] 订单[ORDERID_123]"},
		{"pii placeholder kept", "电话<PHONE>联系", "电话<PHONE>联系"},
		{"unclosed bracket", "[哈哈 好", "[哈哈 好"},
		{"invalid utf8", "好\xff\xfe评", "好评"},
		{"control and zero width", "好\x00\u200b评\ufeff", "好评"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if got.S != tt.want {
				t.Errorf("Normalize(%q).S = %q, want %q", tt.in, got.S, tt.want)
			}
			checkInvariants(t, tt.in, got)
		})
	}
}

func TestNormalizeOffsets(t *testing.T) {
	in := "<b>這個</b>ＡＢ  好好好好[哈哈]&amp;"
	got := Normalize(in)
	want := "这个ab 好好好 哈哈 &"
	if got.S != want {
		t.Fatalf("S = %q, want %q", got.S, want)
	}
	orig := []rune(in)
	// every kept rune maps to the rune it came from
	for i, r := range []rune(got.S) {
		o := orig[got.Orig[i]]
		switch {
		case r == ' ' || r == '&':
			continue
		case o == r, toSimplified(o) == r, o-0xFEE0+('a'-'A') == r:
		default:
			t.Errorf("rune %d %q maps to original %d %q", i, r, got.Orig[i], o)
		}
	}
	if s, e := got.Span(0, 2); s != 3 || e != 5 {
		t.Errorf("Span(0,2) = %d,%d, want 3,5 (这个 in the original)", s, e)
	}
	if s, e := got.Span(5, 8); s != 13 || e != 16 {
		t.Errorf("Span(5,8) = %d,%d, want 13,16 (first three 好)", s, e)
	}
}

func checkInvariants(t *testing.T, in string, got Text) {
	t.Helper()
	if !utf8.ValidString(got.S) {
		t.Fatalf("invalid UTF-8 output %q", got.S)
	}
	n := utf8.RuneCountInString(got.S)
	if len(got.Orig) != n+1 {
		t.Fatalf("len(Orig) = %d, want %d", len(got.Orig), n+1)
	}
	if last := got.Orig[n]; last != utf8.RuneCountInString(in) {
		t.Fatalf("Orig[last] = %d, want %d", last, utf8.RuneCountInString(in))
	}
	for i := 1; i < len(got.Orig); i++ {
		if got.Orig[i] < got.Orig[i-1] {
			t.Fatalf("Orig decreases at %d: %v", i, got.Orig)
		}
	}
	for i := 0; i < n; i++ {
		if got.Orig[i] >= got.Orig[n] {
			t.Fatalf("Orig[%d] = %d out of range %d", i, got.Orig[i], got.Orig[n])
		}
	}
	if strings.HasPrefix(got.S, " ") || strings.HasSuffix(got.S, " ") || strings.Contains(got.S, "  ") {
		t.Fatalf("whitespace not collapsed: %q", got.S)
	}
}

// tagAt returns the tag that a '<' opens in s (HTML's tag open state: '<'
// then an ASCII letter, '/', '!' or '?'), a pii placeholder excepted, or "".
func tagAt(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '<' || !opensTag(s[i+1]) {
			continue
		}
		if e := strings.IndexByte(s[i:], '>'); e > 0 && placeholders[s[i+1:i+e]] {
			continue
		}
		return s[i:min(len(s), i+20)]
	}
	return ""
}

func TestNormalizeNoTag(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"escaped tag", "&#x3C;img src=x onerror=alert(1)&#x3E;好评", "好评"},
		{"escaped tag named", "&lt;script&gt;alert(1)&lt;/script&gt;", "alert(1)"},
		{"escaped block tag", "质量好&lt;br/&gt;价格贵", "质量好\n价格贵"},
		{"escaped tag raw end", "&lt;b>加粗&lt;/b>", "加粗"},
		{"escaped tag cut", "&lt;img src=x onerror=alert(1)", "< img src=x onerror=alert(1)"},
		{"escaped less than", "a&lt;b", "a< b"},
		{"escaped less than digit", "价格&lt;100元", "价格<100元"},
		{"nested tag", "<scr<script>ipt>alert(1)</script>", "< script>alert(1)"},
		{"nested entity tag", "&lt;scr<script>ipt&gt;", "< script>"},
		{"entity letter", "<&#x73;cript>", "< script>"},
		{"full width", "＜ｓｃｒｉｐｔ＞alert(1)＜／ｓｃｒｉｐｔ＞", "< script>alert(1)< /script>"},
		{"dropped byte", "<\xa5a href=x>", "< a href=x>"},
		{"zero width", "<\u200bimg src=x>", "< img src=x>"},
		{"han in tag name", "<a很好>", "< a很好>"},
		{"processing instruction", "<?php echo 1 ?>", "< ?php echo 1 ?>"},
		{"bang", "<!x", "< !x"},
		{"end tag", "</ b>", "< / b>"},
		{"escaped placeholder", "电话&lt;PHONE&gt;", "电话<PHONE>"},
		{"double escaped is text", "&amp;lt;b&amp;gt;", "&lt;b&gt;"},
		{"heart", "i <3 u", "i <3 u"},
		{"space kept", "a < b", "a < b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if got.S != tt.want {
				t.Errorf("Normalize(%q).S = %q, want %q", tt.in, got.S, tt.want)
			}
			if tag := tagAt(got.S); tag != "" {
				t.Errorf("Normalize(%q).S = %q holds a tag at %q", tt.in, got.S, tag)
			}
			checkInvariants(t, tt.in, got)
		})
	}
}

func TestBlank(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{" \t\r\n\u3000", true},
		{"<b></b>", true},
		{"<p><br/></p><!-- x -->", true},
		{"\u200b\u200d\ufeff\u2060", true},
		{"\x00\x01\x7f", true},
		{"\xff\xfe", true},
		{"&nbsp;&#x200b;", true},
		{"&lt;b&gt;&lt;/b&gt;", true},
		{"\ufe0f🏻", true},
		{"好", false},
		{"<b>好</b>", false},
		{" a", false},
		{"<PHONE>", false},
		{"[哈哈]", false},
		{"&amp;", false},
		{"<", false},
		{"\u200b\u200b好", false},
	}
	for _, tt := range tests {
		if got := Blank(tt.in); got != tt.want {
			t.Errorf("Blank(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if got := Normalize(tt.in).S == ""; got != tt.want {
			t.Errorf("Normalize(%q).S == \"\" is %v, want %v", tt.in, got, tt.want)
		}
	}
}

// FuzzNormalize checks the invariants of Text, that no HTML tag survives
// and that normalizing again changes nothing, unless the output holds an
// entity (decoded once only) or text that only became markup once
// characters were folded or dropped.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"", "质量不错但是物流太慢", "ＡＢＣ！！！", "<p>好</p>&amp;", "[哈哈]", "[数字x]",
		"👍🏻👍🏻👍🏻", "\xff\xfe", "&#x1F600;", "<!--", "<a href='x'>", "  \n\t ", "這個",
		"<PHONE>", "&#55296;", "[", "<", "&", "好好好好好",
		"&#x3C;img src=x onerror=alert(1)&#x3E;", "<scr<script>ipt>", "&lt;/p&gt;", "&lt;b>",
		"<\xa5A>", "＜ｉｍｇ＞", "<\u200bb>", "<?x?>", "<<<<a", "&lt;&lt;a", "&lt;PHONE&gt;",
		"a<b", "<a很好>", "<\x00script>", "&#60;&#115;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Normalize(s)
		checkInvariants(t, s, got)
		if tag := tagAt(got.S); tag != "" {
			t.Fatalf("Normalize(%q).S = %q holds a tag at %q", s, got.S, tag)
		}
		if Blank(s) != (got.S == "") {
			t.Fatalf("Blank(%q) = %v, Normalize gives %q", s, Blank(s), got.S)
		}
		again := Normalize(got.S)
		if again.S != got.S && !strings.ContainsAny(got.S, "&[") {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got.S, again.S)
		}
	})
}
