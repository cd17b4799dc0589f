package clickhouse

import (
	"context"
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

// openTest opens a sink on the shared server with a database of the test's
// own, migrated.
func openTest(t testing.TB) *Sink {
	t.Helper()
	db := chtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, Config{Addrs: []string{db.Addr}, Database: db.Database}, nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db.Database)
		s.Close(ctx)
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

var (
	baseTime      = time.Date(2026, 3, 2, 10, 15, 0, 0, time.UTC)
	products      = []string{"SKU-1001", "SKU-1002", "SKU-1003"}
	channels      = []string{"app", "web", "hotline"}
	aspectsByKind = []nlp.Aspect{
		{Category: "物流", Subcategory: "配送速度", Aspect: "物流", Opinion: "太慢", Polarity: nlp.Negative, Span: [2]int{0, 4}},
		{Category: "质量", Subcategory: "做工", Aspect: "做工", Opinion: "粗糙", Polarity: nlp.Negative, Span: [2]int{5, 9}},
		{Category: "服务", Subcategory: "客服态度", Aspect: "客服", Opinion: "热情", Polarity: nlp.Positive, Span: [2]int{10, 14}},
		{Category: "物流", Subcategory: "包装", Aspect: "包装", Opinion: "破损", Polarity: nlp.Negative, Span: [2]int{15, 19}},
	}
)

// genRecord builds a deterministic, varied record for position
// (topic, partition, off). Every 7th is a chat with a customer and an agent
// turn; every 5th is from a VIP; aspects vary with the offset.
func genRecord(topic string, partition int, off int64) *pipeline.Record {
	i := int(off) + partition*31
	m := &feedback.Message{
		ID:        fmt.Sprintf("%s-%d-%d", topic, partition, off),
		Channel:   channels[i%len(channels)],
		Product:   products[i%len(products)],
		Rating:    1 + i%5,
		Text:      "物流太慢，做工粗糙，客服热情，包装破损",
		CreatedAt: baseTime.Add(time.Duration(i%48) * time.Hour),
		Customer:  feedback.Customer{ID: fmt.Sprintf("c%d", i%11)},
	}
	if i%5 == 0 {
		m.Customer.Tier = "vip"
	}
	if i%3 == 0 {
		nps := i % 11
		m.NPS = &nps
	}
	var as []nlp.Aspect
	for k := 0; k < i%4; k++ {
		as = append(as, aspectsByKind[(i+k)%len(aspectsByKind)])
	}
	if i%6 == 0 && len(as) > 0 {
		as = append(as, as[0]) // repeated mention of the same pain point
	}
	score := float64(i%9-4) / 4
	label := nlp.Neutral
	switch {
	case score < 0:
		label = nlp.Negative
	case score > 0:
		label = nlp.Positive
	}
	r := &pipeline.Record{
		Msg:            pipeline.Message{Pos: pipeline.Position{Topic: topic, Partition: partition, Offset: off}, Time: baseTime},
		ID:             m.ID,
		Feedback:       m,
		LexiconVersion: "test-1",
		Analysis: &nlp.Result{
			Text:       m.Text,
			Sentiment:  nlp.Sentiment{Score: score, Label: label, Confidence: 0.8},
			Aspects:    as,
			Intent:     []string{nlp.IntentComplaint, nlp.IntentInquiry, nlp.IntentPraise}[i%3],
			Escalation: i%10 == 0,
			PII:        []string{"PHONE"},
		},
	}
	if i%7 == 0 {
		m.Kind = feedback.KindChat
		m.Text = ""
		m.Turns = []feedback.Turn{{Role: "customer", Text: "物流太慢"}, {Role: "agent", Text: "抱歉物流太慢"}}
		r.Turns = []nlp.TurnResult{
			{Role: "customer", Result: nlp.Result{Text: "物流太慢", Aspects: as}},
			{Role: "agent", Result: nlp.Result{Text: "抱歉物流太慢", Aspects: []nlp.Aspect{aspectsByKind[0]}}},
		}
		r.Conversation = genConversation(i)
	}
	return r
}

// genConversation is the conversation of a generated chat: 0 to 2
// violations, service times present or absent with i.
func genConversation(i int) *nlp.Conversation {
	c := &nlp.Conversation{Turns: 2, CustomerTurns: 1, AgentTurns: 1, Trajectory: nlp.TrajectoryFlat,
		Resolution: []string{nlp.Resolved, nlp.Unresolved, nlp.ResolutionUnknown}[i%3], ResolutionReason: "test",
		EscalationReasons: []string{}, PainPoints: []string{"物流/配送速度"}, Violations: []nlp.Violation{}}
	if i%2 == 0 {
		first := float64(i % 60)
		c.FirstResponseSec, c.AvgResponseSec, c.HandleTimeSec = &first, &first, &first
	}
	for k := 0; k < i%3; k++ {
		c.Violations = append(c.Violations, nlp.Violation{Turn: 1, Kind: nlp.ViolationForbidden, Rule: "推诿", Phrase: "物流", Span: [2]int{2, 4}})
	}
	return c
}

// genBatch returns records for offsets [from, to) of each listed partition,
// interleaved across partitions (as a consumer delivers them).
func genBatch(topic string, partitions []int, from, to int64) []*pipeline.Record {
	var out []*pipeline.Record
	for off := from; off < to; off++ {
		for _, p := range partitions {
			out = append(out, genRecord(topic, p, off))
		}
	}
	return out
}

// expected computes, independently of the sink, the totals that a set of
// distinct records must produce.
func expected(recs []*pipeline.Record) Counts {
	var c Counts
	for _, r := range recs {
		a := r.Analysis
		c.Records++
		c.DistinctRecords++
		c.HourlyRecords++
		c.SentimentSum += float64(float32(a.Sentiment.Score))
		c.HourlySentimentSum += float64(float32(a.Sentiment.Score))
		if a.Sentiment.Label == nlp.Negative {
			c.HourlyNegative++
		}
		if a.Sentiment.Label == nlp.Negative || a.Intent == nlp.IntentComplaint {
			c.HourlyComplaints++
		}
		if a.Escalation {
			c.HourlyEscalations++
		}
		var customer []nlp.Aspect
		if len(r.Turns) > 0 {
			for _, t := range r.Turns {
				c.Mentions += uint64(len(t.Aspects))
				if t.Role == "customer" {
					customer = append(customer, t.Aspects...)
				}
			}
		} else {
			c.Mentions += uint64(len(a.Aspects))
			customer = a.Aspects
		}
		c.DistinctMentions = c.Mentions
		c.CustomerMentions += uint64(len(customer))
		c.PainMentions += uint64(len(customer))
		kinds := map[string]bool{}
		for _, as := range customer {
			kinds[as.Category+"/"+as.Subcategory+"/"+as.Polarity] = true
		}
		c.PainRecords += uint64(len(kinds))
		c.PainSentimentSum += float64(len(kinds)) * float64(float32(a.Sentiment.Score))
		if r.Conversation != nil {
			c.Conversations++
			c.DistinctConversations++
			c.Violations += uint64(len(r.Conversation.Violations))
			c.DistinctViolations += uint64(len(r.Conversation.Violations))
		}
	}
	return c
}

func checkCounts(t *testing.T, s *Sink, want Counts) {
	t.Helper()
	got, err := s.Counts(context.Background())
	if err != nil {
		t.Fatalf("counts: %v", err)
	}
	floats := []struct {
		name      string
		got, want float64
	}{
		{"SentimentSum", got.SentimentSum, want.SentimentSum},
		{"HourlySentimentSum", got.HourlySentimentSum, want.HourlySentimentSum},
		{"PainSentimentSum", got.PainSentimentSum, want.PainSentimentSum},
	}
	for _, f := range floats {
		if math.Abs(f.got-f.want) > 1e-6 {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
	got.SentimentSum, got.HourlySentimentSum, got.PainSentimentSum = 0, 0, 0
	want.SentimentSum, want.HourlySentimentSum, want.PainSentimentSum = 0, 0, 0
	if got != want {
		t.Errorf("counts:\n got  %+v\n want %+v", got, want)
	}
}
