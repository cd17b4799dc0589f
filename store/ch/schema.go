package ch

import (
	"context"
	"fmt"
	"strings"
	"time"

	clickhouse "github.com/ClickHouse/clickhouse-go/v2"
)

// Table names, unqualified (DB.Table qualifies them).
const (
	TableFeedback         = "feedback"
	TableMentions         = "aspect_mentions"
	TableFeedbackHourly   = "feedback_hourly"
	TablePainHourly       = "pain_hourly"
	TableSchemaMigrations = "schema_migrations"
	TableSchemaLock       = "schema_lock"
	TableConversations    = "conversations"
	TableViolations       = "agent_violations"
	// The alert service's tables (see AlertTables).
	TableAlertState  = "alert_state"
	TableAlertClaims = "alert_claims"
	TableAlertEvents = "alert_events"
)

// Migration is one versioned schema change, applied once.
type Migration struct {
	Version    int
	Name       string
	Statements []string
}

// tableSpec describes a MergeTree-family table independent of the
// deployment mode.
type tableSpec struct {
	name       string
	columns    string
	engine     string // ReplacingMergeTree, SummingMergeTree, ...
	engineArgs string // the engine's own parameters, e.g. the version column
	partition  string
	orderBy    string
	shardKey   string // Distributed sharding expression
	zkSuffix   string // appended to the replication path of a recreated table
}

// positionColumns are the source position of a raw row, part of its
// dedupe and primary key.
const positionColumns = `kafka_topic String,
    kafka_partition Int32,
    kafka_offset Int64`

// byPosition is a raw table of rows deduplicated on their source position
// (then extra, the row's index within its record): ReplacingMergeTree,
// partitioned by month of created_at, sharded by Kafka partition so that a
// partition's rows live on one shard.
func byPosition(name, columns, extra string) tableSpec {
	return tableSpec{
		name:      name,
		columns:   columns,
		engine:    "ReplacingMergeTree",
		partition: "toYYYYMM(created_at)",
		orderBy:   "(kafka_topic, kafka_partition, kafka_offset" + extra + ")",
		shardKey:  "cityHash64(kafka_topic, kafka_partition)",
	}
}

