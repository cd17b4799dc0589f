package api

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// browserResult is what web/e2e/dashboard.mjs reports.
type browserResult struct {
	ConsoleErrors  []string `json:"console_errors"`
	PageErrors     []string `json:"page_errors"`
	FailedRequests []string `json:"failed_requests"`
	FirstRenderMS  float64  `json:"first_render_ms"` // navigation start to the overview and trend drawn, measured by the page
	LoadedMS       float64  `json:"loaded_ms"`       // navigation start to every panel drawn
	DOMMS          float64  `json:"dom_ms"`          // navigation start to DOMContentLoaded (scripts parsed)
	HTMLMS         float64  `json:"html_ms"`         // navigation start to the page received (with the inlined first screen)
	OverviewMS     float64  `json:"overview_ms"`     // navigation start to the overview drawn
	ChartsMS       float64  `json:"charts_ms"`       // navigation start to the charting library run
	Timings        [][]any  `json:"timings"`         // API calls: path, start, end (ms since navigation)
	WallMS         float64  `json:"wall_ms"`         // from the test's goto, fresh page start-up included
	Charts         map[string]struct {
		Series, Points int
		Canvas         bool
	} `json:"charts"`
	RangeNote string `json:"range_note"`
	DayDrill  struct {
		From, To, Time, Total string
		Records               int
	} `json:"day_drill"`
	TopRows      int    `json:"top_rows"`
	Sparklines   int    `json:"sparklines"`
	ClickedPain  string `json:"clicked_pain"`
	DrillTitle   string `json:"drill_title"`
	Verbatims    int    `json:"verbatims"`
	PainMarks    int    `json:"pain_marks"`
	FirstMark    string `json:"first_mark"`
	EnglishTitle string `json:"english_title"`
	// Topic volume and emerging aspects panels.
	TopicRows           int       `json:"topic_rows"`
	TopicSegments       int       `json:"topic_segments"`
	TopicVolumes        []int     `json:"topic_volumes"`
	EmergingRows        int       `json:"emerging_rows"`
	EmergingNew         int       `json:"emerging_new"`
	EmergingNote        string    `json:"emerging_note"`
	EmergingClicked     string    `json:"emerging_clicked"`
	EmergingDrill       drillSeen `json:"emerging_drill"`
	TopicClicked        string    `json:"topic_clicked"`
	TopicDrill          drillSeen `json:"topic_drill"`
	ProductTopicVolumes []int     `json:"product_topic_volumes"`
	ProductEmerging     int       `json:"product_emerging_rows"`
	ProductCalls        []string  `json:"product_calls"` // topics and aspects/unmapped calls after the product filter
	EnglishTopics       string    `json:"english_topics"`
	Hourly              struct {
		Series, Points int
	} `json:"hourly"` // the trend chart after switching to hourly (over the last week)
	HourDisabled bool   `json:"hour_disabled"` // the hourly option over the default 14 days
	Prompts      int    `json:"prompts"`       // token prompts answered
	Error        string `json:"error"`
}

// drillSeen is the drill-down panel after a click.
type drillSeen struct {
	Title     string   `json:"title"`
	Verbatims int      `json:"verbatims"`
	Total     string   `json:"total"`
	Marks     []string `json:"marks"` // highlighted mentions
}

// SkipBrowserEnv turns a missing Chromium or node toolchain into a skip.
const SkipBrowserEnv = "VOC_SKIP_BROWSER"

// browserTools returns the chromium and node to run the e2e scripts with,
// failing (or skipping with VOC_SKIP_BROWSER=1) when they are missing.
func browserTools(t testing.TB) (chromium, node string) {
	t.Helper()
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		for _, c := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
			if _, err := os.Stat(c); err == nil {
				chromium = c
				break
			}
		}
	}
	node, nodeErr := exec.LookPath("node")
	_, pwErr := os.Stat("../web/node_modules/playwright-core")
	_, vendorErr := os.Stat("../web/static/vendor/charts.js")
	if chromium == "" || nodeErr != nil || pwErr != nil || vendorErr != nil {
		msg := "the dashboard test needs chromium (apt-get install chromium), node and `make web`"
		if os.Getenv(SkipBrowserEnv) == "1" {
			t.Skip(msg)
		}
		t.Fatalf("%s (or set %s=1 to skip): chromium %q node %v playwright %v charts %v", msg, SkipBrowserEnv, chromium, nodeErr, pwErr, vendorErr)
	}
	return chromium, node
}

