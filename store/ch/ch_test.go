package ch

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

// openTest opens a database of the test's own on the shared server,
// migrated.
func openTest(t testing.TB) *DB {
	t.Helper()
	db := chtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, Config{Addrs: []string{db.Addr}, Database: db.Database}, nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db.Database)
		s.Close()
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string // empty: valid
	}{
		{"zero is valid", Config{}, ""},
		{"full", Config{Addrs: []string{"ch1:9000", "ch2:9000"}, Database: "voc_prod", Cluster: "c1", Distributed: true}, ""},
		{"addr without port", Config{Addrs: []string{"localhost"}}, "addrs[0]"},
		{"database with dash", Config{Database: "voc-prod"}, "database"},
		{"database injection", Config{Database: "voc; DROP TABLE x"}, "database"},
		{"cluster with space", Config{Cluster: "my cluster"}, "cluster"},
		{"distributed without cluster", Config{Distributed: true}, "distributed"},
		{"negative dial timeout", Config{DialTimeout: -time.Second}, "dial_timeout"},
		{"catch-up too often", Config{CatchUpInterval: time.Millisecond}, "catch_up_interval"},
		{"bad setting name", Config{Settings: map[string]any{"a b": 1}}, "settings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("Validate() = %v, want a ConfigError on %s", err, tt.field)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("message %q does not name %s", err, tt.field)
			}
		})
	}
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	s := openTest(t) // migrated once
	ctx := context.Background()
	tables := func() []string {
		rows, err := s.conn.Query(ctx, "SELECT name, engine FROM system.tables WHERE database = ? ORDER BY name", s.cfg.Database)
		if err != nil {
			t.Fatalf("list tables: %v", err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n, e string
			if err := rows.Scan(&n, &e); err != nil {
				t.Fatal(err)
			}
			out = append(out, n+":"+e)
		}
		return out
	}
	before := tables()
	want := []string{"agent_violations:ReplacingMergeTree", "aspect_mentions:ReplacingMergeTree", "conversations:ReplacingMergeTree",
		"feedback:ReplacingMergeTree", "feedback_hourly:ReplacingMergeTree", "pain_hourly:ReplacingMergeTree",
		"schema_lock:MergeTree", "schema_migrations:ReplacingMergeTree"}
	if !reflect.DeepEqual(before, want) {
		t.Fatalf("tables = %v, want %v", before, want)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if after := tables(); !reflect.DeepEqual(after, before) {
		t.Fatalf("tables after second migrate = %v, want %v", after, before)
	}
	var n uint64
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM "+s.Table(TableSchemaMigrations)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if int(n) != len(Migrations(s.cfg)) {
		t.Fatalf("schema_migrations has %d rows, want %d (one per migration)", n, len(Migrations(s.cfg)))
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil || v != LatestVersion() || v < 3 {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, LatestVersion())
	}
}

// TestDDLGolden pins the generated DDL of each deployment mode. The
// single-node DDL runs in every other test; the cluster DDL cannot run here
// (no cluster), so its text is checked against reviewed golden files.
func TestDDLGolden(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"single", Config{}},
		{"cluster", Config{Database: "voc", Cluster: "voc_cluster"}},
		{"distributed", Config{Database: "voc", Cluster: "voc_cluster", Distributed: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			for _, q := range bootstrap(tt.cfg.WithDefaults()) {
				fmt.Fprintf(&b, "-- bootstrap\n%s;\n\n", q)
			}
			for _, m := range Migrations(tt.cfg) {
				for _, q := range m.Statements {
					fmt.Fprintf(&b, "-- version %d: %s\n%s;\n\n", m.Version, m.Name, q)
				}
			}
			path := filepath.Join("testdata", "ddl_"+tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if b.String() != string(want) {
				t.Errorf("DDL differs from %s (review, then go test -update):\n%s", path, b.String())
			}
		})
	}
	// Invariants the golden files must keep.
	for _, q := range Migrations(Config{Cluster: "c", Distributed: true})[0].Statements {
		if !strings.Contains(q, " ON CLUSTER c") {
			t.Errorf("cluster DDL without ON CLUSTER: %s", firstLine(q))
		}
	}
}
