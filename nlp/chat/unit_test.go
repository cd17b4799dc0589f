package chat_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/chat"
)

// These tests feed hand-made turn results, so that they test the
// conversation logic alone, whatever the analyzer's lexicons say.

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// tr builds a turn: role c(ustomer) or a(gent), text, seconds after t0
// (negative: no timestamp), and for customer turns a score and intent.
func tr(role byte, text string, sec int, score float64, intent string) chat.Turn {
	t := chat.Turn{TurnResult: nlp.TurnResult{Role: "agent", Result: nlp.Result{Text: text, Intent: intent}}}
	if role == 'c' {
		t.Role = "customer"
	}
	t.Sentiment = nlp.Sentiment{Score: score, Label: nlp.Neutral}
	switch {
	case score <= -0.2:
		t.Sentiment.Label = nlp.Negative
	case score >= 0.2:
		t.Sentiment.Label = nlp.Positive
	}
	if sec >= 0 {
		t.At = t0.Add(time.Duration(sec) * time.Second)
	}
	return t
}

func testLexicon() *lexicons.Compliance {
	return &lexicons.Compliance{
		Rules: []lexicons.ComplianceRule{
			{Kind: lexicons.RuleForbidden, Team: "*", Name: "推诿", Terms: []string{"没办法", "我也没办法", "不归我管"}},
			{Kind: lexicons.RuleDiscouraged, Team: "*", Name: "不礼貌", Terms: []string{"你自己看", "ＯＫ吧"}},
			{Kind: lexicons.RuleForbidden, Team: "presale", Name: "承诺", Terms: []string{"永远不会坏"}},
			{Kind: lexicons.RuleRequired, Team: "*", Name: "问候", Terms: []string{"您好"}, When: lexicons.WhenStart, Within: 1},
			{Kind: lexicons.RuleRequired, Team: "*", Name: "致歉", Terms: []string{"抱歉"}, When: lexicons.WhenComplaint, Within: 2},
			{Kind: lexicons.RuleRequired, Team: "*", Name: "结束语", Terms: []string{"再见"}, When: lexicons.WhenEnd, Within: 1},
			{Kind: lexicons.RuleRequired, Team: "vip", Name: "结束语", Terms: []string{"祝您"}, When: lexicons.WhenEnd, Within: 1},
		},
		Cues: []lexicons.ChatCue{
			{Kind: lexicons.CueResolved, Role: "customer", Name: "确认", Terms: []string{"好的", "谢谢"}},
			{Kind: lexicons.CueUnresolved, Role: "customer", Name: "未解决", Terms: []string{"没解决", "算了"}},
			{Kind: lexicons.CueTransfer, Role: "agent", Name: "转接", Terms: []string{"转接"}},
			{Kind: lexicons.CueTransfer, Role: "customer", Name: "转人工", Terms: []string{"转人工"}},
			{Kind: lexicons.CueDemand, Role: "customer", Name: "退款", Terms: []string{"退款", "退钱"}},
		},
	}
}

func secs(p *float64) string {
	if p == nil {
		return "absent"
	}
	return fmt.Sprint(*p)
}

func TestTiming(t *testing.T) {
	a := chat.New(nil)
	tests := []struct {
		name               string
		turns              []chat.Turn
		first, avg, handle string
	}{
		{"alternating", []chat.Turn{tr('c', "在吗", 0, 0, ""), tr('a', "您好", 10, 0, ""), tr('c', "发货了吗", 40, 0, ""), tr('a', "发了", 70, 0, "")},
			"10", "20", "70"},
		{"customer block answered from its first message", []chat.Turn{tr('a', "您好", 0, 0, ""), tr('c', "人呢", 100, 0, ""), tr('c', "有人吗", 160, 0, ""), tr('a', "在的", 200, 0, ""), tr('a', "请讲", 210, 0, "")},
			"100", "100", "210"},
		{"no timestamps", []chat.Turn{tr('c', "在吗", -1, 0, ""), tr('a', "您好", -1, 0, "")}, "absent", "absent", "absent"},
		{"first pair untimed", []chat.Turn{tr('c', "在吗", -1, 0, ""), tr('a', "您好", 5, 0, ""), tr('c', "发货了吗", 10, 0, ""), tr('a', "发了", 40, 0, "")},
			"absent", "30", "absent"},
		{"last turn untimed", []chat.Turn{tr('c', "在吗", 0, 0, ""), tr('a', "您好", 5, 0, ""), tr('c', "好的", -1, 0, "")}, "5", "5", "absent"},
		{"clock going back", []chat.Turn{tr('c', "在吗", 50, 0, ""), tr('a', "您好", 20, 0, "")}, "absent", "absent", "absent"},
		{"zero response time is a time", []chat.Turn{tr('c', "在吗", 0, 0, ""), tr('a', "您好", 0, 0, "")}, "0", "0", "0"},
		{"single turn", []chat.Turn{tr('c', "在吗", 0, 0, "")}, "absent", "absent", "absent"},
		{"agent only", []chat.Turn{tr('a', "您好", 0, 0, ""), tr('a', "在吗", 30, 0, "")}, "absent", "absent", "30"},
		{"no turns", nil, "absent", "absent", "absent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := a.Analyze(tt.turns, chat.Options{})
			if got := [3]string{secs(c.FirstResponseSec), secs(c.AvgResponseSec), secs(c.HandleTimeSec)}; got != [3]string{tt.first, tt.avg, tt.handle} {
				t.Errorf("first, avg, handle = %v, want %v", got, [3]string{tt.first, tt.avg, tt.handle})
			}
		})
	}
}

