package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/store/ch/query"
)

// hostileReport holds customer- and data-derived strings that would be
// Markdown or HTML markup, line breaks or terminal escapes.
func hostileReport() *Report {
	from := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	const (
		product = "SKU-1<img src=x onerror=alert(1)>\x1b[2J\x1b]0;pwned\x07"
		channel = "![x](http://evil/p.png)[a](javascript:alert(1))"
	)
	return &Report{
		From: from, To: from.AddDate(0, 0, 7), PrevFrom: from.AddDate(0, 0, -7), Generated: from,
		Top:      []query.PainChange{{Category: "物流**", Subcategory: "配送慢`x`", Current: 3}},
		Channels: []query.GroupSentiment{{Key: channel, Totals: query.Totals{Records: 3}}},
		Products: []query.GroupSentiment{{Key: product, Totals: query.Totals{Records: 3}}},
		Verbatims: []PainVerbatims{{Key: "物流/配送慢<font color=red>", Items: []query.Verbatim{{
			Channel: channel, Product: product, CreatedAt: from,
			Text: "太慢了\n# 标题\n<img src=x onerror=alert(1)> **bold** www.evil.example \x1b[31m红",
		}}}},
		AlertsAvailable: true,
		Alerts:          []query.Alert{{OpenedAt: from, Kind: "spike\x1b[1m", Status: "open", Title: "痛点激增 · " + product}},
	}
}

// TestMarkdownEscapesData: in the Markdown report, data text (the
// verbatim, its source line of channel and product, keys, alert titles)
// renders as text: no image, link, HTML, emphasis, code, new line or
// terminal escape.
func TestMarkdownEscapesData(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, hostileReport()); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if strings.ContainsAny(md, "\x1b\x07") {
		t.Errorf("terminal escape in the report:\n%q", md)
	}
	// Every markup character of the data is backslash-escaped.
	unescaped := regexp.MustCompile("(^|[^\\\\])(!\\[|\\]\\(|<img|<font|\\*\\*bold|`x|www\\.|http://)")
	for i, line := range strings.Split(md, "\n") {
		if m := unescaped.FindString(line); m != "" {
			t.Errorf("line %d holds %q unescaped: %s", i+1, m, line)
		}
	}
	src := `> — 2026-03-09 00:00 · \!\[x\]\(http：//evil/p.png\)\[a\]\(javascript:alert\(1\)\) · SKU-1\<img src=x onerror=alert\(1\)\>\\x1b\[2J\\x1b\]0;pwned\\x07`
	if !strings.Contains(md, "\n"+src+"\n") {
		t.Errorf("source line not escaped as expected; want\n%s\nin\n%s", src, md)
	}
	quote := `> 太慢了 ⏎ \# 标题 ⏎ \<img src=x onerror=alert\(1\)\> \*\*bold\*\* www．evil.example \\x1b\[31m红` + "\n"
	if !strings.Contains(md, quote) {
		t.Errorf("verbatim not on one escaped line; want\n%s\nin\n%s", quote, md)
	}
	if !strings.Contains(md, `### 物流/配送慢\<font color=red\>`) {
		t.Errorf("verbatim heading not escaped:\n%s", md)
	}
}

// TestHTMLEscapesTerminal: the HTML report (voc report prints it to
// stdout by default) holds no terminal escape and no data markup.
func TestHTMLEscapesTerminal(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, hostileReport()); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	if strings.ContainsAny(h, "\x1b\x07") {
		t.Errorf("terminal escape in the HTML report")
	}
	for _, bad := range []string{"<img", "<font"} {
		if strings.Contains(h, bad) {
			t.Errorf("HTML report holds %q", bad)
		}
	}
	if !strings.Contains(h, `SKU-1&lt;img src=x onerror=alert(1)&gt;\x1b[2J\x1b]0;pwned\x07`) {
		t.Errorf("product not shown escaped")
	}
}
