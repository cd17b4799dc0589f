package api

import (
	"encoding/csv"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/internal/gen"
	"github.com/vocproject/voc/pipeline"
)

// The feed of `voc demo` with its default flags (cmd/voc/demo.go: seed 1,
// 28 days of 200 a day ending on demoToday, a 6× surge of 质量/漏液 for the
// first product three days before the end).
var (
	demoToday = time.Date(2026, 3, 29, 0, 0, 0, 0, gen.DefaultStart.Location())
	demoSpike = gen.Spike{Day: 25, Product: gen.DefaultProducts[0], Category: "质量", Subcategory: "漏液", Factor: 6}
)

// demoRecords generates and analyses the demo's feed.
func demoRecords(t testing.TB) []*pipeline.Record {
	t.Helper()
	return analyseFeed(t, gen.Config{Seed: 1, Start: demoToday.AddDate(0, 0, -27), Days: 28, PerDay: 200, Spikes: []gen.Spike{demoSpike}}, 4)
}

// TestChangesDemo: on the demo's feed the planted surge is the first
// thing that changed, on the dashboard's first screen and in /changes, in
// plain numbers, and its drill-down selects exactly its records.
func TestChangesDemo(t *testing.T) {
	f := newFixture(t, demoRecords(t), false, Config{})
	var fs FirstScreen
	if code, body := get(t, f.srv.URL, "/api/v1/dashboard", "", &fs); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	if fs.Changes == nil || len(fs.Changes.Items) == 0 {
		t.Fatalf("no changes: %+v", fs.Changes)
	}
	for i, c := range fs.Changes.Items {
		t.Logf("change %d: %s %s %s/%s %s %s %s: %.0f (expected %.1f, usual %.1f/day), excess %.1f, p %.2g, days %v",
			i, c.Kind, c.Level, c.Category, c.Subcategory, c.Product, c.Channel, c.From.Format("01-02"), c.Observed, c.Expected, c.Usual, c.Excess, c.P, c.Days)
	}
	c := fs.Changes.Items[0]
	spikeDay := demoToday.AddDate(0, 0, -27+demoSpike.Day)
	if c.Kind != "spike" || c.Key() != "质量/漏液" || c.Product != demoSpike.Product ||
		!c.From.Before(spikeDay.AddDate(0, 0, 1)) || !c.To.After(spikeDay) {
		t.Errorf("first change %+v, want the surge of 质量/漏液 for %s on %s", c, demoSpike.Product, spikeDay.Format(time.DateOnly))
	}
	if c.Usual <= 0 || c.Observed < 4*c.Usual || len(c.Days) != dashboardDays {
		t.Errorf("numbers: observed %v, usual %v a day, %d days", c.Observed, c.Usual, len(c.Days))
	}
	// The drill-down: exactly the records counted.
	q := url.Values{}
	for k, v := range c.Drill {
		q.Set(k, v)
	}
	var page struct {
		Total int `json:"total"`
	}
	if code, body := get(t, f.srv.URL, "/api/v1/search?"+q.Encode(), "", &page); code != 200 || float64(page.Total) != c.Observed {
		t.Errorf("drill-down %v: %d %s, total %d, want %v", c.Drill, code, body, page.Total, c.Observed)
	}
	// /changes answers the same for the same range.
	var ch struct {
		Items []struct {
			Kind, Category, Subcategory, Product string
			Observed                             float64
		} `json:"items"`
	}
	path := "/api/v1/changes?from=" + fs.Overview.From.Format(time.DateOnly) + "&to=" + fs.Overview.To.Format(time.DateOnly)
	if code, body := get(t, f.srv.URL, path, "", &ch); code != 200 || len(ch.Items) == 0 || ch.Items[0].Product != c.Product || ch.Items[0].Observed != c.Observed {
		t.Errorf("%s: %d %s", path, code, body)
	}
}

// changesSeen is what web/e2e/changes.mjs saw at one width.
type changesSeen struct {
	Items         int      `json:"items"`
	Key           string   `json:"key"`
	Product       string   `json:"product"`
	Observed      float64  `json:"observed"`
	Text          string   `json:"text"`
	OnFirstScreen bool     `json:"on_first_screen"`
	FocusedByTab  bool     `json:"focused_by_tab"`
	DrillTitle    string   `json:"drill_title"`
	DrillTotal    string   `json:"drill_total"`
	Verbatims     int      `json:"drill_verbatims"`
	Marks         int      `json:"drill_marks"`
	ReportFirst   string   `json:"report_first_point"`
	DrillOrder    string   `json:"drill_order"`
	DrillTexts    []string `json:"drill_texts"`
	CSV           string   `json:"csv"`
	FocusBack     bool     `json:"focus_back"`
	RowDrill      string   `json:"row_drill"`
}

// pageView is the dashboard's view as web/e2e/changes.mjs reads it.
type pageView struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Product     string `json:"product"`
	Granularity string `json:"granularity"`
	Lang        string `json:"lang"`
	DrillOpen   bool   `json:"drill_open"`
	DrillTitle  string `json:"drill_title"`
	DrillTotal  string `json:"drill_total"`
	DrillQ      string `json:"drill_q"`
	ReportLink  string `json:"report_link"`
	RecordOpen  bool   `json:"record_open"`
}

