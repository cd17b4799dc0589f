package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vocproject/voc/pipeline"
)

// TestReportBurst measures 200 concurrent /report requests over
// VOC_BURST_RECORDS records (e.g. 200000, spread over 14 days), without
// a cap or timeout (as before issue 17) and with the defaults: latency
// of every answer and how many were served, refused (503) or timed out
// (504). Skipped without VOC_BURST_RECORDS.
func TestReportBurst(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("VOC_BURST_RECORDS"))
	if n <= 0 {
		t.Skip("set VOC_BURST_RECORDS (e.g. 200000)")
	}
	seed := analysed(t, 7, 200)
	const days = 14
	recs := make([]*pipeline.Record, n)
	for i := range recs {
		src := seed[i%len(seed)]
		fb := *src.Feedback
		fb.ID = fmt.Sprintf("r%07d", i)
		fb.CreatedAt = genStart.Add(time.Duration(float64(i) / float64(n) * float64(days*24*time.Hour)))
		r := *src
		r.ID, r.Feedback = fb.ID, &fb
		r.Msg = pipeline.Message{Time: fb.CreatedAt, Pos: pipeline.Position{Topic: "burst", Partition: i % 4, Offset: int64(i / 4)}}
		recs[i] = &r
	}
	f := newFixture(t, recs, false, Config{})
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no cap, no timeout (before)", Config{MaxConcurrent: -1, ReportTimeout: time.Hour}},
		{"defaults", Config{}},
	} {
		tc.cfg.CH, tc.cfg.Now = f.ch, func() time.Time { return f.to }
		h, err := New(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		const clients = 200
		lat := make([]time.Duration, clients)
		codes := make([]int, clients)
		var wg sync.WaitGroup
		start := time.Now()
		for i := range clients {
			wg.Go(func() {
				t0 := time.Now()
				resp, err := http.Get(srv.URL + "/report?format=md")
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				lat[i], codes[i] = time.Since(t0), resp.StatusCode
			})
		}
		wg.Wait()
		wall := time.Since(start)
		srv.Close()
		count := map[int]int{}
		var ok []time.Duration
		for i, c := range codes {
			count[c]++
			if c == 200 {
				ok = append(ok, lat[i])
			}
		}
		slices.Sort(lat)
		slices.Sort(ok)
		pct := func(d []time.Duration, p float64) time.Duration {
			if len(d) == 0 {
				return 0
			}
			return d[min(len(d)-1, int(p*float64(len(d))))].Round(time.Millisecond)
		}
		t.Logf("%s: %d records, %d concurrent /report: statuses %v; all answers p50 %s p95 %s max %s; served p50 %s p95 %s; wall %s",
			tc.name, n, clients, count, pct(lat, 0.5), pct(lat, 0.95), lat[len(lat)-1].Round(time.Millisecond), pct(ok, 0.5), pct(ok, 0.95), wall.Round(time.Millisecond))
	}
}
