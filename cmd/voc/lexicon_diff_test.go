package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vocproject/voc/lexicons"
)

const (
	// walkDir is the lexicon directory that docs/extending-lexicons.md
	// builds: DIR/packs/mycars, a car forum pack.
	walkDir = "testdata/mylex"
	// carsSample is 60 car reviews with created_at, in whose last weeks a
	// slang complaint (弱鸡) that the mycars pack lacks appears.
	carsSample = "testdata/cars_sample.jsonl"
)

// fuelOverlay writes a lexicon directory whose packs/electronics/taxonomy.tsv
// is the shipped one with a 油耗 category added. diff analyses both sides
// with the default pack selection: a change shows only in its packs
// (electronics is one) or in the root files, and the default selection
// knows no fuel consumption.
func fuelOverlay(t *testing.T) string {
	t.Helper()
	const file = "packs/electronics/taxonomy.tsv"
	shipped, err := fs.ReadFile(lexicons.Embedded(), file)
	if err != nil {
		t.Fatal(err)
	}
	fuel := "\ncategory\t油耗\tfuel consumption\tpraise=油耗/油耗低\tpain=油耗/油耗高\n" +
		"aspect\t油耗\t油耗 百公里油耗 综合油耗 市区油耗\n" +
		"opinion\t油耗/油耗高\t-\t高 偏高 太高 大\topposite=油耗/油耗低\n" +
		"opinion\t油耗/油耗低\t+\t低 很低 小 省\topposite=油耗/油耗高\n" +
		"implicit\t油耗/油耗高\t-\t费油 耗油 油耗高\topposite=油耗/油耗低\n"
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(file)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, file), append(shipped, fuel...), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLexiconDiff compares the shipped lexicons with a directory that adds
// a 油耗 category to a pack of the default selection, on the car sample:
// the fuel complaints are gained pain points.
func TestLexiconDiff(t *testing.T) {
	fuelDir := fuelOverlay(t)
	out, err := runLexicon(t, "diff", "embedded", fuelDir, "--sample", carsSample, "--format", "json", "--examples", "1")
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
	// the sentiment files are the same: a label flips only where the new
	// points are all on one side and overrule a lean (analyzer agree)
	if rep.Old != "embedded" || rep.New != fuelDir || rep.Records != 60 || rep.Changed == 0 || rep.LabelFlips > rep.Changed {
		t.Errorf("old %s new %s records %d changed %d flips %d: want embedded, %s, 60, > 0, at most the changed records",
			rep.Old, rep.New, rep.Records, rep.Changed, rep.LabelFlips, fuelDir)
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

	text, err := runLexicon(t, "diff", fuelDir, fuelDir, "--sample", carsSample)
	if err != nil || !strings.Contains(text, "records: 60; changed: 0 (0.0%)") || !strings.Contains(text, "no record changes tags or sentiment label") {
		t.Errorf("same directory: %v\n%s", err, text)
	}
	// A pack outside the default selection changes nothing: the guide
	// compares a pack's versions with voc analyze --pack instead.
	text, err = runLexicon(t, "diff", "embedded", walkDir, "--sample", carsSample)
	if err != nil || !strings.Contains(text, "records: 60; changed: 0 (0.0%)") {
		t.Errorf("embedded against %s (pack mycars, not selected): %v\n%s", walkDir, err, text)
	}
	for _, args := range [][]string{
		{"diff", "embedded", fuelDir},
		{"diff", "embedded", "--sample", carsSample},
		{"diff", "embedded", fuelDir, "--sample", carsSample, "--format", "xml"},
	} {
		if _, err := runLexicon(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}
