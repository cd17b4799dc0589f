// Package config is the configuration of `voc run` and `voc demo`: one YAML
// file whose sections configure the Kafka source and dead-letter topic, the
// ClickHouse and search-index sinks, the pipeline engine, the NLP stage, the
// HTTP endpoints and logging. The zero value of every field means its
// default; each field's comment states it. Load reads a file, applies
// VOC_* environment overrides and validates; errors name the field.
//
// The kafka section is the Kafka source's own configuration (kafka.Config)
// plus the dead-letter topic and the embedded broker; the alerts section is
// carried as a YAML node for the alert service, which validates it through
// a SectionCheck given to Load, so that this package imports no alerts code.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vocproject/voc/internal/kafkaconn"
	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/sinks/deadletter"
	"github.com/vocproject/voc/sources/kafka"
	"github.com/vocproject/voc/store/ch"
	"github.com/vocproject/voc/store/ch/query"
)

// Config is the whole voc configuration.
type Config struct {
	Kafka      Kafka     `yaml:"kafka"`
	ClickHouse ch.Config `yaml:"clickhouse"`
	Index      Index     `yaml:"index"`
	Pipeline   Pipeline  `yaml:"pipeline"`
	NLP        NLP       `yaml:"nlp"`
	HTTP       HTTP      `yaml:"http"`
	Log        Log       `yaml:"log"`
	// MemoryLimitMB is the soft memory limit of the Go runtime (as
	// GOMEMLIMIT): the garbage collector works harder as the heap nears it,
	// keeping peak RSS steady through bursts such as catching up after a
	// ClickHouse outage. Default 700; -1 leaves the runtime's default (or
	// GOMEMLIMIT) alone.
	MemoryLimitMB int `yaml:"memory_limit_mb"`
	// Alerts is carried as is for the alert service, which decodes and
	// validates it (alerts.FromNode, passed to Load as a SectionCheck by
	// `voc run`). See docs/alerts.md.
	Alerts yaml.Node `yaml:"alerts"`
}

// Kafka configures the consumer group and the dead-letter topic. Its
// consumer settings are the Kafka source's own (kafka.Config, every field
// under the same key), with voc's defaults where they differ: brokers
// ["127.0.0.1:9092"], topics ["voc.feedback"], group_id "voc" (every
// `voc run` of one deployment uses the same group so that they share
// partitions) and client_id "voc-" + hostname. The dead-letter sink
// connects with the same brokers, client id, timeout, TLS and SASL.
type Kafka struct {
	kafka.Config `yaml:",inline"`
	// DeadLetterTopic receives the messages that cannot be decoded or
	// analysed, with the reason in headers. Default "voc.deadletter".
	DeadLetterTopic string `yaml:"dead_letter_topic"`
	// Embedded runs a single-node Kafka-compatible broker inside voc and
	// consumes from it (brokers is then ignored): a one-box setup with no
	// Kafka to operate. Producers connect to its port.
	Embedded Embedded `yaml:"embedded"`
}

// Embedded configures the in-process broker.
type Embedded struct {
	// Enabled turns the embedded broker on. Default false.
	Enabled bool `yaml:"enabled"`
	// Dir holds its log segments and committed offsets. Default ".voc/kafka".
	Dir string `yaml:"dir"`
	// Listen is its address. Default "127.0.0.1:9092".
	Listen string `yaml:"listen"`
	// Partitions of the topics it creates. Default 4.
	Partitions int `yaml:"partitions"`
}

// Index configures the full-text index of verbatims.
type Index struct {
	// Path is the index directory. Default ".voc/index".
	Path string `yaml:"path"`
	// Disabled turns the index sink off. Default false.
	Disabled bool `yaml:"disabled"`
	// BatchSize is the most documents per index write (one index segment).
	// Default 5000.
	BatchSize int `yaml:"batch_size"`
	// Mode says what feeds the index. "local" (the default): the records
	// this process consumes, which is every record only while it is the
	// one process of its group. "replica": a second consumer, in a group of
	// its own named after the index (kafka.group_id + ".index." + the
	// index's id), reads every partition, so the index holds every record
	// whatever the main group's assignment.
	Mode string `yaml:"mode"`
}

