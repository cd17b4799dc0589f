package suggest

import (
	"bufio"
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
	ew := bufio.NewWriter(w) // keeps the first write error; Flush returns it
	fmt.Fprintf(ew, "# voc lexicon suggest: %d texts, %d negative", r.Texts, r.Negative)
	if len(r.Packs) > 0 {
		fmt.Fprintf(ew, "; packs %s", strings.Join(r.Packs, ", "))
	}
	fmt.Fprintf(ew, "\n")

	section(ew, len(r.NewWords),
		"\n# ==== domain_words.txt: new words (not in the segmenter's dictionary; cohesion = PMI of their parts,\n"+
			"# ==== boundary = entropy of the characters left and right of them, in nats)\n")
	for _, c := range r.NewWords {
		fmt.Fprintf(ew, "# score %.1f: %d times in %d texts; cohesion %.1f, boundary left %.1f right %.1f\n",
			c.Score, c.Count, c.Texts, c.PMI, c.LeftEntropy, c.RightEntropy)
		examples(ew, c)
		fmt.Fprintf(ew, "%s\n", c.Line)
	}

	section(ew, len(r.Phrases),
		"\n# ==== taxonomy.tsv: phrases of negative clauses that no pain point covers (count: such clauses;\n"+
			"# ==== elsewhere: other clauses; the point is a guess from the aspects of the same texts)\n")
	for _, c := range r.Phrases {
		fmt.Fprintf(ew, "# score %.1f: %d negative clauses without a pain point, %d elsewhere (log-odds %.1f); %s\n",
			c.Score, c.Count, c.Elsewhere, c.LogOdds, c.PointWhy)
		examples(ew, c)
		fmt.Fprintf(ew, "%s\n", c.Line)
	}

	r.writeRising(ew)
	r.writeUnmapped(ew)
	return ew.Flush()
}

func (r *Report) writeRising(ew *bufio.Writer) {
	if r.Split.IsZero() {
		fmt.Fprintf(ew, "\n# ==== rising terms: the sample has too few times (created_at) to compare two halves\n")
		return
	}
	section(ew, len(r.Rising),
		fmt.Sprintf("\n# ==== rising terms: share of texts since %s against before (score: z of the two shares)\n", r.Split.Format("2006-01-02 15:04")))
	for _, c := range r.Rising {
		fmt.Fprintf(ew, "# score %.1f: %s in %d recent texts, %d older; %.0f%% of them negative\n",
			c.Score, c.Term, c.Recent, c.Older, 100*c.Negative)
		examples(ew, c)
		switch {
		case c.Line == "":
			fmt.Fprintf(ew, "#   known: %s\n", c.Existing)
		default:
			fmt.Fprintf(ew, "# for %s:\n%s\n", c.File, c.Line)
		}
	}
}

func (r *Report) writeUnmapped(ew *bufio.Writer) {
	section(ew, len(r.Unmapped),
		fmt.Sprintf("\n# ==== taxonomy.tsv: aspects the taxonomy does not know, named with an opinion (texts holding one: %d;\n", r.UnmappedTexts)+
			"# ==== ranked by texts, near-duplicates grouped). The category is a guess from aspect terms spelt\n"+
			"# ==== alike and the categories named in the same texts: check it, and the terms, before pasting;\n"+
			"# ==== a line with category ? is commented out: put a category in and uncomment it\n")
	for _, c := range r.Unmapped {
		fmt.Fprintf(ew, "# %s: %s, %s, %.0f%% negative, %.0f%% positive", c.Term, plural(c.Count, "text"), plural(c.Mentions, "opinion"), 100*c.Negative, 100*c.Positive)
		if len(c.Opinions) > 0 {
			var ops []string
			for _, o := range c.Opinions {
				ops = append(ops, fmt.Sprintf("%s ×%d", o.Term, o.Count))
			}
			fmt.Fprintf(ew, "; %s", strings.Join(ops, ", "))
		}
		fmt.Fprintf(ew, "\n")
		if len(c.Variants) > 0 {
			var vs []string
			for _, v := range c.Variants {
				vs = append(vs, fmt.Sprintf("%s (%s)", v.Term, plural(v.Count, "text")))
			}
			fmt.Fprintf(ew, "#   near-duplicates: %s\n", strings.Join(vs, ", "))
		}
		fmt.Fprintf(ew, "#   category %s: %s\n", c.Category, c.CategoryWhy)
		examples(ew, c)
		if c.Category == "?" {
			fmt.Fprintf(ew, "# for the taxonomy file that declares the category:\n# %s\n", c.Line)
		} else {
			fmt.Fprintf(ew, "# for %s:\n%s\n", c.File, c.Line)
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

// section writes a section's header, then "(none)" when it holds no
// candidates (n).
func section(ew *bufio.Writer, n int, header string) {
	ew.WriteString(header)
	if n == 0 {
		ew.WriteString("# (none)\n")
	}
}

func examples(ew *bufio.Writer, c Candidate) {
	for _, e := range c.Examples {
		fmt.Fprintf(ew, "#   e.g. %s\n", strings.ReplaceAll(e, "\n", " "))
	}
}