// runScript runs the e2e script web/e2e/NAME with args (then chromium) and
// decodes the JSON line it prints into v.
func runScript(t testing.TB, name string, env []string, v any, args ...string) {
	t.Helper()
	chromium, node := browserTools(t)
	cmd := exec.Command(node, append(append([]string{"../web/e2e/" + name}, args...), chromium)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("%s output %q: %v", name, out, err)
	}
}

// runBrowser runs the dashboard script against url and saves the
// screenshot at shot.
func runBrowser(t testing.TB, url, shot string) browserResult {
	return runBrowserToken(t, url, shot, "")
}

// runBrowserToken is runBrowser typing token when the page asks for it.
func runBrowserToken(t testing.TB, url, shot, token string) browserResult {
	t.Helper()
	var res browserResult
	runScript(t, "dashboard.mjs", []string{"VOC_API_TOKEN=" + token}, &res, url, shot)
	return res
}

// artifactDir is where screenshots go: $VOC_ARTIFACTS, else
// web/e2e/artifacts (gitignored).
func artifactDir(t testing.TB) string {
	dir := os.Getenv("VOC_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "web", "e2e", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDashboardInBrowser(t *testing.T) {
	recs := withAspectRows(analysed(t, 14, 80), 14)
	f := newFixture(t, recs, false, Config{})
	shot := filepath.Join(artifactDir(t), "dashboard.png")
	res := runBrowser(t, f.srv.URL+"/", shot)
	if res.Error != "" {
		t.Fatalf("browser: %s", res.Error)
	}
	if len(res.ConsoleErrors)+len(res.PageErrors)+len(res.FailedRequests) > 0 {
		t.Errorf("console errors %q, page errors %q, failed requests %q", res.ConsoleErrors, res.PageErrors, res.FailedRequests)
	}
	for _, id := range []string{"trend-chart", "channel-chart", "drivers-chart"} {
		c, ok := res.Charts[id]
		if !ok || !c.Canvas || c.Series == 0 || c.Points == 0 {
			t.Errorf("chart %s: %+v (rendered %v)", id, c, ok)
		}
	}
	// The range and the zone of its days, and a day of the chart opening
	// exactly that day's records (in the zone: the feed starts at midnight
	// there).
	if !strings.Contains(res.RangeNote, "按 Asia/Shanghai (UTC+08:00) 时区的日期统计") || !strings.Contains(res.RangeNote, genStart.Format(time.DateOnly)) {
		t.Errorf("range note %q", res.RangeNote)
	}
	if d := res.DayDrill; d.Time != genStart.Format(time.RFC3339) || d.From != genStart.Format(time.DateOnly) ||
		d.To != genStart.AddDate(0, 0, 1).Format(time.DateOnly) || d.Total != fmt.Sprintf("共 %d 条", d.Records) || d.Records == 0 {
		t.Errorf("drill-down of the chart's first day: %+v", d)
	}
	if res.TopRows == 0 || res.Sparklines != res.TopRows {
		t.Errorf("top pain points: %d rows, %d sparklines", res.TopRows, res.Sparklines)
	}
	if res.ClickedPain == "" || !strings.Contains(res.DrillTitle, res.ClickedPain) || res.Verbatims == 0 || res.PainMarks == 0 {
		t.Errorf("drill-down of %q: title %q, %d verbatims, %d marked mentions", res.ClickedPain, res.DrillTitle, res.Verbatims, res.PainMarks)
	}
	if !strings.Contains(res.EnglishTitle, "Voice of the Customer") {
		t.Errorf("English toggle: title %q", res.EnglishTitle)
	}
	if daily := res.Charts["trend-chart"]; res.Hourly.Series != daily.Series || res.Hourly.Points <= 2*daily.Points || !res.HourDisabled {
		t.Errorf("hourly trend: %+v, daily %+v, hourly disabled over 14 days: %v", res.Hourly, daily, res.HourDisabled)
	}
	// Topic volume: categories by volume with the pain/praise/neutral
	// split; emerging aspects with the new ones marked (the dashboard's
	// range is all the feed: every aspect is new); both drill down to
	// their records with the mentions marked, and follow the filters.
	if res.TopicRows < 5 || res.TopicSegments < res.TopicRows || !slices.IsSortedFunc(res.TopicVolumes, func(a, b int) int { return b - a }) {
		t.Errorf("topics: %d rows, %d segments, volumes %v", res.TopicRows, res.TopicSegments, res.TopicVolumes)
	}
	if res.EmergingRows < 2 || res.EmergingNew != res.EmergingRows || res.EmergingNote == "" {
		t.Errorf("emerging aspects: %d rows, %d new, note %q", res.EmergingRows, res.EmergingNew, res.EmergingNote)
	}
	if d := res.EmergingDrill; res.EmergingClicked == "" || !strings.Contains(d.Title, res.EmergingClicked) || d.Verbatims == 0 ||
		len(d.Marks) == 0 || !strings.HasPrefix(d.Marks[0], res.EmergingClicked) {
		t.Errorf("drill-down of %q: %+v", res.EmergingClicked, d)
	}
	if d := res.TopicDrill; res.TopicClicked == "" || !strings.Contains(d.Title, res.TopicClicked) || d.Verbatims == 0 || len(d.Marks) == 0 {
		t.Errorf("drill-down of the pain of topic %q: %+v", res.TopicClicked, d)
	}
	sum := func(v []int) (n int) {
		for _, x := range v {
			n += x
		}
		return n
	}
	// The page's first screen leaves them out: the page asks for them once
	// the overview and trend are drawn.
	var later []string
	for _, c := range res.Timings {
		if p, _ := c[0].(string); p == "topics" || p == "aspects/unmapped" {
			if start, _ := c[1].(float64); start >= res.FirstRenderMS-1 { // ms, rounded by the page
				later = append(later, p)
			}
		}
	}
	if len(later) != 2 {
		t.Errorf("topics and emerging aspects asked for after the first render (%.0f ms): %v of calls %v", res.FirstRenderMS, later, res.Timings)
	}
	if n := sum(res.ProductTopicVolumes); n == 0 || n >= sum(res.TopicVolumes) || res.ProductEmerging == 0 || len(res.ProductCalls) != 2 {
		t.Errorf("product filter: topic volume %d of %d, %d emerging rows, calls %v", n, sum(res.TopicVolumes), res.ProductEmerging, res.ProductCalls)
	}
	t.Logf("topics: %d rows, volumes %v (one product: %v); emerging: %d rows, %q; drill of %s: %+v; of the pain of %s: %d verbatims",
		res.TopicRows, res.TopicVolumes, res.ProductTopicVolumes, res.EmergingRows, res.EmergingNote, res.EmergingClicked, res.EmergingDrill,
		res.TopicClicked, res.TopicDrill.Verbatims)
	if res.EnglishTopics != "Topic volume" {
		t.Errorf("English topics title %q", res.EnglishTopics)
	}
	if st, err := os.Stat(shot); err != nil || st.Size() < 10000 {
		t.Errorf("screenshot %s: %v", shot, err)
	}
	t.Logf("first render %.0f ms, all panels %.0f ms (%.0f ms from goto); screenshot %s", res.FirstRenderMS, res.LoadedMS, res.WallMS, shot)
	t.Logf("page received %.0f ms, DOMContentLoaded %.0f ms, overview drawn %.0f ms, charting library run %.0f ms; API calls (path, start, end ms): %v",
		res.HTMLMS, res.DOMMS, res.OverviewMS, res.ChartsMS, res.Timings)
}

// TestDashboardInBrowserWithToken: the page holds no data and asks the API
// for its first screen with the token it prompts for.
func TestDashboardInBrowserWithToken(t *testing.T) {
	recs := withAspectRows(analysed(t, 14, 40), 14) // emerging rows whatever the lexicons find
	f := newFixture(t, recs, false, Config{Token: "s3cret"})
	res := runBrowserToken(t, f.srv.URL+"/", filepath.Join(artifactDir(t), "dashboard-token.png"), "s3cret")
	if res.Error != "" {
		t.Fatalf("browser: %s", res.Error)
	}
	// The first call is refused until the token is typed, once.
	if res.Prompts != 1 || len(res.FailedRequests) != 1 || !strings.HasPrefix(res.FailedRequests[0], "401 ") ||
		!strings.Contains(res.FailedRequests[0], "/api/v1/dashboard") {
		t.Errorf("%d prompts, failed requests %q", res.Prompts, res.FailedRequests)
	}
	// Chromium logs the refused call; nothing else may fail.
	for _, e := range res.ConsoleErrors {
		if !strings.Contains(e, "401") {
			t.Errorf("console error %q", e)
		}
	}
	if len(res.PageErrors) > 0 {
		t.Errorf("page errors %q", res.PageErrors)
	}
	if c := res.Charts["trend-chart"]; !c.Canvas || c.Points == 0 || res.TopRows == 0 || res.Verbatims == 0 {
		t.Errorf("trend %+v, %d top rows, %d verbatims", c, res.TopRows, res.Verbatims)
	}
}
