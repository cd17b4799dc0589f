package clickhouse

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vocproject/voc/pipeline"
)

// hourlyMismatch describes the first difference between an hourly table
// and the aggregate of the deduplicated raw rows (ch.DB.HourlyDiff).
func hourlyMismatch(t testing.TB, s *Sink) string {
	t.Helper()
	msg, err := s.DB().HourlyDiff(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// TestTwoWritersOnePartition has two sinks write the same batches of one
// partition, records of two months mixed, the second starting 0, 5, 20 or
// 50 ms after the first (the
// old owner of a partition still flushing while the new one replays it
// during a rebalance), many rounds: every hourly aggregate must equal the
// aggregate of the deduplicated raw rows after every round.
func TestTwoWritersOnePartition(t *testing.T) {
	if testing.Short() {
		t.Skip("many rounds against ClickHouse")
	}
	ctx := context.Background()
	a, b := openTwo(t)
	const rounds, batches, size = 5, 4, 250
	var all []*pipeline.Record
	for _, delay := range []time.Duration{0, 5 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond} {
		for round := range rounds {
			topic := fmt.Sprintf("race-%d-%d", delay.Milliseconds(), round)
			var bs [][]*pipeline.Record
			for i := range batches {
				b := genBatch(topic, []int{round % 3}, int64(i*size), int64((i+1)*size))
				for _, r := range b {
					if r.Msg.Pos.Offset%4 == 0 { // late arrivals of another month: two parts per insert
						r.Feedback.CreatedAt = r.Feedback.CreatedAt.AddDate(0, 1, 0)
					}
				}
				bs = append(bs, b)
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for w, s := range []*Sink{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if w == 1 {
						time.Sleep(delay)
					}
					for _, batch := range bs {
						if err := s.WriteBatch(ctx, batch); err != nil {
							errs[w] = err
							return
						}
					}
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			// The hourly tables hold every topic so far: a mismatch stays.
			if msg := hourlyMismatch(t, a); msg != "" {
				t.Fatalf("delay %v round %d: %s", delay, round, msg)
			}
			for _, b := range bs {
				all = append(all, b...)
			}
		}
	}
	checkCounts(t, a, expected(all))
}

// TestAsyncRollups writes with rollups in the background, as voc run
// does: after Flush the hourly tables are exact; rows stored without a
// rollup (a process killed in between) are aggregated by CatchUp.
func TestAsyncRollups(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	s.AsyncRollups()
	var all []*pipeline.Record
	for off := int64(0); off < 200; off += 50 {
		b := genBatch("async", []int{0, 1, 2}, off, off+50)
		write(t, s, b)
		all = append(all, b...)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, s, expected(all))
	if msg := hourlyMismatch(t, s); msg != "" {
		t.Fatal(msg)
	}
	// Stored, never rolled up: the process died after the raw inserts.
	orphans := genBatch("async", []int{3}, 0, 40)
	now := time.Now().UTC().Truncate(time.Second)
	if err := s.insertFeedback(ctx, orphans, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.insertMentions(ctx, orphans, now); err != nil {
		t.Fatal(err)
	}
	if msg := hourlyMismatch(t, s); msg == "" {
		t.Fatal("rows stored without a rollup are already aggregated: the test proves nothing")
	}
	restarted, err := Open(ctx, s.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Close(ctx)
	if err := restarted.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if msg := hourlyMismatch(t, s); msg != "" {
		t.Error(msg)
	}
}

// TestCloseCatchesUpOrphans is the end of TestE2EJoinThenKill9: a process
// stores the last records of a partition, acknowledges them (AsyncRollups)
// and is killed before their rollup; the process that takes the partition
// over started before those rows were stored (its CatchUp did not see
// them) and gets no more records of the partition, so no rollup of its
// own covers them. Its Close must: once it returns, the hourly tables are
// exact.
func TestCloseCatchesUpOrphans(t *testing.T) {
	ctx := context.Background()
	a := openTest(t)
	a.AsyncRollups()
	var all []*pipeline.Record
	for off := int64(0); off < 100; off += 50 {
		b := genBatch("orphans", []int{0, 1, 2, 3}, off, off+50)
		write(t, a, b)
		all = append(all, b...)
	}
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// The successor starts (voc run catches up at start) while the first
	// process still writes.
	b := successor(t, a)
	if err := b.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	// The first process's last batch of partition 0: stored, never rolled
	// up (SIGKILL before its background rollup).
	all = append(all, storeOrphans(t, a, "orphans", 100, 140)...)
	// The successor writes the other partitions, then stops.
	for off := int64(100); off < 200; off += 50 {
		batch := genBatch("orphans", []int{1, 2, 3}, off, off+50)
		write(t, b, batch)
		all = append(all, batch...)
	}
	if msg := hourlyMismatch(t, a); msg == "" {
		t.Fatal("the orphan rows are already aggregated: the test proves nothing")
	}
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, a, expected(all))
	if msg := hourlyMismatch(t, a); msg != "" {
		t.Error(msg)
	}
}

// TestCatchUpEvery is TestCloseCatchesUpOrphans without the stop: the
// successor keeps running and gets no more records of the orphaned
// partition; its periodic catch-up (voc run: clickhouse.catch_up_interval)
// aggregates the orphan rows while it runs.
func TestCatchUpEvery(t *testing.T) {
	ctx := context.Background()
	a := openTest(t)
	a.AsyncRollups()
	b := successor(t, a)
	t.Cleanup(func() { b.Close(ctx) })
	run, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	var failures atomic.Int32
	go func() {
		defer close(done)
		b.CatchUpEvery(run, 200*time.Millisecond, func(error) { failures.Add(1) })
	}()
	defer func() { stop(); <-done }()
	var all []*pipeline.Record
	for off := int64(0); off < 100; off += 50 {
		batch := genBatch("every", []int{0, 1}, off, off+50)
		write(t, b, batch)
		all = append(all, batch...)
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// rows of partition 0 stored by a process that died before their rollup
	all = append(all, storeOrphans(t, a, "every", 100, 140)...)
	deadline := time.Now().Add(20 * time.Second)
	for hourlyMismatch(t, a) != "" {
		if time.Now().After(deadline) {
			t.Fatalf("the periodic catch-up did not aggregate the orphan rows: %s", hourlyMismatch(t, a))
		}
		time.Sleep(100 * time.Millisecond)
	}
	checkCounts(t, a, expected(all))
	if n := failures.Load(); n > 0 {
		t.Errorf("%d catch-ups failed", n)
	}
}

// successor opens a second sink on a's database with AsyncRollups, as
// the voc run process that takes a's partitions over.
func successor(t *testing.T, a *Sink) *Sink {
	t.Helper()
	b, err := Open(context.Background(), a.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.AsyncRollups()
	return b
}

// storeOrphans stores the records of offsets [from, to) of partition 0 of
// topic in every raw table through s, without their rollup: what a process
// killed between its inserts and its background rollup leaves.
func storeOrphans(t *testing.T, s *Sink, topic string, from, to int64) []*pipeline.Record {
	t.Helper()
	ctx := context.Background()
	orphans := genBatch(topic, []int{0}, from, to)
	now := time.Now().UTC().Truncate(time.Second)
	if err := s.insertFeedback(ctx, orphans, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.insertMentions(ctx, orphans, now); err != nil {
		t.Fatal(err)
	}
	if err := s.writeChats(ctx, orphans, map[partKey]int64{{topic, 0}: from}, now); err != nil {
		t.Fatal(err)
	}
	return orphans
}
