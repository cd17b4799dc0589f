package eval_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vocproject/voc/lexicons/tools/eval"
	"github.com/vocproject/voc/nlp"
)

// The targets of the per-pack topic evaluation on testdata/aspect-eval
// (issue: mention recall ≥ 0.70, micro-F1 ≥ 0.75, both well above the name
// baseline). Not all are met yet: the test fails below the floors, which
// are the measured numbers less about 0.03 (a regression guard), and logs
// every target still missed.
const (
	targetMentionRecall = 0.70
	targetF1            = 0.75
	targetMargin        = 0.10 // over the baseline, for both figures
)

// floors are the least mention recall and micro-F1 per sample.
var floors = map[string][2]float64{
	"app":         {0.70, 0.71},
	"cars":        {0.89, 0.70},
	"ecommerce":   {0.81, 0.74},
	"electronics": {0.75, 0.75},
	"food":        {0.78, 0.78},
	"hotel":       {0.80, 0.78},
	"service":     {0.80, 0.77},
}

// packSamplesDir finds testdata/aspect-eval of the repository (the
// directory holding go.mod above the package directory).
func packSamplesDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, eval.PackSamplesDir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
}

// TestPackSamples evaluates every pack on its labelled sample with the
// shipped lexicons and checks the floors and the margins over the baseline.
func TestPackSamples(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds one analyzer per pack selection (seconds each) and analyses every sample")
	}
	rs, err := eval.PackSamples(context.Background(), eval.PackConfig{Dir: packSamplesDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) == 0 {
		t.Fatal("no samples evaluated")
	}
	t.Log("\n" + eval.PackMarkdown(rs, false))
	t.Log("\n" + eval.PackJSONLines(rs))
	for _, r := range rs {
		t.Run(r.Name, func(t *testing.T) {
			mr, f1 := r.Voc.MentionRecall(), r.Voc.Pairs.F1()
			bmr, bf1 := r.Baseline.MentionRecall(), r.Baseline.Pairs.F1()
			floor, ok := floors[r.Name]
			if !ok {
				t.Fatalf("no floor for sample %s: add one", r.Name)
			}
			if mr < floor[0] {
				t.Errorf("mention recall %.3f < %.2f (floor)", mr, floor[0])
			}
			if f1 < floor[1] {
				t.Errorf("(category, polarity) micro-F1 %.3f < %.2f (floor)", f1, floor[1])
			}
			if mr < targetMentionRecall {
				t.Logf("target missed: mention recall %.3f < %.2f", mr, targetMentionRecall)
			}
			if f1 < targetF1 {
				t.Logf("target missed: (category, polarity) micro-F1 %.3f < %.2f", f1, targetF1)
			}
			if mr < bmr+targetMargin {
				t.Errorf("mention recall %.3f not %.2f above the baseline's %.3f", mr, targetMargin, bmr)
			}
			if f1 < bf1+targetMargin {
				t.Errorf("micro-F1 %.3f not %.2f above the baseline's %.3f", f1, targetMargin, bf1)
			}
		})
	}
}

