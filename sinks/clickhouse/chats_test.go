package clickhouse

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"
)

// contact describes one record of the FCR scenarios: a chat (with a
// conversation) or another kind of feedback.
type contact struct {
	kind       string // chat, call, email, review
	day        float64
	customer   string
	agent      string
	team       string
	resolution string
	pains      []string
	timed      bool // service times present
	csat       int
	violations []nlp.Violation
	escalated  bool
}

var chatDay0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func f64(v float64) *float64 { return &v }

// contactRecords builds the records of cs at offsets 0, 1, … of topic,
// their days counted from day0.
func contactRecords(topic string, day0 time.Time, cs []contact) []*pipeline.Record {
	var out []*pipeline.Record
	for i, c := range cs {
		var as []nlp.Aspect
		for _, p := range c.pains {
			cat, sub, _ := strings.Cut(p, "/")
			as = append(as, nlp.Aspect{Category: cat, Subcategory: sub, Aspect: sub, Opinion: "差", Polarity: nlp.Negative})
		}
		id := fmt.Sprintf("%s-%d", topic, i)
		m := &feedback.Message{ID: id, Kind: c.kind, Channel: c.kind, Product: "SKU-1", CreatedAt: day0.Add(time.Duration(c.day * 24 * float64(time.Hour))),
			Customer: feedback.Customer{ID: c.customer}, AgentID: c.agent, CSAT: c.csat, Text: "x"}
		r := &pipeline.Record{
			Msg:      pipeline.Message{Pos: pipeline.Position{Topic: topic, Offset: int64(i)}},
			ID:       id,
			Feedback: m,
			Analysis: &nlp.Result{Text: "x", Sentiment: nlp.Sentiment{Label: nlp.Neutral}, Aspects: as},
		}
		if c.kind == feedback.KindChat {
			m.Text = ""
			m.Turns = []feedback.Turn{{Role: "customer", Text: "x"}, {Role: "agent", Text: "您好，这个不归我管"}}
			r.Turns = []nlp.TurnResult{{Role: "customer", Result: nlp.Result{Text: "x"}}, {Role: "agent", Result: nlp.Result{Text: "您好,这个不归我管"}}}
			conv := &nlp.Conversation{Team: c.team, Turns: 2, CustomerTurns: 1, AgentTurns: 1, StartTurn: 0, EndTurn: 0,
				Trajectory: nlp.TrajectoryFlat, Resolution: c.resolution, ResolutionReason: "test", CSAT: c.csat,
				EscalationReasons: []string{}, PainPoints: append([]string{}, c.pains...), Violations: c.violations}
			if conv.Violations == nil {
				conv.Violations = []nlp.Violation{}
			}
			if c.escalated {
				conv.Escalated, conv.EscalationRisk, conv.EscalationReasons = true, 0.6, []string{"escalation_language"}
			}
			if c.timed {
				conv.FirstResponseSec, conv.AvgResponseSec, conv.HandleTimeSec = f64(30), f64(40+c.day), f64(300)
			}
			r.Conversation = conv
		}
		out = append(out, r)
	}
	return out
}

