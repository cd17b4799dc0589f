// Package parallel runs the lexicon tools' per-text work (analysing,
// segmenting, preparing a sample's texts) on a pool of goroutines.
package parallel

import (
	"context"
	"sync"
)

// Each calls fn(0..n-1) from workers goroutines (at least one) and returns
// ctx's error if ctx ends first; the calls already started finish before
// Each returns. fn writes its result to the i-th slot of a slice the caller
// owns, so the results keep the input's order.
func Each(ctx context.Context, n, workers int, fn func(i int)) error {
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(workers, 1) {
		wg.Go(func() {
			for i := range next {
				fn(i)
			}
		})
	}
	var err error
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	return err
}
