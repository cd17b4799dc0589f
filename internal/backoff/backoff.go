// Package backoff is voc's one retry wait: the waits between the attempts
// of a retry loop, starting at an initial wait and doubling up to a cap,
// each optionally spread by random jitter so that many clients retrying
// the same server do not retry in step. Every retry loop of voc uses it,
// with ±20% jitter: the pipeline runner's sink writes, the Kafka source's
// fetches, the start-up waits of `voc run` for ClickHouse and the
// dead-letter topic, and alert delivery.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff yields the waits of one retry loop. The zero value waits 0
// every time; set Initial and Max. It is not safe for concurrent use: each
// loop has its own.
type Backoff struct {
	// Initial is the first wait.
	Initial time.Duration
	// Max caps every wait: the doubling stops at it, and a jittered wait
	// never exceeds it.
	Max time.Duration
	// Jitter spreads each wait by a random factor within ±Jitter (0.2 is
	// ±20%). Default 0: the waits are exact.
	Jitter float64

	next     time.Duration
	attempts int
}

// Next returns the wait before the next attempt: Initial, then twice the
// previous wait up to Max, spread by Jitter.
func (b *Backoff) Next() time.Duration {
	if b.attempts == 0 {
		b.next = b.Initial
	}
	b.attempts++
	d := b.next
	b.next = min(2*b.next, b.Max)
	if b.Jitter > 0 {
		d = min(time.Duration(float64(d)*(1-b.Jitter+2*b.Jitter*rand.Float64())), b.Max)
	}
	return d
}

// Attempts is the number of waits Next returned since the start or the last
// Reset: the failed attempts of the loop.
func (b *Backoff) Attempts() int { return b.attempts }

// Reset starts the waits again from Initial, after a success.
func (b *Backoff) Reset() { b.next, b.attempts = 0, 0 }

// Sleep waits d, or until ctx is done, and then returns ctx.Err().
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
