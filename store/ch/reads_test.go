package ch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	chdriver "github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// failingConn fails its first calls with err, then answers; it counts
// the calls of each method.
type failingConn struct {
	chdriver.Conn // nil: a method not overridden here panics
	err           error
	fails         int
	calls         map[string]int
}

func (c *failingConn) call(name string) error {
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[name]++
	if c.calls[name] <= c.fails {
		return c.err
	}
	return nil
}

func (c *failingConn) Query(context.Context, string, ...any) (chdriver.Rows, error) {
	return nil, c.call("Query")
}
func (c *failingConn) Select(context.Context, any, string, ...any) error { return c.call("Select") }
func (c *failingConn) Exec(context.Context, string, ...any) error        { return c.call("Exec") }
func (c *failingConn) Ping(context.Context) error                        { return c.call("Ping") }
func (c *failingConn) PrepareBatch(context.Context, string, ...chdriver.PrepareBatchOption) (chdriver.Batch, error) {
	return nil, c.call("PrepareBatch")
}

// The driver's error for a pooled socket closed under the caller.
var closedSocket = fmt.Errorf("read: %w", &net.OpError{Op: "read", Net: "tcp", Err: net.ErrClosed})

func TestRetryReadsRetriesOnceOnALostConnection(t *testing.T) {
	ctx := context.Background()
	f := &failingConn{err: closedSocket, fails: 1}
	c := retryReads{f}
	if _, err := c.Query(ctx, "SELECT 1"); err != nil {
		t.Errorf("Query after one closed socket: %v", err)
	}
	if err := c.Select(ctx, nil, "SELECT 1"); err != nil {
		t.Errorf("Select after one closed socket: %v", err)
	}
	if err := c.Ping(ctx); err != nil {
		t.Errorf("Ping after one closed socket: %v", err)
	}
	if _, err := c.PrepareBatch(ctx, "INSERT INTO t (a)"); err != nil {
		t.Errorf("PrepareBatch after one closed socket: %v", err)
	}
	for _, m := range []string{"Query", "Select", "Ping", "PrepareBatch"} {
		if f.calls[m] != 2 {
			t.Errorf("%s: %d calls, want 2", m, f.calls[m])
		}
	}

	// Exec may have run on the server before the connection was lost: it
	// is not sent twice.
	if err := c.Exec(ctx, "INSERT INTO t SELECT 1"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Exec: %v, want the closed socket", err)
	}
	if f.calls["Exec"] != 1 {
		t.Errorf("Exec: %d calls, want 1", f.calls["Exec"])
	}

	// Once only: a connection lost twice is an error.
	f2 := &failingConn{err: closedSocket, fails: 2}
	if _, err := (retryReads{f2}).Query(ctx, "SELECT 1"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Query lost twice: %v, want the closed socket", err)
	}
	if f2.calls["Query"] != 2 {
		t.Errorf("Query lost twice: %d calls, want 2", f2.calls["Query"])
	}
}

func TestRetryReadsLeavesOtherErrorsAlone(t *testing.T) {
	// A query the server refuses, and a caller that gave up, are not
	// retried.
	refused := errors.New("code: 60, message: Table voc.nope doesn't exist")
	f := &failingConn{err: refused, fails: 1}
	if _, err := (retryReads{f}).Query(context.Background(), "SELECT 1 FROM nope"); !errors.Is(err, refused) {
		t.Errorf("Query: %v, want the server's error", err)
	}
	if f.calls["Query"] != 1 {
		t.Errorf("refused Query: %d calls, want 1", f.calls["Query"])
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g := &failingConn{err: closedSocket, fails: 1}
	if _, err := (retryReads{g}).Query(ctx, "SELECT 1"); err == nil {
		t.Error("Query with a cancelled context succeeded on a second attempt")
	}
	if g.calls["Query"] != 1 {
		t.Errorf("cancelled Query: %d calls, want 1", g.calls["Query"])
	}
}
