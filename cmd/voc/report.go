package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/vocproject/voc/report"
	"github.com/vocproject/voc/store/ch/query"
)

// reportCmd is "voc report": the weekly VoC report (VOC周报).
type reportCmd struct{ env env }

func (c *reportCmd) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("voc report", flag.ContinueOnError)
	fs.SetOutput(c.env.Stderr)
	chConfig := chFlags(fs, c.env)
	from := fs.String("from", "", "period start (RFC 3339 or 2006-01-02, UTC); default the Monday of last week")
	to := fs.String("to", "", "period end, exclusive; default 7 days after --from")
	format := fs.String("format", "html", "html or md")
	out := fs.String("o", "", "write to this `file` instead of stdout")
	fs.Usage = func() {
		fmt.Fprintln(c.env.Stderr, "usage: voc report [--from DATE] [--to DATE] [--format html|md] [-o FILE]\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *format != "html" && *format != "md" {
		return fmt.Errorf("%w: --format %q is not html or md", errUsage, *format)
	}
	f, err := parseDay(*from)
	if err != nil {
		return fmt.Errorf("%w: --from: %v", errUsage, err)
	}
	t, err := parseDay(*to)
	if err != nil {
		return fmt.Errorf("%w: --to: %v", errUsage, err)
	}
	f, t = report.DefaultRange(f, t, time.Now())
	if !f.Before(t) {
		return fmt.Errorf("%w: --from %s is not before --to %s", errUsage, f.Format(time.RFC3339), t.Format(time.RFC3339))
	}
	cfg, err := chConfig()
	if err != nil {
		return err
	}
	ch, err := query.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer ch.Close()
	rep, err := report.Build(ctx, ch, report.Options{From: f, To: t})
	if err != nil {
		return err
	}
	var w io.Writer = c.env.Stdout
	if *out != "" {
		file, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("create %s: %w", *out, err)
		}
		defer file.Close()
		w = file
	}
	bw := bufio.NewWriter(w)
	if *format == "md" {
		err = report.Markdown(bw, rep)
	} else {
		err = report.HTML(bw, rep)
	}
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// parseDay reads RFC 3339 or a date at UTC midnight; "" is the zero time.
func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not RFC 3339 or 2006-01-02", s)
	}
	return t, nil
}
