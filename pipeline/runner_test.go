package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/pipeline"
)

// idStage sets the record id from the position, as the real stage does for
// messages without an id.
var idStage = pipeline.StageFunc(func(_ context.Context, rec *pipeline.Record) error {
	rec.ID = pipeline.DefaultID(rec.Msg.Pos)
	return nil
})

// jitterStage is idStage with a pseudo-random delay per position, so that
// workers finish out of read order.
var jitterStage = pipeline.StageFunc(func(ctx context.Context, rec *pipeline.Record) error {
	h := fnv.New32a()
	fmt.Fprint(h, rec.Msg.Pos)
	time.Sleep(time.Duration(h.Sum32()%300) * time.Microsecond)
	return idStage(ctx, rec)
})

func newRunner(t *testing.T, cfg pipeline.Config, src pipeline.Source, stage pipeline.Stage, sinks []pipeline.Sink, opts ...pipeline.Option) *pipeline.Runner {
	t.Helper()
	r, err := pipeline.NewRunner(cfg, src, stage, sinks, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// start runs r in the background; the returned function waits for Run's
// result (failing the test after a generous deadline).
func start(t *testing.T, ctx context.Context, r *pipeline.Runner) func() error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	return func() error {
		t.Helper()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not return")
			return nil
		}
	}
}

func TestRunnerOrderPerPartition(t *testing.T) {
	for _, workers := range []int{1, 8} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			src := newChanSource(2000)
			want := src.fill(2000, 4, true)
			a, b := &recSink{}, &recSink{}
			m, _ := pipeline.NewMetrics(nil)
			r := newRunner(t, pipeline.Config{Workers: workers, MaxInFlight: 100, Batch: pipeline.BatchConfig{MaxRecords: 37}},
				src, jitterStage, []pipeline.Sink{a, b}, pipeline.WithMetrics(m))
			if err := r.Run(context.Background()); err != nil {
				t.Fatalf("Run: %v", err)
			}
			checkOrder(t, a.all(), want)
			checkOrder(t, b.all(), want)
			src.checkAcks(t, want)
			// Acks of one partition arrive in offset order too.
			last := map[int]int64{}
			for _, p := range src.order {
				if l, ok := last[p.Partition]; ok && p.Offset <= l {
					t.Fatalf("partition %d: offset %d acked after %d", p.Partition, p.Offset, l)
				}
				last[p.Partition] = p.Offset
			}
			for p, id := range a.ids {
				if id != pipeline.DefaultID(p) {
					t.Fatalf("record at %v has id %q", p, id)
				}
			}
			if got := metricValue(t, m.RecordsRead); got != 2000 {
				t.Errorf("records read metric %v, want 2000", got)
			}
			if got := metricValue(t, m.RecordsWritten); got != 2000 {
				t.Errorf("records written metric %v, want 2000", got)
			}
			if got := metricValue(t, m.InFlight); got != 0 {
				t.Errorf("in-flight metric %v after the run, want 0", got)
			}
		})
	}
}

// TestRunnerAcksAfterAllSinks checks, inside every sink write, that no record
// of the batch is acknowledged yet, and that a slow sink holds the acks of
// records another sink already wrote.
func TestRunnerAcksAfterAllSinks(t *testing.T) {
	src := newChanSource(300)
	want := src.fill(300, 3, true)
	noAckYet := func(_ int, batch []*pipeline.Record) error {
		src.mu.Lock()
		defer src.mu.Unlock()
		for _, rec := range batch {
			if len(src.acks[rec.Msg.Pos]) > 0 {
				t.Errorf("%v acknowledged before every sink wrote it", rec.Msg.Pos)
			}
		}
		return nil
	}
	fast := &recSink{fail: noAckYet}
	slow := &recSink{fail: noAckYet, block: make(chan struct{})}
	r := newRunner(t, pipeline.Config{Workers: 2, Batch: pipeline.BatchConfig{MaxRecords: 300}},
		src, idStage, []pipeline.Sink{fast, slow})
	wait := start(t, context.Background(), r)

	waitFor(t, "the fast sink", func() bool { return len(fast.all()) == 300 })
	time.Sleep(20 * time.Millisecond) // give a wrong ack time to happen
	if n := src.ackCount(); n != 0 {
		t.Fatalf("%d records acknowledged while a sink still writes them", n)
	}
	close(slow.block)
	if err := wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkOrder(t, slow.all(), want)
	src.checkAcks(t, want)
}

