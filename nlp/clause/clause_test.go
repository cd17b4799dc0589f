package clause

import (
	"fmt"
	"testing"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // "text|lead|kind"
	}{
		{"empty", "", nil},
		{"only punct", "，。!!", nil},
		{"one", "质量不错", []string{"质量不错||"}},
		{"punct", "质量不错，物流很快。包装好!", []string{"质量不错||", "物流很快||", "包装好||"}},
		{"ascii punct", "质量不错,物流很快.包装好;价格贵?", []string{"质量不错||", "物流很快||", "包装好||", "价格贵||"}},
		{"contrast in middle", "质量不错但是物流太慢", []string{"质量不错||", "但是物流太慢|但是|contrast"}},
		{"contrast after comma", "质量不错,不过物流太慢", []string{"质量不错||", "不过物流太慢|不过|contrast"}},
		{"single char contrast", "便宜但难用", []string{"便宜||", "但难用|但|contrast"}},
		{"不但 is not contrast", "不但便宜而且好用", []string{"不但便宜||", "而且好用|而且|"}},
		{"concession at start", "虽然贵,但是好用", []string{"虽然贵|虽然|concession", "但是好用|但是|contrast"}},
		{"concession in middle does not split", "质量虽然不错", []string{"质量虽然不错||"}},
		{"pause", "物流很快而且包装很好", []string{"物流很快||", "而且包装很好|而且|"}},
		{"marker too close to start", "我只是想问一下", []string{"我只是想问一下||"}},
		{"decimal and thousands", "评分4.8分,花了1,299元", []string{"评分4.8分||", "花了1,299元||"}},
		{"ellipsis and tilde", "还行吧……下次再买~~", []string{"还行吧||", "下次再买||"}},
		{"newline and spaces", "  第一句 \n 第二句  ", []string{"第一句||", "第二句||"}},
		{"trailing period after number", "给5.", []string{"给5||"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.in, DefaultMarkers())
			var gs []string
			for _, c := range got {
				gs = append(gs, fmt.Sprintf("%s|%s|%s", c.Text, c.Lead, c.Kind))
				checkOffsets(t, tt.in, c)
			}
			if fmt.Sprint(gs) != fmt.Sprint(tt.want) {
				t.Errorf("Split(%q) = %q, want %q", tt.in, gs, tt.want)
			}
		})
	}
}

func checkOffsets(t *testing.T, s string, c Clause) {
	t.Helper()
	r := []rune(s)
	if c.Start < 0 || c.End > len(r) || c.Start >= c.End {
		t.Fatalf("bad span [%d,%d) of %d runes", c.Start, c.End, len(r))
	}
	if got := string(r[c.Start:c.End]); got != c.Text {
		t.Fatalf("span [%d,%d) = %q, Text = %q", c.Start, c.End, got, c.Text)
	}
}

func TestSplitCustomMarkers(t *testing.T) {
	m := Markers{Contrast: []string{"可惜"}}
	got := Split("外观漂亮可惜太重", m)
	if len(got) != 2 || got[1].Lead != "可惜" || got[1].Kind != Contrast || got[1].Start != 4 {
		t.Fatalf("got %+v", got)
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"质量不错但是物流太慢", "1,2.3", "\xff但是", "但", "，，但是，", "虽然"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // Split's input is normalized text
		}
		prev := 0
		for _, c := range Split(s, DefaultMarkers()) {
			checkOffsets(t, s, c)
			if c.Start < prev {
				t.Fatalf("clauses overlap: %+v", c)
			}
			prev = c.End
		}
	})
}
