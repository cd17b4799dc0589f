package eval_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vocproject/voc/lexicons/tools/eval"
	"github.com/vocproject/voc/nlp"
)

func TestFragmentsFixture(t *testing.T) {
	labels := map[string]string{
		"物流很快": nlp.Positive, "包装破了": nlp.Neutral, "客服很好": nlp.Negative,
		"味道好闻": nlp.Positive, "成分天然": nlp.Positive, "好用": nlp.Positive, "推荐": nlp.Neutral,
	}
	var asked []string
	rep, err := eval.Fragments(context.Background(), "testdata/aspects/ok", func(text string) string {
		asked = append(asked, text)
		l, ok := labels[text]
		if !ok {
			t.Errorf("unexpected fragment %q", text)
		}
		return l
	})
	if err != nil {
		t.Fatal(err)
	}
	// 是正品吧 holds a neutral opinion only; 好用,推荐 is two fragments
	if len(asked) != 7 {
		t.Errorf("fragments %q, want 7", asked)
	}
	var right, neutral, wrong [2]int
	for _, sp := range []eval.FragmentSplit{rep.Dev, rep.HeldOut} {
		for i, p := range []string{nlp.Positive, nlp.Negative} {
			right[i] += sp.Right[p]
			neutral[i] += sp.Neutral[p]
			wrong[i] += sp.Wrong[p]
		}
	}
	if right != [2]int{4, 0} || neutral != [2]int{1, 1} || wrong != [2]int{1, 0} {
		t.Errorf("right %v neutral %v wrong %v; want [4 0] [1 1] [1 0]", right, neutral, wrong)
	}
	md := rep.Markdown()
	for _, s := range []string{"| dev |", "| held-out |", "negative right"} {
		if !strings.Contains(md, s) {
			t.Errorf("Markdown lacks %q:\n%s", s, md)
		}
	}
}

func TestFragmentsMissing(t *testing.T) {
	_, err := eval.Fragments(context.Background(), "testdata/aspects/missing", func(string) string { return "" })
	if !errors.Is(err, eval.ErrNoData) {
		t.Errorf("err = %v, want ErrNoData", err)
	}
}

func TestFragmentSplitAccuracy(t *testing.T) {
	sp := eval.FragmentSplit{
		Right:   map[string]int{nlp.Positive: 3, nlp.Negative: 1},
		Neutral: map[string]int{nlp.Positive: 1},
		Wrong:   map[string]int{nlp.Negative: 1},
	}
	if a, p, n := sp.Accuracy(""), sp.Accuracy(nlp.Positive), sp.Accuracy(nlp.Negative); a != 4.0/6 || p != 0.75 || n != 0.5 {
		t.Errorf("accuracy all, positive, negative = %v, %v, %v; want 0.667, 0.75, 0.5", a, p, n)
	}
}
