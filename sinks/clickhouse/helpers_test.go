package clickhouse

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
	"github.com/vocproject/voc/store/ch"
	"github.com/vocproject/voc/store/ch/fixture"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

// openTest opens a sink on the shared server with a database of the test's
// own, migrated.
func openTest(t testing.TB) *Sink {
	t.Helper()
	db := chtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, ch.Config{Addrs: []string{db.Addr}, Database: db.Database}, nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db.Database)
		s.Close(ctx)
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// openTwo opens two sinks on one test database (two writers of the same
// partitions, as two processes during a rebalance).
func openTwo(t testing.TB) (*Sink, *Sink) {
	t.Helper()
	a := openTest(t)
	b, err := Open(context.Background(), a.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(context.Background()) })
	return a, b
}

// The generated records and their expected totals.
var (
	baseTime       = fixture.BaseTime
	genRecord      = fixture.Record
	genBatch       = fixture.Batch
	expected       = fixture.Expected
	chatDay0       = fixture.ChatDay0
	contactRecords = fixture.ContactRecords
)

type contact = fixture.Contact

func checkCounts(t *testing.T, s *Sink, want ch.Counts) {
	t.Helper()
	fixture.CheckCounts(t, s.DB(), want)
}
