package suggest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
)

// testTaxonomy is a small taxonomy for the category guesses.
func testTaxonomy() *lexicons.Taxonomy {
	asp := func(cat string, terms ...string) []lexicons.AspectTerm {
		var out []lexicons.AspectTerm
		for _, t := range terms {
			out = append(out, lexicons.AspectTerm{Term: t, Category: cat})
		}
		return out
	}
	tax := &lexicons.Taxonomy{Generic: []string{"老公"}}
	for _, c := range []string{"安全", "电池", "物流", "屏幕", "整体"} {
		tax.Categories = append(tax.Categories, lexicons.Category{Name: c})
	}
	for _, a := range [][]lexicons.AspectTerm{
		asp("安全", "人脸识别", "面部解锁"),
		asp("电池", "电池", "充电", "续航"),
		asp("物流", "快递", "物流", "配送速度"),
		asp("屏幕", "屏幕", "显示屏", "手机屏幕"),
		asp("整体", "手机", "东西"),
	} {
		tax.Aspects = append(tax.Aspects, a...)
	}
	tax.Aspects = append(tax.Aspects, lexicons.AspectTerm{Term: "速度", Category: "物流", Attr: true})
	return tax
}

// openAspect is an open opinion about term in text, as the aspect matcher's
// open extraction gives it.
func openAspect(text, term, opinion, polarity string) nlp.Aspect {
	i := strings.Index(text, term)
	if i < 0 {
		panic(term + " not in " + text)
	}
	start := utf8.RuneCountInString(text[:i])
	end := start + utf8.RuneCountInString(term)
	if j := strings.Index(text[i:], opinion); opinion != "" && j >= 0 {
		end = utf8.RuneCountInString(text[:i+j+len(opinion)])
	}
	return nlp.Aspect{Aspect: term, Opinion: opinion, Polarity: polarity, Span: [2]int{start, end}}
}

func mapped(cat string) nlp.Aspect {
	return nlp.Aspect{Category: cat, Subcategory: "x", Aspect: cat, Opinion: "好", Polarity: nlp.Positive}
}

// unmappedSample is a hand-made analysed sample: open opinions about
// aspects testTaxonomy lacks, with taxonomy aspects around them.
func unmappedSample() []analysed {
	var as []analysed
	add := func(text string, aspects ...nlp.Aspect) {
		as = append(as, analysed{text: text, aspects: aspects})
	}
	// 指纹识别: 6 texts, 4 negative opinions, 1 positive, 1 asked
	add("指纹识别很慢，屏幕不错", openAspect("指纹识别很慢，屏幕不错", "指纹识别", "很慢", nlp.Negative), mapped("屏幕"))
	add("新手机的指纹识别很慢", openAspect("新手机的指纹识别很慢", "指纹识别", "很慢", nlp.Negative))
	add("指纹识别很慢。快递很快", openAspect("指纹识别很慢。快递很快", "指纹识别", "很慢", nlp.Negative), mapped("物流"))
	add("指纹识别不灵敏", openAspect("指纹识别不灵敏", "指纹识别", "不灵敏", nlp.Negative))
	add("指纹识别挺好用的", openAspect("指纹识别挺好用的", "指纹识别", "好用", nlp.Positive))
	add("指纹识别慢不慢？", openAspect("指纹识别慢不慢？", "指纹识别", "慢", nlp.Neutral))
	// 充电器 and 充电头: near-duplicates, 4 texts in all
	add("充电器很烫", openAspect("充电器很烫", "充电器", "很烫", nlp.Negative))
	add("充电器发热严重", openAspect("充电器发热严重", "充电器", "严重", nlp.Negative))
	add("充电头很烫", openAspect("充电头很烫", "充电头", "很烫", nlp.Negative))
	add("充电头和充电器都很烫", openAspect("充电头和充电器都很烫", "充电头", "很烫", nlp.Negative),
		openAspect("充电头和充电器都很烫", "充电器", "很烫", nlp.Negative))
	// 键盘手感: spelt like no aspect term, named with 屏幕 every time
	for _, text := range []string{"键盘手感很差，屏幕还行", "屏幕很清楚，键盘手感一般", "键盘手感不好，屏幕也一般"} {
		add(text, openAspect(text, "键盘手感", "", nlp.Negative), mapped("屏幕"))
	}
	// 网络速度: shares only the attribute 速度 with 配送速度; 快递电池:
	// spelt like an aspect of 物流 and one of 电池
	add("网络速度很慢", openAspect("网络速度很慢", "网络速度", "很慢", nlp.Negative))
	add("网络速度太差", openAspect("网络速度太差", "网络速度", "太差", nlp.Negative))
	add("快递电池很差", openAspect("快递电池很差", "快递电池", "很差", nlp.Negative))
	add("快递电池不行", openAspect("快递电池不行", "快递电池", "不行", nlp.Negative))
	// 手机壳: shares 手机 only, a term of the overall category
	add("手机壳很好看", openAspect("手机壳很好看", "手机壳", "好看", nlp.Positive))
	add("手机壳有点丑", openAspect("手机壳有点丑", "手机壳", "丑", nlp.Negative))
	// seen once; a generic noun; a taxonomy term
	add("蓝牙很差", openAspect("蓝牙很差", "蓝牙", "很差", nlp.Negative))
	add("老公很满意", openAspect("老公很满意", "老公", "满意", nlp.Positive))
	add("老公很满意", openAspect("老公很满意", "老公", "满意", nlp.Positive))
	add("续航很好", openAspect("续航很好", "续航", "很好", nlp.Positive))
	add("续航很好", openAspect("续航很好", "续航", "很好", nlp.Positive))
	// filler naming 屏幕 seldom, 物流 often
	for range 20 {
		add("快递很快", mapped("物流"))
	}
	add("屏幕很好", mapped("屏幕"))
	return as
}

