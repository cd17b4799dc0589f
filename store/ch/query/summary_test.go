package query

import (
	"context"
	"flag"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// mk builds a record with the given pain points (negative) at time at.
type spec struct {
	at       time.Time
	product  string
	channel  string
	tier     string
	score    float64
	intent   string
	pains    []string // "category/subcategory"
	escalate bool
	// more aspect rows that are not pain points: topic mentions, open
	// opinions about aspects outside the taxonomy.
	more []nlp.Aspect
}

func writeSpecs(t *testing.T, s *testDB, specs []spec) {
	t.Helper()
	var batch []*pipeline.Record
	for i, sp := range specs {
		var as []nlp.Aspect
		for _, p := range sp.pains {
			cat, sub, _ := strings.Cut(p, "/")
			as = append(as, nlp.Aspect{Category: cat, Subcategory: sub, Aspect: sub, Opinion: "差", Polarity: nlp.Negative})
		}
		as = append(as, sp.more...)
		label := nlp.Neutral
		if sp.score < 0 {
			label = nlp.Negative
		} else if sp.score > 0 {
			label = nlp.Positive
		}
		batch = append(batch, &pipeline.Record{
			Msg:      pipeline.Message{Pos: pipeline.Position{Topic: "q", Offset: int64(i)}},
			ID:       fmt.Sprint(i),
			Feedback: &feedback.Message{ID: fmt.Sprint(i), Product: sp.product, Channel: sp.channel, CreatedAt: sp.at, Customer: feedback.Customer{Tier: sp.tier}, Text: "x"},
			Analysis: &nlp.Result{Text: "x", Sentiment: nlp.Sentiment{Score: sp.score, Label: label}, Aspects: as, Intent: sp.intent, Escalation: sp.escalate},
		})
	}
	write(t, s, batch)
}

func repeat(n int, sp spec) []spec {
	out := make([]spec, n)
	for i := range out {
		out[i] = sp
	}
	return out
}

func TestQueries(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2026, 3, 1+d, 12, 0, 0, 0, time.UTC) }
	var specs []spec
	// Last week (days 0-6): 物流/配送速度 twice a day on SKU-A.
	for d := 0; d < 7; d++ {
		specs = append(specs, repeat(2, spec{at: day(d), product: "SKU-A", channel: "app", score: -0.5, pains: []string{"物流/配送速度"}})...)
	}
	// This week (days 7-13): 物流/配送速度 once a day, 质量/屏幕 rising with a
	// spike of 12 on day 10 on SKU-B.
	for d := 7; d < 14; d++ {
		specs = append(specs, spec{at: day(d), product: "SKU-A", channel: "web", score: -1, pains: []string{"物流/配送速度"}})
		n := 1
		if d == 10 {
			n = 12
		}
		// Each also complains twice about an aspect the taxonomy does not
		// know and names 物流: a spike of open opinions and of mentions
		// on day 10 that no pain point query may count.
		specs = append(specs, repeat(n, spec{at: day(d), product: "SKU-B", channel: "app", tier: "vip", score: -0.5, intent: nlp.IntentComplaint,
			pains: []string{"质量/屏幕"}, escalate: d == 10, more: []nlp.Aspect{
				{Aspect: "指纹识别", Opinion: "很慢", Polarity: nlp.Negative}, {Aspect: "指纹识别", Opinion: "不灵", Polarity: nlp.Negative},
				{Category: "物流", Aspect: "快递", Polarity: nlp.Neutral}}})...)
	}
	// Neutral normal-tier records.
	specs = append(specs, repeat(4, spec{at: day(8), product: "SKU-A", channel: "web", score: 0.5})...)
	writeSpecs(t, s, specs)

	thisWeek, nextWeek := day(7).Truncate(24*time.Hour), day(14).Truncate(24*time.Hour)

	top, err := s.TopPainPoints(ctx, thisWeek, nextWeek, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantTop := []PainCount{
		{Category: "质量", Subcategory: "屏幕", Mentions: 18, Records: 18, AvgSentiment: -0.5},
		{Category: "物流", Subcategory: "配送速度", Mentions: 7, Records: 7, AvgSentiment: -1},
	}
	if !reflect.DeepEqual(top, wantTop) {
		t.Errorf("TopPainPoints = %+v, want %+v", top, wantTop)
	}
	if top1, _ := s.TopPainPoints(ctx, thisWeek, nextWeek, 1); len(top1) != 1 {
		t.Errorf("TopPainPoints limit 1 gave %d rows", len(top1))
	}

	rising, err := s.RisingPainPoints(ctx, thisWeek, nextWeek, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantRising := []PainTrend{{Category: "质量", Subcategory: "屏幕", Current: 18, Previous: 0, Growth: 19}}
	if !reflect.DeepEqual(rising, wantRising) {
		t.Errorf("RisingPainPoints = %+v, want %+v", rising, wantRising)
	}

	byChan, err := s.SentimentByChannel(ctx, thisWeek, nextWeek)
	if err != nil {
		t.Fatal(err)
	}
	wantChan := []ChannelSentiment{
		{Channel: "app", Records: 18, Negative: 18, Escalations: 12, AvgSentiment: -0.5, NegativeShare: 1},
		{Channel: "web", Records: 11, Negative: 7, Escalations: 0, AvgSentiment: (-7 + 2) / 11.0, NegativeShare: 7 / 11.0},
	}
	if len(byChan) != 2 || byChan[0] != wantChan[0] || byChan[1].Records != 11 || byChan[1].Negative != 7 ||
		abs(byChan[1].AvgSentiment-wantChan[1].AvgSentiment) > 1e-9 {
		t.Errorf("SentimentByChannel = %+v, want %+v", byChan, wantChan)
	}

	ofA, err := s.PainPointsOfProduct(ctx, "SKU-A", day(0), nextWeek)
	if err != nil {
		t.Fatal(err)
	}
	if len(ofA) != 1 || ofA[0].Key() != "物流/配送速度" || ofA[0].Mentions != 21 {
		t.Errorf("PainPointsOfProduct(SKU-A) = %+v, want 物流/配送速度 x21", ofA)
	}

	share, err := s.VIPComplaintShare(ctx, thisWeek, nextWeek)
	if err != nil {
		t.Fatal(err)
	}
	wantShare := ComplaintShare{Complaints: 25, VIPComplaints: 18, Records: 29, VIPRecords: 18, Share: 18 / 25.0, VIPRecordShare: 18 / 29.0}
	if share != wantShare {
		t.Errorf("VIPComplaintShare = %+v, want %+v", share, wantShare)
	}

	spikes, err := s.Spikes(ctx, day(0), nextWeek)
	if err != nil {
		t.Fatal(err)
	}
	if len(spikes) != 1 || spikes[0].Category != "质量" || spikes[0].Subcategory != "屏幕" || spikes[0].Product != "SKU-B" || !spikes[0].Day.Equal(day(10).Truncate(24*time.Hour)) || spikes[0].Count != 12 {
		t.Errorf("Spikes = %+v, want one on 质量/屏幕 SKU-B day %s with 12", spikes, day(10).Format(time.DateOnly))
	}
	if _, err := s.Spikes(ctx, nextWeek, thisWeek); err == nil {
		t.Error("Spikes with an empty range succeeded")
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// splitSQL splits a file of statements, each ending with ";" at the end of
// a line, dropping comment lines.
func splitSQL(src string) []string {
	var out []string
	var cur []string
	for _, line := range strings.Split(src, "\n") {
		trim := strings.TrimSpace(line)
		if trim == "" || strings.HasPrefix(trim, "--") {
			continue
		}
		cur = append(cur, line)
		if strings.HasSuffix(trim, ";") {
			stmt := strings.TrimSuffix(strings.TrimSpace(strings.Join(cur, "\n")), ";")
			out = append(out, stmt)
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, "\n"))
	}
	return out
}

func TestExamplesSQLRun(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	// Data around now so the relative ranges find rows.
	var specs []spec
	now := time.Now().UTC()
	for d := 0; d < 14; d++ {
		specs = append(specs, spec{at: now.Add(-time.Duration(d) * 24 * time.Hour), product: "SKU-1001", channel: "app", tier: []string{"vip", "normal"}[d%2],
			score: -0.5, intent: nlp.IntentComplaint, pains: []string{"物流/配送速度", "质量/屏幕"}, escalate: d%3 == 0,
			more: []nlp.Aspect{{Aspect: "指纹识别", Opinion: "很慢", Polarity: nlp.Negative}, {Category: "服务", Aspect: "客服", Polarity: nlp.Neutral}}})
	}
	writeSpecs(t, s, specs)
	write(t, s, []*pipeline.Record{func() *pipeline.Record {
		r := genRecord("chat", 0, 7) // a chat, with an agent turn
		r.Feedback.CreatedAt = now
		return r
	}()})
	// Chats with conversations, repeat contacts and violations over the
	// last week.
	write(t, s, contactRecords("contacts", now.Add(-6*24*time.Hour), fcrScenario))

	stmts := splitSQL(ExamplesSQL)
	if len(stmts) < 5 {
		t.Fatalf("examples.sql has %d statements, want at least 5", len(stmts))
	}
	for i, q := range stmts {
		t.Run(fmt.Sprintf("stmt%d", i+1), func(t *testing.T) {
			if !strings.Contains(q, "voc.") {
				t.Fatalf("statement does not use database voc:\n%s", q)
			}
			q = strings.ReplaceAll(q, "voc.", s.cfg.Database+".")
			rows, err := s.conn.Query(ctx, q)
			if err != nil {
				t.Fatalf("%v\n%s", err, q)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				n++
			}
			if err := rows.Err(); err != nil {
				t.Fatalf("%v\n%s", err, q)
			}
			if n == 0 {
				t.Errorf("no rows from:\n%s", q)
			}
			// Pain point and topic lists never show an empty category
			// (the open opinions above have one).
			if strings.HasPrefix(q, "SELECT\n    category,") {
				var empty uint64
				if err := s.conn.QueryRow(ctx, "SELECT count() FROM ("+q+") WHERE category = ''").Scan(&empty); err != nil || empty > 0 {
					t.Errorf("%d rows with an empty category (%v) from:\n%s", empty, err, q)
				}
			}
		})
	}

	// The FCR example agrees with ServiceStats on the same chats.
	i := slices.IndexFunc(stmts, func(q string) bool { return strings.Contains(q, "AS fcr") })
	if i < 0 {
		t.Fatal("no FCR example")
	}
	rows, err := s.conn.Query(ctx, strings.ReplaceAll(stmts[i], "voc.", s.cfg.Database+"."))
	if err != nil {
		t.Fatal(err)
	}
	type tally struct{ chats, repeats uint64 }
	fromSQL := map[string]tally{}
	for rows.Next() {
		var team string
		var week time.Time
		var chats, repeats uint64
		var fcr float64
		if err := rows.Scan(&team, &week, &chats, &repeats, &fcr); err != nil {
			t.Fatal(err)
		}
		x := fromSQL[team]
		fromSQL[team] = tally{x.chats + chats, x.repeats + repeats}
	}
	rows.Close()
	st, err := s.ServiceStats(ctx, ByTeam, now.Add(-90*24*time.Hour), now.Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	fromGo := map[string]tally{}
	for _, x := range st {
		fromGo[x.Key] = tally{x.Conversations, x.RepeatContacts}
	}
	if !reflect.DeepEqual(fromSQL, fromGo) || fromGo["T1"].repeats != 2 {
		t.Errorf("FCR example per team %+v, ServiceStats %+v (want 2 repeat contacts in T1)", fromSQL, fromGo)
	}
}
