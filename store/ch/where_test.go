package ch

import (
	"slices"
	"testing"
)

func TestWhere(t *testing.T) {
	var w Where
	if w.String() != "" {
		t.Fatalf("empty Where = %q", w.String())
	}
	w.Add("created_at >= ?", 1)
	w.Add("text != ''")
	w.Eq("product", "")
	w.Eq("channel", "app")
	w.Add("x IN (?, ?)", 2, 3)
	if got, want := w.String(), "created_at >= ? AND text != '' AND channel = ? AND x IN (?, ?)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if want := []any{1, "app", 2, 3}; !slices.Equal(w.Args, want) {
		t.Errorf("Args = %v, want %v", w.Args, want)
	}
}
