package lexicons

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadTaxonomyEmbedded(t *testing.T) {
	cfs, _, err := Compose(Embedded(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tax, err := loadTaxonomy(cfs)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"物流", "包装", "价格", "质量", "服务", "售后", "真伪", "功能", "使用体验"} {
		if _, ok := tax.Category(name); !ok {
			t.Errorf("category %s missing", name)
		}
	}
	points := map[string]bool{}
	for _, o := range tax.Opinions {
		points[o.Point] = true
	}
	for _, p := range []string{"物流/配送慢", "物流/暴力运输", "包装/破损", "服务/态度差", "售后/退款难", "质量/做工差", "质量/漏液"} {
		if !points[p] {
			t.Errorf("pain point %s missing", p)
		}
	}
	if len(tax.Negations) == 0 || len(tax.Modifiers) == 0 || len(tax.Hedges) == 0 || len(tax.Conjunctions) == 0 || len(tax.Ignored) == 0 {
		t.Errorf("negations %d, modifiers %d, hedges %d, conjunctions %d, ignored %d: want all > 0",
			len(tax.Negations), len(tax.Modifiers), len(tax.Hedges), len(tax.Conjunctions), len(tax.Ignored))
	}
	if !slices.Contains(tax.Negations, "不") || !slices.Contains(tax.Hedges, "希望") {
		t.Error("不 is not a negation or 希望 not a hedge")
	}
}

func TestLoadIntentsEmbedded(t *testing.T) {
	in, err := loadIntents(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, c := range in.Cues {
		have[c.Intent] = true
		if c.Weight < 0.1 || c.Weight > 5 {
			t.Errorf("cue %q weight %v", c.Term, c.Weight)
		}
	}
	for _, name := range []string{"咨询", "投诉", "售后", "建议", "表扬", Escalation} {
		if !have[name] {
			t.Errorf("no cue for %s", name)
		}
	}
}

func TestLoadDomainEmbedded(t *testing.T) {
	words, err := loadDomain(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(words, func(w DomainWord) bool { return w.Word == "漏液" })
	if i < 0 || words[i].Freq <= 0 || words[i].POS == "" {
		t.Errorf("漏液: index %d in %d words, want a frequency and a part of speech", i, len(words))
	}
	// a missing domain file is allowed
	if w, err := loadDomain(fsWithout{Embedded(), DomainFile}); err != nil || len(w) != 0 {
		t.Errorf("no domain file: %d words, %v", len(w), err)
	}
}

// fsWithout hides one file of an fs.FS.
type fsWithout struct {
	fs.FS
	name string
}

func (f fsWithout) Open(name string) (fs.File, error) {
	if name == f.name {
		return nil, fs.ErrNotExist
	}
	return f.FS.Open(name)
}

// TestLoadBad loads each testdata/<kind>/<case> directory over the embedded
// lexicons and checks that the error names file and line.
func TestLoadBad(t *testing.T) {
	loaders := map[string]func(fs.FS) error{
		"taxonomy": func(f fs.FS) error { _, err := loadTaxonomy(f); return err },
		"intent":   func(f fs.FS) error { _, err := loadIntents(f); return err },
		"domain":   func(f fs.FS) error { _, err := loadDomain(f); return err },
	}
	for kind, load := range loaders {
		dirs, err := os.ReadDir(filepath.Join("testdata", kind))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dirs {
			t.Run(kind+"/"+d.Name(), func(t *testing.T) {
				dir := filepath.Join("testdata", kind, d.Name())
				want, err := os.ReadFile(filepath.Join(dir, "expected"))
				if err != nil {
					t.Fatal(err)
				}
				err = load(Overlay(dir))
				if err == nil {
					t.Fatalf("no error, want %q", want)
				}
				if !strings.Contains(err.Error(), strings.TrimSpace(string(want))) {
					t.Errorf("error %q, want it to contain %q", err, strings.TrimSpace(string(want)))
				}
			})
		}
	}
}