func mineUnmapped(t *testing.T, cfg Config) ([]Candidate, int) {
	t.Helper()
	cfg.defaults()
	tax := testTaxonomy()
	k := knownTerms(&lexicons.Set{Taxonomy: tax, Sentiment: &lexicons.Sentiment{}})
	_, seg, _ := shipped(t)
	return unmappedAspects(unmappedSample(), tax, seg, k, cfg)
}

func TestUnmappedAspects(t *testing.T) {
	got, texts := mineUnmapped(t, Config{MinCount: 2, CategoryFiles: map[string]string{"安全": "packs/electronics/taxonomy.tsv"}})
	if texts != 20 {
		t.Errorf("%d texts with an unmapped aspect, want 20 (not 老公, a generic noun, nor 续航, a taxonomy term)", texts)
	}
	byTerm := map[string]Candidate{}
	for _, c := range got {
		byTerm[c.Term] = c
	}
	if len(got) == 0 || got[0].Term != "指纹识别" {
		t.Fatalf("ranked %v: want 指纹识别 first (6 texts)", terms(got))
	}
	c := got[0]
	if c.Count != 6 || c.Mentions != 6 || c.Negative != 0.67 || c.Positive != 0.17 || len(c.Examples) != 2 {
		t.Errorf("指纹识别: %+v: want 6 texts, 6 opinions, 67%% negative, 17%% positive, 2 examples", c)
	}
	if want := []TermCount{{"很慢", 3}, {"不灵敏", 1}, {"好用", 1}, {"慢", 1}}; !slices.Equal(c.Opinions, want) {
		t.Errorf("指纹识别 opinions %v, want %v", c.Opinions, want)
	}
	if c.Examples[0] != "指纹识别很慢，屏幕不错" && c.Examples[0] != "指纹识别很慢" {
		t.Errorf("example %q", c.Examples[0])
	}
	if c.Category != "安全" || !strings.Contains(c.CategoryWhy, "shares 识别 with 人脸识别 (安全)") ||
		c.Line != "aspect\t安全\t指纹识别" || c.File != "packs/electronics/taxonomy.tsv" {
		t.Errorf("指纹识别: category %q (%s), line %q in %s: want 安全 from 人脸识别 in packs/electronics/taxonomy.tsv", c.Category, c.CategoryWhy, c.Line, c.File)
	}

	c, ok := byTerm["充电器"]
	if !ok || got[1].Term != "充电器" {
		t.Fatalf("ranked %v: want 充电器 (with 充电头, 4 texts) second", terms(got))
	}
	if c.Count != 4 || c.Mentions != 5 || !slices.Equal(c.Variants, []TermCount{{"充电头", 2}}) || c.Line != "aspect\t电池\t充电器 充电头" ||
		!strings.Contains(c.CategoryWhy, "starts with 充电, an aspect of 电池") || c.File != lexicons.TaxonomyFile {
		t.Errorf("充电器: %+v: want 4 texts, 5 opinions, variant 充电头, 电池 from 充电, in taxonomy.tsv", c)
	}

	for term, want := range map[string]struct{ cat, why string }{
		"键盘手感": {"屏幕", "named with 屏幕 in 3 of 3 texts"},
		"网络速度": {"?", "no aspect term is spelt alike"},
		"快递电池": {"?", "ends with 电池, an aspect of 电池; starts with 快递, an aspect of 物流: no category stands out"},
		"手机壳":  {"?", "no aspect term is spelt alike"},
	} {
		c, ok := byTerm[term]
		if !ok {
			t.Errorf("%s missing from %v", term, terms(got))
			continue
		}
		if c.Category != want.cat || !strings.Contains(c.CategoryWhy, want.why) || c.Line != "aspect\t"+want.cat+"\t"+term {
			t.Errorf("%s: category %q (%s), line %q; want %q (%s)", term, c.Category, c.CategoryWhy, c.Line, want.cat, want.why)
		}
		if (c.Category == "?") != (c.File == "") {
			t.Errorf("%s: category %q, file %q: want a file unless the category is ?", term, c.Category, c.File)
		}
	}
	for _, term := range []string{"蓝牙", "老公", "续航"} {
		if _, ok := byTerm[term]; ok {
			t.Errorf("%s listed: seen once, a generic noun or a taxonomy term", term)
		}
	}

	// --min-count 1 lists the term seen once; --top cuts the list
	got, _ = mineUnmapped(t, Config{MinCount: 1})
	if !slices.Contains(terms(got), "蓝牙") {
		t.Errorf("min count 1: %v lacks 蓝牙", terms(got))
	}
	got, _ = mineUnmapped(t, Config{MinCount: 2, Top: 2})
	if !slices.Equal(terms(got), []string{"指纹识别", "充电器"}) {
		t.Errorf("top 2: %v", terms(got))
	}
}

