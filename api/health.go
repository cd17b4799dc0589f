package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// The database's health, checked before the queries of a request so that
// an unreachable or hung ClickHouse costs a request at most pingTimeout
// (not its QueryTimeout of empty waiting), and /healthz says so.

const (
	// pingTimeout bounds one check of the database.
	pingTimeout = 2 * time.Second
	// healthTTL is how long a successful check is trusted; failTTL how
	// long a failed one is answered from memory (the burst of a
	// dashboard's requests asks a down database once, a retry a second
	// later asks again).
	healthTTL = 5 * time.Second
	failTTL   = time.Second
)

// errUnavailable is the error of a request refused because the database
// does not answer.
var errUnavailable = errors.New("the database (ClickHouse) does not answer")

// health caches the last check of the database.
type health struct {
	mu  sync.Mutex
	at  time.Time
	err error
}

// dbCheck returns nil when ClickHouse answered a ping within healthTTL, or
// answers one now within pingTimeout; else an error wrapping
// errUnavailable. Concurrent callers share one ping.
func (h *Handler) dbCheck(ctx context.Context) error { return h.dbCheckAge(ctx, healthTTL) }

// dbCheckAge is dbCheck trusting a successful ping of at most maxAge.
func (h *Handler) dbCheckAge(ctx context.Context, maxAge time.Duration) error {
	h.health.mu.Lock()
	defer h.health.mu.Unlock()
	ttl := maxAge
	if h.health.err != nil {
		ttl = failTTL
	}
	if time.Since(h.health.at) < ttl {
		return h.health.err
	}
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	// The driver's dial and handshake wait their own timeouts (10 s), not
	// the context's: the check waits at most pingTimeout, and the ping
	// ends in the background (one at a time: the mutex is held).
	res := make(chan error, 1)
	go func() { res <- h.cfg.CH.Ping(pctx) }()
	var err error
	select {
	case err = <-res:
	case <-pctx.Done():
		err = pctx.Err()
	}
	if ctx.Err() != nil {
		return ctx.Err() // the client went away: nothing learnt
	}
	if err != nil {
		h.log.Warn("api: clickhouse does not answer", "err", err)
		err = fmt.Errorf("%w: %v", errUnavailable, err)
	}
	h.health.at, h.health.err = time.Now(), err
	return err
}

// watchAfter is how long a request's queries run before the database is
// checked again (guardDB).
const watchAfter = 2 * time.Second

// guardDB returns ctx cancelled with errUnavailable as its cause when the
// database stops answering while the request runs: every watchAfter its
// health is checked (a ping at most a second old), so that a database
// that hangs mid-request costs the request seconds, not its timeout. stop
// ends the watch.
func (h *Handler) guardDB(ctx context.Context) (_ context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		t := time.NewTimer(watchAfter)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if err := h.dbCheckAge(ctx, time.Second); errors.Is(err, errUnavailable) {
				cancel(err)
				return
			}
			t.Reset(watchAfter)
		}
	}()
	return ctx, func() { close(done); cancel(nil) }
}

// dbCause is err, or errUnavailable's error when that is why ctx ended.
func dbCause(ctx context.Context, err error) error {
	if c := context.Cause(ctx); err != nil && errors.Is(c, errUnavailable) {
		return c
	}
	return err
}

// healthz answers the probe: 200 "ok" when ClickHouse answers a ping now
// (within pingTimeout), else 503 "clickhouse unavailable" (nothing more:
// it needs no token).
func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := h.dbCheckAge(r.Context(), 0); err != nil {
		http.Error(w, "clickhouse unavailable", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ok")
}
