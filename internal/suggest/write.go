package suggest

import (
	"fmt"
	"io"
	"strings"
)

// Write writes the report in lexicon-file format: each section names the
// file its lines belong to; every candidate is a comment with its score,
// counts and examples, then the line to paste (commented out when the
// lexicons already hold the term).
func (r *Report) Write(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("# voc lexicon suggest: %d texts, %d negative\n", r.Texts, r.Negative)

	ew.printf("\n# ==== %s: new words (not in the segmenter's dictionary; cohesion = PMI of their parts,\n", "domain_words.txt")
	ew.printf("# ==== boundary = entropy of the characters left and right of them, in nats)\n")
	if len(r.NewWords) == 0 {
		ew.printf("# (none)\n")
	}
	for _, c := range r.NewWords {
		ew.printf("# score %.1f: %d times in %d texts; cohesion %.1f, boundary left %.1f right %.1f\n",
			c.Score, c.Count, c.Texts, c.PMI, c.LeftEntropy, c.RightEntropy)
		examples(ew, c)
		ew.printf("%s\n", c.Line)
	}

	ew.printf("\n# ==== %s: phrases of negative clauses that no pain point covers (count: such clauses;\n", "taxonomy.tsv")
	ew.printf("# ==== elsewhere: other clauses; the point is a guess from the aspects of the same texts)\n")
	if len(r.Phrases) == 0 {
		ew.printf("# (none)\n")
	}
	for _, c := range r.Phrases {
		ew.printf("# score %.1f: %d negative clauses without a pain point, %d elsewhere (log-odds %.1f); %s\n",
			c.Score, c.Count, c.Elsewhere, c.LogOdds, c.PointWhy)
		examples(ew, c)
		ew.printf("%s\n", c.Line)
	}

	if r.Split.IsZero() {
		ew.printf("\n# ==== rising terms: the sample has too few times (created_at) to compare two halves\n")
		return ew.err
	}
	ew.printf("\n# ==== rising terms: share of texts since %s against before (score: z of the two shares)\n", r.Split.Format("2006-01-02 15:04"))
	if len(r.Rising) == 0 {
		ew.printf("# (none)\n")
	}
	for _, c := range r.Rising {
		ew.printf("# score %.1f: %s in %d recent texts, %d older; %.0f%% of them negative\n",
			c.Score, c.Term, c.Recent, c.Older, 100*c.Negative)
		examples(ew, c)
		switch {
		case c.Line == "":
			ew.printf("#   known: %s\n", c.Existing)
		default:
			ew.printf("# for %s:\n%s\n", c.File, c.Line)
		}
	}
	return ew.err
}

func examples(ew *errWriter, c Candidate) {
	for _, e := range c.Examples {
		ew.printf("#   e.g. %s\n", strings.ReplaceAll(e, "\n", " "))
	}
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}