// Column types stay within what ClickHouse 18.16 supports without
// experimental settings: String (not LowCardinality), DateTime (not
// DateTime64), sentinels instead of Nullable.
var (
	// feedback: one row per record. ReplacingMergeTree on the source
	// position: the ORDER BY key is both the dedupe key (a re-delivered
	// message has the same position) and the primary key that makes the
	// per-batch watermark query read a granule or two. Time-range queries
	// prune by the monthly partition; dashboards read the hourly tables.
	feedbackSpec = byPosition(TableFeedback, `id String,
    kind String,
    channel String,
    product String,
    created_at DateTime,
    day Date DEFAULT toDate(created_at),
    rating UInt8,
    csat UInt8,
    nps Int8,
    customer_id String,
    customer_tier String,
    region String,
    agent_id String,
    lang String,
    text String,
    sentiment Float32,
    sentiment_label String,
    confidence Float32,
    intent String,
    escalation UInt8,
    categories Array(String),
    pain_points Array(String),
    praise_points Array(String),
    pii Array(String),
    lexicon_version String,
    turn_count UInt16,
    `+positionColumns+`,
    ingested_at DateTime`, "")
	// aspect_mentions: one row per aspect mention, deduplicated on
	// (position, mention index).
	mentionsSpec = byPosition(TableMentions, `id String,
    mention UInt16,
    turn UInt16,
    role String,
    created_at DateTime,
    product String,
    channel String,
    kind String,
    customer_tier String,
    category String,
    subcategory String,
    aspect String,
    opinion String,
    polarity String,
    span_start UInt32,
    span_end UInt32,
    sentiment Float32,
    is_first UInt8,
    `+positionColumns, ", mention")
	// feedback_hourly and pain_hourly as migration 2 created them:
	// SummingMergeTree filled by materialized views. Migration 4 replaces
	// them with the versioned tables below.
	feedbackHourlyV2Spec = tableSpec{
		name: TableFeedbackHourly,
		columns: `hour DateTime,
    product String,
    channel String,
    kind String,
    customer_tier String,
    records UInt64,
    negative UInt64,
    complaints UInt64,
    escalations UInt64,
    sentiment_sum Float64`,
		engine:    "SummingMergeTree",
		partition: "toYYYYMM(hour)",
		orderBy:   "(hour, product, channel, kind, customer_tier)",
		shardKey:  "rand()",
	}
	painHourlyV2Spec = tableSpec{
		name: TablePainHourly,
		columns: `hour DateTime,
    category String,
    subcategory String,
    product String,
    channel String,
    polarity String,
    mentions UInt64,
    records UInt64,
    sentiment_sum Float64`,
		engine:    "SummingMergeTree",
		partition: "toYYYYMM(hour)",
		orderBy:   "(hour, category, subcategory, product, channel, polarity)",
		shardKey:  "rand()",
	}
	// feedback_hourly: per Kafka partition, hour and dimensions, the
	// aggregate of the partition's raw rows of that hour below an offset,
	// maintained by the sink (see sinks/clickhouse). ReplacingMergeTree on
	// version (Version: a reprocess generation in the high bits, the first
	// offset not covered in the low bits): the row with the highest version
	// of a key is the current one, so readers read it with FINAL (DB.Read).
	// Sharded like the raw tables, so that a partition's rows and its
	// aggregates live on one shard.
	feedbackHourlySpec = tableSpec{
		name: TableFeedbackHourly,
		columns: `kafka_topic String,
    kafka_partition Int32,
    hour DateTime,
    product String,
    channel String,
    kind String,
    customer_tier String,
    records UInt64,
    negative UInt64,
    complaints UInt64,
    escalations UInt64,
    sentiment_sum Float64,
    version UInt64`,
		engine:     "ReplacingMergeTree",
		engineArgs: "version",
		partition:  "toYYYYMM(hour)",
		orderBy:    "(kafka_topic, kafka_partition, hour, product, channel, kind, customer_tier)",
		shardKey:   "cityHash64(kafka_topic, kafka_partition)",
		zkSuffix:   "_v4",
	}
	// pain_hourly: the same for the customer mentions of aspect_mentions.
	painHourlySpec = tableSpec{
		name: TablePainHourly,
		columns: `kafka_topic String,
    kafka_partition Int32,
    hour DateTime,
    category String,
    subcategory String,
    product String,
    channel String,
    polarity String,
    mentions UInt64,
    records UInt64,
    sentiment_sum Float64,
    version UInt64`,
		engine:     "ReplacingMergeTree",
		engineArgs: "version",
		partition:  "toYYYYMM(hour)",
		orderBy:    "(kafka_topic, kafka_partition, hour, category, subcategory, product, channel, polarity)",
		shardKey:   "cityHash64(kafka_topic, kafka_partition)",
		zkSuffix:   "_v4",
	}
	// conversations: one row per chat with its conversation signals,
	// service times and compliance counts, deduplicated on the position
	// like feedback. Service times are -1 when the timestamps they need
	// are missing (unknown, not zero): aggregate them with avgIf(x, x >= 0).
	// First-contact resolution is computed at query time (rows are
	// immutable): see query.Store.ServiceStats.
	conversationsSpec = byPosition(TableConversations, `id String,
    created_at DateTime,
    day Date DEFAULT toDate(created_at),
    channel String,
    product String,
    customer_id String,
    customer_tier String,
    agent_id String,
    team String,
    turns UInt16,
    customer_turns UInt16,
    agent_turns UInt16,
    csat UInt8,
    start_sentiment Float32,
    end_sentiment Float32,
    trajectory String,
    escalation_risk Float32,
    escalation_reasons Array(String),
    escalated UInt8,
    resolution String,
    resolution_reason String,
    transfers UInt16,
    repeated_questions UInt16,
    repeated_demands UInt16,
    effort UInt16,
    first_response_s Float32,
    avg_response_s Float32,
    handle_time_s Float32,
    pain_points Array(String),
    violations UInt16,
    forbidden UInt16,
    discouraged UInt16,
    missing UInt16,
    violation_rules Array(String),
    lexicon_version String,
    `+positionColumns+`,
    ingested_at DateTime`, "")
	// agent_violations: one row per compliance violation of an agent, with
	// its rune span in the agent turn's masked text (0, 0 for a missing
	// phrase); deduplicated on (position, violation index).
	violationsSpec = byPosition(TableViolations, `id String,
    violation UInt16,
    created_at DateTime,
    day Date DEFAULT toDate(created_at),
    channel String,
    product String,
    agent_id String,
    team String,
    turn UInt16,
    kind String,
    rule String,
    phrase String,
    span_start UInt32,
    span_end UInt32,
    text String,
    `+positionColumns, ", violation")
	migrationsSpec = tableSpec{
		name: TableSchemaMigrations,
		columns: `version UInt32,
    name String,
    applied_at DateTime`,
		engine:  "ReplacingMergeTree",
		orderBy: "version",
	}
	// schema_lock: the claims of processes that want to migrate (see
	// lockSchema); one row per claim and heartbeat.
	lockSpec = tableSpec{
		name: TableSchemaLock,
		columns: `nonce String,
    instance String,
    server_time DateTime DEFAULT now()`,
		engine:  "MergeTree",
		orderBy: "server_time",
	}
)

