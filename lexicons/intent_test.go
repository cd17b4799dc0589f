package lexicons

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadIntentsContext(t *testing.T) {
	in, err := loadIntents(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	find := func(term string) (IntentCue, bool) {
		i := slices.IndexFunc(in.Cues, func(c IntentCue) bool { return c.Term == term && c.Intent == Escalation })
		if i < 0 {
			return IntentCue{}, false
		}
		return in.Cues[i], true
	}
	// media words need complaint context; threats do not
	for term, ctx := range map[string]string{"电视台": ContextComplaint, "发微博": ContextComplaint, "12315": "", "律师": "", "曝光你们": "", "投诉到": ""} {
		if c, ok := find(term); !ok || c.Context != ctx {
			t.Errorf("escalation cue %s: %+v (found %v), want context %q", term, c, ok, ctx)
		}
	}
}

func TestLoadIntentsOptions(t *testing.T) {
	load := func(lines ...string) (*Intents, error) {
		data := "# source: test\n" + strings.Join(lines, "\n") + "\n"
		return loadIntents(fstest.MapFS{IntentFile: {Data: []byte(data)}})
	}
	in, err := load(
		"escalation\t律师",
		"escalation\t电视台 发微博\t1\tcontext=complaint",
		"投诉\t后悔\tcontext=complaint",
		"投诉\t差评\t\tcontext=complaint",
		"表扬\t点赞\t2",
	)
	if err != nil {
		t.Fatal(err)
	}
	want := []IntentCue{
		{Term: "律师", Intent: Escalation, Weight: 1},
		{Term: "电视台", Intent: Escalation, Weight: 1, Context: ContextComplaint},
		{Term: "发微博", Intent: Escalation, Weight: 1, Context: ContextComplaint},
		{Term: "后悔", Intent: "投诉", Weight: 1, Context: ContextComplaint},
		{Term: "差评", Intent: "投诉", Weight: 1, Context: ContextComplaint},
		{Term: "点赞", Intent: "表扬", Weight: 2},
	}
	if !slices.Equal(in.Cues, want) {
		t.Errorf("cues = %+v\nwant %+v", in.Cues, want)
	}

	for _, tt := range []struct{ line, err string }{
		{"escalation\t微博\t1\tcontext=news", `intent.tsv:2: context="news": want context=complaint`},
		{"escalation\t微博\t1\tcontext", `intent.tsv:2: "context" is not an option`},
		{"escalation\t微博\t1\twhen=complaint", `intent.tsv:2: unknown option "when" (want context)`},
		{"escalation\t微博\t1\tcontext=complaint context=complaint", `intent.tsv:2: option "context" given twice`},
		{"escalation\t微博\t1\t2", `intent.tsv:2: "2" is not an option`},
		{"escalation\t微博\tx\tcontext=complaint", `intent.tsv:2: weight "x" is not a number in [0.1, 5]`},
		{"escalation\t微博 context=complaint", `intent.tsv:2: cue "context=complaint" holds '=': an option needs a TAB before it`},
		{"escalation", `intent.tsv:2: want intent, cues, an optional weight and options`},
	} {
		if _, err := load(tt.line); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%q: error %v, want %q", tt.line, err, tt.err)
		}
	}
}
