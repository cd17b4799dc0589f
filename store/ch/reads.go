package ch

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	chdriver "github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// retryReads is the connection Dial returns: reads (Query, QueryRow,
// Select, Ping) and the opening of an insert (PrepareBatch) that fail
// because the pooled connection they were given was already closed or
// reset are made once more, on a connection of the pool's choosing.
//
// The driver can hand out a connection that it closes under the caller:
// a watchdog of an earlier, cancelled query closes the socket after the
// connection went back to the pool (the error is "use of closed network
// connection"). Nothing of such a read reached the server, and a read
// sent twice changes nothing, so one more attempt is safe. Exec is not
// retried: an INSERT … SELECT or a DDL statement may have run before the
// connection was lost.
type retryReads struct{ chdriver.Conn }

// connLost reports whether err says the connection itself failed, not
// the query: a socket closed on our side, or reset or ended by the peer.
func connLost(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	return errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE)
}

func (c retryReads) Query(ctx context.Context, query string, args ...any) (chdriver.Rows, error) {
	rows, err := c.Conn.Query(ctx, query, args...)
	if connLost(ctx, err) {
		return c.Conn.Query(ctx, query, args...)
	}
	return rows, err
}

func (c retryReads) QueryRow(ctx context.Context, query string, args ...any) chdriver.Row {
	row := c.Conn.QueryRow(ctx, query, args...)
	if connLost(ctx, row.Err()) {
		return c.Conn.QueryRow(ctx, query, args...)
	}
	return row
}

func (c retryReads) Select(ctx context.Context, dest any, query string, args ...any) error {
	err := c.Conn.Select(ctx, dest, query, args...)
	if connLost(ctx, err) {
		return c.Conn.Select(ctx, dest, query, args...)
	}
	return err
}

func (c retryReads) PrepareBatch(ctx context.Context, query string, opts ...chdriver.PrepareBatchOption) (chdriver.Batch, error) {
	b, err := c.Conn.PrepareBatch(ctx, query, opts...)
	if connLost(ctx, err) {
		return c.Conn.PrepareBatch(ctx, query, opts...)
	}
	return b, err
}

func (c retryReads) Ping(ctx context.Context) error {
	err := c.Conn.Ping(ctx)
	if connLost(ctx, err) {
		return c.Conn.Ping(ctx)
	}
	return err
}
