package api

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/report"
	"github.com/vocproject/voc/store/ch/query"
	"github.com/vocproject/voc/store/search"
)

func (h *Handler) facets(r *request) (any, error) {
	first, last, err := h.cfg.CH.DataRange(r.ctx)
	if err != nil {
		return nil, err
	}
	fc, err := h.facetValues(r.ctx)
	if err != nil {
		return nil, err
	}
	fc.First, fc.Last = first, last
	return facetsIn(fc, h.cfg.Zone), nil
}

// facetsTTL is how long the filter values are kept: they change only when
// a product, channel, tier or pain point first appears, and reading them
// scans every hourly pain row of the database.
const facetsTTL = time.Minute

// facetCache holds the last filter values read and when.
type facetCache struct {
	one chan struct{} // one read at a time; the others wait for it
	at  time.Time
	val *query.Facets
}

// facetValues returns the filter values (query.FacetValues) read at most
// facetsTTL ago, as a copy the caller may set First and Last of.
func (h *Handler) facetValues(ctx context.Context) (*query.Facets, error) {
	c := &h.facetCache
	select {
	case c.one <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.one }()
	if c.val == nil || time.Since(c.at) >= facetsTTL {
		v, err := h.cfg.CH.FacetValues(ctx)
		if err != nil {
			return nil, err
		}
		c.val, c.at = v, time.Now()
	}
	out := *c.val
	return &out, nil
}

// facetsIn puts the first and last hour of fc in loc, the zone of the
// answers' times.
func facetsIn(fc *query.Facets, loc *time.Location) *query.Facets {
	if !fc.First.IsZero() {
		fc.First, fc.Last = fc.First.In(loc), fc.Last.In(loc)
	}
	return fc
}

// Totals are the headline numbers of a period.
type Totals = query.Totals

// Overview is the dashboard's first screen.
type Overview struct {
	// From and To bound the range, in Zone; Zone (an IANA name) cuts the
	// days of Daily and of the sparklines.
	From     time.Time          `json:"from"`
	To       time.Time          `json:"to"`
	Zone     string             `json:"zone"`
	Current  Totals             `json:"current"`
	Previous Totals             `json:"previous"`
	Daily    []query.TrendPoint `json:"daily"`
	Top      []OverviewPain     `json:"top"`
}

// OverviewPain is a top pain point with its daily sparkline.
type OverviewPain struct {
	query.PainChange
	Key       string   `json:"key"`
	Sparkline []uint64 `json:"sparkline"` // records per day of the range
}

func (h *Handler) overview(r *request) (any, error) {
	f, limit, err := r.overviewParams()
	if err != nil {
		return nil, err
	}
	ov, _, err := h.overviewOf(r.ctx, f, limit, nil)
	return ov, err
}

// overviewLimit is the default number of top pain points of the overview.
const overviewLimit = 8

// overviewParams reads the filters and the top pain point limit of the
// overview and the dashboard.
func (r *request) overviewParams() (query.Filter, int, error) {
	f, err := r.filter(false)
	if err != nil {
		return f, 0, err
	}
	limit, err := r.integer("limit", overviewLimit, 1, 50)
	return f, limit, err
}

