package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/internal/backoff"
)

// StageFunc adapts a function to a Stage.
type StageFunc func(ctx context.Context, rec *Record) error

// Process calls f.
func (f StageFunc) Process(ctx context.Context, rec *Record) error { return f(ctx, rec) }

// Namer is an optional capability of a Sink: the name used in logs and in
// the sink label of the metrics. Without it the sink's type name is used.
type Namer interface {
	Name() string
}

// Option configures a Runner.
type Option func(*Runner)

// WithDeadLetter sets the sink that receives the records whose Err is set.
// Without one such records are logged at warning level, counted in
// voc_pipeline_dead_letters_total and acknowledged.
func WithDeadLetter(s Sink) Option { return func(r *Runner) { r.dead = s } }

// WithLogger sets the logger. Default: discard.
func WithLogger(l *slog.Logger) Option { return func(r *Runner) { r.log = l } }

// WithMetrics sets the metrics. Default: none.
func WithMetrics(m *Metrics) Option { return func(r *Runner) { r.m = m } }

// ErrFlushTimeout is wrapped by the error of a Run whose drain did not finish
// within Config.FlushTimeout: some records were not delivered and were
// acknowledged with an error (they will be read again).
var ErrFlushTimeout = errors.New("flush timeout")

// Runner reads messages from a Source, runs the Stage on them with
// cfg.Workers goroutines, batches the results and writes every batch to all
// data sinks (records with Err go to the dead-letter sink instead), then
// acknowledges the records.
//
// Guarantees:
//   - Records reach the sinks in the order the source yielded them, so per
//     partition in offset order, whatever the number of workers.
//   - A record is acknowledged (AckFunc(ctx, nil)) only after every sink it
//     was routed to wrote the batch holding it. A failed write is retried
//     with exponential backoff and jitter, never dropped; a sink that keeps
//     failing blocks the pipeline: acks stop, the MaxInFlight cap fills and
//     reading stops until the sink recovers.
//   - A permanent sink error (the sink's Retryable says so, or the error
//     wraps ErrPermanent) is not retried: it is logged at error level,
//     counted in voc_pipeline_sink_permanent_errors_total, and Run stops
//     reading, acknowledges nothing from the failed batch on and returns an
//     error wrapping ErrPermanent.
//   - Memory is bounded: at most MaxInFlight records are read and not yet
//     acknowledged; every channel is bounded.
//
// The runner does not close the source or the sinks: after Run returns,
// close the source first (its final commit) and then the sinks.
type Runner struct {
	cfg   Config
	src   Source
	stage Stage
	sinks []Sink
	names []string
	dead  Sink
	log   *slog.Logger
	m     *Metrics
}

// NewRunner validates cfg and returns a runner. sinks are the data sinks;
// there must be at least one.
func NewRunner(cfg Config, src Source, stage Stage, sinks []Sink, opts ...Option) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if src == nil {
		return nil, errors.New("pipeline: new runner: nil source")
	}
	if stage == nil {
		return nil, errors.New("pipeline: new runner: nil stage")
	}
	if len(sinks) == 0 {
		return nil, errors.New("pipeline: new runner: no sinks")
	}
	for i, s := range sinks {
		if s == nil {
			return nil, fmt.Errorf("pipeline: new runner: sink %d is nil", i)
		}
	}
	r := &Runner{cfg: cfg.withDefaults(), src: src, stage: stage, sinks: sinks}
	for _, o := range opts {
		o(r)
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	for _, s := range sinks {
		r.names = append(r.names, sinkName(s))
	}
	return r, nil
}

func sinkName(s Sink) string {
	if n, ok := s.(Namer); ok {
		return n.Name()
	}
	return fmt.Sprintf("%T", s)
}

type item struct {
	seq uint64
	rec Record
	ack AckFunc
	err error // fatal stage error
	// abandoned is set when the flush timeout cut the record's processing
	// short: it is not delivered, and not a stage failure either.
	abandoned bool
}

// run holds the state of one Run call.
type run struct {
	*Runner
	readCtx    context.Context
	cancelRead context.CancelFunc
	workCtx    context.Context
	sem        chan struct{}
	jobs       chan *item
	results    chan *item
	batches    chan []*item

	mu   sync.Mutex
	errs []error
}

func (r *run) fail(err error) {
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
}

