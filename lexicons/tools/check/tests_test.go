package check

import (
	"reflect"
	"testing"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
)

func TestCheck(t *testing.T) {
	r := &nlp.Result{
		Sentiment: nlp.Sentiment{Label: nlp.Negative, Score: -0.6},
		Aspects: []nlp.Aspect{
			{Category: "物流", Subcategory: "配送慢", Aspect: "快递", Opinion: "慢", Polarity: nlp.Negative},
			{Category: "包装", Subcategory: "破损", Opinion: "破了", Polarity: nlp.Negative},
		},
		Intent: "投诉",
	}
	tests := []struct {
		name, line string
		want       []string
	}{
		{"pass", "物流/配送慢-@快递 包装/破损 sentiment=negative intent=投诉 escalation=no", nil},
		{"any subcategory", "物流/*- 包装/*", nil},
		{"wrong polarity", "物流/配送慢+", []string{"want 物流/配送慢+"}},
		{"wrong aspect term", "物流/配送慢@物流", []string{"want 物流/配送慢@物流"}},
		{"forbidden", "!包装/破损-", []string{"want no 包装/破损-"}},
		{"only", "物流/配送慢 only", []string{"unexpected 包装/破损-"}},
		{"none", "none", []string{"unexpected 物流/配送慢-@快递", "unexpected 包装/破损-"}},
		{"sentiment", "sentiment=positive", []string{"want sentiment=positive, got negative (-0.60)"}},
		{"intent and escalation", "intent=none escalation=yes", []string{"want intent=none, got 投诉", "want escalation=yes, got no"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc, err := lexicons.ParseTest("f.tsv", 1, "#test\tx\t"+tt.line)
			if err != nil {
				t.Fatal(err)
			}
			if got := Failures(tc, r); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Check = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLabels checks that the labels test lines name are the analysis's.
func TestLabels(t *testing.T) {
	if lexicons.Positive != nlp.Positive || lexicons.Negative != nlp.Negative || lexicons.Neutral != nlp.Neutral {
		t.Errorf("lexicons labels %q %q %q, nlp labels %q %q %q", lexicons.Positive, lexicons.Negative, lexicons.Neutral, nlp.Positive, nlp.Negative, nlp.Neutral)
	}
}
