package lexicons

import (
	"io/fs"
	"strconv"
	"strings"
)

// IntentFile holds intent and escalation cues (see data/FORMAT.md).
const IntentFile = "intent.tsv"

// Escalation is the pseudo-intent of IntentFile lines whose cues flag
// escalation language (12315, 曝光, 律师).
const Escalation = "escalation"

// intentNames are the intents IntentFile may name (the nlp.Intent* values;
// lexicons cannot import nlp, so they are spelled here too).
var intentNames = map[string]bool{"咨询": true, "投诉": true, "售后": true, "建议": true, "表扬": true, Escalation: true}

// IntentCue is one cue of an intent: a string matched anywhere in the text.
type IntentCue struct {
	Term   string
	Intent string  // 咨询 投诉 售后 建议 表扬, or Escalation
	Weight float64 // > 0
}

// Intents holds intent and escalation cues. It is immutable once loaded.
type Intents struct {
	Cues []IntentCue
}

func loadIntents(fsys fs.FS) (*Intents, error) {
	in := &Intents{}
	seen := map[string]int{}
	err := ReadLines(fsys, IntentFile, false, func(l Line) error {
		f := l.Fields
		if len(f) < 2 || len(f) > 3 {
			return l.Errorf("want intent, cues and an optional weight")
		}
		if !intentNames[f[0]] {
			return l.Errorf("unknown intent %q (want 咨询, 投诉, 售后, 建议, 表扬 or %s)", f[0], Escalation)
		}
		w := 1.0
		if len(f) == 3 && f[2] != "" {
			v, err := strconv.ParseFloat(f[2], 64)
			if err != nil || v < 0.1 || v > 5 {
				return l.Errorf("weight %q is not a number in [0.1, 5]", f[2])
			}
			w = v
		}
		terms, err := splitTerms(l, f[1])
		if err != nil {
			return err
		}
		for _, t := range terms {
			if strings.Contains(t, NumberPattern) {
				return l.Errorf("cue %q: patterns are for the taxonomy only", t)
			}
			key := f[0] + "\x00" + t
			if prev, ok := seen[key]; ok {
				return l.Errorf("cue %q of %s already listed at line %d", t, f[0], prev)
			}
			seen[key] = l.No
			in.Cues = append(in.Cues, IntentCue{Term: t, Intent: f[0], Weight: w})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return in, nil
}
