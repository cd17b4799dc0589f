package search

import (
	"strings"
	"testing"
)

func TestFragmentWindow(t *testing.T) {
	text := strings.Repeat("好", 100) + "物流" + strings.Repeat("慢", 100)
	st := len(strings.Repeat("好", 100))
	got := Fragment(text, []Span{{Start: st, End: st + len("物流")}}, "[", "]", 30)
	want := "…" + strings.Repeat("好", 20) + "[物流]" + strings.Repeat("慢", 8) + "…"
	if got != want {
		t.Errorf("fragment %q, want %q", got, want)
	}
	if got := Fragment("短文本", nil, "[", "]", 30); got != "短文本" {
		t.Errorf("no spans: %q", got)
	}
}
