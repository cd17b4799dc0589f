package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vocproject/voc/alerts"
	"github.com/vocproject/voc/api"
	"github.com/vocproject/voc/internal/backoff"
	"github.com/vocproject/voc/internal/broker"
	"github.com/vocproject/voc/internal/config"
	"github.com/vocproject/voc/internal/tick"
	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
	"github.com/vocproject/voc/nlp/chat"
	"github.com/vocproject/voc/nlp/segment"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/pipeline/enrich"
	"github.com/vocproject/voc/sinks/bleve"
	"github.com/vocproject/voc/sinks/clickhouse"
	"github.com/vocproject/voc/store/ch"
	"github.com/vocproject/voc/store/ch/query"
)

// newLogger builds the process logger from the log section.
func newLogger(w io.Writer, c config.Log) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// nlpState is the loaded lexicons, segmenter and analyzer of the process.
// The gse dictionary is loaded once per process; a reload builds a new
// segmenter and analyzer and swaps them in.
type nlpState struct {
	mu    sync.Mutex
	dir   string
	packs []string // the pack selection (nil: the default)
	seg   *segment.Holder
	stage *enrich.Stage
	log   *slog.Logger
}

// loadNLP loads the lexicons (shipped, overlaid by dir) and builds the
// analysis stage.
func loadNLP(dir string, packs []string, maxBytes int, log *slog.Logger) (*nlpState, error) {
	start := time.Now()
	an, seg, err := buildAnalyzer(dir, packs, nil)
	if err != nil {
		return nil, err
	}
	log.Info("nlp: loaded lexicons", "version", an.Version(), "overlay", dir, "packs", packsOrDefault(packs), "took", time.Since(start).Round(time.Millisecond))
	return &nlpState{dir: dir, packs: packs, seg: seg, stage: enrich.New(an, maxBytes), log: log}, nil
}

func buildAnalyzer(dir string, packs []string, holder *segment.Holder) (enrich.Analyzer, *segment.Holder, error) {
	set, err := lexicons.LoadDefaultPacks(dir, packs)
	if err != nil {
		return nil, nil, err
	}
	seg, err := segment.New(set.Domain)
	if err != nil {
		return nil, nil, fmt.Errorf("segmenter: %w", err)
	}
	if holder == nil {
		holder = segment.NewHolder(seg)
	} else {
		holder.Swap(seg)
	}
	an, err := analyzer.New(set, holder)
	if err != nil {
		return nil, nil, err
	}
	return enrich.WithChat(an, chat.New(set.Compliance)), holder, nil
}

// newAnalyzer builds the analyzer of set over a segmenter of its domain
// words, and returns the segmenter too.
func newAnalyzer(set *lexicons.Set) (*analyzer.Analyzer, *segment.Segmenter, error) {
	seg, err := segment.New(set.Domain)
	if err != nil {
		return nil, nil, err
	}
	an, err := analyzer.New(set, segment.NewHolder(seg))
	if err != nil {
		return nil, nil, err
	}
	return an, seg, nil
}

// reload validates and loads the lexicon directory again and swaps the new
// analyzer in; on error the old one stays.
func (n *nlpState) reload() (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	start := time.Now()
	set, err := lexicons.LoadDefaultPacks(n.dir, n.packs)
	if err != nil {
		n.log.Error("nlp: reload rejected, keeping the current lexicons", "err", err)
		return "", err
	}
	if v := n.stage.Analyzer().Version(); v == set.Version {
		n.log.Info("nlp: lexicons unchanged", "version", v)
		return v, nil
	}
	base, seg, err := newAnalyzer(set)
	if err != nil {
		return "", err
	}
	an := enrich.WithChat(base, chat.New(set.Compliance))
	old := n.stage.Analyzer().Version()
	n.stage.Swap(an)
	n.seg.Swap(seg) // the search index analyzer follows
	n.log.Info("nlp: lexicons reloaded", "version", an.Version(), "previous", old, "took", time.Since(start).Round(time.Millisecond))
	return an.Version(), nil
}

// watch reloads the lexicons when a file of the overlay directory changes
// (name, size or modification time), polling every interval.
func (n *nlpState) watch(ctx context.Context, interval time.Duration) {
	if n.dir == "" || interval <= 0 {
		return
	}
	last := fingerprint(n.dir)
	tick.Every(ctx, interval, func() {
		fp := fingerprint(n.dir)
		if fp == last {
			return
		}
		last = fp
		n.log.Info("nlp: lexicon directory changed, reloading", "dir", n.dir)
		n.reload()
	})
}