// Run processes messages until ctx is cancelled, the source reports io.EOF
// (end of input) or a fatal error happens (a source read error other than
// io.EOF, or a stage error). In every case it stops reading, drains the
// records in flight through the stage and the sinks under a fresh context,
// acknowledges them, and returns. After a cancellation or a fatal error the
// drain is bounded by FlushTimeout, counted from the moment reading stopped;
// after io.EOF it is not (a failing sink is retried until ctx is cancelled).
// Records that could not be delivered are acknowledged with an error (they
// will be read again); the records after a failed one are never acknowledged
// with nil, so a checkpoint cannot pass the failure. Run returns nil after a
// cancellation or io.EOF when everything read was delivered; otherwise the
// errors joined, wrapping ErrFlushTimeout when the drain ran out of time.
func (r *Runner) Run(ctx context.Context) error {
	cfg := r.cfg
	readCtx, cancelRead := context.WithCancel(ctx)
	defer cancelRead()
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	st := &run{
		Runner: r, readCtx: readCtx, cancelRead: cancelRead, workCtx: workCtx,
		sem:     make(chan struct{}, cfg.MaxInFlight),
		jobs:    make(chan *item, cfg.Workers),
		results: make(chan *item, cfg.Workers),
		batches: make(chan []*item, 1),
	}

	done := make(chan struct{})
	watcherDone := make(chan struct{})
	go func() {
		defer close(watcherDone)
		// readCtx ends when ctx does or a fatal error stops reading: either
		// way the drain starts and FlushTimeout bounds it.
		select {
		case <-done:
			return
		case <-readCtx.Done():
		}
		t := time.NewTimer(cfg.FlushTimeout)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			r.log.Warn("pipeline: flush timeout reached, abandoning records in flight", "timeout", cfg.FlushTimeout)
			st.fail(fmt.Errorf("pipeline: drain: %w after %v", ErrFlushTimeout, cfg.FlushTimeout))
			cancelWork()
		}
	}()

	var wg sync.WaitGroup
	wg.Go(st.readLoop)
	var workers sync.WaitGroup
	for range cfg.Workers {
		workers.Go(st.work)
	}
	wg.Go(func() {
		workers.Wait()
		close(st.results)
	})
	wg.Go(st.order)
	wg.Go(st.writeLoop)
	wg.Wait()
	close(done)
	<-watcherDone

	st.mu.Lock()
	defer st.mu.Unlock()
	return errors.Join(st.errs...)
}

func (r *run) readLoop() {
	defer close(r.jobs)
	var seq uint64
	for {
		select {
		case r.sem <- struct{}{}:
		case <-r.readCtx.Done():
			return
		}
		msg, ack, err := r.src.Read(r.readCtx)
		if err != nil {
			<-r.sem
			switch {
			case r.readCtx.Err() != nil:
			case errors.Is(err, io.EOF):
				r.log.Info("pipeline: source reached the end of its input")
			default:
				r.fail(fmt.Errorf("pipeline: read: %w", err))
				r.cancelRead() // starts the flush timeout
			}
			return
		}
		r.m.read()
		it := &item{seq: seq, rec: Record{Msg: msg}, ack: ack}
		seq++
		r.jobs <- it // workers drain jobs until it is closed
	}
}

func (r *run) work() {
	for it := range r.jobs {
		if r.workCtx.Err() != nil {
			it.abandoned = true
		} else if err := r.stage.Process(r.workCtx, &it.rec); err != nil {
			// A stage cut short by the flush timeout has not failed.
			it.abandoned = r.workCtx.Err() != nil
			it.err = err
			if !it.abandoned {
				// Stop reading now, not when order reaches the record:
				// order may be stuck behind a sink that does not
				// recover, and the flush timeout must start.
				r.cancelRead()
			}
		}
		r.results <- it
	}
}

// order puts the results back in read order and cuts batches.
func (r *run) order() {
	defer close(r.batches)
	n := uint64(r.cfg.MaxInFlight)
	ring := make([]*item, n)
	var next uint64
	var batch []*item
	size := 0
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var timerC <-chan time.Time
	var fatal error

	flush := func() {
		if len(batch) == 0 {
			return
		}
		timer.Stop()
		timerC = nil
		r.batches <- batch
		batch, size = nil, 0
	}
	add := func(it *item) {
		if fatal == nil && it.abandoned {
			fatal = fmt.Errorf("pipeline: record %s[%d]@%d not processed: %w",
				it.rec.Msg.Pos.Topic, it.rec.Msg.Pos.Partition, it.rec.Msg.Pos.Offset, ErrFlushTimeout)
			flush()
		}
		if fatal == nil && it.err != nil {
			fatal = fmt.Errorf("pipeline: stage at %s[%d]@%d: %w",
				it.rec.Msg.Pos.Topic, it.rec.Msg.Pos.Partition, it.rec.Msg.Pos.Offset, it.err)
			r.m.stageError()
			r.fail(fatal)
			r.cancelRead()
			flush()
		}
		if fatal != nil {
			// Everything from the failed record on is abandoned, to be
			// read again: acknowledging a later record would let the
			// checkpoint pass the failed one.
			r.nack([]*item{it}, fatal)
			return
		}
		n := len(it.rec.Msg.Value)
		if len(batch) > 0 && size+n > r.cfg.Batch.MaxBytes {
			flush()
		}
		if len(batch) == 0 {
			timer.Reset(r.cfg.Batch.MaxWait)
			timerC = timer.C
		}
		batch = append(batch, it)
		size += n
		if len(batch) >= r.cfg.Batch.MaxRecords || size >= r.cfg.Batch.MaxBytes {
			flush()
		}
	}

	for {
		select {
		case it, ok := <-r.results:
			if !ok {
				flush()
				return
			}
			ring[it.seq%n] = it
			for ring[next%n] != nil {
				x := ring[next%n]
				ring[next%n] = nil
				next++
				add(x)
			}
		case <-timerC:
			timerC = nil
			flush()
		}
	}
}