// overviewOf computes the overview of f with its top limit pain points,
// and returns the pain point changes it ranked them by. Over whole days
// (query.WholeDays) it comes from the daily sums of the range and the
// period before it: those of days when it is given (the dashboard's first
// screen waits for what changed, which read them from 28 days before the
// range on), else read for it. Otherwise its independent queries run
// concurrently, the sparklines coming from days when it is given and has
// them, else from PainTrends.
func (h *Handler) overviewOf(ctx context.Context, f query.Filter, limit int, days func() *query.Changes) (*Overview, *query.PainChanges, error) {
	ch := h.cfg.CH
	loc := f.Zone
	if loc == nil {
		loc = time.UTC
	}
	out := &Overview{From: f.From.In(loc), To: f.To.In(loc), Zone: loc.String(), Top: []OverviewPain{}}
	if query.WholeDays(f) {
		t0 := time.Now()
		var sums *query.DaySums
		if days != nil {
			if d := days(); d != nil {
				sums = d.Sums()
			}
		}
		tWait := time.Since(t0)
		if sums == nil {
			var err error
			if sums, err = ch.DaySums(ctx, f); err != nil {
				return nil, nil, err
			}
		}
		if po, ok := sums.Overview(); ok {
			out.Current, out.Previous, out.Daily = po.Current, po.Previous, po.Daily
			for i, c := range po.Pains.Items {
				if i == limit {
					break
				}
				k := c.Category + "/" + c.Subcategory
				sp, _ := sums.PainDays(k)
				out.Top = append(out.Top, OverviewPain{PainChange: c, Key: k, Sparkline: sp})
			}
			h.log.Debug("api: overview from the daily sums", "waited", tWait, "took", time.Since(t0))
			return out, po.Pains, nil
		}
	}
	pf := f
	pf.From, pf.To = f.From.Add(-f.To.Sub(f.From)), f.From
	var (
		wg        sync.WaitGroup
		cur, prev []query.GroupSentiment
		changes   *query.PainChanges
		errs      [4]error
	)
	t0 := time.Now()
	var took [4]time.Duration
	timed := func(i int, fn func() error) {
		wg.Go(func() {
			t := time.Now()
			errs[i] = fn()
			took[i] = time.Since(t)
		})
	}
	timed(0, func() (err error) { cur, err = ch.SentimentBy(ctx, f, "channel"); return })
	timed(1, func() (err error) { prev, err = ch.SentimentBy(ctx, pf, "channel"); return })
	timed(2, func() (err error) { out.Daily, err = ch.Trend(ctx, f, query.Day); return })
	timed(3, func() (err error) { changes, err = ch.PainPointChanges(ctx, f); return })
	wg.Wait()
	t1 := time.Now()
	defer func() {
		h.log.Debug("api: overview", "current", took[0], "previous", took[1], "daily", took[2], "pain points", took[3], "sparklines", time.Since(t1), "took", time.Since(t0))
	}()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	out.Current, out.Previous = query.Total(cur), query.Total(prev)
	if out.Daily == nil {
		out.Daily = []query.TrendPoint{}
	}
	var keys []string
	for i, c := range changes.Items {
		if i == limit {
			break
		}
		k := c.Category + "/" + c.Subcategory
		keys = append(keys, k)
		out.Top = append(out.Top, OverviewPain{PainChange: c, Key: k})
	}
	if days != nil {
		if d := days(); d != nil {
			all := true
			for i, k := range keys {
				if out.Top[i].Sparkline, all = d.PainDays(k); !all {
					break
				}
			}
			if all {
				return out, changes, nil
			}
		}
	}
	series, err := ch.PainTrends(ctx, f, query.Day, keys)
	if err != nil {
		return nil, nil, err
	}
	buckets := query.DaysOf(f.From, f.To, loc)
	for i, s := range series {
		out.Top[i].Sparkline = spread(buckets, s.Points)
	}
	return out, changes, nil
}

// spread places the points' records on the buckets, zero where absent.
func spread(buckets []time.Time, pts []query.TrendPoint) []uint64 {
	out := make([]uint64, len(buckets))
	for _, p := range pts {
		if i, ok := slices.BinarySearchFunc(buckets, p.Time, func(a, b time.Time) int { return a.Compare(b) }); ok {
			out[i] += p.Records
		}
	}
	return out
}

// TrendResponse is the answer of /trend.
type TrendResponse struct {
	Granularity string         `json:"granularity"`
	Series      []query.Series `json:"series"`
}

func (h *Handler) trend(r *request) (any, error) {
	f, err := r.filter(true)
	if err != nil {
		return nil, err
	}
	g, err := r.oneOf("granularity", "day", "hour", "day", "week")
	if err != nil {
		return nil, err
	}
	if g == "hour" && f.To.Sub(f.From) > maxHourly {
		return nil, badRequest("granularity", "hourly series are limited to %d days; use day or week", int(maxHourly.Hours()/24))
	}
	list, err := r.str("series")
	if err != nil {
		return nil, err
	}
	out := &TrendResponse{Granularity: g, Series: []query.Series{}}
	if list != "" {
		if f.Category != "" {
			return nil, badRequest("series", "give either series or category, not both")
		}
		keys := strings.Split(list, ",")
		if len(keys) > 20 {
			return nil, badRequest("series", "at most 20 series")
		}
		for _, k := range keys {
			if k == "" || k[0] == '/' || strings.Count(k, "/") > 1 {
				return nil, badRequest("series", "series holds %q; want category or category/subcategory", k)
			}
		}
		out.Series, err = h.cfg.CH.PainTrends(r.ctx, f, query.Granularity(g), keys)
		return out, err
	}
	pts, err := h.cfg.CH.Trend(r.ctx, f, query.Granularity(g))
	if err != nil {
		return nil, err
	}
	key := "total"
	if f.Category != "" {
		key = f.Category
		if f.Subcategory != "" {
			key += "/" + f.Subcategory
		}
	}
	if pts == nil {
		pts = []query.TrendPoint{}
	}
	out.Series = append(out.Series, query.Series{Key: key, Points: pts})
	return out, nil
}

