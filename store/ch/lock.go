package ch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"github.com/vocproject/voc/internal/backoff"
	"github.com/vocproject/voc/internal/tick"
)

// The migration lock: a process that has migrations to apply claims the
// right to by inserting a row into schema_lock, waits lockSettle, and
// reads back the claims; the live claim that came first by server time
// (then nonce) wins. A claim is live while its process renews it (every
// lockBeat, a row more); one not renewed for lockLease is given up, so a
// process that died while migrating holds the others for at most
// lockLease. Server time comes from the one ClickHouse node (DEFAULT
// now()), so processes' clocks do not matter. Like schema_migrations the
// table is per node: processes that migrate through different nodes of a
// cluster do not see each other's claims.
const (
	lockSettle = 1500 * time.Millisecond
	lockBeat   = 5 * time.Second
	lockLease  = 30 * time.Second
	lockPoll   = 500 * time.Millisecond
)

// lockSchema waits for the migration lock and returns its release. It
// returns nil, nil when pending reports that nothing is left to apply
// before this process got the lock: another process applied it.
func (s *DB) lockSchema(ctx context.Context, pending func(context.Context) (bool, error)) (func(), error) {
	var b [8]byte
	rand.Read(b[:])
	nonce := hex.EncodeToString(b[:])
	host, _ := os.Hostname()
	instance := fmt.Sprintf("%s/%d", host, os.Getpid())
	claim := func(ctx context.Context) error {
		batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.Table(TableSchemaLock)+" (nonce, instance)")
		if err != nil {
			return fmt.Errorf("clickhouse: migrate: claim the lock: %w", err)
		}
		if err := batch.Append(nonce, instance); err != nil {
			batch.Abort()
			return fmt.Errorf("clickhouse: migrate: claim the lock: %w", err)
		}
		if err := batch.Send(); err != nil {
			return fmt.Errorf("clickhouse: migrate: claim the lock: %w", err)
		}
		return nil
	}
	if err := claim(ctx); err != nil {
		return nil, err
	}
	if err := backoff.Sleep(ctx, lockSettle); err != nil {
		return nil, err
	}
	beat := time.Now()
	waited := false
	for {
		winner, err := s.lockWinner(ctx)
		if err != nil {
			return nil, err
		}
		if winner == nonce {
			if waited {
				s.logger.Info("clickhouse migration lock acquired", "instance", instance)
			}
			return s.holdLock(claim), nil
		}
		if !waited {
			s.logger.Info("clickhouse migration: waiting for another process to migrate", "instance", instance)
			waited = true
		}
		if todo, err := pending(ctx); err != nil || !todo {
			return nil, err
		}
		if time.Since(beat) >= lockBeat {
			if err := claim(ctx); err != nil {
				return nil, err // keep this process's place in the queue
			}
			beat = time.Now()
		}
		if err := backoff.Sleep(ctx, lockPoll); err != nil {
			return nil, err
		}
	}
}

// lockWinner returns the nonce of the live claim that came first.
func (s *DB) lockWinner(ctx context.Context) (string, error) {
	q := "SELECT nonce, min(server_time) AS first FROM " + s.Table(TableSchemaLock) +
		" WHERE server_time >= now() - 86400 GROUP BY nonce HAVING max(server_time) >= now() - ? ORDER BY first, nonce LIMIT 1"
	var nonce string
	var first time.Time
	if err := s.conn.QueryRow(ctx, q, int64(lockLease/time.Second)).Scan(&nonce, &first); err != nil {
		return "", fmt.Errorf("clickhouse: migrate: read the lock: %w", err)
	}
	return nonce, nil
}

// holdLock renews the claim every lockBeat until the returned release is
// called.
func (s *DB) holdLock(claim func(context.Context) error) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick.Every(ctx, lockBeat, func() {
			if err := claim(ctx); err != nil && ctx.Err() == nil {
				s.logger.Warn("clickhouse migration: renew the lock", "err", err)
			}
		})
	}()
	return func() {
		cancel()
		<-done
	}
}
