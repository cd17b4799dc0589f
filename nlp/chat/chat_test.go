package chat_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
	"github.com/vocproject/voc/nlp/chat"
)

var update = flag.Bool("update", false, "rewrite testdata/*/expected.json")

var (
	setupOnce sync.Once
	setupAn   *analyzer.Analyzer
	setupChat *chat.Analyzer
	setupErr  error
)

// setup loads the embedded lexicons, the analyzer (and with it the gse
// dictionary) and the chat analyzer once per test binary.
func setup(tb testing.TB) (*analyzer.Analyzer, *chat.Analyzer) {
	tb.Helper()
	setupOnce.Do(func() {
		set, err := lexicons.Load(lexicons.Embedded())
		if err != nil {
			setupErr = err
			return
		}
		if setupAn, setupErr = analyzer.New(set, nil); setupErr == nil {
			setupChat = chat.New(set.Compliance)
		}
	})
	if setupErr != nil {
		tb.Fatal(setupErr)
	}
	return setupAn, setupChat
}

type inputTurn struct {
	Role string    `json:"role"`
	Text string    `json:"text"`
	At   time.Time `json:"at,omitzero"`
}

// converse analyses a chat as the pipeline does: turn by turn, then as a
// conversation with the overall result.
func converse(an *analyzer.Analyzer, ca *chat.Analyzer, in []inputTurn, team string, csat int) (*nlp.ChatResult, *nlp.Conversation) {
	turns := make([]nlp.Turn, len(in))
	for i, t := range in {
		turns[i] = nlp.Turn{Role: t.Role, Text: t.Text}
	}
	cr := an.AnalyzeChat(turns, nlp.Options{})
	ct := make([]chat.Turn, len(in))
	for i := range in {
		ct[i] = chat.Turn{TurnResult: cr.Turns[i], At: in[i].At}
	}
	return cr, ca.Analyze(ct, chat.Options{Team: team, CSAT: csat, Overall: &cr.Result})
}

// goldenInput is testdata/<case>/input.json: the chat and the properties
// the result must have whatever the lexicons' fine tuning (the golden
// expected.json pins the rest).
type goldenInput struct {
	Note  string      `json:"note"`
	Team  string      `json:"team"`
	CSAT  int         `json:"csat"`
	Turns []inputTurn `json:"turns"`
	// Want holds fields of the conversation's JSON and their values.
	Want map[string]any `json:"want"`
	// WantMin holds numeric fields and their lower bounds.
	WantMin map[string]float64 `json:"want_min"`
	// WantAbsent names fields that must be absent (service times).
	WantAbsent []string `json:"want_absent"`
	// WantReasons must all be among the escalation reasons.
	WantReasons []string `json:"want_reasons"`
	// WantViolations, when present, is the exact set of violations as
	// "kind/rule@turn[:phrase]".
	WantViolations *[]string `json:"want_violations"`
}

func TestGolden(t *testing.T) {
	an, ca := setup(t)
	dirs, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		n++
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join("testdata", d.Name())
			data, err := os.ReadFile(filepath.Join(dir, "input.json"))
			if err != nil {
				t.Fatal(err)
			}
			var in goldenInput
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&in); err != nil {
				t.Fatalf("input.json: %v", err)
			}
			cr, conv := converse(an, ca, in.Turns, in.Team, in.CSAT)
			checkInvariants(t, cr, conv)
			got, err := json.MarshalIndent(conv, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			var fields map[string]any
			if err := json.Unmarshal(got, &fields); err != nil {
				t.Fatal(err)
			}
			for k, want := range in.Want {
				if g, ok := fields[k]; !ok || !reflect.DeepEqual(g, want) {
					t.Errorf("%s = %v, want %v", k, g, want)
				}
			}
			for k, lo := range in.WantMin {
				if g, ok := fields[k].(float64); !ok || g < lo {
					t.Errorf("%s = %v, want at least %v", k, fields[k], lo)
				}
			}
			for _, k := range in.WantAbsent {
				if g, ok := fields[k]; ok {
					t.Errorf("%s = %v, want it absent", k, g)
				}
			}
			for _, r := range in.WantReasons {
				if !slices.Contains(conv.EscalationReasons, r) {
					t.Errorf("escalation reasons %v lack %s", conv.EscalationReasons, r)
				}
			}
			if in.WantViolations != nil {
				gotV := violationKeys(conv.Violations)
				wantV := slices.Clone(*in.WantViolations)
				sort.Strings(wantV)
				if !slices.Equal(gotV, wantV) {
					t.Errorf("violations\n got  %q\n want %q", gotV, wantV)
				}
			}
			path := filepath.Join(dir, "expected.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("conversation differs from %s (review, then go test -update):\n%s", path, got)
			}
		})
	}
	if n < 10 {
		t.Errorf("%d golden cases, want at least 10", n)
	}
}