// TestPackSampleFilesParse reads every shipped sample (quick: no analysis).
func TestPackSampleFilesParse(t *testing.T) {
	files, err := eval.PackSampleFiles(packSamplesDir(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		s, err := eval.ReadPackSample(f)
		if err != nil {
			t.Error(err)
			continue
		}
		if len(s.Texts) == 0 || s.Labels() == 0 {
			t.Errorf("%s: %d texts, %d labels", f, len(s.Texts), s.Labels())
		}
	}
}

// packFixtureAnalyze answers for the texts of testdata/packs/ok.
func packFixtureAnalyze(text string) []nlp.Aspect {
	a := func(cat, pol string) nlp.Aspect {
		return nlp.Aspect{Category: cat, Subcategory: "x", Opinion: "x", Polarity: pol}
	}
	mention := func(cat string) nlp.Aspect { return nlp.Aspect{Category: cat, Polarity: nlp.Neutral} }
	switch text {
	case "物流很快，价格太贵":
		return []nlp.Aspect{a("物流", nlp.Positive), a("价格", nlp.Negative), mention("价格")} // 0 dropped beside -
	case "包装一般":
		return nil
	case "质量不错但是有点臭":
		return []nlp.Aspect{a("质量", nlp.Positive), mention("气味")}
	case "今天天气不错":
		return []nlp.Aspect{a("整体", nlp.Positive), {Aspect: "天气", Opinion: "不错", Polarity: nlp.Positive}} // open opinion: not scored
	case "价格很好":
		return []nlp.Aspect{a("价格", nlp.Positive), a("价格", nlp.Positive)} // a pair counts once
	}
	panic("unexpected text " + text)
}

func TestPackScoreFixture(t *testing.T) {
	s, err := eval.ReadPackSample("testdata/packs/ok/demo.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "demo" || !slices.Equal(s.Packs, []string{"ecommerce"}) || len(s.Texts) != 5 || s.Labels() != 6 {
		t.Fatalf("sample = %s %v, %d texts, %d labels; want demo [ecommerce], 5, 6", s.Name, s.Packs, len(s.Texts), s.Labels())
	}
	cats := []string{"物流", "包装", "价格", "质量", "气味", "整体"}
	r, err := eval.ScorePackSample(context.Background(), s, packFixtureAnalyze, cats)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got eval.PackScore, mentions, hits, tp, fp, fn int) {
		t.Helper()
		if got.Mentions != mentions || got.MentionHits != hits || got.Pairs.TP != tp || got.Pairs.FP != fp || got.Pairs.FN != fn {
			t.Errorf("%s: mentions %d/%d TP %d FP %d FN %d; want %d/%d %d %d %d", name,
				got.MentionHits, got.Mentions, got.Pairs.TP, got.Pairs.FP, got.Pairs.FN, hits, mentions, tp, fp, fn)
		}
	}
	check("voc", r.Voc, 6, 5, 4, 2, 2)
	// Baseline: 物流:0 价格:0 | 包装:0 | 质量:0 | - | 价格:0.
	check("baseline", r.Baseline, 6, 5, 1, 4, 5)
	if got := r.Voc.MentionRecall(); got != 5.0/6 {
		t.Errorf("voc mention recall = %v, want 5/6", got)
	}
	byCat := map[string]eval.PackCategory{}
	var order []string
	for _, c := range r.Categories {
		byCat[c.Category] = c
		order = append(order, c.Category)
	}
	want := map[string][4]int{ // gold, TP, FP, FN
		"价格": {2, 2, 0, 0}, "物流": {1, 1, 0, 0}, "包装": {1, 0, 0, 1}, "质量": {1, 1, 0, 0},
		"气味": {1, 0, 1, 1}, "整体": {0, 0, 1, 0},
	}
	for cat, w := range want {
		c, ok := byCat[cat]
		if !ok {
			t.Errorf("%s missing from the categories", cat)
			continue
		}
		if got := [4]int{c.Gold, c.Voc.Pairs.TP, c.Voc.Pairs.FP, c.Voc.Pairs.FN}; got != w {
			t.Errorf("%s: gold, TP, FP, FN = %v, want %v", cat, got, w)
		}
	}
	if len(order) != len(want) || order[0] != "价格" || order[len(order)-1] != "整体" {
		t.Errorf("categories = %v, want 价格 first (most labels) and 整体 last", order)
	}
	if c := byCat["质量"]; c.Baseline.Pairs != (eval.Count{FP: 1, FN: 1}) {
		t.Errorf("质量 baseline = %+v, want FP 1 FN 1", c.Baseline.Pairs)
	}
	var ids []string
	for _, m := range r.Mistakes {
		ids = append(ids, m.ID)
	}
	if !slices.Equal(ids, []string{"2", "3", "4"}) {
		t.Errorf("mistakes = %v, want 2 3 4", ids)
	}
	if m := r.Mistakes[1]; fmtLabels(m.Missed) != "气味:-" || fmtLabels(m.Extra) != "气味:0" || fmtLabels(m.Predicted) != "气味:0 质量:+" {
		t.Errorf("mistake 3: missed %v extra %v predicted %v", m.Missed, m.Extra, m.Predicted)
	}

	r.Packs = []string{"ecommerce"}
	md := eval.PackMarkdown([]*eval.PackResult{r}, true)
	for _, s := range []string{"| demo | ecommerce | 5 | 6 | 0.833 |", "| 气味 | 1 |", "今天天气不错", "### demo: categories"} {
		if !strings.Contains(md, s) {
			t.Errorf("Markdown lacks %q:\n%s", s, md)
		}
	}
	lines := strings.Split(strings.TrimSpace(eval.PackJSONLines([]*eval.PackResult{r})), "\n")
	if len(lines) != 1 {
		t.Fatalf("JSON lines: %q", lines)
	}
	var sum eval.PackSummary
	if err := json.Unmarshal([]byte(lines[0]), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Sample != "demo" || sum.Texts != 5 || sum.Voc.TP != 4 || sum.Voc.F1 != 0.6667 || sum.Baseline.MentionRecall != 0.8333 {
		t.Errorf("JSON = %s", lines[0])
	}
	if tsv := eval.PackMistakesTSV([]*eval.PackResult{r}); strings.Count(tsv, "\n") != 4 || !strings.Contains(tsv, "demo\t3\t") {
		t.Errorf("mistakes TSV:\n%s", tsv)
	}
}

func fmtLabels(ls []eval.Label) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = l.String()
	}
	return strings.Join(s, " ")
}

