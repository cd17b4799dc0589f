package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestLexiconSuggest mines the car sample of the guide, where a slang word
// (拉胯) that no lexicon holds starts in the recent weeks.
func TestLexiconSuggest(t *testing.T) {
	out, err := runLexicon(t, "suggest", "--lexicons", carsDir, "--sample", carsSample, "--min-count", "3", "--top", "5")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# ==== domain_words.txt: new words",
		"\n拉胯\n",
		"\nimplicit\t整体/不满\t-\t拉胯\n",
		"# score 4.6: 拉胯 in 4 recent texts, 0 older; 100% of them negative\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	js, err := runLexicon(t, "suggest", "--lexicons", carsDir, "--sample", carsSample, "--min-count", "3", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Texts    int
		NewWords []struct{ Term string } `json:"new_words"`
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil || rep.Texts != 60 || len(rep.NewWords) == 0 || rep.NewWords[0].Term != "拉胯" {
		t.Errorf("json: %v %+v", err, rep)
	}
	for _, args := range [][]string{{"suggest"}, {"suggest", "--sample", carsSample, "extra"}, {"suggest", "--sample", carsSample, "--max-len", "1"}} {
		if _, err := runLexicon(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}
