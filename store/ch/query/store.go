// Package query is the read side of voc's ClickHouse database: the
// queries, filters and result types that the HTTP API, the weekly report,
// `voc demo`'s summary and the alert service read the stored feedback
// with. It never writes: the sink (sinks/clickhouse) writes the rows, and
// store/ch owns the connection settings, the table names and the schema.
//
// Every query is built from fixed SQL and whitelisted expressions; client
// values only reach ClickHouse as bound parameters. Aggregates come from
// the hourly tables when the filter allows it and from the raw tables
// otherwise. Time ranges are half-open, [from, to).
package query

import (
	"context"
	"fmt"

	chdriver "github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vocproject/voc/store/ch"
)

// Store reads voc's tables. It is safe for concurrent use.
type Store struct {
	db   *ch.DB
	conn chdriver.Conn
	cfg  ch.Config
	own  bool
}

// Open connects to ClickHouse (ch.Open); Close closes the connection.
func Open(ctx context.Context, cfg ch.Config) (*Store, error) {
	db, err := ch.Open(ctx, cfg, nil)
	if err != nil {
		return nil, err
	}
	s := New(db)
	s.own = true
	return s, nil
}

// New reads through an open connection (the sink's in `voc run`); Close
// then leaves it open.
func New(db *ch.DB) *Store {
	return &Store{db: db, conn: db.Conn(), cfg: db.Config()}
}

// Close closes the connection when Open opened it.
func (s *Store) Close() error {
	if !s.own {
		return nil
	}
	return s.db.Close()
}

// table returns the table expression to read a table from (ch.DB.Query:
// FINAL for the hourly aggregates).
func (s *Store) table(name string) string { return s.db.Query(name) }

// local is the table holding a node's rows of name (ch.DB.QueryLocal).
func (s *Store) local(name string) string { return s.db.QueryLocal(name) }

// Ping checks that ClickHouse answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.conn.Ping(ctx); err != nil {
		return fmt.Errorf("clickhouse: ping: %w", err)
	}
	return nil
}
