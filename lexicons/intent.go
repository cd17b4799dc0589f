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

// ContextComplaint is the value of the context= option of an IntentFile
// line: its cues count only in a text that complains otherwise too.
const ContextComplaint = "complaint"

// IntentCue is one cue of an intent: a string matched anywhere in the text.
type IntentCue struct {
	Term   string
	Intent string  // 咨询 投诉 售后 建议 表扬, or Escalation
	Weight float64 // > 0
	// Context is "" (the cue counts on its own) or ContextComplaint: the
	// cue is ambiguous (电视台, 发微博: media words are news and reposts as
	// often as threats) and counts only in a text with complaint context —
	// a negative sentiment, a pain point or a cue without Context of 投诉 or
	// escalation.
	Context string
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
		if len(f) < 2 {
			return l.Errorf("want intent, cues, an optional weight and options")
		}
		if !intentNames[f[0]] {
			return l.Errorf("unknown intent %q (want 咨询, 投诉, 售后, 建议, 表扬 or %s)", f[0], Escalation)
		}
		// intent, cues[, weight][, options]: the third field is the weight
		// unless it holds an option
		w, rest := 1.0, f[2:]
		if len(rest) > 0 && !strings.Contains(rest[0], "=") {
			if rest[0] != "" {
				v, err := strconv.ParseFloat(rest[0], 64)
				if err != nil || v < 0.1 || v > 5 {
					return l.Errorf("weight %q is not a number in [0.1, 5]", rest[0])
				}
				w = v
			}
			rest = rest[1:]
		}
		for _, r := range rest {
			if r != "" && !strings.Contains(r, "=") {
				return l.Errorf("%q is not an option (want context=%s; the weight is the third field)", r, ContextComplaint)
			}
		}
		opts, err := parseOptions(l, rest, "context")
		if err != nil {
			return err
		}
		ctx, ok := opts["context"]
		if ok && ctx != ContextComplaint {
			return l.Errorf("context=%q: want context=%s", ctx, ContextComplaint)
		}
		terms, err := splitPlainTerms(l, f[1], "cue")
		if err != nil {
			return err
		}
		for _, t := range terms {
			if strings.Contains(t, "=") {
				return l.Errorf("cue %q holds '=': an option needs a TAB before it", t)
			}
			key := f[0] + "\x00" + t
			if prev, ok := seen[key]; ok {
				return l.Errorf("cue %q of %s already listed at line %d", t, f[0], prev)
			}
			seen[key] = l.No
			in.Cues = append(in.Cues, IntentCue{Term: t, Intent: f[0], Weight: w, Context: ctx})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return in, nil
}
