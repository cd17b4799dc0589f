package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vocproject/voc/pipeline"
)

// oneShotSource yields n messages of one partition, then blocks until ctx
// ends; it counts acks with nil and Close calls.
type oneShotSource struct {
	n, read int
	acked   atomic.Int64
	closed  atomic.Int64
}

func (s *oneShotSource) Read(ctx context.Context) (pipeline.Message, pipeline.AckFunc, error) {
	if s.read == s.n {
		<-ctx.Done()
		return pipeline.Message{}, nil, ctx.Err()
	}
	pos := pipeline.Position{Topic: "t", Offset: int64(s.read)}
	s.read++
	return pipeline.Message{Pos: pos, Value: []byte("{}")}, func(_ context.Context, err error) error {
		if err == nil {
			s.acked.Add(1)
		}
		return nil
	}, nil
}

func (s *oneShotSource) Close() error { s.closed.Add(1); return nil }

// schemaSink fails every write with a permanent error after the first.
type schemaSink struct{ calls atomic.Int64 }

func (s *schemaSink) WriteBatch(context.Context, []*pipeline.Record) error {
	if s.calls.Add(1) == 1 {
		return nil
	}
	return pipeline.Permanent(errors.New("code: 16, no such column lexicon_version"))
}
func (s *schemaSink) Close(context.Context) error { return nil }

func probe(t *testing.T, d *daemon) int {
	t.Helper()
	w := httptest.NewRecorder()
	d.readyz(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	return w.Code
}

// TestReadyzPermanentError: the daemon is ready while the pipeline runs; a
// permanent sink error stops the pipeline, flips /readyz to not ready for
// good, and closes the source (its final commit covers only what was
// written); voc run then stays up until stopped (TestE2EPermanentSinkError).
func TestReadyzPermanentError(t *testing.T) {
	src := &oneShotSource{n: 30}
	sink := &schemaSink{}
	r, err := pipeline.NewRunner(pipeline.Config{Workers: 1, Batch: pipeline.BatchConfig{MaxRecords: 10, MaxWait: time.Millisecond}},
		src, pipeline.StageFunc(func(context.Context, *pipeline.Record) error { return nil }), []pipeline.Sink{sink})
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{log: slog.New(slog.NewTextHandler(io.Discard, nil)), nlp: &nlpState{}, runner: r, src: src}
	if got := probe(t, d); got != http.StatusServiceUnavailable {
		t.Errorf("before Run: /readyz %d, want 503", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for !d.failed.Load() {
		if time.Now().After(deadline) {
			t.Fatal("the permanent error did not mark the daemon failed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for src.closed.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := probe(t, d); got != http.StatusServiceUnavailable {
		t.Errorf("after a permanent error: /readyz %d, want 503", got)
	}
	if src.closed.Load() != 1 {
		t.Errorf("source closed %d times, want once (commit what was written, leave the group)", src.closed.Load())
	}
	if got := src.acked.Load(); got != 10 {
		t.Errorf("%d records acknowledged, want the 10 of the one batch written", got)
	}
	if err := <-done; !errors.Is(err, pipeline.ErrPermanent) {
		t.Errorf("Run = %v, want a permanent error", err)
	}
	if sink.calls.Load() != 2 {
		t.Errorf("sink written %d times, want 2 (the permanent error is not retried)", sink.calls.Load())
	}
}

func TestReadyzRunning(t *testing.T) {
	d := &daemon{}
	d.ready.Store(true)
	if got := probe(t, d); got != http.StatusOK {
		t.Errorf("running: /readyz %d, want 200", got)
	}
}
