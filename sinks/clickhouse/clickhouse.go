// Package clickhouse is voc's ClickHouse sink: its one job is writing. It
// stores one row per feedback record (table feedback) and one row per
// aspect mention (table aspect_mentions), and keeps the hourly aggregates
// (feedback_hourly, pain_hourly) from them. Chats analysed as
// conversations also get one row in conversations and one row per agent
// compliance violation in agent_violations. Reprocess (reprocess.go) is its
// maintenance write: re-tagging stored records with new lexicons.
//
// The connection settings, the table names, the schema and its migrations
// belong to store/ch (Migrate here only delegates to it); reading for the
// API, the report and alerting to store/ch/query.
//
// # Exactly-once effect: offsets stored with the data
//
// Kafka delivers at least once: after a crash (kill -9 of voc at any
// point), a broker restart or a consumer-group rebalance, records already
// written are delivered and written again. The sink makes the effect
// exactly once without any state outside ClickHouse:
//
//  1. Every row carries its source position (kafka_topic, kafka_partition,
//     kafka_offset); for aspect_mentions also the mention index.
//  2. Before writing a batch, the sink asks each raw table, for the
//     (topic, partition) pairs of the batch, for the highest offset already
//     stored at or above the batch's lowest offset of that partition. The
//     tables are ORDER BY (kafka_topic, kafka_partition, kafka_offset, ...),
//     so the primary key narrows the read to a granule or two whatever the
//     table's size.
//  3. Rows at or below that watermark are dropped from the insert: an
//     earlier attempt, or another consumer before a rebalance, wrote them.
//  4. The remaining rows go in as one INSERT of one block. The pipeline
//     hands over the records of a partition in offset order and writes
//     batches one after the other, and every insert starts at most one past
//     the stored maximum, whoever makes it, so what is stored of a
//     partition is a prefix of it and the watermark says where it ends.
//  5. feedback is written first, then aspect_mentions, conversations and
//     agent_violations, each with its own watermark: a crash between two
//     inserts leaves the later tables behind, and the replay fills in
//     exactly their missing rows.
//  6. Then the hourly tables are rolled up for every partition of the
//     batch (below), even when the watermarks skipped the whole batch:
//     before WriteBatch returns, or with AsyncRollups (voc run) in the
//     background, one rollup serving the batches written while the one
//     before it ran, and starting at most a second after it.
//
// Two consumers writing the same partition at the same time (the old owner
// still flushing during a rebalance: kafka-go does not tell it that the
// partition was taken away) can both pass the watermark check and insert
// the same rows. The raw tables are ReplacingMergeTree on the position: the
// sink, its rollups and the alert service read them with FINAL (ch.DB.Read)
// and see each position once, the product's readers (ch.DB.Query) until
// ClickHouse merges the parts; the hourly tables are built so that such
// duplicates do not count twice.
//
// # Hourly aggregates
//
// feedback_hourly and pain_hourly hold one row per Kafka partition, hour
// and dimensions, ReplacingMergeTree(version), read with FINAL: the row
// with the highest version of a key is its current one. A version is
// ch.Version(generation, next): a reprocess generation in the high bits,
// an offset in the low ones. Every row the sink writes is exact for its
// version: it is the aggregate of its key's raw rows (FINAL) with an
// offset below next. After each batch, for each partition P and hourly
// table (rollup):
//
//  1. G = the highest version of P's rows (the one this sink wrote last
//     for P, or read from the table). Every version written so far was
//     written by a rollup that had counted all of P's rows below its next
//     in the current rows of their keys, so all of P's rows below next(G)
//     are counted.
//  2. The delta: P's raw rows (FINAL) from next(G) on, aggregated per key
//     with their lowest offset; W = one past the highest offset read. By
//     point 4 above the rows the read saw are a prefix: every row of P
//     below W is in it. Fast path, no read of the raw rows: the sink keeps
//     the aggregate of the rows it inserted for P since its last rollup of
//     P began (in memory, computed as the hourly SELECT computes it); when
//     they all lie at or above next(G) and P's raw rows from next(G) to
//     their highest offset H (a primary-key range, without FINAL) are as
//     many as they are and hold as many distinct positions, every
//     position in that range is one of them, stored once: that aggregate
//     is the delta, W = H+1. By point 4 no other position below W can be
//     stored later. Another writer's row in the range, or a duplicate of
//     one of them not yet merged, makes the counts differ: the delta is
//     then read as above. A row counts on the fast path only for a server time zone
//     whose hours are UTC hours near the row's time (whole-hour offset, no
//     clock change within the hour).
//  3. The current rows of the delta's keys (FINAL). One of a later
//     generation (a reprocess ran meanwhile): start over, G from the table.
//  4. A key whose current row already counts part of the delta (another
//     writer rolled up meanwhile): its delta is read again from that row's
//     next, below W.
//  5. New rows: current + delta, version (generation(G), W), in one insert.
//
// Each step is one query (and one insert) for all the partitions a rollup
// covers, per hourly table; the two tables are rolled up at the same time.
//
// Each new row is exact for its version whatever runs concurrently: the
// current row is exact for its own version, and the delta adds exactly the
// key's rows between the two offsets. A row's version is above that of
// the current row it extends, so FINAL picks, for every key, the row that
// counts the most rows; two rows with the same version have the same
// content. Once the rollups after the last insert are done, the highest
// version of each key counts all its rows: the aggregates equal the
// aggregate of the deduplicated raw rows, whatever the interleaving of
// two writers (TestTwoWritersOnePartition, TestE2EJoinThenKill9). A crash
// between a raw insert and its rollup leaves rows above next(G), which the
// next rollup of the partition counts.
//
// On ClickHouse 18.16 this relies only on FINAL, ReplacingMergeTree with a
// version column and one part per insert and month. In cluster mode
// (Distributed tables over Replicated ones) the raw and hourly tables are
// sharded by cityHash64(kafka_topic, kafka_partition): a partition's raw
// rows, its hourly rows and all versions of a key live on one shard, where
// FINAL collapses them; inserts are synchronous (insert_distributed_sync).
// With several replicas per shard a read from a lagging replica could see
// an older prefix or miss a newer rollup, which only makes the next
// rollup's delta wider or redone; set insert_quorum and
// select_sequential_consistency in ch.Config.Settings so that reads see
// every acknowledged insert.
//
// Remaining windows, documented rather than hidden:
//
//   - Between a raw insert and the end of its rollup, the hourly tables lag
//     the raw ones. With AsyncRollups a batch is acknowledged (and its
//     offsets committed) before its rollup ends; if the process dies in
//     between, its rows are aggregated by the next rollup of the partition
//     (whoever writes a batch of it, even one the watermarks skip whole),
//     by CatchUp, which voc run runs at start, or by CatchUp in Close of
//     any sink with AsyncRollups. Close is what closes the window when the
//     partition gets no more records: the process that takes it over may
//     have started, and caught up, before the rows were stored (it started
//     while the dead one still wrote), and it reads the
//     partition from the dead one's commit, so it has nothing to write and
//     no rollup of its own covers them (TestCloseCatchesUpOrphans,
//     TestE2EJoinThenKill9). While it runs, CatchUpEvery (voc run, every
//     clickhouse.catch_up_interval) bounds how long such a partition's
//     hourly rows stay behind (TestCatchUpEvery).
//   - A block whose records span two months is stored as one part per
//     month, and ClickHouse makes each visible on its own: a read in the
//     moment between the two commits sees the stored rows of a partition
//     with a hole. If another writer's rollup of the same partition reads
//     then (two writers at once, a batch across a month boundary, and a
//     read within that moment), it counts past the hole, and the hourly
//     tables miss those rows (they never count a row twice) until the
//     period is reprocessed. Inserting one block per month run would close
//     it, at the price of a part per run: hundreds per insert when late
//     records of the previous month are interleaved, which ClickHouse
//     throttles.
//   - A ClickHouse server crash in the middle of an insert that spans two
//     shards or a failed replica can commit part of it; the watermark then
//     skips the replay of the rest.
//   - Deleting and recreating a topic restarts its offsets at 0: the
//     watermark would then skip the new messages; drop the old rows first.
//   - Offsets must stay below 2^40 (ch.VersionOffsetBits).
//
// Records with Err set or without Feedback are skipped. Records without an
// Analysis are stored with neutral defaults and no mentions.
package clickhouse

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	chgo "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	chdriver "github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/store/ch"
)

