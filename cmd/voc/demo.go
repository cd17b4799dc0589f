package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/internal/broker"
	"github.com/vocproject/voc/internal/config"
	"github.com/vocproject/voc/internal/gen"
	"github.com/vocproject/voc/internal/testinfra/chserver"
	"github.com/vocproject/voc/store/ch"
	"github.com/vocproject/voc/store/ch/query"
	"github.com/vocproject/voc/store/search"
)

// demoCmd runs voc end to end on this machine: an embedded Kafka broker, a
// throwaway local ClickHouse server, a generated month of feedback with an
// injected complaint spike and some malformed messages, the real pipeline,
// and a summary of what product and CS teams would see.
type demoCmd struct{ env env }

type demoOptions struct {
	dir        string
	days       int
	perDay     int
	partitions int
	serve      bool
	seed       int64
	listen     string
	timeout    time.Duration
}

func (c *demoCmd) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("voc demo", c.env, "usage: voc demo [--dir DIR] [--days N] [--per-day N] [--serve]",
		"\nRuns voc end to end on an embedded Kafka broker and a local clickhouse-server with a generated feed.")
	var o demoOptions
	fs.StringVar(&o.dir, "dir", ".voc/demo", "working `directory` for Kafka, ClickHouse and index data (wiped at start)")
	fs.IntVar(&o.days, "days", 28, "days of feedback to generate")
	fs.IntVar(&o.perDay, "per-day", 200, "mean topic mentions per day")
	fs.IntVar(&o.partitions, "partitions", 4, "partitions of the feedback topic")
	fs.Int64Var(&o.seed, "seed", 1, "generator seed")
	fs.BoolVar(&o.serve, "serve", false, "keep running after the summary (Ctrl-C to stop)")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "HTTP `address` of /metrics and /healthz")
	fs.DurationVar(&o.timeout, "timeout", 15*time.Minute, "give up when the feed is not processed within this")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if o.days < 14 || o.perDay <= 0 || o.partitions <= 0 {
		return fmt.Errorf("%w: --days must be at least 14, --per-day and --partitions positive", errUsage)
	}
	return runDemo(ctx, o, c.env.Stdout, c.env.Stderr)
}

