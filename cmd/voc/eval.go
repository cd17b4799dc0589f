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

	"github.com/vocproject/voc/internal/eval"
	"github.com/vocproject/voc/internal/learn"
	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
	"github.com/vocproject/voc/nlp/segment"
)

// evalCmd evaluates sentiment (and, when built, pain-point) accuracy on the
// public labelled data.
type evalCmd struct{ env env }

func (c *evalCmd) Run(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("eval", flag.ContinueOnError)
	fl.SetOutput(c.env.Stderr)
	data := fl.String("data", "", "data directory (holding sentiment/, aspects/)")
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
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if *data == "" {
		return fmt.Errorf("%w: --data is required", errUsage)
	}
	if st, err := os.Stat(*data); err != nil || !st.IsDir() {
		fmt.Fprintf(c.env.Stdout, "voc eval: data directory %s not found; nothing evaluated (get the public data sets described in docs)\n", *data)
		return nil
	}
	log := slog.New(slog.NewTextHandler(c.env.Stderr, nil))
	set, err := lexicons.LoadDefaultPacks(*lexDir, lexicons.SplitPacks(*pack))
	if err != nil {
		return fmt.Errorf("load lexicons: %w", err)
	}
	seg, err := segment.New(set.Domain)
	if err != nil {
		return err
	}
	cfg := eval.Config{DataDir: *data, Folds: *folds, Workers: *workers, Lexicons: set, Seg: seg, Logger: log}
	cfg.Learn.L2, cfg.Learn.MinCount, cfg.Learn.Bigrams, cfg.Learn.Chars = *l2, *minCount, *bigrams, *chars
	cfg.SetCap = *setCap
	cfg.Learn.Skips = *skips
	rep, err := eval.Run(ctx, cfg)
	if errors.Is(err, eval.ErrNoData) {
		// No sentiment sets: the pain-point set may still be there.
		if md := aspectReport(ctx, *data, set, log); md != "" {
			fmt.Fprint(c.env.Stdout, md)
			return nil
		}
		fmt.Fprintf(c.env.Stdout, "voc eval: %v; nothing evaluated\n", err)
		return nil
	}
	if err != nil {
		return err
	}
	rep.Aspects = aspectReport(ctx, *data, set, log)
	md := rep.Markdown()
	fmt.Fprint(c.env.Stdout, md)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	return nil
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
	return rep.Markdown()
}
