package ch

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
)

// TestConcurrentMigrate starts several processes' migrations of one new
// database at once, as replicas of voc run do on their first start: each
// succeeds, and each migration is applied once (migration 4 drops and
// rebuilds the hourly tables; two at once dropped them under each other).
func TestConcurrentMigrate(t *testing.T) {
	db := chtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const n = 4
	dbs := make([]*DB, n)
	for i := range dbs {
		s, err := Open(ctx, Config{Addrs: []string{db.Addr}, Database: db.Database}, nil)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		dbs[i] = s
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = dbs[0].conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db.Database)
		for _, s := range dbs {
			s.Close()
		}
	})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, s := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Migrate(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("migration %d of %d: %v", i+1, n, err)
		}
	}
	// schema_migrations replaces rows of one version only when it merges:
	// before that, a migration applied twice shows twice.
	var rows uint64
	if err := dbs[0].conn.QueryRow(ctx, "SELECT count() FROM "+dbs[0].Table(TableSchemaMigrations)).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if want := uint64(len(Migrations(dbs[0].cfg))); rows != want {
		t.Errorf("schema_migrations holds %d rows, want %d (one per migration)", rows, want)
	}
	if v, err := dbs[0].SchemaVersion(ctx); err != nil || v != LatestVersion() {
		t.Errorf("schema version %d (%v), want %d", v, err, LatestVersion())
	}
	if _, err := dbs[0].Counts(ctx); err != nil {
		t.Errorf("counts over the migrated tables: %v", err)
	}
}