func TestPredictedLabels(t *testing.T) {
	got := eval.PredictedLabels([]nlp.Aspect{
		{Category: "物流", Polarity: nlp.Neutral},
		{Category: "物流", Opinion: "慢", Polarity: nlp.Negative},
		{Category: "包装", Polarity: nlp.Neutral},
		{Category: "包装", Opinion: "希望好看", Polarity: nlp.Neutral},
		{Aspect: "指纹", Opinion: "慢", Polarity: nlp.Negative},
		{Category: "价格", Opinion: "贵", Polarity: nlp.Negative},
		{Category: "价格", Opinion: "值", Polarity: nlp.Positive},
	})
	if s := fmtLabels(got); s != "价格:+ 价格:- 包装:0 物流:-" {
		t.Errorf("PredictedLabels = %s", s)
	}
	if s := fmtLabels(eval.BaselineLabels("ＡＢ物流和包装", []string{"包装", "物流", "价格"})); s != "包装:0 物流:0" {
		t.Errorf("BaselineLabels = %s", s)
	}
}

func TestReadPackSampleErrors(t *testing.T) {
	_, err := eval.ReadPackSample("testdata/packs/bad/errors.tsv")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`errors.tsv:3: label "整体:x": unknown polarity "x"`,
		"errors.tsv:5: malformed row: 4 tab-separated fields",
		`errors.tsv:6: malformed label "整体"`,
		`errors.tsv:7: label "质量:0" beside`,
		"errors.tsv:8: id 1 again (first on line 2)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "errors.tsv:4:") {
		t.Errorf("a row without labels is no error:\n%v", err)
	}
	if _, err := eval.ReadPackSample("testdata/packs/bad/nohead.tsv"); err == nil || !strings.Contains(err.Error(), `no "# packs:" header`) {
		t.Errorf("no header: err = %v", err)
	}
	if _, err := eval.ReadPackSample("testdata/packs/missing.tsv"); !errors.Is(err, eval.ErrNoData) {
		t.Errorf("missing file: err = %v, want ErrNoData", err)
	}
	if _, err := eval.PackSamples(context.Background(), eval.PackConfig{Dir: "testdata/packs/none"}); !errors.Is(err, eval.ErrNoData) {
		t.Errorf("missing dir: err = %v, want ErrNoData", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, err := eval.ReadPackSample("testdata/packs/ok/demo.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eval.ScorePackSample(ctx, s, packFixtureAnalyze, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
}
