package clickhouse

import (
	"context"
	"testing"
	"time"

	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/store/ch"
)

// TestRollupFastPath checks the rollup from the rows a sink inserted
// (pending) against the aggregate of the raw rows: taken when the sink is
// the partition's only writer, not taken when another writer stored rows
// the sink did not (which it would lose) or when the sink's pending rows
// count a position twice (which it would double count).
func TestRollupFastPath(t *testing.T) {
	ctx := context.Background()
	a, b := openTwo(t)
	exact := func(step string) {
		t.Helper()
		if msg := hourlyMismatch(t, a); msg != "" {
			t.Fatalf("%s: %s", step, msg)
		}
	}
	var all []*pipeline.Record
	batch := func(from, to int64) []*pipeline.Record {
		recs := genBatch("fast", []int{0, 1}, from, to)
		all = append(all, recs...)
		return recs
	}

	write(t, a, batch(0, 50))
	write(t, a, batch(50, 100))
	exact("sole writer")
	if n := a.fastRollups.Load(); n != 8 { // 2 batches × 2 partitions × 2 tables
		t.Fatalf("sole writer: %d fast rollups, want 8", n)
	}

	// Another writer stored 100..150 of partition 0 and died before its
	// rollup: a's next rollup of partition 0 must count those rows too.
	orphans := genBatch("fast", []int{0}, 100, 150)
	all = append(all, orphans...)
	now := time.Now().UTC().Truncate(time.Second)
	if err := b.insertFeedback(ctx, orphans, now); err != nil {
		t.Fatal(err)
	}
	if _, err := b.insertMentions(ctx, orphans, now); err != nil {
		t.Fatal(err)
	}
	fast := a.fastRollups.Load()
	write(t, a, batch(150, 200))
	exact("after another writer's rows")
	if n := a.fastRollups.Load() - fast; n != 2 { // partition 1 only
		t.Fatalf("after another writer's rows: %d fast rollups, want 2 (partition 1)", n)
	}

	// The same rows inserted and noted twice (a position noted twice):
	// the raw rows count each position once (FINAL), the pending rows
	// twice.
	twice := batch(200, 250)
	for range 2 {
		var fb, mn [][]any
		for _, r := range twice {
			fb = append(fb, feedbackRow(r, now))
			mn = append(mn, mentionRows(r, now)...)
		}
		for _, ins := range []struct {
			table, cols string
			rows        [][]any
		}{{ch.TableFeedback, feedbackColumns, fb}, {ch.TableMentions, mentionColumns, mn}} {
			if err := a.insertRows(ctx, ins.table, ins.cols, ins.rows); err != nil {
				t.Fatal(err)
			}
			a.note(ctx, ins.table, ins.rows)
		}
	}
	fast = a.fastRollups.Load()
	if err := a.rollupAll(ctx, []partKey{{"fast", 0}, {"fast", 1}}, true); err != nil {
		t.Fatal(err)
	}
	exact("a position noted twice")
	if n := a.fastRollups.Load() - fast; n != 0 {
		t.Fatalf("a position noted twice: %d fast rollups, want 0", n)
	}

	write(t, a, batch(250, 300))
	exact("sole writer again")
	// The chats of the rows inserted without WriteBatch are not stored.
	want := expected(all)
	got, err := a.DB().Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want.Conversations, want.DistinctConversations = got.Conversations, got.DistinctConversations
	want.Violations, want.DistinctViolations = got.Violations, got.DistinctViolations
	checkCounts(t, a, want)
}

// TestStartOfHour checks the hour the fast path computes against the
// rule of toStartOfHour: the UTC hour where the zone's offset is whole
// hours and does not change nearby, no answer otherwise.
func TestStartOfHour(t *testing.T) {
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Skip(err)
		}
		return loc
	}
	at := time.Date(2025, 3, 30, 1, 30, 15, 0, time.UTC) // Europe's clock change
	for _, c := range []struct {
		loc  *time.Location
		t    time.Time
		want bool
	}{
		{time.UTC, at, true},
		{load("Asia/Shanghai"), at, true},
		{load("Asia/Kolkata"), at, false}, // +5:30
		{load("Europe/Berlin"), at, false},
		{load("Europe/Berlin"), at.AddDate(0, 0, 1), true},
		{nil, at, false},
	} {
		h, ok := startOfHour(c.t, c.loc)
		if ok != c.want || h != c.t.Truncate(time.Hour) {
			t.Errorf("startOfHour(%v, %v) = %v, %v; want %v", c.t, c.loc, h, ok, c.want)
		}
	}
}
