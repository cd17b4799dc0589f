package check

import (
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
	return Outcome{Case: tc, Result: r, Failures: tc.Check(r)}
}

// RunAll runs every case, in order.
func RunAll(an *analyzer.Analyzer, cases []lexicons.TestCase) []Outcome {
	out := make([]Outcome, len(cases))
	for i, tc := range cases {
		out[i] = Run(an, tc)
	}
	return out
}
