// Package clickhouse is voc's ClickHouse sink: its one job is writing. It
// stores one row per feedback record (table feedback) and one row per
// aspect mention (table aspect_mentions), and ClickHouse materialized views
// keep hourly aggregates (feedback_hourly, pain_hourly) from those inserts.
// Chats analysed as conversations also get one row in conversations and
// one row per agent compliance violation in agent_violations. Reprocess
// (reprocess.go) is its maintenance write: re-tagging stored records with
// new lexicons.
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
//  2. Before writing a batch, the sink asks each target table, for the
//     (topic, partition) pairs of the batch, for the highest offset already
//     stored at or above the batch's lowest offset of that partition:
//     SELECT kafka_topic, kafka_partition, max(kafka_offset) ... GROUP BY
//     kafka_topic, kafka_partition. Both tables are ORDER BY (kafka_topic,
//     kafka_partition, kafka_offset, ...), so the primary key narrows the
//     read to a granule or two whatever the table's size.
//  3. Rows at or below that watermark are dropped from the insert: an
//     earlier attempt, or another consumer before a rebalance, wrote them.
//  4. The remaining rows go in as one INSERT of one block. The pipeline
//     hands over the records of a partition in offset order and writes
//     batches one after the other, and ClickHouse commits one inserted
//     block as a unit, so what is stored of a partition is always a prefix
//     of it and the watermark says exactly where the prefix ends.
//  5. feedback is written first, then aspect_mentions, conversations and
//     agent_violations, each with its own watermark: a crash between two
//     inserts leaves the later tables behind, and the replay fills in
//     exactly their missing rows. A table gets no rows from some records
//     (a review has no conversation, a chat may have no violation); its
//     watermark is still the end of the stored prefix, because its rows of
//     a batch go in as one block after the rows of the batches before.
//  6. The aggregates are filled by materialized views on those inserts, so
//     they see every stored row exactly once and inherit the exactness.
//
// Remaining windows, documented rather than hidden:
//
//   - Two consumers writing the same partition at the same time (the old
//     owner still flushing during a rebalance) can both pass the watermark
//     check and insert the same rows. The raw tables are ReplacingMergeTree
//     on the position, so the duplicate collapses on merge and queries with
//     FINAL are exact at once; the hourly SummingMergeTree aggregates count
//     such rows twice. Compare ch.Counts' Records with DistinctRecords to
//     detect it; rebuilding an hour from feedback FINAL repairs it.
//   - A ClickHouse server crash in the middle of an insert can commit the
//     raw rows but not the materialized views' rows, or the part of one
//     month but not of another when a batch spans months (each monthly
//     partition is its own part). The watermark then skips the replay.
//   - In cluster mode rows are sharded by (topic, partition) so a
//     partition's rows live on one shard, and inserts through the
//     Distributed tables are synchronous (insert_distributed_sync=1). With
//     several replicas per shard, reading the watermark from a lagging
//     replica could let a replay through: set insert_quorum and
//     select_sequential_consistency in ch.Config.Settings for full safety.
//   - Deleting and recreating a topic restarts its offsets at 0: the
//     watermark would then skip the new messages; drop the old rows first.
//
// Records with Err set or without Feedback are skipped. Records without an
// Analysis are stored with neutral defaults and no mentions.
package clickhouse

import (
	"cmp"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"syscall"
	"time"

	chgo "github.com/ClickHouse/clickhouse-go/v2"
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
	return &Sink{db: db, conn: db.Conn(), cfg: db.Config(), logger: logger}, nil
}

// DB is the sink's connection, for readers that share it (the query
// store of `voc run`, Counts) and for the schema.
func (s *Sink) DB() *ch.DB { return s.db }

// Migrate creates or upgrades the schema the sink writes to (ch.DB.Migrate).
func (s *Sink) Migrate(ctx context.Context) error { return s.db.Migrate(ctx) }

// SchemaVersion returns the highest applied migration, 0 when none.
func (s *Sink) SchemaVersion(ctx context.Context) (int, error) { return s.db.SchemaVersion(ctx) }

// Close closes the connections. The context is unused: nothing is buffered.
func (s *Sink) Close(ctx context.Context) error { return s.db.Close() }

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
	fresh := above(recs, wm)
	if len(fresh) > 0 {
		if err := s.insertFeedback(ctx, fresh, now); err != nil {
			return err
		}
	}

	wm, err = s.watermarks(ctx, ch.TableMentions, lows)
	if err != nil {
		return err
	}
	fresh = above(recs, wm)
	n, err := s.insertMentions(ctx, fresh, now)
	if err != nil {
		return err
	}
	if err := s.writeChats(ctx, recs, lows, now); err != nil {
		return err
	}
	for k := range lows {
		for _, a := range aggregates {
			if err := s.rollup(ctx, a, k); err != nil {
				return err
			}
		}
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
	ctx = s.insertCtx(ctx)
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table(ch.TableFeedback)+" ("+feedbackColumns+")")
	if err != nil {
		return fmt.Errorf("clickhouse: prepare insert into feedback: %w", err)
	}
	defer b.Abort()
	for _, r := range recs {
		row := feedbackRow(r, now)
		if err := b.Append(row...); err != nil {
			return fmt.Errorf("clickhouse: append record %q to feedback: %w", r.ID, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("clickhouse: insert %d rows into feedback: %w", len(recs), err)
	}
	return nil
}

func (s *Sink) insertMentions(ctx context.Context, recs []*pipeline.Record, now time.Time) (int, error) {
	var rows [][]any
	for _, r := range recs {
		rows = append(rows, mentionRows(r, now)...)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	ctx = s.insertCtx(ctx)
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table(ch.TableMentions)+" ("+mentionColumns+")")
	if err != nil {
		return 0, fmt.Errorf("clickhouse: prepare insert into aspect_mentions: %w", err)
	}
	defer b.Abort()
	for _, row := range rows {
		if err := b.Append(row...); err != nil {
			return 0, fmt.Errorf("clickhouse: append row to aspect_mentions: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return 0, fmt.Errorf("clickhouse: insert %d rows into aspect_mentions: %w", len(rows), err)
	}
	return len(rows), nil
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
// unavailable). Schema, type, syntax and authentication errors are
// permanent: retrying cannot help until the configuration or schema is
// fixed.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	var ex *chgo.Exception
	if errors.As(err, &ex) {
		return retryableCodes[ex.Code]
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, chgo.ErrAcquireConnTimeout) ||
		errors.Is(err, chgo.ErrConnectionClosed) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}
