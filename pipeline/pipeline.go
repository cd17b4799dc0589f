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

// Stage transforms one record in place. It must be safe for concurrent use.
// A permanent problem with the record is reported by setting rec.Err; an
// error return stops the pipeline.
type Stage interface {
	Process(ctx context.Context, rec *Record) error
}