func TestNearDuplicates(t *testing.T) {
	stats := map[string]*unmappedStat{}
	for term, n := range map[string]int{"充电器": 3, "充电头": 2, "充电线": 1, "电池": 2, "电量": 2, "充x器": 1, "左耳机": 1, "右耳机": 2, "指纹识别": 1, "指纹辨别": 1, "耳机": 1,
		"房间设施": 3, "房间设置": 2, "房间布置": 1} {
		st := &unmappedStat{term: term}
		for i := range n {
			st.docs = append(st.docs, int32(i))
		}
		stats[term] = st
	}
	var got []string
	for _, g := range nearDuplicates(stats) {
		var ts []string
		for _, st := range g {
			ts = append(ts, st.term)
		}
		got = append(got, strings.Join(ts, " "))
	}
	slices.Sort(got)
	// 房间布置 is spelt like 房间设置, not like 房间设施: no chain
	want := []string{"充x器", "充电器 充电头 充电线", "右耳机 左耳机", "房间布置", "房间设施 房间设置", "指纹识别 指纹辨别", "电池", "电量", "耳机"}
	if !slices.Equal(got, want) {
		t.Errorf("groups %q, want %q", got, want)
	}
}

func TestWriteUnmapped(t *testing.T) {
	got, texts := mineUnmapped(t, Config{MinCount: 2})
	rep := &Report{Texts: 40, Unmapped: got, UnmappedTexts: texts, Packs: []string{"ecommerce", "electronics"}}
	var out bytes.Buffer
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"# voc lexicon suggest: 40 texts, 0 negative; packs ecommerce, electronics\n",
		"# ==== taxonomy.tsv: aspects the taxonomy does not know, named with an opinion (texts holding one: 20;\n",
		"# 指纹识别: 6 texts, 6 opinions, 67% negative, 17% positive; 很慢 ×3, 不灵敏 ×1, 好用 ×1, 慢 ×1\n" +
			"#   category 安全: shares 识别 with 人脸识别 (安全)\n" +
			"#   e.g. 指纹识别很慢，屏幕不错\n#   e.g. 新手机的指纹识别很慢\n" +
			"# for taxonomy.tsv:\naspect\t安全\t指纹识别\n",
		"#   near-duplicates: 充电头 (2 texts)\n",
		"\naspect\t电池\t充电器 充电头\n",
		"# for the taxonomy file that declares the category:\n# aspect\t?\t网络速度\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	// the lines that are not comments load into a taxonomy that declares
	// their categories
	var tax strings.Builder
	tax.WriteString("# source: test\n")
	for _, c := range testTaxonomy().Categories {
		tax.WriteString("category\t" + c.Name + "\tx\n")
	}
	n := 0
	for _, line := range strings.Split(s, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !strings.HasPrefix(line, "aspect\t") {
			t.Errorf("line %q", line)
		}
		tax.WriteString(line + "\n")
		n++
	}
	if n != 3 {
		t.Errorf("%d aspect lines, want 3 (指纹识别, 充电器 充电头, 键盘手感)", n)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, lexicons.TaxonomyFile), []byte(tax.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := lexicons.LoadDefault(dir); err != nil {
		t.Errorf("the aspect lines do not load: %v\n%s", err, tax.String())
	}

	// JSON
	rep.Unmapped = rep.Unmapped[:1]
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Unmapped []struct {
			Term        string
			Count       int
			Mentions    int
			Negative    float64
			Positive    float64
			Opinions    []TermCount
			Category    string
			CategoryWhy string `json:"category_why"`
			Line        string
			File        string
			Examples    []string
		} `json:"unmapped_aspects"`
		UnmappedTexts int `json:"unmapped_texts"`
		Packs         []string
	}
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Unmapped) != 1 || back.UnmappedTexts != 20 || len(back.Packs) != 2 {
		t.Fatalf("json %s", js)
	}
	if u := back.Unmapped[0]; u.Term != "指纹识别" || u.Count != 6 || u.Mentions != 6 || u.Negative != 0.67 || u.Positive != 0.17 ||
		len(u.Opinions) != 4 || u.Category != "安全" || u.CategoryWhy == "" || u.Line != "aspect\t安全\t指纹识别" || u.File != lexicons.TaxonomyFile || len(u.Examples) != 2 {
		t.Errorf("json %+v", u)
	}
}