func TestViolations(t *testing.T) {
	a := chat.New(testLexicon())
	tests := []struct {
		name  string
		team  string
		turns []chat.Turn
		want  []nlp.Violation
	}{
		{"longest phrase, rune spans after an emoji", "", []chat.Turn{
			tr('a', "您好", 0, 0, ""), tr('c', "在吗", 1, 0, ""),
			tr('a', "😀这个不归我管，我也没办法，再见", 2, 0, ""),
		}, []nlp.Violation{
			{Turn: 2, Kind: "forbidden", Rule: "推诿", Phrase: "不归我管", Span: [2]int{3, 7}},
			{Turn: 2, Kind: "forbidden", Rule: "推诿", Phrase: "我也没办法", Span: [2]int{8, 13}},
		}},
		{"terms are normalized like the text", "", []chat.Turn{
			tr('a', "您好，ok吧，再见", 0, 0, ""),
		}, []nlp.Violation{{Turn: 0, Kind: "discouraged", Rule: "不礼貌", Phrase: "ok吧", Span: [2]int{3, 6}}}},
		{"missing greeting, apology and closing", "", []chat.Turn{
			tr('c', "东西坏了", 0, -0.8, nlp.IntentComplaint), tr('a', "在的", 1, 0, ""), tr('a', "请寄回", 2, 0, ""), tr('a', "我们收到后处理", 3, 0, ""),
		}, []nlp.Violation{
			{Turn: 1, Kind: "missing", Rule: "致歉"}, {Turn: 1, Kind: "missing", Rule: "问候"}, {Turn: 3, Kind: "missing", Rule: "结束语"},
		}},
		{"apology within two agent turns after the complaint", "", []chat.Turn{
			tr('a', "您好", 0, 0, ""), tr('c', "请问发货了吗", 1, 0, nlp.IntentInquiry), tr('a', "发了", 2, 0, ""),
			tr('c', "太慢了", 3, -0.7, nlp.IntentComplaint), tr('a', "我看看", 4, 0, ""), tr('a', "抱歉，再见", 5, 0, ""),
		}, nil},
		{"complaint at the end with no agent turn after it needs no apology", "", []chat.Turn{
			tr('a', "您好，再见", 0, 0, ""), tr('c', "太慢了", 1, -0.7, nlp.IntentComplaint),
		}, nil},
		{"team rules add to the rules for all teams", "presale", []chat.Turn{
			tr('a', "您好，这个永远不会坏，再见", 0, 0, ""),
		}, []nlp.Violation{{Turn: 0, Kind: "forbidden", Rule: "承诺", Phrase: "永远不会坏", Span: [2]int{5, 10}}}},
		{"other teams' rules do not apply", "", []chat.Turn{
			tr('a', "您好，这个永远不会坏，再见", 0, 0, ""),
		}, nil},
		{"a team's required terms join the rule of the same name", "vip", []chat.Turn{
			tr('a', "您好", 0, 0, ""), tr('a', "祝您愉快", 1, 0, ""),
		}, nil},
		{"customer turns are never checked", "", []chat.Turn{
			tr('a', "您好，再见", 0, 0, ""), tr('c', "你自己看吧，我也没办法", 1, 0, ""),
		}, nil},
		{"no agent turn: nothing required", "", []chat.Turn{tr('c', "在吗", 0, 0, "")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := a.Analyze(tt.turns, chat.Options{Team: tt.team})
			want := tt.want
			if want == nil {
				want = []nlp.Violation{}
			}
			if !reflect.DeepEqual(c.Violations, want) {
				t.Errorf("violations\n got  %+v\n want %+v", c.Violations, want)
			}
		})
	}
}

