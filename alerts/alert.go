// Package alerts tells CS leads about surges of complaints: it watches
// the hourly aggregates in ClickHouse with package detect (spikes per
// pain point × product × channel and coarser, pain points new to a
// product, drops in average sentiment), alerts at once on negative
// messages of VIP customers and on escalation language, routes each
// alert by category to a team and its channels (package notify: webhook,
// DingTalk, Feishu, WeCom, Slack), and keeps alert state, claims and
// deliveries in ClickHouse so that alerts survive restarts and are sent
// once when several voc processes run. docs/alerts.md describes the
// design; Service runs it, Replay tunes it on stored data.
package alerts

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/vocproject/voc/alerts/detect"
	"github.com/vocproject/voc/alerts/notify"
)

// PayloadVersion is the version of the Alert JSON sent to generic
// webhooks.
const PayloadVersion = 1

// Alert is one alert as sent and stored. Its JSON form is the payload of
// the generic webhook.
type Alert struct {
	Version  int    `json:"version"`
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Status   string `json:"status"`
	Severity string `json:"severity"`
	Title    string `json:"title"`
	// Series is the dedup key of the series (level|pain|product|channel),
	// or record:<id> for immediate alerts.
	Series      string `json:"series"`
	Level       string `json:"level,omitempty"`
	Category    string `json:"category,omitempty"`
	Subcategory string `json:"subcategory,omitempty"`
	Product     string `json:"product,omitempty"`
	Channel     string `json:"channel,omitempty"`
	// Observed and Expected are records in the window and the baseline's
	// prediction (spike, new pain point), or mean sentiment in the window
	// and the baseline (sentiment drop). Ratio is Observed/Expected for
	// counts.
	Observed   float64   `json:"observed"`
	Expected   float64   `json:"expected"`
	Ratio      float64   `json:"ratio,omitempty"`
	PValue     float64   `json:"p_value,omitempty"`
	Window     string    `json:"window,omitempty"`
	WindowFrom time.Time `json:"window_from,omitzero"`
	WindowTo   time.Time `json:"window_to,omitzero"`
	// Records are the scope's records in the window.
	Records    uint64    `json:"records,omitempty"`
	DetectedAt time.Time `json:"detected_at"`
	Samples    []Sample  `json:"samples"`
	Link       string    `json:"link,omitempty"`
	Team       string    `json:"team,omitempty"`
	Channels   []string  `json:"channels"`
	// Record is the message of an immediate alert.
	Record *Record `json:"record,omitempty"`
}

// Record is a single message behind an immediate alert.
type Record struct {
	ID           string    `json:"id"`
	CreatedAt    time.Time `json:"created_at"`
	Kind         string    `json:"kind"`
	Channel      string    `json:"channel"`
	Product      string    `json:"product"`
	CustomerTier string    `json:"customer_tier"`
	Text         string    `json:"text"`
	Sentiment    float64   `json:"sentiment"`
	Label        string    `json:"sentiment_label"`
	Intent       string    `json:"intent"`
	Escalation   bool      `json:"escalation"`
	PainPoints   []string  `json:"pain_points"`
}

// Sample is a masked verbatim shown with an alert.
type Sample struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	Channel   string    `json:"channel"`
	Product   string    `json:"product"`
	Text      string    `json:"text"`
}

// SampleQuery asks for sample verbatims of an alert.
type SampleQuery struct {
	// Category and Subcategory select records with that pain point;
	// empty: complaints (negative or intent 投诉).
	Category, Subcategory string
	// NegativeOnly keeps only records of negative sentiment (sentiment
	// drops).
	NegativeOnly     bool
	Product, Channel string // empty: any
	From, To         time.Time
	Limit            int
}

// Searcher finds sample verbatims. The Store implements it over the
// feedback table; a full-text index can replace it.
type Searcher interface {
	Samples(ctx context.Context, q SampleQuery) ([]Sample, error)
}