// Index modes.
const (
	IndexLocal   = "local"
	IndexReplica = "replica"
)

// Pipeline tunes the engine (see pipeline.Config).
type Pipeline struct {
	// Workers run the NLP stage. Default the number of CPUs.
	Workers int `yaml:"workers"`
	// MaxInFlight caps records read and not yet acknowledged. Default 10000.
	MaxInFlight int `yaml:"max_in_flight"`
	// BatchRecords is the most records per sink batch. Larger batches mean
	// fewer ClickHouse parts and index segments. Default 5000.
	BatchRecords int `yaml:"batch_records"`
	// BatchBytes is the most message bytes per sink batch. Default 8 MiB.
	BatchBytes int `yaml:"batch_bytes"`
	// BatchWait is the longest a record waits in a partial batch. Default 1s.
	BatchWait time.Duration `yaml:"batch_wait"`
	// RetryInitial and RetryMax bound the backoff of failed sink writes.
	// Defaults 100ms and 30s.
	RetryInitial time.Duration `yaml:"retry_initial"`
	RetryMax     time.Duration `yaml:"retry_max"`
	// FlushTimeout bounds the drain on shutdown. Default 30s.
	FlushTimeout time.Duration `yaml:"flush_timeout"`
}

// NLP configures the analysis stage.
type NLP struct {
	// Lexicons is a directory whose files override the shipped lexicons
	// file by file. Default none (shipped lexicons only).
	Lexicons string `yaml:"lexicons"`
	// Packs selects the lexicon packs (lexicons/data/FORMAT.md, section
	// "Packs"), each with the packs it requires. Default ecommerce, service,
	// electronics, app.
	Packs []string `yaml:"packs"`
	// MaxMessageBytes is the largest message accepted; larger ones are
	// dead-lettered as oversize. Default 64 KiB, at most 8 MiB
	// (MaxMaxMessageBytes: analysis is linear in the text, but one record
	// holds its text, its words and its aspects in memory until its batch
	// is written).
	MaxMessageBytes int `yaml:"max_message_bytes"`
	// WatchInterval is how often the Lexicons directory is checked for
	// changed files, which are then validated and swapped in (as on SIGHUP).
	// Default 2s; a negative value turns watching off.
	WatchInterval time.Duration `yaml:"watch_interval"`
}

// HTTP configures the listener of the dashboard, the API, the report,
// /metrics, /healthz, /readyz, POST /admin/reload and, when enabled, the
// profiles (SECURITY.md: what each exposes, with and without a token).
type HTTP struct {
	// Listen is the listener's address. Default "127.0.0.1:9464"; "off"
	// disables the listener.
	Listen string `yaml:"listen"`
	// Token, when set, is the bearer token ("Authorization: Bearer
	// <token>", the scheme in any case) that /api/, /report, /metrics,
	// POST /admin/reload and /debug/pprof/ require; the dashboard page
	// and its assets, /healthz and /readyz ("ok", "ready" or "not ready",
	// nothing else) stay open. Required when Listen is not a loopback
	// address; at least 16 printable ASCII characters without spaces
	// (openssl rand -hex 32). Without it, a loopback listener answers only
	// loopback Host names (DNS rebinding). Prefer the VOC_API_TOKEN
	// environment variable. Default none.
	Token string `yaml:"token"`
	// Pprof serves the Go runtime profiles under /debug/pprof/ (heap and
	// goroutine dumps, CPU profile, execution trace: they may hold
	// customer text in memory), requiring Token when one is set. Needs
	// the listener. Default false.
	Pprof bool `yaml:"pprof"`
	// APITimeout bounds one API request's queries; past it the answer is
	// 504. Default 15s.
	APITimeout time.Duration `yaml:"api_timeout"`
	// ReportTimeout bounds building one /report. Default 30s.
	ReportTimeout time.Duration `yaml:"report_timeout"`
	// MaxConcurrent caps the API requests and reports in progress; beyond
	// it they are answered 503 with Retry-After at once. Default 32.
	MaxConcurrent int `yaml:"max_concurrent"`
	// Timezone is the IANA zone whose days the dashboard, the API and the
	// report count in (day and week buckets, default ranges, what changed
	// per day, the weekly report's Monday to Monday); its offset from UTC
	// must be whole hours (the hourly tables are keyed by UTC hour).
	// Default Asia/Shanghai.
	Timezone string `yaml:"timezone"`
}

