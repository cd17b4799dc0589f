// Package diff shows the impact of a lexicon change on a sample of real
// feedback: it analyses every record with the old and the new lexicons and
// reports the records whose tags (pain and praise points) or sentiment label
// change, with counts per point, per category and per label flip, and
// examples of each.
package diff

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/lexicons/tools/parallel"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
)

// Record is one message of the sample.
type Record struct {
	Line   int    // 1-based line of the sample file
	ID     string // may be empty
	Text   string
	Rating int        // 1-5 stars, 0 none
	Turns  []nlp.Turn // a chat: analysed with AnalyzeChat
	// Conversational: a chat, call or email (nlp.Options.Conversational).
	Conversational bool
	// CreatedAt is when the feedback was given (zero when unknown).
	CreatedAt time.Time
}

// Config tunes Compare. The zero value means defaults.
type Config struct {
	// Workers analyse records in parallel. Default 1.
	Workers int
	// Examples is the most examples kept per point and per label flip.
	// Default 3; negative keeps none.
	Examples int
}

// Report is the outcome of Compare. Counts are of records: a record
// mentioning a point twice counts once.
type Report struct {
	OldVersion string `json:"old_version"`
	NewVersion string `json:"new_version"`
	Records    int    `json:"records"`
	// Changed counts the records whose tags or label changed; TagChanges
	// those whose tags changed, LabelFlips those whose label changed.
	Changed    int `json:"changed"`
	TagChanges int `json:"tag_changes"`
	LabelFlips int `json:"label_flips"`
	// Points are the tags that were added or removed, most changed first.
	Points []PointDelta `json:"points"`
	// Categories sum Points by category.
	Categories []CategoryDelta `json:"categories"`
	// Flips count the label changes, most frequent first.
	Flips []Flip `json:"flips"`
}

// PointDelta counts the records that gained or lost one tag.
type PointDelta struct {
	// Tag is category/subcategory with the polarity sign: 物流/配送慢-.
	Tag      string `json:"tag"`
	Category string `json:"category"`
	Polarity string `json:"polarity"`
	Added    int    `json:"added"`
	Removed  int    `json:"removed"`
	// Examples of records that gained and lost the tag.
	AddedExamples   []Example `json:"added_examples,omitempty"`
	RemovedExamples []Example `json:"removed_examples,omitempty"`
}

// CategoryDelta sums the point deltas of one category by polarity.
type CategoryDelta struct {
	Category      string `json:"category"`
	PainAdded     int    `json:"pain_added"`
	PainRemoved   int    `json:"pain_removed"`
	PraiseAdded   int    `json:"praise_added"`
	PraiseRemoved int    `json:"praise_removed"`
	// Neutral counts added plus removed neutral (hedged) mentions.
	Neutral int `json:"neutral,omitempty"`
}

// Flip counts the records whose sentiment label went from Old to New.
type Flip struct {
	Old      string    `json:"old"`
	New      string    `json:"new"`
	Count    int       `json:"count"`
	Examples []Example `json:"examples,omitempty"`
}

// Example is one changed record.
type Example struct {
	Line     int      `json:"line"`
	ID       string   `json:"id,omitempty"`
	Text     string   `json:"text"`
	Old      []string `json:"old"` // tags
	New      []string `json:"new"`
	OldLabel string   `json:"old_label"`
	NewLabel string   `json:"new_label"`
	OldScore float64  `json:"old_score"`
	NewScore float64  `json:"new_score"`
}

// outcome is the pair of analyses of one record.
type outcome struct {
	oldTags, newTags []string
	old, new         nlp.Sentiment
	text             string
}

// Compare analyses recs with old and new and reports the differences. It
// returns ctx's error if ctx ends first.
func Compare(ctx context.Context, old, new *analyzer.Analyzer, recs []Record, cfg Config) (*Report, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.Examples == 0 {
		cfg.Examples = 3
	}
	outs, err := analyseAll(ctx, old, new, recs, cfg.Workers)
	if err != nil {
		return nil, err
	}
	tl := tally{
		rep:      &Report{OldVersion: old.Version(), NewVersion: new.Version(), Records: len(recs)},
		examples: cfg.Examples,
		points:   map[string]*PointDelta{},
		flips:    map[[2]string]*Flip{},
	}
	for i, o := range outs {
		tl.add(recs[i], o)
	}
	return tl.report(), nil
}

// analyseAll analyses every record with both analyzers on workers
// goroutines; the outcomes are in the order of recs.
func analyseAll(ctx context.Context, old, new *analyzer.Analyzer, recs []Record, workers int) ([]outcome, error) {
	outs := make([]outcome, len(recs))
	err := parallel.Each(ctx, len(recs), workers, func(i int) {
		r := recs[i]
		o, n := analyse(old, r), analyse(new, r)
		outs[i] = outcome{oldTags: Tags(o), newTags: Tags(n), old: o.Sentiment, new: n.Sentiment, text: n.Text}
	})
	if err != nil {
		return nil, err
	}
	return outs, nil
}

