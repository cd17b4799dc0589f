package analyzer

import (
	"testing"

	"github.com/vocproject/voc/nlp"
)

func TestAgree(t *testing.T) {
	const band = 0.2
	pain := nlp.Aspect{Category: "气味", Subcategory: "难闻", Polarity: nlp.Negative}
	praise := nlp.Aspect{Category: "整体", Subcategory: "满意", Polarity: nlp.Positive}
	verdict := nlp.Aspect{Category: "整体", Subcategory: "不满", Polarity: nlp.Negative}
	roomy := nlp.Aspect{Category: "空间", Subcategory: "空间大", Polarity: nlp.Positive}
	hedged := nlp.Aspect{Category: "质量", Subcategory: "褪色", Polarity: nlp.Neutral}
	neutral := func(score float64) nlp.Sentiment { return nlp.Sentiment{Score: score, Label: nlp.Neutral} }
	tests := []struct {
		name    string
		in      nlp.Sentiment
		aspects []nlp.Aspect
		label   string
		score   float64
	}{
		{"no evidence, a pain point", neutral(0), []nlp.Aspect{pain}, nlp.Negative, -band},
		{"weak praise, a praise point", neutral(0.12), []nlp.Aspect{praise}, nlp.Positive, band},
		{"no evidence, a praise point", neutral(0), []nlp.Aspect{praise}, nlp.Positive, band},
		{"leaning positive, an overall pain point", neutral(0.1), []nlp.Aspect{verdict}, nlp.Negative, -band},
		{"leaning negative, a praise point", neutral(-0.05), []nlp.Aspect{praise}, nlp.Positive, band},
		{"leaning negative within the band, a specific praise point", neutral(-0.19), []nlp.Aspect{roomy}, nlp.Positive, band},
		{"leaning positive a little, a specific pain point", neutral(0.05), []nlp.Aspect{pain}, nlp.Negative, -band},
		{"a specific and an overall praise point", neutral(-0.05), []nlp.Aspect{roomy, praise}, nlp.Positive, band},
		// the learned bias alone pushes short praise below the band (味道还好 −0.27)
		{"labelled negative by a lean the size of the bias", nlp.Sentiment{Score: -0.27, Label: nlp.Negative, Confidence: 0.1}, []nlp.Aspect{roomy}, nlp.Positive, band},
		{"labelled positive a little, a pain point", nlp.Sentiment{Score: 0.25, Label: nlp.Positive, Confidence: 0.1}, []nlp.Aspect{pain}, nlp.Negative, -band},
		{"labelled negative beyond the bias", nlp.Sentiment{Score: -0.35, Label: nlp.Negative, Confidence: 0.3}, []nlp.Aspect{roomy}, nlp.Negative, -0.35},
		{"both sides", neutral(0), []nlp.Aspect{pain, praise}, nlp.Neutral, 0},
		{"hedged aspect only", neutral(0), []nlp.Aspect{hedged}, nlp.Neutral, 0},
		{"no aspects", neutral(-0.1), nil, nlp.Neutral, -0.1},
		{"already negative", nlp.Sentiment{Score: -0.6, Label: nlp.Negative, Confidence: 0.5}, []nlp.Aspect{praise}, nlp.Negative, -0.6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := agree(tc.in, tc.aspects, band)
			if got.Label != tc.label || got.Score != tc.score {
				t.Errorf("agree = %s %.3f, want %s %.3f", got.Label, got.Score, tc.label, tc.score)
			}
			if got.Label != tc.in.Label && got.Confidence != max(tc.in.Confidence, band/2) {
				t.Errorf("confidence %.3f, want %.3f", got.Confidence, max(tc.in.Confidence, band/2))
			}
		})
	}
}
