package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"
)

// get fetches path and decodes the JSON body into v (when not nil).
func get(t *testing.T, base, path, token string, v any) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if v != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%s: decode %s: %v", path, body, err)
		}
	}
	return resp.StatusCode, body
}

func hasPain(r *pipeline.Record, key string) bool {
	as := r.Analysis.Aspects
	for _, a := range as {
		if a.Polarity == nlp.Negative && !a.IsUnmapped() && a.Category+"/"+a.Subcategory == key {
			return true
		}
	}
	return false
}

func TestAPI(t *testing.T) {
	recs := analysed(t, 14, 120)
	f := newFixture(t, recs, true, Config{})
	rng := "from=" + f.from.Format("2006-01-02") + "&to=" + f.to.Format("2006-01-02")
	lastWeek := "from=" + f.to.AddDate(0, 0, -7).Format("2006-01-02") + "&to=" + f.to.Format("2006-01-02")

	t.Run("trend total counts every record", func(t *testing.T) {
		var tr TrendResponse
		if code, body := get(t, f.srv.URL, "/api/v1/trend?granularity=day&"+rng, "", &tr); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		var sum uint64
		for _, p := range tr.Series[0].Points {
			sum += p.Records
		}
		if sum != uint64(len(recs)) || len(tr.Series[0].Points) != 14 {
			t.Errorf("sum %d over %d days, want %d over 14", sum, len(tr.Series[0].Points), len(recs))
		}
	})

	t.Run("the spiked pain point rises significantly", func(t *testing.T) {
		last := "from=" + f.to.AddDate(0, 0, -1).Format("2006-01-02") + "&to=" + f.to.Format("2006-01-02")
		var res struct {
			Items []struct {
				Category, Subcategory string
				Significant           bool
				Current               uint64
			}
		}
		if code, body := get(t, f.srv.URL, "/api/v1/pain-points?sort=rising&"+last, "", &res); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		if len(res.Items) == 0 || res.Items[0].Category+"/"+res.Items[0].Subcategory != "质量/漏液" || !res.Items[0].Significant {
			t.Errorf("rising = %+v, want 质量/漏液 first and significant", res.Items)
		}
	})

	t.Run("drill-down of a pain point from ClickHouse", func(t *testing.T) {
		key := commonestPain(recs)
		var want uint64
		for _, r := range recs {
			if hasPain(r, key) {
				want++
			}
		}
		seen := map[string]bool{}
		for page := 0; page < 2; page++ {
			var res SearchResponse
			path := "/api/v1/search?size=10&offset=" + []string{"0", "10"}[page] + "&category=" + url.QueryEscape(key) + "&" + rng
			if code, body := get(t, f.srv.URL, path, "", &res); code != 200 {
				t.Fatalf("%d %s", code, body)
			}
			if res.Engine != "clickhouse" || res.Total != want || want < 20 || len(res.Items) != 10 {
				t.Fatalf("engine %s total %d items %d, want clickhouse %d 10", res.Engine, res.Total, len(res.Items), want)
			}
			for _, it := range res.Items {
				if seen[it.ID] {
					t.Errorf("%s on two pages", it.ID)
				}
				seen[it.ID] = true
				ok := false
				for _, m := range it.Mentions {
					ok = ok || (m.Category+"/"+m.Subcategory == key && m.Start >= 0 && m.End <= len([]rune(it.Text)))
				}
				if !ok {
					t.Errorf("%s: no located mention of %s in %+v", it.ID, key, it.Mentions)
				}
			}
		}
	})

	t.Run("full-text search through the index highlights matches", func(t *testing.T) {
		var res SearchResponse
		if code, body := get(t, f.srv.URL, "/api/v1/search?q="+url.QueryEscape("漏液")+"&"+rng, "", &res); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		if res.Engine != "index" || res.Total == 0 || len(res.Items) == 0 {
			t.Fatalf("engine %s total %d", res.Engine, res.Total)
		}
		for _, it := range res.Items {
			if len(it.Matches) == 0 {
				t.Errorf("%s: no matches in %q", it.ID, it.Text)
				continue
			}
			m := it.Matches[0]
			if got := string([]rune(it.Text)[m.Start:m.End]); !strings.Contains(got, "漏") {
				t.Errorf("%s: match %q", it.ID, got)
			}
		}
	})

	t.Run("full-text search with a customer tier filter goes through the index", func(t *testing.T) {
		n := map[string]uint64{}
		tier := ""
		for _, r := range recs {
			if tr := r.Feedback.Customer.Tier; tr != "" && strings.Contains(r.Analysis.Text, "漏液") {
				n[tr]++
				if n[tr] > n[tier] || (n[tr] == n[tier] && tr < tier) {
					tier = tr
				}
			}
		}
		if len(n) < 2 {
			t.Fatalf("漏液 texts by tier %v: the feed needs two tiers", n)
		}
		var res SearchResponse
		path := "/api/v1/search?size=100&q=" + url.QueryEscape("漏液") + "&customer_tier=" + url.QueryEscape(tier) + "&" + rng
		if code, body := get(t, f.srv.URL, path, "", &res); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		if res.Engine != "index" || res.Total != n[tier] {
			t.Fatalf("engine %s total %d, want index %d (by tier %v)", res.Engine, res.Total, n[tier], n)
		}
		for _, it := range res.Items {
			if it.Tier != tier || len(it.Matches) == 0 {
				t.Errorf("%s: tier %q matches %v, want %q with matches", it.ID, it.Tier, it.Matches, tier)
			}
		}
	})

	t.Run("record in full", func(t *testing.T) {
		r := recs[3]
		var v RecordResponse
		if code, body := get(t, f.srv.URL, "/api/v1/records/"+url.PathEscape(r.ID), "", &v); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		if v.Verbatim == nil || v.ID != r.ID || v.Text != r.Analysis.Text {
			t.Errorf("record %+v, want %s %q", v.Verbatim, r.ID, r.Analysis.Text)
		}
	})

	t.Run("drivers rank pain points by cost", func(t *testing.T) {
		var d struct {
			Scored  uint64
			Drivers []struct{ Weighted, Impact, Share float64 }
		}
		if code, body := get(t, f.srv.URL, "/api/v1/drivers?metric=rating&"+rng, "", &d); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		if d.Scored == 0 || len(d.Drivers) == 0 {
			t.Fatalf("no drivers: %+v", d)
		}
		for i := 1; i < len(d.Drivers); i++ {
			if d.Drivers[i].Weighted > d.Drivers[i-1].Weighted {
				t.Errorf("not ranked at %d", i)
			}
		}
		if d.Drivers[0].Impact <= 0 {
			t.Errorf("top pain point does not lower the rating: %+v", d.Drivers[0])
		}
	})

	t.Run("overview, sentiment, facets, alerts, report", func(t *testing.T) {
		var ov Overview
		if code, body := get(t, f.srv.URL, "/api/v1/overview?"+lastWeek, "", &ov); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		if ov.Current.Records == 0 || len(ov.Top) == 0 || len(ov.Top[0].Sparkline) != 7 {
			t.Errorf("overview %+v", ov)
		}
		var sum uint64
		for _, v := range ov.Top[0].Sparkline {
			sum += v
		}
		if sum != ov.Top[0].Current {
			t.Errorf("sparkline of %s sums to %d, current %d", ov.Top[0].Key, sum, ov.Top[0].Current)
		}
		for _, p := range []string{"/api/v1/sentiment?by=product&" + rng, "/api/v1/facets", "/api/v1/alerts?" + rng} {
			if code, body := get(t, f.srv.URL, p, "", nil); code != 200 {
				t.Errorf("%s: %d %s", p, code, body)
			}
		}
		_, body := get(t, f.srv.URL, "/api/v1/alerts?"+rng, "", nil)
		if !strings.Contains(string(body), `"available":false`) {
			t.Errorf("alerts without tables: %s", body)
		}
		code, md := get(t, f.srv.URL, "/report?format=md&"+lastWeek, "", nil)
		if code != 200 || !strings.Contains(string(md), "VOC周报") || !strings.Contains(string(md), ov.Top[0].Key) {
			t.Errorf("report: %d %.300s", code, md)
		}
		code, page := get(t, f.srv.URL, "/", "", nil)
		if code != 200 || !strings.Contains(string(page), "<html") {
			t.Errorf("dashboard: %d %.200s", code, page)
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		tests := []struct {
			name, path string
			status     int
			field      string
		}{
			{"unknown parameter", "/api/v1/trend?form=2026-03-01", 400, "form"},
			{"bad date", "/api/v1/trend?from=yesterday", 400, "from"},
			{"reversed range", "/api/v1/trend?from=2026-03-05&to=2026-03-01", 400, "from"},
			{"range too long", "/api/v1/trend?from=2020-01-01&to=2026-03-01", 400, "from"},
			{"hourly too long", "/api/v1/trend?granularity=hour&from=2026-01-01&to=2026-03-01", 400, "granularity"},
			{"bad granularity", "/api/v1/trend?granularity=minute", 400, "granularity"},
			{"bad sort", "/api/v1/pain-points?sort=random", 400, "sort"},
			{"bad metric", "/api/v1/drivers?metric=revenue", 400, "metric"},
			{"bad dimension", "/api/v1/sentiment?by=text", 400, "by"},
			{"page too large", "/api/v1/search?size=1000", 400, "size"},
			{"negative offset", "/api/v1/search?offset=-1", 400, "offset"},
			{"subcategory alone", "/api/v1/search?subcategory=配送速度", 400, "subcategory"},
			{"repeated parameter", "/api/v1/search?product=a&product=b", 400, "product"},
			{"sql is just a value", "/api/v1/trend?product=" + url.QueryEscape("x' OR 1=1 --"), 200, ""},
			{"unknown record", "/api/v1/records/nope", 404, ""},
			{"unknown endpoint", "/api/v1/sql?q=select", 404, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				code, body := get(t, f.srv.URL, tc.path, "", nil)
				if code != tc.status {
					t.Fatalf("status %d, want %d: %s", code, tc.status, body)
				}
				if code == 200 {
					return
				}
				var e struct {
					Error struct{ Code, Message, Field string }
				}
				if err := json.Unmarshal(body, &e); err != nil || e.Error.Message == "" {
					t.Fatalf("error body %s", body)
				}
				if e.Error.Field != tc.field {
					t.Errorf("field %q, want %q (%s)", e.Error.Field, tc.field, e.Error.Message)
				}
			})
		}
		resp, err := http.Post(f.srv.URL+"/api/v1/trend", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST: %d", resp.StatusCode)
		}
	})
}

