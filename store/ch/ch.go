// Package ch owns voc's ClickHouse database: the connection settings
// (Config, Dial, Open), the names of every table, their DDL and the
// versioned migrations that create and upgrade them (schema.go), the DDL of
// the alert service's tables, and Counts, the exactness check over the
// stored tables. Writing is the sink's job (sinks/clickhouse), reading for
// the API, the report and alerting the query store's (store/ch/query); both
// connect through this package and name tables with its constants. The
// schema works on ClickHouse 18.16 and on current releases.
//
// One owner per table: every table of the database is declared here, and
// only here:
//
//   - feedback, aspect_mentions, conversations, agent_violations: the raw
//     rows, written by the sink;
//   - feedback_hourly, pain_hourly: hourly aggregates per Kafka partition,
//     versioned, maintained by the sink from the raw tables;
//   - schema_migrations: the applied migrations; schema_lock: the claims
//     of processes that want to migrate (lock.go);
//   - alert_state, alert_claims, alert_events: the alert service's state,
//     written and read by alerts.Store (see AlertTables).
package ch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"time"

	clickhouse "github.com/ClickHouse/clickhouse-go/v2"
	chdriver "github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vocproject/voc/internal/fielderr"
)

// Config configures the connection and the deployment mode of the
// schema. The zero value of each field means its default.
type Config struct {
	// Addrs are the native-protocol addresses, host:port. Default
	// ["127.0.0.1:9000"].
	Addrs []string `yaml:"addrs"`
	// Database holds voc's tables. Default "voc".
	Database string `yaml:"database"`
	// Username defaults to "default"; Password to empty.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// Cluster, when set, adds ON CLUSTER to every DDL statement. Default
	// empty: a single node.
	Cluster string `yaml:"cluster"`
	// Distributed (requires Cluster) creates *_local Replicated tables on
	// every node and Distributed tables over them under the plain names.
	Distributed bool `yaml:"distributed"`
	// TLS connects with TLS (system roots). Default false.
	TLS bool `yaml:"tls"`
	// DialTimeout bounds connecting. Default 10 s.
	DialTimeout time.Duration `yaml:"dial_timeout"`
	// Settings are ClickHouse settings sent with every query. Default none.
	Settings map[string]any `yaml:"settings"`
	// CatchUpInterval is how often voc run rolls up every partition's
	// hourly rows from the raw tables (the sink's CatchUpEvery): it bounds
	// how long rows that a process stored and died before aggregating stay
	// out of the hourly tables when their partition gets no more records.
	// Default 5m.
	CatchUpInterval time.Duration `yaml:"catch_up_interval"`
}

// ConfigError names the offending field of an invalid Config.
type ConfigError = fielderr.ValueError[configLayout]

type configLayout struct{}

func (configLayout) Layout() string { return "clickhouse: config field %s = %v: %v" }

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// WithDefaults returns the config with defaults filled in.
func (c Config) WithDefaults() Config {
	if len(c.Addrs) == 0 {
		c.Addrs = []string{"127.0.0.1:9000"}
	}
	if c.Database == "" {
		c.Database = "voc"
	}
	if c.Username == "" {
		c.Username = "default"
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = 10 * time.Second
	}
	if c.CatchUpInterval == 0 {
		c.CatchUpInterval = 5 * time.Minute
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	c = c.WithDefaults()
	for i, a := range c.Addrs {
		host, port, err := net.SplitHostPort(a)
		if err != nil || host == "" || port == "" {
			return &ConfigError{Field: fmt.Sprintf("addrs[%d]", i), Value: a, Err: errors.New("want host:port")}
		}
	}
	if !identRE.MatchString(c.Database) {
		return &ConfigError{Field: "database", Value: c.Database, Err: errors.New("want an identifier: letters, digits, underscore, not starting with a digit")}
	}
	if c.Cluster != "" && !identRE.MatchString(c.Cluster) {
		return &ConfigError{Field: "cluster", Value: c.Cluster, Err: errors.New("want an identifier: letters, digits, underscore, not starting with a digit")}
	}
	if c.Distributed && c.Cluster == "" {
		return &ConfigError{Field: "distributed", Value: true, Err: errors.New("requires cluster")}
	}
	if c.DialTimeout < 0 {
		return &ConfigError{Field: "dial_timeout", Value: c.DialTimeout, Err: errors.New("must not be negative")}
	}
	if c.CatchUpInterval < time.Second {
		return &ConfigError{Field: "catch_up_interval", Value: c.CatchUpInterval, Err: errors.New("must be at least 1s")}
	}
	for k := range c.Settings {
		if !identRE.MatchString(k) {
			return &ConfigError{Field: "settings", Value: k, Err: errors.New("setting name is not an identifier")}
		}
	}
	return nil
}

// Dial validates cfg, fills its defaults, connects and pings the server.
// It returns the connection and the completed configuration; Open and
// the alert store connect through it.
func Dial(ctx context.Context, cfg Config) (chdriver.Conn, Config, error) {
	if err := cfg.Validate(); err != nil {
		return nil, cfg, err
	}
	cfg = cfg.WithDefaults()
	opts := &clickhouse.Options{
		Addr:        cfg.Addrs,
		Auth:        clickhouse.Auth{Username: cfg.Username, Password: cfg.Password},
		DialTimeout: cfg.DialTimeout,
		Settings:    clickhouse.Settings{},
		Compression: &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
	}
	for k, v := range cfg.Settings {
		opts.Settings[k] = v
	}
	if cfg.TLS {
		opts.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, cfg, fmt.Errorf("clickhouse: open %v: %w", cfg.Addrs, err)
	}
	pctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer cancel()
	if err := conn.Ping(pctx); err != nil {
		conn.Close()
		return nil, cfg, fmt.Errorf("clickhouse: ping %v: %w", cfg.Addrs, err)
	}
	return retryReads{conn}, cfg, nil
}

// DB is an open connection to voc's database with its completed
// configuration. The sink and the query store share one DB in `voc run`.
// It is safe for concurrent use.
type DB struct {
	conn   chdriver.Conn
	cfg    Config
	logger *slog.Logger
}

// Open connects and pings the server (see Dial). It does not create the
// schema: call Migrate (or run `voc migrate`) first. logger (nil: none)
// reports applied migrations.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	conn, cfg, err := Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &DB{conn: conn, cfg: cfg, logger: logger}, nil
}