var _ pipeline.Sink = (*Sink)(nil)

// Sink writes records to ClickHouse. It is safe for concurrent use, but
// batches of one partition must be written one after the other (see the
// package comment).
type Sink struct {
	db     *ch.DB
	conn   chdriver.Conn
	cfg    ch.Config
	logger *slog.Logger

	reprocessHook func(step string) error // tests: fail a reprocess step

	mu         sync.Mutex
	lastRollup map[rollupKey]uint64   // the version of this sink's last rollup per table and partition
	pending    map[rollupKey]*pending // per hourly table and partition: rows inserted since its last rollup began
	tz         *time.Location         // the server's time zone (serverLocation)
	tzRead     bool
	// fastRollups counts the partitions rolled up from pending (tests).
	fastRollups atomic.Int64

	async    bool             // AsyncRollups
	rolling  chan struct{}    // closed when the background rollups end; nil: none running
	lastRoll time.Time        // when the last background rollup began (rollLoop only)
	dirty    map[partKey]bool // partitions written since the running rollup began
	failed   map[partKey]bool // partitions whose background rollup failed
	rollErr  error            // the error of the last failed one, for the next WriteBatch
}

// Open connects and pings the server (ch.Open). It does not create the
// schema: call Migrate (or run `voc migrate`) first.
func Open(ctx context.Context, cfg ch.Config, logger *slog.Logger) (*Sink, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	db, err := ch.Open(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	return &Sink{db: db, conn: db.Conn(), cfg: db.Config(), logger: logger, lastRollup: map[rollupKey]uint64{}, pending: map[rollupKey]*pending{}, dirty: map[partKey]bool{}, failed: map[partKey]bool{}}, nil
}

// DB is the sink's connection, for readers that share it (the query
// store of `voc run`, Counts) and for the schema.
func (s *Sink) DB() *ch.DB { return s.db }

// Migrate creates or upgrades the schema the sink writes to (ch.DB.Migrate).
func (s *Sink) Migrate(ctx context.Context) error { return s.db.Migrate(ctx) }

// SchemaVersion returns the highest applied migration, 0 when none.
func (s *Sink) SchemaVersion(ctx context.Context) (int, error) { return s.db.SchemaVersion(ctx) }

// Close finishes the rollups in progress (Flush), with AsyncRollups then
// rolls up every partition from the tables (CatchUp: rows another process
// stored and died before aggregating, see "Remaining windows" in the
// package comment), and closes the connections.
func (s *Sink) Close(ctx context.Context) error {
	err := s.Flush(ctx)
	if err == nil && s.async {
		err = s.CatchUp(ctx)
	}
	return errors.Join(err, s.db.Close())
}

// table returns the qualified name to insert into and query.
func (s *Sink) table(name string) string { return s.db.Table(name) }

// insertCtx carries the settings of an insert.
func (s *Sink) insertCtx(ctx context.Context) context.Context {
	if s.cfg.Distributed {
		return chgo.Context(ctx, chgo.WithSettings(chgo.Settings{"insert_distributed_sync": 1}))
	}
	return ctx
}

type partKey struct {
	topic     string
	partition int32
}

// WriteBatch writes the records of batch that are not stored yet, as
// described in the package comment: rows at or below each table's stored
// watermark for their partition are skipped, so a batch may be written any
// number of times with the same effect as once. It returns only once the
// rows are stored; an error means some of them may not be, and the caller
// must write the batch again (IsRetryable tells whether that can help).
// The batch is not retained.
func (s *Sink) WriteBatch(ctx context.Context, batch []*pipeline.Record) error {
	recs := make([]*pipeline.Record, 0, len(batch))
	for _, r := range batch {
		if r == nil || r.Feedback == nil || r.Err != nil {
			continue
		}
		recs = append(recs, r)
	}
	if len(recs) == 0 {
		return nil
	}
	// Order by position and drop repeated positions; the watermark logic
	// needs at most one record per position.
	slices.SortStableFunc(recs, func(a, b *pipeline.Record) int {
		return cmp.Or(cmp.Compare(a.Msg.Pos.Topic, b.Msg.Pos.Topic),
			cmp.Compare(a.Msg.Pos.Partition, b.Msg.Pos.Partition),
			cmp.Compare(a.Msg.Pos.Offset, b.Msg.Pos.Offset))
	})
	recs = slices.CompactFunc(recs, func(a, b *pipeline.Record) bool { return a.Msg.Pos == b.Msg.Pos })

	lows := map[partKey]int64{}
	for _, r := range recs {
		k := partKey{r.Msg.Pos.Topic, int32(r.Msg.Pos.Partition)}
		if lo, ok := lows[k]; !ok || r.Msg.Pos.Offset < lo {
			lows[k] = r.Msg.Pos.Offset
		}
	}
	now := time.Now().UTC().Truncate(time.Second)

	wm, err := s.watermarks(ctx, ch.TableFeedback, lows)
	if err != nil {
		return err
	}
	var rows [][]any
	for _, r := range above(recs, wm) {
		rows = append(rows, feedbackRow(r, now))
	}
	if err := s.insertRows(ctx, ch.TableFeedback, feedbackColumns, rows); err != nil {
		return err
	}
	s.note(ctx, ch.TableFeedback, rows)

	wm, err = s.watermarks(ctx, ch.TableMentions, lows)
	if err != nil {
		return err
	}
	rows = nil
	for _, r := range above(recs, wm) {
		rows = append(rows, mentionRows(r, now)...)
	}
	if err := s.insertRows(ctx, ch.TableMentions, mentionColumns, rows); err != nil {
		return err
	}
	s.note(ctx, ch.TableMentions, rows)
	n := len(rows)
	if err := s.writeChats(ctx, recs, lows, now); err != nil {
		return err
	}
	parts := make([]partKey, 0, len(lows))
	for k := range lows {
		parts = append(parts, k)
	}
	if err := s.rollupAfter(ctx, parts); err != nil {
		return err
	}
	s.logger.Debug("clickhouse batch written", "records", len(recs), "mentions", n)
	return nil
}

// above returns the records whose offset is above the watermark of their
// partition.
func above(recs []*pipeline.Record, wm map[partKey]int64) []*pipeline.Record {
	out := make([]*pipeline.Record, 0, len(recs))
	for _, r := range recs {
		if w, ok := wm[partKey{r.Msg.Pos.Topic, int32(r.Msg.Pos.Partition)}]; ok && r.Msg.Pos.Offset <= w {
			continue
		}
		out = append(out, r)
	}
	return out
}

// watermarks returns, per partition, the highest offset stored in table at
// or above lows[partition]; partitions with no such row are absent.
func (s *Sink) watermarks(ctx context.Context, table string, lows map[partKey]int64) (map[partKey]int64, error) {
	var where []string
	var args []any
	for k, lo := range lows {
		where = append(where, "(kafka_topic = ? AND kafka_partition = ? AND kafka_offset >= ?)")
		args = append(args, k.topic, k.partition, lo)
	}
	q := fmt.Sprintf("SELECT kafka_topic, kafka_partition, max(kafka_offset) FROM %s WHERE %s GROUP BY kafka_topic, kafka_partition",
		s.table(table), strings.Join(where, " OR "))
	rows, err := s.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: read %s watermarks: %w", table, err)
	}
	defer rows.Close()
	wm := map[partKey]int64{}
	for rows.Next() {
		var k partKey
		var off int64
		if err := rows.Scan(&k.topic, &k.partition, &off); err != nil {
			return nil, fmt.Errorf("clickhouse: read %s watermarks: %w", table, err)
		}
		wm[k] = off
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: read %s watermarks: %w", table, err)
	}
	return wm, nil
}

