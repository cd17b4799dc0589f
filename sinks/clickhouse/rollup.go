package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/vocproject/voc/store/ch"
)

// aggregate describes an hourly table the sink maintains from a raw table.
type aggregate struct {
	table, source string
	dims          []string // the key after (kafka_topic, kafka_partition, hour)
	counts        []string // UInt64 measures, then sentiment_sum (Float64)
	sel, columns  string   // ch.FeedbackHourlySelect, ch.FeedbackHourlyColumns
}

var aggregates = []aggregate{
	{
		table: ch.TableFeedbackHourly, source: ch.TableFeedback,
		dims:   []string{"product", "channel", "kind", "customer_tier"},
		counts: []string{"records", "negative", "complaints", "escalations"},
		sel:    ch.FeedbackHourlySelect, columns: ch.FeedbackHourlyColumns,
	},
	{
		table: ch.TablePainHourly, source: ch.TableMentions,
		dims:   []string{"category", "subcategory", "product", "channel", "polarity"},
		counts: []string{"mentions", "records"},
		sel:    ch.PainHourlySelect, columns: ch.PainHourlyColumns,
	},
}

// hourlyRow is one row of an hourly table.
type hourlyRow struct {
	hour    time.Time
	dims    []string
	counts  []uint64
	sum     float64
	version uint64
	first   int64 // lowest offset aggregated (delta rows only)
}

func (r *hourlyRow) key() string {
	return fmt.Sprint(r.hour.Unix(), "\x00", strings.Join(r.dims, "\x00"))
}

func (a aggregate) scan(row ch.Row, withFirst bool) (*hourlyRow, error) {
	r := &hourlyRow{dims: make([]string, len(a.dims)), counts: make([]uint64, len(a.counts))}
	dest := []any{&r.hour}
	for i := range r.dims {
		dest = append(dest, &r.dims[i])
	}
	for i := range r.counts {
		dest = append(dest, &r.counts[i])
	}
	dest = append(dest, &r.sum, &r.version)
	if withFirst {
		dest = append(dest, &r.first)
	}
	return r, row.Scan(dest...)
}

// selectColumns are the columns scan reads, from a.sel's result.
func (a aggregate) selectColumns(withFirst bool) string {
	cols := append(append(append([]string{"hour"}, a.dims...), a.counts...), "sentiment_sum", "version")
	if withFirst {
		cols = append(cols, "first_offset")
	}
	return strings.Join(cols, ", ")
}

// errRollupContended is returned when other writers kept changing the
// hourly rows of a partition while a rollup read them.
var errRollupContended = errors.New("concurrent writers kept changing the partition's hourly rows")

// rollup brings the hourly rows of partition p up to date with the raw
// rows stored for it (see "Hourly aggregates" in the package comment):
//
//  1. G, the highest version of p's hourly rows, or (cached) the version
//     of this sink's last rollup of p: generation g, and every raw row of
//     p below offset next(G) is counted in the current row of its key;
//  2. the delta: p's raw rows (FINAL) from next(G) on, aggregated per hour
//     and dimensions; W is the first offset above them;
//  3. the current rows of the delta's keys; a row of a later generation
//     (a reprocess ran meanwhile) starts over from 1;
//  4. for a key whose current row already counts part of the delta (a
//     concurrent rollup), the delta is read again from that row's offset;
//  5. new rows current + delta, version (g, W), in one insert.
//
// Every row written is the aggregate of its key's raw rows below its
// version's offset, whatever runs concurrently, so the current row of a
// key (FINAL) is exact once the rollups of all its rows are done.
func (s *Sink) rollup(ctx context.Context, a aggregate, p partKey, cached bool) error {
	for i := range 8 {
		done, err := s.rollupOnce(ctx, a, p, cached && i == 0)
		if err != nil || done {
			return err
		}
	}
	return fmt.Errorf("clickhouse: roll up %s of %s/%d: %w", a.table, p.topic, p.partition, errRollupContended)
}

