package suggest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
	"github.com/vocproject/voc/nlp/segment"
)

var (
	once   sync.Once
	set    *lexicons.Set
	seg    *segment.Segmenter
	an     *analyzer.Analyzer
	setErr error
)

// shipped returns the analyzer over the shipped lexicons (the segmenter
// dictionary loads once per test binary).
func shipped(t testing.TB) (*analyzer.Analyzer, *segment.Segmenter, *lexicons.Set) {
	t.Helper()
	once.Do(func() {
		if set, setErr = lexicons.Load(lexicons.Embedded()); setErr != nil {
			return
		}
		if seg, setErr = segment.New(set.Domain); setErr != nil {
			return
		}
		an, setErr = analyzer.New(set, segment.NewHolder(seg))
	})
	if setErr != nil {
		t.Fatal(setErr)
	}
	return an, seg, set
}

// Planted in the fixture.
const (
	newWord     = "啵啵杯" // a product name the dictionary lacks (cut 啵|啵|杯)
	newWordN    = 60
	complaint   = "下头" // slang for "a turn-off", in no lexicon
	complaintN  = 30
	risingWord  = "爆浆" // in 40 recent texts, 2 older ones
	risingNew   = 40
	risingOld   = 2
	commonWords = "物流很快" // frequent, but dictionary words: no new word
	loneNoun    = "距离"   // named only in complaints, but a noun says nothing is wrong
	loneNounN   = 30
)

// fixture builds a deterministic sample: filler reviews over 30 days with
// the planted terms.
func fixture() []Doc {
	r := rand.New(rand.NewPCG(1, 2))
	products := []string{"杯子", "保温杯", "水壶", "饭盒", "碗", "盘子", "勺子", "筷子", "餐垫", "茶壶"}
	praise := []string{"质量很好", "做工精细", "颜色好看", "很好用", "价格实惠", "包装严实", "客服态度好", "性价比高"}
	other := []string{"收到了", "给家里人买的", "第二次购买", "看评价买的", "朋友推荐的", "活动时候买的", "买来送人", "自己用"}
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	at := func(recent bool) time.Time {
		day := r.IntN(14)
		if recent {
			day += 16
		}
		return start.Add(time.Duration(day)*24*time.Hour + time.Duration(r.IntN(600))*time.Minute)
	}
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	var docs []Doc
	for i := range 900 {
		text := fmt.Sprintf("%s%s，%s，%s", pick(other), pick(products), pick(praise), pick(praise))
		if i%9 == 0 {
			text += "，" + commonWords
		}
		docs = append(docs, Doc{Text: text, Time: at(i%2 == 0)})
	}
	ctx := []string{"买了%s，%s", "这个%s%s", "%s收到了，%s", "第二次买%s了，%s", "给孩子买的%s，%s"}
	for i := range newWordN {
		docs = append(docs, Doc{Text: fmt.Sprintf(ctx[i%len(ctx)], newWord, pick(praise)), Time: at(i%2 == 0)})
	}
	neg := []string{"真是%s，郁闷", "用了两天就%s，糟心", "太%s了，让人崩溃", "感觉%s，郁闷", "实在%s，糟心"}
	for i := range complaintN {
		docs = append(docs, Doc{Text: fmt.Sprintf("%s%s，%s", pick(other), pick(products), fmt.Sprintf(neg[i%len(neg)], complaint)),
			Time: at(i%2 == 0), Rating: 1 + i%2})
	}
	for i := range loneNounN {
		docs = append(docs, Doc{Text: fmt.Sprintf("%s%s，%s，%s", pick(other), pick(products), loneNoun, pick([]string{"郁闷", "糟心"})),
			Time: at(i%2 == 0), Rating: 1})
	}
	for i := range risingNew + risingOld {
		docs = append(docs, Doc{Text: fmt.Sprintf("%s%s，%s%s", pick(other), pick(products), risingWord, pick([]string{"的口味很好", "，好吃", "很香", "超赞"})), Time: at(i >= risingOld)})
	}
	r.Shuffle(len(docs), func(i, j int) { docs[i], docs[j] = docs[j], docs[i] })
	return docs
}