func TestRunnerRetry(t *testing.T) {
	src := newChanSource(200)
	want := src.fill(200, 2, true)
	var times []time.Time
	flaky := &recSink{fail: func(call int, _ []*pipeline.Record) error {
		times = append(times, time.Now())
		if call <= 4 {
			return errBoom
		}
		return nil
	}}
	steady := &recSink{}
	m, _ := pipeline.NewMetrics(nil)
	cfg := pipeline.Config{Workers: 2, Batch: pipeline.BatchConfig{MaxRecords: 50},
		Retry: pipeline.RetryConfig{Initial: 2 * time.Millisecond, Max: 8 * time.Millisecond}}
	r := newRunner(t, cfg, src, idStage, []pipeline.Sink{flaky, steady}, pipeline.WithMetrics(m))
	if err := r.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkOrder(t, flaky.all(), want)
	// The sink that succeeded is not written again when another fails.
	checkOrder(t, steady.all(), want)
	src.checkAcks(t, want)
	if flaky.calls != 4+4 {
		t.Errorf("flaky sink called %d times, want 4 batches + 4 failures", flaky.calls)
	}
	// Backoff doubles from Initial up to Max: 2, 4, 8, 8 ms, each spread
	// by ±20% jitter.
	for i, min := range []time.Duration{2, 4, 8, 8} {
		if d, lo := times[i+1].Sub(times[i]), min*time.Millisecond*8/10; d < lo {
			t.Errorf("wait before attempt %d: %v, want at least %v", i+2, d, lo)
		}
	}
	if got := metricValue(t, m.SinkErrors.WithLabelValues(sinkType)); got != 4 {
		t.Errorf("sink errors metric %v, want 4", got)
	}
}

// metricValue reads a counter or gauge.
func metricValue(t *testing.T, c prometheus.Metric) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	t.Fatalf("metric %v is neither a counter nor a gauge", c.Desc())
	return 0
}

const sinkType = "*pipeline_test.recSink"

// TestRunnerMaxInFlight blocks the sink and checks that reading stops at the
// in-flight cap, then resumes when the sink recovers.
func TestRunnerMaxInFlight(t *testing.T) {
	// The cap, not the channels, must be what stops reading: the stages
	// and channels between the source and the blocked sink hold more than
	// 12 records.
	const limit = 12
	src := newChanSource(1000)
	want := src.fill(1000, 4, false)
	sink := &recSink{block: make(chan struct{}), fail: func(int, []*pipeline.Record) error {
		if n := src.readCount() - src.ackCount(); n > limit {
			t.Errorf("%d records in flight, cap %d", n, limit)
		}
		return nil
	}}
	m, _ := pipeline.NewMetrics(nil)
	cfg := pipeline.Config{Workers: 2, MaxInFlight: limit, Batch: pipeline.BatchConfig{MaxRecords: 4, MaxWait: time.Millisecond}}
	r := newRunner(t, cfg, src, idStage, []pipeline.Sink{sink}, pipeline.WithMetrics(m))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wait := start(t, ctx, r)

	waitFor(t, "reads to reach the cap", func() bool { return src.readCount() == limit })
	time.Sleep(50 * time.Millisecond)
	if n := src.readCount(); n != limit {
		t.Fatalf("read %d records while the sink blocks, cap %d", n, limit)
	}
	if got := metricValue(t, m.InFlight); got != limit {
		t.Errorf("in-flight metric %v, want %d", got, limit)
	}
	close(sink.block)
	waitFor(t, "every record acknowledged", func() bool { return src.ackCount() == 1000 })
	cancel()
	if err := wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkOrder(t, sink.all(), want)
	src.checkAcks(t, want)
}

