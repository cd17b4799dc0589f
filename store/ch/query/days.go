package query

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vocproject/voc/alerts/detect"
	"github.com/vocproject/voc/store/ch"
)

// Daily sums: what Changes reads (f's traffic per day, product and
// channel; its pain points per day, product and channel) is enough to
// compute the overview of a range of whole days as well, so that the
// dashboard's first screen reads the hourly tables once instead of once
// per panel.

// DaySums are the daily sums of a filter's records and pain points over
// whole days of its zone, from the hourly tables (the raw ones with a
// customer tier), within its product, channel and tier.
type DaySums struct {
	f       Filter    // whole days
	start   time.Time // the first day read
	traffic []trafficDay
	pain    []painDay
}

// trafficDay is the sums of f's records on one day of one product and
// channel.
type trafficDay struct {
	day                                        time.Time
	product, channel                           string
	records, negative, complaints, escalations uint64
	ss                                         float64
}

// painDay is the sums of the records with a pain point on one day of one
// product and channel.
type painDay struct {
	day                   time.Time
	category, subcategory string
	product, channel      string
	records               uint64
	ss                    float64
}

// WholeDays reports whether the overview of f can be computed from daily
// sums (DaySums.Overview): its range is whole days of its zone, as is the
// period of the same length before it, and it selects records by neither
// pain point nor mentions (the overview then counts the records with them,
// not every record of the scope).
func WholeDays(f Filter) bool {
	loc := f.zone()
	prev := f.From.Add(-f.To.Sub(f.From))
	return f.Category == "" && f.Mentions.IsZero() && f.From.Before(f.To) &&
		StartOfDay(f.From, loc).Equal(f.From) && StartOfDay(f.To, loc).Equal(f.To) && StartOfDay(prev, loc).Equal(prev)
}

// DaySums reads the daily sums of f over its range and the period of the
// same length before it (see WholeDays).
func (s *Store) DaySums(ctx context.Context, f Filter) (*DaySums, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return s.daySums(ctx, f, f.From.Add(-f.To.Sub(f.From)), f.To, nil)
}

// daySums reads the daily sums of f over [from, to) (from and to starts
// of days in f's zone) and adds them to the cube c (nil: none).
func (s *Store) daySums(ctx context.Context, f Filter, from, to time.Time, c *detect.Cube) (*DaySums, error) {
	d := &DaySums{f: f, start: from} // f as given: Overview checks it
	f.Mentions = MentionFilter{}
	loc := f.zone()
	var wg sync.WaitGroup
	var errs [2]error
	var mu sync.Mutex // the cube is not safe for concurrent use
	wg.Go(func() {
		src := s.painSource(f)
		where, args := src.conds(f, from, to, true)
		q := `SELECT toDate(` + src.time + `, ` + zoneSQL(loc) + `) AS day, category, subcategory, product, channel, sum(` + src.m["records"] + `), sum(` + src.m["ss"] + `)
FROM ` + src.table + `
` + src.clause + ` ` + where + ` AND ` + PainRows + `
GROUP BY day, category, subcategory, product, channel`
		errs[0] = s.query(ctx, "daily sums: pain points", q, args, func(r ch.Row) error {
			var p painDay
			if err := r.Scan(&p.day, &p.category, &p.subcategory, &p.product, &p.channel, &p.records, &p.ss); err != nil {
				return err
			}
			p.day = dayOf(p.day, loc)
			d.pain = append(d.pain, p)
			if c != nil {
				mu.Lock()
				c.AddPain(p.day, detect.PainKey{Category: p.category, Subcategory: p.subcategory, Product: p.product, Channel: p.channel}, p.records)
				mu.Unlock()
			}
			return nil
		})
	})
	wg.Go(func() {
		tf := f
		tf.Category, tf.Subcategory = "", ""
		src := s.feedbackSource(tf)
		where, args := src.conds(tf, from, to, false)
		q := `SELECT toDate(` + src.time + `, ` + zoneSQL(loc) + `) AS day, product, channel, sum(` + src.m["records"] + `), sum(` + src.m["negative"] + `), sum(` + src.m["complaints"] + `), sum(` + src.m["escalations"] + `), sum(` + src.m["ss"] + `)
FROM ` + src.table + `
` + src.clause + ` ` + where + `
GROUP BY day, product, channel`
		errs[1] = s.query(ctx, "daily sums: traffic", q, args, func(r ch.Row) error {
			var t trafficDay
			if err := r.Scan(&t.day, &t.product, &t.channel, &t.records, &t.negative, &t.complaints, &t.escalations, &t.ss); err != nil {
				return err
			}
			t.day = dayOf(t.day, loc)
			d.traffic = append(d.traffic, t)
			if c != nil {
				mu.Lock()
				c.AddScope(t.day, detect.ScopeKey{Product: t.product, Channel: t.channel}, t.records, t.complaints, t.ss)
				mu.Unlock()
			}
			return nil
		})
	})
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	// In a fixed order, so that the sums of sentiment, added in Go, do not
	// depend on the order the rows arrived in (the pain rows, tens of
	// thousands, are ordered where their sentiment is added: Overview).
	slices.SortFunc(d.traffic, func(a, b trafficDay) int {
		return cmp.Or(a.day.Compare(b.day), strings.Compare(a.product, b.product), strings.Compare(a.channel, b.channel))
	})
	return d, nil
}

