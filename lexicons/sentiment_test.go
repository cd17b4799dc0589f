package lexicons

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadSentimentEmbedded(t *testing.T) {
	s, err := loadSentiment(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if s.Words["满意"] <= 0 || s.Words["差评"] >= 0 {
		t.Errorf("满意 %v, 差评 %v: want positive, negative", s.Words["满意"], s.Words["差评"])
	}
	if s.Negations["不"] != -1 || s.Degrees["非常"] <= 1 || s.Degrees["有点"] >= 1 {
		t.Errorf("negation 不 %v, degree 非常 %v, 有点 %v", s.Negations["不"], s.Degrees["非常"], s.Degrees["有点"])
	}
	if len(s.Learned) == 0 || len(s.Cues) == 0 || len(s.Markers) == 0 {
		t.Errorf("learned %d, cues %d, markers %d: want all > 0", len(s.Learned), len(s.Cues), len(s.Markers))
	}
}

// TestLoadSentimentBad loads each testdata/sentiment/<case> directory over
// the embedded lexicons and checks the error names file and line.
func TestLoadSentimentBad(t *testing.T) {
	dirs, err := os.ReadDir("testdata/sentiment")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join("testdata/sentiment", d.Name())
			want, err := os.ReadFile(filepath.Join(dir, "expected"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = loadSentiment(Overlay(dir))
			if err == nil {
				t.Fatalf("no error, want %q", want)
			}
			if !strings.Contains(err.Error(), strings.TrimSpace(string(want))) {
				t.Errorf("error %q, want it to contain %q", err, strings.TrimSpace(string(want)))
			}
		})
	}
}

// TestLexiconNegWeight checks that <lexicon-> is read, and defaults to
// <lexicon> when a learned file lacks it.
func TestLexiconNegWeight(t *testing.T) {
	for _, tc := range []struct {
		name, learned string
		want          float64
	}{
		{"absent", "<lexicon>\t0.7\t10\n", 0.7},
		{"present", "<lexicon>\t0.7\t10\n<lexicon->\t0.3\t10\n", 0.3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := loadLearned(t, tc.learned)
			if s.LexiconWeight != 0.7 || s.LexiconNegWeight != tc.want {
				t.Errorf("<lexicon> %v, <lexicon-> %v: want 0.7, %v", s.LexiconWeight, s.LexiconNegWeight, tc.want)
			}
		})
	}
}

// TestSarcasmWeight checks that <sarcasm> is read, defaults to <cues> when a
// learned file lacks it, and that the new term kinds load.
func TestSarcasmWeight(t *testing.T) {
	for _, tc := range []struct {
		name, learned string
		want          float64
	}{
		{"absent", "<cues>\t0.4\t10\n首|好\t0.2\t5\n不+_+好\t-0.6\t5\n", 0.4},
		{"present", "<cues>\t0.4\t10\n<sarcasm>\t0.05\t10\n", 0.05},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := loadLearned(t, tc.learned)
			if s.CueWeight != 0.4 || s.SarcasmWeight != tc.want {
				t.Errorf("<cues> %v, <sarcasm> %v: want 0.4, %v", s.CueWeight, s.SarcasmWeight, tc.want)
			}
			if h := s.HandOnly(); h.SarcasmWeight != 1 || h.CueWeight != 1 || h.Learned != nil || h.Bias != 0 {
				t.Errorf("HandOnly: %+v", h)
			}
		})
	}
}

// loadLearned loads the sentiment lexicons with learned as learned.tsv.
func loadLearned(t *testing.T, learned string) *Sentiment {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, LearnedFile), []byte(learned), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := loadSentiment(Overlay(dir))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A word of sentiment.tsv that the taxonomy lists as an aspect is not an
// opinion word; sentiment_voc.tsv may still weigh one.
func TestAspectTermsAreNotOpinionWords(t *testing.T) {
	taxonomy := "# source: test\n" +
		"category\t动力\t加速\n" +
		"category\t服务\t保养\n" +
		"aspect\t动力\t动力\n" +
		"aspect\t服务\t保养 退货\n" +
		"opinion\t动力/不足\t-\t不足\n"
	set, err := Load(overlayFS{top: fstest.MapFS{TaxonomyFile: {Data: []byte(taxonomy)}}, base: Embedded()})
	if err != nil {
		t.Fatal(err)
	}
	base, err := Load(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"动力", "保养"} {
		if _, ok := base.Sentiment.Words[w]; !ok {
			t.Fatalf("%s is not in the shipped sentiment words: pick another aspect term for this test", w)
		}
		if v, ok := set.Sentiment.Words[w]; ok {
			t.Errorf("aspect term %s weighs %v", w, v)
		}
	}
	if got, want := set.Sentiment.Words["退货"], base.Sentiment.Words["退货"]; got != want || want >= 0 {
		t.Errorf("退货 (sentiment_voc.tsv) weighs %v, want %v", got, want)
	}
	if set.Sentiment.Words["漂亮"] <= 0 {
		t.Errorf("漂亮, not an aspect, lost its weight")
	}
}