// Zone returns the location of Timezone (query.LoadZone).
func (h HTTP) Zone() (*time.Location, error) { return query.LoadZone(h.Timezone) }

// MinTokenLen is the shortest http.token accepted.
const MinTokenLen = 16

// CheckToken reports why token cannot serve as the bearer token: blank,
// holding a space, control or non-ASCII character (which a header value
// cannot carry as is), or shorter than MinTokenLen. The error never
// quotes the token.
func CheckToken(token string) error {
	if strings.TrimSpace(token) == "" {
		return errors.New("is blank (whitespace only); set a random token (openssl rand -hex 32) or none")
	}
	for _, r := range token {
		if r <= ' ' || r > '~' {
			return errors.New("holds a space, control or non-ASCII character; want printable ASCII (openssl rand -hex 32)")
		}
	}
	if len(token) < MinTokenLen {
		return fmt.Errorf("is %d characters long; want at least %d (openssl rand -hex 32)", len(token), MinTokenLen)
	}
	return nil
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error. Default info.
	Level string `yaml:"level"`
	// Format is text or json. Default text.
	Format string `yaml:"format"`
}

// Default values.
const (
	DefaultBroker          = "127.0.0.1:9092"
	DefaultTopic           = "voc.feedback"
	DefaultGroupID         = "voc"
	DefaultDeadLetterTopic = "voc.deadletter"
	DefaultIndexPath       = ".voc/index"
	DefaultListen          = "127.0.0.1:9464"
	DefaultMaxMessageBytes = 64 << 10
	// MaxMaxMessageBytes bounds nlp.max_message_bytes.
	MaxMaxMessageBytes   = 8 << 20
	DefaultMemoryLimitMB = 700
	// The defaults of http.api_timeout, http.report_timeout and
	// http.max_concurrent, as api.Config's.
	DefaultAPITimeout    = 15 * time.Second
	DefaultReportTimeout = 30 * time.Second
	DefaultMaxConcurrent = 32
)

// Error names the invalid field of a configuration.
type Error struct {
	Field string // dotted YAML path, e.g. kafka.start_offset
	Value any
	Err   error
}