// PeriodOverview is the overview of a range: its totals and those of the
// period of the same length before it, its daily series and its pain
// points against that period.
type PeriodOverview struct {
	Current, Previous Totals
	// Daily holds the days with records, as Trend by day.
	Daily []TrendPoint
	// Pains are as PainPointChanges.
	Pains *PainChanges
}

// Overview computes the overview of the filter's range from the sums:
// the totals SentimentBy's groups add up to, Trend by day and
// PainPointChanges, with the same counts; false when the sums cannot give
// them (see WholeDays, or the previous period starts before the sums).
func (d *DaySums) Overview() (*PeriodOverview, bool) {
	if d == nil || !WholeDays(d.f) {
		return nil, false
	}
	f := d.f
	from, to := f.From, f.To
	prev := from.Add(-to.Sub(from))
	if prev.Before(d.start) {
		return nil, false
	}
	loc := f.zone()
	out := &PeriodOverview{Daily: []TrendPoint{}}
	var ssCur, ssPrev float64
	for _, t := range d.traffic {
		var tot *Totals
		var ss *float64
		switch {
		case t.day.Before(prev) || !t.day.Before(to):
			continue
		case t.day.Before(from):
			tot, ss = &out.Previous, &ssPrev
		default:
			tot, ss = &out.Current, &ssCur
			if n := len(out.Daily); n == 0 || !out.Daily[n-1].Time.Equal(t.day) {
				out.Daily = append(out.Daily, TrendPoint{Time: t.day.In(loc)})
			}
			p := &out.Daily[len(out.Daily)-1]
			p.Records += t.records
			p.Negative += t.negative
			p.AvgSentiment += t.ss // the sum until below
		}
		tot.Records += t.records
		tot.Negative += t.negative
		tot.Escalations += t.escalations
		tot.Complaints += t.complaints
		*ss += t.ss
	}
	for i := range out.Daily {
		p := &out.Daily[i]
		p.NegativeShare = ratio(float64(p.Negative), float64(p.Records))
		p.AvgSentiment = ratio(p.AvgSentiment, float64(p.Records))
	}
	for _, x := range []struct {
		t  *Totals
		ss float64
	}{{&out.Current, ssCur}, {&out.Previous, ssPrev}} {
		x.t.NegativeShare = ratio(float64(x.t.Negative), float64(x.t.Records))
		x.t.AvgSentiment = ratio(x.ss, float64(x.t.Records))
	}

	pc := &PainChanges{PrevFrom: prev.In(loc), Records: out.Current.Records, PreviousRecords: out.Previous.Records, Items: []PainChange{}}
	type sums struct {
		cur, prv uint64
		rows     []*painDay // of the range, whose sentiment is added
	}
	type key struct{ cat, sub string }
	byKey := map[key]*sums{}
	for i := range d.pain {
		p := &d.pain[i]
		if p.day.Before(prev) || !p.day.Before(to) {
			continue
		}
		k := key{p.category, p.subcategory}
		s := byKey[k]
		if s == nil {
			s = &sums{}
			byKey[k] = s
		}
		if p.day.Before(from) {
			s.prv += p.records
		} else {
			s.cur += p.records
			s.rows = append(s.rows, p)
		}
	}
	for k, s := range byKey {
		if s.cur+s.prv == 0 {
			continue
		}
		slices.SortFunc(s.rows, func(a, b *painDay) int {
			return cmp.Or(a.day.Compare(b.day), strings.Compare(a.product, b.product), strings.Compare(a.channel, b.channel))
		})
		var ss float64
		for _, p := range s.rows {
			ss += p.ss
		}
		pc.Items = append(pc.Items, PainChange{Category: k.cat, Subcategory: k.sub, Current: s.cur, Previous: s.prv,
			AvgSentiment: ratio(ss, float64(s.cur))})
	}
	slices.SortFunc(pc.Items, func(a, b PainChange) int {
		return cmp.Or(cmp.Compare(b.Current, a.Current), cmp.Compare(b.Previous, a.Previous),
			strings.Compare(a.Category, b.Category), strings.Compare(a.Subcategory, b.Subcategory))
	})
	pc.test()
	out.Pains = pc
	return out, true
}

// PainDays returns the records with the pain point key
// ("category/subcategory") per day of the filter's range, as PainTrends by
// day would count them; false when the sums do not cover the range.
func (d *DaySums) PainDays(key string) ([]uint64, bool) {
	cat, sub, ok := strings.Cut(key, "/")
	if d == nil || !ok || !WholeDays(d.f) || d.f.From.Before(d.start) {
		return nil, false
	}
	days := DaysOf(d.f.From, d.f.To, d.f.zone())
	out := make([]uint64, len(days))
	for _, p := range d.pain {
		if p.category != cat || p.subcategory != sub {
			continue
		}
		if i, found := slices.BinarySearchFunc(days, p.day, func(a, b time.Time) int { return a.Compare(b) }); found {
			out[i] += p.records
		}
	}
	return out, true
}
