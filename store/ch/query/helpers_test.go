package query

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/sinks/clickhouse"
	"github.com/vocproject/voc/store/ch"
	"github.com/vocproject/voc/store/ch/fixture"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

// testDB is a query store on a migrated database of the test's own, with
// the sink that writes the rows it reads.
type testDB struct {
	*Store
	sink *clickhouse.Sink
}

func (d *testDB) WriteBatch(ctx context.Context, b []*pipeline.Record) error {
	return d.sink.WriteBatch(ctx, b)
}

// openTest opens a sink and a query store on the shared server with a
// database of the test's own, migrated.
func openTest(t testing.TB) *testDB {
	t.Helper()
	db := chtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sink, err := clickhouse.Open(ctx, ch.Config{Addrs: []string{db.Addr}, Database: db.Database}, nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	s := &testDB{Store: New(sink.DB()), sink: sink}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db.Database)
		sink.Close(ctx)
	})
	if err := sink.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// The generated records of the sink's tests.
var (
	baseTime       = fixture.BaseTime
	products       = fixture.Products
	channels       = fixture.Channels
	genRecord      = fixture.Record
	genBatch       = fixture.Batch
	expected       = fixture.Expected
	chatDay0       = fixture.ChatDay0
	contactRecords = fixture.ContactRecords
	fcrScenario    = fixture.FCRScenario
)

func checkCounts(t *testing.T, s *testDB, want ch.Counts) {
	t.Helper()
	fixture.CheckCounts(t, s.db, want)
}

func write(t *testing.T, s *testDB, b []*pipeline.Record) {
	t.Helper()
	if err := s.WriteBatch(context.Background(), b); err != nil {
		t.Fatalf("write batch: %v", err)
	}
}
