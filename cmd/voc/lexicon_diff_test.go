package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const (
	carsDir    = "../../docs/examples/cars"
	carsSample = "../../docs/examples/cars/sample.jsonl"
)

// TestLexiconDiff compares the shipped lexicons with the car overlay of
// the guide on its sample: the shipped taxonomy knows no 油耗 category, so
// every fuel complaint is a gained pain point.
func TestLexiconDiff(t *testing.T) {
	out, err := runLexicon(t, "diff", "embedded", carsDir, "--sample", carsSample, "--format", "json", "--examples", "1")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Old, New   string
		Records    int
		Changed    int
		TagChanges int `json:"tag_changes"`
		LabelFlips int `json:"label_flips"`
		Points     []struct {
			Tag            string
			Added, Removed int
			AddedExamples  []struct {
				Line int
				ID   string
				Text string
				Old  []string
				New  []string
			} `json:"added_examples"`
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Old != "embedded" || rep.New != carsDir || rep.Records != 60 || rep.Changed == 0 || rep.LabelFlips != 0 {
		t.Errorf("old %s new %s records %d changed %d flips %d: want embedded, %s, 60, > 0, 0 (sentiment files are the same)",
			rep.Old, rep.New, rep.Records, rep.Changed, rep.LabelFlips, carsDir)
	}
	found := false
	for _, p := range rep.Points {
		if p.Tag == "油耗/油耗高-" {
			found = true
			// the sample's fuel complaints: 油耗太高了…, 整体还不错，就是油耗有点高, …
			if p.Added < 2 || p.Removed != 0 || len(p.AddedExamples) != 1 || !strings.Contains(p.AddedExamples[0].Text, "油") {
				t.Errorf("油耗/油耗高-: %+v", p)
			}
			for _, tag := range p.AddedExamples[0].Old {
				if strings.HasPrefix(tag, "油耗/") {
					t.Errorf("the shipped lexicons tagged %s", tag)
				}
			}
		}
	}
	if !found {
		t.Errorf("no 油耗/油耗高- among %+v", rep.Points)
	}

	text, err := runLexicon(t, "diff", carsDir, carsDir, "--sample", carsSample)
	if err != nil || !strings.Contains(text, "records: 60; changed: 0 (0.0%)") || !strings.Contains(text, "no record changes tags or sentiment label") {
		t.Errorf("same directory: %v\n%s", err, text)
	}
	for _, args := range [][]string{
		{"diff", "embedded", carsDir},
		{"diff", "embedded", "--sample", carsSample},
		{"diff", "embedded", carsDir, "--sample", carsSample, "--format", "xml"},
	} {
		if _, err := runLexicon(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}