// fromFinding builds the alert of a finding (without samples and route).
func fromFinding(f detect.Finding) *Alert {
	s := f.Series
	a := &Alert{
		Version: PayloadVersion, ID: detect.AlertID(f), Kind: f.Kind, Status: detect.StatusOpen,
		Series: s.Key(), Level: s.Level, Category: s.Category, Subcategory: s.Subcategory, Product: s.Product, Channel: s.Channel,
		Observed: round(f.Observed, 3), Expected: round(f.Expected, 3), Ratio: round(f.Ratio, 2), PValue: f.PValue,
		Window: fmtDuration(f.Window.Len), WindowFrom: f.Window.From, WindowTo: f.Window.To,
		Records: f.Records, DetectedAt: f.At, Samples: []Sample{}, Channels: []string{},
	}
	switch {
	case f.Kind == KindNewPainPoint:
		a.Severity = notify.SeverityCritical
		a.Ratio = 0
	case f.Kind == KindSpike && f.Ratio >= 5:
		a.Severity = notify.SeverityCritical
	default:
		a.Severity = notify.SeverityWarning
	}
	if f.Kind == KindSentimentDrop {
		a.Ratio = 0
	}
	a.Title = title(a)
	return a
}

// fromRecord builds the immediate alert of a message.
func fromRecord(r Record, at time.Time) *Alert {
	kind := KindVIP
	if r.Escalation {
		kind = KindEscalation
	}
	a := &Alert{
		Version: PayloadVersion, ID: "r-" + r.ID, Kind: kind, Status: detect.StatusOpen, Severity: notify.SeverityCritical,
		Series: "record:" + r.ID, Product: r.Product, Channel: r.Channel, DetectedAt: at, Record: &r,
		Samples:  []Sample{{ID: r.ID, CreatedAt: r.CreatedAt, Channel: r.Channel, Product: r.Product, Text: r.Text}},
		Channels: []string{}, Window: "", Records: 1, Observed: 1,
	}
	if len(r.PainPoints) > 0 {
		a.Category, a.Subcategory, _ = strings.Cut(r.PainPoints[0], "/")
	}
	a.Title = title(a)
	return a
}

func round(v float64, digits int) float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0
	}
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

func fmtDuration(d time.Duration) string {
	if d == 0 {
		return ""
	}
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.String()
}

func (a *Alert) pain() string {
	if a.Category == "" {
		return ""
	}
	return a.Category + "/" + a.Subcategory
}

// scope names the product and channel: "SKU-1001 保温杯 · 全部渠道".
func (a *Alert) scope() string {
	p, c := a.Product, a.Channel
	if p == "" {
		p = "全部产品"
	}
	if c == "" {
		c = "全部渠道"
	}
	return p + " · " + c
}

func title(a *Alert) string {
	switch a.Kind {
	case KindSpike:
		if a.pain() != "" {
			return "痛点激增：" + a.pain() + " · " + a.scope()
		}
		return "投诉激增：" + a.scope()
	case KindNewPainPoint:
		return "新痛点：" + a.pain() + " · " + a.scope()
	case KindSentimentDrop:
		return "情感下降：" + a.scope()
	case KindEscalation:
		return "升级风险（12315/曝光/律师）：" + a.scope()
	case KindVIP:
		return "VIP 客户负面反馈：" + a.scope()
	}
	return a.Kind + "：" + a.scope()
}

// windowHours renders a window length for people: 6 小时, 2 天.
func windowHours(s string) string {
	d, err := time.ParseDuration(s)
	if err != nil {
		return s
	}
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d 天", d/(24*time.Hour))
	}
	return fmt.Sprintf("%d 小时", d/time.Hour)
}

