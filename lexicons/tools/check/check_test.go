package check

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vocproject/voc/lexicons"
)

func TestNormalizationAndNumbers(t *testing.T) {
	entries := []lexicons.Entry{
		{File: lexicons.TaxonomyFile, Line: 3, Kind: "aspect", Term: "質量", Category: "质量"},
		{File: lexicons.TaxonomyFile, Line: 4, Kind: "aspect", Term: "Wifi", Category: "功能"}, // case is folded by the matcher
		{File: lexicons.TaxonomyFile, Line: 5, Kind: "implicit", Term: "{N}多天才到", Point: "物流/配送慢"},
		{File: lexicons.TaxonomyFile, Line: 5, Kind: "implicit", Term: "{N}天才到", Point: "物流/配送慢"},
		{File: lexicons.TaxonomyFile, Line: 6, Kind: "implicit", Term: "等了{N}个半小时", Point: "物流/配送慢"},
		{File: lexicons.TaxonomyFile, Line: 7, Kind: "implicit", Term: "{N}5天", Point: "物流/配送慢"},
		{File: lexicons.SentimentFile, Line: 8, Kind: "sentiment", Term: "乾淨"},
		{File: lexicons.SentimentFile, Line: 9, Kind: "sentiment", Term: "後悔"},
	}
	var got []string
	for _, p := range append(Normalization(entries), Numbers(entries)...) {
		got = append(got, p.String())
	}
	want := []string{
		`taxonomy.tsv:3: warning: normalization: aspect "質量" becomes "质量" in normalized text: it can never match as written`,
		`sentiment.tsv:8: warning: normalization: 2 terms of sentiment.tsv change in normalized text (traditional characters, full-width forms) and never match: 乾淨 (line 8), 後悔 (line 9)`,
		`taxonomy.tsv:5: warning: unreachable: implicit "{N}多天才到" (物流/配送慢) never matches: {N} takes every numeral after it (十多, 十来, 两三 are one number), so no "多" can follow; write "{N}天才到", which matches 三十多天才到 too`,
		`taxonomy.tsv:7: warning: unreachable: implicit "{N}5天" (物流/配送慢) never matches: {N} takes every numeral after it (十多, 十来, 两三 are one number), so no "5" can follow; write "{N}天", which matches 三十5天 too`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestValidateSegmentation: an aspect the dictionary lacks, glued to the
// opinion after it, is reported until it is a domain word; and a sentiment
// word that is never one token is reported too.
func TestValidateSegmentation(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(lexicons.TaxonomyFile, "# source: test\ncategory\t车机\tinfotainment\ncategory\t整体\toverall\n"+
		"aspect\t车机\t车机 中控 导航\nopinion\t车机/卡顿\t-\t卡 慢\nmodifier\t-\t很\n"+
		"#test\t中控很卡\t车机/卡顿-@中控\n")
	write(lexicons.SentimentVocFile, "# source: test\n卡死了\t-1\n卡\t-0.5\n")
	messages := func() []string {
		v, err := Validate(lexicons.Overlay(dir))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range v.Problems {
			if p.File == lexicons.TaxonomyFile || p.File == lexicons.SentimentVocFile {
				out = append(out, p.String())
			}
		}
		if v.Analyzer == nil || v.Errors() != 0 {
			t.Errorf("analyzer %v, %d errors", v.Analyzer, v.Errors())
		}
		return out
	}
	want := []string{
		`sentiment_voc.tsv:2: warning: segmentation: sentiment "卡死了" is cut 卡死|了 by the segmenter: words are looked up per token, so it never counts; add it to domain_words.txt`,
		`taxonomy.tsv:4: warning: segmentation: aspect "中控" (车机) does not match in 中控卡: the segmenter, not knowing the words, cuts it 中|控卡 ("控卡" crosses the term's edge); add "中控" to domain_words.txt`,
	}
	if got := messages(); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	write(lexicons.DomainFile, "# source: test\n中控\t2000\tn\n卡死了\n")
	if got := messages(); len(got) != 0 {
		t.Errorf("with the domain words: %q", got)
	}

	// the test line passes: 中控很卡 is cut 中控|很|卡
	cases, err := lexicons.ReadTests(lexicons.Overlay(dir))
	if err != nil || len(cases) == 0 {
		t.Fatalf("tests: %v, %v", cases, err)
	}
	v, _ := Validate(lexicons.Overlay(dir))
	for _, o := range RunAll(v.Analyzer, cases) {
		if o.Case.File == lexicons.TaxonomyFile && len(o.Failures) > 0 {
			t.Errorf("%s: %v (%v)", o.Case.Text, o.Failures, o.Result.Aspects)
		}
	}
}

// TestValidateUnloadable: a taxonomy without categories (a core without
// categories and a pack that adds none) cannot load, and the checks that
// need the analyzer are skipped.
func TestValidateUnloadable(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, lexicons.TaxonomyFile), []byte("# source: test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "packs", "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "packs", "empty", lexicons.PackFile), []byte("# source: test\ndescription\tnothing\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := ValidatePacks(lexicons.Overlay(dir), []string{"empty"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Set != nil || v.Analyzer != nil || v.Errors() != 1 || v.Problems[0].String() != `taxonomy.tsv: error: load: no categories (select a pack: FORMAT.md, section "Packs")` {
		t.Errorf("set %v analyzer %v problems %v", v.Set, v.Analyzer, v.Problems)
	}
}
