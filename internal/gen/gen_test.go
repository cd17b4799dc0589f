package gen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/feedback"
)

func mustNew(t testing.TB, cfg Config) *Generator {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

var spikeCfg = Config{Seed: 7, Days: 28, PerDay: 300, Spikes: []Spike{
	{Day: 20, Product: "SKU-1001 保温杯", Category: "质量", Subcategory: "漏液", Factor: 4},
	{Day: 9, Product: "SKU-1003 蓝牙耳机", Category: "物流", Subcategory: "配送慢"},
}}

func TestDeterminism(t *testing.T) {
	a := mustNew(t, spikeCfg).All()
	b := mustNew(t, spikeCfg).All()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different output")
	}
	// Next yields the same sequence as All.
	g := mustNew(t, spikeCfg)
	for i := 0; ; i++ {
		m, ok := g.Next()
		if !ok {
			if i != len(a) {
				t.Fatalf("Next gave %d messages, All %d", i, len(a))
			}
			break
		}
		if !reflect.DeepEqual(m, a[i]) {
			t.Fatalf("message %d differs between Next and All", i)
		}
	}
	other := spikeCfg
	other.Seed = 8
	c := mustNew(t, other).All()
	if reflect.DeepEqual(a[:50], c[:50]) {
		t.Error("different seeds, same output")
	}
}

func TestOrderAndIDs(t *testing.T) {
	g := mustNew(t, spikeCfg)
	msgs := g.All()
	if n := g.Total(); n != len(msgs) {
		t.Errorf("Total %d, All %d", n, len(msgs))
	}
	seen := map[string]bool{}
	cfg := g.Config()
	end := cfg.Start.AddDate(0, 0, cfg.Days)
	for i, m := range msgs {
		if seen[m.ID] {
			t.Fatalf("duplicate id %s", m.ID)
		}
		seen[m.ID] = true
		if i > 0 && m.CreatedAt.Before(msgs[i-1].CreatedAt) {
			t.Fatalf("message %d out of created_at order", i)
		}
		if m.CreatedAt.Before(cfg.Start) || !m.CreatedAt.Before(end) {
			t.Fatalf("message %s at %s outside the range", m.ID, m.CreatedAt)
		}
	}
	// Roughly PerDay mentions a day, fewer messages.
	perDay := float64(len(msgs)) / float64(cfg.Days)
	if perDay < 0.7*float64(cfg.PerDay) || perDay > 1.1*float64(cfg.PerDay) {
		t.Errorf("%.0f messages a day for PerDay %d", perDay, cfg.PerDay)
	}
}

func TestSpikeGroundTruth(t *testing.T) {
	g := mustNew(t, spikeCfg)
	items := g.Items()
	for _, s := range g.Spikes() {
		t.Run(s.Product+"/"+s.Subcategory, func(t *testing.T) {
			counts := make([]int, g.Config().Days)
			for _, it := range items {
				if it.Msg.Product == s.Product && it.Truth.Has(s.Category, s.Subcategory) {
					counts[it.Truth.Day]++
				}
			}
			base, most := 0.0, 0
			for d, n := range counts {
				if d != s.Day {
					base += float64(n)
					most = max(most, n)
				}
				if p := g.Planned(d, s.Product, s.Category, s.Subcategory); p != n {
					t.Errorf("day %d: planned %d, generated %d", d, p, n)
				}
			}
			base /= float64(len(counts) - 1)
			spike := float64(counts[s.Day])
			if spike < s.Factor*base || spike < s.Factor*float64(most) {
				t.Errorf("spike day %d: %v mentions, baseline mean %.2f, busiest other day %d, factor %v", s.Day, spike, base, most, s.Factor)
			}
			if counts[s.Day] != g.SpikeTarget(s) {
				t.Errorf("spike day count %d, target %d", counts[s.Day], g.SpikeTarget(s))
			}
			if exp := g.Baseline(s.Product, s.Category, s.Subcategory); base < 0.6*exp || base > 1.4*exp {
				t.Errorf("baseline mean %.2f far from expected %.2f", base, exp)
			}
		})
	}
}

