package detect

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Change is what changed in one series over a period of days: the day
// on which the detector's finding departed most from the baseline (the
// same test as an alert's, on a one-day window against the Lookback
// before that day), with the numbers that say it in plain words.
type Change struct {
	Finding
	// Excess is the impact the changes are ranked by: records above the
	// baseline's expectation on that day (Observed - Expected; all of
	// Observed for a new pain point); for a sentiment drop, the fall of
	// the mean times the day's records over 2, as many records as would
	// have turned from fully positive to fully negative.
	Excess float64
	// Usual is the series' baseline per day: records a day over the days
	// of the baseline with traffic in its scope (0 for a new pain point),
	// or the baseline's mean sentiment for a sentiment drop.
	Usual float64
	// Days are the series per day of the period: records (with the pain
	// point, or complaints), or mean sentiment (0 on a day without
	// records) for a sentiment drop.
	Days []float64
}

// ChangesWindow is the window of Changes: one day (23 or 25 hours on a
// change of daylight saving time).
const ChangesWindow = 24 * time.Hour

// Changes evaluates the detector at the end of every day of [from, to)
// (calendar days in the zone of c) over c with a one-day window against
// the whole days of cfg.Lookback before it (Config.DayBounds), and returns what
// changed, most excess first: for each series its strongest day (by
// Excess), leaving out a series that overlaps one already listed
// (Absorbs, either way) unless it is more specific and accounts for two
// thirds or more of that one's excess, in which case it takes its place.
// So a surge of one pain point for one product is listed once, as that
// product's, and not again as the pain point's across products, one
// channel's or the product's complaints. c must be a daily cube
// (NewDailyCube) holding the cfg.Lookback (and the new-pain-point
// lookback) before from for the baselines to be complete; cfg's Windows
// are ignored. At most limit changes are returned (0: all); only those get
// their Usual and Days.
func (cfg Config) Changes(c *Cube, from, to time.Time, limit int) []Change {
	cfg = cfg.WithDefaults()
	cfg.Windows = []time.Duration{ChangesWindow}
	from = dayStart(from, c.Zone())
	best := map[string]Change{}
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		snap := c.Snapshot(cfg.DayBounds(d))
		for _, f := range cfg.Detect(snap) {
			ch := Change{Finding: f, Excess: excess(f)}
			if b, ok := best[f.Series.Key()]; !ok || ch.Excess > b.Excess {
				best[f.Series.Key()] = ch
			}
		}
	}
	all := make([]Change, 0, len(best))
	for _, ch := range best {
		all = append(all, ch)
	}
	sortChanges(all)
	var out []Change
	for _, ch := range all {
		i := slices.IndexFunc(out, func(k Change) bool { return overlaps(k.Series, ch.Series) })
		switch {
		case i < 0:
			out = append(out, ch)
		case specificity(ch.Series) > specificity(out[i].Series) && 3*ch.Excess >= 2*out[i].Excess && ch.Kind != KindSentimentDrop:
			out[i] = ch
		}
	}
	// A replacement may have made two kept changes overlap: keep the first.
	var kept []Change
	for _, ch := range out {
		if !slices.ContainsFunc(kept, func(k Change) bool { return overlaps(k.Series, ch.Series) }) {
			kept = append(kept, ch)
		}
	}
	sortChanges(kept)
	if limit > 0 && len(kept) > limit {
		kept = kept[:limit]
	}
	for i := range kept {
		kept[i].Usual, kept[i].Days = c.usualAndDays(&kept[i], from, to, cfg.Lookback)
	}
	return kept
}

// overlaps reports whether a and b count the same records (Absorbs, either
// way).
func overlaps(a, b Series) bool { return Absorbs(a, b) || Absorbs(b, a) }

func sortChanges(cs []Change) {
	slices.SortFunc(cs, func(a, b Change) int {
		if a.Excess != b.Excess {
			return cmp.Compare(b.Excess, a.Excess)
		}
		return cmp.Compare(a.Series.Key(), b.Series.Key())
	})
}