func TestWriteUnmappedNone(t *testing.T) {
	var out bytes.Buffer
	if err := (&Report{Texts: 1}).Write(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "aspects the taxonomy does not know, named with an opinion (texts holding one: 0;") ||
		!strings.HasSuffix(out.String(), "uncomment it\n# (none)\n") {
		t.Errorf("output:\n%s", out.String())
	}
}

// openAnalyzer stands in for the aspect matcher's open extraction: over
// the shipped analysis it puts an open opinion on each planted noun
// followed by a planted opinion word (and drops the open opinions of the
// real matcher, so that the test does not depend on its patterns).
type openAnalyzer struct {
	Analyzer
	nouns, opinions []string
}

func (o openAnalyzer) Analyze(text string, opts nlp.Options) *nlp.Result {
	r := o.Analyzer.Analyze(text, opts)
	r.Aspects = slices.DeleteFunc(r.Aspects, nlp.Aspect.IsUnmapped)
	for _, n := range o.nouns {
		for _, op := range o.opinions {
			if strings.Contains(r.Text, n+op) {
				pol := nlp.Negative
				if op == "好用" {
					pol = nlp.Positive
				}
				r.Aspects = append(r.Aspects, openAspect(r.Text, n, op, pol))
			}
		}
	}
	return r
}