func TestDistribution(t *testing.T) {
	g := mustNew(t, spikeCfg)
	items := g.Items()
	kinds, channels, tiers, langs := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	pii, spikes, nps, texts := 0, 0, 0, map[string]bool{}
	for _, it := range items {
		m := it.Msg
		kinds[m.Kind]++
		channels[m.Channel]++
		tiers[m.Customer.Tier]++
		langs[m.Lang]++
		if len(it.Truth.PII) > 0 {
			pii++
		}
		if it.Truth.Spike {
			spikes++
		}
		if m.NPS != nil {
			nps++
		}
		texts[m.Text] = true
		switch {
		case m.Kind == feedback.KindChat:
			if len(m.Turns) < 4 || m.CSAT == 0 || m.Text != "" {
				t.Fatalf("chat %s: %d turns, csat %d", m.ID, len(m.Turns), m.CSAT)
			}
			for i := 1; i < len(m.Turns); i++ {
				if !m.Turns[i].At.After(m.Turns[i-1].At) {
					t.Fatalf("chat %s: turn times not increasing", m.ID)
				}
			}
		case m.Channel == ChannelEcommerce || m.Channel == ChannelAppStore:
			// Ratings agree with the content.
			switch it.Truth.Sentiment {
			case "negative":
				if m.Rating > 3 {
					t.Errorf("%s: negative text with rating %d: %s", m.ID, m.Rating, m.Text)
				}
			case "positive":
				if m.Rating < 3 {
					t.Errorf("%s: positive text with rating %d: %s", m.ID, m.Rating, m.Text)
				}
			}
		}
		if m.NPS != nil && it.Truth.Sentiment == "negative" && *m.NPS > 6 {
			t.Errorf("%s: negative survey with nps %d", m.ID, *m.NPS)
		}
	}
	n := len(items)
	share := func(c int) float64 { return float64(c) / float64(n) }
	checks := []struct {
		name     string
		got      float64
		min, max float64
	}{
		{"chat share", share(kinds[feedback.KindChat]), 0.12, 0.28},
		{"survey share", share(kinds[feedback.KindSurvey]), 0.02, 0.09},
		{"pii share", share(pii), 0.02, 0.07},
		{"normal tier", share(tiers["normal"]), 0.78, 0.92},
		{"enterprise tier", share(tiers["enterprise"]), 0.01, 0.06},
		{"zh-TW", share(langs["zh-TW"]), 0.005, 0.04},
		{"distinct texts", share(len(texts)), 0.5, 1},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got < c.min || c.got > c.max {
				t.Errorf("%.3f, want %.3f-%.3f", c.got, c.min, c.max)
			}
		})
	}
	for _, ch := range append(DefaultChannels, ChannelSurvey) {
		if channels[ch] == 0 {
			t.Errorf("no message on channel %s", ch)
		}
	}
	if spikes == 0 {
		t.Error("no spike messages")
	}
}

