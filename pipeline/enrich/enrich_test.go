package enrich_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/pipeline/enrich"
)

var (
	once sync.Once
	real *analyzer.Analyzer
	err0 error
)

func realAnalyzer(t *testing.T) *analyzer.Analyzer {
	t.Helper()
	once.Do(func() {
		set, err := lexicons.Load(lexicons.Embedded())
		if err != nil {
			err0 = err
			return
		}
		real, err0 = analyzer.New(set, nil)
	})
	if err0 != nil {
		t.Fatal(err0)
	}
	return real
}

func process(t *testing.T, s *enrich.Stage, value string, pos pipeline.Position) *pipeline.Record {
	t.Helper()
	rec := &pipeline.Record{Msg: pipeline.Message{Pos: pos, Value: []byte(value)}}
	if err := s.Process(context.Background(), rec); err != nil {
		t.Fatalf("Process returned %v; problems with a message must go to rec.Err", err)
	}
	return rec
}

func TestStage(t *testing.T) {
	s := enrich.New(realAnalyzer(t), 0)
	pos := pipeline.Position{Topic: "reviews", Partition: 3, Offset: 77}
	tests := []struct {
		name   string
		value  string
		id     string
		reason string // dead-letter reason, "" when analysed
		check  func(t *testing.T, rec *pipeline.Record)
	}{
		{name: "review", value: `{"id":"r1","kind":"review","rating":1,"text":"快递太慢了，等了五天才到，客服电话13812345678也打不通"}`, id: "r1",
			check: func(t *testing.T, rec *pipeline.Record) {
				a := rec.Analysis
				if a.Sentiment.Label != nlp.Negative {
					t.Errorf("sentiment %+v", a.Sentiment)
				}
				if strings.Contains(a.Text, "13812345678") || !strings.Contains(a.Text, "<PHONE>") {
					t.Errorf("phone not masked: %s", a.Text)
				}
				if !hasPain(a.Aspects, "物流") {
					t.Errorf("no 物流 pain point in %+v", a.Aspects)
				}
			}},
		{name: "no id gets the position", value: `{"text":"包装破损了，瓶子漏液"}`, id: "kafka:reviews:3:77",
			check: func(t *testing.T, rec *pipeline.Record) {
				if rec.Feedback.ID != rec.ID {
					t.Errorf("feedback id %q, record id %q", rec.Feedback.ID, rec.ID)
				}
			}},
		{name: "chat", value: `{"id":"c1","kind":"chat","turns":[{"role":"customer","text":"我要退款，东西是坏的"},{"role":"agent","text":"非常抱歉给您带来不便"},{"role":"customer","text":"再不处理我就打12315"}]}`, id: "c1",
			check: func(t *testing.T, rec *pipeline.Record) {
				if len(rec.Turns) != 3 || rec.Turns[1].Role != "agent" {
					t.Fatalf("turns %+v", rec.Turns)
				}
				if !rec.Analysis.Escalation {
					t.Errorf("12315 not flagged as escalation")
				}
			}},
		{name: "an email's question is an inquiry", value: `{"id":"e1","kind":"email","text":"请问什么时候发货"}`, id: "e1",
			check: func(t *testing.T, rec *pipeline.Record) {
				if got := rec.Analysis.Sentiment; got.Label != nlp.Neutral || got.Score != 0 {
					t.Errorf("sentiment %+v, want neutral 0", got)
				}
				if len(rec.Analysis.Tokens) == 0 {
					t.Errorf("no words kept for the index")
				}
			}},
		{name: "the same question in a review keeps its words' weight", value: `{"id":"e2","kind":"review","text":"请问什么时候发货"}`, id: "e2",
			check: func(t *testing.T, rec *pipeline.Record) {
				if got := rec.Analysis.Sentiment; got.Score == 0 {
					t.Errorf("sentiment %+v, want the learned weights", got)
				}
			}},
		{name: "bad json keeps no id", value: `{"id":"x","text":"物流太慢`, id: "kafka:reviews:3:77", reason: feedback.ReasonBadJSON},
		{name: "no text", value: `{"id":"n1","rating":2}`, id: "n1", reason: feedback.ReasonNoText},
		{name: "markup only", value: `{"id":"n2","rating":2,"text":"<b></b>"}`, id: "n2", reason: feedback.ReasonNoText},
		{name: "zero width only", value: `{"id":"n3","text":"\u200b\u200c\u200d\u2060"}`, id: "n3", reason: feedback.ReasonNoText},
		{name: "nul only", value: `{"id":"n4","text":"\u0000\u0000"}`, id: "n4", reason: feedback.ReasonNoText},
		{name: "chat of markup only", value: `{"id":"n5","turns":[{"role":"customer","text":"<p></p>"},{"role":"agent","text":"\ufeff"}]}`, id: "n5", reason: feedback.ReasonNoText},
		{name: "not utf-8", value: "{\"id\":\"u1\",\"text\":\"\xbf\xec\"}", id: "u1", reason: feedback.ReasonNotUTF8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := process(t, s, tc.value, pos)
			if rec.ID != tc.id {
				t.Errorf("id %q, want %q", rec.ID, tc.id)
			}
			if tc.reason != "" {
				var de *feedback.DecodeError
				if !errors.As(rec.Err, &de) || de.Reason != tc.reason {
					t.Fatalf("err %v, want reason %s", rec.Err, tc.reason)
				}
				if rec.Analysis != nil || rec.Feedback != nil {
					t.Errorf("dead letter carries an analysis")
				}
				return
			}
			if rec.Err != nil {
				t.Fatal(rec.Err)
			}
			if rec.LexiconVersion == "" || rec.LexiconVersion != realAnalyzer(t).Version() {
				t.Errorf("lexicon version %q", rec.LexiconVersion)
			}
			tc.check(t, rec)
		})
	}
}

