// Package deadletter is the pipeline sink for messages that cannot be
// decoded or analysed: it writes each one, unchanged, to a dead-letter Kafka
// topic with headers that say why and where it came from, so that nothing is
// dropped silently and the message can be inspected or replayed.
//
// A dead letter is the original message: same key, same value bytes, the
// original headers, plus
//
//	voc-reason     the feedback.DecodeError reason: bad_json, not_utf8,
//	               oversize, no_text, bad_field or analysis_failed
//	               ("unknown" for an error without a reason)
//	voc-error      the error message
//	voc-topic      the original topic
//	voc-partition  the original partition (decimal)
//	voc-offset     the original offset (decimal)
//	voc-time       the original broker timestamp, RFC 3339 with nanoseconds, UTC
//
// and voc-truncated (the original value length) on the rare message whose
// value had to be cut to fit MaxMessageBytes.
//
// The topic is not created by default: create it beforehand with the
// retention the dead letters need (kafka-topics.sh --create, or voc demo's
// embedded broker, which creates it). With AutoCreateTopic the writer asks
// the broker to create it, which works only when the broker allows automatic
// topic creation, with the broker's default partitions and retention.
//
// Delivery is at least once: a retried batch may write a dead letter twice
// (the sink skips messages a failed attempt of the same batch already wrote,
// but a crash between the write and the commit of the source offset
// repeats it). Readers of the topic should deduplicate on
// voc-topic/voc-partition/voc-offset.
package deadletter

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/internal/kafkaconn"
	"github.com/vocproject/voc/pipeline"
)

// Header names.
const (
	HeaderReason    = "voc-reason"
	HeaderError     = "voc-error"
	HeaderTopic     = "voc-topic"
	HeaderPartition = "voc-partition"
	HeaderOffset    = "voc-offset"
	HeaderTime      = "voc-time"
	HeaderTruncated = "voc-truncated"
)

// ReasonUnknown is the voc-reason of a record whose error carries no
// feedback.DecodeError reason.
const ReasonUnknown = "unknown"

// Config configures a Sink. The zero value of each optional field means its
// default, stated in the field's comment.
type Config struct {
	// Brokers are the bootstrap brokers, host:port. Required.
	Brokers []string `yaml:"brokers"`
	// Topic is the dead-letter topic. Required.
	Topic string `yaml:"topic"`
	// ClientID identifies the client to the brokers. Default "voc".
	ClientID string `yaml:"client_id"`
	// MaxMessageBytes is the largest dead letter written (key, value and
	// headers); a larger value is truncated to fit and marked with
	// voc-truncated. Keep it at or below the topic's max.message.bytes.
	// Default 1 MiB.
	MaxMessageBytes int `yaml:"max_message_bytes"`
	// WriteTimeout bounds one produce request. Default 10s.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// DialTimeout bounds connecting to a broker. Default 10s.
	DialTimeout time.Duration `yaml:"dial_timeout"`
	// AutoCreateTopic lets the broker create a missing topic on the first
	// write (when the broker allows it). Default false.
	AutoCreateTopic bool                 `yaml:"auto_create_topic"`
	TLS             kafkaconn.TLSConfig  `yaml:"tls"`
	SASL            kafkaconn.SASLConfig `yaml:"sasl"`
}

// Defaults.
const (
	DefaultMaxMessageBytes = 1 << 20
	DefaultWriteTimeout    = 10 * time.Second
)

// Validate reports the first invalid field as a *kafkaconn.ConfigError.
func (c Config) Validate() error {
	if err := kafkaconn.ValidateBrokers(c.Brokers); err != nil {
		return err
	}
	if c.Topic == "" {
		return &kafkaconn.ConfigError{Field: "topic", Value: c.Topic, Err: kafkaconn.ErrRequired}
	}
	if c.MaxMessageBytes < 0 || (c.MaxMessageBytes > 0 && c.MaxMessageBytes < minMessageBytes) {
		return &kafkaconn.ConfigError{Field: "max_message_bytes", Value: c.MaxMessageBytes,
			Err: fmt.Errorf("must be 0 (default) or at least %d", minMessageBytes)}
	}
	if c.WriteTimeout < 0 {
		return &kafkaconn.ConfigError{Field: "write_timeout", Value: c.WriteTimeout, Err: errors.New("must not be negative")}
	}
	if c.DialTimeout < 0 {
		return &kafkaconn.ConfigError{Field: "dial_timeout", Value: c.DialTimeout, Err: errors.New("must not be negative")}
	}
	if err := c.TLS.Validate(); err != nil {
		return err
	}
	return c.SASL.Validate()
}

