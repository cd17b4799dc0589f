package check

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
)

// Outcome is the result of one test line.
type Outcome struct {
	Case     lexicons.TestCase
	Result   *nlp.Result
	Failures []string // empty when the test passes
}

// Run analyses the text of tc and checks the result.
func Run(an *analyzer.Analyzer, tc lexicons.TestCase) Outcome {
	r := an.Analyze(tc.Text, nlp.Options{Rating: tc.Rating})
	return Outcome{Case: tc, Result: r, Failures: Failures(tc, r)}
}

// RunAll runs every case, in order.
func RunAll(an *analyzer.Analyzer, cases []lexicons.TestCase) []Outcome {
	out := make([]Outcome, len(cases))
	for i, tc := range cases {
		out[i] = Run(an, tc)
	}
	return out
}

// Matches reports whether aspect a fulfils e (ignoring e.Not).
func Matches(e lexicons.AspectExpectation, a nlp.Aspect) bool {
	return a.Category == e.Category &&
		(e.Subcategory == "*" || a.Subcategory == e.Subcategory) &&
		(e.Polarity == "" || a.Polarity == e.Polarity) &&
		(e.Aspect == "" || a.Aspect == e.Aspect)
}

// Failures returns what in r contradicts the test case, one message per
// failed expectation; none means the case passes.
func Failures(tc lexicons.TestCase, r *nlp.Result) []string {
	var fails []string
	for _, e := range tc.Aspects {
		found := slices.ContainsFunc(r.Aspects, func(a nlp.Aspect) bool { return Matches(e, a) })
		switch {
		case e.Not && found:
			fails = append(fails, "want no "+e.String()[1:])
		case !e.Not && !found:
			fails = append(fails, "want "+e.String())
		}
	}
	if tc.Exact {
		for _, a := range r.Aspects {
			if !slices.ContainsFunc(tc.Aspects, func(e lexicons.AspectExpectation) bool { return !e.Not && Matches(e, a) }) {
				fails = append(fails, "unexpected "+FormatAspect(a))
			}
		}
	}
	if tc.Sentiment != "" && r.Sentiment.Label != tc.Sentiment {
		fails = append(fails, fmt.Sprintf("want sentiment=%s, got %s (%.2f)", tc.Sentiment, r.Sentiment.Label, r.Sentiment.Score))
	}
	if tc.CheckIntent && r.Intent != tc.Intent {
		fails = append(fails, fmt.Sprintf("want intent=%s, got %s", cmp.Or(tc.Intent, "none"), cmp.Or(r.Intent, "none")))
	}
	if tc.CheckEscalation && r.Escalation != tc.Escalation {
		yesNo := map[bool]string{true: "yes", false: "no"}
		fails = append(fails, fmt.Sprintf("want escalation=%s, got %s", yesNo[tc.Escalation], yesNo[r.Escalation]))
	}
	return fails
}

// FormatAspect writes a in the test-line notation: 物流/配送慢-@快递.
func FormatAspect(a nlp.Aspect) string {
	e := lexicons.AspectExpectation{Category: a.Category, Subcategory: a.Subcategory, Polarity: a.Polarity, Aspect: a.Aspect}
	return e.String()
}
