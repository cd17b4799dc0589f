// Package kafkaconn is how voc connects to Kafka brokers: the TLS and SASL
// settings, the broker list check and the kafka-go Dialer and Transport built
// from them, shared by the Kafka source (sources/kafka) and the dead-letter
// sink (sinks/deadletter) so that neither imports the other. Invalid
// settings are reported as a *ConfigError naming the field.
package kafkaconn

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

	"github.com/vocproject/voc/internal/fielderr"
)

// TLSConfig configures TLS to the brokers, for the source, the dead-letter
// sink and voc's configuration file alike.
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

// Defaults of Dialer and Transport.
const (
	DefaultClientID    = "voc"
	DefaultDialTimeout = 10 * time.Second
)

// ConfigError reports an invalid field of a Kafka client's configuration (the
// source's, the dead-letter sink's or their connection settings), named
// relative to it ("group_id", "tls.cert_file").
type ConfigError = fielderr.ValueError[configLayout]

type configLayout struct{}

func (configLayout) Layout() string { return "kafka: config %s=%v: %v" }

// ErrRequired is the Err of a ConfigError on a missing required field.
var ErrRequired = errors.New("required")

// ValidateBrokers checks a broker list (host:port each, at least one) and
// reports the first invalid entry as a *ConfigError on "brokers".
func ValidateBrokers(brokers []string) error {
	if len(brokers) == 0 {
		return &ConfigError{Field: "brokers", Value: brokers, Err: ErrRequired}
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
		return &ConfigError{Field: "sasl.username", Value: "", Err: ErrRequired}
	}
	if c.Password == "" {
		return &ConfigError{Field: "sasl.password", Value: "", Err: ErrRequired}
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
