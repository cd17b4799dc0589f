package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	position      string   // the columns after (kafka_topic, kafka_partition) that identify a raw row
	sel, columns  string   // ch.FeedbackHourlySelect, ch.FeedbackHourlyColumns
	// fold is sel for one insert row of source: whether it counts, its
	// dimensions, counts and sentiment sum; col indexes source's insert
	// columns.
	fold func(row []any) (ok bool, dims []string, counts []uint64, sum float64)
	col  map[string]int
}

var aggregates = []aggregate{
	{
		table: ch.TableFeedbackHourly, source: ch.TableFeedback,
		dims:   []string{"product", "channel", "kind", "customer_tier"},
		counts: []string{"records", "negative", "complaints", "escalations"},
		sel:    ch.FeedbackHourlySelect, columns: ch.FeedbackHourlyColumns,
		fold: foldFeedback, col: feedbackCol, position: "kafka_offset",
	},
	{
		table: ch.TablePainHourly, source: ch.TableMentions,
		dims:   []string{"category", "subcategory", "product", "channel", "polarity"},
		counts: []string{"mentions", "records"},
		sel:    ch.PainHourlySelect, columns: ch.PainHourlyColumns,
		fold: foldMention, col: mentionCol, position: "kafka_offset, mention",
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

// add adds o's counts and sentiment sum to r's.
func (r *hourlyRow) add(o *hourlyRow) {
	for i := range r.counts {
		r.counts[i] += o.counts[i]
	}
	r.sum += o.sum
}

func (r *hourlyRow) key() string {
	return fmt.Sprint(r.hour.Unix(), "\x00", strings.Join(r.dims, "\x00"))
}

func (a aggregate) scan(row ch.Row, withFirst bool) (partKey, *hourlyRow, error) {
	var p partKey
	r := &hourlyRow{dims: make([]string, len(a.dims)), counts: make([]uint64, len(a.counts))}
	dest := []any{&p.topic, &p.partition, &r.hour}
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
	return p, r, row.Scan(dest...)
}

// selectColumns are the columns scan reads, from a.sel's result.
func (a aggregate) selectColumns(withFirst bool) string {
	cols := append(append(append([]string{"kafka_topic", "kafka_partition", "hour"}, a.dims...), a.counts...), "sentiment_sum", "version")
	if withFirst {
		cols = append(cols, "first_offset")
	}
	return strings.Join(cols, ", ")
}

// errRollupContended is returned when other writers kept changing the
// hourly rows of a partition while a rollup read them.
var errRollupContended = errors.New("concurrent writers kept changing the partition's hourly rows")

// partState is where one partition's rollup stands within a round.
type partState struct {
	p         partKey
	gen       uint64
	next, w   int64
	delta     []*hourlyRow
	fromTable bool // G read from the table rather than the cache
}

// partsWhere is "(kafka_topic = ? AND kafka_partition = ? AND extra) OR
// ..." for ps, with its arguments; extra (which may hold ?) and its
// arguments come from each.
func partsWhere(ps []*partState, each func(st *partState) (string, []any)) (string, []any) {
	var or []string
	var args []any
	for _, st := range ps {
		cond := "kafka_topic = ? AND kafka_partition = ?"
		args = append(args, st.p.topic, st.p.partition)
		if each != nil {
			extra, a := each(st)
			cond += " AND " + extra
			args = append(args, a...)
		}
		or = append(or, "("+cond+")")
	}
	return strings.Join(or, " OR "), args
}

// rollup brings the hourly rows of the partitions ps up to date with the
// raw rows stored for them (see "Hourly aggregates" in the package
// comment), every step one query for all of them:
//
//  1. G, the highest version of p's hourly rows, or (cached) the version
//     of this sink's last rollup of p: generation g, and every raw row of
//     p below offset next(G) is counted in the current row of its key;
//  2. the delta: p's raw rows (FINAL) from next(G) on, aggregated per hour
//     and dimensions; W is the first offset above them;
//  3. the current rows of the delta's keys; a row of a later generation
//     (a reprocess ran meanwhile) sends p to the next round, G from the
//     table;
//  4. for a key whose current row already counts part of the delta (a
//     concurrent rollup), the delta is read again from that row's offset;
//  5. new rows current + delta, version (g, W): one insert for all of ps.
//
// Every row written is the aggregate of its key's raw rows below its
// version's offset, whatever runs concurrently, so the current row of a
// key (FINAL) is exact once the rollups of all its rows are done.
func (s *Sink) rollup(ctx context.Context, a aggregate, parts []partKey, cached bool) error {
	todo := parts
	for i := 0; i < 8 && len(todo) > 0; i++ {
		again, err := s.rollupOnce(ctx, a, todo, cached && i == 0)
		if err != nil {
			return err
		}
		todo = again
	}
	if len(todo) > 0 {
		return fmt.Errorf("clickhouse: roll up %s of %s/%d: %w", a.table, todo[0].topic, todo[0].partition, errRollupContended)
	}
	return nil
}

// rollupOnce is one round of rollup; it returns the partitions to roll up
// again (a reprocess generation newer than G).
func (s *Sink) rollupOnce(ctx context.Context, a aggregate, parts []partKey, cached bool) ([]partKey, error) {
	fail := func(step string, err error) ([]partKey, error) {
		return nil, fmt.Errorf("clickhouse: roll up %s of %d partitions: %s: %w", a.table, len(parts), step, err)
	}
	// G: the version this sink wrote last for p is as good as the highest
	// (every version a rollup wrote is one below which p's rows are
	// counted) and saves a query; a later generation in the rows read
	// below sends the retry to the table.
	states := make([]*partState, 0, len(parts))
	byPart := map[partKey]*partState{}
	var unknown []*partState
	s.mu.Lock()
	for _, p := range parts {
		st := &partState{p: p}
		top, ok := s.lastRollup[rollupKey{a.table, p}]
		if ok && cached {
			st.gen, st.next = ch.SplitVersion(top)
		} else {
			st.fromTable = true
			unknown = append(unknown, st)
		}
		states = append(states, st)
		byPart[p] = st
	}
	s.mu.Unlock()
	if len(unknown) > 0 {
		where, args := partsWhere(unknown, nil)
		err := ch.EachRow(ctx, s.conn, "SELECT kafka_topic, kafka_partition, max(version) FROM "+s.table(a.table)+
			" WHERE "+where+" GROUP BY kafka_topic, kafka_partition", args, func(row ch.Row) error {
			var p partKey
			var top uint64
			if err := row.Scan(&p.topic, &p.partition, &top); err != nil {
				return err
			}
			if st := byPart[p]; st != nil {
				st.gen, st.next = ch.SplitVersion(top)
			}
			return nil
		})
		if err != nil {
			return fail("read versions", err)
		}
	}

	// The delta. Fast path: the rows this sink inserted since its last
	// rollup of p began (pending), when they are all of p's raw rows from
	// next(G) to the highest of them: a count of the raw rows in that
	// range (the primary key only, no FINAL) equal to theirs. Every
	// position in it is then one of this sink's rows, and by point 4 of
	// the package comment no other row below it can come later; a
	// duplicate another writer made of one of them would count twice and
	// send p to the table too.
	fast := map[partKey]*pending{}
	if cached {
		var cands []*partState
		for _, st := range states {
			if pd := s.takePending(a, st.p); pd != nil && !pd.bad && pd.rows > 0 && pd.lo >= st.next {
				fast[st.p] = pd
				cands = append(cands, st)
			}
		}
		if len(cands) > 0 {
			where, args := partsWhere(cands, func(st *partState) (string, []any) {
				return "kafka_offset >= ? AND kafka_offset <= ?", []any{st.next, fast[st.p].hi}
			})
			counted := map[partKey]int{}
			err := ch.EachRow(ctx, s.conn, "SELECT kafka_topic, kafka_partition, count(), uniqExact("+a.position+") FROM "+s.table(a.source)+
				" WHERE "+where+" GROUP BY kafka_topic, kafka_partition", args, func(row ch.Row) error {
				var p partKey
				var n, positions uint64
				if err := row.Scan(&p.topic, &p.partition, &n, &positions); err != nil {
					return err
				}
				if n == positions {
					counted[p] = int(n)
				}
				return nil
			})
			if err != nil {
				return fail("count new rows", err)
			}
			for p, pd := range fast {
				if counted[p] != pd.rows {
					delete(fast, p)
				}
			}
		}
	}
	var slow []*partState
	for _, st := range states {
		if pd := fast[st.p]; pd != nil {
			for _, r := range pd.keys {
				st.delta = append(st.delta, r)
			}
			st.w = pd.hi + 1
			s.fastRollups.Add(1)
		} else {
			slow = append(slow, st)
		}
	}
	if len(slow) > 0 {
		where, args := partsWhere(slow, func(st *partState) (string, []any) { return "kafka_offset >= ?", []any{st.next} })
		q := "SELECT " + a.selectColumns(true) + " FROM (" + fmt.Sprintf(a.sel, "(SELECT * FROM "+s.db.Read(a.source)+" WHERE "+where+")") + ")"
		if err := ch.EachRow(ctx, s.conn, q, args, func(row ch.Row) error {
			p, r, err := a.scan(row, true)
			if st := byPart[p]; err == nil && st != nil && fast[p] == nil {
				st.delta = append(st.delta, r)
			}
			return err
		}); err != nil {
			return fail("read new rows", err)
		}
	}
	var active []*partState
	for _, st := range states {
		if len(st.delta) == 0 {
			continue
		}
		for _, r := range st.delta {
			st.w = max(st.w, int64(r.version))
		}
		active = append(active, st)
	}
	if len(active) == 0 {
		return nil, nil
	}
	// The current rows of the delta's hours, read after the delta: the
	// hours come from it (a subquery of the same query could see fewer
	// raw rows than the delta, and miss an hour).
	cur := map[partKey]map[string]*hourlyRow{}
	where, args := partsWhere(active, func(st *partState) (string, []any) {
		hours := map[int64]bool{}
		var hs []string
		for _, r := range st.delta {
			if h := r.hour.Unix(); !hours[h] {
				hours[h] = true
				hs = append(hs, fmt.Sprintf("toDateTime(%d)", h))
			}
		}
		return "hour IN (" + strings.Join(hs, ", ") + ")", nil
	})
	stale := map[partKey]bool{}
	q := "SELECT " + a.selectColumns(false) + " FROM " + s.db.Read(a.table) + " WHERE " + where
	if err := ch.EachRow(ctx, s.conn, q, args, func(row ch.Row) error {
		p, r, err := a.scan(row, false)
		if err != nil {
			return err
		}
		st := byPart[p]
		if st == nil {
			return nil
		}
		if g, _ := ch.SplitVersion(r.version); g > st.gen {
			stale[p] = true
		}
		if cur[p] == nil {
			cur[p] = map[string]*hourlyRow{}
		}
		cur[p][r.key()] = r
		return nil
	}); err != nil {
		return fail("read current rows", err)
	}
	var again []partKey
	keepParts := active[:0]
	for _, st := range active {
		if stale[st.p] {
			again = append(again, st.p)
		} else {
			keepParts = append(keepParts, st)
		}
	}
	active = keepParts

	// Keys whose current row counts part of the delta: read their delta
	// again from that row's offset.
	var redoParts []*partState
	redo := map[partKey][]string{}
	redoArgs := map[partKey][]any{}
	for _, st := range active {
		keep := st.delta[:0]
		for _, d := range st.delta {
			c := cur[st.p][d.key()]
			if c == nil {
				keep = append(keep, d)
				continue
			}
			_, cn := ch.SplitVersion(c.version)
			switch {
			case cn >= st.w:
				// Nothing new for this key.
			case cn > d.first:
				cond := []string{"toStartOfHour(created_at) = toDateTime(?)"}
				args := []any{d.hour.Unix()}
				for i, dim := range a.dims {
					cond = append(cond, dim+" = ?")
					args = append(args, d.dims[i])
				}
				cond = append(cond, "kafka_offset >= ?")
				args = append(args, cn)
				if redo[st.p] == nil {
					redoParts = append(redoParts, st)
				}
				redo[st.p] = append(redo[st.p], "("+strings.Join(cond, " AND ")+")")
				redoArgs[st.p] = append(redoArgs[st.p], args...)
			default:
				keep = append(keep, d)
			}
		}
		st.delta = keep
	}
	if len(redoParts) > 0 {
		where, args := partsWhere(redoParts, func(st *partState) (string, []any) {
			return "kafka_offset < ? AND (" + strings.Join(redo[st.p], " OR ") + ")", append([]any{st.w}, redoArgs[st.p]...)
		})
		q := "SELECT " + a.selectColumns(true) + " FROM (" + fmt.Sprintf(a.sel, "(SELECT * FROM "+s.db.Read(a.source)+" WHERE "+where+")") + ")"
		if err := ch.EachRow(ctx, s.conn, q, args, func(row ch.Row) error {
			p, r, err := a.scan(row, true)
			if st := byPart[p]; err == nil && st != nil {
				st.delta = append(st.delta, r)
			}
			return err
		}); err != nil {
			return fail("read new rows again", err)
		}
	}

	var rows [][]any
	versions := map[partKey]uint64{}
	for _, st := range active {
		if len(st.delta) == 0 {
			continue
		}
		version := ch.Version(st.gen, st.w)
		versions[st.p] = version
		for _, d := range st.delta {
			if c := cur[st.p][d.key()]; c != nil {
				d.add(c)
			}
			rows = append(rows, a.row(st.p, d, version))
		}
	}
	if err := s.insertRows(ctx, a.table, a.columns, rows); err != nil {
		return nil, err
	}
	s.mu.Lock()
	for p, v := range versions {
		s.lastRollup[rollupKey{a.table, p}] = v
	}
	s.mu.Unlock()
	return again, nil
}

type rollupKey struct {
	table string
	p     partKey
}

// rollupAll rolls up every aggregate of every partition in parts, the two
// tables at once, up to maxRollupParts partitions per query; cached false
// reads G from the tables.
func (s *Sink) rollupAll(ctx context.Context, parts []partKey, cached bool) error {
	errs := make([]error, len(aggregates))
	var wg sync.WaitGroup
	for i, a := range aggregates {
		wg.Go(func() {
			for chunk := range slices.Chunk(parts, maxRollupParts) {
				if err := s.rollup(ctx, a, chunk, cached); err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// maxRollupParts bounds the partitions of one rollup query.
const maxRollupParts = 64

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
// time, each starting at least rollInterval after the previous one began
// and covering the partitions of every batch written since, so that one
// rollup serves several batches. A WriteBatch returns the error of a failed background rollup
// (its partitions are rolled up again with the next). A batch is then
// acknowledged before its rows are aggregated: if the process dies in
// between, they are aggregated by the next rollup of their partition, or
// by CatchUp when a sink starts again or closes (Close). Call before the
// first WriteBatch.
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

// rollInterval is the least time between the starts of two background
// rollups: under load one rollup serves the batches of that long (fewer
// queries and parts), at the price of that much more lag.
const rollInterval = time.Second

// rollLoop rolls up the dirty partitions until there are none, one round
// at most every rollInterval.
func (s *Sink) rollLoop(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		if wait := time.Until(s.lastRoll.Add(rollInterval)); wait > 0 {
			time.Sleep(wait)
		}
		s.lastRoll = time.Now()
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
// without waiting for new records of their partition. voc run calls it at
// start; Close calls it with AsyncRollups, for the rows a process stored
// and died before aggregating after this one started. It reads the
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

// CatchUpEvery runs CatchUp at once and then every interval until ctx is
// done, passing each failure to onErr (nil: dropped). voc run runs it with
// AsyncRollups: a process that died between storing a batch and its
// rollup, after this one started, leaves rows that no rollup of this one
// covers until their partition's next record (a quiet partition may get
// none for long); the periodic catch-up bounds how long the hourly tables
// lag behind them. A catch-up lists the partitions (a DISTINCT over the
// first two sorting-key columns of feedback and aspect_mentions, which
// compress to little) and, for partitions already aggregated, reads one
// primary-key range per partition and table and writes nothing.
func (s *Sink) CatchUpEvery(ctx context.Context, interval time.Duration, onErr func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := s.CatchUp(ctx); err != nil && ctx.Err() == nil && onErr != nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
