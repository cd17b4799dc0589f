package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/lexicons/tools/diff"
	"github.com/vocproject/voc/nlp/analyzer"
)

// diff is "voc lexicon diff OLD NEW --sample FILE".
func (c *lexiconCmd) diff(ctx context.Context, args []string) error {
	fl := newFlagSet("voc lexicon diff", c.env,
		"usage: voc lexicon diff OLD NEW --sample FILE [--examples N] [--format text|json] [--workers N]",
		"\nAnalyses every record of the sample with the lexicons OLD and NEW (directories over the shipped",
		"lexicons; \"embedded\" is the shipped lexicons alone) and reports the records whose tags or sentiment",
		"label change: counts per category and point (pain and praise points added or removed), label flips",
		"and examples.\n\nflags:")
	sample := fl.String("sample", "", "sample `file`: JSON Lines of feedback messages or one text per line (- for stdin)")
	examples := fl.Int("examples", 3, "examples shown per point and per label flip")
	format := fl.String("format", "text", "output `format`: text or json")
	workers := fl.Int("workers", runtime.GOMAXPROCS(0), "records analysed in parallel")
	pos, err := parseInterleaved(fl, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fl.Usage()
		return fmt.Errorf("%w: want OLD and NEW lexicon directories, got %d arguments", errUsage, len(pos))
	}
	if *sample == "" {
		return fmt.Errorf("%w: --sample is required", errUsage)
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	if *workers < 1 {
		return fmt.Errorf("%w: --workers must be at least 1", errUsage)
	}
	if *examples < 0 {
		*examples = 0
	}
	dirs := make([]lexiconDir, 2)
	ans := make([]*analyzer.Analyzer, 2)
	start := time.Now()
	for i, arg := range pos {
		if dirs[i], err = parseLexiconDir(arg); err != nil {
			return err
		}
		set, err := lexicons.Load(dirs[i].FS())
		if err != nil {
			return fmt.Errorf("load %s: %w", dirs[i], err)
		}
		if ans[i], _, err = newAnalyzer(set); err != nil { // the dictionary loads once per process
			return err
		}
	}
	loaded := time.Since(start)
	recs, bad, err := c.readSample(*sample)
	if err != nil {
		return err
	}
	start = time.Now()
	ex := *examples
	if ex == 0 {
		ex = -1
	}
	rep, err := diff.Compare(ctx, ans[0], ans[1], recs, diff.Config{Workers: *workers, Examples: ex})
	if err != nil {
		return err
	}
	took := time.Since(start)
	if *format == "json" {
		out := struct {
			Old        string `json:"old"`
			New        string `json:"new"`
			Sample     string `json:"sample"`
			BadLines   int    `json:"bad_lines"`
			AnalysisMS int64  `json:"analysis_ms"`
			*diff.Report
		}{dirs[0].Dir, dirs[1].Dir, *sample, len(bad), took.Milliseconds(), rep}
		if out.Old == "" {
			out.Old = embeddedName
		}
		if out.New == "" {
			out.New = embeddedName
		}
		return writeJSON(c.env.Stdout, out)
	}
	fmt.Fprintf(c.env.Stdout, "old: %s (version %s)\nnew: %s (version %s)\n", dirs[0], rep.OldVersion, dirs[1], rep.NewVersion)
	fmt.Fprintf(c.env.Stdout, "sample: %s, %d records", *sample, len(recs))
	if len(bad) > 0 {
		fmt.Fprintf(c.env.Stdout, ", %d unreadable lines skipped (the first: %v)", len(bad), bad[0])
	}
	fmt.Fprintf(c.env.Stdout, "; lexicons loaded in %s, analysed twice in %s\n", loaded.Round(time.Millisecond), took.Round(time.Millisecond))
	return rep.WriteText(c.env.Stdout)
}

// readSample reads a sample file ("-" is stdin).
func (c *lexiconCmd) readSample(path string) ([]diff.Record, []*diff.LineError, error) {
	in := c.env.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, fmt.Errorf("sample: %w", err)
		}
		defer f.Close()
		in = f
	}
	recs, bad, err := diff.ReadSample(in, 0)
	if err != nil {
		return nil, nil, err
	}
	if len(recs) == 0 {
		return nil, nil, errors.New("sample: no records")
	}
	return recs, bad, nil
}
