package clickhouse

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/store/ch"
)

// hourlyMismatch compares every hourly table, per hour and dimensions,
// with the aggregate of the deduplicated raw rows (FINAL) and describes
// the first difference, "" when they are equal.
func hourlyMismatch(t testing.TB, s *Sink) string {
	t.Helper()
	ctx := context.Background()
	for _, q := range []struct{ target, source, dims, sums, rawSel string }{
		{ch.TableFeedbackHourly, ch.TableFeedback, "hour, product, channel, kind, customer_tier",
			"sum(records), sum(negative), sum(complaints), sum(escalations), round(sum(sentiment_sum), 4)", ch.FeedbackHourlySelect},
		{ch.TablePainHourly, ch.TableMentions, "hour, category, subcategory, product, channel, polarity",
			"sum(mentions), sum(records), 0, 0, round(sum(sentiment_sum), 4)", ch.PainHourlySelect},
	} {
		agg := func(from string) map[string]string {
			out := map[string]string{}
			qs := fmt.Sprintf("SELECT toString(tuple(%s)), toString(tuple(%s)) FROM %s GROUP BY %s HAVING sum(%s) > 0",
				q.dims, q.sums, from, q.dims, map[bool]string{true: "records", false: "mentions"}[q.target == ch.TableFeedbackHourly])
			if err := ch.EachRow(ctx, s.conn, qs, nil, func(r ch.Row) error {
				var k, v string
				if err := r.Scan(&k, &v); err != nil {
					return err
				}
				out[k] = v
				return nil
			}); err != nil {
				t.Fatalf("%s: %v", qs, err)
			}
			return out
		}
		raw := agg("(" + fmt.Sprintf(q.rawSel, "(SELECT * FROM "+s.table(q.source)+" FINAL)") + ")")
		hourly := agg(s.db.Read(q.target))
		for k, v := range raw {
			if hourly[k] != v {
				return fmt.Sprintf("%s %s = %q, raw rows give %q", q.target, k, hourly[k], v)
			}
		}
		for k, v := range hourly {
			if _, ok := raw[k]; !ok {
				return fmt.Sprintf("%s %s = %q, no raw rows", q.target, k, v)
			}
		}
	}
	return ""
}

// TestTwoWritersOnePartition has two sinks write the same batches of one
// partition, the second starting 0, 5, 20 or 50 ms after the first (the
// old owner of a partition still flushing while the new one replays it
// during a rebalance), many rounds: every hourly aggregate must equal the
// aggregate of the deduplicated raw rows after every round.
func TestTwoWritersOnePartition(t *testing.T) {
	if testing.Short() {
		t.Skip("many rounds against ClickHouse")
	}
	ctx := context.Background()
	a := openTest(t)
	b, err := Open(ctx, a.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(ctx)
	const rounds, batches, size = 5, 4, 250
	var all []*pipeline.Record
	for _, delay := range []time.Duration{0, 5 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond} {
		for round := range rounds {
			topic := fmt.Sprintf("race-%d-%d", delay.Milliseconds(), round)
			var bs [][]*pipeline.Record
			for i := range batches {
				bs = append(bs, genBatch(topic, []int{round % 3}, int64(i*size), int64((i+1)*size)))
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for w, s := range []*Sink{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if w == 1 {
						time.Sleep(delay)
					}
					for _, batch := range bs {
						if err := s.WriteBatch(ctx, batch); err != nil {
							errs[w] = err
							return
						}
					}
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			// The hourly tables hold every topic so far: a mismatch stays.
			if msg := hourlyMismatch(t, a); msg != "" {
				t.Fatalf("delay %v round %d: %s", delay, round, msg)
			}
			for _, b := range bs {
				all = append(all, b...)
			}
		}
	}
	checkCounts(t, a, expected(all))
}
