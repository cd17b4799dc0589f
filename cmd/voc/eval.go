package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/lexicons/tools/eval"
	"github.com/vocproject/voc/lexicons/tools/learn"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
	"github.com/vocproject/voc/nlp/segment"
)

// evalCmd evaluates sentiment and pain-point accuracy on the public labelled
// data (--data), and topics per pack on the hand-labelled samples of
// testdata/aspect-eval (--aspect-samples), which need no other data.
type evalCmd struct{ env env }

func (c *evalCmd) Run(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("eval", flag.ContinueOnError)
	fl.SetOutput(c.env.Stderr)
	data := fl.String("data", "", "data directory (holding sentiment/, aspects/); without it only the pack samples are evaluated")
	samples := fl.String("aspect-samples", eval.PackSamplesDir, "`directory` of the hand-labelled topic samples, one <pack>.tsv per pack (skipped when absent; \"\": not evaluated)")
	samplesOnly := fl.Bool("pack-samples-only", false, "evaluate the pack samples only (seconds; no --data needed)")
	verbose := fl.Bool("v", false, "list in the report every pack-sample text whose topics voc got wrong")
	mistakes := fl.String("pack-mistakes", "", "write the pack-sample texts whose topics voc got wrong to this TSV `file`")
	format := fl.String("format", "markdown", "output `format`: markdown, or json (one line per pack sample: the closing numbers; --out still gets the Markdown)")
	out := fl.String("out", "", "also write the Markdown report to this file")
	lexDir := fl.String("lexicons", "", "lexicon directory over the embedded lexicons")
	pack := fl.String("pack", "", "lexicon packs for the sentiment and zhijiang evaluation (`NAME[,NAME]`; default "+strings.Join(lexicons.DefaultPacks, ",")+"); each labelled pack sample is evaluated with the packs its file names")
	folds := fl.Int("folds", 5, "cross-validation folds")
	workers := fl.Int("workers", 2, "segmentation goroutines")
	l2 := fl.Float64("l2", 0, "L2 regularisation (0: default)")
	skips := fl.Bool("skips", true, "learn pairs of words one thin word apart (X+_+Y) too")
	setCap := fl.Int("set-cap", 0, fmt.Sprintf("weigh a training set larger than this many texts down to it (0: %d; -1: no cap)", learn.DefaultSetCap))
	minCount := fl.Int("min-count", 0, "drop features in fewer training texts (0: default)")
	bigrams := fl.Bool("bigrams", true, "learn word-pair features too")
	chars := fl.Bool("chars", false, "learn character-pair features too")
	if err := parseNoArgs(fl, args); err != nil {
		return err
	}
	if err := checkFormat(*format, "markdown", "json"); err != nil {
		return err
	}
	if *samplesOnly && *samples == "" {
		return fmt.Errorf("%w: --pack-samples-only needs --aspect-samples", errUsage)
	}
	samplesSet := false
	fl.Visit(func(f *flag.Flag) { samplesSet = samplesSet || f.Name == "aspect-samples" })
	log := slog.New(slog.NewTextHandler(c.env.Stderr, nil))

	// The pack samples first: their analyzers are released before the
	// sentiment evaluation builds its own.
	var packs []*eval.PackResult
	if *samples != "" {
		rs, err := eval.PackSamples(ctx, eval.PackConfig{Dir: *samples, Lexicons: lexicons.Dir(*lexDir), Logger: log})
		switch {
		case errors.Is(err, eval.ErrNoData) && !samplesSet && !*samplesOnly:
			log.Warn("eval: no pack samples, skipped (run from the repository root or give --aspect-samples)", "dir", *samples)
		case err != nil:
			return fmt.Errorf("pack samples: %w", err)
		default:
			packs = rs
		}
	}

	var parts []string
	if !*samplesOnly {
		md, err := c.dataReport(ctx, *data, *lexDir, *pack, log, func(cfg *eval.Config) {
			cfg.Folds, cfg.Workers = *folds, *workers
			cfg.Learn.L2, cfg.Learn.MinCount, cfg.Learn.Bigrams, cfg.Learn.Chars = *l2, *minCount, *bigrams, *chars
			cfg.SetCap = *setCap
			cfg.Learn.Skips = *skips
		})
		if err != nil {
			return err
		}
		if md != "" {
			parts = append(parts, md)
		}
	}
	if len(packs) > 0 {
		parts = append(parts, eval.PackMarkdown(packs, *verbose))
		if *mistakes != "" {
			if err := os.WriteFile(*mistakes, []byte(eval.PackMistakesTSV(packs)), 0o644); err != nil {
				return fmt.Errorf("write pack mistakes: %w", err)
			}
		}
	}
	if len(parts) == 0 {
		fmt.Fprintln(c.env.Stdout, "voc eval: no labelled data found (--data, --aspect-samples); nothing evaluated")
		return nil
	}
	md := strings.Join(parts, "\n")
	if *format == "json" {
		fmt.Fprint(c.env.Stdout, eval.PackJSONLines(packs))
	} else {
		fmt.Fprint(c.env.Stdout, md)
	}
	if *out != "" {
		if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	return nil
}

// dataReport runs the sentiment and 之江杯 evaluations on the public data in
// data and returns their Markdown; "" (with a note) when data is not given
// or not there.
func (c *evalCmd) dataReport(ctx context.Context, data, lexDir, pack string, log *slog.Logger, tune func(*eval.Config)) (string, error) {
	if data == "" {
		log.Info("eval: no --data: sentiment and 之江杯 aspect evaluation skipped")
		return "", nil
	}
	if st, err := os.Stat(data); err != nil || !st.IsDir() {
		log.Warn("eval: data directory not found; sentiment and 之江杯 aspect evaluation skipped (get the public data sets described in docs)", "dir", data)
		return "", nil
	}
	set, err := lexicons.LoadDefaultPacks(lexDir, lexicons.SplitPacks(pack))
	if err != nil {
		return "", fmt.Errorf("load lexicons: %w", err)
	}
	seg, err := segment.New(set.Domain)
	if err != nil {
		return "", err
	}
	cfg := eval.Config{DataDir: data, Lexicons: set, Seg: seg, Logger: log}
	tune(&cfg)
	rep, err := eval.Run(ctx, cfg)
	if errors.Is(err, eval.ErrNoData) {
		// No sentiment sets: the pain-point set may still be there.
		if md := aspectReport(ctx, data, set, log); md != "" {
			return md, nil
		}
		log.Warn("eval: nothing evaluated in the data directory", "err", err)
		return "", nil
	}
	if err != nil {
		return "", err
	}
	rep.Aspects = aspectReport(ctx, data, set, log)
	return rep.Markdown(), nil
}

// aspectReport runs the pain-point evaluation on the 之江杯 2019 set when
// data holds it, and returns its Markdown ("" when the set is absent).
func aspectReport(ctx context.Context, data string, set *lexicons.Set, log *slog.Logger) string {
	dir := filepath.Join(data, eval.AspectDir)
	if _, err := os.Stat(dir); err != nil {
		log.Warn("eval: aspect set missing, skipped", "dir", dir)
		return ""
	}
	// The production analyzer, so that the numbers are those of voc run.
	an, err := analyzer.New(set, nil)
	if err != nil {
		log.Error("eval: aspects", "err", err)
		return ""
	}
	rep, err := eval.Aspects(ctx, dir, func(text string) []nlp.Aspect { return an.Analyze(text, nlp.Options{}).Aspects })
	if err != nil {
		log.Error("eval: aspects", "err", err)
		return ""
	}
	frag, err := eval.Fragments(ctx, dir, func(text string) string { return an.Analyze(text, nlp.Options{}).Sentiment.Label })
	if err != nil {
		log.Error("eval: fragments", "err", err)
		return rep.Markdown()
	}
	return rep.Markdown() + frag.Markdown()
}