func runDemo(ctx context.Context, o demoOptions, stdout, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	say := func(format string, a ...any) { fmt.Fprintf(stdout, format+"\n", a...) }
	if _, err := chserver.Binary(); err != nil {
		return fmt.Errorf("demo needs clickhouse-server (apt-get install clickhouse-server): %w", err)
	}
	if err := os.RemoveAll(o.dir); err != nil {
		return fmt.Errorf("demo: clean %s: %w", o.dir, err)
	}
	start := time.Now()

	say("voc demo — working directory %s", o.dir)
	srv, err := chserver.Start(ctx, chserver.Config{Dir: filepath.Join(o.dir, "clickhouse"), Logger: log})
	if err != nil {
		return err
	}
	defer srv.Stop()
	say("  clickhouse-server   %s (data in %s)", srv.Addr(), srv.Dir())

	cfg := config.Default()
	topic, dlqTopic := cfg.Kafka.Topics[0], cfg.Kafka.DeadLetterTopic
	brk, err := broker.Start(ctx, broker.Config{Dir: filepath.Join(o.dir, "kafka"), Partitions: o.partitions, Topics: []string{topic, dlqTopic}})
	if err != nil {
		return err
	}
	defer brk.Close()
	say("  kafka broker        %s (embedded, topics %s ×%d partitions and %s)", strings.Join(brk.Addrs(), ","), topic, o.partitions, dlqTopic)

	// Generate a month ending today, with a spike of leaking bottles two days ago.
	today := time.Now().In(gen.DefaultStart.Location())
	day0 := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, today.Location()).AddDate(0, 0, -(o.days - 1))
	spike := gen.Spike{Day: o.days - 3, Product: gen.DefaultProducts[0], Category: "质量", Subcategory: "漏液", Factor: 6}
	g, err := gen.New(gen.Config{Seed: o.seed, Start: day0, Days: o.days, PerDay: o.perDay, Spikes: []gen.Spike{spike}})
	if err != nil {
		return err
	}
	// Nothing dated after now: the last day holds the hours so far.
	msgs := slices.DeleteFunc(g.All(), func(m feedback.Message) bool { return m.CreatedAt.After(today) })
	poison := gen.Poison()
	if err := produceDemo(ctx, brk.Addrs(), topic, msgs, poison); err != nil {
		return err
	}
	say("  produced            %d feedback messages over %d days and %d malformed ones to %s", len(msgs), o.days, len(poison), topic)

	cfg.Kafka.Brokers = brk.Addrs()
	cfg.ClickHouse.Addrs = []string{srv.Addr()}
	cfg.Index.Path = filepath.Join(o.dir, "index")
	cfg.HTTP.Listen = o.listen
	cfg.Pipeline.BatchWait = 200 * time.Millisecond
	if err := cfg.Validate(); err != nil {
		return err
	}
	say("  loading lexicons and the segmenter dictionary …")
	d, err := startDaemon(ctx, cfg, true, log)
	if err != nil {
		return err
	}
	runCtx, stopRun := context.WithCancel(ctx)
	runErr := make(chan error, 1)
	go func() { runErr <- d.Run(runCtx) }()
	shutdown := func() error {
		stopRun()
		err := <-runErr
		return errors.Join(err, d.Close())
	}
	if d.addr != "" {
		say("  metrics             http://%s/metrics", d.addr)
	}

	// Wait until every message is in ClickHouse, aggregated (the hourly
	// rollups run after the raw inserts).
	pipeStart := time.Now()
	deadline := time.Now().Add(o.timeout)
	var counts ch.Counts
	for {
		counts, err = d.ch.DB().Counts(ctx)
		if err == nil && counts.DistinctRecords >= uint64(len(msgs)) && counts.HourlyRecords >= uint64(len(msgs)) &&
			counts.PainMentions == counts.CustomerMentions {
			break
		}
		select {
		case err := <-runErr:
			d.Close()
			return fmt.Errorf("demo: pipeline stopped: %v", err)
		case <-ctx.Done():
			shutdown()
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			shutdown()
			return fmt.Errorf("demo: %d of %d records in ClickHouse after %s", counts.DistinctRecords, len(msgs), o.timeout)
		}
	}
	// The index is written in parallel with ClickHouse: wait for it too.
	for d.index != nil {
		n, err := d.index.Count()
		if err == nil && n >= uint64(len(msgs)) {
			break
		}
		if time.Now().After(deadline) {
			shutdown()
			return fmt.Errorf("demo: %d of %d records in the search index after %s", n, len(msgs), o.timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(pipeStart)
	say("  processed           %d records in %s (%.0f records/s end to end, incl. ClickHouse and index writes)",
		counts.DistinctRecords, took.Round(time.Millisecond), float64(counts.DistinctRecords)/took.Seconds())
	dead, err := waitDeadLetters(ctx, brk.Addrs(), dlqTopic, len(poison))
	if err != nil {
		shutdown()
		return err
	}
	say("  dead letters        %d in %s, by reason: %s", len(dead), dlqTopic, countReasons(dead))

	if err := printSummary(ctx, stdout, d, g, spike, today); err != nil {
		shutdown()
		return err
	}
	say("\nEverything took %s.", time.Since(start).Round(time.Second))
	if d.addr != "" {
		say("Dashboard: http://%s/   weekly report (VOC周报): http://%s/report%s", d.addr, d.addr,
			map[bool]string{true: "", false: "   (run ./bin/voc demo --serve to keep them open)"}[o.serve])
	}
	if !o.serve {
		return shutdown()
	}
	say("\nvoc keeps running (--serve): produce more with kcat -P -b %s -t %s; Ctrl-C stops.", brk.Addrs()[0], topic)
	say("Query ClickHouse: clickhouse-client --port %s -d voc", strings.TrimPrefix(srv.Addr(), "127.0.0.1:"))
	<-ctx.Done()
	return shutdown()
}

func produceDemo(ctx context.Context, brokers []string, topic string, msgs []feedback.Message, poison [][]byte) error {
	w := &kafkago.Writer{
		Addr:         kafkago.TCP(brokers...),
		Topic:        topic,
		Balancer:     &kafkago.Hash{},
		BatchSize:    1000,
		BatchBytes:   16 << 20,
		BatchTimeout: 10 * time.Millisecond,
		RequiredAcks: kafkago.RequireAll,
	}
	defer w.Close()
	batch := make([]kafkago.Message, 0, 1000)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := w.WriteMessages(ctx, batch...); err != nil {
			return fmt.Errorf("demo: produce %d messages: %w", len(batch), err)
		}
		batch = batch[:0]
		return nil
	}
	for i := range msgs {
		v, err := msgs[i].MarshalWith(nil)
		if err != nil {
			return err
		}
		batch = append(batch, kafkago.Message{Key: []byte(msgs[i].ID), Value: v})
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	for i, p := range poison {
		batch = append(batch, kafkago.Message{Key: fmt.Appendf(nil, "poison-%d", i), Value: p})
	}
	return flush()
}

// waitDeadLetters reads the dead-letter topic until it holds n messages
// (the dead-letter sink writes in parallel with ClickHouse).
func waitDeadLetters(ctx context.Context, brokers []string, topic string, n int) ([]kafkago.Message, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		out, err := readTopic(ctx, brokers, topic)
		if err == nil && len(out) >= n {
			return out, nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("%d dead letters in %s, want %d", len(out), topic, n)
			}
			return out, fmt.Errorf("demo: read dead letters: %w", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// readTopic reads every message of topic present now.
func readTopic(ctx context.Context, brokers []string, topic string) ([]kafkago.Message, error) {
	client := &kafkago.Client{Addr: kafkago.TCP(brokers...), Timeout: 10 * time.Second}
	md, err := client.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, err
	}
	req := &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{}}
	for _, t := range md.Topics {
		for _, p := range t.Partitions {
			req.Topics[topic] = append(req.Topics[topic], kafkago.LastOffsetOf(p.ID))
		}
	}
	offs, err := client.ListOffsets(ctx, req)
	if err != nil {
		return nil, err
	}
	var out []kafkago.Message
	for _, po := range offs.Topics[topic] {
		if po.Error != nil {
			return nil, po.Error
		}
		if po.LastOffset == 0 {
			continue
		}
		r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: brokers, Topic: topic, Partition: po.Partition, MaxWait: 100 * time.Millisecond})
		for {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				r.Close()
				return nil, err
			}
			out = append(out, m)
			if m.Offset+1 >= po.LastOffset {
				break
			}
		}
		r.Close()
	}
	return out, nil
}

