package alerts

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/alerts/detect"
	"github.com/vocproject/voc/alerts/notify"
)

var at = time.Date(2025, 4, 2, 6, 0, 0, 0, time.UTC) // 14:00 in Shanghai

func spikeFinding() detect.Finding {
	return detect.Finding{
		Kind:   detect.KindSpike,
		Series: detect.Series{Level: detect.LevelPainProduct, Category: "物流", Subcategory: "配送慢", Product: "SKU-1001 保温杯"},
		At:     at, Window: detect.Window{Len: 6 * time.Hour, From: at.Add(-6 * time.Hour), To: at},
		Observed: 42, Expected: 8.26, Ratio: 5.084, PValue: 3.2e-9, Records: 300,
	}
}

func routingConfig() *Config {
	return &Config{
		Channels: []notify.Config{{Name: "ding"}, {Name: "feishu"}, {Name: "wecom"}, {Name: "hook"}},
		Teams: []Team{
			{Name: "logistics", Channels: []string{"ding"}},
			{Name: "qa", Channels: []string{"feishu"}},
			{Name: "cs", Channels: []string{"wecom"}},
		},
		Routes: []Route{
			{Kinds: []string{KindVIP, KindEscalation}, Team: "cs", Channels: []string{"hook"}},
			{Category: "物流/配送慢", Product: "SKU-1001 保温杯", Team: "logistics", Channels: []string{"feishu"}},
			{Category: "物流", Team: "logistics"},
			{Category: "质量", Team: "qa"},
			{FeedbackChannel: "social", Team: "qa"},
		},
		DefaultTeam: "cs",
	}
}

func TestRoute(t *testing.T) {
	c := routingConfig()
	tests := []struct {
		name     string
		a        Alert
		team     string
		channels []string
	}{
		{"pain point and product", Alert{Kind: KindSpike, Category: "物流", Subcategory: "配送慢", Product: "SKU-1001 保温杯"}, "logistics", []string{"ding", "feishu"}},
		{"category", Alert{Kind: KindSpike, Category: "物流", Subcategory: "暴力运输", Product: "SKU-1001 保温杯"}, "logistics", []string{"ding"}},
		{"other category", Alert{Kind: KindNewPainPoint, Category: "质量", Subcategory: "漏液"}, "qa", []string{"feishu"}},
		{"feedback channel", Alert{Kind: KindSentimentDrop, Channel: "social"}, "qa", []string{"feishu"}},
		{"no pain point skips category routes", Alert{Kind: KindSpike, Product: "SKU-1001 保温杯"}, "cs", []string{"wecom"}},
		{"immediate first", Alert{Kind: KindVIP, Category: "物流", Subcategory: "配送慢"}, "cs", []string{"wecom", "hook"}},
		{"default", Alert{Kind: KindSpike, Category: "价格", Subcategory: "贵"}, "cs", []string{"wecom"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			team, chs := route(c, &tc.a)
			if team != tc.team || !slices.Equal(chs, tc.channels) {
				t.Errorf("route = %s %v, want %s %v", team, chs, tc.team, tc.channels)
			}
		})
	}
	c.DefaultTeam = ""
	if team, chs := route(c, &Alert{Kind: KindSpike, Category: "价格"}); team != "" || chs != nil {
		t.Errorf("unrouted alert went to %s %v", team, chs)
	}
}

func TestFromFinding(t *testing.T) {
	a := fromFinding(spikeFinding())
	if a.ID != detect.AlertID(spikeFinding()) || a.Series != "pain_product|物流/配送慢|SKU-1001 保温杯|*" || a.Severity != notify.SeverityCritical ||
		a.Observed != 42 || a.Expected != 8.26 || a.Ratio != 5.08 || a.Window != "6h" || a.Title != "痛点激增：物流/配送慢 · SKU-1001 保温杯 · 全部渠道" {
		t.Errorf("%+v", a)
	}
	f := spikeFinding()
	f.Ratio = 2.5
	f.Series = detect.Series{Level: detect.LevelComplaints}
	if a := fromFinding(f); a.Severity != notify.SeverityWarning || a.Title != "投诉激增：全部产品 · 全部渠道" {
		t.Errorf("%+v", a)
	}
	f.Kind, f.Series = detect.KindSentimentDrop, detect.Series{Level: detect.LevelSentimentProductChannel, Product: "P", Channel: "chat"}
	if a := fromFinding(f); a.Ratio != 0 || a.Title != "情感下降：P · chat" {
		t.Errorf("%+v", a)
	}
}