func TestResolution(t *testing.T) {
	a := chat.New(testLexicon())
	esc := tr('c', "我要打12315", 5, -0.9, nlp.IntentComplaint)
	esc.Escalation = true
	tests := []struct {
		name         string
		turns        []chat.Turn
		res, reason  string
		transfers    int
		repeatDemand int
	}{
		{"thanks", []chat.Turn{tr('c', "坏了", 0, -0.8, nlp.IntentComplaint), tr('a', "抱歉，换新", 1, 0, ""), tr('c', "好的谢谢", 2, -0.3, "")},
			nlp.Resolved, chat.ResolutionConfirmed, 0, 0},
		{"negated confirmation", []chat.Turn{tr('c', "在吗", 0, 0, ""), tr('a', "您好", 1, 0, ""), tr('c', "体验不好的", 2, -0.3, "")},
			nlp.ResolutionUnknown, chat.ResolutionUnclear, 0, 0},
		{"unresolved cue beats thanks", []chat.Turn{tr('c', "坏了", 0, -0.8, ""), tr('a', "抱歉", 1, 0, ""), tr('c', "谢谢，但还是没解决", 2, -0.1, "")},
			nlp.Unresolved, chat.ResolutionUnresolvedCue, 0, 0},
		{"escalation", []chat.Turn{tr('c', "坏了", 0, -0.8, ""), tr('a', "抱歉", 1, 0, ""), esc},
			nlp.Unresolved, chat.ResolutionEscalation, 0, 0},
		{"handed over after the last customer turn", []chat.Turn{tr('c', "我要退款", 0, -0.5, nlp.IntentAfterSales), tr('a', "帮您转接专员", 1, 0, "")},
			nlp.Unresolved, chat.ResolutionTransferred, 1, 0},
		{"complaint at the end", []chat.Turn{tr('c', "在吗", 0, 0, ""), tr('a', "您好", 1, 0, ""), tr('c', "好的，太慢了", 2, -0.7, nlp.IntentComplaint)},
			nlp.Unresolved, chat.ResolutionNegativeEnd, 0, 0},
		{"question left unanswered", []chat.Turn{tr('a', "您好", 0, 0, ""), tr('c', "发货了吗？", 1, 0, "")},
			nlp.Unresolved, chat.ResolutionUnanswered, 0, 0},
		{"question answered, no reaction", []chat.Turn{tr('c', "发货了吗？", 0, 0, ""), tr('a', "发了", 1, 0, "")},
			nlp.ResolutionUnknown, chat.ResolutionUnclear, 0, 0},
		{"agent only", []chat.Turn{tr('a', "您好", 0, 0, "")},
			nlp.ResolutionUnknown, chat.ResolutionNoCustomer, 0, 0},
		{"repeated demands and a transfer request", []chat.Turn{
			tr('c', "我要退款", 0, -0.5, ""), tr('a', "您好", 1, 0, ""), tr('c', "快退钱，转人工", 2, -0.6, ""), tr('a', "稍等", 3, 0, ""),
			tr('c', "退款退款", 4, -0.7, ""), tr('a', "已退，再见", 5, 0, ""), tr('c', "好的", 6, 0, ""),
		}, nlp.Resolved, chat.ResolutionConfirmed, 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := a.Analyze(tt.turns, chat.Options{})
			if c.Resolution != tt.res || c.ResolutionReason != tt.reason {
				t.Errorf("resolution %s (%s), want %s (%s)", c.Resolution, c.ResolutionReason, tt.res, tt.reason)
			}
			if c.Transfers != tt.transfers || c.RepeatedDemands != tt.repeatDemand {
				t.Errorf("transfers %d, repeated demands %d; want %d, %d", c.Transfers, c.RepeatedDemands, tt.transfers, tt.repeatDemand)
			}
		})
	}
}