// TestTextsNameTheirTopics checks that every pain point's texts hold a word
// a lexicon for it would use.
func TestTextsNameTheirTopics(t *testing.T) {
	keys := map[string][]string{
		"物流/配送慢":  {"慢", "天", "没收到", "没更新", "不动", "不快", "拖"},
		"物流/暴力运输": {"暴力", "摔", "扔", "粗暴", "压扁"},
		"包装/破损":   {"破损", "破了", "压坏", "破"},
		"服务/态度差":  {"态度", "爱答不理", "敷衍", "冲", "不认账", "不耐心"},
		"服务/响应慢":  {"慢", "没人回", "转不进去"},
		"售后/退款难":  {"退款"},
		"质量/做工差":  {"做工", "质量", "材质", "用料", "quality"},
		"质量/漏液":   {"漏"},
		"质量/故障":   {"坏", "故障", "没反应", "用不了"},
		"真伪/假货":   {"假货", "正品"},
		"价格/贵":    {"贵", "性价比", "坑", "不值", "便宜"},
	}
	g := mustNew(t, Config{Seed: 3, Days: 7, PerDay: 400, SurveyShare: -1})
	found := map[string]int{}
	for _, it := range g.Items() {
		if len(it.Truth.Topics) != 1 || it.Msg.Lang != "zh-CN" {
			continue
		}
		tp := it.Truth.Topics[0]
		ks, ok := keys[tp.Name()]
		if !ok {
			continue
		}
		text := it.Msg.Text
		for _, tr := range it.Msg.Turns {
			if tr.Role == "customer" {
				text += tr.Text
			}
		}
		hit := false
		for _, k := range ks {
			hit = hit || strings.Contains(text, k)
		}
		if !hit {
			t.Errorf("%s text names none of %v: %s", tp.Name(), ks, text)
		}
		found[tp.Name()]++
	}
	for name := range keys {
		if found[name] == 0 {
			t.Errorf("no message about %s", name)
		}
	}
}

func TestMessagesDecode(t *testing.T) {
	g := mustNew(t, Config{Seed: 11, Days: 5, PerDay: 300})
	msgs := g.All()
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, msgs); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	i := 0
	for sc.Scan() {
		m, id, err := feedback.Decode(sc.Bytes(), 0)
		if err != nil {
			t.Fatalf("line %d (%s): %v", i+1, id, err)
		}
		if m.ID != msgs[i].ID || !m.CreatedAt.Equal(msgs[i].CreatedAt) || m.Text != msgs[i].Text || len(m.Turns) != len(msgs[i].Turns) {
			t.Fatalf("line %d: round trip changed the message", i+1)
		}
		i++
	}
	if i != len(msgs) {
		t.Fatalf("%d lines for %d messages", i, len(msgs))
	}
	if json.Valid(nil) {
		t.Fatal("unreachable")
	}
}

func TestPoison(t *testing.T) {
	cases := PoisonCases()
	if len(Poison()) != len(cases) {
		t.Fatal("Poison and PoisonCases disagree")
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			_, _, err := feedback.Decode(c.Data, 0)
			var de *feedback.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("decode: %v, want a DecodeError", err)
			}
			if de.Reason != c.Reason {
				t.Errorf("reason %s, want %s (%v)", de.Reason, c.Reason, err)
			}
		})
	}
}

func TestBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"negative days", Config{Days: -1}, "negative"},
		{"chat share", Config{ChatShare: 1.5}, "share"},
		{"channel", Config{Channels: []string{"fax"}}, "unknown channel"},
		{"spike day", Config{Days: 7, Spikes: []Spike{{Day: 7, Product: DefaultProducts[0], Category: "物流", Subcategory: "配送慢"}}}, "outside"},
		{"spike product", Config{Spikes: []Spike{{Day: 1, Product: "SKU-9", Category: "物流", Subcategory: "配送慢"}}}, "unknown product"},
		{"spike topic", Config{Spikes: []Spike{{Day: 1, Product: DefaultProducts[0], Category: "物流", Subcategory: "配送快"}}}, "not a pain point"},
		{"spike factor", Config{Spikes: []Spike{{Day: 1, Product: DefaultProducts[0], Category: "物流", Subcategory: "配送慢", Factor: 0.5}}}, "factor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestStartIsDate(t *testing.T) {
	start := time.Date(2025, 6, 1, 15, 4, 5, 0, time.UTC)
	g := mustNew(t, Config{Start: start, Days: 2, PerDay: 20})
	for _, m := range g.All() {
		if m.CreatedAt.Before(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)) || !m.CreatedAt.Before(time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("%s outside 2025-06-01..02", m.CreatedAt)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	g := mustNew(b, Config{Seed: 1, Days: 1, PerDay: 10000})
	n := 0
	for b.Loop() {
		n = len(g.Day(0))
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
}