// TestMineUnmapped mines a sample where an unknown noun recurs with
// opinions: it ranks first; a noun seen once is left out with a minimum
// count of 2.
func TestMineUnmapped(t *testing.T) {
	an, seg, set := shipped(t)
	// 卡扣 (the clasp of a cup's lid) and 杯套 (its sleeve) are in no pack
	fake := openAnalyzer{Analyzer: an, nouns: []string{"卡扣", "杯套", "快递"}, opinions: []string{"很松", "不牢", "好用", "很差"}}
	k := knownTerms(set)
	for _, n := range []string{"卡扣", "杯套"} {
		if kind, ok := k.taxonomy[n]; ok {
			t.Fatalf("fixture: %s is a taxonomy term (%s)", n, kind)
		}
	}
	if _, ok := k.taxonomy["快递"]; !ok {
		t.Fatal("fixture: 快递 is no taxonomy term")
	}
	docs := fixture()[:200]
	for _, text := range []string{"杯子的卡扣很松，有点失望", "卡扣不牢，盖子老是掉", "卡扣很松", "用了一周，卡扣好用"} {
		docs = append(docs, Doc{Text: text})
	}
	docs = append(docs, Doc{Text: "杯套很差"}, Doc{Text: "快递很差"})
	rep, err := Mine(context.Background(), fake, seg, set, docs, Config{MinCount: 2, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.UnmappedTexts != 5 {
		t.Errorf("%d texts with an unmapped aspect, want 5 (快递 is a taxonomy term)", rep.UnmappedTexts)
	}
	if len(rep.Unmapped) != 1 || rep.Unmapped[0].Term != "卡扣" {
		t.Fatalf("unmapped %v: want 卡扣 alone", terms(rep.Unmapped))
	}
	if c := rep.Unmapped[0]; c.Count != 4 || c.Negative != 0.75 || c.Positive != 0.25 || len(c.Examples) != 2 || !strings.HasPrefix(c.Line, "aspect\t") {
		t.Errorf("卡扣: %+v", c)
	}
	if !slices.Equal(rep.Packs, set.Packs) {
		t.Errorf("packs %v, want %v", rep.Packs, set.Packs)
	}
	rep, err = Mine(context.Background(), fake, seg, set, docs, Config{MinCount: 1, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := terms(rep.Unmapped); len(got) != 2 || got[0] != "卡扣" || got[1] != "杯套" {
		t.Errorf("min count 1: %v, want 卡扣 then 杯套", got)
	}
}

// TestCategoryFiles names the pack file declaring each category of a
// selection: the first declaration when a later pack declares it again.
func TestCategoryFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"taxonomy.tsv":              {Data: []byte("# source: test\nmodifier\t-\t很\n")},
		"packs/a/pack.tsv":          {Data: []byte("# source: test\ndescription\ta\n")},
		"packs/a/taxonomy.tsv":      {Data: []byte("# source: test\ncategory\t价格\tprice\n")},
		"packs/b/pack.tsv":          {Data: []byte("# source: test\ndescription\tb\nrequires\ta\n")},
		"packs/b/taxonomy.tsv":      {Data: []byte("# source: test\ncategory\t价格\tprice\ncategory\t电池\tbattery\n")},
		"packs/c/pack.tsv":          {Data: []byte("# source: test\ndescription\tc\n")},
		"packs/c/taxonomy.tsv":      {Data: []byte("# source: test\ncategory\t油耗\tfuel\n")},
		"packs/unused/taxonomy.tsv": {Data: []byte("# source: test\ncategory\t空间\tspace\n")},
	}
	got, err := CategoryFiles(fsys, []string{"b"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"价格": "packs/a/taxonomy.tsv", "电池": "packs/b/taxonomy.tsv"}
	if len(got) != len(want) || got["价格"] != want["价格"] || got["电池"] != want["电池"] {
		t.Errorf("CategoryFiles(b) = %v, want %v", got, want)
	}
	if got, err := CategoryFiles(fsys, []string{"c"}); err != nil || len(got) != 1 || got["油耗"] != "packs/c/taxonomy.tsv" {
		t.Errorf("CategoryFiles(c) = %v, %v", got, err)
	}
	if _, err := CategoryFiles(fsys, []string{"nope"}); err == nil {
		t.Error("unknown pack: no error")
	}
}
