package kafka

import (
	"errors"
	"fmt"
	"time"

	"github.com/vocproject/voc/internal/kafkaconn"
)

// Config configures a Source. The zero value of each optional field means
// its default, stated in the field's comment.
type Config struct {
	// Brokers are the bootstrap brokers, host:port. Required.
	Brokers []string `yaml:"brokers"`
	// Topics are the topics to consume. Required.
	Topics []string `yaml:"topics"`
	// GroupID is the consumer group. Processes with the same group share
	// the partitions. Required.
	GroupID string `yaml:"group_id"`
	// ClientID identifies the client to the brokers. Default "voc".
	ClientID string `yaml:"client_id"`
	// MinBytes is the least data a fetch waits for (up to MaxWait).
	// Default 1.
	MinBytes int `yaml:"min_bytes"`
	// MaxBytes is the most data a fetch returns per partition. Default 10 MiB.
	MaxBytes int `yaml:"max_bytes"`
	// MaxWait is the longest a fetch waits for MinBytes. Close waits up to
	// MaxWait for fetches in progress. Default 500ms.
	MaxWait time.Duration `yaml:"max_wait"`
	// QueueCapacity is the number of fetched messages buffered ahead of
	// Read. Default 1000.
	QueueCapacity int `yaml:"queue_capacity"`
	// StartOffset is where a partition without a committed offset starts:
	// "earliest" or "latest". Default "earliest".
	StartOffset string `yaml:"start_offset"`
	// CommitInterval is how often acknowledged offsets are committed, in
	// one request for all partitions. Default 1s.
	CommitInterval time.Duration `yaml:"commit_interval"`
	// CloseTimeout bounds the final commit in Close. Default 10s.
	CloseTimeout time.Duration `yaml:"close_timeout"`
	// HeartbeatInterval is how often the group coordinator is told the
	// consumer is alive; a rebalance is noticed within about this long.
	// Default 3s, or a third of SessionTimeout when that is shorter.
	HeartbeatInterval time.Duration `yaml:"heartbeat_interval"`
	// SessionTimeout is how long the coordinator waits for a heartbeat
	// before it gives the consumer's partitions to others. Default 30s.
	SessionTimeout time.Duration `yaml:"session_timeout"`
	// RebalanceTimeout is how long the coordinator waits for members to
	// rejoin during a rebalance. Default 30s.
	RebalanceTimeout time.Duration `yaml:"rebalance_timeout"`
	// JoinBackoff is the wait between attempts to join the group after an
	// error (coordinator unreachable, authentication failure). Default 5s.
	JoinBackoff time.Duration `yaml:"join_backoff"`
	// DialTimeout bounds connecting to a broker. Default 10s.
	DialTimeout time.Duration        `yaml:"dial_timeout"`
	TLS         kafkaconn.TLSConfig  `yaml:"tls"`
	SASL        kafkaconn.SASLConfig `yaml:"sasl"`
}

// Defaults.
const (
	DefaultClientID          = kafkaconn.DefaultClientID
	DefaultMinBytes          = 1
	DefaultMaxBytes          = 10 << 20
	DefaultMaxWait           = 500 * time.Millisecond
	DefaultQueueCapacity     = 1000
	DefaultStartOffset       = "earliest"
	DefaultCommitInterval    = time.Second
	DefaultCloseTimeout      = 10 * time.Second
	DefaultHeartbeatInterval = 3 * time.Second
	DefaultSessionTimeout    = 30 * time.Second
	DefaultRebalanceTimeout  = 30 * time.Second
	DefaultJoinBackoff       = 5 * time.Second
	DefaultDialTimeout       = kafkaconn.DefaultDialTimeout
)

// ConfigError is the error of an invalid field, of the connection
// settings and the source's own alike.
type ConfigError = kafkaconn.ConfigError

var (
	errRequired = kafkaconn.ErrRequired
	errNegative = errors.New("must not be negative")
)

// Validate reports the first invalid field as a *ConfigError. It reads no
// files; New does, and reports unreadable ones the same way.
func (c Config) Validate() error {
	if err := kafkaconn.ValidateBrokers(c.Brokers); err != nil {
		return err
	}
	if len(c.Topics) == 0 {
		return &ConfigError{Field: "topics", Value: c.Topics, Err: errRequired}
	}
	for i, t := range c.Topics {
		if t == "" {
			return &ConfigError{Field: fmt.Sprintf("topics[%d]", i), Value: t, Err: errors.New("empty topic name")}
		}
	}
	if c.GroupID == "" {
		return &ConfigError{Field: "group_id", Value: c.GroupID, Err: errRequired}
	}
	switch c.StartOffset {
	case "", "earliest", "latest":
	default:
		return &ConfigError{Field: "start_offset", Value: c.StartOffset, Err: errors.New(`must be "earliest" or "latest"`)}
	}
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"min_bytes", int64(c.MinBytes)},
		{"max_bytes", int64(c.MaxBytes)},
		{"max_wait", int64(c.MaxWait)},
		{"queue_capacity", int64(c.QueueCapacity)},
		{"commit_interval", int64(c.CommitInterval)},
		{"close_timeout", int64(c.CloseTimeout)},
		{"heartbeat_interval", int64(c.HeartbeatInterval)},
		{"session_timeout", int64(c.SessionTimeout)},
		{"rebalance_timeout", int64(c.RebalanceTimeout)},
		{"join_backoff", int64(c.JoinBackoff)},
		{"dial_timeout", int64(c.DialTimeout)},
	} {
		if f.v < 0 {
			return &ConfigError{Field: f.name, Value: f.v, Err: errNegative}
		}
	}
	if c.MaxBytes > 0 && c.MinBytes > c.MaxBytes {
		return &ConfigError{Field: "min_bytes", Value: c.MinBytes, Err: fmt.Errorf("is above max_bytes %d", c.MaxBytes)}
	}
	if c.SessionTimeout > 0 && c.HeartbeatInterval >= c.SessionTimeout {
		return &ConfigError{Field: "heartbeat_interval", Value: c.HeartbeatInterval,
			Err: fmt.Errorf("must be below session_timeout %v", c.SessionTimeout)}
	}
	if err := c.TLS.Validate(); err != nil {
		return err
	}
	return c.SASL.Validate()
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.ClientID == "" {
		c.ClientID = DefaultClientID
	}
	if c.MinBytes == 0 {
		c.MinBytes = DefaultMinBytes
	}
	if c.MaxBytes == 0 {
		c.MaxBytes = max(DefaultMaxBytes, c.MinBytes)
	}
	if c.MaxWait == 0 {
		c.MaxWait = DefaultMaxWait
	}
	if c.QueueCapacity == 0 {
		c.QueueCapacity = DefaultQueueCapacity
	}
	if c.StartOffset == "" {
		c.StartOffset = DefaultStartOffset
	}
	if c.CommitInterval == 0 {
		c.CommitInterval = DefaultCommitInterval
	}
	if c.CloseTimeout == 0 {
		c.CloseTimeout = DefaultCloseTimeout
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = min(DefaultHeartbeatInterval, c.SessionTimeout/3)
		if c.HeartbeatInterval == 0 {
			c.HeartbeatInterval = DefaultHeartbeatInterval
		}
	}
	if c.SessionTimeout == 0 {
		c.SessionTimeout = max(DefaultSessionTimeout, 3*c.HeartbeatInterval)
	}
	if c.RebalanceTimeout == 0 {
		c.RebalanceTimeout = DefaultRebalanceTimeout
	}
	if c.JoinBackoff == 0 {
		c.JoinBackoff = DefaultJoinBackoff
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	return c
}
