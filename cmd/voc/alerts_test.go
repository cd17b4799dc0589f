package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/alerts"
	"github.com/vocproject/voc/alerts/detect"
	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/sinks/clickhouse"
	"github.com/vocproject/voc/store/ch"
)

// alertsFeed is 30 days of 20 records an hour for one product, one of
// them about 物流/配送慢, 12 of them from 10:00 to 14:00 UTC on the last
// day; every 50th record is a negative one from a VIP.
func alertsFeed(end time.Time) []*pipeline.Record {
	var recs []*pipeline.Record
	start := end.Add(-30 * 24 * time.Hour)
	spikeFrom, spikeTo := end.Add(-14*time.Hour), end.Add(-10*time.Hour)
	n := 0
	for h := start; h.Before(end); h = h.Add(time.Hour) {
		pain := 1
		if !h.Before(spikeFrom) && h.Before(spikeTo) {
			pain = 12
		}
		for i := range 20 {
			m := &feedback.Message{ID: fmt.Sprintf("r%06d", n), Kind: "review", Channel: "app", Product: "SKU-A 保温杯",
				CreatedAt: h.Add(time.Duration(i) * time.Minute), Customer: feedback.Customer{Tier: "normal"}, Text: "还行"}
			a := &nlp.Result{Text: "还行", Sentiment: nlp.Sentiment{Score: 0.3, Label: nlp.Positive}, Intent: nlp.IntentPraise}
			if i < pain {
				m.Text = fmt.Sprintf("物流太慢了，等了%d天", 3+i%5)
				a.Text = m.Text
				a.Sentiment = nlp.Sentiment{Score: -0.6, Label: nlp.Negative}
				a.Intent = nlp.IntentComplaint
				a.Aspects = []nlp.Aspect{{Category: "物流", Subcategory: "配送慢", Aspect: "物流", Opinion: "慢", Polarity: nlp.Negative}}
			}
			if n%50 == 0 {
				m.Customer.Tier = "vip"
				a.Sentiment = nlp.Sentiment{Score: -0.7, Label: nlp.Negative}
			}
			recs = append(recs, &pipeline.Record{Msg: pipeline.Message{Pos: pipeline.Position{Topic: "t", Offset: int64(n)}}, ID: m.ID, Feedback: m, Analysis: a})
			n++
		}
	}
	return recs
}

func runVoc(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := run(context.Background(), e, args)
	return out.String(), errb.String(), code
}