// Close closes the connection.
func (d *DB) Close() error {
	if err := d.conn.Close(); err != nil {
		return fmt.Errorf("clickhouse: close: %w", err)
	}
	return nil
}

// Conn is the connection.
func (d *DB) Conn() chdriver.Conn { return d.conn }

// Config is the completed configuration.
func (d *DB) Config() Config { return d.cfg }

// Table returns the qualified name of a table, to insert into and query.
func (d *DB) Table(name string) string { return d.cfg.Database + "." + name }

// versioned are the tables whose rows are versions of a key
// (ReplacingMergeTree): a key may have several rows until a merge, and
// FINAL reads its current one.
var versioned = map[string]bool{
	TableFeedback: true, TableMentions: true, TableConversations: true, TableViolations: true,
	TableFeedbackHourly: true, TablePainHourly: true,
}

// aggregates are the versioned tables with a row per rollup.
var aggregates = map[string]bool{TableFeedbackHourly: true, TablePainHourly: true}

// ReadName is the table expression to read table of database from:
// the qualified name, followed by FINAL for the tables whose rows are
// versions of a key (the raw tables: a position written twice, or
// re-tagged by reprocess; the hourly aggregates: one row per rollup), so
// that a reader sees exactly one row per key. The sink, its rollups and
// the alert service read through it (DB.Read, DB.ReadLocal); the product's
// readers through DB.Query.
func ReadName(database, table string) string {
	if versioned[table] {
		return database + "." + table + " FINAL"
	}
	return database + "." + table
}

// Read is ReadName for this database.
func (d *DB) Read(name string) string { return ReadName(d.cfg.Database, name) }

// Query is the table expression for the product's readers (the API,
// dashboard and report): FINAL for the hourly aggregates, whose keys have
// a row per rollup until a merge, but not for the raw tables, where a key
// has a second row only in the moment two processes race on one partition
// (until ClickHouse merges the parts) and after voc reprocess, which
// merges what it re-tagged (Sink.Reprocess): FINAL over the raw tables
// would cost the dashboard more than the rare duplicate it hides.
func (d *DB) Query(name string) string {
	if aggregates[name] {
		return d.Table(name) + " FINAL"
	}
	return d.Table(name)
}

// Filter is the clause that selects the rows of table name read with
// FINAL (ReadName, Query): PREWHERE for the hourly aggregates, WHERE
// otherwise. FINAL merges every row its clause lets through, and PREWHERE
// filters before the merge: the readers' conditions on the hourly tables
// are on their sorting key (the hour and the dimensions, on which a key's
// versions agree), so dropping rows before the merge leaves the current
// row of every selected key, and FINAL merges only the rows asked for
// (pain_hourly's pain points of 42 days, 1M records on 18.16: 324 ms with
// WHERE, 181 ms with PREWHERE). A condition on a measure of an hourly
// table (records, …) belongs in a WHERE after it.
func Filter(table string) string {
	if aggregates[table] {
		return "PREWHERE"
	}
	return "WHERE"
}

// QueryLocal is Local read like Query.
func (d *DB) QueryLocal(name string) string {
	if aggregates[name] {
		return d.Local(name) + " FINAL"
	}
	return d.Local(name)
}

// ReadLocal is Local read like Read.
func (d *DB) ReadLocal(name string) string {
	if versioned[name] {
		return d.Local(name) + " FINAL"
	}
	return d.Local(name)
}

// Local is the table holding a node's rows of name: name itself, or its
// *_local table with distributed tables (for subqueries that stay on the
// shard, where a Distributed table would be a double-distributed read).
func (d *DB) Local(name string) string {
	if d.cfg.Distributed {
		return d.cfg.Database + "." + name + "_local"
	}
	return d.Table(name)
}

// Row is one row of a result, as EachRow hands it to its scan function.
type Row interface{ Scan(dest ...any) error }

// EachRow runs q with args and calls scan on every row, in order. It
// returns the first error of the query, of scan or of reading the result,
// unwrapped: callers say which read failed.
func EachRow(ctx context.Context, conn chdriver.Conn, q string, args []any, scan func(Row) error) error {
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