// tally counts the changes of the outcomes, per point and per label flip,
// keeping up to examples examples of each.
type tally struct {
	rep      *Report
	examples int
	points   map[string]*PointDelta
	flips    map[[2]string]*Flip
}

// add counts the changes of one record, if any.
func (tl *tally) add(rec Record, o outcome) {
	added, removed := setDiff(o.newTags, o.oldTags), setDiff(o.oldTags, o.newTags)
	flip := o.old.Label != o.new.Label
	if len(added) == 0 && len(removed) == 0 && !flip {
		return
	}
	tl.rep.Changed++
	ex := Example{Line: rec.Line, ID: rec.ID, Text: o.text, Old: o.oldTags, New: o.newTags,
		OldLabel: o.old.Label, NewLabel: o.new.Label, OldScore: round2(o.old.Score), NewScore: round2(o.new.Score)}
	if len(added)+len(removed) > 0 {
		tl.rep.TagChanges++
	}
	for _, t := range added {
		pd := tl.point(t)
		pd.Added++
		pd.AddedExamples = tl.example(pd.AddedExamples, ex)
	}
	for _, t := range removed {
		pd := tl.point(t)
		pd.Removed++
		pd.RemovedExamples = tl.example(pd.RemovedExamples, ex)
	}
	if flip {
		tl.rep.LabelFlips++
		k := [2]string{o.old.Label, o.new.Label}
		f := tl.flips[k]
		if f == nil {
			f = &Flip{Old: k[0], New: k[1]}
			tl.flips[k] = f
		}
		f.Count++
		f.Examples = tl.example(f.Examples, ex)
	}
}

// point returns the delta of tag t, new when t was not seen before.
func (tl *tally) point(t string) *PointDelta {
	pd := tl.points[t]
	if pd == nil {
		cat, _, _ := strings.Cut(t, "/")
		pd = &PointDelta{Tag: t, Category: cat, Polarity: tagPolarity(t)}
		tl.points[t] = pd
	}
	return pd
}

// example appends ex to exs unless exs holds enough examples.
func (tl *tally) example(exs []Example, ex Example) []Example {
	if len(exs) < tl.examples {
		exs = append(exs, ex)
	}
	return exs
}

// report fills the report's points, categories and flips, biggest change
// first, and returns it.
func (tl *tally) report() *Report {
	rep := tl.rep
	rep.Points = []PointDelta{}
	for _, pd := range tl.points {
		rep.Points = append(rep.Points, *pd)
	}
	sort.Slice(rep.Points, func(i, j int) bool {
		a, b := rep.Points[i], rep.Points[j]
		if a.Added+a.Removed != b.Added+b.Removed {
			return a.Added+a.Removed > b.Added+b.Removed
		}
		return a.Tag < b.Tag
	})
	rep.Categories = categoryDeltas(rep.Points)
	rep.Flips = []Flip{}
	for _, f := range tl.flips {
		rep.Flips = append(rep.Flips, *f)
	}
	sort.Slice(rep.Flips, func(i, j int) bool {
		a, b := rep.Flips[i], rep.Flips[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Old+a.New < b.Old+b.New
	})
	return rep
}

// categoryDeltas sums the point deltas per category, biggest change first.
func categoryDeltas(points []PointDelta) []CategoryDelta {
	cats := map[string]*CategoryDelta{}
	for _, pd := range points {
		cd := cats[pd.Category]
		if cd == nil {
			cd = &CategoryDelta{Category: pd.Category}
			cats[pd.Category] = cd
		}
		switch pd.Polarity {
		case nlp.Negative:
			cd.PainAdded += pd.Added
			cd.PainRemoved += pd.Removed
		case nlp.Positive:
			cd.PraiseAdded += pd.Added
			cd.PraiseRemoved += pd.Removed
		default:
			cd.Neutral += pd.Added + pd.Removed
		}
	}
	out := []CategoryDelta{}
	for _, cd := range cats {
		out = append(out, *cd)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		na := a.PainAdded + a.PainRemoved + a.PraiseAdded + a.PraiseRemoved + a.Neutral
		nb := b.PainAdded + b.PainRemoved + b.PraiseAdded + b.PraiseRemoved + b.Neutral
		if na != nb {
			return na > nb
		}
		return a.Category < b.Category
	})
	return out
}

func analyse(an *analyzer.Analyzer, r Record) *nlp.Result {
	opts := nlp.Options{Rating: r.Rating, Conversational: r.Conversational}
	if len(r.Turns) > 0 {
		res := an.AnalyzeChat(r.Turns, opts).Result
		return &res
	}
	return an.Analyze(r.Text, opts)
}

