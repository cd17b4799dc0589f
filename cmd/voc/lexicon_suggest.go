package main

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/lexicons/tools/suggest"
	"github.com/vocproject/voc/nlp/analyzer"
)

// suggest is "voc lexicon suggest --sample FILE".
func (c *lexiconCmd) suggest(ctx context.Context, args []string) error {
	fl := newFlagSet("voc lexicon suggest", c.env,
		"usage: voc lexicon suggest --sample FILE [--lexicons DIR] [--pack NAME[,NAME]] [--top N] [--min-count N] [--format tsv|json]",
		"\nMines the sample for lexicon candidates: new words (PMI and boundary entropy over character n-grams",
		"the segmenter's dictionary lacks), phrases of negative clauses that match no pain point, terms",
		"rising from the older to the recent half of the sample, and aspects the taxonomy of the selected",
		"packs does not know that the analysis paired with an opinion (with a guessed category). Prints",
		"lexicon lines to review and paste.\n\nflags:")
	sample := fl.String("sample", "", "sample `file`: JSON Lines of feedback messages (created_at enables rising terms) or one text per line (- for stdin)")
	lexDir := fl.String("lexicons", "", "lexicon `dir`ectory over the shipped lexicons (\"\": the shipped ones)")
	pack := fl.String("pack", "", "lexicon packs the sample is analysed with (`NAME[,NAME]`; default the default selection): suggestions are what they miss")
	topN := fl.Int("top", 20, "candidates per section")
	minCount := fl.Int("min-count", 5, "fewest occurrences of a candidate")
	maxRunes := fl.Int("max-len", 4, "longest new word, in characters")
	examples := fl.Int("examples", 2, "example sentences per candidate")
	format := fl.String("format", "tsv", "output `format`: tsv (lexicon lines with comments) or json")
	workers := fl.Int("workers", runtime.GOMAXPROCS(0), "texts analysed in parallel")
	pos, err := parseInterleaved(fl, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	if *sample == "" {
		return fmt.Errorf("%w: --sample is required", errUsage)
	}
	if err := checkFormat(*format, "tsv", "json"); err != nil {
		return err
	}
	if *topN < 1 || *minCount < 1 || *maxRunes < 2 || *workers < 1 {
		return fmt.Errorf("%w: --top, --min-count and --workers must be at least 1, --max-len at least 2", errUsage)
	}
	dir, err := parseLexiconDir(*lexDir)
	if err != nil {
		return err
	}
	packs := lexicons.SplitPacks(*pack)
	set, err := lexicons.LoadPacks(dir.FS(), packs)
	if err != nil {
		return fmt.Errorf("load %s: %w", dir, err)
	}
	// the file of each category of the selection, for the aspect lines of
	// unmapped aspects
	catFiles, err := suggest.CategoryFiles(dir.FS(), packs)
	if err != nil {
		return fmt.Errorf("load %s: %w", dir, err)
	}
	an, seg, err := newAnalyzer(set)
	if err != nil {
		return err
	}
	recs, bad, err := c.readSample(*sample)
	if err != nil {
		return err
	}
	docs := make([]suggest.Doc, 0, len(recs))
	for _, r := range recs {
		text := r.Text
		if len(r.Turns) > 0 {
			var parts []string
			for _, t := range r.Turns {
				if analyzer.IsCustomer(t.Role) {
					parts = append(parts, t.Text)
				}
			}
			text = strings.Join(parts, "\n")
		}
		docs = append(docs, suggest.Doc{Text: text, Time: r.CreatedAt, Rating: r.Rating, Conversational: r.Conversational})
	}
	start := time.Now()
	rep, err := suggest.Mine(ctx, an, seg, set, docs, suggest.Config{Top: *topN, MinCount: *minCount, MaxRunes: *maxRunes,
		Examples: *examples, Workers: *workers, CategoryFiles: catFiles})
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(c.env.Stdout, rep)
	}
	fmt.Fprintf(c.env.Stdout, "# sample: %s (%d unreadable lines skipped); lexicons: %s; mined in %s\n",
		*sample, len(bad), dir, time.Since(start).Round(time.Millisecond))
	return rep.Write(c.env.Stdout)
}
