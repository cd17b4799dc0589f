package textsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLineAndText(t *testing.T) {
	tests := []struct {
		name, in, line, text string
	}{
		{"plain", "物流太慢了 SKU-1001", "物流太慢了 SKU-1001", "物流太慢了 SKU-1001"},
		{"escape sequences", "a\x1b[2J\x1b]0;pwned\x07b", `a\x1b[2J\x1b]0;pwned\x07b`, `a\x1b[2J\x1b]0;pwned\x07b`},
		{"C1 CSI and DEL", "x\u009b31my\x7f", `x\u009b31my\x7f`, `x\u009b31my\x7f`},
		{"newline and tab", "a\tb\nc", "a b c", "a\tb\nc"},
		{"carriage return", "ok\rEVIL", "ok EVIL", `ok\x0dEVIL`},
		{"bidi override", "abc\u202eevil", `abc\u202eevil`, `abc\u202eevil`},
		{"invalid UTF-8", "a\xffb\xc3", `a\xffb\xc3`, `a\xffb\xc3`},
		{"NUL", "a\x00b", `a\x00b`, `a\x00b`},
		{"replacement char kept", "a\uFFFDb", "a\uFFFDb", "a\uFFFDb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Line(tc.in); got != tc.line {
				t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.line)
			}
			if got := Text(tc.in); got != tc.text {
				t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.text)
			}
			for _, out := range []string{Line(tc.in), Text(tc.in)} {
				if strings.ContainsAny(out, "\x1b\x07\x00\x7f\u009b\u202e") {
					t.Errorf("output %q holds a control character", out)
				}
			}
			if Safe(tc.in) != (tc.in == tc.text) {
				t.Errorf("Safe(%q) = %v", tc.in, Safe(tc.in))
			}
		})
	}
}

func FuzzLine(f *testing.F) {
	f.Add("\x1b[2J\x1b]0;pwned\x07")
	f.Add("正常文本")
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Line(s), Text(s)} {
			if !utf8.ValidString(out) {
				t.Fatalf("output %q for %q is not UTF-8", out, s)
			}
			for _, r := range out {
				if unsafe(r) && r != '\n' && r != '\t' {
					t.Fatalf("output %q holds %U", out, r)
				}
			}
		}
		if strings.ContainsAny(Line(s), "\n\t\r") {
			t.Fatalf("Line(%q) holds a line break or tab", s)
		}
	})
}