func countReasons(msgs []kafkago.Message) string {
	n := map[string]int{}
	var order []string
	for _, m := range msgs {
		r := "?"
		for _, h := range m.Headers {
			if h.Key == "voc-reason" {
				r = string(h.Value)
			}
		}
		if n[r] == 0 {
			order = append(order, r)
		}
		n[r]++
	}
	var parts []string
	for _, r := range order {
		parts = append(parts, fmt.Sprintf("%s %d", r, n[r]))
	}
	return strings.Join(parts, ", ")
}

func printSummary(ctx context.Context, w io.Writer, d *daemon, g *gen.Generator, spike gen.Spike, today time.Time) error {
	ch := d.q
	end := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, today.Location()).AddDate(0, 0, 1)
	weekAgo := end.AddDate(0, 0, -7)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "\n== Top pain points, last 7 days (%s – %s)\n", weekAgo.Format("01-02"), end.AddDate(0, 0, -1).Format("01-02"))
	top, err := ch.TopPainPoints(ctx, weekAgo, end, 8)
	if err != nil {
		return err
	}
	fmt.Fprintln(tw, "  pain point\tmentions\trecords\tavg sentiment")
	for _, p := range top {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%+.2f\n", p.Key(), p.Mentions, p.Records, p.AvgSentiment)
	}
	tw.Flush()

	fmt.Fprintln(w, "\n== Rising pain points, last 7 days vs the 7 before")
	rising, err := ch.RisingPainPoints(ctx, weekAgo, end, 5)
	if err != nil {
		return err
	}
	fmt.Fprintln(tw, "  pain point\tthis week\tlast week\tgrowth")
	for _, p := range rising {
		fmt.Fprintf(tw, "  %s/%s\t%d\t%d\t×%.2f\n", p.Category, p.Subcategory, p.Current, p.Previous, p.Growth)
	}
	tw.Flush()

	fmt.Fprintln(w, "\n== Sentiment by channel, last 7 days")
	chans, err := ch.SentimentByChannel(ctx, weekAgo, end)
	if err != nil {
		return err
	}
	fmt.Fprintln(tw, "  channel\trecords\tnegative share\tavg sentiment\tescalations")
	for _, c := range chans {
		fmt.Fprintf(tw, "  %s\t%d\t%.1f%%\t%+.2f\t%d\n", c.Channel, c.Records, 100*c.NegativeShare, c.AvgSentiment, c.Escalations)
	}
	tw.Flush()

	vip, err := ch.VIPComplaintShare(ctx, weekAgo, end)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n== VIP customers: %.1f%% of complaints (%d of %d) from %.1f%% of feedback\n",
		100*vip.Share, vip.VIPComplaints, vip.Complaints, 100*vip.VIPRecordShare)

	// What changed: the alert detector per day over the dashboard's range,
	// most excess records first (what the dashboard and the report open on).
	zone, err := d.cfg.HTTP.Zone()
	if err != nil {
		return err
	}
	from, to := query.DefaultRange(time.Time{}, end, time.Time{}, time.Time{}, zone)
	changes, err := ch.Changes(ctx, query.Filter{From: from, To: to, Zone: zone}, 5)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n== What changed, %s – %s (each day against the %d days before it)\n", changes.From.Format("01-02"), changes.To.AddDate(0, 0, -1).Format("01-02"),
		int(query.ChangesDetector.WithDefaults().Lookback.Hours()/24))
	for i, c := range changes.Items {
		what := c.Key()
		if what == "" {
			what = "sentiment"
		}
		for _, v := range []string{c.Product, c.Channel} {
			if v != "" {
				what += " · " + v
			}
		}
		switch c.Kind {
		case "sentiment_drop":
			fmt.Fprintf(w, "  %d. %s: mean sentiment %+.2f on %s, usually %+.2f (%d records)\n", i+1, what, c.Observed, c.From.Format("01-02"), c.Usual, c.Records)
		case "new_pain_point":
			fmt.Fprintf(w, "  %d. %s: %.0f records on %s, none in the 28 days before (new)\n", i+1, what, c.Observed, c.From.Format("01-02"))
		default:
			fmt.Fprintf(w, "  %d. %s: %.0f records on %s, usually %.1f a day\n", i+1, what, c.Observed, c.From.Format("01-02"), c.Usual)
		}
	}
	if len(changes.Items) == 0 {
		fmt.Fprintln(w, "  nothing significant")
	}

	start := end.AddDate(0, 0, -g.Config().Days)
	spikes, err := ch.Spikes(ctx, start, end)
	if err != nil {
		return err
	}
	spikeDay := g.Config().Start.AddDate(0, 0, spike.Day)
	fmt.Fprintf(w, "\n== Daily spikes (z ≥ 3) — injected: %s/%s for %s on %s\n", spike.Category, spike.Subcategory, spike.Product, spikeDay.Format("2006-01-02"))
	fmt.Fprintln(tw, "  day\tproduct\tpain point\tcount\tbaseline\tz")
	for i, s := range spikes {
		if i == 5 {
			break
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s/%s\t%d\t%.1f\t%.1f\n", s.Day.Format("2006-01-02"), s.Product, s.Category, s.Subcategory, s.Count, s.Mean, s.Z)
	}
	tw.Flush()

	if d.index != nil {
		q := search.Query{PainPoint: spike.Category + "/" + spike.Subcategory, Product: spike.Product,
			From: spikeDay, To: spikeDay.AddDate(0, 0, 1), Size: 3}
		res, err := d.index.Search(ctx, q)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\n== Drill-down: what customers said (search index: %s, %s, %s), %d verbatims; newest %d:\n",
			q.PainPoint, spike.Product, spikeDay.Format("2006-01-02"), res.Total, len(res.Hits))
		for _, h := range res.Hits {
			fmt.Fprintf(w, "  [%s] %s\n", h.ID, h.Text)
		}
	}
	return nil
}
