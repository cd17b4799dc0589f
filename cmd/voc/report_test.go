package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/internal/gen"
	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/pipeline/enrich"
	"github.com/vocproject/voc/sinks/clickhouse"
	"github.com/vocproject/voc/store/ch"
)

func TestReportCommand(t *testing.T) {
	db := chtest.Start(t)
	ctx := context.Background()
	sink, err := clickhouse.Open(ctx, ch.Config{Addrs: []string{db.Addr}, Database: db.Database}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close(ctx)
	if err := sink.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// Days from midnight in Asia/Shanghai, the default --tz.
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, gen.DefaultStart.Location())
	g, err := gen.New(gen.Config{Seed: 3, Start: start, Days: 14, PerDay: 40})
	if err != nil {
		t.Fatal(err)
	}
	stage := enrich.New(testAnalyzer(t), 0)
	var recs []*pipeline.Record
	for i, m := range g.All() {
		v, _ := m.MarshalWith(nil)
		r := &pipeline.Record{Msg: pipeline.Message{Value: v, Pos: pipeline.Position{Topic: "t", Offset: int64(i)}}}
		stage.Process(ctx, r)
		recs = append(recs, r)
	}
	if err := sink.WriteBatch(ctx, recs); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		expect []string
	}{
		{"markdown", []string{"--format", "md", "--from", "2026-03-09", "--to", "2026-03-16"}, 0, []string{"# VOC周报", "## 二、主要痛点", "2026-03-09 00:00", "（Asia/Shanghai 时间）"}},
		{"another zone", []string{"--format", "md", "--from", "2026-03-09", "--tz", "UTC"}, 0, []string{"2026-03-09 00:00 – 2026-03-16 00:00（UTC 时间）"}},
		{"zone at half hours", []string{"--tz", "Asia/Kolkata"}, 2, nil},
		{"unknown zone", []string{"--tz", "Asia/Beijing"}, 2, nil},
		{"html", []string{"--from", "2026-03-09"}, 0, []string{"<title>VOC周报 2026-03-09 – 2026-03-16</title>", "<svg"}},
		{"bad format", []string{"--format", "pdf"}, 2, nil},
		{"bad date", []string{"--from", "last week"}, 2, nil},
		{"reversed", []string{"--from", "2026-03-09", "--to", "2026-03-01"}, 2, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			e := env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
			args := append([]string{"report", "--addr", db.Addr, "--database", db.Database}, tc.args...)
			if code := run(ctx, e, args); code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errb.String())
			}
			for _, w := range tc.expect {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%.600s", w, out.String())
				}
			}
		})
	}
	t.Run("records of the week", func(t *testing.T) {
		var out bytes.Buffer
		e := env{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }}
		run(ctx, e, []string{"report", "--addr", db.Addr, "--database", db.Database, "--format", "md", "--from", "2026-03-09"})
		n := 0
		for _, m := range g.All() {
			if !m.CreatedAt.Before(start.AddDate(0, 0, 7)) {
				n++
			}
		}
		if want := "| 反馈量 | " + strconv.Itoa(n) + " |"; !strings.Contains(out.String(), want) {
			t.Errorf("want %q in\n%.500s", want, out.String())
		}
	})
}

// TestReportEscapesData: voc report prints a product, channel and text
// holding terminal escape sequences and markup without ESC or BEL, in
// both formats.
func TestReportEscapesData(t *testing.T) {
	db := chtest.Start(t)
	ctx := context.Background()
	sink, err := clickhouse.Open(ctx, ch.Config{Addrs: []string{db.Addr}, Database: db.Database}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close(ctx)
	if err := sink.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const evil = "\x1b[2J\x1b]0;pwned\x07"
	at := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	var recs []*pipeline.Record
	for i := range 3 {
		id := "r" + strconv.Itoa(i) + evil
		recs = append(recs, &pipeline.Record{
			Msg:      pipeline.Message{Pos: pipeline.Position{Topic: "t", Offset: int64(i)}, Time: at},
			ID:       id,
			Feedback: &feedback.Message{ID: id, Product: "SKU" + evil + "![x](http://evil/p.png)", Channel: "app" + evil, CreatedAt: at},
			Analysis: &nlp.Result{Text: "物流太慢" + evil + "<img src=x onerror=alert(1)>", Sentiment: nlp.Sentiment{Score: -0.6, Label: nlp.Negative},
				Aspects: []nlp.Aspect{{Category: "物流", Subcategory: "配送慢", Aspect: "物流", Opinion: "慢", Polarity: nlp.Negative}}},
		})
	}
	if err := sink.WriteBatch(ctx, recs); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"md", "html"} {
		var out, errb bytes.Buffer
		e := env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		if code := run(ctx, e, []string{"report", "--addr", db.Addr, "--database", db.Database, "--format", format, "--from", "2026-03-09"}); code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, errb.String())
		}
		if !strings.Contains(out.String(), "SKU") {
			t.Fatalf("%s: the product is not in the report:\n%.800s", format, out.String())
		}
		if strings.ContainsAny(out.String(), "\x1b\x07") {
			t.Errorf("%s report prints a terminal escape", format)
		}
		// HTML shows &lt;img, Markdown \<img and \!\[x\].
		text, live := out.String(), []string{"<img"}
		if format == "md" {
			text, live = strings.NewReplacer(`\<img`, "", `\!\[x\]`, "").Replace(text), []string{"<img", "![x]"}
		}
		for _, l := range live {
			if strings.Contains(text, l) {
				t.Errorf("%s report holds %q unescaped", format, l)
			}
		}
	}
}

// TestServeRefusesBadZone: voc serve --tz names the flag and why the zone
// cannot cut days.
func TestServeRefusesBadZone(t *testing.T) {
	var out bytes.Buffer
	e := env{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }}
	if code := run(context.Background(), e, []string{"serve", "--tz", "Asia/Kolkata"}); code != 2 || !strings.Contains(out.String(), "--tz") || !strings.Contains(out.String(), "+05:30") {
		t.Errorf("exit %d: %s", code, out.String())
	}
}

func TestServeRefusesOpenListenWithoutToken(t *testing.T) {
	var out bytes.Buffer
	e := env{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }}
	if code := run(context.Background(), e, []string{"serve", "--listen", "0.0.0.0:0"}); code != 2 || !strings.Contains(out.String(), "VOC_API_TOKEN") {
		t.Errorf("exit %d: %s", code, out.String())
	}
}