// commonestPain is the pain point on the most records (an open opinion,
// without a category, is none).
func commonestPain(recs []*pipeline.Record) string {
	n := map[string]int{}
	best := ""
	for _, r := range recs {
		seen := map[string]bool{}
		for _, a := range r.Analysis.Aspects {
			k := a.Category + "/" + a.Subcategory
			if a.Polarity == nlp.Negative && !a.IsUnmapped() && !seen[k] {
				seen[k] = true
				n[k]++
				if n[k] > n[best] || (n[k] == n[best] && k < best) {
					best = k
				}
			}
		}
	}
	return best
}

func TestAuth(t *testing.T) {
	recs := analysed(t, 2, 20)
	f := newFixture(t, recs, false, Config{Token: "s3cret", Now: func() time.Time { return genStart.AddDate(0, 0, 2) }})
	tests := []struct {
		name, path, token string
		status            int
	}{
		{"no token", "/api/v1/facets", "", 401},
		{"wrong token", "/api/v1/facets", "nope", 401},
		{"right token", "/api/v1/facets", "s3cret", 200},
		{"first screen needs it", "/api/v1/dashboard", "", 401},
		{"first screen with it", "/api/v1/dashboard", "s3cret", 200},
		{"report needs it too", "/report?format=md", "", 401},
		{"report with it", "/report?format=md", "s3cret", 200},
		{"unknown endpoint needs it", "/api/v1/x", "", 401},
		{"static dashboard is public", "/", "", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code, body := get(t, f.srv.URL, tc.path, tc.token, nil); code != tc.status {
				t.Errorf("status %d, want %d: %s", code, tc.status, body)
			}
		})
	}
}
