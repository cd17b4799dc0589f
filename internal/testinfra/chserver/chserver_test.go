package chserver_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/vocproject/voc/internal/testinfra/chserver"
	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

func open(t *testing.T, addr string) clickhouse.Conn {
	t.Helper()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, DialTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestRestartKeepsData starts a server, writes a row, stops it, starts it
// again on the same directory and reads the row back.
func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := chtest.StartServer(t, dir)
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") {
		t.Fatalf("Addr = %q, want loopback", s.Addr())
	}
	conn := open(t, s.Addr())
	for _, q := range []string{
		"CREATE DATABASE IF NOT EXISTS keep",
		"CREATE TABLE keep.t (x UInt32) ENGINE = MergeTree ORDER BY x",
	} {
		if err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	b, err := conn.PrepareBatch(ctx, "INSERT INTO keep.t (x)")
	if err != nil {
		t.Fatalf("prepare insert: %v", err)
	}
	if err := b.Append(uint32(42)); err != nil {
		t.Fatalf("append: %v", err)
	}
	if err := b.Send(); err != nil {
		t.Fatalf("insert: %v", err)
	}
	if err := s.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := conn.Ping(ctx); err == nil {
		t.Fatal("ping succeeded after Stop")
	}
	if _, err := os.Stat(filepath.Join(dir, "clickhouse-server.pid")); !os.IsNotExist(err) {
		t.Errorf("pid file left after Stop: %v", err)
	}

	s2 := chtest.StartServer(t, dir)
	conn2 := open(t, s2.Addr())
	var x uint32
	if err := conn2.QueryRow(ctx, "SELECT x FROM keep.t").Scan(&x); err != nil {
		t.Fatalf("select after restart: %v", err)
	}
	if x != 42 {
		t.Fatalf("x = %d after restart, want 42", x)
	}
}

func TestFixedPort(t *testing.T) {
	s := chtest.Start(t).Server
	// The shared server's port is taken: a second server on it must fail
	// with the server's own log in the error.
	port := s.Addr()[strings.LastIndex(s.Addr(), ":")+1:]
	var p int
	for _, c := range port {
		p = p*10 + int(c-'0')
	}
	ctx := context.Background()
	_, err := chserver.Start(ctx, chserver.Config{Dir: t.TempDir(), TCPPort: p, StartTimeout: 30 * time.Second})
	if err == nil {
		t.Fatal("start on a busy port succeeded")
	}
	if !strings.Contains(err.Error(), "is not free") {
		t.Errorf("error does not say the port is busy: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  chserver.Config
		want string
	}{
		{"no dir", chserver.Config{}, "Config.Dir is required"},
		{"bad port", chserver.Config{Dir: t.TempDir(), TCPPort: 70000}, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := chserver.Start(context.Background(), tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSharedServerAnswers(t *testing.T) {
	db := chtest.Start(t)
	conn := open(t, db.Addr)
	var v string
	if err := conn.QueryRow(context.Background(), "SELECT version()").Scan(&v); err != nil {
		t.Fatalf("select version: %v", err)
	}
	if v == "" {
		t.Fatal("empty version")
	}
	if db2 := chtest.Start(t); db2.Database == db.Database {
		t.Fatalf("two calls gave the same database %q", db.Database)
	}
}