func TestWriteChatRows(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	recs := contactRecords("chat", chatDay0, []contact{
		{kind: "chat", day: 0, customer: "C1", agent: "A1", team: "T1", resolution: nlp.Resolved, pains: []string{"物流/配送慢"}, timed: true, csat: 4,
			violations: []nlp.Violation{
				{Turn: 1, Kind: nlp.ViolationMissing, Rule: "结束语"},
				{Turn: 1, Kind: nlp.ViolationForbidden, Rule: "推诿", Phrase: "不归我管", Span: [2]int{5, 9}},
			}, escalated: true},
		{kind: "chat", day: 1, customer: "C2", agent: "A2", resolution: nlp.ResolutionUnknown},
		{kind: "review", day: 1, customer: "C3", pains: []string{"质量/漏液"}},
	})
	// A replay writes nothing twice.
	write(t, s, recs)
	write(t, s, recs)

	type convRow struct {
		ID, Agent, Team, Customer, Resolution, Trajectory string
		CSAT, Escalated                                   uint8
		Risk                                              float32
		Reasons                                           []string
		First, ART, Handle                                float32
		Pains                                             []string
		Violations, Forbidden, Discouraged, Missing       uint16
		Rules                                             []string
		Offset                                            int64
	}
	rows, err := s.conn.Query(ctx, `SELECT id, agent_id, team, customer_id, resolution, trajectory, csat, escalated, escalation_risk,
		escalation_reasons, first_response_s, avg_response_s, handle_time_s, pain_points, violations, forbidden, discouraged, missing,
		violation_rules, kafka_offset FROM `+s.table(tableConversations)+` ORDER BY kafka_offset`)
	if err != nil {
		t.Fatal(err)
	}
	var got []convRow
	for rows.Next() {
		var r convRow
		if err := rows.Scan(&r.ID, &r.Agent, &r.Team, &r.Customer, &r.Resolution, &r.Trajectory, &r.CSAT, &r.Escalated, &r.Risk, &r.Reasons,
			&r.First, &r.ART, &r.Handle, &r.Pains, &r.Violations, &r.Forbidden, &r.Discouraged, &r.Missing, &r.Rules, &r.Offset); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	rows.Close()
	want := []convRow{
		{"chat-0", "A1", "T1", "C1", "resolved", "flat", 4, 1, 0.6, []string{"escalation_language"}, 30, 40, 300,
			[]string{"物流/配送慢"}, 2, 1, 0, 1, []string{"结束语", "推诿"}, 0},
		{"chat-1", "A2", "", "C2", "unknown", "flat", 0, 0, 0, []string{}, Unknown, Unknown, Unknown,
			[]string{}, 0, 0, 0, 0, []string{}, 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("conversations rows:\n got  %+v\n want %+v", got, want)
	}

	type violRow struct {
		ID                 string
		N, Turn            uint16
		Agent, Team        string
		Kind, Rule, Phrase string
		Start, End         uint32
		Text               string
		Offset             int64
	}
	rows, err = s.conn.Query(ctx, `SELECT id, violation, turn, agent_id, team, kind, rule, phrase, span_start, span_end, text, kafka_offset
		FROM `+s.table(tableViolations)+` ORDER BY kafka_offset, violation`)
	if err != nil {
		t.Fatal(err)
	}
	var gotV []violRow
	for rows.Next() {
		var r violRow
		if err := rows.Scan(&r.ID, &r.N, &r.Turn, &r.Agent, &r.Team, &r.Kind, &r.Rule, &r.Phrase, &r.Start, &r.End, &r.Text, &r.Offset); err != nil {
			t.Fatal(err)
		}
		gotV = append(gotV, r)
	}
	rows.Close()
	wantV := []violRow{
		{"chat-0", 0, 1, "A1", "T1", "missing", "结束语", "", 0, 0, "您好,这个不归我管", 0},
		{"chat-0", 1, 1, "A1", "T1", "forbidden", "推诿", "不归我管", 5, 9, "您好,这个不归我管", 0},
	}
	if !reflect.DeepEqual(gotV, wantV) {
		t.Errorf("agent_violations rows:\n got  %+v\n want %+v", gotV, wantV)
	}
	// The span holds the phrase in the stored text.
	for _, v := range gotV {
		if rs := []rune(v.Text); v.Kind == "forbidden" && string(rs[v.Start:v.End]) != v.Phrase {
			t.Errorf("span [%d, %d) of %q is not %q", v.Start, v.End, v.Text, v.Phrase)
		}
	}
	c, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Records != 3 || c.Conversations != 2 || c.DistinctConversations != 2 || c.Violations != 2 || c.DistinctViolations != 2 {
		t.Errorf("counts %+v: want 3 records, 2 conversations, 2 violations", c)
	}
}

// fcrScenario: several customers contacting several agents over a week
// (days from chatDay0). The comments say which chats are resolved at first
// contact (FCR) with the default 7-day window.
var fcrScenario = []contact{
	// Agent A1, team T1.
	{kind: "chat", day: 0, customer: "C1", agent: "A1", team: "T1", resolution: nlp.Resolved, pains: []string{"物流/配送慢"}, timed: true, csat: 5}, // 0: repeat by 1 → not FCR
	{kind: "chat", day: 3, customer: "C1", agent: "A1", team: "T1", resolution: nlp.Resolved, pains: []string{"物流/配送慢"}, timed: true, csat: 3}, // 1: FCR
	{kind: "chat", day: 0, customer: "C2", agent: "A1", team: "T1", resolution: nlp.Resolved, pains: []string{"质量/漏液"}},                        // 2: call on day 10 is outside 7 days → FCR
	{kind: "call", day: 10, customer: "C2", pains: []string{"质量/漏液"}},
	// Agent A2, team T1.
	{kind: "chat", day: 1, customer: "C3", agent: "A2", team: "T1", resolution: nlp.Unresolved, pains: []string{"售后/退款难"}, csat: 1}, // 4: unresolved → not FCR
	{kind: "chat", day: 1, customer: "C4", agent: "A2", team: "T1", resolution: nlp.Resolved, pains: []string{"售后/退款难", "物流/配送慢"}, // 5: email about 退款难 → not FCR
		violations: []nlp.Violation{{Turn: 1, Kind: nlp.ViolationForbidden, Rule: "推诿", Phrase: "不归我管", Span: [2]int{5, 9}}, {Turn: 1, Kind: nlp.ViolationMissing, Rule: "问候"}},
		escalated:  true},
	{kind: "email", day: 2, customer: "C4", pains: []string{"售后/退款难"}},
	{kind: "chat", day: 2, customer: "C5", agent: "A2", team: "T1", resolution: nlp.Resolved, pains: []string{"物流/配送慢"}}, // 7: a review is no contact → FCR
	{kind: "review", day: 3, customer: "C5", pains: []string{"物流/配送慢"}},
	// Agent A3, team T2.
	{kind: "chat", day: 2, customer: "C6", agent: "A3", team: "T2", resolution: nlp.Resolved, pains: []string{"包装/破损"}}, // 9: later chat about another pain → FCR
	{kind: "chat", day: 4, customer: "C6", agent: "A3", team: "T2", resolution: nlp.Resolved, pains: []string{"质量/漏液"}}, // 10: FCR
	{kind: "chat", day: 0, customer: "", agent: "A3", team: "T2", resolution: nlp.Resolved, pains: []string{"物流/配送慢"}},  // 11: no customer id → FCR
	{kind: "chat", day: 1, customer: "", agent: "A3", team: "T2", resolution: nlp.Resolved, pains: []string{"物流/配送慢"}},  // 12: FCR
	{kind: "email", day: 4, customer: "C7", pains: []string{"价格/贵"}},
	{kind: "chat", day: 5, customer: "C7", agent: "A3", team: "T2", resolution: nlp.ResolutionUnknown, pains: []string{"价格/贵"}}, // 14: the email came before → FCR
}

// TestFirstContactResolution writes the scenario and checks the service
// metrics per agent, team and day, for three windows.
func TestFirstContactResolution(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	// Written in two batches, the second replayed, as a consumer would.
	recs := contactRecords("fcr", chatDay0, fcrScenario)
	write(t, s, recs[:7])
	write(t, s, recs[3:])
	from, to := chatDay0.Truncate(24*time.Hour), chatDay0.Truncate(24*time.Hour).Add(7*24*time.Hour)

	type fcr struct {
		key                                 string
		conversations, resolved, unresolved uint64
		repeats, firstContact               uint64
	}
	pick := func(st []ServiceStats) []fcr {
		var out []fcr
		for _, x := range st {
			out = append(out, fcr{x.Key, x.Conversations, x.Resolved, x.Unresolved, x.RepeatContacts, x.FirstContactResolved})
		}
		return out
	}
	tests := []struct {
		name   string
		by     GroupBy
		window time.Duration
		want   []fcr
	}{
		{"agents, default window", ByAgent, 0, []fcr{{"A1", 3, 3, 0, 1, 2}, {"A2", 3, 2, 1, 1, 1}, {"A3", 5, 4, 0, 0, 5}}},
		{"agents, 14 days: the call on day 10 is a repeat", ByAgent, 14 * 24 * time.Hour, []fcr{{"A1", 3, 3, 0, 2, 1}, {"A2", 3, 2, 1, 1, 1}, {"A3", 5, 4, 0, 0, 5}}},
		{"agents, 2 days: day 3 is too late", ByAgent, 2 * 24 * time.Hour, []fcr{{"A1", 3, 3, 0, 0, 3}, {"A2", 3, 2, 1, 1, 1}, {"A3", 5, 4, 0, 0, 5}}},
		{"teams", ByTeam, 0, []fcr{{"T1", 6, 5, 1, 2, 3}, {"T2", 5, 4, 0, 0, 5}}},
		{"days", ByDay, 0, []fcr{{"2026-03-02", 3, 3, 0, 1, 2}, {"2026-03-03", 3, 2, 1, 1, 1}, {"2026-03-04", 2, 2, 0, 0, 2},
			{"2026-03-05", 1, 1, 0, 0, 1}, {"2026-03-06", 1, 1, 0, 0, 1}, {"2026-03-07", 1, 0, 0, 0, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := s.ServiceStats(ctx, tt.by, from, to, tt.window)
			if err != nil {
				t.Fatal(err)
			}
			if got := pick(st); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			for _, x := range st {
				if want := float64(x.FirstContactResolved) / float64(x.Conversations); x.FCR != want {
					t.Errorf("%s: FCR %v, want %v", x.Key, x.FCR, want)
				}
			}
		})
	}

	st, err := s.ServiceStats(ctx, ByAgent, from, to, 0)
	if err != nil {
		t.Fatal(err)
	}
	a1, a2 := st[0], st[1]
	// A1: chats 0 and 1 are timed (ART 40 and 43), chat 2 is not.
	if a1.FirstResponse == nil || *a1.FirstResponse != 30 || a1.ART == nil || math.Abs(*a1.ART-41.5) > 1e-6 || *a1.HandleTime != 300 {
		t.Errorf("A1 service times %v %v %v, want 30, 41.5, 300", a1.FirstResponse, a1.ART, a1.HandleTime)
	}
	if a1.CSATResponses != 2 || a1.AvgCSAT == nil || *a1.AvgCSAT != 4 {
		t.Errorf("A1 csat %d responses, mean %v; want 2, 4", a1.CSATResponses, a1.AvgCSAT)
	}
	// A2: no timestamps at all → absent, not zero.
	if a2.FirstResponse != nil || a2.ART != nil || a2.HandleTime != nil {
		t.Errorf("A2 service times %v %v %v, want absent", a2.FirstResponse, a2.ART, a2.HandleTime)
	}
	if a2.Violations != 2 || a2.Forbidden != 1 || a2.Missing != 1 || a2.Escalations != 1 || a2.CSATResponses != 1 {
		t.Errorf("A2 %+v: want 2 violations (1 forbidden, 1 missing), 1 escalation, 1 csat", a2)
	}
	if _, err := s.ServiceStats(ctx, GroupBy("product; DROP TABLE x"), from, to, 0); err == nil {
		t.Error("unknown grouping accepted")
	}

	pains, err := s.UnresolvedPainPoints(ctx, from, to, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantPains := []UnresolvedPain{
		{Category: "售后", Subcategory: "退款难", Conversations: 2, Unresolved: 1, RepeatContacts: 1, NotFirstContact: 2, UnresolvedShare: 0.5},
		{Category: "物流", Subcategory: "配送慢", Conversations: 6, Unresolved: 0, RepeatContacts: 1, NotFirstContact: 1},
		{Category: "质量", Subcategory: "漏液", Conversations: 2},
		{Category: "价格", Subcategory: "贵", Conversations: 1},
		{Category: "包装", Subcategory: "破损", Conversations: 1},
	}
	if !reflect.DeepEqual(pains, wantPains) {
		t.Errorf("UnresolvedPainPoints:\n got  %+v\n want %+v", pains, wantPains)
	}
	if top, _ := s.UnresolvedPainPoints(ctx, from, to, 0, 1); len(top) != 1 || top[0].Key() != "售后/退款难" {
		t.Errorf("UnresolvedPainPoints limit 1 = %+v", top)
	}

	rules, err := s.ViolationsByRule(ctx, from, to, "")
	if err != nil {
		t.Fatal(err)
	}
	wantRules := []RuleCount{{Kind: "forbidden", Rule: "推诿", Violations: 1, Conversations: 1, Agents: 1}, {Kind: "missing", Rule: "问候", Violations: 1, Conversations: 1, Agents: 1}}
	if !reflect.DeepEqual(rules, wantRules) {
		t.Errorf("ViolationsByRule = %+v, want %+v", rules, wantRules)
	}
	if r, err := s.ViolationsByRule(ctx, from, to, "A1"); err != nil || len(r) != 0 {
		t.Errorf("ViolationsByRule(A1) = %+v, %v; want none", r, err)
	}
}