// The hourly aggregates, as SELECTs over a raw table (%s, a table
// expression or a subquery): one row per Kafka partition, hour and
// dimensions, with version the first offset above the group's rows
// (generation 0) and first_offset the lowest offset of its rows (not a
// column of the hourly tables). Migration 4 fills the hourly tables with them, the sink
// adds the rows of each batch with them (sinks/clickhouse) and reprocess
// rebuilds hours with them; the insert column lists are
// FeedbackHourlyColumns and PainHourlyColumns.
const (
	FeedbackHourlyColumns = "kafka_topic, kafka_partition, hour, product, channel, kind, customer_tier, records, negative, complaints, escalations, sentiment_sum, version"
	PainHourlyColumns     = "kafka_topic, kafka_partition, hour, category, subcategory, product, channel, polarity, mentions, records, sentiment_sum, version"

	// feedback_hourly: records, negative records, complaints (intent 投诉 or
	// negative sentiment), escalations and the sentiment sum.
	FeedbackHourlySelect = `SELECT
    kafka_topic,
    kafka_partition,
    toStartOfHour(created_at) AS hour,
    product,
    channel,
    kind,
    customer_tier,
    count() AS records,
    sum(sentiment_label = 'negative') AS negative,
    sum(intent = '投诉' OR sentiment_label = 'negative') AS complaints,
    sum(escalation) AS escalations,
    sum(toFloat64(sentiment)) AS sentiment_sum,
    toUInt64(max(kafka_offset) + 1) AS version,
    min(kafka_offset) AS first_offset
FROM %s
GROUP BY kafka_topic, kafka_partition, hour, product, channel, kind, customer_tier`
	// pain_hourly: customer mentions only (an agent repeating the
	// complaint is not a second one; a mention hidden by reprocess has no
	// role). records counts each record once per (category, subcategory,
	// polarity) through is_first, which also weights the record's
	// sentiment.
	PainHourlySelect = `SELECT
    kafka_topic,
    kafka_partition,
    toStartOfHour(created_at) AS hour,
    category,
    subcategory,
    product,
    channel,
    polarity,
    count() AS mentions,
    sum(is_first) AS records,
    sum(if(is_first = 1, toFloat64(sentiment), 0)) AS sentiment_sum,
    toUInt64(max(kafka_offset) + 1) AS version,
    min(kafka_offset) AS first_offset
FROM %s
WHERE role = 'customer'
GROUP BY kafka_topic, kafka_partition, hour, category, subcategory, product, channel, polarity`
)

// VersionOffsetBits is the width of the offset in an hourly version:
// Version(gen, next) = gen<<VersionOffsetBits | next.
const VersionOffsetBits = 40

// Version is the version of an hourly row of reprocess generation gen
// that aggregates the rows below offset next.
func Version(gen uint64, next int64) uint64 { return gen<<VersionOffsetBits | uint64(next) }

