package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/store/ch/query"
	"github.com/vocproject/voc/web"
)

func TestDataRange(t *testing.T) {
	now := time.Date(2026, 5, 20, 9, 30, 0, 0, time.UTC)
	shanghai, err := query.LoadZone("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		last     time.Time
		zone     *time.Location
		from, to string
	}{
		{"data ends at midnight", time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC), time.UTC, "2026-03-02", "2026-03-16"},
		{"data ends within a day", time.Date(2026, 3, 15, 21, 0, 0, 0, time.UTC), time.UTC, "2026-03-02", "2026-03-16"},
		{"another zone", time.Date(2026, 3, 16, 5, 0, 0, 0, time.FixedZone("CST", 8*3600)), time.UTC, "2026-03-02", "2026-03-16"},
		{"no data: the days up to now", time.Time{}, time.UTC, "2026-05-07", "2026-05-21"},
		// 17:30 UTC on 03-15 is 01:30 on 03-16 in Shanghai.
		{"Shanghai days", time.Date(2026, 3, 15, 17, 30, 0, 0, time.UTC), shanghai, "2026-03-03", "2026-03-17"},
		{"Shanghai midnight", time.Date(2026, 3, 15, 16, 0, 0, 0, time.UTC), shanghai, "2026-03-02", "2026-03-16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			from, to := query.DefaultRange(time.Time{}, time.Time{}, tc.last, now, tc.zone)
			if got := from.Format(time.DateOnly) + " " + to.Format(time.DateOnly); got != tc.from+" "+tc.to {
				t.Errorf("range %s, want %s %s", got, tc.from, tc.to)
			}
			if from.Location() != tc.zone || !from.Equal(query.StartOfDay(from, tc.zone)) || to.Sub(from) != dashboardDays*24*time.Hour {
				t.Errorf("range %s – %s is not %d whole days in %s", from, to, dashboardDays, tc.zone)
			}
		})
	}
}

// firstScreenJSON matches the first screen inlined in the page.
var firstScreenJSON = regexp.MustCompile(`<script id="first-screen" type="application/json">(.*?)</script>`)

