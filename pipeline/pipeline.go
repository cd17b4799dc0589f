// Package pipeline is voc's streaming engine: records, the source, stage and
// sink interfaces, a runner with bounded channels, a batcher and a
// per-partition checkpointer. It imports no backend; Kafka, ClickHouse and
// bleve live in their own packages and plug in through these interfaces.
// It is not generic over what flows through it: a Record carries voc's own
// types, the decoded feedback.Message and the nlp results, which every stage
// and sink shares.
package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/nlp"
)

// Position is where a message came from. Offsets are per partition.
type Position struct {
	Topic     string
	Partition int
	Offset    int64
}

// Message is one raw message read from a source.
type Message struct {
	Pos     Position
	Key     []byte
	Value   []byte
	Headers map[string]string
	Time    time.Time // broker timestamp
}

// AckFunc reports the outcome of a message: nil once every sink has durably
// written it (or it has been dead-lettered), an error when it could not be
// delivered and must be read again. It is called exactly once per message.
type AckFunc func(ctx context.Context, err error) error

// Source yields messages one by one, each with its ack. Read blocks until a
// message is available or ctx is done.
type Source interface {
	Read(ctx context.Context) (Message, AckFunc, error)
	Close() error
}

// Record is a message as it moves through the pipeline.
type Record struct {
	Msg Message

	// ID is the record id: the message's id, or a deterministic one derived
	// from its position when it has none.
	ID string

	// Feedback is the decoded message; nil when Err is set.
	Feedback *feedback.Message
	// Analysis is the NLP result over the text (for a chat, over the
	// customer's turns); Turns holds per-turn results for chats.
	Analysis *nlp.Result
	Turns    []nlp.TurnResult
	// Conversation holds a chat's conversation signals, service times and
	// agent compliance; nil for other kinds (and for chats when the stage
	// has no chat analyzer).
	Conversation *nlp.Conversation

	// LexiconVersion identifies the lexicons that produced Analysis.
	LexiconVersion string

	// Err is set when the message cannot be decoded or analysed; such a
	// record goes to the dead-letter sink instead of the data sinks.
	// It is a *feedback.DecodeError whenever the reason is known.
	Err error
}

// Sink writes batches of records. WriteBatch returns only once every record
// is durably written (or returns an error, in which case the whole batch
// will be written again: sinks must be idempotent). The batch must not be
// retained after WriteBatch returns.
type Sink interface {
	WriteBatch(ctx context.Context, batch []*Record) error
	Close(ctx context.Context) error
}

// Retryable is an optional capability of a Sink: it tells a transient
// write error (writing the batch again may succeed: a server down, a
// timeout) from a permanent one (retrying cannot help until someone fixes
// the schema, the credentials or the configuration). The runner retries
// transient errors with backoff and stops at the first permanent one.
// Without it every error is transient, unless it wraps ErrPermanent.
type Retryable interface {
	Retryable(err error) bool
}

// ErrPermanent marks a sink error that writing again cannot fix; a sink
// may wrap it (Permanent) instead of implementing Retryable. The runner's
// error after a permanent sink error wraps it too.
var ErrPermanent = errors.New("permanent sink error")

// Permanent wraps err so that the runner stops instead of retrying it.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() []error {
	return []error{e.err, ErrPermanent}
}

// IsPermanent reports whether s's write error err is permanent: it wraps
// ErrPermanent, or s implements Retryable and says it is not retryable.
func IsPermanent(s Sink, err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrPermanent) {
		return true
	}
	if r, ok := s.(Retryable); ok {
		return !r.Retryable(err)
	}
	return false
}

// WithRetryable returns s with the Retryable capability retryable (for a
// sink that exposes a classifier as a function, like clickhouse.IsRetryable).
// The result keeps s's name.
func WithRetryable(s Sink, retryable func(error) bool) Sink {
	return &classified{Sink: s, name: sinkName(s), retryable: retryable}
}

type classified struct {
	Sink
	name      string
	retryable func(error) bool
}

func (c *classified) Name() string             { return c.name }
func (c *classified) Retryable(err error) bool { return c.retryable(err) }

// Stage transforms one record in place. It must be safe for concurrent use.
// A permanent problem with the record is reported by setting rec.Err; an
// error return stops the pipeline.
type Stage interface {
	Process(ctx context.Context, rec *Record) error
}