// minMessageBytes leaves room for the headers of a truncated dead letter.
const minMessageBytes = 4096

// Sink writes dead letters. It is safe for the runner's use (one WriteBatch
// at a time); concurrent WriteBatch calls are serialised.
type Sink struct {
	cfg Config
	w   *kafkago.Writer

	mu sync.Mutex
	// written holds the positions an incomplete attempt wrote, so that
	// the retry of the same batch skips them. Cleared by every complete
	// write.
	written map[pipeline.Position]bool
}

var (
	_ pipeline.Sink  = (*Sink)(nil)
	_ pipeline.Namer = (*Sink)(nil)
)

// New validates cfg and returns a sink. It does not connect: see Check.
func New(cfg Config) (*Sink, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxMessageBytes == 0 {
		cfg.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	tr, err := kafkaconn.Transport(cfg.ClientID, cfg.DialTimeout, cfg.TLS, cfg.SASL)
	if err != nil {
		return nil, err
	}
	w := &kafkago.Writer{
		Addr:      kafkago.TCP(cfg.Brokers...),
		Topic:     cfg.Topic,
		Balancer:  &kafkago.Hash{}, // same key, same partition
		Transport: tr,
		// One WriteMessages call per batch, sent at once: the last
		// partial produce batch of each partition waits only
		// BatchTimeout. BatchSize must stay modest: kafka-go allocates
		// room for BatchSize messages per produce batch (1<<20 cost
		// ~150 MB per dead-letter write).
		BatchSize:              1000,
		BatchBytes:             int64(cfg.MaxMessageBytes),
		BatchTimeout:           time.Millisecond,
		WriteTimeout:           cfg.WriteTimeout,
		RequiredAcks:           kafkago.RequireAll,
		MaxAttempts:            1, // the runner retries with backoff
		AllowAutoTopicCreation: cfg.AutoCreateTopic,
	}
	return &Sink{cfg: cfg, w: w, written: map[pipeline.Position]bool{}}, nil
}

// Name is the sink's name in logs and metrics.
func (s *Sink) Name() string { return "dead-letter" }

// Check verifies that the brokers answer and the topic exists, so that
// a misconfiguration shows at start rather than at the first poison message.
func (s *Sink) Check(ctx context.Context) error {
	client := &kafkago.Client{Addr: s.w.Addr, Transport: s.w.Transport, Timeout: s.cfg.WriteTimeout}
	md, err := client.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{s.cfg.Topic}})
	if err != nil {
		return fmt.Errorf("deadletter: check topic %s: %w", s.cfg.Topic, err)
	}
	for _, t := range md.Topics {
		if t.Name == s.cfg.Topic {
			if t.Error != nil {
				return fmt.Errorf("deadletter: check topic %s: %w", s.cfg.Topic, t.Error)
			}
			return nil
		}
	}
	return fmt.Errorf("deadletter: check topic %s: %w", s.cfg.Topic, kafkago.UnknownTopicOrPartition)
}

// WriteBatch writes every record of batch as a dead letter, in one
// WriteMessages call (one produce request per partition), and returns once
// the brokers acknowledged all of them (acks=all) or with an error. After an
// error the runner calls it again with the same batch; the messages the
// failed attempt wrote are not written again. It does not retain batch.
func (s *Sink) WriteBatch(ctx context.Context, batch []*pipeline.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs := make([]kafkago.Message, 0, len(batch))
	pos := make([]pipeline.Position, 0, len(batch))
	for _, rec := range batch {
		if s.written[rec.Msg.Pos] {
			continue
		}
		msgs = append(msgs, s.letter(rec))
		pos = append(pos, rec.Msg.Pos)
	}
	if len(msgs) == 0 {
		clear(s.written)
		return nil
	}
	err := s.w.WriteMessages(ctx, msgs...)
	if err == nil {
		clear(s.written)
		return nil
	}
	var werrs kafkago.WriteErrors
	if errors.As(err, &werrs) && len(werrs) == len(msgs) {
		failed := 0
		var first error
		for i, e := range werrs {
			if e == nil {
				s.written[pos[i]] = true
			} else if failed++; first == nil {
				first = e
			}
		}
		return fmt.Errorf("deadletter: write %d of %d messages to %s: %w", failed, len(msgs), s.cfg.Topic, first)
	}
	return fmt.Errorf("deadletter: write %d messages to %s: %w", len(msgs), s.cfg.Topic, err)
}

