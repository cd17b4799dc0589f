package pipeline

import (
	"fmt"
	"runtime"
	"time"

	"github.com/vocproject/voc/internal/fielderr"
)

// Config tunes a Runner. The zero value means "all defaults"; each field's
// comment states its default.
type Config struct {
	// Workers is the number of goroutines running the stage.
	// Default runtime.GOMAXPROCS(0).
	Workers int
	// MaxInFlight caps the records read from the source and not yet
	// acknowledged. When it is reached the runner stops reading until
	// acks free room. Default 10000.
	MaxInFlight int
	// Batch says when a batch is written to the sinks.
	Batch BatchConfig
	// Retry is the backoff between attempts of a failed batch write.
	Retry RetryConfig
	// FlushTimeout bounds the drain after the run context is cancelled:
	// records in flight are processed, written and acknowledged within it,
	// under a fresh context. Default 30s.
	FlushTimeout time.Duration
}

// BatchConfig says when a batch is full. A batch is written as soon as any
// limit is reached.
type BatchConfig struct {
	// MaxRecords is the most records per batch. Default 1000; never more
	// than MaxInFlight.
	MaxRecords int
	// MaxBytes is the most message value bytes per batch (a single larger
	// message still makes a batch of one). Default 8 MiB.
	MaxBytes int
	// MaxWait is the longest a record waits in a partial batch. Default 500ms.
	MaxWait time.Duration
}

// RetryConfig is an exponential backoff: Initial, doubling up to Max, each
// wait spread by ±20% jitter. Only transient errors are retried (see
// Retryable).
type RetryConfig struct {
	// Initial is the first wait after a failure. Default 100ms.
	Initial time.Duration
	// Max is the longest wait between attempts. Default 30s.
	Max time.Duration
}

// Defaults.
const (
	DefaultMaxInFlight  = 10000
	DefaultBatchRecords = 1000
	DefaultBatchBytes   = 8 << 20
	DefaultBatchMaxWait = 500 * time.Millisecond
	DefaultRetryInitial = 100 * time.Millisecond
	DefaultRetryMax     = 30 * time.Second
	DefaultFlushTimeout = 30 * time.Second
)

// ConfigError reports an invalid configuration field.
type ConfigError = fielderr.ValueError[configLayout]

type configLayout struct{}

func (configLayout) Layout() string { return "pipeline: config %s=%v: %v" }

var errNegative = fmt.Errorf("must not be negative")

// Validate reports the first invalid field as a *ConfigError.
func (c Config) Validate() error {
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"workers", int64(c.Workers)},
		{"max_in_flight", int64(c.MaxInFlight)},
		{"batch.max_records", int64(c.Batch.MaxRecords)},
		{"batch.max_bytes", int64(c.Batch.MaxBytes)},
		{"batch.max_wait", int64(c.Batch.MaxWait)},
		{"retry.initial", int64(c.Retry.Initial)},
		{"retry.max", int64(c.Retry.Max)},
		{"flush_timeout", int64(c.FlushTimeout)},
	} {
		if f.v < 0 {
			return &ConfigError{Field: f.name, Value: f.v, Err: errNegative}
		}
	}
	if c.Retry.Initial > 0 && c.Retry.Max > 0 && c.Retry.Initial > c.Retry.Max {
		return &ConfigError{Field: "retry.initial", Value: c.Retry.Initial,
			Err: fmt.Errorf("is above retry.max %v", c.Retry.Max)}
	}
	return nil
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Workers == 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = DefaultMaxInFlight
	}
	if c.Batch.MaxRecords == 0 {
		c.Batch.MaxRecords = DefaultBatchRecords
	}
	c.Batch.MaxRecords = min(c.Batch.MaxRecords, c.MaxInFlight)
	if c.Batch.MaxBytes == 0 {
		c.Batch.MaxBytes = DefaultBatchBytes
	}
	if c.Batch.MaxWait == 0 {
		c.Batch.MaxWait = DefaultBatchMaxWait
	}
	if c.Retry.Initial == 0 {
		c.Retry.Initial = DefaultRetryInitial
	}
	if c.Retry.Max == 0 {
		c.Retry.Max = max(DefaultRetryMax, c.Retry.Initial)
	}
	if c.FlushTimeout == 0 {
		c.FlushTimeout = DefaultFlushTimeout
	}
	return c
}
