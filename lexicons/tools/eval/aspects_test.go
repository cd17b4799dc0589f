package eval_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vocproject/voc/lexicons/tools/eval"
	"github.com/vocproject/voc/nlp"
)

// fixtureAnalyze answers for the texts of testdata/aspects/ok.
func fixtureAnalyze(text string) []nlp.Aspect {
	a := func(cat, pol string) nlp.Aspect { return nlp.Aspect{Category: cat, Subcategory: "x", Polarity: pol} }
	term := func(a nlp.Aspect, t string) nlp.Aspect { a.Aspect = t; return a }
	switch text {
	case "物流很快":
		return []nlp.Aspect{term(a("物流", nlp.Positive), "物流"), a("物流", nlp.Positive)} // a pair counts once
	case "包装破了":
		// the term contains the labelled one
		return []nlp.Aspect{term(a("包装", nlp.Negative), "外包装"), term(a("价格", nlp.Positive), "价")}
	case "客服很好":
		return nil
	case "是正品吧":
		return []nlp.Aspect{a("真伪", nlp.Neutral)}
	case "味道好闻":
		return []nlp.Aspect{term(a("气味", nlp.Positive), "味")} // the term lies inside the labelled one
	case "成分天然":
		// no label maps to 质量; the term is named with the wrong polarity
		return []nlp.Aspect{term(a("质量", nlp.Negative), "成分")}
	case "好用,推荐":
		return []nlp.Aspect{a("整体", nlp.Negative)}
	}
	panic("unexpected text " + text)
}

func TestAspectsFixture(t *testing.T) {
	rep, err := eval.Aspects(context.Background(), "testdata/aspects/ok", fixtureAnalyze)
	if err != nil {
		t.Fatal(err)
	}
	if n := rep.Dev.Reviews + rep.HeldOut.Reviews; n != 7 {
		t.Fatalf("reviews = %d, want 7", n)
	}
	// Sum both halves: which half a review lands in is the hash's business.
	sum := map[string]eval.Count{}
	var main, others eval.Count
	for _, sp := range []eval.AspectSplit{rep.Dev, rep.HeldOut} {
		if len(sp.Main) != len(eval.MainAspectCategories) {
			t.Fatalf("%s: %d main categories, want %d", sp.Name, len(sp.Main), len(eval.MainAspectCategories))
		}
		for _, c := range slices.Concat(sp.Main, sp.Others) {
			x := sum[c.Category]
			x.TP, x.FP, x.FN = x.TP+c.TP, x.FP+c.FP, x.FN+c.FN
			sum[c.Category] = x
		}
		main.TP, main.FP, main.FN = main.TP+sp.MainMicro.TP, main.FP+sp.MainMicro.FP, main.FN+sp.MainMicro.FN
		others.TP, others.FP, others.FN = others.TP+sp.OthersMicro.TP, others.FP+sp.OthersMicro.FP, others.FN+sp.OthersMicro.FN
	}
	want := map[string][3]int{ // TP, FP, FN
		"物流": {1, 0, 0}, "包装": {1, 0, 0}, "价格": {0, 1, 0}, "服务": {0, 0, 1}, "真伪": {1, 0, 0},
		"气味": {1, 0, 0}, "整体": {0, 1, 1},
	}
	for cat, w := range want {
		if c := sum[cat]; [3]int{c.TP, c.FP, c.FN} != w {
			t.Errorf("%s: TP, FP, FN = %d, %d, %d; want %v", cat, c.TP, c.FP, c.FN, w)
		}
	}
	for cat := range sum {
		if _, ok := want[cat]; !ok && (sum[cat].TP+sum[cat].FP+sum[cat].FN) > 0 {
			t.Errorf("unexpected counts for %s: %+v", cat, sum[cat])
		}
	}
	if [3]int{main.TP, main.FP, main.FN} != [3]int{3, 1, 1} {
		t.Errorf("main micro = %+v, want TP 3 FP 1 FN 1", main)
	}
	if [3]int{others.TP, others.FP, others.FN} != [3]int{1, 1, 1} {
		t.Errorf("others micro = %+v, want TP 1 FP 1 FN 1", others)
	}
	// mistakes: review 2 has an extra pair, review 3 misses one
	var mistakes []string
	for _, sp := range []eval.AspectSplit{rep.Dev, rep.HeldOut} {
		for _, m := range sp.Mistakes {
			mistakes = append(mistakes, fmt.Sprintf("%s -%v +%v", m.ID, m.Missed, m.Extra))
		}
	}
	slices.Sort(mistakes)
	if wantM := []string{"2 -[] +[价格/positive]", "3 -[服务/positive] +[]"}; !slices.Equal(mistakes, wantM) {
		t.Errorf("mistakes = %q, want %q", mistakes, wantM)
	}
	for _, sp := range []eval.AspectSplit{rep.Dev, rep.HeldOut} {
		for _, m := range sp.Mistakes {
			if eval.DevReview(m.ID) != (sp.Name == rep.Dev.Name) {
				t.Errorf("review %s in the %s half", m.ID, sp.Name)
			}
		}
	}
	// terms: 物流, 包装, 客服, 味道, 成分 are labelled; 客服 is not named, 成分
	// is named with the wrong polarity; 价 (inside no label's term) counts nothing
	var terms eval.TermCount
	for _, sp := range []eval.AspectSplit{rep.Dev, rep.HeldOut} {
		terms.Labelled += sp.Terms.Labelled
		terms.Named += sp.Terms.Named
		terms.SamePolarity += sp.Terms.SamePolarity
	}
	if want := (eval.TermCount{Labelled: 5, Named: 4, SamePolarity: 3}); terms != want {
		t.Errorf("terms = %+v, want %+v", terms, want)
	}
	if terms.Recall() != 0.8 || terms.PolarityAccuracy() != 0.75 {
		t.Errorf("term recall, polarity = %v, %v; want 0.8, 0.75", terms.Recall(), terms.PolarityAccuracy())
	}
	md := rep.Markdown()
	for _, s := range []string{"| 物流 |", "micro (物流, 包装, 价格, 服务, 真伪)", "| 气味 |", "held-out", "term recall"} {
		if !strings.Contains(md, s) {
			t.Errorf("Markdown lacks %q:\n%s", s, md)
		}
	}
}

