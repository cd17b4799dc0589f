// Package tick runs periodic work: a function called every interval until
// a context is done. The lexicon directory watch of `voc run` and the
// Kafka source's offset commits use it.
package tick

import (
	"context"
	"time"
)

// Every calls f every d, the first time d after the call, until ctx is
// done; it returns when ctx is done and f is not running. A call of f that
// takes longer than d is followed at once by the next one (one tick is
// kept, the others are dropped, as by time.Ticker). d must be positive.
func Every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		f()
	}
}
