package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vocproject/voc/lexicons"
)

// TestLexiconSuggest mines the car sample as docs/extending-lexicons.md
// mines its forum sample (--lexicons DIR --pack mycars): a slang complaint
// (弱鸡) that the pack lacks starts in the recent weeks.
func TestLexiconSuggest(t *testing.T) {
	out, err := runLexicon(t, "suggest", "--lexicons", walkDir, "--pack", "mycars", "--sample", carsSample, "--min-count", "3", "--top", "5")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"; packs mycars\n",
		"# ==== domain_words.txt: new words",
		"\n弱鸡\n",
		"# score 4.6: 弱鸡 in 4 recent texts, 0 older; 100% of them negative\n",
		"\n# ==== taxonomy.tsv: aspects the taxonomy does not know, named with an opinion (texts holding one: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// the uncovered complaint, as an implicit line of a category of the pack
	if !regexp.MustCompile(`\nimplicit\t(动力|价格|内饰|配置|安全性|外观|操控|油耗|空间|舒适性)/[^\t]+\t-\t弱鸡\n`).MatchString(out) {
		t.Errorf("no implicit line for 弱鸡 with a category of mycars:\n%s", out)
	}
	js, err := runLexicon(t, "suggest", "--lexicons", walkDir, "--pack", "mycars", "--sample", carsSample, "--min-count", "3", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Texts    int
		Packs    []string
		NewWords []struct{ Term string } `json:"new_words"`
		Unmapped *[]struct {
			Term, Category, Line string
		} `json:"unmapped_aspects"`
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil || rep.Texts != 60 || !slices.Equal(rep.Packs, []string{"mycars"}) ||
		len(rep.NewWords) == 0 || rep.NewWords[0].Term != "弱鸡" {
		t.Errorf("json: %v %+v", err, rep)
	}
	if !strings.Contains(js, `"unmapped_aspects":`) {
		t.Errorf("json lacks unmapped_aspects:\n%s", js)
	}
	for _, args := range [][]string{{"suggest"}, {"suggest", "--sample", carsSample, "extra"}, {"suggest", "--sample", carsSample, "--max-len", "1"}} {
		if _, err := runLexicon(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}

// TestLexiconSuggestUnmapped mines a sample analysed with the food pack
// where an aspect no pack of the selection knows (卡扣, the clasp of a
// cup's lid) recurs with opinions: it ranks first among the unmapped
// aspects, and 挂绳, seen once, is left out with --min-count 2. Proposed
// categories are the selection's.
func TestLexiconSuggestUnmapped(t *testing.T) {
	sample := filepath.Join(t.TempDir(), "sample.txt")
	lines := []string{
		"保温杯的卡扣很差，盖子老掉", "卡扣真的很差，有点失望", "用了一周，卡扣很差", "卡扣很好，很结实",
		"挂绳很差", "味道不错，分量很足", "送餐很快，包装完好",
	}
	if err := os.WriteFile(sample, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	type unmapped struct {
		Term, Category, Line, File string
		Count                      int
		Negative, Positive         float64
	}
	mine := func(minCount string) (packs []string, got []unmapped) {
		t.Helper()
		js, err := runLexicon(t, "suggest", "--pack", "food", "--sample", sample, "--min-count", minCount, "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Packs    []string
			Unmapped []unmapped `json:"unmapped_aspects"`
		}
		if err := json.Unmarshal([]byte(js), &rep); err != nil {
			t.Fatalf("%v\n%s", err, js)
		}
		return rep.Packs, rep.Unmapped
	}
	packs, got := mine("2")
	if !slices.Equal(packs, []string{"ecommerce", "food"}) {
		t.Errorf("packs %v, want ecommerce, food", packs)
	}
	if len(got) == 0 {
		t.Skip("the analysis pairs no opinion with an aspect the taxonomy lacks (open extraction absent)")
	}
	if got[0].Term != "卡扣" || got[0].Count != 4 || got[0].Negative != 0.75 || got[0].Positive != 0.25 {
		t.Errorf("unmapped %+v: want 卡扣 first, 4 texts, 75%% negative, 25%% positive", got)
	}
	set, err := lexicons.LoadPacks(lexicons.Embedded(), []string{"food"})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range got {
		if u.Term == "挂绳" {
			t.Errorf("挂绳 (one text) listed with --min-count 2: %+v", u)
		}
		if _, ok := set.Taxonomy.Category(u.Category); !ok && u.Category != "?" {
			t.Errorf("%s: category %q is not of the selection", u.Term, u.Category)
		}
		if u.Category != "?" && !strings.HasPrefix(u.File, "packs/ecommerce/") && !strings.HasPrefix(u.File, "packs/food/") {
			t.Errorf("%s: file %q is not of the selection", u.Term, u.File)
		}
	}
	_, got = mine("1")
	if !slices.ContainsFunc(got, func(u unmapped) bool { return u.Term == "挂绳" }) {
		t.Errorf("--min-count 1: %+v lacks 挂绳", got)
	}

	out, err := runLexicon(t, "suggest", "--pack", "food", "--sample", sample, "--min-count", "2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "; packs ecommerce, food\n") || !strings.Contains(out, "\n# 卡扣: 4 texts, 4 opinions, 75% negative, 25% positive") {
		t.Errorf("output:\n%s", out)
	}
}