func (s *Sink) rollupOnce(ctx context.Context, a aggregate, p partKey, cached bool) (bool, error) {
	fail := func(step string, err error) (bool, error) {
		return false, fmt.Errorf("clickhouse: roll up %s of %s/%d: %s: %w", a.table, p.topic, p.partition, step, err)
	}
	// G: the version this sink wrote last for p is as good as the highest
	// (every version a rollup wrote is one below which p's rows are
	// counted) and saves a query; a later generation in the rows read
	// below sends the retry to the table.
	ck := rollupKey{a.table, p}
	s.mu.Lock()
	top, ok := s.lastRollup[ck]
	s.mu.Unlock()
	if !ok || !cached {
		if err := s.conn.QueryRow(ctx, "SELECT max(version) FROM "+s.table(a.table)+" WHERE kafka_topic = ? AND kafka_partition = ?",
			p.topic, p.partition).Scan(&top); err != nil {
			return fail("read version", err)
		}
	}
	gen, next := ch.SplitVersion(top)

	src := "(SELECT * FROM " + s.db.Read(a.source) + " WHERE kafka_topic = ? AND kafka_partition = ? AND kafka_offset >= ?)"
	q := "SELECT " + a.selectColumns(true) + " FROM (" + fmt.Sprintf(a.sel, src) + ")"
	var delta []*hourlyRow
	if err := ch.EachRow(ctx, s.conn, q, []any{p.topic, p.partition, next}, func(row ch.Row) error {
		r, err := a.scan(row, true)
		delta = append(delta, r)
		return err
	}); err != nil {
		return fail("read new rows", err)
	}
	if len(delta) == 0 {
		return true, nil
	}
	var w int64
	hours := map[int64]bool{}
	for _, r := range delta {
		w = max(w, int64(r.version))
		hours[r.hour.Unix()] = true
	}
	var hs []string
	for h := range hours {
		hs = append(hs, fmt.Sprintf("toDateTime(%d)", h))
	}
	// The current rows of the delta's hours, read after the delta: the
	// hours come from it (a subquery of the same query could see fewer
	// raw rows than the delta, and miss an hour).
	cur := map[string]*hourlyRow{}
	q = "SELECT " + a.selectColumns(false) + " FROM " + s.db.Read(a.table) +
		" WHERE kafka_topic = ? AND kafka_partition = ? AND hour IN (" + strings.Join(hs, ", ") + ")"
	stale := false
	if err := ch.EachRow(ctx, s.conn, q, []any{p.topic, p.partition}, func(row ch.Row) error {
		r, err := a.scan(row, false)
		if err != nil {
			return err
		}
		if g, _ := ch.SplitVersion(r.version); g > gen {
			stale = true
		}
		cur[r.key()] = r
		return nil
	}); err != nil {
		return fail("read current rows", err)
	}
	if stale {
		return false, nil
	}

	// Keys whose current row counts part of the delta: read their delta
	// again from that row's offset.
	var redo []string
	var args []any
	keep := delta[:0]
	for _, d := range delta {
		c := cur[d.key()]
		if c == nil {
			keep = append(keep, d)
			continue
		}
		_, cn := ch.SplitVersion(c.version)
		switch {
		case cn >= w:
			// Nothing new for this key.
		case cn > d.first:
			cond := []string{"toStartOfHour(created_at) = toDateTime(?)"}
			args = append(args, d.hour.Unix())
			for i, dim := range a.dims {
				cond = append(cond, dim+" = ?")
				args = append(args, d.dims[i])
			}
			cond = append(cond, "kafka_offset >= ?")
			args = append(args, cn)
			redo = append(redo, "("+strings.Join(cond, " AND ")+")")
		default:
			keep = append(keep, d)
		}
	}
	delta = keep
	if len(redo) > 0 {
		src := "(SELECT * FROM " + s.db.Read(a.source) + " WHERE kafka_topic = ? AND kafka_partition = ? AND kafka_offset < ? AND (" +
			strings.Join(redo, " OR ") + "))"
		q := "SELECT " + a.selectColumns(true) + " FROM (" + fmt.Sprintf(a.sel, src) + ")"
		if err := ch.EachRow(ctx, s.conn, q, append([]any{p.topic, p.partition, w}, args...), func(row ch.Row) error {
			r, err := a.scan(row, true)
			delta = append(delta, r)
			return err
		}); err != nil {
			return fail("read new rows again", err)
		}
	}
	if len(delta) == 0 {
		return true, nil
	}

	version := ch.Version(gen, w)
	rows := make([][]any, 0, len(delta))
	for _, d := range delta {
		if c := cur[d.key()]; c != nil {
			for i := range d.counts {
				d.counts[i] += c.counts[i]
			}
			d.sum += c.sum
		}
		rows = append(rows, a.row(p, d, version))
	}
	if err := s.insertRows(ctx, a.table, a.columns, rows); err != nil {
		return false, err
	}
	s.mu.Lock()
	s.lastRollup[ck] = version
	s.mu.Unlock()
	return true, nil
}

type rollupKey struct {
	table string
	p     partKey
}