// SplitVersion is the inverse of Version.
func SplitVersion(v uint64) (gen uint64, next int64) {
	return v >> VersionOffsetBits, int64(v & (1<<VersionOffsetBits - 1))
}

// The materialized views of migration 2 (dropped by migration 4).
const (
	feedbackHourlyV2Select = `SELECT
    toStartOfHour(created_at) AS hour,
    product,
    channel,
    kind,
    customer_tier,
    count() AS records,
    sum(sentiment_label = 'negative') AS negative,
    sum(intent = '投诉' OR sentiment_label = 'negative') AS complaints,
    sum(escalation) AS escalations,
    sum(toFloat64(sentiment)) AS sentiment_sum
FROM %s
GROUP BY hour, product, channel, kind, customer_tier`
	painHourlyV2Select = `SELECT
    toStartOfHour(created_at) AS hour,
    category,
    subcategory,
    product,
    channel,
    polarity,
    count() AS mentions,
    sum(is_first) AS records,
    sum(if(is_first = 1, toFloat64(sentiment), 0)) AS sentiment_sum
FROM %s
WHERE role = 'customer'
GROUP BY hour, category, subcategory, product, channel, polarity`
)

// ddl generates the statements for one deployment mode.
type ddl struct {
	db          string
	cluster     string
	distributed bool
}

func (d ddl) onCluster() string {
	if d.cluster == "" {
		return ""
	}
	return " ON CLUSTER " + d.cluster
}

// storage is the name of the table that holds the data on a node.
func (d ddl) storage(name string) string {
	if d.distributed {
		return name + "_local"
	}
	return name
}

func (d ddl) database() string {
	return "CREATE DATABASE IF NOT EXISTS " + d.db + d.onCluster()
}

// table returns the CREATE statements of one table: the table itself, or
// in distributed mode the Replicated local table and the Distributed table.
func (d ddl) table(t tableSpec) []string {
	engine := t.engine
	if t.engineArgs != "" {
		engine += "(" + t.engineArgs + ")"
	}
	local := d.storage(t.name)
	if d.distributed {
		args := ""
		if t.engineArgs != "" {
			args = ", " + t.engineArgs
		}
		engine = fmt.Sprintf("Replicated%s('/clickhouse/tables/{shard}/%s/%s%s', '{replica}'%s)", t.engine, d.db, local, t.zkSuffix, args)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s.%s%s\n(\n    %s\n)\nENGINE = %s", d.db, local, d.onCluster(), t.columns, engine)
	if t.partition != "" {
		fmt.Fprintf(&b, "\nPARTITION BY %s", t.partition)
	}
	fmt.Fprintf(&b, "\nORDER BY %s", t.orderBy)
	out := []string{b.String()}
	if d.distributed {
		out = append(out, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s%s AS %s.%s\nENGINE = Distributed(%s, %s, %s, %s)",
			d.db, t.name, d.onCluster(), d.db, local, d.cluster, d.db, local, t.shardKey))
	}
	return out
}

// view creates a materialized view from one storage table into another,
// on every node in cluster mode.
func (d ddl) view(name, target, source, selectFmt string) string {
	return fmt.Sprintf("CREATE MATERIALIZED VIEW IF NOT EXISTS %s.%s%s TO %s.%s AS\n%s",
		d.db, name, d.onCluster(), d.db, d.storage(target), fmt.Sprintf(selectFmt, d.db+"."+d.storage(source)))
}