func TestLink(t *testing.T) {
	a := fromFinding(spikeFinding())
	got := link("https://voc.example.com/drill?view=pain", a)
	u, err := url.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	want := map[string]string{"view": "pain", "alert": a.ID, "kind": "spike", "category": "物流", "subcategory": "配送慢",
		"product": "SKU-1001 保温杯", "from": "2025-04-02T00:00:00Z", "to": "2025-04-02T06:00:00Z"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q (%s)", k, q.Get(k), v, got)
		}
	}
	if q.Has("channel") || u.Host != "voc.example.com" || u.Path != "/drill" {
		t.Errorf("link %s", got)
	}
	if link("", a) != "" {
		t.Error("link without a dashboard")
	}
}

func TestMessage(t *testing.T) {
	loc, _ := loadLocation("Asia/Shanghai")
	a := fromFinding(spikeFinding())
	a.Team = "logistics"
	a.Samples = []Sample{{Text: "快递三天才到"}, {Text: "物流太慢"}}
	a.Link = "https://voc.example.com/x"
	m := message(a, loc)
	fields := map[string]string{}
	for _, f := range m.Fields {
		fields[f.Label] = f.Value
	}
	want := map[string]string{
		"观测":   "近 6 小时 42 条，基线预期 8.3 条（5.1 倍）",
		"范围":   "SKU-1001 保温杯 · 全部渠道",
		"窗口":   "04-02 08:00 – 04-02 14:00（Asia/Shanghai）",
		"显著性":  "p = 3.2e-09",
		"负责团队": "logistics",
		"告警":   a.ID,
	}
	for k, v := range want {
		if fields[k] != v {
			t.Errorf("%s = %q, want %q", k, fields[k], v)
		}
	}
	if m.Title != "【voc】痛点激增：物流/配送慢 · SKU-1001 保温杯 · 全部渠道" || !slices.Equal(m.Samples, []string{"快递三天才到", "物流太慢"}) || m.Link != a.Link || m.Payload != a {
		t.Errorf("%+v", m)
	}
	// The webhook payload is the alert.
	data, _ := json.Marshal(m.Payload)
	for _, s := range []string{`"version":1`, `"kind":"spike"`, `"observed":42`, `"window":"6h"`, `"team":"logistics"`, `"text":"物流太慢"`} {
		if !strings.Contains(string(data), s) {
			t.Errorf("payload lacks %s: %s", s, data)
		}
	}

	r := Record{ID: "fb-1", CreatedAt: at, Kind: "review", Channel: "ecommerce", Product: "P", CustomerTier: "vip", Text: "再不退款我就打12315",
		Sentiment: -0.8, Label: "negative", Intent: "投诉", Escalation: true, PainPoints: []string{"售后/退款难"}}
	ra := fromRecord(r, at)
	if ra.Kind != KindEscalation || ra.ID != "r-fb-1" || ra.Series != "record:fb-1" || ra.Category != "售后" || ra.Samples[0].Text != r.Text {
		t.Errorf("%+v", ra)
	}
	rm := message(ra, loc)
	if rm.Fields[0].Value != "vip 客户 · review · 04-02 14:00" || rm.Fields[1].Value != "售后/退款难" || !strings.HasPrefix(rm.Title, "【voc】升级风险") {
		t.Errorf("%+v", rm)
	}
	r.Escalation = false
	if fromRecord(r, at).Kind != KindVIP {
		t.Error("vip kind")
	}
}