func TestFirstScreen(t *testing.T) {
	recs := analysed(t, 20, 60)
	f := newFixture(t, recs, false, Config{Now: func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }})

	var fs FirstScreen
	if code, body := get(t, f.srv.URL, "/api/v1/dashboard", "", &fs); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	// The range is the last two weeks of data, whatever the clock says.
	if !fs.Overview.From.Equal(f.to.AddDate(0, 0, -dashboardDays)) || !fs.Overview.To.Equal(f.to) {
		t.Errorf("range %s – %s, want the %d days up to %s", fs.Overview.From, fs.Overview.To, dashboardDays, f.to)
	}
	var want uint64
	for _, r := range recs {
		if !r.Feedback.CreatedAt.Before(fs.Overview.From) {
			want++
		}
	}
	if fs.Overview.Current.Records != want || fs.Overview.Previous.Records != uint64(len(recs))-want {
		t.Errorf("records %d and %d before, want %d and %d", fs.Overview.Current.Records, fs.Overview.Previous.Records, want, uint64(len(recs))-want)
	}
	var daily uint64
	for _, p := range fs.Overview.Daily {
		daily += p.Records
	}
	if daily != want || len(fs.Overview.Daily) != dashboardDays {
		t.Errorf("daily series: %d records over %d days, want %d over %d", daily, len(fs.Overview.Daily), want, dashboardDays)
	}
	if len(fs.Facets.Products) == 0 || len(fs.Facets.Channels) == 0 || fs.Facets.Last.IsZero() {
		t.Errorf("facets %+v", fs.Facets)
	}

	// The overview and the movers are those of the separate endpoints.
	rng := "from=" + fs.Overview.From.Format(time.DateOnly) + "&to=" + fs.Overview.To.Format(time.DateOnly)
	var ov Overview
	if code, body := get(t, f.srv.URL, "/api/v1/overview?"+rng, "", &ov); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	if a, b := mustJSON(t, ov), mustJSON(t, fs.Overview); a != b {
		t.Errorf("overview differs:\n%s\n%s", a, b)
	}
	for _, m := range []struct {
		sort string
		got  *query.PainChanges
	}{{"rising", fs.Rising}, {"falling", fs.Falling}} {
		var res query.PainChanges
		if code, body := get(t, f.srv.URL, "/api/v1/pain-points?limit=6&sort="+m.sort+"&"+rng, "", &res); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		if a, b := mustJSON(t, res), mustJSON(t, m.got); a != b {
			t.Errorf("%s differs:\n%s\n%s", m.sort, a, b)
		}
		for _, c := range m.got.Items {
			if (m.sort == "rising") != (c.Z > 0) {
				t.Errorf("%s holds %s/%s with z %.2f", m.sort, c.Category, c.Subcategory, c.Z)
			}
		}
	}
	if len(fs.Rising.Items) == 0 {
		t.Error("no rising pain point, though the last day has a spike")
	}

	// Filters and an explicit range narrow it like the other endpoints.
	var week FirstScreen
	if code, body := get(t, f.srv.URL, "/api/v1/dashboard?channel=ecommerce&to="+f.to.Format(time.DateOnly)+"&from="+f.to.AddDate(0, 0, -7).Format(time.DateOnly), "", &week); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	if week.Overview.To.Sub(week.Overview.From) != 7*24*time.Hour || week.Overview.Current.Records == 0 || week.Overview.Current.Records >= want {
		t.Errorf("ecommerce, last week: %s – %s, %d records", week.Overview.From, week.Overview.To, week.Overview.Current.Records)
	}
	if code, _ := get(t, f.srv.URL, "/api/v1/dashboard?category=x", "", nil); code != 400 {
		t.Errorf("category: %d, want 400", code)
	}

	// The page carries the same first screen but for the topic volume and
	// emerging aspects, which it asks for once it has drawn the rest.
	code, page := get(t, f.srv.URL, "/", "", nil)
	m := firstScreenJSON.FindSubmatch(page)
	if code != 200 || m == nil {
		t.Fatalf("page %d without the first screen: %.300s", code, page)
	}
	var inline FirstScreen
	if err := json.Unmarshal(m[1], &inline); err != nil {
		t.Fatal(err)
	}
	if inline.Topics != nil || inline.Emerging != nil || fs.Topics == nil || fs.Emerging == nil {
		t.Errorf("topics and emerging aspects: inline %v %v, API %v %v", inline.Topics, inline.Emerging, fs.Topics, fs.Emerging)
	}
	fs.Topics, fs.Emerging = nil, nil
	if a, b := mustJSON(t, inline), mustJSON(t, fs); a != b {
		t.Errorf("inlined first screen differs from the API's:\n%s\n%s", a, b)
	}
	if !bytes.HasSuffix(bytes.TrimSpace(page), []byte("</html>")) {
		t.Errorf("page is cut: %s", page[max(0, len(page)-100):])
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rawGet fetches path without the transport's transparent gzip handling.
func rawGet(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStaticAssets needs no database: with a token the page inlines no
// data, and the assets never query.
func TestStaticAssets(t *testing.T) {
	h, err := New(Config{CH: &query.Store{}, Token: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	want, err := fs.ReadFile(web.Static, "static/app.js")
	if err != nil {
		t.Fatal(err)
	}

	resp, page := rawGet(t, srv.URL+"/", "Accept-Encoding", "gzip")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("page: %d %v", resp.StatusCode, resp.Header)
	}
	page = gunzip(t, page)
	if bytes.Contains(page, []byte(`id="first-screen"`)) || bytes.Contains(page, []byte(bootMarker)) {
		t.Errorf("page with a token holds the first screen or the marker: %s", page)
	}
	// index.html links every asset with its version.
	ver := regexp.MustCompile(`"static/app\.js\?v=([\w-]+)"`).FindSubmatch(page)
	if ver == nil || !bytes.Contains(page, []byte(`"static/app.css?v=`)) {
		t.Fatalf("page links no versioned assets: %s", page)
	}

	tests := []struct {
		name, path, encoding string
		status               int
		gzip                 bool
		cache                string
	}{
		{"versioned, gzip", "/static/app.js?v=" + string(ver[1]), "gzip, deflate", 200, true, "public, max-age=31536000, immutable"},
		{"versioned, plain", "/static/app.js?v=" + string(ver[1]), "", 200, false, "public, max-age=31536000, immutable"},
		{"gzip refused", "/static/app.js?v=" + string(ver[1]), "gzip;q=0, br", 200, false, "public, max-age=31536000, immutable"},
		{"old version revalidates", "/static/app.js?v=old", "gzip", 200, true, "no-cache"},
		{"no version revalidates", "/static/app.js", "", 200, false, "no-cache"},
		{"unknown file", "/static/nope.js", "", 404, false, ""},
		{"no listing", "/static/", "", 404, false, ""},
		{"index.html only at the root", "/static/index.html", "", 404, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := rawGet(t, srv.URL+tc.path, "Accept-Encoding", tc.encoding)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != 200 {
				return
			}
			if gz := resp.Header.Get("Content-Encoding") == "gzip"; gz != tc.gzip {
				t.Errorf("gzip %v, want %v", gz, tc.gzip)
			}
			if tc.gzip {
				body = gunzip(t, body)
			}
			if !bytes.Equal(body, want) {
				t.Errorf("body of %d bytes is not app.js", len(body))
			}
			if got := resp.Header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control %q, want %q", got, tc.cache)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") || resp.Header.Get("Vary") != "Accept-Encoding" {
				t.Errorf("headers %v", resp.Header)
			}
			// Revalidation by ETag answers 304 without a body.
			again, body := rawGet(t, srv.URL+tc.path, "Accept-Encoding", tc.encoding, "If-None-Match", resp.Header.Get("ETag"))
			if resp.Header.Get("ETag") == "" || again.StatusCode != http.StatusNotModified || len(body) != 0 {
				t.Errorf("revalidation with ETag %q: %d, %d bytes", resp.Header.Get("ETag"), again.StatusCode, len(body))
			}
		})
	}
}

// TestOneDefaultRange: without from and to, the dashboard, every endpoint
// and the report cover the same range, the last days of data (not of the
// clock); the report takes the dashboard's filters.
func TestOneDefaultRange(t *testing.T) {
	f := newFixture(t, analysed(t, 20, 30), false, Config{Now: func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }})
	from, to := f.to.AddDate(0, 0, -dashboardDays), f.to
	var fs FirstScreen
	if code, body := get(t, f.srv.URL, "/api/v1/dashboard", "", &fs); code != 200 || !fs.Overview.From.Equal(from) || !fs.Overview.To.Equal(to) {
		t.Fatalf("dashboard: %d %s", code, body)
	}
	var ov Overview
	if code, body := get(t, f.srv.URL, "/api/v1/overview", "", &ov); code != 200 || !ov.From.Equal(from) || !ov.To.Equal(to) ||
		ov.Current.Records != fs.Overview.Current.Records {
		t.Errorf("overview: %d %s, want %s – %s", code, body, from, to)
	}
	var ch query.Changes
	if code, body := get(t, f.srv.URL, "/api/v1/changes", "", &ch); code != 200 || !ch.From.Equal(from) || !ch.To.Equal(to) {
		t.Errorf("changes: %d %s", code, body)
	}
	// One bound: the default length from or to it.
	if code, body := get(t, f.srv.URL, "/api/v1/overview?to="+to.Format(time.DateOnly), "", &ov); code != 200 || !ov.From.Equal(from) {
		t.Errorf("overview to %s: %d %s", to, code, body)
	}
	code, body := get(t, f.srv.URL, "/report?format=md", "", nil)
	period := "统计区间 " + from.Format("2006-01-02 15:04") + " – " + to.Format("2006-01-02 15:04")
	if code != 200 || !strings.Contains(string(body), period) {
		t.Errorf("report: %d, want %q in\n%.300s", code, period, body)
	}
	// The report of a product: its numbers, the filter named, a link back.
	code, body = get(t, f.srv.URL, "/report?format=md&channel=ecommerce", "", nil)
	if code != 200 || !strings.Contains(string(body), "范围：渠道 ecommerce") || !strings.Contains(string(body), "[在仪表盘中查看](./?channel=ecommerce&from=") {
		t.Errorf("report of a channel: %d\n%.600s", code, body)
	}
	if code, body := get(t, f.srv.URL, "/report?product=", "", nil); code != 200 {
		t.Errorf("report with an empty product: %d %s", code, body)
	}
	if code, body := get(t, f.srv.URL, "/report?from=2026-03-10&to=2026-03-01", "", nil); code != 400 || !strings.Contains(string(body), "from") {
		t.Errorf("report of a reversed range: %d %s", code, body)
	}
}