func TestRunnerDeadLetters(t *testing.T) {
	bad := func(p pipeline.Position) bool { return p.Offset%5 == 0 }
	stage := pipeline.StageFunc(func(ctx context.Context, rec *pipeline.Record) error {
		idStage(ctx, rec)
		if bad(rec.Msg.Pos) {
			rec.Err = &feedback.DecodeError{Reason: feedback.ReasonBadJSON, Err: errors.New("unexpected end")}
		}
		return nil
	})
	split := func(msgs []pipeline.Message) (good, dead []pipeline.Message) {
		for _, m := range msgs {
			if bad(m.Pos) {
				dead = append(dead, m)
			} else {
				good = append(good, m)
			}
		}
		return good, dead
	}

	t.Run("to the dead-letter sink", func(t *testing.T) {
		src := newChanSource(100)
		all := src.fill(100, 2, true)
		good, dead := split(all)
		data := &recSink{}
		// The dead-letter sink fails once: it is retried, the data sink is
		// not written twice.
		dl := &recSink{fail: func(call int, _ []*pipeline.Record) error {
			if call == 1 {
				return errBoom
			}
			return nil
		}}
		m, _ := pipeline.NewMetrics(nil)
		r := newRunner(t, pipeline.Config{Batch: pipeline.BatchConfig{MaxRecords: 30}, Retry: pipeline.RetryConfig{Initial: time.Millisecond}},
			src, stage, []pipeline.Sink{data}, pipeline.WithDeadLetter(dl), pipeline.WithMetrics(m))
		if err := r.Run(context.Background()); err != nil {
			t.Fatalf("Run: %v", err)
		}
		checkOrder(t, data.all(), good)
		checkOrder(t, dl.all(), dead)
		src.checkAcks(t, all)
		if got := metricValue(t, m.DeadLetters.WithLabelValues(feedback.ReasonBadJSON)); got != float64(len(dead)) {
			t.Errorf("dead letters metric %v, want %d", got, len(dead))
		}
		if got := metricValue(t, m.RecordsWritten); got != float64(len(good)) {
			t.Errorf("records written metric %v, want %d", got, len(good))
		}
	})

	t.Run("without a dead-letter sink", func(t *testing.T) {
		src := newChanSource(100)
		all := src.fill(100, 2, true)
		good, dead := split(all)
		data := &recSink{}
		m, _ := pipeline.NewMetrics(nil)
		r := newRunner(t, pipeline.Config{}, src, stage, []pipeline.Sink{data}, pipeline.WithMetrics(m))
		if err := r.Run(context.Background()); err != nil {
			t.Fatalf("Run: %v", err)
		}
		checkOrder(t, data.all(), good)
		src.checkAcks(t, all)
		if got := metricValue(t, m.DeadLetters.WithLabelValues(feedback.ReasonBadJSON)); got != float64(len(dead)) {
			t.Errorf("dead letters metric %v, want %d", got, len(dead))
		}
	})
}

// ctxSink records whether its context was done when it was called, and
// takes a little time per batch.
type ctxSink struct {
	recSink
	cancelled atomic.Int32
	delay     time.Duration
}

func (s *ctxSink) WriteBatch(ctx context.Context, batch []*pipeline.Record) error {
	if ctx.Err() != nil {
		s.cancelled.Add(1)
	}
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.recSink.WriteBatch(ctx, batch)
}

// TestRunnerShutdownDrains cancels a busy run and checks that everything
// read was written, under a live context, and acknowledged once.
func TestRunnerShutdownDrains(t *testing.T) {
	src := newChanSource(5000)
	src.fill(5000, 4, false)
	sink := &ctxSink{delay: 2 * time.Millisecond}
	cfg := pipeline.Config{Workers: 4, MaxInFlight: 400, Batch: pipeline.BatchConfig{MaxRecords: 50}}
	r := newRunner(t, cfg, src, jitterStage, []pipeline.Sink{sink})
	ctx, cancel := context.WithCancel(context.Background())
	wait := start(t, ctx, r)
	waitFor(t, "some writes", func() bool { return len(sink.all()) >= 200 })
	cancel()
	if err := wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	reads := src.readCount()
	if reads == 5000 {
		t.Fatal("the run read everything before the cancellation; the test proves nothing")
	}
	written := sink.all()
	if len(written) != reads {
		t.Errorf("read %d, wrote %d", reads, len(written))
	}
	src.mu.Lock()
	for _, p := range written {
		if a := src.acks[p]; len(a) != 1 || a[0] != nil {
			t.Errorf("acks of %v: %v, want one nil", p, a)
		}
	}
	if len(src.acks) != reads {
		t.Errorf("%d acknowledged, %d read", len(src.acks), reads)
	}
	src.mu.Unlock()
	if n := sink.cancelled.Load(); n != 0 {
		t.Errorf("%d batches written with a cancelled context", n)
	}
}