func TestTrajectoryAndRisk(t *testing.T) {
	a := chat.New(testLexicon())
	tests := []struct {
		name       string
		turns      []chat.Turn
		trajectory string
		start, end int
		reasons    []string
	}{
		{"bare questions do not start the conversation", []chat.Turn{
			tr('c', "在吗？", 0, -0.53, nlp.IntentInquiry), tr('a', "您好", 1, 0, ""), tr('c', "杯子漏水", 2, -0.8, nlp.IntentComplaint),
			tr('a', "抱歉", 3, 0, ""), tr('c', "好的谢谢", 4, 0.6, ""),
		}, nlp.TrajectoryImproved, 2, 4, []string{chat.ReasonComplaint}},
		{"a confirmation the model reads as negative is neutral", []chat.Turn{
			tr('c', "东西坏了", 0, -0.8, nlp.IntentComplaint), tr('a', "抱歉", 1, 0, ""), tr('c', "好的，麻烦了", 2, -0.88, ""),
		}, nlp.TrajectoryImproved, 0, 2, []string{chat.ReasonComplaint}},
		{"worsened", []chat.Turn{
			tr('c', "东西挺好", 0, 0.6, ""), tr('a', "您好", 1, 0, ""), tr('c', "太失望了", 2, -0.9, ""),
		}, nlp.TrajectoryWorsened, 0, 2, []string{chat.ReasonRisingNegativity, chat.ReasonUnresolvedEnd}},
		{"more intense complaint at a similar score is rising negativity", []chat.Turn{
			tr('c', "我要退款", 0, -0.8, ""), tr('a', "您好", 1, 0, ""), tr('c', "怎么还没退款", 2, -0.85, nlp.IntentComplaint),
		}, nlp.TrajectoryFlat, 0, 2, []string{chat.ReasonRepeatedDemands, chat.ReasonRisingNegativity, chat.ReasonComplaint, chat.ReasonUnresolvedEnd}},
		{"no customer text", []chat.Turn{tr('a', "您好", 0, 0, ""), tr('c', " ", 1, 0, "")}, nlp.TrajectoryUnknown, -1, -1, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := a.Analyze(tt.turns, chat.Options{})
			if c.Trajectory != tt.trajectory || c.StartTurn != tt.start || c.EndTurn != tt.end {
				t.Errorf("trajectory %s from %d to %d, want %s from %d to %d", c.Trajectory, c.StartTurn, c.EndTurn, tt.trajectory, tt.start, tt.end)
			}
			if !reflect.DeepEqual(c.EscalationReasons, tt.reasons) {
				t.Errorf("reasons %v, want %v", c.EscalationReasons, tt.reasons)
			}
		})
	}
}

func TestPainPointsAndCSAT(t *testing.T) {
	a := chat.New(nil)
	turn := tr('c', "快递慢，包装破", 0, -0.8, "")
	turn.Aspects = []nlp.Aspect{{Category: "物流", Subcategory: "配送慢", Polarity: nlp.Negative}, {Category: "包装", Subcategory: "破损", Polarity: nlp.Negative},
		{Category: "物流", Subcategory: "配送慢", Polarity: nlp.Negative}, {Category: "服务", Subcategory: "态度好", Polarity: nlp.Positive}}
	agent := tr('a', "抱歉", 1, 0, "")
	agent.Aspects = []nlp.Aspect{{Category: "质量", Subcategory: "故障", Polarity: nlp.Negative}} // agents' words are no pain point
	c := a.Analyze([]chat.Turn{turn, agent}, chat.Options{CSAT: 2})
	if want := []string{"包装/破损", "物流/配送慢"}; !reflect.DeepEqual(c.PainPoints, want) || c.CSAT != 2 {
		t.Errorf("pain points %v csat %d, want %v 2", c.PainPoints, c.CSAT, want)
	}
	overall := &nlp.Result{Aspects: []nlp.Aspect{{Category: "物流", Subcategory: "配送慢", Polarity: nlp.Negative}, {Category: "价格", Subcategory: "贵", Polarity: nlp.Negative}}}
	c = a.Analyze([]chat.Turn{turn, agent}, chat.Options{CSAT: 9, Overall: overall})
	if want := []string{"价格/贵", "物流/配送慢"}; !reflect.DeepEqual(c.PainPoints, want) || c.CSAT != 0 {
		t.Errorf("with overall: pain points %v csat %d, want %v and no csat (9 is out of range)", c.PainPoints, c.CSAT, want)
	}
}

// TestConcurrent runs one Analyzer from several goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	a := chat.New(testLexicon())
	turns := []chat.Turn{tr('c', "我要退款", 0, -0.5, ""), tr('a', "我也没办法", 10, 0, ""), tr('c', "退款", 20, -0.6, ""), tr('a', "转接", 30, 0, "")}
	want := a.Analyze(turns, chat.Options{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if got := a.Analyze(turns, chat.Options{}); !reflect.DeepEqual(got, want) {
					t.Errorf("concurrent result differs: %+v", got)
					return
				}
			}
		}()
	}
	wg.Wait()
}