func TestCountRatios(t *testing.T) {
	c := eval.Count{TP: 3, FP: 1, FN: 2}
	if p, r, f := c.Precision(), c.Recall(), c.F1(); p != 0.75 || r != 0.6 || f != 6.0/9 {
		t.Errorf("P, R, F1 = %v, %v, %v; want 0.75, 0.6, 0.667", p, r, f)
	}
	if z := (eval.Count{}); z.Precision() != 0 || z.Recall() != 0 || z.F1() != 0 {
		t.Errorf("zero count: %v %v %v", z.Precision(), z.Recall(), z.F1())
	}
}

func TestDevReviewSplit(t *testing.T) {
	dev := 0
	for i := 1; i <= 2000; i++ {
		id := fmt.Sprint(i)
		if eval.DevReview(id) != eval.DevReview(id) {
			t.Fatalf("DevReview(%s) not deterministic", id)
		}
		if eval.DevReview(id) {
			dev++
		}
	}
	if dev < 900 || dev > 1100 {
		t.Errorf("dev half holds %d of 2000 ids, want about 1000", dev)
	}
}

func TestAspectsErrors(t *testing.T) {
	_, err := eval.Aspects(context.Background(), "testdata/aspects/missing", fixtureAnalyze)
	if !errors.Is(err, eval.ErrNoData) {
		t.Errorf("missing set: err = %v, want ErrNoData", err)
	}
	_, err = eval.Aspects(context.Background(), "testdata/aspects/badpolarity", fixtureAnalyze)
	if err == nil || !strings.Contains(err.Error(), "labels.csv row 2") || !strings.Contains(err.Error(), `"好"`) {
		t.Errorf("bad polarity: err = %v, want one naming row 2 and the value", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := eval.Aspects(ctx, "testdata/aspects/ok", fixtureAnalyze); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
}
