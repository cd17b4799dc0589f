package lexicons

import (
	"path"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func TestParseTest(t *testing.T) {
	tests := []struct {
		name string
		line string
		want TestCase
		err  string
	}{
		{
			name: "aspects and sentiment",
			line: "#test\t快递太慢了\t物流/配送慢-@快递 !包装/破损 sentiment=negative",
			want: TestCase{File: "f.tsv", Line: 7, Text: "快递太慢了", Sentiment: Negative, Aspects: []AspectExpectation{
				{Category: "物流", Subcategory: "配送慢", Polarity: Negative, Aspect: "快递"},
				{Not: true, Category: "包装", Subcategory: "破损"},
			}},
		},
		{
			name: "commas, extra tab, any subcategory, neutral",
			line: "#test\t希望快一点\t物流/*~,\tonly",
			want: TestCase{File: "f.tsv", Line: 7, Text: "希望快一点", Exact: true, Aspects: []AspectExpectation{
				{Category: "物流", Subcategory: "*", Polarity: Neutral},
			}},
		},
		{
			name: "intent, escalation, rating, none, todo",
			line: "#test\t12315见\tintent=投诉 escalation=yes rating=1 none todo",
			want: TestCase{File: "f.tsv", Line: 7, Text: "12315见", Intent: "投诉", CheckIntent: true, Escalation: true,
				CheckEscalation: true, Rating: 1, Exact: true, Todo: true},
		},
		{
			name: "no intent",
			line: "#test\t你好\tintent=none escalation=no",
			want: TestCase{File: "f.tsv", Line: 7, Text: "你好", CheckIntent: true, CheckEscalation: true},
		},
		{name: "spaces for tabs", line: "#test 快递慢 物流/配送慢-", err: "f.tsv:7: test: want #test, TAB, text, TAB, expectations"},
		{name: "no expectations field", line: "#test\t快递慢", err: "f.tsv:7: test: want #test, TAB, text, TAB, expectations (no TAB after the text)"},
		{name: "empty text", line: "#test\t \t物流/配送慢-", err: "f.tsv:7: test: empty text"},
		{name: "empty expectations", line: "#test\t快递慢\t ", err: "f.tsv:7: test: no expectations"},
		{name: "only options", line: "#test\t快递慢\trating=2 todo", err: "f.tsv:7: test: no expectations besides rating=2 todo"},
		{name: "bad point", line: "#test\t快递慢\t配送慢-", err: `f.tsv:7: test: "配送慢-": want CATEGORY/SUBCATEGORY with an optional polarity + - ~ and @aspect`},
		{name: "bad sentiment", line: "#test\t快递慢\tsentiment=bad", err: `f.tsv:7: test: sentiment="bad": want positive, negative or neutral`},
		{name: "bad intent", line: "#test\t快递慢\tintent=escalation", err: `f.tsv:7: test: intent="escalation": want 咨询, 投诉, 售后, 建议, 表扬 or none`},
		{name: "bad rating", line: "#test\t快递慢\trating=6 sentiment=negative", err: `f.tsv:7: test: rating="6": want 1 to 5`},
		{name: "unknown check", line: "#test\t快递慢\tscore=1", err: `f.tsv:7: test: unknown check "score" (want sentiment, intent, escalation or rating)`},
		{name: "none with aspects", line: "#test\t快递慢\tnone 物流/配送慢-", err: "f.tsv:7: test: none: but aspects are expected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTest("f.tsv", 7, tt.line)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestIsTestLine(t *testing.T) {
	for line, want := range map[string]bool{
		"#test\tx\ty":     true,
		"  #test x":       true,
		"#tests are here": false,
		"# test\tx":       false,
		"#test":           false,
		"test\tx\ty":      false,
	} {
		if got := IsTestLine(line); got != want {
			t.Errorf("IsTestLine(%q) = %v", line, got)
		}
	}
}

func TestReadTests(t *testing.T) {
	fsys := fstest.MapFS{
		"a.tsv":     {Data: []byte("# source: x\nterm\t1\n#test\t好\tsentiment=positive\n#tests are comments\n")},
		"b.txt":     {Data: []byte("\uFEFF#test\t差\tsentiment=negative\r\n#test\tbad\n")},
		"FORMAT.md": {Data: []byte("#test\tnot\tread=1\n")},
	}
	cases, err := ReadTests(fsys)
	if err == nil || err.Error() != "b.txt:2: test: want #test, TAB, text, TAB, expectations (no TAB after the text)" {
		t.Errorf("error %v", err)
	}
	var got []string
	for _, c := range cases {
		got = append(got, c.File+":"+strings.Repeat("I", c.Line)+":"+c.Text+":"+c.String())
	}
	want := []string{"a.tsv:III:好:sentiment=positive", "b.txt:I:差:sentiment=negative"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cases %q, want %q", got, want)
	}
}

// TestShippedTests checks that the shipped files hold well-formed test
// lines (lexicons/tools/check and "voc lexicon test" run them).
func TestShippedTests(t *testing.T) {
	cfs, _, err := Compose(Embedded(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := ReadTests(cfs)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]int{}
	for _, c := range cases {
		files[path.Base(c.File)]++
	}
	if len(cases) < 30 || files[TaxonomyFile] < 20 {
		t.Errorf("%d test lines (%v), want at least 30 with 20 in %s", len(cases), files, TaxonomyFile)
	}
}
