package analyzer_test

import (
	"sync"
	"testing"
	"time"

	"github.com/go-ego/gse"

	"github.com/vocproject/voc/internal/gen"
	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
	"github.com/vocproject/voc/nlp/segment"
)

// benchCorpora are the texts the throughput benchmarks run on: the
// hand-written reviews of nlp/segment/testdata, one text per review, and,
// when the shared data is on this machine, 2000 real online-shopping
// reviews.
func benchCorpora(b *testing.B) []struct {
	name  string
	texts []string
} {
	reviews := gen.Lines(b, "../segment/testdata/reviews.txt")
	cs := []struct {
		name  string
		texts []string
	}{{"corpus=reviews", reviews}}
	if shop := gen.Shopping(2000); shop != nil {
		cs = append(cs, struct {
			name  string
			texts []string
		}{"corpus=shopping", shop})
	}
	return cs
}

var (
	gseOnce sync.Once
	gseSeg  *gse.Segmenter
	gseErr  error
)

// bareGse loads gse's embedded simplified dictionary on its own, the
// baseline the analyzer's throughput is compared with.
func bareGse(b *testing.B) *gse.Segmenter {
	gseOnce.Do(func() {
		s := &gse.Segmenter{SkipLog: true}
		if gseErr = s.LoadDictEmbed("zh_s"); gseErr == nil {
			gseSeg = s
		}
	})
	if gseErr != nil {
		b.Fatal(gseErr)
	}
	return gseSeg
}

func totalBytes(texts []string) int64 {
	n := 0
	for _, s := range texts {
		n += len(s)
	}
	return int64(n)
}

// BenchmarkThroughput compares, on the same raw texts and one core, bare
// gse segmentation (Cut(text, true)), the segmenter's Cut and the whole
// analysis. The goal is Analyze ≥ 60% of gse's bytes per second.
//
// stage=analyze-taxonomy is the analysis as it was before topic mentions,
// open extraction and packs: the ecommerce pack alone, taxonomy opinions
// only. stage=analyze (the default packs, everything on) is compared with
// it in the same run.
func BenchmarkThroughput(b *testing.B) {
	_, seg, an := setup(b)
	g := bareGse(b)
	old := taxonomyOnly(b, seg)
	stages := []struct {
		name string
		f    func(string)
	}{
		{"stage=gse", func(s string) { g.Cut(s, true) }},
		{"stage=cut", func(s string) { seg.Cut(s) }},
		{"stage=analyze-taxonomy", func(s string) { old.Analyze(s, nlp.Options{}) }},
		{"stage=analyze", func(s string) { an.Analyze(s, nlp.Options{}) }},
	}
	for _, c := range benchCorpora(b) {
		for _, st := range stages {
			b.Run(c.name+"/"+st.name, func(b *testing.B) {
				b.SetBytes(totalBytes(c.texts))
				b.ReportAllocs()
				for b.Loop() {
					for _, s := range c.texts {
						st.f(s)
					}
				}
			})
		}
	}
}

// BenchmarkThroughputParallel is BenchmarkThroughput on all cores, as voc
// analyze runs: one text per iteration.
func BenchmarkThroughputParallel(b *testing.B) {
	_, seg, an := setup(b)
	g := bareGse(b)
	stages := []struct {
		name string
		f    func(string)
	}{
		{"stage=gse", func(s string) { g.Cut(s, true) }},
		{"stage=cut", func(s string) { seg.Cut(s) }},
		{"stage=analyze", func(s string) { an.Analyze(s, nlp.Options{}) }},
	}
	for _, c := range benchCorpora(b) {
		for _, st := range stages {
			b.Run(c.name+"/"+st.name, func(b *testing.B) {
				b.SetBytes(totalBytes(c.texts) / int64(len(c.texts)))
				b.ReportAllocs()
				var mu sync.Mutex
				next := 0
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						mu.Lock()
						s := c.texts[next%len(c.texts)]
						next++
						mu.Unlock()
						st.f(s)
					}
				})
			})
		}
	}
}