func (h *Handler) painPoints(r *request) (any, error) {
	f, err := r.filter(true)
	if err != nil {
		return nil, err
	}
	sortBy, err := r.oneOf("sort", "top", "top", "rising", "falling")
	if err != nil {
		return nil, err
	}
	limit, err := r.integer("limit", 20, 1, 500)
	if err != nil {
		return nil, err
	}
	res, err := h.cfg.CH.PainPointChanges(r.ctx, f)
	if err != nil {
		return nil, err
	}
	return movers(res, sortBy, limit), nil
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// topicsLimit is the default number of topics of /topics and the
// dashboard; unmappedLimit of emerging aspects.
const (
	topicsLimit   = 12
	unmappedLimit = 10
)

// topics answers /topics: the topic volume of every category (pain,
// praise, neutral and topic mentions), by volume, against the previous
// period.
func (h *Handler) topics(r *request) (any, error) {
	f, err := r.filter(false)
	if err != nil {
		return nil, err
	}
	limit, err := r.integer("limit", topicsLimit, 1, 500)
	if err != nil {
		return nil, err
	}
	return h.cfg.CH.Topics(r.ctx, f, limit)
}

// changes answers /changes: what changed in the range (query.Changes),
// most excess records first; with filter(true) a pain point narrows it.
func (h *Handler) changes(r *request) (any, error) {
	f, err := r.filter(true)
	if err != nil {
		return nil, err
	}
	limit, err := r.integer("limit", changesLimit, 1, 100)
	if err != nil {
		return nil, err
	}
	return h.cfg.CH.Changes(r.ctx, f, limit)
}

// unmapped answers /aspects/unmapped: the aspects the taxonomy does not
// know that customers gave opinions about, most records first.
func (h *Handler) unmapped(r *request) (any, error) {
	f, err := r.filter(false)
	if err != nil {
		return nil, err
	}
	limit, err := r.integer("limit", unmappedLimit, 1, 100)
	if err != nil {
		return nil, err
	}
	minRecords, err := r.integer("min_records", 1, 1, 1000000)
	if err != nil {
		return nil, err
	}
	return h.cfg.CH.UnmappedAspects(r.ctx, f, minRecords, limit)
}

func (h *Handler) sentiment(r *request) (any, error) {
	f, err := r.filter(true)
	if err != nil {
		return nil, err
	}
	by, err := r.oneOf("by", "channel", "channel", "product", "customer_tier")
	if err != nil {
		return nil, err
	}
	groups, err := h.cfg.CH.SentimentBy(r.ctx, f, by)
	if err != nil {
		return nil, err
	}
	return map[string]any{"by": by, "groups": groups}, nil
}

func (h *Handler) drivers(r *request) (any, error) {
	f, err := r.filter(false)
	if err != nil {
		return nil, err
	}
	metric, err := r.oneOf("metric", "rating", "csat", "nps", "rating")
	if err != nil {
		return nil, err
	}
	minRecords, err := r.integer("min_records", 5, 1, 1000000)
	if err != nil {
		return nil, err
	}
	limit, err := r.integer("limit", 20, 1, 500)
	if err != nil {
		return nil, err
	}
	d, err := h.cfg.CH.KeyDrivers(r.ctx, f, metric, minRecords)
	if err != nil {
		return nil, err
	}
	if len(d.Drivers) > limit {
		d.Drivers = d.Drivers[:limit]
	}
	return d, nil
}

// Span is a rune range [Start, End) of a text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// SearchItem is one verbatim of a search: the stored record, the ranges
// the query text matched, and the mentions (of the filtered pain point,
// else all) with their spans.
type SearchItem struct {
	query.Verbatim
	Matches []Span  `json:"matches"`
	Score   float64 `json:"score,omitempty"`
}

// SearchResponse is a page of verbatims.
type SearchResponse struct {
	Engine string       `json:"engine"` // index or clickhouse
	Total  uint64       `json:"total"`
	Offset int          `json:"offset"`
	Size   int          `json:"size"`
	Items  []SearchItem `json:"items"`
	// Order is newest or representative; Ranked, for representative, is
	// how many of the Total records are ranked (the pages end there).
	Order  string `json:"order"`
	Ranked int    `json:"ranked,omitempty"`
}

// recordQuery reads what search and export select: the filter, q (a
// substring of the text) and a sentiment label.
func (r *request) recordQuery() (f query.Filter, text, sent string, err error) {
	if f, err = r.filter(true); err != nil {
		return
	}
	if text, err = r.str("q"); err != nil {
		return
	}
	sent, err = r.oneOf("sentiment", "", "positive", "negative", "neutral")
	return
}

// search answers /search, the records' times in the handler's zone (the
// zone of the days they were selected by).
func (h *Handler) search(r *request) (any, error) {
	out, err := h.searchItems(r)
	if err != nil {
		return nil, err
	}
	for i := range out.Items {
		out.Items[i].CreatedAt = out.Items[i].CreatedAt.In(h.cfg.Zone)
	}
	return out, nil
}

func (h *Handler) searchItems(r *request) (*SearchResponse, error) {
	f, text, sent, err := r.recordQuery()
	if err != nil {
		return nil, err
	}
	size, err := r.integer("size", 20, 1, maxPageSize)
	if err != nil {
		return nil, err
	}
	offset, err := r.integer("offset", 0, 0, maxOffset)
	if err != nil {
		return nil, err
	}
	if f.Mentions, err = r.mentions(); err != nil {
		return nil, err
	}
	order, err := r.oneOf("order", "newest", "newest", "representative")
	if err != nil {
		return nil, err
	}
	// engine=index asks the index even without text (every record the
	// filters select, newest first: its total is the index's count of
	// them); engine=clickhouse never asks it.
	engine, err := r.oneOf("engine", "", "index", "clickhouse")
	if err != nil {
		return nil, err
	}
	if engine == "index" {
		switch {
		case h.cfg.Index == nil:
			return nil, &apiError{Code: "unavailable", Message: "this process has no search index", status: http.StatusServiceUnavailable}
		case order == "representative":
			return nil, badRequest("engine", "engine=index cannot rank representative records")
		case !f.Mentions.IsZero():
			return nil, badRequest("engine", "engine=index cannot select records by their aspect rows")
		}
	}
	out := &SearchResponse{Offset: offset, Size: size, Items: []SearchItem{}, Order: order}
	if order == "representative" {
		// Typical, varied records (ClickHouse; a text query is a
		// substring match there).
		out.Engine = "clickhouse"
		page, ranked, err := h.cfg.CH.Representative(r.ctx, f, text, sent, size, offset)
		if err != nil {
			return nil, err
		}
		out.Total, out.Ranked = page.Total, ranked
		for _, v := range page.Items {
			out.Items = append(out.Items, SearchItem{Verbatim: v, Matches: substringSpans(v.Text, text)})
		}
		return out, nil
	}
	// The index answers text searches; ClickHouse those that select
	// records by their aspect rows (the index does not hold them).
	if engine == "index" || engine == "" && text != "" && h.cfg.Index != nil && f.Mentions.IsZero() {
		out.Engine = "index"
		q := search.Query{Text: text, Product: f.Product, Channel: f.Channel, Tier: f.Tier, Sentiment: sent,
			From: f.From, To: f.To, Size: size, Offset: offset, Highlight: true}
		if f.Category != "" {
			q.PainPoint = f.Category
			if f.Subcategory != "" {
				q.PainPoint += "/" + f.Subcategory
			}
		}
		res, err := h.cfg.Index.Search(r.ctx, q)
		if err != nil {
			if errors.Is(err, search.ErrClosed) {
				return nil, &apiError{Code: "unavailable", Message: "search index is closed", status: http.StatusServiceUnavailable}
			}
			return nil, err
		}
		out.Total = res.Total
		vs := make([]query.Verbatim, len(res.Hits))
		for i, hit := range res.Hits {
			vs[i] = verbatimOfHit(hit)
		}
		if err := h.cfg.CH.MentionsOf(r.ctx, vs, f.From, f.To); err != nil {
			return nil, err
		}
		for i, hit := range res.Hits {
			out.Items = append(out.Items, SearchItem{Verbatim: vs[i], Score: hit.Score, Matches: runeSpans(hit.Text, hit.Spans[search.FieldText])})
		}
		return out, nil
	}
	out.Engine = "clickhouse"
	page, err := h.cfg.CH.Verbatims(r.ctx, f, text, sent, size, offset)
	if err != nil {
		return nil, err
	}
	out.Total = page.Total
	for _, v := range page.Items {
		out.Items = append(out.Items, SearchItem{Verbatim: v, Matches: substringSpans(v.Text, text)})
	}
	return out, nil
}

func verbatimOfHit(hit search.Hit) query.Verbatim {
	str := func(k string) string { s, _ := hit.Fields[k].(string); return s }
	num := func(k string) float64 { n, _ := hit.Fields[k].(float64); return n }
	v := query.Verbatim{ID: hit.ID, CreatedAt: hit.CreatedAt, Text: hit.Text, Kind: str(search.FieldKind),
		Channel: str(search.FieldChannel), Product: str(search.FieldProduct), Tier: str(search.FieldTier),
		Region: str(search.FieldRegion), SentimentLabel: str(search.FieldSentiment), Intent: str(search.FieldIntent),
		Sentiment: num(search.FieldScore), Rating: uint8(num(search.FieldRating)), CSAT: uint8(num(search.FieldCSAT)),
		NPS: -1, Mentions: []query.Mention{}}
	if n, ok := hit.Fields[search.FieldNPS].(float64); ok {
		v.NPS = int8(n)
	}
	if v.Kind == "chat" {
		v.TurnCount = 1 // spans of chat mentions index turns, not this text
	}
	return v
}

// runeSpans converts byte spans of text to rune spans.
func runeSpans(text string, spans []search.Span) []Span {
	out := make([]Span, 0, len(spans))
	for _, s := range spans {
		if s.Start < 0 || s.End > len(text) || s.Start >= s.End {
			continue
		}
		st := utf8.RuneCountInString(text[:s.Start])
		out = append(out, Span{st, st + utf8.RuneCountInString(text[s.Start:s.End])})
	}
	return out
}

// substringSpans finds every case-insensitive occurrence of sub in text.
func substringSpans(text, sub string) []Span {
	out := []Span{}
	if sub == "" {
		return out
	}
	lt, ls := []rune(strings.ToLower(text)), []rune(strings.ToLower(sub))
	if len(lt) != utf8.RuneCountInString(text) {
		return out // lowercasing changed the length; no reliable offsets
	}
	for i := 0; i+len(ls) <= len(lt); i++ {
		if slices.Equal(lt[i:i+len(ls)], ls) {
			out = append(out, Span{i, i + len(ls)})
			i += len(ls) - 1
		}
	}
	return out
}

// RecordResponse is one record in full.
type RecordResponse struct {
	*query.Verbatim
	// Clauses with their sentiment, rune spans into Text (only when the
	// server has an analyzer).
	Clauses []nlp.Clause `json:"clauses,omitempty"`
}

func (h *Handler) record(r *request) (any, error) {
	id := r.r.PathValue("id")
	if id == "" || utf8.RuneCountInString(id) > maxParamLen {
		return nil, badRequest("id", "record id must be 1-%d characters", maxParamLen)
	}
	v, err := h.cfg.CH.Record(r.ctx, id)
	if err != nil {
		return nil, err
	}
	v.CreatedAt = v.CreatedAt.In(h.cfg.Zone)
	out := &RecordResponse{Verbatim: v}
	if h.cfg.Analyzer != nil && v.Text != "" && v.TurnCount == 0 {
		opts := nlp.Options{Rating: int(v.Rating), Conversational: feedback.ConversationalKind(v.Kind)}
		if res := h.cfg.Analyzer.Analyze(v.Text, opts); res != nil && res.Text == v.Text {
			out.Clauses = res.Clauses
		}
	}
	return out, nil
}

func (h *Handler) alerts(r *request) (any, error) {
	f, err := r.filter(false)
	if err != nil {
		return nil, err
	}
	limit, err := r.integer("limit", 50, 1, 500)
	if err != nil {
		return nil, err
	}
	as, err := h.cfg.CH.Alerts(r.ctx, f.From, f.To, limit)
	if errors.Is(err, query.ErrNoAlerts) {
		return map[string]any{"available": false, "alerts": []query.Alert{}}, nil
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"available": true, "alerts": as}, nil
}

// report serves the weekly report as HTML or Markdown.
// reportErrors are the Chinese explanations of /report's errors (the
// report is in Chinese), by the API's error codes.
var reportErrors = map[string]string{
	"bad_request": "请求参数有误",
	"unavailable": "数据库（ClickHouse）暂时无法访问，请稍后重试",
	"timeout":     "生成报告超时，请缩小时间范围或增加筛选条件后重试",
	"internal":    "生成报告失败，请稍后重试；若仍失败请联系管理员（详见服务日志）",
}

var reportErrorPage = template.Must(template.New("err").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>VOC周报：无法生成</title>
<link rel="icon" href="data:,">
<style>body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;max-width:720px;margin:48px auto;padding:0 16px;color:#222}
.muted{color:#555;font-size:13px}</style></head><body>
<h1>VOC周报无法生成</h1>
<p>{{.Text}}</p>
{{if .Detail}}<p class="muted">{{.Detail}}{{if .Field}}（参数 {{.Field}}）{{end}}</p>{{end}}
<p><a href="">重试</a> · <a href="./">返回仪表盘</a></p>
</body></html>
`))

// writeReportError answers a failed /report with an HTML page in the
// report's language, with the API's message as detail.
func writeReportError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.status)
	text := reportErrors[e.Code]
	if text == "" {
		text = reportErrors["internal"]
	}
	_ = reportErrorPage.Execute(w, map[string]string{"Text": text, "Detail": e.Message, "Field": e.Field})
}

func (h *Handler) report(w http.ResponseWriter, hr *http.Request) {
	var format string
	var rep *report.Report
	var buf bytes.Buffer
	ctx, cancel := context.WithTimeout(hr.Context(), h.cfg.ReportTimeout)
	defer cancel()
	ctx, stop := h.guardDB(ctx)
	defer stop()
	err := func() error {
		q, err := parseQuery(hr.URL.RawQuery)
		if err != nil {
			return err
		}
		if err := h.dbCheck(ctx); err != nil {
			return err
		}
		req := h.newRequest(ctx, hr, q)
		if format, err = req.oneOf("format", "html", "html", "md"); err != nil {
			return err
		}
		// The API's filters and default range (the dashboard's).
		f, err := req.filter(false)
		if err != nil {
			return err
		}
		if err := req.unknown(); err != nil {
			return err
		}
		if rep, err = report.Build(ctx, h.cfg.CH, report.Options{From: f.From, To: f.To, Product: f.Product, Channel: f.Channel,
			Tier: f.Tier, Zone: f.Zone, DashboardURL: "./"}); err != nil {
			return err
		}
		if format == "md" {
			return report.Markdown(&buf, rep)
		}
		return report.HTML(&buf, rep)
	}()
	if err != nil {
		err = dbCause(ctx, err)
		var ae *apiError
		switch {
		case errors.As(err, &ae):
			ae.status = http.StatusBadRequest
		case errors.Is(err, errUnavailable):
			w.Header().Set("Retry-After", "5")
			ae = &apiError{Code: "unavailable", Message: "the database does not answer; retry in a moment", status: http.StatusServiceUnavailable}
		case errors.Is(err, context.DeadlineExceeded):
			h.log.Warn("api: report timed out", "timeout", h.cfg.ReportTimeout)
			ae = &apiError{Code: "timeout", Message: "the report took too long; narrow the range", status: http.StatusGatewayTimeout}
		default:
			h.log.Error("api: report failed", "err", err)
			ae = &apiError{Code: "internal", Message: "report failed", status: http.StatusInternalServerError}
		}
		// A browser asked for the HTML report: an HTML page says what went
		// wrong; the Markdown report (a tool's download) keeps the API's
		// JSON error.
		if hr.URL.Query().Get("format") == "md" {
			writeError(w, ae.status, ae)
		} else {
			writeReportError(w, ae)
		}
		return
	}
	if format == "md" {
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	w.Write(buf.Bytes())
}