func (s *Sink) insertFeedback(ctx context.Context, recs []*pipeline.Record, now time.Time) error {
	rows := make([][]any, 0, len(recs))
	for _, r := range recs {
		rows = append(rows, feedbackRow(r, now))
	}
	return s.insertRows(ctx, ch.TableFeedback, feedbackColumns, rows)
}

func (s *Sink) insertMentions(ctx context.Context, recs []*pipeline.Record, now time.Time) (int, error) {
	var rows [][]any
	for _, r := range recs {
		rows = append(rows, mentionRows(r, now)...)
	}
	return len(rows), s.insertRows(ctx, ch.TableMentions, mentionColumns, rows)
}

// insertRows inserts rows into table as one block; no rows, no insert.
func (s *Sink) insertRows(ctx context.Context, table, columns string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	b, err := s.conn.PrepareBatch(s.insertCtx(ctx), "INSERT INTO "+s.table(table)+" ("+columns+")")
	if err != nil {
		return fmt.Errorf("clickhouse: prepare insert into %s: %w", table, err)
	}
	defer b.Abort()
	for _, row := range rows {
		if err := b.Append(row...); err != nil {
			return fmt.Errorf("clickhouse: append row to %s: %w", table, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("clickhouse: insert %d rows into %s: %w", len(rows), table, err)
	}
	return nil
}

// Server error codes worth retrying: the condition is transient.
var retryableCodes = map[int32]bool{
	3:   true, // UNEXPECTED_END_OF_FILE
	32:  true, // ATTEMPT_TO_READ_AFTER_EOF
	159: true, // TIMEOUT_EXCEEDED
	202: true, // TOO_MANY_SIMULTANEOUS_QUERIES
	203: true, // NO_FREE_CONNECTION
	209: true, // SOCKET_TIMEOUT
	210: true, // NETWORK_ERROR
	225: true, // NO_ZOOKEEPER
	236: true, // ABORTED
	241: true, // MEMORY_LIMIT_EXCEEDED
	242: true, // TABLE_IS_READ_ONLY
	252: true, // TOO_MANY_PARTS
	285: true, // TOO_FEW_LIVE_REPLICAS
	286: true, // UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE
	319: true, // UNKNOWN_STATUS_OF_INSERT
	394: true, // QUERY_WAS_CANCELLED
	425: true, // SYSTEM_ERROR
	439: true, // CANNOT_SCHEDULE_TASK
	999: true, // KEEPER_EXCEPTION
}

// IsRetryable reports whether writing again may succeed: network errors,
// a server that is down or restarting, timeouts, cancelled contexts and
// transient server conditions (too many parts, memory limit, replicas
// unavailable). Server errors of other codes (schema, type, syntax,
// authentication) and the driver's column type errors are permanent:
// retrying cannot help until the configuration or schema is fixed. An
// error it does not know is retried.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	var ex *chgo.Exception
	if errors.As(err, &ex) {
		return retryableCodes[ex.Code]
	}
	// Client-side type errors (a value the column cannot hold, a column
	// type the driver does not know) come back on every attempt.
	var ce *column.ColumnConverterError
	var ue *column.UnsupportedColumnTypeError
	var ke *column.Error
	if errors.As(err, &ce) || errors.As(err, &ue) || errors.As(err, &ke) {
		return false
	}
	// Anything else (network errors and what this list does not know) may
	// pass: an unknown transient error must not stop a healthy pipeline,
	// and an unknown permanent one keeps the records uncommitted while the
	// runner logs every attempt.
	return true
}