// TestChangesInBrowser: on the demo's feed, at 1440×900 and 390×844, the
// planted surge is the first "what changed" item, on the first screen,
// reached with Tab, and Enter opens exactly its verbatims.
func TestChangesInBrowser(t *testing.T) {
	f := newFixture(t, demoRecords(t), false, Config{})
	var res struct {
		ConsoleErrors  []string    `json:"console_errors"`
		PageErrors     []string    `json:"page_errors"`
		FailedRequests []string    `json:"failed_requests"`
		W1440          changesSeen `json:"w1440"`
		W390           changesSeen `json:"w390"`
		CopiedURL      string      `json:"copied_url"`
		Before         pageView    `json:"before"`
		After          pageView    `json:"after"`
		AfterEsc       struct {
			DrillOpen bool   `json:"drill_open"`
			URL       string `json:"url"`
		} `json:"after_esc"`
		Alert pageView `json:"alert"`
		Error string   `json:"error"`
	}
	// The link of an alert on the planted surge (alerts.link's parameters).
	var fs FirstScreen
	if code, body := get(t, f.srv.URL, "/api/v1/dashboard", "", &fs); code != 200 || len(fs.Changes.Items) == 0 {
		t.Fatalf("%d %s", code, body)
	}
	c := fs.Changes.Items[0]
	alert := url.Values{"alert": {"0123456789abcdef"}, "kind": {"spike"}, "category": {c.Category}, "subcategory": {c.Subcategory},
		"product": {c.Product}, "from": {c.From.Format(time.RFC3339)}, "to": {c.To.Format(time.RFC3339)}}
	runScript(t, "changes.mjs", []string{"VOC_ALERT_LINK=?" + alert.Encode()}, &res, f.srv.URL+"/", artifactDir(t))
	if res.Error != "" {
		t.Fatalf("browser: %s", res.Error)
	}
	if len(res.ConsoleErrors)+len(res.PageErrors)+len(res.FailedRequests) > 0 {
		t.Errorf("console errors %q, page errors %q, failed requests %q", res.ConsoleErrors, res.PageErrors, res.FailedRequests)
	}
	// A copied URL reproduces the view: filters, granularity, language,
	// the drill with its text query, and the record.
	t.Logf("copied %s\nbefore %+v\nafter  %+v", res.CopiedURL, res.Before, res.After)
	if b := res.Before; b.Product == "" || b.Granularity != "hour" || b.Lang != "en" || !b.DrillOpen || b.DrillQ != "漏" || !b.RecordOpen {
		t.Errorf("view before copying: %+v", b)
	}
	if res.After != res.Before {
		t.Errorf("the copied URL opened\n%+v\nnot\n%+v", res.After, res.Before)
	}
	if res.AfterEsc.DrillOpen || strings.Contains(res.AfterEsc.URL, "drill=") {
		t.Errorf("after Esc: %+v", res.AfterEsc)
	}
	if u, err := url.Parse(res.Before.ReportLink); err != nil || u.Query().Get("product") != res.Before.Product ||
		u.Query().Get("from") != res.Before.From || u.Query().Get("to") != res.Before.To {
		t.Errorf("report link %q does not carry the view's filters %+v", res.Before.ReportLink, res.Before)
	}
	// The alert's link opens its drill-down: the surge's records.
	if a := res.Alert; !a.DrillOpen || a.DrillTotal != "共 "+strconv.Itoa(int(c.Observed))+" 条" || !strings.Contains(a.DrillTitle, "质量/漏液") {
		t.Errorf("alert link: %+v, want the %v records of %+v", a, c.Observed, c.Drill)
	}
	for name, s := range map[string]changesSeen{"1440": res.W1440, "390": res.W390} {
		t.Logf("%s px: %+v", name, s)
		if s.Key != "质量/漏液" || s.Product != demoSpike.Product || !s.OnFirstScreen {
			t.Errorf("%s px: first change %q %q (on the first screen: %v), want 质量/漏液 %s", name, s.Key, s.Product, s.OnFirstScreen, demoSpike.Product)
		}
		if rows := csvRows(t, s.CSV); s.DrillOrder != "representative" || (name == "1440" && rows != int(s.Observed)) {
			t.Errorf("%s px: drill order %q, CSV of %d records for %v", name, s.DrillOrder, rows, s.Observed)
		}
		if name == "1440" && (!s.FocusBack || !strings.Contains(s.RowDrill, "/")) {
			t.Errorf("keyboard: focus back after Esc %v, a top row's drill by Enter %q", s.FocusBack, s.RowDrill)
		}
		if !strings.HasPrefix(s.ReportFirst, "质量/漏液 · SKU-1001 保温杯") {
			t.Errorf("%s px: the report's first key point %q", name, s.ReportFirst)
		}
		if want := "共 " + strconv.Itoa(int(s.Observed)) + " 条"; !s.FocusedByTab || s.DrillTotal != want || s.Verbatims == 0 || s.Marks == 0 ||
			!strings.Contains(s.DrillTitle, "质量/漏液") {
			t.Errorf("%s px: keyboard drill: focused %v, title %q, total %q (want %q), %d verbatims, %d marks",
				name, s.FocusedByTab, s.DrillTitle, s.DrillTotal, want, s.Verbatims, s.Marks)
		}
	}
}