// BenchmarkAnalyzeChat measures a chat of customer and agent turns.
func BenchmarkAnalyzeChat(b *testing.B) {
	_, _, an := setup(b)
	turns := []nlp.Turn{
		{Role: "customer", Text: "你好，我的快递三天了还没到，订单号：JD20231225001234"},
		{Role: "agent", Text: "亲，非常抱歉，我这边帮您查询一下物流信息，请稍等"},
		{Role: "customer", Text: "快点吧，太慢了，再不到我就投诉"},
		{Role: "agent", Text: "已经为您催促快递加急派送了，预计明天送达，请您耐心等待"},
		{Role: "customer", Text: "好吧，谢谢"},
	}
	var n int64
	for _, t := range turns {
		n += int64(len(t.Text))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		an.AnalyzeChat(turns, nlp.Options{})
	}
}

// BenchmarkVsGse times bare gse and Analyze alternately on each text, so
// that both see the same machine load, and reports each one's throughput
// and their ratio (analyze-%-of-gse, the goal is ≥ 60).
func BenchmarkVsGse(b *testing.B) {
	_, _, an := setup(b)
	g := bareGse(b)
	for _, c := range benchCorpora(b) {
		b.Run(c.name, func(b *testing.B) {
			var tg, ta time.Duration
			b.SetBytes(2 * totalBytes(c.texts))
			b.ReportAllocs()
			for b.Loop() {
				for _, s := range c.texts {
					t0 := time.Now()
					g.Cut(s, true)
					t1 := time.Now()
					an.Analyze(s, nlp.Options{})
					ta += time.Since(t1)
					tg += t1.Sub(t0)
				}
			}
			mb := float64(totalBytes(c.texts)) * float64(b.N) / 1e6
			b.ReportMetric(mb/tg.Seconds(), "gse-MB/s")
			b.ReportMetric(mb/ta.Seconds(), "analyze-MB/s")
			b.ReportMetric(100*tg.Seconds()/ta.Seconds(), "analyze-%-of-gse")
		})
	}
}

// BenchmarkAspectCoverageCost measures what topic mentions, open extraction
// and the packs cost: the default analysis against the taxonomy-only
// analysis of the ecommerce pack (the analysis before them), alternating
// chunks of the same texts in one loop so that a busy machine slows both
// alike. It reports each one's MB/s and full/taxonomy-only as
// "throughput-ratio" (1.0: no cost; the goal is at least 0.9).
func BenchmarkAspectCoverageCost(b *testing.B) {
	_, seg, an := setup(b)
	old := taxonomyOnly(b, seg)
	for _, c := range benchCorpora(b) {
		b.Run(c.name, func(b *testing.B) {
			const chunk = 50
			var tOld, tNew time.Duration
			var bytes int64
			for b.Loop() {
				for i := 0; i < len(c.texts); i += chunk {
					part := c.texts[i:min(i+chunk, len(c.texts))]
					start := time.Now()
					for _, s := range part {
						old.Analyze(s, nlp.Options{})
					}
					tOld += time.Since(start)
					start = time.Now()
					for _, s := range part {
						an.Analyze(s, nlp.Options{})
					}
					tNew += time.Since(start)
				}
				bytes += totalBytes(c.texts)
			}
			b.ReportMetric(float64(bytes)/tOld.Seconds()/1e6, "MB/s-taxonomy-only")
			b.ReportMetric(float64(bytes)/tNew.Seconds()/1e6, "MB/s-default")
			b.ReportMetric(tOld.Seconds()/tNew.Seconds(), "throughput-ratio")
		})
	}
}

// taxonomyOnly is the analysis before topic mentions, open extraction and
// packs: the ecommerce pack, taxonomy opinions only, on seg.
func taxonomyOnly(b *testing.B, seg *segment.Segmenter) *analyzer.Analyzer {
	eco, err := lexicons.LoadPacks(lexicons.Embedded(), []string{"ecommerce"})
	if err != nil {
		b.Fatal(err)
	}
	old, err := analyzer.NewWithConfig(eco, segment.NewHolder(seg), analyzer.Config{TaxonomyOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	return old
}