func hasPain(as []nlp.Aspect, cat string) bool {
	for _, a := range as {
		if a.Category == cat && a.Polarity == nlp.Negative {
			return true
		}
	}
	return false
}

// panicky is an analyzer that fails on one text, standing for a bug hit by
// one message.
type panicky struct{ enrich.Analyzer }

func (p panicky) Analyze(text string, opts nlp.Options) *nlp.Result {
	if strings.Contains(text, "boom") {
		panic("index out of range")
	}
	return p.Analyzer.Analyze(text, opts)
}

func TestPanicIsDeadLettered(t *testing.T) {
	s := enrich.New(panicky{realAnalyzer(t)}, 0)
	rec := process(t, s, `{"id":"p1","text":"boom 质量很差"}`, pipeline.Position{})
	var de *feedback.DecodeError
	if !errors.As(rec.Err, &de) || de.Reason != feedback.ReasonAnalysis || !strings.Contains(de.Error(), "index out of range") {
		t.Fatalf("err %v, want analysis_failed with the panic", rec.Err)
	}
	rec = process(t, s, `{"id":"p2","text":"质量很差"}`, pipeline.Position{})
	if rec.Err != nil || rec.Analysis == nil {
		t.Fatalf("next message: %v", rec.Err)
	}
}

// versioned reports a fixed version, to see which analyzer handled a record.
type versioned struct {
	enrich.Analyzer
	v string
}

func (v versioned) Version() string { return v.v }

func TestSwapUnderLoad(t *testing.T) {
	base := realAnalyzer(t)
	s := enrich.New(versioned{base, "v1"}, 0)
	var wg sync.WaitGroup
	seen := make([]map[string]int, 4)
	for w := range 4 {
		seen[w] = map[string]int{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 300 {
				rec := &pipeline.Record{Msg: pipeline.Message{Value: []byte(`{"text":"物流很快，包装完好"}`)}}
				s.Process(context.Background(), rec)
				if rec.Err != nil || rec.Analysis == nil {
					t.Errorf("record failed: %v", rec.Err)
					return
				}
				seen[w][rec.LexiconVersion]++
			}
		}()
	}
	s.Swap(versioned{base, "v2"})
	wg.Wait()
	total := 0
	for _, m := range seen {
		for v, n := range m {
			if v != "v1" && v != "v2" {
				t.Errorf("version %q", v)
			}
			total += n
		}
	}
	if total != 1200 {
		t.Errorf("%d records processed, want 1200", total)
	}
	if s.Analyzer().Version() != "v2" {
		t.Errorf("current version %s", s.Analyzer().Version())
	}
}
