package suggest

import (
	"fmt"
	"io"
	"strings"
)

// Write writes the report in lexicon-file format: each section names the
// file its lines belong to; every candidate is a comment with its score,
// counts and examples, then the line to paste (commented out when the
// lexicons already hold the term, or when an unmapped aspect's category is
// "?").
func (r *Report) Write(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("# voc lexicon suggest: %d texts, %d negative", r.Texts, r.Negative)
	if len(r.Packs) > 0 {
		ew.printf("; packs %s", strings.Join(r.Packs, ", "))
	}
	ew.printf("\n")

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

	r.writeRising(ew)
	r.writeUnmapped(ew)
	return ew.err
}

func (r *Report) writeRising(ew *errWriter) {
	if r.Split.IsZero() {
		ew.printf("\n# ==== rising terms: the sample has too few times (created_at) to compare two halves\n")
		return
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
}

func (r *Report) writeUnmapped(ew *errWriter) {
	ew.printf("\n# ==== taxonomy.tsv: aspects the taxonomy does not know, named with an opinion (texts holding one: %d;\n", r.UnmappedTexts)
	ew.printf("# ==== ranked by texts, near-duplicates grouped). The category is a guess from aspect terms spelt\n")
	ew.printf("# ==== alike and the categories named in the same texts: check it, and the terms, before pasting;\n")
	ew.printf("# ==== a line with category ? is commented out: put a category in and uncomment it\n")
	if len(r.Unmapped) == 0 {
		ew.printf("# (none)\n")
	}
	for _, c := range r.Unmapped {
		ew.printf("# %s: %s, %s, %.0f%% negative, %.0f%% positive", c.Term, plural(c.Count, "text"), plural(c.Mentions, "opinion"), 100*c.Negative, 100*c.Positive)
		if len(c.Opinions) > 0 {
			var ops []string
			for _, o := range c.Opinions {
				ops = append(ops, fmt.Sprintf("%s ×%d", o.Term, o.Count))
			}
			ew.printf("; %s", strings.Join(ops, ", "))
		}
		ew.printf("\n")
		if len(c.Variants) > 0 {
			var vs []string
			for _, v := range c.Variants {
				vs = append(vs, fmt.Sprintf("%s (%s)", v.Term, plural(v.Count, "text")))
			}
			ew.printf("#   near-duplicates: %s\n", strings.Join(vs, ", "))
		}
		ew.printf("#   category %s: %s\n", c.Category, c.CategoryWhy)
		examples(ew, c)
		if c.Category == "?" {
			ew.printf("# for the taxonomy file that declares the category:\n# %s\n", c.Line)
		} else {
			ew.printf("# for %s:\n%s\n", c.File, c.Line)
		}
	}
}

// plural returns "1 text", "2 texts".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
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