// excess is a finding's impact in records (see Change.Excess).
func excess(f Finding) float64 {
	if f.Kind == KindSentimentDrop {
		return (f.Expected - f.Observed) * float64(f.Records) / 2
	}
	return f.Observed - f.Expected
}

// specificity is the number of dimensions a series names.
func specificity(s Series) int {
	n := 0
	for _, v := range []string{s.Pain(), s.Product, s.Channel} {
		if v != "" {
			n++
		}
	}
	return n
}

// usualAndDays returns ch's Usual and Days over the buckets of c.
func (c *Cube) usualAndDays(ch *Change, from, to time.Time, lookback time.Duration) (float64, []float64) {
	sr := ch.Series
	vals := make([]float64, c.hours)
	traffic := make([]float64, c.hours)
	sentiment := ch.Kind == KindSentimentDrop
	within := func(p, ch string) bool { return p == "" || p == ch }
	for k, v := range c.scopes {
		if !within(sr.Product, k.Product) || !within(sr.Channel, k.Channel) {
			continue
		}
		for i := range c.hours {
			traffic[i] += float64(v.records[i])
			switch {
			case sentiment:
				vals[i] += v.sentiment[i]
			case sr.Pain() == "":
				vals[i] += float64(v.complaints[i])
			}
		}
	}
	if sr.Pain() != "" {
		for k, v := range c.pains {
			if k.Category != sr.Category || k.Subcategory != sr.Subcategory || !within(sr.Product, k.Product) || !within(sr.Channel, k.Channel) {
				continue
			}
			for i, x := range v {
				vals[i] += float64(x)
			}
		}
	}
	a, b := c.span(from, to)
	days := make([]float64, b-a)
	for i := range days {
		days[i] = vals[a+i]
		if sentiment {
			days[i] = 0
			if traffic[a+i] > 0 {
				days[i] = math.Round(vals[a+i]/traffic[a+i]*1000) / 1000
			}
		}
	}
	if sentiment {
		return ch.Expected, days
	}
	// The baseline of the change's day, over its days with traffic.
	b0, b1 := c.span(c.back(ch.Window.From, lookback), ch.Window.From)
	var sum, n float64
	for i := b0; i < b1; i++ {
		if traffic[i] > 0 {
			sum += vals[i]
			n++
		}
	}
	if n == 0 || ch.Kind == KindNewPainPoint {
		return 0, days
	}
	return sum / n, days
}

// PainBuckets returns the records of the pain point category/subcategory
// (all products and channels) per bucket of [from, to), which must start
// and end on buckets of c.
func (c *Cube) PainBuckets(category, subcategory string, from, to time.Time) []uint64 {
	a, b := c.span(from, to)
	out := make([]uint64, b-a)
	for k, v := range c.pains {
		if k.Category != category || k.Subcategory != subcategory {
			continue
		}
		for i := range out {
			out[i] += uint64(v[a+i])
		}
	}
	return out
}

// PainTotals returns each finest pain series' records over the buckets
// of [from, to) (those with any).
func (c *Cube) PainTotals(from, to time.Time) map[PainKey]uint64 {
	a, b := c.span(from, to)
	out := map[PainKey]uint64{}
	for k, v := range c.pains {
		var n uint64
		for _, x := range v[a:b] {
			n += uint64(x)
		}
		if n > 0 {
			out[k] = n
		}
	}
	return out
}

// ActiveBuckets returns the number of buckets of [from, to) with any
// traffic.
func (c *Cube) ActiveBuckets(from, to time.Time) int {
	a, b := c.span(from, to)
	n := 0
	for i := a; i < b; i++ {
		for _, v := range c.scopes {
			if v.records[i] > 0 {
				n++
				break
			}
		}
	}
	return n
}
