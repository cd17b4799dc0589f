package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/sinks/bleve"
	"github.com/vocproject/voc/store/ch"
)

// BenchmarkDashboard loads VOC_BENCH_RECORDS records (e.g. 1000000) into
// ClickHouse and the index (VOC_BENCH_INDEX of them, default all), then
// reports the p95 latency of the trend, top pain point, topic volume,
// emerging aspects and search calls and the dashboard's first render in
// headless Chromium. Records are copies of
// a few thousand analysed generated messages spread over 90 days. Run it
// with `make bench-dashboard` (see docs/dashboard.md); it is skipped
// without VOC_BENCH_RECORDS.
func BenchmarkDashboard(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("VOC_BENCH_RECORDS"))
	if n <= 0 {
		b.Skip("set VOC_BENCH_RECORDS (e.g. 1000000)")
	}
	nIndex := n
	if v, err := strconv.Atoi(os.Getenv("VOC_BENCH_INDEX")); err == nil && v >= 0 {
		nIndex = min(v, n)
	}
	seed := withAspectRows(analysed(b, 28, 200), 28)
	const days = 90
	start := genStart
	recs := make([]*pipeline.Record, n)
	for i := range recs {
		src := seed[i%len(seed)]
		fb := *src.Feedback
		fb.ID = fmt.Sprintf("b%07d", i)
		// In float: i × 90 days in nanoseconds overflows int64 beyond
		// i ≈ 1,200, which put the records within ±2.6 h of start.
		fb.CreatedAt = start.Add(time.Duration(float64(i) / float64(n) * float64(days*24*time.Hour)))
		r := *src
		r.ID, r.Feedback = fb.ID, &fb
		r.Msg = pipeline.Message{Time: fb.CreatedAt, Pos: pipeline.Position{Topic: "bench", Partition: i % 4, Offset: int64(i / 4)}}
		recs[i] = &r
	}
	t0 := time.Now()
	// The server's debug log says where the first screen's time goes
	// (VOC_BENCH_DEBUG=1).
	var logger *slog.Logger
	if os.Getenv("VOC_BENCH_DEBUG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	f := newFixture(b, recs, false, Config{Logger: logger})
	b.Logf("loaded %d records into ClickHouse in %s", n, time.Since(t0).Round(time.Second))
	if nIndex > 0 {
		t0 = time.Now()
		f2 := newFixtureIndexOnly(b, recs[len(recs)-nIndex:])
		f.index = f2
		h, err := New(Config{CH: f.ch, Index: f2, Now: func() time.Time { return start.AddDate(0, 0, days) }})
		if err != nil {
			b.Fatal(err)
		}
		f.srv.Config.Handler = h
		b.Logf("indexed %d records in %s", nIndex, time.Since(t0).Round(time.Second))
	}
	// The generated records are the benchmark's, not the server's: they
	// would otherwise stay on the heap that the server's collector marks.
	f.recs = nil
	end := start.AddDate(0, 0, days)
	week := "from=" + end.AddDate(0, 0, -7).Format("2006-01-02") + "&to=" + end.Format("2006-01-02")
	month := "from=" + end.AddDate(0, 0, -30).Format("2006-01-02") + "&to=" + end.Format("2006-01-02")
	// At most 10 lines of a benchmark's log are printed: the calls'
	// latencies go on one line.
	var latencies []string
	p95 := func(name string, paths []string, rounds int) time.Duration {
		var ds []time.Duration
		for r := 0; r < rounds; r++ {
			for _, p := range paths {
				s := time.Now()
				resp, err := http.Get(f.srv.URL + p)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("%s: %d", p, resp.StatusCode)
				}
				ds = append(ds, time.Since(s))
			}
		}
		slices.Sort(ds)
		v := ds[len(ds)*95/100]
		b.ReportMetric(float64(v.Microseconds())/1000, name+"-p95-ms")
		latencies = append(latencies, fmt.Sprintf("%s p95 %s median %s (%d calls)", name, v.Round(time.Millisecond), ds[len(ds)/2].Round(time.Millisecond), len(ds)))
		return v
	}
	for b.Loop() {
		p95("trend", []string{"/api/v1/trend?granularity=day&" + month, "/api/v1/trend?granularity=hour&" + week,
			"/api/v1/trend?granularity=day&product=" + url.QueryEscape("SKU-1001 保温杯") + "&" + month,
			"/api/v1/trend?series=" + url.QueryEscape(commonestPain(seed)) + "&" + month}, 10)
		p95("top", []string{"/api/v1/pain-points?sort=top&" + week, "/api/v1/pain-points?sort=rising&" + month,
			"/api/v1/pain-points?sort=top&channel=ecommerce&" + week}, 10)
		if nIndex > 0 {
			var ps []string
			for _, q := range []string{"漏液", "物流 慢", "客服", "退款", "电池"} {
				ps = append(ps, "/api/v1/search?q="+url.QueryEscape(q)+"&"+month, "/api/v1/search?q="+url.QueryEscape(q)+"&product="+url.QueryEscape("SKU-1001 保温杯")+"&"+month)
			}
			p95("search", ps, 5)
		}
		p95("topics", []string{"/api/v1/topics?" + week, "/api/v1/topics?" + month,
			"/api/v1/topics?product=" + url.QueryEscape("SKU-1001 保温杯") + "&" + month}, 10)
		p95("emerging", []string{"/api/v1/aspects/unmapped?" + week, "/api/v1/aspects/unmapped?" + month,
			"/api/v1/aspects/unmapped?channel=ecommerce&" + month}, 10)
		p95("changes", []string{"/api/v1/changes?" + week, "/api/v1/changes?" + month,
			"/api/v1/changes?product=" + url.QueryEscape("SKU-1001 保温杯") + "&" + month}, 10)
		p95("first-screen", []string{"/api/v1/dashboard"}, 20)
		p95("drilldown-aspect", []string{"/api/v1/search?unmapped=true&aspect=" + url.QueryEscape(steadyAspect) + "&" + week,
			"/api/v1/search?topic=" + url.QueryEscape(mentionTopic) + "&" + week}, 10)
		p95("drilldown", []string{"/api/v1/search?category=" + url.QueryEscape(commonestPain(seed)) + "&" + week}, 20)
		b.Logf("latencies: %s", strings.Join(latencies, "; "))
		// The first screen against how it was computed before, in this run.
		db, err := ch.Open(context.Background(), ch.Config{Addrs: []string{f.db.Addr}, Database: f.db.Database}, nil)
		if err != nil {
			b.Fatal(err)
		}
		compareFirstScreen(b, f.srv.Config.Handler.(*Handler), db, 10)
		db.Close()
		// The page is measured without the garbage of the calls above (a
		// collection of the index-holding heap takes ~0.5 s of a core).
		runtime.GC()
		// What else runs: after a bulk load the index merges its segments
		// in the background for minutes (over a core of this process).
		c0, w0 := processCPU(), time.Now()
		time.Sleep(time.Second)
		la, _ := os.ReadFile("/proc/loadavg")
		b.Logf("before the browser: this process used %.0f%% of a core over 1 s; load average %s",
			100*(processCPU()-c0).Seconds()/time.Since(w0).Seconds(), strings.TrimSpace(string(la)))
		res := runBrowser(b, f.srv.URL+"/", filepath.Join(artifactDir(b), "dashboard-bench.png"))
		if res.Error != "" {
			b.Fatal(res.Error)
		}
		b.ReportMetric(res.FirstRenderMS, "first-render-ms")
		b.ReportMetric(res.WallMS, "goto-to-render-ms")
		b.ReportMetric(res.LoadedMS, "all-panels-ms")
		b.ReportMetric(res.HTMLMS, "page-received-ms")
		b.Logf("page (with the first screen) received at %.0f ms, DOMContentLoaded %.0f ms, overview drawn %.0f ms, charting library run %.0f ms; API calls after the first render (path, start, end ms): %v",
			res.HTMLMS, res.DOMMS, res.OverviewMS, res.ChartsMS, res.Timings)
		b.Logf("dashboard first render %.0f ms (%.0f ms from goto)", res.FirstRenderMS, res.WallMS)
	}
}

// newFixtureIndexOnly indexes recs in a fresh index.
func newFixtureIndexOnly(b *testing.B, recs []*pipeline.Record) *bleve.Sink {
	b.Helper()
	testAnalyzer(b)
	idx, err := bleve.Open(bleve.Config{Path: b.TempDir() + "/index"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { idx.Close(context.Background()) })
	for i := 0; i < len(recs); i += 5000 {
		if err := idx.WriteBatch(context.Background(), recs[i:min(i+5000, len(recs))]); err != nil {
			b.Fatal(err)
		}
	}
	return idx
}

// processCPU is the CPU time (user and system) this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
