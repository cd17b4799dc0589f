// Package enrich is the pipeline stage that turns a raw Kafka message into
// an analysed record: decode and validate the feedback message, give it an
// id, run the NLP analyzer over its text (or over each turn of a chat) and
// stamp the lexicon version. A message that cannot be decoded or analysed
// gets rec.Err (a *feedback.DecodeError) and goes to the dead-letter sink.
//
// Stage is the pipeline.Stage `voc run` gives the pipeline runner, between the
// Kafka source and the sinks.
package enrich

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/chat"
	"github.com/vocproject/voc/pipeline"
)

// Analyzer is what the stage needs of nlp/analyzer.Analyzer.
type Analyzer interface {
	Analyze(text string, opts nlp.Options) *nlp.Result
	AnalyzeChat(turns []nlp.Turn, opts nlp.Options) *nlp.ChatResult
	Version() string
}

// conversations is implemented by analyzers that also compute a chat's
// conversation signals (see WithChat).
type conversations interface {
	Conversation(turns []chat.Turn, opts chat.Options) *nlp.Conversation
}

// WithChat returns an analyzer that also fills rec.Conversation of chats
// with ca, built from the same lexicon set as an (lexicons.Set.Compliance):
// New(WithChat(an, chat.New(set.Compliance)), maxBytes), and the same for
// Swap. A nil ca returns an unchanged.
func WithChat(an Analyzer, ca *chat.Analyzer) Analyzer {
	if ca == nil {
		return an
	}
	return withChat{an, ca}
}

type withChat struct {
	Analyzer
	ca *chat.Analyzer
}

func (w withChat) Conversation(turns []chat.Turn, opts chat.Options) *nlp.Conversation {
	return w.ca.Analyze(turns, opts)
}

// ChatTurns pairs the analysed turns of chat message m (one per turn of
// m, in order) with their timestamps, for chat.Analyzer.
func ChatTurns(m *feedback.Message, turns []nlp.TurnResult) []chat.Turn {
	ct := make([]chat.Turn, len(turns))
	for i, t := range turns {
		ct[i] = chat.Turn{TurnResult: t}
		if i < len(m.Turns) {
			ct[i].At = m.Turns[i].At
		}
	}
	return ct
}

// ChatOptions are the conversation options of chat message m whose
// overall analysis is overall: its team and CSAT.
func ChatOptions(m *feedback.Message, overall *nlp.Result) chat.Options {
	return chat.Options{Team: team(m), CSAT: m.CSAT, Overall: overall}
}

// TeamField is the optional field of a chat message naming the agents'
// team, which selects the team's compliance rules.
const TeamField = "team"

// team returns the message's team field, "" when absent or not a string.
func team(m *feedback.Message) string {
	var s string
	if raw, ok := m.Extra[TeamField]; ok && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

type box struct{ an Analyzer }

// Stage decodes and analyses records. It is safe for concurrent use, and
// its analyzer can be swapped while it runs (lexicon reload): every record
// is analysed by exactly one analyzer and carries that analyzer's version.
type Stage struct {
	cur      atomic.Pointer[box]
	maxBytes int
}

var _ pipeline.Stage = (*Stage)(nil)

// New returns a stage using an; maxBytes limits a message's size
// (<= 0 means feedback.DefaultMaxBytes).
func New(an Analyzer, maxBytes int) *Stage {
	s := &Stage{maxBytes: maxBytes}
	s.cur.Store(&box{an})
	return s
}

// Swap replaces the analyzer; records already being analysed finish with
// the old one.
func (s *Stage) Swap(an Analyzer) { s.cur.Store(&box{an}) }

// Analyzer returns the current analyzer.
func (s *Stage) Analyzer() Analyzer { return s.cur.Load().an }

// Process decodes rec.Msg.Value into rec.Feedback and analyses it. It never
// returns an error: problems with the message are permanent and are
// reported in rec.Err so that the record is dead-lettered.
func (s *Stage) Process(ctx context.Context, rec *pipeline.Record) error {
	m, id, err := feedback.Decode(rec.Msg.Value, s.maxBytes)
	rec.ID = id
	if rec.ID == "" {
		rec.ID = pipeline.DefaultID(rec.Msg.Pos)
	}
	if err != nil {
		rec.Err = err
		return nil
	}
	if m.ID == "" {
		m.ID = rec.ID
	}
	rec.Feedback = m
	an := s.cur.Load().an
	rec.LexiconVersion = an.Version()
	if err := analyse(an, rec, m); err != nil {
		rec.Feedback, rec.Analysis, rec.Turns, rec.Conversation = nil, nil, nil, nil
		rec.Err = err
	}
	return nil
}

// analyse runs the analyzer, turning a panic on this one message into a
// dead letter rather than a crash of the process.
func analyse(an Analyzer, rec *pipeline.Record, m *feedback.Message) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &feedback.DecodeError{Reason: feedback.ReasonAnalysis, Err: fmt.Errorf("analyzer panic: %v", p)}
		}
	}()
	opts := nlp.Options{Rating: m.Rating, Conversational: m.IsConversational()}
	if m.IsChat() {
		turns := make([]nlp.Turn, len(m.Turns))
		for i, t := range m.Turns {
			turns[i] = nlp.Turn{Role: t.Role, Text: t.Text}
		}
		cr := an.AnalyzeChat(turns, opts)
		if cr == nil {
			return &feedback.DecodeError{Reason: feedback.ReasonAnalysis, Err: fmt.Errorf("analyzer returned no result")}
		}
		res := cr.Result
		rec.Analysis, rec.Turns = &res, cr.Turns
		if cv, ok := an.(conversations); ok && len(cr.Turns) == len(m.Turns) {
			rec.Conversation = cv.Conversation(ChatTurns(m, cr.Turns), ChatOptions(m, &res))
		}
		return nil
	}
	res := an.Analyze(m.Text, opts)
	if res == nil {
		return &feedback.DecodeError{Reason: feedback.ReasonAnalysis, Err: fmt.Errorf("analyzer returned no result")}
	}
	rec.Analysis = res
	return nil
}
