package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/vocproject/voc/internal/backoff"
	"github.com/vocproject/voc/internal/config"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/sinks/deadletter"
	"github.com/vocproject/voc/sources/kafka"
)

// openDeadLetter opens the dead-letter sink and checks, with retries while
// the brokers come up, that its topic exists: a missing topic shows at
// start, not at the first malformed message.
func openDeadLetter(ctx context.Context, k config.Kafka, log *slog.Logger) (*deadletter.Sink, error) {
	s, err := deadletter.New(k.DeadLetterConfig())
	if err != nil {
		return nil, fmt.Errorf("kafka.dead_letter_topic: %w", err)
	}
	bo := backoff.Backoff{Initial: 500 * time.Millisecond, Max: 10 * time.Second, Jitter: 0.2}
	for {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err = s.Check(cctx)
		cancel()
		if err == nil {
			return s, nil
		}
		if ctx.Err() != nil {
			s.Close(context.Background())
			return nil, fmt.Errorf("kafka.dead_letter_topic %s: %w", k.DeadLetterTopic, err)
		}
		wait := bo.Next()
		log.Warn("kafka: dead-letter topic not available, retrying (create it, or check kafka.brokers)", "topic", k.DeadLetterTopic, "err", err, "in", wait)
		backoff.Sleep(ctx, wait)
	}
}

// openSource opens the consumer-group source.
func openSource(k config.Kafka, m *pipeline.Metrics, log *slog.Logger) (pipeline.Source, error) {
	s, err := kafka.New(k.SourceConfig(), kafka.WithLogger(log), kafka.WithMetrics(m))
	if err != nil {
		return nil, err // not a typed nil: Close checks for nil
	}
	return s, nil
}
