package enrich_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/chat"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/pipeline/enrich"
)

func chatAnalyzer(t *testing.T) *chat.Analyzer {
	t.Helper()
	set, err := lexicons.Load(lexicons.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	return chat.New(set.Compliance)
}

const vipChat = `{"id":"c9","kind":"chat","agent_id":"A7","team":"vip","csat":2,"customer":{"id":"C1"},"turns":[
	{"role":"customer","text":"我要退款，快递三天了还没到","at":"2026-03-02T10:00:00+08:00"},
	{"role":"agent","text":"亲，这个不归我管","at":"2026-03-02T10:01:30+08:00"},
	{"role":"customer","text":"再不退款我就打12315","at":"2026-03-02T10:02:00+08:00"},
	{"role":"agent","text":"帮您转接专员处理","at":"2026-03-02T10:03:00+08:00"}]}`

func TestChatConversation(t *testing.T) {
	s := enrich.New(enrich.WithChat(realAnalyzer(t), chatAnalyzer(t)), 0)
	rec := process(t, s, vipChat, pipeline.Position{Topic: "chats", Offset: 5})
	if rec.Err != nil {
		t.Fatal(rec.Err)
	}
	c := rec.Conversation
	if c == nil {
		t.Fatal("chat without a conversation")
	}
	if c.Team != "vip" || c.CSAT != 2 || c.Turns != 4 {
		t.Errorf("team %q csat %d turns %d, want vip 2 4", c.Team, c.CSAT, c.Turns)
	}
	if c.FirstResponseSec == nil || *c.FirstResponseSec != 90 || c.HandleTimeSec == nil || *c.HandleTimeSec != 180 {
		t.Errorf("first response %v, handle time %v; want 90 s and 180 s", c.FirstResponseSec, c.HandleTimeSec)
	}
	if c.Resolution != nlp.Unresolved || !c.Escalated || c.Transfers != 1 || c.RepeatedDemands != 1 {
		t.Errorf("resolution %s escalated %v transfers %d repeated demands %d; want unresolved, escalated, 1, 1",
			c.Resolution, c.Escalated, c.Transfers, c.RepeatedDemands)
	}
	rules := map[string]bool{}
	for _, v := range c.Violations {
		rules[v.Kind+"/"+v.Rule] = true
	}
	// 推诿 for every team; 尊称 only for the vip team ("亲" greets but is no honorific).
	for _, want := range []string{"forbidden/推诿", "missing/尊称", "missing/致歉"} {
		if !rules[want] {
			t.Errorf("violations %+v lack %s", c.Violations, want)
		}
	}
	if !slices.Contains(c.PainPoints, "物流/配送慢") {
		t.Errorf("pain points %v lack 物流/配送慢", c.PainPoints)
	}

	// Reviews get no conversation, and neither do chats when the stage has
	// no chat analyzer.
	rec = process(t, s, `{"id":"r1","text":"快递太慢了"}`, pipeline.Position{})
	if rec.Err != nil || rec.Conversation != nil {
		t.Errorf("review: err %v, conversation %+v", rec.Err, rec.Conversation)
	}
	rec = process(t, enrich.New(realAnalyzer(t), 0), vipChat, pipeline.Position{})
	if rec.Err != nil || rec.Conversation != nil || len(rec.Turns) != 4 {
		t.Errorf("without chat analyzer: err %v, conversation %+v, %d turns", rec.Err, rec.Conversation, len(rec.Turns))
	}
	if enrich.WithChat(realAnalyzer(t), nil) != enrich.Analyzer(realAnalyzer(t)) {
		t.Error("WithChat with a nil chat analyzer wraps")
	}
}

// TestBadChatIsDeadLettered: chats that cannot be analysed go to the dead
// letters with the reason (and field) named, carrying no analysis.
func TestBadChatIsDeadLettered(t *testing.T) {
	s := enrich.New(enrich.WithChat(realAnalyzer(t), chatAnalyzer(t)), 0)
	tests := []struct {
		name, value, reason, field string
	}{
		{"unknown role", `{"id":"b1","turns":[{"role":"customer","text":"在吗"},{"role":"bot","text":"您好"}]}`, feedback.ReasonBadField, "turns[1].role"},
		{"turns not a list", `{"id":"b2","turns":"在吗"}`, feedback.ReasonBadField, "turns"},
		{"turn text not a string", `{"id":"b3","turns":[{"role":"customer","text":5}]}`, feedback.ReasonBadField, "turns.text"},
		{"no turn with text", `{"id":"b4","turns":[{"role":"customer","text":"  "},{"role":"agent","text":""}]}`, feedback.ReasonNoText, "text"},
		{"empty turns", `{"id":"b5","kind":"chat","turns":[]}`, feedback.ReasonNoText, "text"},
		{"csat out of range", `{"id":"b6","csat":9,"turns":[{"role":"customer","text":"在吗"}]}`, feedback.ReasonBadField, "csat"},
		{"timestamp not RFC 3339", `{"id":"b7","turns":[{"role":"customer","text":"在吗","at":"yesterday"}]}`, feedback.ReasonBadJSON, ""},
		{"truncated", `{"id":"b8","turns":[{"role":"customer","text":"在吗"}`, feedback.ReasonBadJSON, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := process(t, s, tt.value, pipeline.Position{Topic: "chats", Offset: 9})
			var de *feedback.DecodeError
			if !errors.As(rec.Err, &de) || de.Reason != tt.reason || de.Field != tt.field {
				t.Fatalf("err %v, want reason %s field %q", rec.Err, tt.reason, tt.field)
			}
			if rec.Feedback != nil || rec.Analysis != nil || rec.Turns != nil || rec.Conversation != nil {
				t.Errorf("dead letter carries an analysis")
			}
			if rec.ID == "" {
				t.Error("dead letter without an id")
			}
		})
	}
}

// panickyChat panics in the conversation step, standing for a bug there.
type panickyChat struct{ enrich.Analyzer }

func (panickyChat) Conversation([]chat.Turn, chat.Options) *nlp.Conversation {
	panic("conversation bug")
}

func TestConversationPanicIsDeadLettered(t *testing.T) {
	s := enrich.New(panickyChat{realAnalyzer(t)}, 0)
	rec := process(t, s, vipChat, pipeline.Position{})
	var de *feedback.DecodeError
	if !errors.As(rec.Err, &de) || de.Reason != feedback.ReasonAnalysis || rec.Conversation != nil || rec.Turns != nil {
		t.Fatalf("err %v conversation %v, want analysis_failed and nothing kept", rec.Err, rec.Conversation)
	}
}