// Tags returns the distinct tags of r (category/subcategory with the
// polarity sign: 物流/配送慢-), sorted.
func Tags(r *nlp.Result) []string {
	out := make([]string, 0, len(r.Aspects))
	for _, a := range r.Aspects {
		out = append(out, lexicons.AspectExpectation{Category: a.Category, Subcategory: a.Subcategory, Polarity: a.Polarity}.String())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func tagPolarity(tag string) string {
	switch tag[len(tag)-1] {
	case '-':
		return nlp.Negative
	case '+':
		return nlp.Positive
	}
	return nlp.Neutral
}

// setDiff returns the elements of a (sorted, distinct) not in b.
func setDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			out = append(out, x)
		}
	}
	return out
}

func round2(f float64) float64 {
	return float64(int64(f*100+sgn(f)*0.5)) / 100
}

func sgn(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

// WriteText writes the report for people.
func (r *Report) WriteText(w io.Writer) error {
	ew := bufio.NewWriter(w) // keeps the first write error; Flush returns it
	pct := func(n int) string {
		if r.Records == 0 {
			return "0%"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(r.Records))
	}
	fmt.Fprintf(ew, "records: %d; changed: %d (%s): %d change tags, %d flip the sentiment label\n",
		r.Records, r.Changed, pct(r.Changed), r.TagChanges, r.LabelFlips)
	if r.Changed == 0 {
		fmt.Fprintf(ew, "no record changes tags or sentiment label\n")
		return ew.Flush()
	}
	if len(r.Categories) > 0 {
		fmt.Fprintf(ew, "\nby category (records)       pain +   pain -  praise +  praise -  neutral ±\n")
		for _, c := range r.Categories {
			fmt.Fprintf(ew, "  %-*s %8s %8s %9s %9s %10s\n", padTo(c.Category, 24), c.Category,
				signed(c.PainAdded, "+"), signed(c.PainRemoved, "-"), signed(c.PraiseAdded, "+"), signed(c.PraiseRemoved, "-"), signed(c.Neutral, ""))
		}
	}
	if len(r.Points) > 0 {
		fmt.Fprintf(ew, "\nby point (records)          added  removed\n")
		for _, p := range r.Points {
			fmt.Fprintf(ew, "  %-*s %7s %8s\n", padTo(p.Tag, 24), p.Tag, signed(p.Added, "+"), signed(p.Removed, "-"))
		}
	}
	if len(r.Flips) > 0 {
		fmt.Fprintf(ew, "\nsentiment label flips (records)\n")
		for _, f := range r.Flips {
			fmt.Fprintf(ew, "  %-8s → %-8s %6d\n", f.Old, f.New, f.Count)
		}
	}
	fmt.Fprintf(ew, "\nexamples\n")
	for _, p := range r.Points {
		if len(p.AddedExamples) > 0 {
			fmt.Fprintf(ew, "  gained %s (%d records)\n", p.Tag, p.Added)
			for _, ex := range p.AddedExamples {
				writeExample(ew, ex)
			}
		}
		if len(p.RemovedExamples) > 0 {
			fmt.Fprintf(ew, "  lost %s (%d records)\n", p.Tag, p.Removed)
			for _, ex := range p.RemovedExamples {
				writeExample(ew, ex)
			}
		}
	}
	for _, f := range r.Flips {
		fmt.Fprintf(ew, "  %s → %s (%d records)\n", f.Old, f.New, f.Count)
		for _, ex := range f.Examples {
			writeExample(ew, ex)
		}
	}
	return ew.Flush()
}

func writeExample(ew *bufio.Writer, ex Example) {
	id := ""
	if ex.ID != "" {
		id = " id " + ex.ID
	}
	text := []rune(ex.Text)
	if len(text) > 120 {
		text = append(text[:117], '…')
	}
	fmt.Fprintf(ew, "    line %d%s: %s\n", ex.Line, id, strings.ReplaceAll(string(text), "\n", " / "))
	fmt.Fprintf(ew, "      old: %s %s (%.2f)\n", tagList(ex.Old), ex.OldLabel, ex.OldScore)
	fmt.Fprintf(ew, "      new: %s %s (%.2f)\n", tagList(ex.New), ex.NewLabel, ex.NewScore)
}

func tagList(tags []string) string {
	if len(tags) == 0 {
		return "(no tags)"
	}
	return strings.Join(tags, " ")
}

func signed(n int, sign string) string {
	if n == 0 {
		return "."
	}
	return fmt.Sprintf("%s%d", sign, n)
}

// padTo returns the printf width that pads s to n display columns
// (a Han character takes two).
func padTo(s string, n int) int {
	wide := 0
	for _, r := range s {
		if r >= 0x1100 {
			wide++
		}
	}
	return max(n-wide, 0)
}