// Migrations returns the versioned schema changes for cfg, oldest first.
// Each is applied once and recorded in schema_migrations. Never edit a
// released migration; append a new one.
func Migrations(cfg Config) []Migration {
	cfg = cfg.WithDefaults()
	d := ddl{db: cfg.Database, cluster: cfg.Cluster, distributed: cfg.Distributed}
	return []Migration{
		{
			Version:    1,
			Name:       "raw tables: feedback, aspect_mentions",
			Statements: append(d.table(feedbackSpec), d.table(mentionsSpec)...),
		},
		{
			Version: 2,
			Name:    "hourly aggregates: feedback_hourly, pain_hourly and their views",
			Statements: append(append(d.table(feedbackHourlyV2Spec), d.table(painHourlyV2Spec)...),
				d.view("feedback_hourly_mv", TableFeedbackHourly, TableFeedback, feedbackHourlyV2Select),
				d.view("pain_hourly_mv", TablePainHourly, TableMentions, painHourlyV2Select)),
		},
		{
			Version:    3,
			Name:       "chats: conversations, agent_violations",
			Statements: append(d.table(conversationsSpec), d.table(violationsSpec)...),
		},
		{
			Version:    4,
			Name:       "versioned hourly aggregates per Kafka partition, rebuilt from the raw tables",
			Statements: d.versionedHourly(),
		},
	}
}

// versionedHourly replaces the summing hourly tables and their views by
// the versioned tables the sink maintains, filled from the raw tables
// (FINAL: each position once). Every statement can run again: an
// interrupted migration drops and rebuilds the new tables when rerun.
func (d ddl) versionedHourly() []string {
	var out []string
	for _, v := range []string{"feedback_hourly_mv", "pain_hourly_mv"} {
		out = append(out, fmt.Sprintf("DROP TABLE IF EXISTS %s.%s%s", d.db, v, d.onCluster()))
	}
	for _, t := range []tableSpec{feedbackHourlySpec, painHourlySpec} {
		if d.distributed {
			out = append(out, fmt.Sprintf("DROP TABLE IF EXISTS %s.%s%s", d.db, t.name, d.onCluster()))
		}
		out = append(out, fmt.Sprintf("DROP TABLE IF EXISTS %s.%s%s", d.db, d.storage(t.name), d.onCluster()))
		out = append(out, d.table(t)...)
	}
	for _, q := range []struct{ target, cols, sel, source string }{
		{TableFeedbackHourly, FeedbackHourlyColumns, FeedbackHourlySelect, TableFeedback},
		{TablePainHourly, PainHourlyColumns, PainHourlySelect, TableMentions},
	} {
		out = append(out, fmt.Sprintf("INSERT INTO %s.%s (%s)\nSELECT %s FROM (\n%s\n)", d.db, q.target, q.cols, q.cols,
			fmt.Sprintf(q.sel, d.db+"."+q.source+" FINAL")))
	}
	return out
}

// LatestVersion is the schema version Migrate brings a database to.
func LatestVersion() int {
	ms := Migrations(Config{})
	return ms[len(ms)-1].Version
}

// bootstrap returns the statements that must exist before migrations are
// read: the database and schema_migrations (a plain table on each node,
// also in cluster mode; every statement is idempotent, so a node that
// misses a row only repeats harmless IF NOT EXISTS statements).
func bootstrap(cfg Config) []string {
	d := ddl{db: cfg.Database, cluster: cfg.Cluster}
	return append(append([]string{d.database()}, d.table(migrationsSpec)...), d.table(lockSpec)...)
}

// Migrate creates the database and tables, applying each pending migration
// once and recording it in schema_migrations. Running it again, or from two
// processes at once, is harmless: every statement is IF NOT EXISTS.
func (s *DB) Migrate(ctx context.Context) error { return s.MigrateTo(ctx, LatestVersion()) }