// TestRunnerFlushTimeout stops a run whose sink never succeeds, by a
// cancellation or by a stage error: Run must return within FlushTimeout with
// ErrFlushTimeout and acknowledge every read record with an error.
func TestRunnerFlushTimeout(t *testing.T) {
	for _, stop := range []string{"cancel", "stage error", "read error"} {
		t.Run(stop, func(t *testing.T) {
			cs := newChanSource(100)
			cs.fill(100, 1, false)
			var src interface {
				pipeline.Source
				readCount() int
			} = cs
			if stop == "read error" {
				src = &errSource{chanSource: cs, n: 10, err: errBoom}
			}
			// With full batches of 5 and 2 workers, record 17 reaches a
			// worker while the sink holds batch 0, batch 1 waits in the
			// channel and the batcher is stuck handing over batch 2:
			// the stage error must stop the run all the same.
			stage := pipeline.StageFunc(func(ctx context.Context, rec *pipeline.Record) error {
				if stop == "stage error" && rec.Msg.Pos.Offset == 17 {
					return errBoom
				}
				return idStage(ctx, rec)
			})
			sink := &recSink{block: make(chan struct{})} // never unblocked
			cfg := pipeline.Config{Workers: 2, MaxInFlight: 20, Batch: pipeline.BatchConfig{MaxRecords: 5, MaxWait: time.Hour},
				FlushTimeout: 100 * time.Millisecond}
			r := newRunner(t, cfg, src, stage, []pipeline.Sink{sink})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			begin := time.Now()
			wait := start(t, ctx, r)
			if stop == "cancel" {
				waitFor(t, "the cap", func() bool { return src.readCount() == 20 })
				begin = time.Now()
				cancel()
			}
			err := wait()
			if !errors.Is(err, pipeline.ErrFlushTimeout) {
				t.Fatalf("Run: %v, want ErrFlushTimeout", err)
			}
			if stop != "cancel" && !errors.Is(err, errBoom) {
				t.Errorf("Run: %v, want the %s too", err, stop)
			}
			if d := time.Since(begin); d > 5*time.Second {
				t.Errorf("Run returned %v after the stop, flush timeout 100ms", d)
			}
			cs.mu.Lock()
			defer cs.mu.Unlock()
			if len(cs.acks) != cs.reads || cs.reads == 0 {
				t.Errorf("%d records acknowledged, %d read", len(cs.acks), cs.reads)
			}
			for p, a := range cs.acks {
				if len(a) != 1 || a[0] == nil {
					t.Errorf("acks of %v: %v, want one error", p, a)
				}
			}
			if n := len(sink.all()); n != 0 {
				t.Errorf("blocked sink wrote %d records", n)
			}
		})
	}
}

