package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
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
	DialTimeout time.Duration `yaml:"dial_timeout"`
	TLS         TLSConfig     `yaml:"tls"`
	SASL        SASLConfig    `yaml:"sasl"`
}

// TLSConfig configures TLS to the brokers. Its fields match the dead-letter
// sink's and voc's configuration file.
type TLSConfig struct {
	// Enabled turns TLS on, verifying the brokers against the system roots
	// unless CAFile is set. Default false.
	Enabled bool `yaml:"enabled"`
	// CAFile is a PEM file of the CA certificates to trust. Default none
	// (system roots).
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile are the PEM client certificate and key, for
	// brokers that require client authentication. Both or neither. Default
	// none.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// InsecureSkipVerify accepts any broker certificate. Default false.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// SASLConfig configures SASL authentication to the brokers.
type SASLConfig struct {
	// Mechanism is "plain", "scram-sha-256" or "scram-sha-512". Default ""
	// (no SASL).
	Mechanism string `yaml:"mechanism"`
	// Username and Password are the credentials; required with a
	// Mechanism. Default empty.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// Defaults.
const (
	DefaultClientID          = "voc"
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
	DefaultDialTimeout       = 10 * time.Second
)

// ConfigError reports an invalid configuration field.
type ConfigError struct {
	Field string // e.g. "group_id", "tls.cert_file"
	Value any
	Err   error
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("kafka: config %s=%v: %v", e.Field, e.Value, e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }

var (
	errRequired = errors.New("required")
	errNegative = errors.New("must not be negative")
)

// Validate reports the first invalid field as a *ConfigError. It reads no
// files; New does, and reports unreadable ones the same way.
func (c Config) Validate() error {
	if err := validateBrokers(c.Brokers); err != nil {
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

func validateBrokers(brokers []string) error {
	if len(brokers) == 0 {
		return &ConfigError{Field: "brokers", Value: brokers, Err: errRequired}
	}
	for i, b := range brokers {
		host, port, err := net.SplitHostPort(b)
		if err == nil && (host == "" || port == "") {
			err = errors.New("want host:port")
		}
		if err != nil {
			return &ConfigError{Field: fmt.Sprintf("brokers[%d]", i), Value: b, Err: err}
		}
	}
	return nil
}

// Validate reports an invalid TLS field as a *ConfigError with a "tls."
// prefix.
func (c TLSConfig) Validate() error {
	if !c.Enabled {
		for _, f := range []struct {
			name string
			set  bool
		}{{"tls.ca_file", c.CAFile != ""}, {"tls.cert_file", c.CertFile != ""}, {"tls.key_file", c.KeyFile != ""},
			{"tls.insecure_skip_verify", c.InsecureSkipVerify}} {
			if f.set {
				return &ConfigError{Field: f.name, Value: "set", Err: errors.New("tls.enabled is false: set it, or TLS settings would be ignored")}
			}
		}
		return nil
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		if c.CertFile == "" {
			return &ConfigError{Field: "tls.cert_file", Value: "", Err: errors.New("required with tls.key_file")}
		}
		return &ConfigError{Field: "tls.key_file", Value: "", Err: errors.New("required with tls.cert_file")}
	}
	return nil
}

// Build loads the files and returns the TLS configuration, nil when TLS is
// disabled.
func (c TLSConfig) Build() (*tls.Config, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if !c.Enabled {
		return nil, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.InsecureSkipVerify} //nolint:gosec // opt-in
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, &ConfigError{Field: "tls.ca_file", Value: c.CAFile, Err: err}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, &ConfigError{Field: "tls.ca_file", Value: c.CAFile, Err: errors.New("no PEM certificate found")}
		}
		tc.RootCAs = pool
	}
	if c.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, &ConfigError{Field: "tls.cert_file", Value: c.CertFile, Err: err}
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// Validate reports an invalid SASL field as a *ConfigError with a "sasl."
// prefix.
func (c SASLConfig) Validate() error {
	switch strings.ToLower(c.Mechanism) {
	case "":
		if c.Username != "" || c.Password != "" {
			return &ConfigError{Field: "sasl.mechanism", Value: "", Err: errors.New("required with a username or password")}
		}
		return nil
	case "plain", "scram-sha-256", "scram-sha-512":
	default:
		return &ConfigError{Field: "sasl.mechanism", Value: c.Mechanism,
			Err: errors.New(`must be "plain", "scram-sha-256" or "scram-sha-512"`)}
	}
	if c.Username == "" {
		return &ConfigError{Field: "sasl.username", Value: "", Err: errRequired}
	}
	if c.Password == "" {
		return &ConfigError{Field: "sasl.password", Value: "", Err: errRequired}
	}
	return nil
}

// Build returns the SASL mechanism, nil when SASL is off.
func (c SASLConfig) Build() (sasl.Mechanism, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var algo scram.Algorithm
	switch strings.ToLower(c.Mechanism) {
	case "":
		return nil, nil
	case "plain":
		return plain.Mechanism{Username: c.Username, Password: c.Password}, nil
	case "scram-sha-256":
		algo = scram.SHA256
	case "scram-sha-512":
		algo = scram.SHA512
	}
	m, err := scram.Mechanism(algo, c.Username, c.Password)
	if err != nil {
		return nil, &ConfigError{Field: "sasl.username", Value: c.Username, Err: err}
	}
	return m, nil
}

// connSettings builds the TLS and SASL settings and fills the client id
// and timeout defaults shared by Dialer and Transport.
func connSettings(clientID string, timeout time.Duration, tc TLSConfig, sc SASLConfig) (string, time.Duration, *tls.Config, sasl.Mechanism, error) {
	t, err := tc.Build()
	if err != nil {
		return "", 0, nil, nil, err
	}
	m, err := sc.Build()
	if err != nil {
		return "", 0, nil, nil, err
	}
	if clientID == "" {
		clientID = DefaultClientID
	}
	if timeout == 0 {
		timeout = DefaultDialTimeout
	}
	return clientID, timeout, t, m, nil
}

// Dialer returns a kafka-go dialer with the client id, timeout, TLS and SASL
// settings.
func Dialer(clientID string, timeout time.Duration, tc TLSConfig, sc SASLConfig) (*kafkago.Dialer, error) {
	id, to, t, m, err := connSettings(clientID, timeout, tc, sc)
	if err != nil {
		return nil, err
	}
	return &kafkago.Dialer{ClientID: id, Timeout: to, DualStack: true, TLS: t, SASLMechanism: m}, nil
}

// Transport returns a kafka-go transport (for writers and clients) with the
// client id, timeout, TLS and SASL settings.
func Transport(clientID string, timeout time.Duration, tc TLSConfig, sc SASLConfig) (*kafkago.Transport, error) {
	id, to, t, m, err := connSettings(clientID, timeout, tc, sc)
	if err != nil {
		return nil, err
	}
	return &kafkago.Transport{ClientID: id, DialTimeout: to, TLS: t, SASL: m}, nil
}

// ValidateBrokers checks a broker list as Config.Validate does, for other
// Kafka clients configured like the Source.
func ValidateBrokers(brokers []string) error { return validateBrokers(brokers) }

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
