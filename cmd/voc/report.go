package main

import (
	"bufio"
	"context"
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
	fs := newFlagSet("voc report", c.env, "usage: voc report [--from DATE] [--to DATE] [--format html|md] [-o FILE]\n\nflags:")
	chConfig := chFlags(fs, c.env)
	from := fs.String("from", "", "period start (RFC 3339, or 2006-01-02 in the --tz zone); default the Monday of last week")
	to := fs.String("to", "", "period end, exclusive; default 7 days after --from")
	format := fs.String("format", "html", "html or md")
	out := fs.String("o", "", "write to this `file` instead of stdout")
	tz := fs.String("tz", query.DefaultZone, "IANA time `zone` of the report's days and times (whole-hour offsets)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	zone, err := tzFlag(*tz)
	if err != nil {
		return err
	}
	if *format != "html" && *format != "md" {
		return fmt.Errorf("%w: --format %q is not html or md", errUsage, *format)
	}
	f, err := parseDateFlag("from", *from, zone)
	if err != nil {
		return err
	}
	t, err := parseDateFlag("to", *to, zone)
	if err != nil {
		return err
	}
	f, t = report.DefaultRange(f, t, time.Now(), zone)
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
	rep, err := report.Build(ctx, ch, report.Options{From: f, To: t, Zone: zone})
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