// fingerprint names, sizes and modification times of the files of dir and
// of its packs (packs/NAME/...), so that editing a pack reloads too.
func fingerprint(dir string) string {
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if rel, _ := filepath.Rel(dir, path); rel != "." && rel != lexicons.PacksDir && filepath.Dir(rel) != lexicons.PacksDir {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		fmt.Fprintf(&b, "%s %d %d\n", rel, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return "error: " + err.Error()
	}
	return b.String()
}

// openClickHouse opens the sink, waiting for the server with backoff
// (ClickHouse may start after voc), and migrates when asked.
func openClickHouse(ctx context.Context, cfg ch.Config, migrate bool, log *slog.Logger) (*clickhouse.Sink, error) {
	bo := backoff.Backoff{Initial: 500 * time.Millisecond, Max: 10 * time.Second, Jitter: 0.2}
	for {
		s, err := clickhouse.Open(ctx, cfg, log)
		if err == nil {
			if migrate {
				if err := s.Migrate(ctx); err != nil {
					s.Close(context.Background())
					return nil, err
				}
			}
			return s, nil
		}
		var ce *ch.ConfigError
		if errors.As(err, &ce) || ctx.Err() != nil {
			return nil, err
		}
		wait := bo.Next()
		log.Warn("clickhouse: not reachable, retrying", "err", err, "in", wait)
		if cerr := backoff.Sleep(ctx, wait); cerr != nil {
			return nil, fmt.Errorf("clickhouse: open: %w (last error: %v)", cerr, err)
		}
	}
}

// daemon is a running pipeline: Kafka → enrich → ClickHouse + index, dead
// letters to Kafka, with the HTTP endpoints.
type daemon struct {
	cfg    config.Config
	log    *slog.Logger
	nlp    *nlpState
	ch     *clickhouse.Sink
	q      *query.Store // reads through ch's connection
	index  *bleve.Sink
	dlq    pipeline.Sink
	src    pipeline.Source
	runner *pipeline.Runner
	// indexSrc and indexRunner feed the index in replica mode: every
	// partition, in a consumer group of the index's own.
	indexSrc    pipeline.Source
	indexRunner *pipeline.Runner
	reg         *prometheus.Registry
	http        *http.Server
	addr        string // bound HTTP address
	ready       atomic.Bool
	// failed is set when a permanent sink error stopped the pipeline: the
	// process stays up, not ready, until it is stopped.
	failed atomic.Bool
	opened []pipeline.Sink // to close, in the order opened
	brk    *broker.Broker  // the embedded broker, when enabled

	alerts     *alerts.Service // nil unless alerts.enabled
	alertStore *alerts.Store

	stopCatchUp func() // stops the periodic hourly catch-up and waits for it
}

// startDaemon opens everything (sinks first, then the source) and starts
// the HTTP listener. Run runs the pipeline; Close releases everything.
func startDaemon(ctx context.Context, cfg config.Config, migrate bool, log *slog.Logger) (_ *daemon, err error) {
	d := &daemon{cfg: cfg, log: log, reg: prometheus.NewRegistry()}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	d.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if d.nlp, err = loadNLP(cfg.NLP.Lexicons, cfg.NLP.Packs, cfg.NLP.MaxMessageBytes, log); err != nil {
		return nil, err
	}
	if d.ch, err = openClickHouse(ctx, cfg.ClickHouse, migrate, log); err != nil {
		return nil, err
	}
	d.opened = append(d.opened, d.ch)
	// Hourly rollups overlap the next batch; rows a previous process stored
	// but did not aggregate are caught up meanwhile, and every
	// clickhouse.catch_up_interval (rows of a process that died after this
	// one started, in a partition that gets no more records).
	d.ch.AsyncRollups()
	catchUp, stopCatchUp := context.WithCancel(ctx)
	caughtUp := make(chan struct{})
	go func() {
		defer close(caughtUp)
		d.ch.CatchUpEvery(catchUp, cfg.ClickHouse.WithDefaults().CatchUpInterval, func(err error) {
			log.Warn("clickhouse: hourly catch-up failed; the next batch of each partition and the next catch-up retry", "err", err)
		})
	}()
	d.stopCatchUp = func() { stopCatchUp(); <-caughtUp }
	d.q = query.New(d.ch.DB())
	// clickhouse.IsRetryable tells the runner which errors to retry.
	sinks := []pipeline.Sink{pipeline.WithRetryable(d.ch, clickhouse.IsRetryable)}
	if !cfg.Index.Disabled {
		bleve.SetSegmenter(d.nlp.seg)
		if d.index, err = bleve.Open(bleve.Config{Path: cfg.Index.Path, BatchSize: cfg.Index.BatchSize}, log); err != nil {
			return nil, err
		}
		d.opened = append(d.opened, d.index)
		if cfg.Index.Mode != config.IndexReplica {
			sinks = append(sinks, d.index)
		}
	}
	if e := cfg.Kafka.Embedded; e.Enabled {
		_, port, _ := net.SplitHostPort(e.Listen)
		p, _ := strconv.Atoi(port)
		d.brk, err = broker.Start(ctx, broker.Config{Dir: e.Dir, Port: p, Partitions: e.Partitions,
			Topics: append(slices.Clone(cfg.Kafka.Topics), cfg.Kafka.DeadLetterTopic), Logger: log})
		if err != nil {
			return nil, fmt.Errorf("kafka.embedded: %w", err)
		}
		cfg.Kafka.Brokers = d.brk.Addrs()
		d.cfg.Kafka.Brokers = cfg.Kafka.Brokers
		log.Info("kafka: embedded broker", "addr", cfg.Kafka.Brokers[0], "dir", e.Dir)
	}
	if d.dlq, err = openDeadLetter(ctx, cfg.Kafka, log); err != nil {
		return nil, err
	}
	d.opened = append(d.opened, d.dlq)
	m, err := pipeline.NewMetrics(d.reg)
	if err != nil {
		return nil, err
	}
	if d.src, err = openSource(cfg.Kafka, m, log); err != nil {
		return nil, err
	}
	d.runner, err = pipeline.NewRunner(runnerConfig(cfg.Pipeline), d.src, d.nlp.stage, sinks, pipeline.WithDeadLetter(d.dlq), pipeline.WithLogger(log), pipeline.WithMetrics(m))
	if err != nil {
		return nil, err
	}
	if d.index != nil && cfg.Index.Mode == config.IndexReplica {
		if err := d.startReplica(cfg, log); err != nil {
			return nil, err
		}
	}
	ac, err := alerts.FromNode(&cfg.Alerts)
	if err != nil {
		return nil, err
	}
	if ac.Enabled {
		if d.alertStore, err = alerts.OpenStore(ctx, cfg.ClickHouse); err != nil {
			return nil, fmt.Errorf("alerts: %w", err)
		}
		if d.alerts, err = alerts.New(ac, d.alertStore, alerts.Options{Logger: log}); err != nil {
			return nil, err
		}
	}
	if cfg.HTTP.Listen != "off" {
		if err := d.serveHTTP(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// startReplica sets up the index's own pipeline (index.mode: replica): a
// consumer in the group kafka.group_id + ".index." + the index's id reads
// every partition of the topics from the earliest offset still held, and
// writes the index only. The group is the index's alone, so it keeps every
// partition through the main group's rebalances; its offsets are committed
// after the index wrote the records, and the index is idempotent by record
// id, so a restart or a crash re-indexes at most the uncommitted records.
// A new or wiped index directory has a new id, hence a new group that
// starts from the beginning.
func (d *daemon) startReplica(cfg config.Config, log *slog.Logger) error {
	id, err := d.index.ReplicaID()
	if err != nil {
		return err
	}
	k := cfg.Kafka
	k.GroupID = cfg.Kafka.GroupID + ".index." + id
	k.StartOffset = "earliest"
	log = log.With("pipeline", "index")
	if d.indexSrc, err = openSource(k, nil, log); err != nil {
		return err
	}
	d.indexRunner, err = pipeline.NewRunner(runnerConfig(cfg.Pipeline), d.indexSrc, d.nlp.stage, []pipeline.Sink{d.index}, pipeline.WithDeadLetter(skipSink{}), pipeline.WithLogger(log))
	if err != nil {
		return err
	}
	if l, ok := d.indexSrc.(interface{ Lag() int64 }); ok {
		d.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "voc_index_replica_lag",
			Help: "Messages between the index replica's positions and the end of the partitions, as of its last fetches.",
		}, func() float64 { return float64(l.Lag()) }))
	}
	log.Info("index: replica of every partition", "group", k.GroupID, "path", cfg.Index.Path)
	return nil
}

// skipSink acknowledges the records that cannot be indexed: the index
// replica's pipeline leaves dead letters to the main pipeline.
type skipSink struct{}

func (skipSink) WriteBatch(context.Context, []*pipeline.Record) error { return nil }
func (skipSink) Close(context.Context) error                          { return nil }
func (skipSink) Name() string                                         { return "skip" }

func (d *daemon) serveHTTP() error {
	h, err := d.handler()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", d.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http: listen %s (http.listen): %w", d.cfg.HTTP.Listen, err)
	}
	d.addr = ln.Addr().String()
	// No WriteTimeout: /debug/pprof/profile and trace stream for as long
	// as asked; the API and the report have their own timeouts.
	d.http = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() {
		if err := d.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("http: serve", "err", err)
		}
	}()
	endpoints := "/ (dashboard) /api/v1/ /report /metrics /healthz /readyz POST /admin/reload"
	if d.cfg.HTTP.Pprof {
		endpoints += " /debug/pprof/"
	}
	d.log.Info("http: listening", "addr", d.addr, "endpoints", endpoints, "token", d.cfg.HTTP.Token != "")
	return nil
}