func (r *run) nack(items []*item, cause error) {
	for _, it := range items {
		if it.ack != nil {
			if err := it.ack(r.workCtx, cause); err != nil {
				r.m.ackError()
				r.log.Warn("pipeline: negative ack refused", "pos", it.rec.Msg.Pos, "err", err)
			}
		}
		<-r.sem
	}
	r.m.released(len(items))
}

func (r *run) writeLoop() {
	var failed error
	for b := range r.batches {
		if failed != nil {
			r.nack(b, failed)
			continue
		}
		if err := r.write(b); err != nil {
			failed = err
			r.fail(err)
			r.cancelRead()
			r.nack(b, err)
			continue
		}
		for _, it := range b {
			if it.ack == nil {
				continue
			}
			if err := it.ack(r.workCtx, nil); err != nil {
				r.m.ackError()
				r.log.Warn("pipeline: ack refused", "pos", it.rec.Msg.Pos, "err", err)
			}
		}
		for range b {
			<-r.sem
		}
		r.m.released(len(b))
	}
}

// write writes one batch to every sink, each retried until it succeeds or
// the work context ends.
func (r *run) write(b []*item) error {
	start := time.Now()
	data := make([]*Record, 0, len(b))
	var dead []*Record
	for _, it := range b {
		if it.rec.Err != nil {
			dead = append(dead, &it.rec)
		} else {
			data = append(data, &it.rec)
		}
	}
	type job struct {
		sink Sink
		name string
		recs []*Record
	}
	var jobs []job
	if len(data) > 0 {
		for i, s := range r.sinks {
			jobs = append(jobs, job{s, r.names[i], data})
		}
	}
	if len(dead) > 0 {
		if r.dead != nil {
			jobs = append(jobs, job{r.dead, "dead-letter", dead})
		} else {
			for _, rec := range dead {
				r.log.Warn("pipeline: no dead-letter sink, acknowledging failed record",
					"pos", rec.Msg.Pos, "id", rec.ID, "err", rec.Err)
			}
		}
	}
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		if len(jobs) == 1 {
			errs[i] = r.writeSink(j.sink, j.name, j.recs)
			break
		}
		wg.Go(func() { errs[i] = r.writeSink(j.sink, j.name, j.recs) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, rec := range dead {
		r.m.deadLetter(reasonOf(rec.Err))
	}
	r.m.written(len(data))
	r.m.batch(len(b), time.Since(start).Seconds())
	return nil
}

func reasonOf(err error) string {
	var de *feedback.DecodeError
	if errors.As(err, &de) && de.Reason != "" {
		return de.Reason
	}
	return "unknown"
}

func (r *run) writeSink(s Sink, name string, recs []*Record) error {
	bo := backoff.Backoff{Initial: r.cfg.Retry.Initial, Max: r.cfg.Retry.Max, Jitter: retryJitter}
	for attempt := 1; ; attempt++ {
		err := s.WriteBatch(r.workCtx, recs)
		if err == nil {
			if attempt > 1 {
				r.log.Info("pipeline: sink recovered", "sink", name, "attempts", attempt)
			}
			return nil
		}
		r.m.sinkError(name)
		if r.workCtx.Err() != nil {
			return fmt.Errorf("pipeline: write %d records to %s: gave up after %d attempts: %w (%w)", len(recs), name, attempt, err, ErrFlushTimeout)
		}
		if IsPermanent(s, err) {
			// Stop reading now: the records from this batch on are
			// never acknowledged, so their offsets stay uncommitted and
			// they are read again once the cause is fixed.
			r.m.permanentError(name)
			r.cancelRead()
			r.log.Error("pipeline: permanent sink error, stopping the pipeline; the records from this batch on stay uncommitted and are read again after a restart",
				"sink", name, "records", len(recs), "attempt", attempt, "err", err)
			return fmt.Errorf("pipeline: write %d records to %s: %w", len(recs), name, Permanent(err))
		}
		wait := bo.Next()
		r.log.Warn("pipeline: sink write failed, retrying", "sink", name, "records", len(recs),
			"attempt", attempt, "backoff", wait, "err", err)
		if backoff.Sleep(r.workCtx, wait) != nil {
			return fmt.Errorf("pipeline: write %d records to %s: gave up after %d attempts: %w (%w)", len(recs), name, attempt, err, ErrFlushTimeout)
		}
	}
}

// retryJitter spreads the retry waits by ±20%, so that the processes of a
// deployment retrying one recovered server do not retry in step.
const retryJitter = 0.2