var _ pipeline.Retryable = (*Sink)(nil)

// permanent are the broker errors that writing again cannot fix: the
// credentials, the ACLs or the topic's configuration must change first.
var permanent = []error{
	kafkago.SASLAuthenticationFailed, kafkago.UnsupportedSASLMechanism, kafkago.IllegalSASLState,
	kafkago.TopicAuthorizationFailed, kafkago.ClusterAuthorizationFailed, kafkago.InvalidTopic,
	kafkago.MessageSizeTooLarge, kafkago.RecordListTooLarge, kafkago.InvalidRecord, kafkago.UnsupportedVersion,
}

// Retryable reports whether writing a batch again may succeed after err
// (pipeline.Retryable): every error but authentication, authorisation,
// an invalid topic and a message the broker refuses for its size.
func (s *Sink) Retryable(err error) bool {
	for _, p := range permanent {
		if errors.Is(err, p) {
			return false
		}
	}
	return true
}

// letter builds the dead letter of rec.
func (s *Sink) letter(rec *pipeline.Record) kafkago.Message {
	m := rec.Msg
	reason, msg := ReasonUnknown, "no error recorded"
	if rec.Err != nil {
		msg = rec.Err.Error()
		var de *feedback.DecodeError
		if errors.As(rec.Err, &de) && de.Reason != "" {
			reason = de.Reason
		}
	}
	headers := make([]kafkago.Header, 0, len(m.Headers)+7)
	for k, v := range m.Headers {
		switch k {
		case HeaderReason, HeaderError, HeaderTopic, HeaderPartition, HeaderOffset, HeaderTime, HeaderTruncated:
			continue // ours win over a replayed dead letter's
		}
		headers = append(headers, kafkago.Header{Key: k, Value: []byte(v)})
	}
	headers = append(headers,
		kafkago.Header{Key: HeaderReason, Value: []byte(reason)},
		kafkago.Header{Key: HeaderError, Value: []byte(msg)},
		kafkago.Header{Key: HeaderTopic, Value: []byte(m.Pos.Topic)},
		kafkago.Header{Key: HeaderPartition, Value: strconv.AppendInt(nil, int64(m.Pos.Partition), 10)},
		kafkago.Header{Key: HeaderOffset, Value: strconv.AppendInt(nil, m.Pos.Offset, 10)},
		kafkago.Header{Key: HeaderTime, Value: []byte(m.Time.UTC().Format(time.RFC3339Nano))},
	)
	value := m.Value
	if size := letterSize(m.Key, value, headers); size > s.cfg.MaxMessageBytes {
		keep := max(0, len(value)-(size-s.cfg.MaxMessageBytes)-32) // room for the extra header
		headers = append(headers, kafkago.Header{Key: HeaderTruncated, Value: strconv.AppendInt(nil, int64(len(value)), 10)})
		value = value[:keep]
	}
	return kafkago.Message{Key: m.Key, Value: value, Headers: headers}
}

// letterSize over-estimates a message's size as kafka-go counts it against
// Writer.BatchBytes.
func letterSize(key, value []byte, headers []kafkago.Header) int {
	n := 64 + len(key) + len(value)
	for _, h := range headers {
		n += 10 + len(h.Key) + len(h.Value)
	}
	return n
}

// Close flushes and closes the writer.
func (s *Sink) Close(context.Context) error {
	if err := s.w.Close(); err != nil {
		return fmt.Errorf("deadletter: close: %w", err)
	}
	return nil
}
