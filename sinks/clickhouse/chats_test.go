package clickhouse

import (
	"context"
	"reflect"
	"testing"

	"github.com/vocproject/voc/nlp"

	"github.com/vocproject/voc/store/ch"
)

func TestWriteChatRows(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	recs := contactRecords("chat", chatDay0, []contact{
		{Kind: "chat", Day: 0, Customer: "C1", Agent: "A1", Team: "T1", Resolution: nlp.Resolved, Pains: []string{"物流/配送慢"}, Timed: true, CSAT: 4,
			Violations: []nlp.Violation{
				{Turn: 1, Kind: nlp.ViolationMissing, Rule: "结束语"},
				{Turn: 1, Kind: nlp.ViolationForbidden, Rule: "推诿", Phrase: "不归我管", Span: [2]int{5, 9}},
			}, Escalated: true},
		{Kind: "chat", Day: 1, Customer: "C2", Agent: "A2", Resolution: nlp.ResolutionUnknown},
		{Kind: "review", Day: 1, Customer: "C3", Pains: []string{"质量/漏液"}},
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
		violation_rules, kafka_offset FROM `+s.table(ch.TableConversations)+` ORDER BY kafka_offset`)
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
		FROM `+s.table(ch.TableViolations)+` ORDER BY kafka_offset, violation`)
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
	c, err := s.DB().Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Records != 3 || c.Conversations != 2 || c.DistinctConversations != 2 || c.Violations != 2 || c.DistinctViolations != 2 {
		t.Errorf("counts %+v: want 3 records, 2 conversations, 2 violations", c)
	}
}
