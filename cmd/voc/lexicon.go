package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/lexicons/tools/learn"
	"github.com/vocproject/voc/nlp/segment"
	"github.com/vocproject/voc/nlp/sentiment"
)

// lexiconCmd holds the lexicon tools of data engineers: learn, validate,
// test, diff and suggest.
type lexiconCmd struct{ env env }

const lexiconUsage = `usage: voc lexicon <subcommand> [flags] [args]

subcommands:
  validate [DIR]               check the lexicons (DIR over the shipped ones): errors and warnings by file:line
  test [DIR]                   run the #test lines of the lexicon files
  diff OLD NEW --sample FILE   which records of a sample change tags or sentiment between two lexicon dirs
  suggest --sample FILE        mine a sample for new words, uncovered complaint phrases and rising terms
  learn --data FILE --out DIR  learn sentiment weights from labelled data

DIR, OLD and NEW are lexicon directories overlaid on the shipped lexicons (as with --lexicons);
"embedded" names the shipped lexicons alone. "voc lexicon <subcommand> -h" describes the flags.
`

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (c *lexiconCmd) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.env.Stderr, lexiconUsage)
		return fmt.Errorf("%w: want a subcommand", errUsage)
	}
	switch args[0] {
	case "learn":
		return c.learn(ctx, args)
	case "validate":
		return c.validate(ctx, args[1:])
	case "test":
		return c.test(ctx, args[1:])
	case "diff":
		return c.diff(ctx, args[1:])
	case "suggest":
		return c.suggest(ctx, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(c.env.Stdout, lexiconUsage)
		return nil
	}
	fmt.Fprint(c.env.Stderr, lexiconUsage)
	return fmt.Errorf("%w: unknown subcommand %q", errUsage, args[0])
}

// learn is "voc lexicon learn".
func (c *lexiconCmd) learn(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("lexicon learn", flag.ContinueOnError)
	fl.SetOutput(c.env.Stderr)
	var data multiFlag
	fl.Var(&data, "data", "labelled CSV, TSV or JSONL file (repeatable)")
	textCol := fl.String("text-col", "review,text_a,text", "text column (comma-separated alternatives)")
	labelCol := fl.String("label-col", "label", "label column (1/0, positive/negative)")
	outDir := fl.String("out", "", "directory to write "+lexicons.LearnedFile+" into")
	lexDir := fl.String("lexicons", "", "lexicon directory over the embedded lexicons (hand-written part)")
	minCount := fl.Int("min-count", 0, "drop features in fewer training texts (0: 3)")
	l2 := fl.Float64("l2", 0, "L2 regularisation (0: 0.03)")
	epochs := fl.Int("epochs", 0, "epochs (0: 4)")
	bigrams := fl.Bool("bigrams", true, "learn word-pair features too")
	chars := fl.Bool("chars", false, "learn character-pair features too")
	skips := fl.Bool("skips", true, "learn pairs of words one thin word apart (X+_+Y) too")
	minWeight := fl.Float64("min-weight", 0, "drop learned weights below this in absolute value (0: 0.05)")
	minSupport := fl.Int("min-support", 0, "drop features in fewer texts from the output (0: 5)")
	workers := fl.Int("workers", 2, "segmentation goroutines")
	setCap := fl.Int("set-cap", learn.DefaultSetCap, "weigh a data file of more texts down to this many, so that one large file does not drown the others (0: no cap)")
	provenance := fl.String("provenance", "", "provenance column of every entry (default: the data file names)")
	if err := fl.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if len(data) == 0 || *outDir == "" {
		return fmt.Errorf("%w: --data and --out are required", errUsage)
	}
	cfg := learn.Config{MinCount: *minCount, L2: *l2, Epochs: *epochs, Bigrams: *bigrams, Chars: *chars, Skips: *skips}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	set, err := lexicons.LoadDefault(*lexDir)
	if err != nil {
		return fmt.Errorf("load lexicons: %w", err)
	}
	var ex []learn.Example
	var weights []float32 // per example
	var names []string
	for _, p := range data {
		e, err := learn.ReadFile(p, *textCol, *labelCol)
		if err != nil {
			return err
		}
		ex = append(ex, e...)
		w := learn.SetWeight(len(e), *setCap)
		for range e {
			weights = append(weights, w)
		}
		name := fmt.Sprintf("%s (%d texts)", filepath.Base(p), len(e))
		if w != 1 {
			name = fmt.Sprintf("%s (%d texts, weight %.3g)", filepath.Base(p), len(e), w)
		}
		names = append(names, name)
	}
	seg, err := segment.New(set.Domain)
	if err != nil {
		return err
	}
	sc := sentiment.New(set.Sentiment.HandOnly())
	prep := learn.Prep{Seg: seg, Markers: sentiment.Markers(set.Sentiment)}
	texts := make([]string, len(ex))
	for i, e := range ex {
		texts[i] = e.Text
	}
	prepared := prep.PrepareAll(texts, *workers)
	if err := ctx.Err(); err != nil {
		return err
	}
	v := learn.NewVocab()
	docs := make([]learn.Doc, len(ex))
	for i, p := range prepared {
		docs[i] = v.Featurize(sc, p.Tokens, p.Clauses, ex[i].Label)
		docs[i].Weight = weights[i]
	}
	m, err := learn.Train(docs, nil, v, cfg)
	if err != nil {
		return err
	}
	prov := *provenance
	if prov == "" {
		var short []string
		for _, p := range data {
			b := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
			b, _, _ = strings.Cut(b, "_")
			short = append(short, b)
		}
		prov = "lr:" + strings.Join(short, "+")
	}
	entries := m.Entries(v, learn.Prune{MinWeight: *minWeight, MinSupport: *minSupport}, prov)
	full := cfg.WithDefaults()
	header := []string{
		"source: learned by \"voc lexicon learn\" (L2-regularised logistic regression over the features of nlp/sentiment)",
		"source: data: " + strings.Join(names, ", "),
		fmt.Sprintf("learned: %s; min-count %d, l2 %g, epochs %d, rate %g, bigrams %t, skips %t, set-cap %d; pruned |weight| < %g, support < %d",
			time.Now().UTC().Format("2006-01-02"), full.MinCount, full.L2, full.Epochs, full.Rate, full.Bigrams, full.Skips, *setCap, nzf(*minWeight, 0.05), nz(*minSupport, 5)),
		"columns: term, weight (log-odds of positive), support (training texts holding it), provenance",
		"terms: X word, X+Y adjacent words, X+_+Y words one word apart, 不|X word in a negation scope, 首|X word of the first of several clauses, <bias> <lexicon> <lexicon-> <cues> <sarcasm> model coefficients",
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", *outDir, err)
	}
	path := filepath.Join(*outDir, lexicons.LearnedFile)
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := learn.WriteTSV(f, header, entries); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintf(c.env.Stdout, "wrote %s: %d entries from %d texts\n", path, len(entries), len(ex))
	return nil
}

func nz(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func nzf(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}
