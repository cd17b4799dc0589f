package learn_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/lexicons/tools/learn"
	"github.com/vocproject/voc/nlp/segment"
	"github.com/vocproject/voc/nlp/sentiment"
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

// TestTrainLearnsSigns learns from a synthetic set whose words carry no
// hand-written polarity (made-up product slang) and checks the signs.
func TestTrainLearnsSigns(t *testing.T) {
	sg, set := setup(t)
	hand := *set.Sentiment
	hand.Learned = nil
	sc := sentiment.New(&hand)
	prep := learn.Prep{Seg: sg, Markers: sentiment.Markers(set.Sentiment)}
	pos := []string{"这个杯子绝绝子", "衣服绝绝子，颜色也对", "鞋子绝绝子", "绝绝子，下次还买"}
	neg := []string{"这个杯子坑货", "衣服坑货，颜色也不对", "鞋子坑货", "坑货，下次不买"}
	neu := []string{"这个杯子", "衣服颜色", "鞋子", "下次"}
	var ex []learn.Example
	for range 5 {
		for i := range pos {
			ex = append(ex, learn.Example{Text: pos[i], Label: true}, learn.Example{Text: neg[i], Label: false})
		}
	}
	v := learn.NewVocab()
	var docs []learn.Doc
	for _, e := range ex {
		toks, cls := prep.Prepare(e.Text)
		docs = append(docs, v.Featurize(sc, toks, cls, e.Label))
	}
	m, err := learn.Train(docs, nil, v, learn.Config{MinCount: 2})
	if err != nil {
		t.Fatal(err)
	}
	ents := m.Entries(v, learn.Prune{MinWeight: 0.01, MinSupport: 1}, "test")
	w := map[string]float64{}
	for _, e := range ents {
		w[e.Term] = e.Weight
	}
	if !(w["绝绝子"] > 0.5) || !(w["坑货"] < -0.5) {
		t.Errorf("绝绝子 %.3f (want > 0.5), 坑货 %.3f (want < -0.5)", w["绝绝子"], w["坑货"])
	}
	// The learned weights, loaded back, classify the training texts and
	// leave texts without the cue words near neutral.
	var buf bytes.Buffer
	if err := learn.WriteTSV(&buf, []string{"source: test"}, ents); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, lexicons.LearnedFile), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ls, err := lexicons.Load(lexicons.Overlay(dir))
	if err != nil {
		t.Fatalf("load written lexicon: %v\n%s", err, buf.String())
	}
	full := sentiment.New(ls.Sentiment)
	for i := range pos {
		tp, cp := prep.Prepare(pos[i])
		tn, cn := prep.Prepare(neg[i])
		tz, cz := prep.Prepare(neu[i])
		rp, _ := full.Raw(tp, cp)
		rn, _ := full.Raw(tn, cn)
		rz, _ := full.Raw(tz, cz)
		if !(rn < rz && rz < rp) {
			t.Errorf("%q %.2f, %q %.2f, %q %.2f: want increasing", neg[i], rn, neu[i], rz, pos[i], rp)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  learn.Config
		want string
	}{
		{"negative l2", learn.Config{L2: -1}, "l2"},
		{"negative min count", learn.Config{MinCount: -1}, "min count"},
		{"negative epochs", learn.Config{Epochs: -2}, "epochs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want error about %q", err, tt.want)
			}
		})
	}
}

func TestReadFile(t *testing.T) {
	tests := []struct {
		file, text, label string
		n                 int
		wantErr           string
	}{
		{"ok.csv", "review", "label", 3, ""},
		{"ok.tsv", "review,text_a", "label", 2, ""},
		{"ok.jsonl", "text", "label", 2, ""},
		{"badlabel.csv", "review", "label", 0, "badlabel.csv:3: label \"maybe\""},
		{"ok.csv", "comment", "label", 0, "lacks text column"},
		{"ok.xml", "review", "label", 0, "unknown format"},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.text, func(t *testing.T) {
			ex, err := learn.ReadFile(filepath.Join("testdata", tt.file), tt.text, tt.label)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ex) != tt.n {
				t.Errorf("%d examples, want %d", len(ex), tt.n)
			}
		})
	}
}

func TestSetWeight(t *testing.T) {
	for _, tt := range []struct {
		n, cap int
		want   float32
	}{{100, 0, 1}, {100, 200, 1}, {200, 200, 1}, {400, 200, 0.5}, {62773, 30000, 30000.0 / 62773}} {
		if got := learn.SetWeight(tt.n, tt.cap); got != tt.want {
			t.Errorf("SetWeight(%d, %d) = %v, want %v", tt.n, tt.cap, got, tt.want)
		}
	}
}

// TestWeightScalesExamples trains on texts with no features: the bias is
// the weighted log-odds of the labels.
func TestWeightScalesExamples(t *testing.T) {
	v := learn.NewVocab()
	bias := func(posWeight float32) float64 {
		var docs []learn.Doc
		for range 50 {
			docs = append(docs, learn.Doc{Label: true, Weight: posWeight}, learn.Doc{Label: false})
		}
		m, err := learn.Train(docs, nil, v, learn.Config{Epochs: 20})
		if err != nil {
			t.Fatal(err)
		}
		return m.Bias
	}
	even, tripled := bias(0), bias(3)
	if math.Abs(even) > 0.2 {
		t.Errorf("bias with even weights %.3f, want ≈ 0", even)
	}
	if math.Abs(tripled-math.Log(3)) > 0.3 {
		t.Errorf("bias with positives weighted 3 = %.3f, want ≈ ln 3 = %.3f", tripled, math.Log(3))
	}
}
