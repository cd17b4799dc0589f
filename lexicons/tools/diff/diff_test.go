package diff

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
	"github.com/vocproject/voc/nlp/segment"
)

// analyzers returns an analyzer over the shipped lexicons and one over a
// changed copy: 拉夸 becomes an implicit 质量/做工差 phrase, a domain word
// and a complaint word of the sentiment lexicon; 起球 leaves 质量/起球.
func analyzers(t testing.TB) (*analyzer.Analyzer, *analyzer.Analyzer) {
	t.Helper()
	dir := t.TempDir()
	edit := func(name string, fn func(string) string) {
		data, err := fs.ReadFile(lexicons.Embedded(), name)
		if err != nil {
			t.Fatal(err)
		}
		out := fn(string(data))
		if out == string(data) {
			t.Fatalf("edit of %s changed nothing", name)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit("packs/ecommerce/taxonomy.tsv", func(s string) string {
		s = strings.Replace(s, "\t起球 起毛球", "\t起毛球", 1)
		return s + "implicit\t质量/做工差\t-\t拉夸\n"
	})
	edit(lexicons.DomainFile, func(s string) string { return s + "拉夸\t2000\ta\n" })
	edit(lexicons.SentimentVocFile, func(s string) string { return s + "拉夸\t-2\n" })
	var ans []*analyzer.Analyzer
	for _, fsys := range []fs.FS{lexicons.Embedded(), lexicons.Overlay(dir)} {
		set, err := lexicons.Load(fsys)
		if err != nil {
			t.Fatal(err)
		}
		seg, err := segment.New(set.Domain)
		if err != nil {
			t.Fatal(err)
		}
		an, err := analyzer.New(set, segment.NewHolder(seg))
		if err != nil {
			t.Fatal(err)
		}
		ans = append(ans, an)
	}
	return ans[0], ans[1]
}

func TestCompare(t *testing.T) {
	old, new := analyzers(t)
	recs := []Record{
		{Line: 1, ID: "a", Text: "做工太拉夸了"},
		{Line: 2, ID: "b", Text: "快递很快，包装完好"},
		{Line: 3, ID: "c", Text: "毛衣穿了两次就起球"},
		{Line: 4, ID: "d", Text: "真拉夸"},
		{Line: 5, ID: "e", Turns: []nlp.Turn{{Role: "customer", Text: "衣服起球了"}, {Role: "agent", Text: "拉夸"}}},
	}
	// what the two lexicons say of each record, to check the report against
	for _, r := range recs {
		o, n := analyse(old, r), analyse(new, r)
		t.Logf("line %d: old %v %s, new %v %s", r.Line, Tags(o), o.Sentiment.Label, Tags(n), n.Sentiment.Label)
	}
	if l := analyse(old, recs[3]).Sentiment.Label; l == nlp.Negative {
		t.Fatalf("fixture: %q is already negative with the old lexicons", recs[3].Text)
	}
	rep, err := Compare(context.Background(), old, new, recs, Config{Workers: 2, Examples: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 5 || rep.Changed != 4 || rep.TagChanges != 4 || rep.LabelFlips < 1 {
		t.Errorf("records %d, changed %d, tag changes %d, flips %d: want 5, 4, 4, ≥1", rep.Records, rep.Changed, rep.TagChanges, rep.LabelFlips)
	}
	find := func(tag string) PointDelta {
		for _, p := range rep.Points {
			if p.Tag == tag {
				return p
			}
		}
		t.Fatalf("no point %s in %+v", tag, rep.Points)
		return PointDelta{}
	}
	if p := find("质量/做工差-"); p.Added != 2 || p.Removed != 0 || len(p.AddedExamples) != 1 || p.AddedExamples[0].ID != "a" {
		t.Errorf("质量/做工差-: %+v, want 2 added (first example a)", p)
	}
	// without its pain point the review's verdict goes to 整体
	if p := find("质量/起球-"); p.Added != 0 || p.Removed != 2 || p.RemovedExamples[0].Line != 3 || len(p.RemovedExamples[0].New) != 1 || p.RemovedExamples[0].New[0] != "整体/不满-" {
		t.Errorf("质量/起球-: %+v, want 2 removed (the first now 整体/不满-)", p)
	}
	var quality CategoryDelta
	for _, c := range rep.Categories {
		if c.Category == "质量" {
			quality = c
		}
	}
	if quality.PainAdded != 2 || quality.PainRemoved != 2 || quality.PraiseAdded != 0 {
		t.Errorf("质量: %+v, want pain +2 -2", quality)
	}
	var toNeg int
	for _, f := range rep.Flips {
		if f.New == nlp.Negative {
			toNeg += f.Count
		}
	}
	if toNeg < 1 {
		t.Errorf("flips %+v: want 真拉夸 to turn negative", rep.Flips)
	}

	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"records: 5; changed: 4 (80.0%)", "gained 质量/做工差- (2 records)", "lost 质量/起球- (2 records)",
		"    line 1 id a: 做工太拉夸了\n      old: 质量/~ neutral", "      new: 质量/做工差- negative"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	b, err := json.Marshal(rep)
	if err != nil || !bytes.Contains(b, []byte(`"tag":"质量/做工差-","category":"质量","polarity":"negative","added":2,"removed":0`)) {
		t.Errorf("json %s, %v", b, err)
	}

	same, err := Compare(context.Background(), old, old, recs, Config{})
	if err != nil || same.Changed != 0 || len(same.Points) != 0 || len(same.Flips) != 0 {
		t.Errorf("same lexicons: %+v, %v", same, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Compare(ctx, old, new, recs, Config{}); err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
}

func TestReadSample(t *testing.T) {
	in := "\uFEFF快递太慢了\n" +
		"\n" +
		`{"id":"m1","text":"包装破了","rating":2,"created_at":"2026-03-01T08:00:00Z"}` + "\n" +
		`{"id":"m2","turns":[{"role":"customer","text":"退款呢"},{"role":"agent","text":"马上"}]}` + "\n" +
		`{"id":"m3","text":` + "\n" +
		"\xff\xfe bad\n" +
		`{"id":"m4","text":"x","rating":9}` + "\n" +
		"最后一行没有换行"
	recs, bad, err := ReadSample(strings.NewReader(in), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{Line: 1, Text: "快递太慢了"},
		{Line: 3, ID: "m1", Text: "包装破了", Rating: 2, CreatedAt: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)},
		{Line: 4, ID: "m2", Turns: []nlp.Turn{{Role: "customer", Text: "退款呢"}, {Role: "agent", Text: "马上"}}, Conversational: true},
		{Line: 8, Text: "最后一行没有换行"},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("records:\n%+v\nwant:\n%+v", recs, want)
	}
	var lines []int
	for _, b := range bad {
		lines = append(lines, b.Line)
	}
	if !reflect.DeepEqual(lines, []int{5, 6, 7}) {
		t.Errorf("bad lines %v (%v), want 5 6 7", lines, bad)
	}
	if _, bad, _ := ReadSample(strings.NewReader(strings.Repeat("长", 100)), 50); len(bad) != 1 || !strings.Contains(bad[0].Error(), "line 1: line is 300 bytes, limit 50") {
		t.Errorf("oversize: %v", bad)
	}
}

// BenchmarkCompare measures both analyses and the comparison, per record.
func BenchmarkCompare(b *testing.B) {
	old, new := analyzers(b)
	texts := []string{"做工太拉夸了", "快递很快，包装完好", "毛衣穿了两次就起球", "物流太慢了，客服也不回消息，差评",
		"东西不错，价格实惠，下次还来", "刚买就降价了，申请价保被拒，太坑了"}
	recs := make([]Record, 600)
	size := 0
	for i := range recs {
		recs[i] = Record{Line: i + 1, Text: texts[i%len(texts)]}
		size += len(recs[i].Text)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compare(context.Background(), old, new, recs, Config{Workers: 2}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