// TestZone: a record at 2026-03-01 17:30 UTC is on 03-02 in Shanghai (the
// default zone) and on 03-01 in UTC, in the API's day buckets, its dates
// (from=2026-03-02 is midnight in the zone) and the report; a zone that
// cannot cut days from hourly rows is refused naming the field.
func TestZone(t *testing.T) {
	at := time.Date(2026, 3, 1, 17, 30, 0, 0, time.UTC)
	recs := analysed(t, 1, 1)[:1]
	recs[0].Feedback.CreatedAt, recs[0].Msg.Time = at, at
	f := newFixture(t, recs, false, Config{})
	h, err := New(Config{CH: f.ch, Zone: time.UTC, Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	utc := httptest.NewServer(h)
	t.Cleanup(utc.Close)
	for _, tc := range []struct {
		name, url, day, zone string
	}{
		{"Shanghai", f.srv.URL, "2026-03-02", "Asia/Shanghai"},
		{"UTC", utc.URL, "2026-03-01", "UTC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tr TrendResponse
			if code, body := get(t, tc.url, "/api/v1/trend?granularity=day&from=2026-02-20&to=2026-03-10", "", &tr); code != 200 {
				t.Fatalf("%d %s", code, body)
			}
			if pts := tr.Series[0].Points; len(pts) != 1 || pts[0].Time.Format(time.DateOnly) != tc.day || pts[0].Records != 1 {
				t.Errorf("day buckets %+v, want one on %s", pts, tc.day)
			}
			// The day's dates select the record; the dashboard's default
			// range ends with its day.
			var ov Overview
			next := query.StartOfDay(at, mustZone(t, tc.zone)).AddDate(0, 0, 1).Format(time.DateOnly)
			if code, body := get(t, tc.url, "/api/v1/overview?from="+tc.day+"&to="+next, "", &ov); code != 200 || ov.Current.Records != 1 || ov.Zone != tc.zone {
				t.Errorf("overview of %s: %d %s", tc.day, code, body)
			}
			var fs FirstScreen
			if code, body := get(t, tc.url, "/api/v1/dashboard", "", &fs); code != 200 || fs.Overview.To.Format(time.DateOnly) != next ||
				fs.Overview.Zone != tc.zone || len(fs.Overview.Daily) != 1 || fs.Overview.Daily[0].Time.Format(time.DateOnly) != tc.day {
				t.Errorf("first screen: %d %s", code, body)
			}
			code, body := get(t, tc.url, "/report?format=md&from="+tc.day+"&to="+next, "", nil)
			if s := string(body); code != 200 || !strings.Contains(s, "| "+tc.day+" | 1 |") || !strings.Contains(s, "（"+tc.zone+" 时间）") {
				t.Errorf("report: %d\n%.1500s", code, s)
			}
		})
	}
	for _, z := range []*time.Location{time.FixedZone("IST", 5*3600+1800), mustZone(t, "Asia/Kolkata")} {
		if _, err := New(Config{CH: f.ch, Zone: z}); err == nil || !strings.Contains(err.Error(), "config field Zone") {
			t.Errorf("zone %s: %v", z, err)
		}
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
