package eval_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/lexicons/tools/eval"
	"github.com/vocproject/voc/nlp/segment"
)

var (
	once   sync.Once
	seg    *segment.Segmenter
	set    *lexicons.Set
	setErr error
)

func setup(t testing.TB) (*segment.Segmenter, *lexicons.Set) {
	t.Helper()
	once.Do(func() {
		set, setErr = lexicons.Load(lexicons.Embedded())
		if setErr == nil {
			seg, setErr = segment.New(set.Domain)
		}
	})
	if setErr != nil {
		t.Fatal(setErr)
	}
	return seg, set
}

var fixture = []eval.Dataset{
	{Name: "a", Path: "sentiment/a.csv", TextCol: "review", LabelCol: "label"},
	{Name: "b", Path: "sentiment/b.tsv", TextCol: "text_a", LabelCol: "label", HeldOut: true},
}

func TestRunFixture(t *testing.T) {
	sg, set := setup(t)
	rep, err := eval.Run(context.Background(), eval.Config{
		DataDir: "testdata", Datasets: fixture, Folds: 3, Lexicons: set, Seg: sg, CrossDomain: "a",
	})
	if err != nil {
		t.Fatal(err)
	}
	byMethod := map[string]eval.Result{}
	for _, r := range rep.Results {
		byMethod[r.Set+"/"+r.Method] = r
		if r.Accuracy() < 0 || r.Accuracy() > 1 || r.MacroF1() < 0 || r.MacroF1() > 1 {
			t.Errorf("%s %s: accuracy %v, macro-F1 %v out of [0,1]", r.Set, r.Method, r.Accuracy(), r.MacroF1())
		}
	}
	cv, ok := byMethod["a/learned, 3-fold CV, pooled training"]
	if !ok {
		t.Fatalf("no CV result for a; have %v", rep.Results)
	}
	if cv.N != 60 {
		t.Errorf("CV evaluated %d rows, want 60 (every row once)", cv.N)
	}
	// The fixture is easy: every text holds a clear cue word.
	if cv.Accuracy() < 0.8 {
		t.Errorf("CV accuracy %.3f, want >= 0.8", cv.Accuracy())
	}
	if r := byMethod["b/learned, held-out split, pooled training"]; r.N != 20 {
		t.Errorf("held-out evaluated %d rows, want 20", r.N)
	}
	if len(rep.Bands) == 0 || rep.Bands[0].Coverage != 1 {
		t.Errorf("bands %v: want the first (band 0) to cover everything", rep.Bands)
	}
	md := rep.Markdown()
	for _, want := range []string{"| set | method |", "| a | learned, 3-fold CV", "## Neutral band"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestRunNoData(t *testing.T) {
	sg, set := setup(t)
	_, err := eval.Run(context.Background(), eval.Config{DataDir: "testdata/nonexistent", Lexicons: set, Seg: sg})
	if !errors.Is(err, eval.ErrNoData) {
		t.Errorf("err = %v, want ErrNoData", err)
	}
	_, err = eval.Run(context.Background(), eval.Config{DataDir: "testdata", Datasets: []eval.Dataset{{Name: "x", Path: "missing.csv"}}, Lexicons: set, Seg: sg})
	if !errors.Is(err, eval.ErrNoData) {
		t.Errorf("no set present: err = %v, want ErrNoData", err)
	}
}

func TestResultMetrics(t *testing.T) {
	r := eval.Result{N: 10, Confusion: [2][2]int{{4, 1}, {2, 3}}}
	if got := r.Accuracy(); got != 0.7 {
		t.Errorf("accuracy %v, want 0.7", got)
	}
	// F1(neg) = 2·(4/6)(4/5)/(4/6+4/5), F1(pos) = 2·(3/4)(3/5)/(3/4+3/5)
	want := (2*(4.0/6)*(4.0/5)/((4.0/6)+(4.0/5)) + 2*(3.0/4)*(3.0/5)/((3.0/4)+(3.0/5))) / 2
	if got := r.MacroF1(); got < want-1e-12 || got > want+1e-12 {
		t.Errorf("macro-F1 %v, want %v", got, want)
	}
}

// TestZhijiangSentiment reads the aspect fixture as review-level sentiment:
// unanimous reviews only (4 neutral and 8 mixed are left out).
func TestZhijiangSentiment(t *testing.T) {
	ex, err := eval.ZhijiangSentiment("testdata/zhijiang")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range ex {
		got[e.Text] = e.Label
	}
	want := map[string]bool{"物流很快": true, "包装破了": false, "客服很好": true, "味道好闻": true, "成分天然": true, "好用,推荐": true}
	if len(got) != len(want) {
		t.Errorf("got %d reviews %v, want %d", len(got), got, len(want))
	}
	for text, label := range want {
		if l, ok := got[text]; !ok || l != label {
			t.Errorf("%q: got %v (present %v), want %v", text, l, ok, label)
		}
	}
	if _, err := eval.ZhijiangSentiment("testdata/nope"); !errors.Is(err, eval.ErrNoData) {
		t.Errorf("missing dir: error %v, want ErrNoData", err)
	}
}