func TestRunnerBatching(t *testing.T) {
	msg := func(off int64, size int) pipeline.Message {
		return pipeline.Message{Pos: pipeline.Position{Topic: "t", Offset: off}, Value: []byte(strings.Repeat("x", size))}
	}
	sized := func(sizes ...int) []pipeline.Message {
		var out []pipeline.Message
		for i, n := range sizes {
			out = append(out, msg(int64(i), n))
		}
		return out
	}
	tests := []struct {
		name  string
		batch pipeline.BatchConfig
		msgs  []pipeline.Message
		want  []int
	}{
		{"records", pipeline.BatchConfig{MaxRecords: 10}, sized(make([]int, 35)...), []int{10, 10, 10, 5}},
		{"bytes", pipeline.BatchConfig{MaxBytes: 25}, sized(10, 10, 10, 100, 10, 5, 10), []int{2, 1, 1, 3}},
		{"exact bytes", pipeline.BatchConfig{MaxBytes: 20}, sized(10, 10, 10, 10), []int{2, 2}},
		{"records before bytes", pipeline.BatchConfig{MaxRecords: 2, MaxBytes: 100}, sized(1, 1, 1, 1, 1), []int{2, 2, 1}},
		{"one", pipeline.BatchConfig{MaxRecords: 1}, sized(1, 1, 1), []int{1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.batch.MaxWait = time.Hour // size limits only
			src := newChanSource(len(tt.msgs))
			for _, m := range tt.msgs {
				src.msgs <- m
			}
			close(src.msgs)
			sink := &recSink{}
			r := newRunner(t, pipeline.Config{Workers: 3, Batch: tt.batch}, src, idStage, []pipeline.Sink{sink})
			if err := r.Run(context.Background()); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got := sink.sizes(); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("batch sizes %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("time", func(t *testing.T) {
		src := newChanSource(10)
		src.fill(3, 1, false)
		sink := &recSink{}
		r := newRunner(t, pipeline.Config{Batch: pipeline.BatchConfig{MaxRecords: 100, MaxWait: 20 * time.Millisecond}},
			src, idStage, []pipeline.Sink{sink})
		ctx, cancel := context.WithCancel(context.Background())
		wait := start(t, ctx, r)
		begin := time.Now()
		waitFor(t, "a partial batch", func() bool { return len(sink.all()) == 3 })
		if d := time.Since(begin); d < 15*time.Millisecond {
			t.Errorf("partial batch written after %v, before MaxWait 20ms", d)
		}
		src.fill(2, 1, false)
		waitFor(t, "a second partial batch", func() bool { return len(sink.all()) == 5 })
		cancel()
		if err := wait(); err != nil {
			t.Fatalf("Run: %v", err)
		}
		if got := sink.sizes(); fmt.Sprint(got) != "[3 2]" {
			t.Errorf("batch sizes %v, want [3 2]", got)
		}
	})
}

func TestRunnerStageErrorStops(t *testing.T) {
	const failAt = 120
	src := newChanSource(1000)
	all := src.fill(1000, 1, false)
	stage := pipeline.StageFunc(func(ctx context.Context, rec *pipeline.Record) error {
		if rec.Msg.Pos.Offset == failAt {
			return errBoom
		}
		return jitterStage(ctx, rec)
	})
	sink := &recSink{}
	m, _ := pipeline.NewMetrics(nil)
	cfg := pipeline.Config{Workers: 4, MaxInFlight: 64, Batch: pipeline.BatchConfig{MaxRecords: 16}}
	r := newRunner(t, cfg, src, stage, []pipeline.Sink{sink}, pipeline.WithMetrics(m))
	err := r.Run(context.Background()) // no cancellation: the error alone stops it
	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "t[0]@120") {
		t.Fatalf("Run: %v, want the stage error naming t[0]@120", err)
	}
	checkOrder(t, sink.all(), all[:failAt])
	src.mu.Lock()
	defer src.mu.Unlock()
	if src.reads > failAt+64 {
		t.Errorf("read %d records, more than the failure plus the in-flight cap", src.reads)
	}
	for i, msg := range all[:src.reads] {
		a := src.acks[msg.Pos]
		if len(a) != 1 || (a[0] == nil) != (i < failAt) {
			t.Errorf("acks of offset %d: %v, want one %s", i, a, map[bool]string{true: "nil", false: "error"}[i < failAt])
		}
	}
	if got := metricValue(t, m.StageErrors); got != 1 {
		t.Errorf("stage errors metric %v, want 1", got)
	}
}

// errSource yields its messages, then a read error.
type errSource struct {
	*chanSource
	n   int
	err error
}

func (s *errSource) Read(ctx context.Context) (pipeline.Message, pipeline.AckFunc, error) {
	if s.readCount() == s.n {
		return pipeline.Message{}, nil, s.err
	}
	return s.chanSource.Read(ctx)
}

func TestRunnerReadError(t *testing.T) {
	src := &errSource{chanSource: newChanSource(100), n: 40, err: errBoom}
	all := src.fill(100, 2, false)
	sink := &recSink{}
	r := newRunner(t, pipeline.Config{}, src, idStage, []pipeline.Sink{sink})
	if err := r.Run(context.Background()); !errors.Is(err, errBoom) {
		t.Fatalf("Run: %v, want the read error", err)
	}
	// What was read before the error is delivered.
	checkOrder(t, sink.all(), all[:40])
	src.checkAcks(t, all[:40])
}

func TestRunnerEOF(t *testing.T) {
	src := newChanSource(0)
	close(src.msgs)
	sink := &recSink{}
	r := newRunner(t, pipeline.Config{}, src, idStage, []pipeline.Sink{sink})
	if err := r.Run(context.Background()); err != nil {
		t.Fatalf("Run on an empty source: %v", err)
	}
	if sink.calls != 0 {
		t.Errorf("sink called %d times for no records", sink.calls)
	}
}

func TestNewRunnerErrors(t *testing.T) {
	src := newChanSource(0)
	sink := &recSink{}
	tests := []struct {
		name  string
		cfg   pipeline.Config
		src   pipeline.Source
		stage pipeline.Stage
		sinks []pipeline.Sink
		want  string
	}{
		{"bad config", pipeline.Config{Workers: -1}, src, idStage, []pipeline.Sink{sink}, "workers"},
		{"nil source", pipeline.Config{}, nil, idStage, []pipeline.Sink{sink}, "nil source"},
		{"nil stage", pipeline.Config{}, src, nil, []pipeline.Sink{sink}, "nil stage"},
		{"no sinks", pipeline.Config{}, src, idStage, nil, "no sinks"},
		{"nil sink", pipeline.Config{}, src, idStage, []pipeline.Sink{sink, nil}, "sink 1 is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pipeline.NewRunner(tt.cfg, tt.src, tt.stage, tt.sinks)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewRunner: %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   pipeline.Config
		field string // "" when valid
	}{
		{"zero", pipeline.Config{}, ""},
		{"workers", pipeline.Config{Workers: -2}, "workers"},
		{"max in flight", pipeline.Config{MaxInFlight: -1}, "max_in_flight"},
		{"batch records", pipeline.Config{Batch: pipeline.BatchConfig{MaxRecords: -1}}, "batch.max_records"},
		{"batch bytes", pipeline.Config{Batch: pipeline.BatchConfig{MaxBytes: -1}}, "batch.max_bytes"},
		{"batch wait", pipeline.Config{Batch: pipeline.BatchConfig{MaxWait: -time.Second}}, "batch.max_wait"},
		{"retry initial", pipeline.Config{Retry: pipeline.RetryConfig{Initial: -1}}, "retry.initial"},
		{"retry order", pipeline.Config{Retry: pipeline.RetryConfig{Initial: time.Minute, Max: time.Second}}, "retry.initial"},
		{"flush timeout", pipeline.Config{FlushTimeout: -1}, "flush_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var ce *pipeline.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("Validate: %v, want a ConfigError on %s", err, tt.field)
			}
		})
	}
}