// handler serves the listener: the dashboard, the API and the report (see
// package api), /metrics, /healthz, /readyz, POST /admin/reload and, with
// http.pprof, /debug/pprof/. With http.token set everything but the
// dashboard's page and assets and the two probes requires it; without one
// (loopback only, config.Validate sees to it) only loopback Host names are
// served (DNS rebinding). The probes answer ok, ready or not ready, nothing
// more. POST /admin/reload also refuses cross-origin browser requests
// (CSRF: a page cannot make a visitor's browser reload the lexicons).
func (d *daemon) handler() (http.Handler, error) {
	tok := d.cfg.HTTP.Token
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", api.RequireToken(tok, promhttp.HandlerFor(d.reg, promhttp.HandlerOpts{})))
	if d.cfg.HTTP.Pprof {
		// Heap and goroutine dumps, CPU profile and execution trace: they
		// can show customer text held in memory.
		mux.Handle("GET /debug/pprof/", api.RequireToken(tok, http.HandlerFunc(pprof.Index)))
		mux.Handle("GET /debug/pprof/profile", api.RequireToken(tok, http.HandlerFunc(pprof.Profile)))
		mux.Handle("GET /debug/pprof/symbol", api.RequireToken(tok, http.HandlerFunc(pprof.Symbol)))
		mux.Handle("GET /debug/pprof/trace", api.RequireToken(tok, http.HandlerFunc(pprof.Trace)))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", d.readyz)
	reload := api.RequireToken(tok, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := d.nlp.reload()
		if err != nil {
			http.Error(w, "reload rejected: "+err.Error(), http.StatusUnprocessableEntity)
			return
		}
		fmt.Fprintf(w, "lexicon version %s\n", v)
	}))
	mux.Handle("POST /admin/reload", http.NewCrossOriginProtection().Handler(reload))
	// The dashboard, the JSON API and the weekly report share the listener.
	zone, err := d.cfg.HTTP.Zone()
	if err != nil {
		return nil, err
	}
	ac := api.Config{CH: d.q, Index: searcher(d.index), Token: tok, Logger: d.log, Zone: zone,
		QueryTimeout: d.cfg.HTTP.APITimeout, ReportTimeout: d.cfg.HTTP.ReportTimeout, MaxConcurrent: d.cfg.HTTP.MaxConcurrent}
	if d.nlp != nil {
		ac.Analyzer = currentAnalyzer{d.nlp.stage}
	}
	h, err := api.New(ac)
	if err != nil {
		return nil, err
	}
	mux.Handle("/", h)
	return api.CheckHost(mux, d.cfg.HTTP.Listen, tok), nil
}