func TestMineFixture(t *testing.T) {
	an, seg, set := shipped(t)
	docs := fixture()
	// preconditions of the fixture: the planted words are new to the
	// dictionary, the complaint clause of the complaint texts (1 or 2
	// stars) holds no pain point and is not positive (the verdict after
	// it, 郁闷 or 糟心, may be a pain point of 整体)
	if toks := seg.Cut(newWord); len(toks) == 1 && toks[0].POS != "" {
		t.Fatalf("fixture: %s is a dictionary word %v", newWord, toks)
	}
	for _, d := range docs {
		if !strings.Contains(d.Text, complaint) {
			continue
		}
		r := an.Analyze(d.Text, nlp.Options{Rating: d.Rating})
		if len(r.Clauses) != 3 || r.Clauses[1].Sentiment.Label == nlp.Positive || painIn(r.Aspects, r.Clauses[1].Span) {
			t.Fatalf("fixture: %q: %v, %v: want a complaint clause that is not positive and holds no pain point", d.Text, r.Clauses, r.Aspects)
		}
	}

	rep, err := Mine(context.Background(), an, seg, set, docs, Config{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Texts != len(docs) {
		t.Errorf("texts %d, want %d", rep.Texts, len(docs))
	}

	i := slices.IndexFunc(rep.NewWords, func(c Candidate) bool { return c.Term == newWord })
	if i < 0 {
		t.Fatalf("new words %v: no %s", terms(rep.NewWords), newWord)
	}
	if c := rep.NewWords[i]; c.Count != newWordN || c.Texts != newWordN || c.Line != newWord || c.File != lexicons.DomainFile || len(c.Examples) != 2 {
		t.Errorf("new word %+v: want %d occurrences in %d texts, line %s, 2 examples", c, newWordN, newWordN, newWord)
	}
	for _, c := range rep.NewWords {
		if c.Term != newWord && strings.Contains(newWord, c.Term) || strings.Contains(commonWords, c.Term) && len(c.Term) > 3 {
			t.Errorf("new word %q: a part of %s or dictionary words", c.Term, newWord)
		}
	}

	i = slices.IndexFunc(rep.Phrases, func(c Candidate) bool { return c.Term == complaint })
	if i < 0 {
		t.Fatalf("phrases %v: no %s", terms(rep.Phrases), complaint)
	}
	if c := rep.Phrases[i]; c.Count != complaintN || c.Elsewhere != 0 || c.Line != "implicit\t整体/不满\t-\t"+complaint {
		t.Errorf("phrase %+v: want %d negative clauses, none elsewhere, an implicit 整体/不满 line", c, complaintN)
	}
	for _, c := range rep.Phrases {
		if c.Term == loneNoun {
			t.Errorf("phrase %+v: a lone noun is no complaint", c)
		}
		if _, ok := knownTerms(set).taxonomy[c.Term]; ok {
			t.Errorf("phrase %q is a taxonomy term already", c.Term)
		}
	}

	if rep.Split.IsZero() || len(rep.Rising) == 0 || rep.Rising[0].Term != risingWord {
		t.Fatalf("rising %v (split %v): want %s first", terms(rep.Rising), rep.Split, risingWord)
	}
	if c := rep.Rising[0]; c.Recent != risingNew || c.Older != risingOld || c.Line != risingWord {
		t.Errorf("rising %+v: want %d recent, %d older, a domain word line", c, risingNew, risingOld)
	}

	var out bytes.Buffer
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\n" + newWord + "\n", "\nimplicit\t整体/不满\t-\t" + complaint + "\n", "# for domain_words.txt:\n" + risingWord + "\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// every line is a comment or a line the lexicon loaders accept
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if f := strings.Split(line, "\t"); f[0] == "implicit" || f[0] == "aspect" {
			// an implicit line of 整体, an aspect line of the category it names
			cat := "整体"
			if f[0] == "aspect" && len(f) == 3 {
				cat = f[1]
			}
			dir := t.TempDir()
			tax := "# source: test\ncategory\t" + cat + "\tx\n" + line + "\n"
			if err := os.WriteFile(filepath.Join(dir, lexicons.TaxonomyFile), []byte(tax), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := lexicons.LoadDefault(dir); err != nil {
				t.Errorf("line %q does not load: %v", line, err)
			}
		} else if strings.ContainsAny(line, "\t ") {
			t.Errorf("domain word line %q holds a space", line)
		}
	}
}

func TestMineNoTimes(t *testing.T) {
	an, seg, set := shipped(t)
	docs := fixture()
	for i := range docs {
		docs[i].Time = time.Time{}
	}
	rep, err := Mine(context.Background(), an, seg, set, docs[:300], Config{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Split.IsZero() || rep.Rising != nil {
		t.Errorf("rising without times: %v", rep.Rising)
	}
	if _, err := Mine(context.Background(), an, seg, set, nil, Config{}); err == nil {
		t.Error("no texts: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Mine(ctx, an, seg, set, docs, Config{}); err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
}

func TestEntropy(t *testing.T) {
	if h := entropy(map[rune]int{'a': 2, 'b': 2}, 0); h < 0.693 || h > 0.694 {
		t.Errorf("two even neighbours: %v, want ln 2", h)
	}
	if h := entropy(map[rune]int{'a': 4}, 0); h != 0 {
		t.Errorf("one neighbour: %v", h)
	}
	if h := entropy(nil, 4); h < 1.386 || h > 1.387 {
		t.Errorf("four edges: %v, want ln 4", h)
	}
}

// TestMineShared runs suggest on the shared review data (skipped when it
// is absent) and checks that the complaint phrases it finds are pain words
// the shipped taxonomy lacks: absent from it, and far more frequent in the
// texts the data labels negative than in the positive ones.
func TestMineShared(t *testing.T) {
	path := "../../../../shared/data/sentiment/online_shopping_10_cats.csv"
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("shared data absent: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(bufio.NewReader(f)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	an, seg, set := shipped(t)
	var docs []Doc
	var labels []string
	r := rand.New(rand.NewPCG(7, 7))
	for _, i := range r.Perm(len(rows) - 1)[:20000] {
		row := rows[i+1]
		docs = append(docs, Doc{Text: row[2]})
		labels = append(labels, row[1])
	}
	start := time.Now()
	rep, err := Mine(context.Background(), an, seg, set, docs, Config{Workers: 2, Top: 30})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d texts mined in %s", len(docs), time.Since(start).Round(time.Millisecond))
	var b strings.Builder
	rep.Write(&b)
	t.Log("\n" + b.String())
	k := knownTerms(set)
	painful := 0
	for _, c := range rep.Phrases {
		if _, ok := k.taxonomy[lexicons.MatchKey(c.Term)]; ok {
			t.Errorf("%s is in the taxonomy", c.Term)
		}
		neg, pos := 0, 0
		for i, d := range docs {
			if strings.Contains(d.Text, c.Term) {
				if labels[i] == "0" {
					neg++
				} else {
					pos++
				}
			}
		}
		if neg >= 3*(pos+1) {
			painful++
		}
	}
	if len(rep.Phrases) < 20 || painful < len(rep.Phrases)*3/4 {
		t.Errorf("%d of %d complaint phrases occur 3× more in negative-labelled texts; want 3/4 of at least 20", painful, len(rep.Phrases))
	}
	if len(rep.NewWords) < 10 {
		t.Errorf("%d new words, want at least 10", len(rep.NewWords))
	}
}

func terms(cs []Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Term)
	}
	return out
}

// BenchmarkMine measures mining the fixture (1,032 texts).
func BenchmarkMine(b *testing.B) {
	an, seg, set := shipped(b)
	docs := fixture()
	size := 0
	for _, d := range docs {
		size += len(d.Text)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Mine(context.Background(), an, seg, set, docs, Config{Workers: 2}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(docs))*float64(b.N)/b.Elapsed().Seconds(), "texts/s")
}
