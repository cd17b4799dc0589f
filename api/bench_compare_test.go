package api

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vocproject/voc/store/ch"
	"github.com/vocproject/voc/store/ch/query"
)

// compareFirstScreen times the dashboard's first screen (the default
// range) as the handler computes it and as it was computed before,
// alternating on the same data in the same run, rounds times each: before,
// the facets (filter values and the data's range in one query over
// feedback_hourly, the pain points over pain_hourly) were read first and
// the rest after them, and the overview's sparklines were queried after
// its pain point comparison. The current one is timed with the filter
// values cached (as a reload within a minute finds them) and without, and
// as the page inlines it (without topic volume and emerging aspects).
func compareFirstScreen(b *testing.B, h *Handler, db *ch.DB, rounds int) {
	ctx := context.Background()
	f := query.Filter{Zone: h.cfg.Zone}
	now := h.cfg.Now()
	run := func(name string, fn func() error) func() time.Duration {
		return func() time.Duration {
			t0 := time.Now()
			if err := fn(); err != nil {
				b.Fatalf("%s: %v", name, err)
			}
			return time.Since(t0)
		}
	}
	kinds := []struct {
		name string
		fn   func() time.Duration
	}{
		{"before", run("before", func() error { return firstScreenBefore(ctx, h, db, f, now) })},
		{"after, filter values read", run("after", func() error {
			h.facetCache.val = nil
			_, err := h.firstScreen(ctx, f, true, overviewLimit, now, true)
			return err
		})},
		{"after, filter values kept", run("after", func() error {
			_, err := h.firstScreen(ctx, f, true, overviewLimit, now, true)
			return err
		})},
		{"the page's, without topics and emerging aspects", run("page", func() error {
			_, err := h.firstScreen(ctx, f, true, overviewLimit, now, false)
			return err
		})},
	}
	times := make([][]time.Duration, len(kinds))
	for range rounds {
		for i, k := range kinds {
			times[i] = append(times[i], k.fn())
		}
	}
	median := func(ds []time.Duration) time.Duration {
		ds = slices.Clone(ds)
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	m0 := median(times[0])
	var line []string
	for i, k := range kinds {
		m := median(times[i])
		line = append(line, fmt.Sprintf("%s %s (%.2f)", k.name, m.Round(time.Millisecond), float64(m)/float64(m0)))
		b.ReportMetric(float64(m.Microseconds())/1000, fmt.Sprintf("first-screen-%d-median-ms", i))
	}
	b.Logf("first screen in process, median of %d alternating calls (ratio to before): %s", rounds, strings.Join(line, "; "))
}

// firstScreenBefore is the first screen as the handler computed it before
// (see compareFirstScreen), its results dropped.
func firstScreenBefore(ctx context.Context, h *Handler, db *ch.DB, f query.Filter, now time.Time) error {
	var (
		products, channels, tiers, pains []string
		first, last                      time.Time
		n                                uint64
	)
	q := "SELECT groupUniqArray(product), groupUniqArray(channel), groupUniqArray(customer_tier), min(hour), max(hour), sum(records) FROM " + db.Table(ch.TableFeedbackHourly)
	if err := db.Conn().QueryRow(ctx, q).Scan(&products, &channels, &tiers, &first, &last, &n); err != nil {
		return err
	}
	q = "SELECT groupUniqArray(concat(category, '/', subcategory)) FROM " + db.Table(ch.TablePainHourly) + " WHERE " + query.PainRows
	if err := db.Conn().QueryRow(ctx, q).Scan(&pains); err != nil {
		return err
	}
	f.From, f.To = query.DefaultRange(time.Time{}, time.Time{}, last.Add(time.Hour), now, f.Zone)
	var wg sync.WaitGroup
	var errs [4]error
	wg.Go(func() { _, errs[0] = h.cfg.CH.Changes(ctx, f, changesLimit) })
	wg.Go(func() { _, _, errs[1] = h.overviewOf(ctx, f, overviewLimit, nil) })
	wg.Go(func() { _, errs[2] = h.cfg.CH.Topics(ctx, f, topicsLimit) })
	wg.Go(func() { _, errs[3] = h.cfg.CH.UnmappedAspects(ctx, f, 1, unmappedLimit) })
	wg.Wait()
	return errors.Join(errs[:]...)
}
