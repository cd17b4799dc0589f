package query

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"
)

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