// readyz answers the readiness probe: ready while the pipeline runs; not
// ready before it starts, after it stops, and for good after a permanent
// sink error.
func (d *daemon) readyz(w http.ResponseWriter, r *http.Request) {
	if !d.ready.Load() || d.failed.Load() {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}

// Run runs the pipeline (and the index replica's) until ctx is cancelled
// (then drains and flushes) or a fatal error. After a permanent sink error
// (pipeline.ErrPermanent) it marks the process not ready for good, closes
// the sources (committing what was delivered and leaving the group, so the
// partitions go to the other processes) and returns the error; voc run
// then keeps the HTTP endpoints up until it is stopped (/metrics and the
// log say what failed).
func (d *daemon) Run(ctx context.Context) error {
	d.ready.Store(true)
	defer d.ready.Store(false)
	d.log.Info("pipeline: running", "topics", d.cfg.Kafka.Topics, "group", d.cfg.Kafka.GroupID, "brokers", d.cfg.Kafka.Brokers,
		"workers", d.cfg.Pipeline.Workers)
	// The watcher and the alert service stop with the pipeline, whatever
	// stops it.
	bg, stopBG := context.WithCancel(ctx)
	defer stopBG()
	var wg sync.WaitGroup
	wg.Go(func() { d.nlp.watch(bg, d.cfg.NLP.WatchInterval) })
	if d.alerts != nil {
		wg.Go(func() {
			if err := d.alerts.Run(bg); err != nil {
				d.log.Error("alerts: stopped", "err", err)
			}
		})
		d.log.Info("alerts: evaluating")
	}
	// Both pipelines stop when either does.
	rctx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	var idxErr error
	var iw sync.WaitGroup
	if d.indexRunner != nil {
		iw.Go(func() {
			idxErr = d.indexRunner.Run(rctx)
			stopRun()
		})
	}
	err := d.runner.Run(rctx)
	stopRun()
	iw.Wait()
	stopBG()
	wg.Wait()
	if idxErr != nil {
		err = errors.Join(err, fmt.Errorf("index replica: %w", idxErr))
	}
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	if errors.Is(err, pipeline.ErrPermanent) && ctx.Err() == nil {
		d.failed.Store(true)
		d.closeSources()
		d.log.Error("voc run: stopped by a permanent sink error; not ready. Nothing is lost: the records not written stay uncommitted in Kafka. "+
			"Fix the cause named above (schema: voc migrate; credentials, permissions, disk), then restart voc run: it reads them again",
			"err", err)
	}
	return err
}

// closeSources closes the sources (their final commit); closing twice is
// a no-op.
func (d *daemon) closeSources() error {
	var errs []error
	for _, s := range []pipeline.Source{d.src, d.indexSrc} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}

// Close closes the source first (its final commit), then the sinks under a
// fresh timeout, then the HTTP server.
func (d *daemon) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), d.cfg.Pipeline.FlushTimeout)
	defer cancel()
	errs := []error{d.closeSources()}
	if d.stopCatchUp != nil {
		d.stopCatchUp() // before the sink closes (its Close catches up once more)
	}
	for i := len(d.opened) - 1; i >= 0; i-- {
		errs = append(errs, d.opened[i].Close(ctx))
	}
	if d.alertStore != nil {
		errs = append(errs, d.alertStore.Close())
	}
	if d.brk != nil {
		errs = append(errs, d.brk.Close())
	}
	if d.http != nil {
		errs = append(errs, d.http.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// currentAnalyzer analyses with the stage's analyzer of the moment, so the
// API follows lexicon reloads.
type currentAnalyzer struct{ s *enrich.Stage }

func (c currentAnalyzer) Analyze(text string, opts nlp.Options) *nlp.Result {
	return c.s.Analyzer().Analyze(text, opts)
}

// packsOrDefault names a pack selection for logs and help.
func packsOrDefault(packs []string) string {
	if len(packs) == 0 {
		return strings.Join(lexicons.DefaultPacks, ",") + " (default)"
	}
	return strings.Join(packs, ",")
}

// runnerConfig is the pipeline runner's configuration from voc.yaml's
// pipeline section (the consumer's and the index replica's runners).
func runnerConfig(p config.Pipeline) pipeline.Config {
	return pipeline.Config{
		Workers:      p.Workers,
		MaxInFlight:  p.MaxInFlight,
		Batch:        pipeline.BatchConfig{MaxRecords: p.BatchRecords, MaxBytes: p.BatchBytes, MaxWait: p.BatchWait},
		Retry:        pipeline.RetryConfig{Initial: p.RetryInitial, Max: p.RetryMax},
		FlushTimeout: p.FlushTimeout,
	}
}