func (e *Error) Error() string {
	if e.Value == nil {
		return fmt.Sprintf("config: %s: %v", e.Field, e.Err)
	}
	return fmt.Sprintf("config: %s: %q: %v", e.Field, fmt.Sprint(e.Value), e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Default returns the configuration with every default filled in.
func Default() Config {
	var c Config
	c.fill()
	return c
}

// fill sets every zero field to its default.
func (c *Config) fill() {
	k := &c.Kafka
	if len(k.Brokers) == 0 {
		k.Brokers = []string{DefaultBroker}
	}
	if len(k.Topics) == 0 {
		k.Topics = []string{DefaultTopic}
	}
	if k.GroupID == "" {
		k.GroupID = DefaultGroupID
	}
	if k.ClientID == "" {
		host, _ := os.Hostname()
		k.ClientID = "voc-" + host
	}
	if k.StartOffset == "" {
		k.StartOffset = "earliest"
	}
	if k.DeadLetterTopic == "" {
		k.DeadLetterTopic = DefaultDeadLetterTopic
	}
	if k.CommitInterval == 0 {
		k.CommitInterval = time.Second
	}
	if k.Embedded.Dir == "" {
		k.Embedded.Dir = ".voc/kafka"
	}
	if k.Embedded.Listen == "" {
		k.Embedded.Listen = DefaultBroker
	}
	if k.Embedded.Partitions == 0 {
		k.Embedded.Partitions = 4
	}
	ch := &c.ClickHouse
	if len(ch.Addrs) == 0 {
		ch.Addrs = []string{"127.0.0.1:9000"}
	}
	if ch.Database == "" {
		ch.Database = "voc"
	}
	if c.Index.Path == "" {
		c.Index.Path = DefaultIndexPath
	}
	if c.Index.Mode == "" {
		c.Index.Mode = IndexLocal
	}
	if c.Index.BatchSize == 0 {
		c.Index.BatchSize = 5000
	}
	p := &c.Pipeline
	if p.Workers == 0 {
		p.Workers = runtime.GOMAXPROCS(0)
	}
	if p.MaxInFlight == 0 {
		p.MaxInFlight = 10000
	}
	if p.BatchRecords == 0 {
		p.BatchRecords = 5000
	}
	if p.BatchBytes == 0 {
		p.BatchBytes = 8 << 20
	}
	if p.BatchWait == 0 {
		p.BatchWait = time.Second
	}
	if p.RetryInitial == 0 {
		p.RetryInitial = 100 * time.Millisecond
	}
	if p.RetryMax == 0 {
		p.RetryMax = 30 * time.Second
	}
	if p.FlushTimeout == 0 {
		p.FlushTimeout = 30 * time.Second
	}
	if c.NLP.WatchInterval == 0 {
		c.NLP.WatchInterval = 2 * time.Second
	}
	if c.NLP.MaxMessageBytes == 0 {
		c.NLP.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.HTTP.Listen == "" {
		c.HTTP.Listen = DefaultListen
	}
	if c.HTTP.APITimeout == 0 {
		c.HTTP.APITimeout = DefaultAPITimeout
	}
	if c.HTTP.ReportTimeout == 0 {
		c.HTTP.ReportTimeout = DefaultReportTimeout
	}
	if c.HTTP.MaxConcurrent == 0 {
		c.HTTP.MaxConcurrent = DefaultMaxConcurrent
	}
	if c.HTTP.Timezone == "" {
		c.HTTP.Timezone = query.DefaultZone
	}
	if c.MemoryLimitMB == 0 {
		c.MemoryLimitMB = DefaultMemoryLimitMB
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
	}
}

// SectionCheck validates a section that Config carries as a YAML node
// without reading it (Alerts): the section's owner supplies it, e.g. `voc
// run` checks the alerts section with the alert service's own decoder.
type SectionCheck func(*Config) error

// Load reads a YAML configuration (unknown fields are errors), applies
// environment overrides from getenv (nil means none), fills defaults and
// validates, then runs checks on the sections Config carries as nodes; a
// check's error is returned as "config: " + its message.
func Load(r io.Reader, getenv func(string) string, checks ...SectionCheck) (Config, error) {
	var c Config
	data, err := io.ReadAll(r)
	if err != nil {
		return c, fmt.Errorf("config: read: %w", err)
	}
	if len(bytes.TrimSpace(data)) > 0 {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
			return c, fmt.Errorf("config: %w", err)
		}
	}
	if getenv != nil {
		if err := c.applyEnv(getenv); err != nil {
			return c, err
		}
	}
	c.fill()
	if err := c.Validate(); err != nil {
		return c, err
	}
	for _, check := range checks {
		if err := check(&c); err != nil {
			return c, fmt.Errorf("config: %w", err)
		}
	}
	return c, nil
}

// LoadFile is Load on a file; path "" means no file (defaults and
// environment only).
func LoadFile(path string, getenv func(string) string, checks ...SectionCheck) (Config, error) {
	if path == "" {
		return Load(strings.NewReader(""), getenv, checks...)
	}
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	c, err := Load(f, getenv, checks...)
	if err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Env lists the environment variables Load reads, each overriding one field.
var Env = []struct{ Name, Field string }{
	{"VOC_KAFKA_BROKERS", "kafka.brokers (comma-separated)"},
	{"VOC_KAFKA_TOPICS", "kafka.topics (comma-separated)"},
	{"VOC_KAFKA_GROUP_ID", "kafka.group_id"},
	{"VOC_KAFKA_SASL_PASSWORD", "kafka.sasl.password"},
	{"VOC_CLICKHOUSE_ADDRS", "clickhouse.addrs (comma-separated)"},
	{"VOC_CLICKHOUSE_DATABASE", "clickhouse.database"},
	{"VOC_CLICKHOUSE_PASSWORD", "clickhouse.password"},
	{"VOC_INDEX_PATH", "index.path"},
	{"VOC_LEXICONS", "nlp.lexicons"},
	{"VOC_HTTP_LISTEN", "http.listen"},
	{"VOC_API_TOKEN", "http.token"},
	{"VOC_WORKERS", "pipeline.workers"},
	{"VOC_LOG_LEVEL", "log.level"},
}

func (c *Config) applyEnv(getenv func(string) string) error {
	list := func(s string) []string {
		var out []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	set := map[string]func(string) error{
		"VOC_KAFKA_BROKERS":       func(v string) error { c.Kafka.Brokers = list(v); return nil },
		"VOC_KAFKA_TOPICS":        func(v string) error { c.Kafka.Topics = list(v); return nil },
		"VOC_KAFKA_GROUP_ID":      func(v string) error { c.Kafka.GroupID = v; return nil },
		"VOC_KAFKA_SASL_PASSWORD": func(v string) error { c.Kafka.SASL.Password = v; return nil },
		"VOC_CLICKHOUSE_ADDRS":    func(v string) error { c.ClickHouse.Addrs = list(v); return nil },
		"VOC_CLICKHOUSE_DATABASE": func(v string) error { c.ClickHouse.Database = v; return nil },
		"VOC_CLICKHOUSE_PASSWORD": func(v string) error { c.ClickHouse.Password = v; return nil },
		"VOC_INDEX_PATH":          func(v string) error { c.Index.Path = v; return nil },
		"VOC_LEXICONS":            func(v string) error { c.NLP.Lexicons = v; return nil },
		"VOC_PACKS":               func(v string) error { c.NLP.Packs = lexicons.SplitPacks(v); return nil },
		"VOC_HTTP_LISTEN":         func(v string) error { c.HTTP.Listen = v; return nil },
		"VOC_API_TOKEN":           func(v string) error { c.HTTP.Token = v; return nil },
		"VOC_LOG_LEVEL":           func(v string) error { c.Log.Level = v; return nil },
		"VOC_WORKERS": func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return &Error{Field: "pipeline.workers (VOC_WORKERS)", Value: v, Err: errors.New("not an integer")}
			}
			c.Pipeline.Workers = n
			return nil
		},
	}
	for _, e := range Env {
		if v := getenv(e.Name); v != "" {
			if err := set[e.Name](v); err != nil {
				return err
			}
		}
	}
	return nil
}

// SourceConfig is the Kafka source configuration of k.
func (k Kafka) SourceConfig() kafka.Config { return k.Config }

// DeadLetterConfig is the dead-letter sink configuration of k.
func (k Kafka) DeadLetterConfig() deadletter.Config {
	return deadletter.Config{Brokers: k.Brokers, Topic: k.DeadLetterTopic, ClientID: k.ClientID, DialTimeout: k.DialTimeout,
		TLS: k.TLS, SASL: k.SASL}
}

// Validate reports the first invalid field as an *Error. It expects a
// filled config (Load and Default fill it).
func (c Config) Validate() error {
	k := c.Kafka
	for i, b := range k.Brokers {
		if err := hostPort(b); err != nil {
			return &Error{Field: fmt.Sprintf("kafka.brokers[%d]", i), Value: b, Err: err}
		}
	}
	for i, t := range k.Topics {
		if err := topicName(t); err != nil {
			return &Error{Field: fmt.Sprintf("kafka.topics[%d]", i), Value: t, Err: err}
		}
		if t == k.DeadLetterTopic {
			return &Error{Field: "kafka.dead_letter_topic", Value: t, Err: errors.New("must differ from the consumed topics")}
		}
	}
	if err := topicName(k.DeadLetterTopic); err != nil {
		return &Error{Field: "kafka.dead_letter_topic", Value: k.DeadLetterTopic, Err: err}
	}
	if strings.TrimSpace(k.GroupID) == "" {
		return &Error{Field: "kafka.group_id", Err: errors.New("must not be blank")}
	}
	if k.StartOffset != "earliest" && k.StartOffset != "latest" {
		return &Error{Field: "kafka.start_offset", Value: k.StartOffset, Err: errors.New(`want "earliest" or "latest"`)}
	}
	if k.CommitInterval < 0 {
		return &Error{Field: "kafka.commit_interval", Value: k.CommitInterval, Err: errors.New("must not be negative")}
	}
	switch k.SASL.Mechanism {
	case "":
	case "plain", "scram-sha-256", "scram-sha-512":
		if k.SASL.Username == "" {
			return &Error{Field: "kafka.sasl.username", Err: fmt.Errorf("required with mechanism %s", k.SASL.Mechanism)}
		}
	default:
		return &Error{Field: "kafka.sasl.mechanism", Value: k.SASL.Mechanism, Err: errors.New(`want "plain", "scram-sha-256" or "scram-sha-512"`)}
	}
	if k.Embedded.Enabled {
		if err := hostPort(k.Embedded.Listen); err != nil {
			return &Error{Field: "kafka.embedded.listen", Value: k.Embedded.Listen, Err: err}
		}
		if h, _, _ := net.SplitHostPort(k.Embedded.Listen); h != "127.0.0.1" && h != "localhost" {
			return &Error{Field: "kafka.embedded.listen", Value: k.Embedded.Listen, Err: errors.New("the embedded broker listens on loopback only (127.0.0.1)")}
		}
		if k.Embedded.Partitions < 0 || k.Embedded.Partitions > 1000 {
			return &Error{Field: "kafka.embedded.partitions", Value: k.Embedded.Partitions, Err: errors.New("want 1-1000")}
		}
	}
	if (k.TLS.CertFile == "") != (k.TLS.KeyFile == "") {
		return &Error{Field: "kafka.tls.key_file", Err: errors.New("cert_file and key_file go together")}
	}
	for _, f := range []struct{ field, path string }{{"kafka.tls.ca_file", k.TLS.CAFile}, {"kafka.tls.cert_file", k.TLS.CertFile}, {"kafka.tls.key_file", k.TLS.KeyFile}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			return &Error{Field: f.field, Value: f.path, Err: err}
		}
	}
	for _, v := range []func() error{k.SourceConfig().Validate, k.DeadLetterConfig().Validate} {
		if err := v(); err != nil {
			var ke *kafkaconn.ConfigError
			if errors.As(err, &ke) {
				return &Error{Field: "kafka." + ke.Field, Value: ke.Value, Err: ke.Err}
			}
			return &Error{Field: "kafka", Err: err}
		}
	}
	if err := c.ClickHouse.Validate(); err != nil {
		var ce *ch.ConfigError
		if errors.As(err, &ce) {
			return &Error{Field: "clickhouse." + ce.Field, Value: ce.Value, Err: ce.Err}
		}
		return &Error{Field: "clickhouse", Err: err}
	}
	if !c.Index.Disabled && strings.TrimSpace(c.Index.Path) == "" {
		return &Error{Field: "index.path", Err: errors.New("must not be blank")}
	}
	if m := c.Index.Mode; m != "" && m != IndexLocal && m != IndexReplica {
		return &Error{Field: "index.mode", Value: m, Err: fmt.Errorf("want %q or %q", IndexLocal, IndexReplica)}
	}
	for _, f := range []struct {
		field string
		v     int64
	}{
		{"index.batch_size", int64(c.Index.BatchSize)},
		{"pipeline.workers", int64(c.Pipeline.Workers)},
		{"pipeline.max_in_flight", int64(c.Pipeline.MaxInFlight)},
		{"pipeline.batch_records", int64(c.Pipeline.BatchRecords)},
		{"pipeline.batch_bytes", int64(c.Pipeline.BatchBytes)},
		{"pipeline.batch_wait", int64(c.Pipeline.BatchWait)},
		{"pipeline.retry_initial", int64(c.Pipeline.RetryInitial)},
		{"pipeline.retry_max", int64(c.Pipeline.RetryMax)},
		{"pipeline.flush_timeout", int64(c.Pipeline.FlushTimeout)},
		{"nlp.max_message_bytes", int64(c.NLP.MaxMessageBytes)},
		{"http.max_concurrent", int64(c.HTTP.MaxConcurrent)},
	} {
		if f.v <= 0 {
			return &Error{Field: f.field, Value: f.v, Err: errors.New("must be positive")}
		}
	}
	for _, f := range []struct {
		field string
		v     time.Duration
	}{{"http.api_timeout", c.HTTP.APITimeout}, {"http.report_timeout", c.HTTP.ReportTimeout}} {
		if f.v <= 0 {
			return &Error{Field: f.field, Value: f.v, Err: errors.New("must be positive")}
		}
	}
	if c.NLP.MaxMessageBytes > MaxMaxMessageBytes {
		return &Error{Field: "nlp.max_message_bytes", Value: c.NLP.MaxMessageBytes,
			Err: fmt.Errorf("is above %d (8 MiB): a longer text is no single piece of feedback", MaxMaxMessageBytes)}
	}
	if c.Pipeline.BatchRecords > c.Pipeline.MaxInFlight {
		return &Error{Field: "pipeline.batch_records", Value: c.Pipeline.BatchRecords,
			Err: fmt.Errorf("is above pipeline.max_in_flight %d", c.Pipeline.MaxInFlight)}
	}
	if c.Pipeline.RetryInitial > c.Pipeline.RetryMax {
		return &Error{Field: "pipeline.retry_initial", Value: c.Pipeline.RetryInitial,
			Err: fmt.Errorf("is above pipeline.retry_max %s", c.Pipeline.RetryMax)}
	}
	if c.NLP.Lexicons != "" {
		if st, err := os.Stat(c.NLP.Lexicons); err != nil {
			return &Error{Field: "nlp.lexicons", Value: c.NLP.Lexicons, Err: err}
		} else if !st.IsDir() {
			return &Error{Field: "nlp.lexicons", Value: c.NLP.Lexicons, Err: errors.New("not a directory")}
		}
	}
	if len(c.NLP.Packs) > 0 {
		if _, err := lexicons.ResolvePacks(lexicons.Dir(c.NLP.Lexicons), c.NLP.Packs); err != nil {
			return &Error{Field: "nlp.packs", Value: strings.Join(c.NLP.Packs, ","), Err: err}
		}
	}
	if c.HTTP.Token != "" {
		if err := CheckToken(c.HTTP.Token); err != nil {
			return &Error{Field: "http.token", Err: err}
		}
	}
	if _, err := c.HTTP.Zone(); err != nil {
		return &Error{Field: "http.timezone", Value: c.HTTP.Timezone, Err: err}
	}
	if c.HTTP.Pprof && c.HTTP.Listen == "off" {
		return &Error{Field: "http.pprof", Err: errors.New("needs the listener (http.listen is off)")}
	}
	if c.HTTP.Listen != "off" {
		if err := hostPort(c.HTTP.Listen); err != nil {
			return &Error{Field: "http.listen", Value: c.HTTP.Listen, Err: err}
		}
		if h, _, _ := net.SplitHostPort(c.HTTP.Listen); c.HTTP.Token == "" && !isLoopback(h) {
			return &Error{Field: "http.token", Err: fmt.Errorf("required when http.listen %s is not a loopback address (the API serves customer verbatims); set VOC_API_TOKEN", c.HTTP.Listen)}
		}
	}
	if c.MemoryLimitMB < -1 || (c.MemoryLimitMB >= 0 && c.MemoryLimitMB < 300) {
		return &Error{Field: "memory_limit_mb", Value: c.MemoryLimitMB, Err: errors.New("want at least 300 (the segmenter dictionary alone needs about 230 MB), or -1")}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return &Error{Field: "log.level", Value: c.Log.Level, Err: errors.New("want debug, info, warn or error")}
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		return &Error{Field: "log.format", Value: c.Log.Format, Err: errors.New("want text or json")}
	}
	return nil
}

func hostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return errors.New("want host:port")
	}
	_ = host
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return errors.New("port must be a number 0-65535")
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// topicName checks Kafka's topic name rules.
func topicName(t string) error {
	if t == "" {
		return errors.New("must not be empty")
	}
	if len(t) > 249 {
		return errors.New("longer than 249 characters")
	}
	if t == "." || t == ".." {
		return errors.New(`"." and ".." are not topic names`)
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("character %q not allowed (want [a-zA-Z0-9._-])", r)
		}
	}
	return nil
}
