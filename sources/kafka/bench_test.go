package kafka_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/vocproject/voc/internal/testinfra/kafkatest"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/sources/kafka"
)

// countingSink counts records and signals when it saw want of them.
type countingSink struct {
	n    atomic.Int64
	want int64
	done chan struct{}
}

func (s *countingSink) WriteBatch(_ context.Context, b []*pipeline.Record) error {
	if s.n.Add(int64(len(b))) >= s.want {
		select {
		case <-s.done:
		default:
			close(s.done)
		}
	}
	return nil
}

func (s *countingSink) Close(context.Context) error { return nil }

// BenchmarkSourceRunner measures the Kafka source feeding the runner (a
// trivial stage, a counting sink, default batching and commits) against the
// in-process broker: each iteration consumes the whole topic with a new
// consumer group, joining included. Run it with
//
//	go test -run '^$' -bench SourceRunner -benchtime 5x ./sources/kafka
func BenchmarkSourceRunner(b *testing.B) {
	const n = 50000
	c := kafkatest.Start(b, 4, "in")
	msgs := make([]kafkago.Message, n)
	var size int64
	for i := range msgs {
		v := fmt.Appendf(nil, `{"id":"r%d","kind":"review","channel":"app","product":"sku-%d","rating":2,"text":"快递太慢了，等了五天才到，客服也不回复，第%d条"}`, i, i%40, i)
		msgs[i] = kafkago.Message{Partition: i % 4, Key: fmt.Appendf(nil, "k%d", i), Value: v}
		size += int64(len(v))
	}
	c.Produce("in", msgs...)
	b.SetBytes(size)
	b.ReportAllocs()

	iter := 0
	var elapsed time.Duration
	for b.Loop() {
		iter++
		start := time.Now()
		src, err := kafka.New(kafka.Config{Brokers: c.Addrs(), Topics: []string{"in"}, GroupID: fmt.Sprintf("bench-%d", iter),
			MaxWait: 100 * time.Millisecond})
		if err != nil {
			b.Fatal(err)
		}
		sink := &countingSink{want: n, done: make(chan struct{})}
		r, err := pipeline.NewRunner(pipeline.Config{}, src, idStage, []pipeline.Sink{sink})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		select {
		case <-sink.done:
		case <-time.After(2 * time.Minute):
			b.Fatalf("consumed %d of %d", sink.n.Load(), n)
		}
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		if err := src.Close(); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(n*iter)/elapsed.Seconds(), "msgs/s")
}