// violationKeys returns "kind/rule@turn[:phrase]", sorted.
func violationKeys(vs []nlp.Violation) []string {
	out := []string{}
	for _, v := range vs {
		k := fmt.Sprintf("%s/%s@%d", v.Kind, v.Rule, v.Turn)
		if v.Phrase != "" {
			k += ":" + v.Phrase
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkInvariants checks what must hold for every chat: spans point at
// their phrase in an agent turn, counts add up, values are in range.
func checkInvariants(t *testing.T, cr *nlp.ChatResult, c *nlp.Conversation) {
	t.Helper()
	if c.Turns != len(cr.Turns) || c.CustomerTurns+c.AgentTurns != c.Turns {
		t.Errorf("turns %d = %d customer + %d agent, chat has %d", c.Turns, c.CustomerTurns, c.AgentTurns, len(cr.Turns))
	}
	for _, v := range c.Violations {
		if v.Turn < 0 || v.Turn >= len(cr.Turns) || chat.IsCustomer(cr.Turns[v.Turn].Role) {
			t.Errorf("violation %+v is not on an agent turn", v)
			continue
		}
		rs := []rune(cr.Turns[v.Turn].Text)
		switch v.Kind {
		case nlp.ViolationMissing:
			if v.Span != [2]int{} || v.Phrase != "" {
				t.Errorf("missing-phrase violation with a span or phrase: %+v", v)
			}
		case nlp.ViolationForbidden, nlp.ViolationDiscouraged:
			if v.Span[0] < 0 || v.Span[1] > len(rs) || v.Span[0] >= v.Span[1] || string(rs[v.Span[0]:v.Span[1]]) != v.Phrase {
				t.Errorf("violation %+v: span does not hold the phrase in %q", v, string(rs))
			}
		default:
			t.Errorf("violation kind %q", v.Kind)
		}
	}
	if c.EscalationRisk < 0 || c.EscalationRisk > 1 || c.Escalated != (c.EscalationRisk >= chat.EscalatedRisk) {
		t.Errorf("escalation risk %v, escalated %v", c.EscalationRisk, c.Escalated)
	}
	if c.Effort != c.Transfers+c.RepeatedQuestions+c.RepeatedDemands {
		t.Errorf("effort %d != %d + %d + %d", c.Effort, c.Transfers, c.RepeatedQuestions, c.RepeatedDemands)
	}
	switch c.Resolution {
	case nlp.Resolved, nlp.Unresolved, nlp.ResolutionUnknown:
	default:
		t.Errorf("resolution %q", c.Resolution)
	}
	switch c.Trajectory {
	case nlp.TrajectoryImproved, nlp.TrajectoryWorsened, nlp.TrajectoryFlat:
		if c.StartTurn < 0 || c.EndTurn < c.StartTurn || !chat.IsCustomer(cr.Turns[c.StartTurn].Role) || !chat.IsCustomer(cr.Turns[c.EndTurn].Role) {
			t.Errorf("trajectory %s with start %d end %d", c.Trajectory, c.StartTurn, c.EndTurn)
		}
	case nlp.TrajectoryUnknown:
		if c.StartTurn != -1 || c.EndTurn != -1 {
			t.Errorf("unknown trajectory with start %d end %d", c.StartTurn, c.EndTurn)
		}
	default:
		t.Errorf("trajectory %q", c.Trajectory)
	}
	for _, p := range []*float64{c.FirstResponseSec, c.AvgResponseSec, c.HandleTimeSec} {
		if p != nil && *p < 0 {
			t.Errorf("negative service time %v", *p)
		}
	}
	if !slices.IsSorted(c.PainPoints) {
		t.Errorf("pain points not sorted: %v", c.PainPoints)
	}
	for _, p := range c.PainPoints {
		if !strings.Contains(p, "/") {
			t.Errorf("pain point %q", p)
		}
	}
}