func TestAlertsCommand(t *testing.T) {
	db := chtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	chCfg := ch.Config{Addrs: []string{db.Addr}, Database: db.Database}
	sink, err := clickhouse.Open(ctx, chCfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close(ctx)
	if err := sink.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	end := time.Date(2025, 4, 2, 0, 0, 0, 0, time.UTC)
	if err := sink.WriteBatch(ctx, alertsFeed(end)); err != nil {
		t.Fatal(err)
	}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !bytes.Contains(body, []byte("告警通道测试")) {
			w.WriteHeader(400)
			return
		}
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	defer hook.Close()
	cfgPath := filepath.Join(t.TempDir(), "voc.yml")
	cfgText := fmt.Sprintf(`kafka:
  brokers: [127.0.0.1:9092]
clickhouse:
  addrs: [%s]
  database: %s
alerts:
  enabled: true
  timezone: UTC
  detector:
    windows: [1h, 6h]
    lookback: 336h
  channels:
    - {name: ding, type: dingtalk, url: "%s/robot/send?access_token=x", secret: SEC1}
  teams:
    - {name: logistics, channels: [ding]}
  routes:
    - {category: 物流, team: logistics}
`, db.Addr, db.Database, hook.URL)
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}

	out, errOut, code := runVoc(t, "alerts", "test", "--config", cfgPath, "--from", "2025-03-31", "--to", "2025-04-02", "--samples")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"replayed 2025-03-31 00:00 – 2025-04-02 00:00 (UTC) every 1h0m0s",
		"pain_product|物流/配送慢|SKU-A 保温杯|*",
		"logistics → ding",
		"物流太慢了",
		"VIP/escalation messages (",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The spike (10:00-14:00 on 04-01) opens at 11:00 from the 1h window.
	if !strings.Contains(out, "04-01 11:00  spike") {
		t.Errorf("spike not opened at 04-01 11:00:\n%s", out)
	}
	if out, _, code := runVoc(t, "alerts", "test", "--config", cfgPath, "--from", "2025-03-31", "--to", "2025-04-02", "--json"); code != 0 || !strings.Contains(out, `"series": "pain_product|物流/配送慢|SKU-A 保温杯|*"`) {
		t.Errorf("json: exit %d\n%s", code, out)
	}

	// list, ack, resolve over a stored alert.
	store, err := alerts.OpenStore(ctx, chCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	a := &alerts.Alert{ID: "a123", Kind: alerts.KindSpike, Title: "痛点激增：物流/配送慢 · SKU-A 保温杯 · 全部渠道", Series: "pain_product|物流/配送慢|SKU-A 保温杯|*"}
	if err := store.PutState(ctx, &alerts.State{ID: a.ID, Series: a.Series, Kind: a.Kind, Status: detect.StatusOpen, OpenedAt: now, UpdatedAt: now,
		LastFiring: now, Team: "logistics", Title: a.Title, Delivered: true, Alert: a}); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runVoc(t, "alerts", "list", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "a123") || !strings.Contains(out, "open") || !strings.Contains(out, "logistics") {
		t.Fatalf("list: exit %d %s\n%s", code, errOut, out)
	}
	if out, _, code := runVoc(t, "alerts", "ack", "--config", cfgPath, "a123"); code != 0 || !strings.Contains(out, "a123 acknowledged") {
		t.Errorf("ack: exit %d\n%s", code, out)
	}
	if out, _, _ := runVoc(t, "alerts", "list", "--config", cfgPath); !strings.Contains(out, "acknowledged") {
		t.Errorf("list after ack:\n%s", out)
	}
	if out, _, code := runVoc(t, "alerts", "resolve", "--config", cfgPath, "a123"); code != 0 || !strings.Contains(out, "a123 resolved") {
		t.Errorf("resolve: exit %d\n%s", code, out)
	}
	if out, _, _ := runVoc(t, "alerts", "list", "--config", cfgPath); strings.Contains(out, "a123") {
		t.Errorf("resolved alert listed without --all:\n%s", out)
	}
	if out, _, _ := runVoc(t, "alerts", "list", "--config", cfgPath, "--all"); !strings.Contains(out, "a123") || !strings.Contains(out, "resolved") {
		t.Errorf("list --all:\n%s", out)
	}
	if _, errOut, code := runVoc(t, "alerts", "ack", "--config", cfgPath, "nope"); code != 1 || !strings.Contains(errOut, "no such alert") {
		t.Errorf("ack unknown: exit %d %s", code, errOut)
	}

	// ping reaches the channel.
	if out, errOut, code := runVoc(t, "alerts", "ping", "--config", cfgPath, "--channel", "ding"); code != 0 || !strings.Contains(out, "sent a test message to ding") {
		t.Errorf("ping: exit %d %s %s", code, out, errOut)
	}
}

func TestAlertsCommandUsage(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yml")
	os.WriteFile(bad, []byte("alerts:\n  routes:\n    - {category: 质量, channels: [dingtak]}\n"), 0o600)
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no subcommand", []string{"alerts"}, 2, "missing subcommand"},
		{"unknown subcommand", []string{"alerts", "fire"}, 2, `unknown subcommand "fire"`},
		{"no from", []string{"alerts", "test"}, 2, "--from is required"},
		{"bad from", []string{"alerts", "test", "--from", "yesterday"}, 2, "--from"},
		{"reversed", []string{"alerts", "test", "--from", "2025-04-02", "--to", "2025-04-01"}, 2, "--to must be after --from"},
		{"bad config", []string{"alerts", "test", "--config", bad, "--from", "2025-04-01"}, 1, `alerts.routes[0].channels[0]: unknown channel "dingtak"`},
		{"ack without id", []string{"alerts", "ack"}, 2, "no alert id"},
		{"ping unknown channel", []string{"alerts", "ping", "--channel", "x"}, 2, `no channel "x"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := runVoc(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.err) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tc.code, tc.err)
			}
		})
	}
}

// TestAlertsOutputEscapes: ids, titles, products and texts from the data
// print with their terminal escape sequences escaped, in voc alerts list
// and voc alerts test.
func TestAlertsOutputEscapes(t *testing.T) {
	const evil = "\x1b[2J\x1b]0;pwned\x07"
	now := time.Date(2025, 4, 1, 11, 0, 0, 0, time.UTC)
	st := &alerts.State{ID: "a1" + evil, Status: detect.StatusOpen, Kind: alerts.KindSpike, Team: "t\u009b1m",
		Title: "痛点激增 · SKU" + evil + "\r覆盖", OpenedAt: now, LastFiring: now}
	var list bytes.Buffer
	if err := printStates(&list, []*alerts.State{st}, time.UTC); err != nil {
		t.Fatal(err)
	}
	a := &alerts.Alert{ID: "a1" + evil, Kind: alerts.KindSpike, Series: "pain_product|物流/配送慢|SKU" + evil + "|*", DetectedAt: now,
		Samples: []alerts.Sample{{ID: "r1" + evil, Text: "太慢\x1b[31m了\n第二行"}}}
	vip := &alerts.Alert{Kind: alerts.KindVIP, Record: &alerts.Record{ID: "r2" + evil, Product: "SKU" + evil, Channel: "app\x07", Text: "差\x1b[0m评"}}
	var replay bytes.Buffer
	printReplay(&replay, &alerts.ReplayResult{From: now, To: now, Step: time.Hour, Alerts: []alerts.Replayed{{Alert: a}},
		Immediate: []*alerts.Alert{vip}, ImmediateTotal: 1}, time.UTC, 20)
	for name, out := range map[string]string{"list": list.String(), "test": replay.String()} {
		if strings.ContainsAny(out, "\x1b\x07\r\u009b") {
			t.Errorf("%s prints a control character:\n%q", name, out)
		}
		if !strings.Contains(out, `\x1b[2J\x1b]0;pwned\x07`) {
			t.Errorf("%s does not show the escape sequence escaped:\n%s", name, out)
		}
	}
	if !strings.Contains(replay.String(), "太慢\\x1b[31m了 第二行") {
		t.Errorf("sample not on one escaped line:\n%s", replay.String())
	}
}