// TestChangesReport: the weekly report of the demo's last week opens with
// the planted surge as its first key point (本周要点), HTML and Markdown.
func TestChangesReport(t *testing.T) {
	f := newFixture(t, demoRecords(t), false, Config{})
	from, to := demoToday.AddDate(0, 0, -6).Format(time.DateOnly), demoToday.AddDate(0, 0, 1).Format(time.DateOnly)
	for _, format := range []string{"md", "html"} {
		code, body := get(t, f.srv.URL, "/report?format="+format+"&from="+from+"&to="+to, "", nil)
		s := string(body)
		points := strings.Index(s, "本周要点")
		overview := strings.Index(s, "一、概览")
		if code != 200 || points < 0 || overview < points {
			t.Fatalf("%s: %d, 本周要点 at %d, 一、概览 at %d", format, code, points, overview)
		}
		section := s[points:overview]
		want := "质量/漏液 · SKU-1001 保温杯"
		if format == "md" {
			want = "1. **质量/漏液 · SKU-1001 保温杯**：03-27 18 条，平常 1.9 条/天"
		}
		if !strings.Contains(section, want) {
			t.Errorf("%s: key points without %q:\n%s", format, want, section)
		}
		if format == "html" && strings.Index(section, "<li>") != strings.Index(section, "<li><b>质量/漏液 · SKU-1001 保温杯</b>") {
			t.Errorf("html: the surge is not the first key point:\n%s", section)
		}
	}
}

// TestRepresentativeAndExport: the drill-down's representative order
// holds the same records as the newest-first one, typical and varied
// first; the export holds them all as CSV; the report's verbatims are
// representative ones with the tagged words marked.
func TestRepresentativeAndExport(t *testing.T) {
	f := newFixture(t, analysed(t, 14, 60), false, Config{})
	path := "/api/v1/search?category=" + url.QueryEscape("物流/配送慢") + "&from=" + f.from.Format(time.DateOnly) + "&to=" + f.to.Format(time.DateOnly)
	var newest, rep SearchResponse
	if code, body := get(t, f.srv.URL, path+"&size=100", "", &newest); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	if code, body := get(t, f.srv.URL, path+"&size=100&order=representative", "", &rep); code != 200 || rep.Order != "representative" {
		t.Fatalf("%d %s", code, body)
	}
	if rep.Total != newest.Total || rep.Ranked != min(int(rep.Total), 500) || len(rep.Items) != min(100, rep.Ranked) {
		t.Errorf("representative: total %d ranked %d items %d; newest total %d", rep.Total, rep.Ranked, len(rep.Items), newest.Total)
	}
	// The first ones differ from the newest, cover several channels and
	// products, and hold no repeated text; each has the pain point marked.
	channels, products, texts := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, it := range rep.Items[:5] {
		channels[it.Channel], products[it.Product] = true, true
		if texts[it.Text] {
			t.Errorf("item %d repeats %q", i, it.Text)
		}
		texts[it.Text] = true
		if len(it.Mentions) == 0 {
			t.Errorf("item %d without mentions", i)
		}
	}
	if len(channels) < 3 || len(products) < 3 || rep.Items[0].ID == newest.Items[0].ID && rep.Items[1].ID == newest.Items[1].ID {
		t.Errorf("first five: %d channels, %d products", len(channels), len(products))
	}
	if code, body := get(t, f.srv.URL, path+"&order=oldest", "", nil); code != 400 || !strings.Contains(string(body), "order") {
		t.Errorf("bad order: %d %s", code, body)
	}
	// CSV: a row per record, with a BOM, the header and the mentions.
	code, body := get(t, f.srv.URL, strings.Replace(path, "/search?", "/export?", 1), "", nil)
	if n := csvRows(t, string(body)); code != 200 || !strings.HasPrefix(string(body), "\ufeffid,created_at,channel") || n != int(newest.Total) ||
		!strings.Contains(string(body), "物流/配送慢:") {
		t.Errorf("export: %d, %d records, want %d: %.300s", code, n, newest.Total, body)
	}
	if csvSafe("=HYPERLINK(1)") != "'=HYPERLINK(1)" || csvSafe("好") != "好" {
		t.Error("csvSafe")
	}
	_, page := get(t, f.srv.URL, "/report?from="+f.from.Format(time.DateOnly)+"&to="+f.to.Format(time.DateOnly), "", nil)
	if sec := string(page); !strings.Contains(sec[strings.Index(sec, "九、典型原声"):], "<mark>") {
		t.Errorf("report verbatims without marks")
	}
}

// csvRows is the number of records of a CSV export (after its header).
func csvRows(t testing.TB, s string) int {
	t.Helper()
	if s == "" {
		return 0
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(s, "\ufeff"))).ReadAll()
	if err != nil {
		t.Errorf("csv: %v", err)
	}
	return len(rows) - 1
}