// message renders an alert for the channels.
func message(a *Alert, loc *time.Location) *notify.Message {
	ts := func(t time.Time) string { return t.In(loc).Format("01-02 15:04") }
	var fs []notify.Field
	switch a.Kind {
	case KindSpike:
		fs = append(fs, notify.Field{Label: "观测", Value: fmt.Sprintf("近 %s %.0f 条，基线预期 %.1f 条（%.1f 倍）", windowHours(a.Window), a.Observed, a.Expected, a.Ratio)})
	case KindNewPainPoint:
		fs = append(fs, notify.Field{Label: "观测", Value: fmt.Sprintf("近 %s %.0f 条，此前从未出现", windowHours(a.Window), a.Observed)})
	case KindSentimentDrop:
		fs = append(fs, notify.Field{Label: "观测", Value: fmt.Sprintf("近 %s 平均情感 %.2f，基线 %.2f（%d 条）", windowHours(a.Window), a.Observed, a.Expected, a.Records)})
	case KindVIP, KindEscalation:
		r := a.Record
		fs = append(fs, notify.Field{Label: "客户", Value: fmt.Sprintf("%s 客户 · %s · %s", r.CustomerTier, r.Kind, ts(r.CreatedAt))})
		if a.pain() != "" {
			fs = append(fs, notify.Field{Label: "痛点", Value: strings.Join(r.PainPoints, "、")})
		}
		fs = append(fs, notify.Field{Label: "意图", Value: fmt.Sprintf("%s · 情感 %.2f", r.Intent, r.Sentiment)})
		fs = append(fs, notify.Field{Label: "记录", Value: r.ID})
	}
	fs = append(fs, notify.Field{Label: "范围", Value: a.scope()})
	if !a.WindowFrom.IsZero() {
		fs = append(fs, notify.Field{Label: "窗口", Value: fmt.Sprintf("%s – %s（%s）", ts(a.WindowFrom), ts(a.WindowTo), loc)})
	}
	if a.PValue > 0 {
		fs = append(fs, notify.Field{Label: "显著性", Value: fmt.Sprintf("p = %.1e", a.PValue)})
	}
	if a.Team != "" {
		fs = append(fs, notify.Field{Label: "负责团队", Value: a.Team})
	}
	fs = append(fs, notify.Field{Label: "告警", Value: a.ID})
	m := &notify.Message{ID: a.ID, Title: "【voc】" + a.Title, Severity: a.Severity, Fields: fs, Link: a.Link, Payload: a}
	for _, s := range a.Samples {
		m.Samples = append(m.Samples, s.Text)
	}
	return m
}

// resolvedMessage renders the resolution of an alert.
func resolvedMessage(a *Alert, at time.Time, loc *time.Location) *notify.Message {
	r := *a
	r.Status = detect.StatusResolved
	return &notify.Message{
		ID: a.ID, Title: "【voc】已恢复：" + a.Title, Severity: notify.SeverityInfo, Link: a.Link, Payload: &r,
		Fields: []notify.Field{
			{Label: "恢复时间", Value: at.In(loc).Format("01-02 15:04")},
			{Label: "范围", Value: a.scope()},
			{Label: "告警", Value: a.ID},
		},
	}
}

// link returns the drill-down URL of an alert, empty without a base.
func link(base string, a *Alert) string {
	if base == "" {
		return ""
	}
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	q := u.Query()
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("alert", a.ID)
	set("kind", a.Kind)
	set("category", a.Category)
	set("subcategory", a.Subcategory)
	set("product", a.Product)
	set("channel", a.Channel)
	if !a.WindowFrom.IsZero() {
		set("from", a.WindowFrom.UTC().Format(time.RFC3339))
		set("to", a.WindowTo.UTC().Format(time.RFC3339))
	}
	if a.Record != nil {
		set("record", a.Record.ID)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// route returns the team and channel names for an alert: the first
// matching route's team channels plus its own, else the default team's.
func route(c *Config, a *Alert) (team string, channels []string) {
	teamChannels := func(name string) []string {
		for _, t := range c.Teams {
			if t.Name == name {
				return t.Channels
			}
		}
		return nil
	}
	add := func(names ...string) {
		for _, n := range names {
			if !contains(channels, n) {
				channels = append(channels, n)
			}
		}
	}
	for _, r := range c.Routes {
		if !routeMatches(r, a) {
			continue
		}
		add(teamChannels(r.Team)...)
		add(r.Channels...)
		return r.Team, channels
	}
	if c.DefaultTeam != "" {
		add(teamChannels(c.DefaultTeam)...)
		return c.DefaultTeam, channels
	}
	return "", nil
}

func routeMatches(r Route, a *Alert) bool {
	if len(r.Kinds) > 0 && !contains(r.Kinds, a.Kind) {
		return false
	}
	if r.Category != "" {
		cat, sub, hasSub := strings.Cut(r.Category, "/")
		if a.Category != cat || (hasSub && a.Subcategory != sub) {
			return false
		}
	}
	if r.Product != "" && r.Product != a.Product {
		return false
	}
	if r.FeedbackChannel != "" && r.FeedbackChannel != a.Channel {
		return false
	}
	return true
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
