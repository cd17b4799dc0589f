package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vocproject/voc/pipeline"
)

// errSchema stands for a permanent error (a missing column); errDown for a
// transient one (the server is restarting).
var (
	errSchema = errors.New("code: 16, no such column")
	errDown   = errors.New("connection refused")
)

func classify(err error) bool { return !errors.Is(err, errSchema) }

func TestIsPermanent(t *testing.T) {
	plain := &recSink{}
	classified := pipeline.WithRetryable(plain, classify)
	for _, tc := range []struct {
		name string
		sink pipeline.Sink
		err  error
		want bool
	}{
		{"nil error", classified, nil, false},
		{"no classifier: transient", plain, errSchema, false},
		{"wrapped ErrPermanent without classifier", plain, pipeline.Permanent(errDown), true},
		{"classifier says permanent", classified, fmt.Errorf("insert: %w", errSchema), true},
		{"classifier says transient", classified, errDown, false},
		{"wrapped ErrPermanent beats classifier", classified, pipeline.Permanent(errDown), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pipeline.IsPermanent(tc.sink, tc.err); got != tc.want {
				t.Errorf("IsPermanent(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
	if got := pipeline.Permanent(errDown); !errors.Is(got, errDown) || got.Error() != errDown.Error() {
		t.Errorf("Permanent(%v) = %v, should wrap it and keep its message", errDown, got)
	}
	if n, ok := classified.(pipeline.Namer); !ok || n.Name() != sinkType {
		t.Errorf("WithRetryable lost the sink's name")
	}
}

// TestRunnerPermanentStops: a permanent error is not retried; Run stops,
// nothing from the failed batch on is acknowledged with nil, and the error
// and the metric say why. Transient errors before it were retried.
func TestRunnerPermanentStops(t *testing.T) {
	src := newChanSource(1000)
	src.fill(1000, 2, false)
	sink := &recSink{fail: func(call int, _ []*pipeline.Record) error {
		switch {
		case call == 2 || call == 3:
			return errDown // batch 2 fails twice, transiently
		case call == 6:
			return fmt.Errorf("insert: %w", errSchema) // batch 4 fails for good
		}
		return nil
	}}
	m, _ := pipeline.NewMetrics(nil)
	cfg := pipeline.Config{Workers: 2, MaxInFlight: 200, Batch: pipeline.BatchConfig{MaxRecords: 50},
		Retry: pipeline.RetryConfig{Initial: time.Millisecond, Max: 2 * time.Millisecond}}
	r := newRunner(t, cfg, src, idStage, []pipeline.Sink{pipeline.WithRetryable(sink, classify)}, pipeline.WithMetrics(m))
	wait := start(t, context.Background(), r)
	err := wait()
	if !errors.Is(err, pipeline.ErrPermanent) || !errors.Is(err, errSchema) {
		t.Fatalf("Run = %v, want a permanent error wrapping the sink's", err)
	}
	if errors.Is(err, pipeline.ErrFlushTimeout) {
		t.Errorf("Run = %v: a permanent error is not a flush timeout", err)
	}
	if sink.calls != 6 {
		t.Errorf("sink called %d times, want 6 (3 batches, 2 transient failures, the permanent one not retried)", sink.calls)
	}
	if got := metricValue(t, m.SinkPermanent.WithLabelValues(sinkType)); got != 1 {
		t.Errorf("permanent errors metric %v, want 1", got)
	}
	if got := metricValue(t, m.SinkErrors.WithLabelValues(sinkType)); got != 3 {
		t.Errorf("sink errors metric %v, want 3", got)
	}
	// Exactly the three written batches are acknowledged with nil; every
	// other record read got a negative ack or none.
	written := map[pipeline.Position]bool{}
	for _, p := range sink.all() {
		written[p] = true
	}
	if len(written) != 150 {
		t.Fatalf("%d records written, want 150", len(written))
	}
	src.mu.Lock()
	defer src.mu.Unlock()
	for pos, acks := range src.acks {
		nilAcked := false
		for _, a := range acks {
			nilAcked = nilAcked || a == nil
		}
		if nilAcked != written[pos] {
			t.Errorf("%v: acked with nil %v, written %v", pos, nilAcked, written[pos])
		}
	}
	if src.reads > 150+cfg.MaxInFlight {
		t.Errorf("read %d records after the permanent error; reading should stop at once", src.reads)
	}
}