// rollupAll rolls up every aggregate of every partition in parts, up to
// four at a time; cached false reads G from the tables.
func (s *Sink) rollupAll(ctx context.Context, parts []partKey, cached bool) error {
	type job struct {
		a aggregate
		p partKey
	}
	jobs := make(chan job)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range min(4, 2*len(parts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := s.rollup(ctx, j.a, j.p, cached); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for _, p := range parts {
		for _, a := range aggregates {
			jobs <- job{a, p}
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// row is the insert row of r (columns a.columns).
func (a aggregate) row(p partKey, r *hourlyRow, version uint64) []any {
	row := []any{p.topic, p.partition, r.hour}
	for _, d := range r.dims {
		row = append(row, d)
	}
	for _, c := range r.counts {
		row = append(row, c)
	}
	return append(row, r.sum, version)
}

// AsyncRollups makes WriteBatch return once the raw rows are stored and
// roll the hourly tables up in the background (voc run): one rollup at a
// time, each covering the partitions of every batch written since the
// previous one began, so that under load one rollup serves several
// batches. A WriteBatch returns the error of a failed background rollup
// (its partitions are rolled up again with the next). A batch is then
// acknowledged before its rows are aggregated: if the process dies in
// between, they are aggregated by the next rollup of their partition, or
// by CatchUp when a sink starts again. Call before the first WriteBatch.
func (s *Sink) AsyncRollups() { s.async = true }

// rollupAfter rolls up parts after a batch: at once, or with AsyncRollups
// in the background.
func (s *Sink) rollupAfter(ctx context.Context, parts []partKey) error {
	if !s.async {
		return s.rollupAll(ctx, parts, true)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.rollErr
	s.rollErr = nil
	if s.dirty == nil {
		s.dirty = map[partKey]bool{}
	}
	for _, p := range parts {
		s.dirty[p] = true
	}
	for p := range s.failed {
		s.dirty[p] = true
	}
	clear(s.failed)
	if s.rolling == nil {
		done := make(chan struct{})
		s.rolling = done
		go s.rollLoop(context.WithoutCancel(ctx), done)
	}
	return err
}

// rollLoop rolls up the dirty partitions until there are none.
func (s *Sink) rollLoop(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		s.mu.Lock()
		parts := make([]partKey, 0, len(s.dirty))
		for p := range s.dirty {
			parts = append(parts, p)
		}
		clear(s.dirty)
		if len(parts) == 0 {
			s.rolling = nil
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		if err := s.rollupAll(ctx, parts, true); err != nil {
			s.mu.Lock()
			s.rollErr = err
			for _, p := range parts {
				s.failed[p] = true
			}
			s.rolling = nil
			s.mu.Unlock()
			return
		}
	}
}

// Flush waits for the background rollups and rolls up again the
// partitions whose rollup failed. Without AsyncRollups there is nothing to
// do.
func (s *Sink) Flush(ctx context.Context) error {
	for {
		s.mu.Lock()
		done := s.rolling
		s.mu.Unlock()
		if done == nil {
			break
		}
		select {
		case <-done:
		case <-ctx.Done():
			return fmt.Errorf("clickhouse: wait for the hourly rollup: %w", ctx.Err())
		}
	}
	s.mu.Lock()
	parts := make([]partKey, 0, len(s.failed)+len(s.dirty))
	for p := range s.failed {
		parts = append(parts, p)
	}
	for p := range s.dirty {
		parts = append(parts, p)
	}
	clear(s.failed)
	clear(s.dirty)
	s.rollErr = nil
	s.mu.Unlock()
	if len(parts) == 0 {
		return nil
	}
	if err := s.rollupAll(ctx, parts, false); err != nil {
		s.mu.Lock()
		for _, p := range parts {
			s.failed[p] = true
		}
		s.mu.Unlock()
		return err
	}
	return nil
}

// CatchUp rolls up every partition with rows in the raw tables, reading
// where each stands from the tables: after a process died between storing
// a batch and aggregating it (AsyncRollups), its rows are aggregated
// without waiting for new records of their partition. It reads the
// partition columns of the raw tables once.
func (s *Sink) CatchUp(ctx context.Context) error {
	seen := map[partKey]bool{}
	var parts []partKey
	for _, t := range []string{ch.TableFeedback, ch.TableMentions} {
		err := ch.EachRow(ctx, s.conn, "SELECT DISTINCT kafka_topic, kafka_partition FROM "+s.table(t), nil, func(r ch.Row) error {
			var k partKey
			if err := r.Scan(&k.topic, &k.partition); err != nil {
				return err
			}
			if !seen[k] {
				seen[k] = true
				parts = append(parts, k)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("clickhouse: catch up: list partitions of %s: %w", t, err)
		}
	}
	return s.rollupAll(ctx, parts, false)
}
