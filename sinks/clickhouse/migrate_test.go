package clickhouse

import (
	"context"
	"testing"
	"time"

	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
	"github.com/vocproject/voc/store/ch"
)

// TestMigrateRebuildsHourly upgrades a database of schema version 3,
// whose summing hourly tables double counted records written twice (the
// race of two writers), to the latest version: the versioned hourly tables
// are rebuilt from the raw rows, exact, and the sink goes on from there.
func TestMigrateRebuildsHourly(t *testing.T) {
	ctx := context.Background()
	db := chtest.Start(t)
	s, err := Open(ctx, ch.Config{Addrs: []string{db.Addr}, Database: db.Database}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db.Database)
		s.Close(context.Background())
	})
	if err := s.DB().MigrateTo(ctx, 3); err != nil {
		t.Fatal(err)
	}
	recs := genBatch("upgrade", []int{0, 1}, 0, 80)
	now := time.Now().UTC().Truncate(time.Second)
	for range 2 { // the same rows twice: the old views count them twice
		if err := s.insertFeedback(ctx, recs, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.insertMentions(ctx, recs, now); err != nil {
			t.Fatal(err)
		}
	}
	var old uint64
	if err := s.conn.QueryRow(ctx, "SELECT sum(records) FROM "+s.table(ch.TableFeedbackHourly)).Scan(&old); err != nil {
		t.Fatal(err)
	}
	if old != 2*uint64(len(recs)) {
		t.Fatalf("version 3 feedback_hourly sums %d records, want %d (counted twice)", old, 2*len(recs))
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != ch.LatestVersion() {
		t.Fatalf("schema version %d, %v", v, err)
	}
	want := expected(recs)
	want.Conversations, want.DistinctConversations, want.Violations, want.DistinctViolations = 0, 0, 0, 0 // not written above
	checkCounts(t, s, want)
	if msg := hourlyMismatch(t, s); msg != "" {
		t.Error(msg)
	}
	// The sink goes on from the rebuilt rows: a replay and new records.
	more := genBatch("upgrade", []int{0, 1}, 60, 120)
	write(t, s, more)
	all := append(recs, more[2*20:]...)
	want = expected(all)
	c := expected(more) // conversations had no rows: all of more's chats
	want.Conversations, want.DistinctConversations, want.Violations, want.DistinctViolations = c.Conversations, c.DistinctConversations, c.Violations, c.DistinctViolations
	checkCounts(t, s, want)
	if msg := hourlyMismatch(t, s); msg != "" {
		t.Error(msg)
	}
}
