package eval

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vocproject/voc/nlp"
)

// SentenceLabel returns the sentence label voc gives one raw text (nlp.Positive,
// nlp.Negative or nlp.Neutral).
type SentenceLabel func(text string) string

// FragmentSplit is the sentence-label evaluation of one half of the set.
type FragmentSplit struct {
	Name string
	// Right, Neutral and Wrong count the fragments labelled with their own
	// polarity, neutral, and the other polarity, per gold polarity
	// (nlp.Positive, nlp.Negative).
	Right, Neutral, Wrong map[string]int
}

// Accuracy is the share of fragments of polarity pol ("" for all) whose
// label is pol.
func (s FragmentSplit) Accuracy(pol string) float64 {
	right, n := s.counts(pol)
	return ratio(right, n)
}

// Fragments counts the fragments of polarity pol ("" for all).
func (s FragmentSplit) Fragments(pol string) int {
	_, n := s.counts(pol)
	return n
}

// counts returns the right and all fragments of polarity pol ("" for all).
func (s FragmentSplit) counts(pol string) (right, n int) {
	for _, p := range []string{nlp.Positive, nlp.Negative} {
		if pol == "" || pol == p {
			right += s.Right[p]
			n += s.Right[p] + s.Neutral[p] + s.Wrong[p]
		}
	}
	return right, n
}

// FragmentReport is the sentence-label evaluation on short review
// fragments: the clauses of 之江杯 2019 reviews that hold labelled opinions
// of one polarity, as aspect-annotated sets of short fragments hold them.
type FragmentReport struct {
	Dev, HeldOut FragmentSplit
}

// fragmentRe matches the fragments of a review: the runs between the
// punctuation a clause ends with.
var fragmentRe = regexp.MustCompile(`[^，,。！!？?；;~～\s]+`)

// Fragments evaluates label on the clauses of the 之江杯 2019 set in dir
// that hold labelled opinions (positive or negative) of one polarity only:
// each such clause, cut at punctuation, is one text whose gold label is
// that polarity. Halves as in Aspects. It returns an error wrapping
// ErrNoData when the files are missing.
func Fragments(ctx context.Context, dir string, label SentenceLabel) (*FragmentReport, error) {
	reviews, err := readCSV(filepath.Join(dir, "reviews.csv"), "id", "Reviews")
	if err != nil {
		return nil, err
	}
	labels, err := readCSV(filepath.Join(dir, "labels.csv"), "id", "O_start", "Polarities")
	if err != nil {
		return nil, err
	}
	type opinion struct {
		at  int // rune offset
		pol string
	}
	ops := map[string][]opinion{}
	for i, l := range labels {
		pol, ok := zhijiangPolarities[l[2]]
		if !ok {
			return nil, fmt.Errorf("eval: fragments: labels.csv row %d: unknown polarity %q", i+2, l[2])
		}
		at, err := strconv.Atoi(l[1])
		if err != nil || pol == nlp.Neutral {
			continue // an implicit opinion has no offset; neutral is no side
		}
		ops[l[0]] = append(ops[l[0]], opinion{at, pol})
	}
	newSplit := func(name string) FragmentSplit {
		return FragmentSplit{Name: name, Right: map[string]int{}, Neutral: map[string]int{}, Wrong: map[string]int{}}
	}
	rep := &FragmentReport{Dev: newSplit("dev"), HeldOut: newSplit("held-out")}
	seen := map[string]bool{}
	for _, r := range reviews {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		id, text := r[0], r[1]
		sp := &rep.HeldOut
		if DevReview(id) {
			sp = &rep.Dev
		}
		for _, loc := range fragmentRe.FindAllStringIndex(text, -1) {
			part := text[loc[0]:loc[1]]
			from := utf8.RuneCountInString(text[:loc[0]])
			n := utf8.RuneCountInString(part)
			to := from + n
			if n < 2 || seen[part] {
				continue
			}
			pols := map[string]bool{}
			for _, o := range ops[id] {
				if from <= o.at && o.at < to {
					pols[o.pol] = true
				}
			}
			if len(pols) != 1 {
				continue
			}
			seen[part] = true
			var gold string
			for p := range pols {
				gold = p
			}
			switch got := label(part); got {
			case gold:
				sp.Right[gold]++
			case nlp.Neutral:
				sp.Neutral[gold]++
			default:
				sp.Wrong[gold]++
			}
		}
	}
	return rep, nil
}

// Markdown renders the report.
func (r *FragmentReport) Markdown() string {
	var b strings.Builder
	b.WriteString("\nSentence labels on short fragments: every clause of a 之江杯 review that holds labelled opinions of one polarity, " +
		"analysed alone (as sets of short aspect-annotated fragments are); right = voc's sentence label is that polarity, " +
		"neutral counts as wrong.\n\n")
	b.WriteString("| half | fragments | right | positive right | negative right | labelled neutral | other side |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, sp := range []FragmentSplit{r.Dev, r.HeldOut} {
		n := sp.Fragments("")
		fmt.Fprintf(&b, "| %s | %d | %.3f | %.3f (%d) | %.3f (%d) | %.3f | %.3f |\n", sp.Name, n, sp.Accuracy(""),
			sp.Accuracy(nlp.Positive), sp.Fragments(nlp.Positive), sp.Accuracy(nlp.Negative), sp.Fragments(nlp.Negative),
			ratio(sp.Neutral[nlp.Positive]+sp.Neutral[nlp.Negative], n), ratio(sp.Wrong[nlp.Positive]+sp.Wrong[nlp.Negative], n))
	}
	return b.String()
}