// MigrateTo is Migrate up to version only: the tests of upgrades build
// an older schema with it.
func (s *DB) MigrateTo(ctx context.Context, version int) error {
	if s.cfg.Distributed {
		// Migration 4 fills the hourly tables through the Distributed tables.
		ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"insert_distributed_sync": 1}))
	}
	for _, q := range bootstrap(s.cfg) {
		if err := s.conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("clickhouse: migrate: %s: %w", firstLine(q), err)
		}
	}
	pending := func(ctx context.Context) (bool, error) {
		applied, err := s.appliedVersions(ctx)
		if err != nil {
			return false, err
		}
		for _, m := range Migrations(s.cfg) {
			if !applied[m.Version] && m.Version <= version {
				return true, nil
			}
		}
		return false, nil
	}
	if todo, err := pending(ctx); err != nil || !todo {
		return err
	}
	// One process migrates at a time: two that start together would drop
	// and rebuild the same tables under each other.
	release, err := s.lockSchema(ctx, pending)
	if err != nil || release == nil {
		return err // nil, nil: another process applied them meanwhile
	}
	defer release()
	applied, err := s.appliedVersions(ctx)
	if err != nil {
		return err
	}
	for _, m := range Migrations(s.cfg) {
		if applied[m.Version] || m.Version > version {
			continue
		}
		for _, q := range m.Statements {
			if err := s.conn.Exec(ctx, q); err != nil {
				return fmt.Errorf("clickhouse: migrate to version %d: %s: %w", m.Version, firstLine(q), err)
			}
		}
		b, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.Table(TableSchemaMigrations)+" (version, name, applied_at)")
		if err != nil {
			return fmt.Errorf("clickhouse: migrate: record version %d: %w", m.Version, err)
		}
		if err := b.Append(uint32(m.Version), m.Name, time.Now().UTC()); err != nil {
			b.Abort()
			return fmt.Errorf("clickhouse: migrate: record version %d: %w", m.Version, err)
		}
		if err := b.Send(); err != nil {
			return fmt.Errorf("clickhouse: migrate: record version %d: %w", m.Version, err)
		}
		s.logger.Info("clickhouse migration applied", "version", m.Version, "name", m.Name)
	}
	return nil
}

// SchemaVersion returns the highest applied migration, 0 when none.
func (s *DB) SchemaVersion(ctx context.Context) (int, error) {
	applied, err := s.appliedVersions(ctx)
	if err != nil {
		return 0, err
	}
	v := 0
	for k := range applied {
		v = max(v, k)
	}
	return v, nil
}

func (s *DB) appliedVersions(ctx context.Context) (map[int]bool, error) {
	rows, err := s.conn.Query(ctx, "SELECT DISTINCT version FROM "+s.Table(TableSchemaMigrations))
	if err != nil {
		return nil, fmt.Errorf("clickhouse: read schema_migrations: %w", err)
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("clickhouse: read schema_migrations: %w", err)
		}
		out[int(v)] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: read schema_migrations: %w", err)
	}
	return out, nil
}

func firstLine(q string) string {
	if i := strings.IndexByte(q, '\n'); i >= 0 {
		return q[:i]
	}
	return q
}

// AlertTables returns the CREATE statements of the alert service's tables
// in database, idempotent (IF NOT EXISTS), for a single node; alerts.Store
// runs them (voc migrate creates the database first). Columns stay within
// ClickHouse 18.16 (DateTime, no Nullable, no LowCardinality).
//
//   - alert_state (ReplacingMergeTree(version)): one row per alert and
//     status change; FINAL gives the current state. version orders the
//     statuses (open < acknowledged < resolved) before time, so that a
//     late write of an older status never wins.
//   - alert_claims (MergeTree): one row per process claiming an alert; the
//     earliest claim by server time wins.
//   - alert_events (MergeTree): one row per delivery to a channel.
func AlertTables(database string) []string {
	out := make([]string, len(alertTables))
	for i, q := range alertTables {
		out[i] = fmt.Sprintf(q, database)
	}
	return out
}

var alertTables = []string{
	`CREATE TABLE IF NOT EXISTS %s.` + TableAlertState + `
(
    id String,
    series String,
    kind String,
    status String,
    opened_at DateTime,
    updated_at DateTime,
    last_firing DateTime,
    resolved_at DateTime,
    delivered UInt8,
    team String,
    title String,
    payload String,
    instance String,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id`,
	`CREATE TABLE IF NOT EXISTS %s.` + TableAlertClaims + `
(
    series String,
    alert_id String,
    instance String,
    nonce String,
    at DateTime,
    server_time DateTime DEFAULT now()
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(server_time)
ORDER BY (series, server_time)`,
	`CREATE TABLE IF NOT EXISTS %s.` + TableAlertEvents + `
(
    at DateTime DEFAULT now(),
    alert_id String,
    series String,
    kind String,
    event String,
    team String,
    channel String,
    channel_type String,
    attempts UInt8,
    error String,
    instance String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (alert_id, at)`,
}