// TestRunnerConcurrentAcks runs many small batches with a dead-letter sink
// and two data sinks under the race detector.
func TestRunnerConcurrentAcks(t *testing.T) {
	src := newChanSource(3000)
	all := src.fill(3000, 8, true)
	var mu sync.Mutex
	deadSeen := 0
	stage := pipeline.StageFunc(func(ctx context.Context, rec *pipeline.Record) error {
		if rec.Msg.Pos.Offset%7 == 3 {
			rec.Err = &feedback.DecodeError{Reason: feedback.ReasonNoText, Err: errors.New("empty")}
			mu.Lock()
			deadSeen++
			mu.Unlock()
		}
		return idStage(ctx, rec)
	})
	a, b, dl := &recSink{}, &recSink{}, &recSink{}
	r := newRunner(t, pipeline.Config{Workers: 6, MaxInFlight: 128, Batch: pipeline.BatchConfig{MaxRecords: 7}},
		src, stage, []pipeline.Sink{a, b}, pipeline.WithDeadLetter(dl))
	if err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	src.checkAcks(t, all)
	if got := len(a.all()) + len(dl.all()); got != len(all) || len(dl.all()) != deadSeen {
		t.Errorf("data %d + dead %d records, want %d with %d dead", len(a.all()), len(dl.all()), len(all), deadSeen)
	}
}
