package detect

import (
	"time"
)

// Cube holds hourly counts over a range of hours: the same numbers as
// the pain_hourly (negative records per pain point, product and channel)
// and feedback_hourly (records, complaints, sentiment sum per product and
// channel) tables. Add the rows, then take Snapshots; adding after a
// snapshot is allowed (the sums are rebuilt). Hours outside the range are
// ignored. A Cube is not safe for concurrent use.
type Cube struct {
	start time.Time
	hours int           // buckets
	step  time.Duration // bucket length: an hour, or a day (NewDailyCube)
	// loc is the zone of a daily cube's days (nil for an hourly cube):
	// its buckets are calendar days there, 23 or 25 hours long on a
	// change of daylight saving time.
	loc *time.Location

	pains  map[PainKey][]uint32
	scopes map[ScopeKey]*scopeHours

	dirty  bool
	pPains map[PainKey][]uint64
	pScope map[ScopeKey]*scopePrefix
}

type scopeHours struct {
	records, complaints []uint32
	sentiment           []float64
}

type scopePrefix struct {
	records, complaints, hours []uint64
	sentiment, sentSq          []float64
}

// NewCube returns an empty cube for the hours from start (rounded down to
// the hour) to end (rounded up).
func NewCube(start, end time.Time) *Cube {
	s := start.UTC().Truncate(time.Hour)
	e := end.UTC()
	if t := e.Truncate(time.Hour); t.Before(e) {
		e = t.Add(time.Hour)
	}
	n := max(int(e.Sub(s)/time.Hour), 0)
	return &Cube{start: s, hours: n, step: time.Hour, pains: map[PainKey][]uint32{}, scopes: map[ScopeKey]*scopeHours{}}
}

// NewDailyCube returns an empty cube of the calendar days in loc (nil:
// UTC) from the day of start to the end of the day of end (exclusive when
// end is a day start): the counts of a day add up in one bucket, so that
// snapshots must bound their periods on day starts in loc (DayBounds,
// Config.Changes). Its sentiment spread is over days instead of hours.
func NewDailyCube(start, end time.Time, loc *time.Location) *Cube {
	if loc == nil {
		loc = time.UTC
	}
	s := dayStart(start, loc)
	e := dayStart(end, loc)
	if e.Before(end) {
		e = e.AddDate(0, 0, 1)
	}
	n := max(int(civilDay(e)-civilDay(s)), 0)
	return &Cube{start: s, hours: n, step: 24 * time.Hour, loc: loc, pains: map[PainKey][]uint32{}, scopes: map[ScopeKey]*scopeHours{}}
}

// dayStart is the start of t's day in loc.
func dayStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// civilDay numbers the calendar day of t in t's location (days since
// 1970-01-01).
func civilDay(t time.Time) int64 {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// Zone is the zone of a daily cube's days (UTC for an hourly cube).
func (c *Cube) Zone() *time.Location {
	if c.loc == nil {
		return time.UTC
	}
	return c.loc
}

// back returns t moved back by d: whole calendar days in a daily cube
// (wholeDays), so that a baseline before a day starts on a day start.
func (c *Cube) back(t time.Time, d time.Duration) time.Time {
	if c.loc == nil {
		return t.Add(-d)
	}
	return t.In(c.loc).AddDate(0, 0, -wholeDays(d))
}

// wholeDays is d in days, rounded up.
func wholeDays(d time.Duration) int {
	return int((d + 24*time.Hour - 1) / (24 * time.Hour))
}

// DayBounds returns the bounds of the evaluation of the day that starts
// at day (a day start in the zone of the daily cube it reads): one window,
// the day, and the baseline and new-pain-point history of whole calendar
// days (the lookbacks rounded up to days) before it, in day's location.
func (c Config) DayBounds(day time.Time) Bounds {
	c = c.WithDefaults()
	next := day.AddDate(0, 0, 1)
	b := Bounds{At: next, Windows: []Window{{Len: next.Sub(day), From: day, To: next}}, BaseTo: day}
	b.BaseFrom = day.AddDate(0, 0, -wholeDays(c.Lookback))
	b.HistFrom = b.BaseFrom
	if !c.NewPainPoint.Disabled {
		b.HistFrom = day.AddDate(0, 0, -wholeDays(c.NewPainPoint.Lookback))
	}
	return b
}

// Start and End bound the cube's buckets.
func (c *Cube) Start() time.Time { return c.start }
func (c *Cube) End() time.Time {
	if c.loc != nil {
		return c.start.AddDate(0, 0, c.hours)
	}
	return c.start.Add(time.Duration(c.hours) * c.step)
}

func (c *Cube) hourIndex(t time.Time) (int, bool) {
	if t.Before(c.start) {
		return 0, false
	}
	var i int
	if c.loc != nil {
		i = int(civilDay(t.In(c.loc)) - civilDay(c.start))
	} else {
		i = int(t.UTC().Sub(c.start) / c.step)
	}
	return i, i < c.hours
}

// AddPain adds negative records of a pain point in the bucket of hour. A
// key without a category (an opinion about an aspect outside the
// taxonomy) is not a pain point and is ignored.
func (c *Cube) AddPain(hour time.Time, k PainKey, records uint64) {
	i, ok := c.hourIndex(hour)
	if !ok || records == 0 || k.Category == "" {
		return
	}
	v := c.pains[k]
	if v == nil {
		v = make([]uint32, c.hours)
		c.pains[k] = v
	}
	v[i] += uint32(records)
	c.dirty = true
}

// AddScope adds traffic of a product in a channel in the bucket of hour.
func (c *Cube) AddScope(hour time.Time, k ScopeKey, records, complaints uint64, sentimentSum float64) {
	i, ok := c.hourIndex(hour)
	if !ok || records == 0 {
		return
	}
	v := c.scopes[k]
	if v == nil {
		v = &scopeHours{records: make([]uint32, c.hours), complaints: make([]uint32, c.hours), sentiment: make([]float64, c.hours)}
		c.scopes[k] = v
	}
	v.records[i] += uint32(records)
	v.complaints[i] += uint32(complaints)
	v.sentiment[i] += sentimentSum
	c.dirty = true
}

func (c *Cube) prefix() {
	if !c.dirty && c.pPains != nil {
		return
	}
	c.pPains = make(map[PainKey][]uint64, len(c.pains))
	for k, v := range c.pains {
		p := make([]uint64, c.hours+1)
		for i, x := range v {
			p[i+1] = p[i] + uint64(x)
		}
		c.pPains[k] = p
	}
	c.pScope = make(map[ScopeKey]*scopePrefix, len(c.scopes))
	for k, v := range c.scopes {
		p := &scopePrefix{
			records: make([]uint64, c.hours+1), complaints: make([]uint64, c.hours+1), hours: make([]uint64, c.hours+1),
			sentiment: make([]float64, c.hours+1), sentSq: make([]float64, c.hours+1),
		}
		for i := range c.hours {
			n := v.records[i]
			p.records[i+1] = p.records[i] + uint64(n)
			p.complaints[i+1] = p.complaints[i] + uint64(v.complaints[i])
			p.sentiment[i+1] = p.sentiment[i] + v.sentiment[i]
			p.sentSq[i+1] = p.sentSq[i]
			p.hours[i+1] = p.hours[i]
			if n > 0 {
				p.sentSq[i+1] += v.sentiment[i] * v.sentiment[i] / float64(n)
				p.hours[i+1]++
			}
		}
		c.pScope[k] = p
	}
	c.dirty = false
}

// span returns the prefix indexes of the buckets h with from <= h < to.
func (c *Cube) span(from, to time.Time) (int, int) {
	idx := func(t time.Time) int {
		t = t.UTC()
		if !t.After(c.start) {
			return 0
		}
		if c.loc != nil {
			lt := t.In(c.loc)
			i := int(civilDay(lt) - civilDay(c.start))
			if !lt.Equal(dayStart(lt, c.loc)) {
				i++ // bucket i starts before t
			}
			return min(i, c.hours)
		}
		d := t.Sub(c.start)
		i := int(d / c.step)
		if d%c.step != 0 {
			i++ // bucket i starts before t
		}
		return min(i, c.hours)
	}
	a, b := idx(from), idx(to)
	if b < a {
		b = a
	}
	return a, b
}

// Snapshot returns the counts of an evaluation with bounds b.
func (c *Cube) Snapshot(b Bounds) *Snapshot {
	s := NewSnapshot(b)
	c.AddBaseline(s)
	c.AddCurrent(s)
	return s
}

// AddBaseline adds the cube's baseline and history counts to s.
func (c *Cube) AddBaseline(s *Snapshot) {
	c.prefix()
	b0, b1 := c.span(s.BaseFrom, s.BaseTo)
	h0, h1 := c.span(s.HistFrom, s.BaseTo)
	for k, p := range c.pPains {
		base, hist := p[b1]-p[b0], p[h1]-p[h0]
		if base == 0 && hist == 0 {
			continue
		}
		pc := s.Pain(k)
		pc.Base += base
		pc.Hist += hist
	}
	for k, p := range c.pScope {
		base, hist := p.records[b1]-p.records[b0], p.records[h1]-p.records[h0]
		if base == 0 && hist == 0 {
			continue
		}
		sc := s.Scope(k)
		sc.Base += base
		sc.Hist += hist
		sc.BaseComplaints += p.complaints[b1] - p.complaints[b0]
		sc.BaseSentiment += p.sentiment[b1] - p.sentiment[b0]
		sc.SentSq += p.sentSq[b1] - p.sentSq[b0]
		sc.SentHours += p.hours[b1] - p.hours[b0]
	}
}

// AddCurrent adds the cube's counts in each window of s to s.
func (c *Cube) AddCurrent(s *Snapshot) {
	c.prefix()
	type span struct{ a, b int }
	spans := make([]span, len(s.Windows))
	for i, w := range s.Windows {
		a, b := c.span(w.From, w.To)
		spans[i] = span{a, b}
	}
	for k, p := range c.pPains {
		var pc *PainCounts
		for i, sp := range spans {
			if v := p[sp.b] - p[sp.a]; v > 0 {
				if pc == nil {
					pc = s.Pain(k)
				}
				pc.Cur[i] += v
			}
		}
	}
	for k, p := range c.pScope {
		var sc *ScopeCounts
		for i, sp := range spans {
			if v := p.records[sp.b] - p.records[sp.a]; v > 0 {
				if sc == nil {
					sc = s.Scope(k)
				}
				sc.Cur[i] += v
				sc.CurComplaints[i] += p.complaints[sp.b] - p.complaints[sp.a]
				sc.CurSentiment[i] += p.sentiment[sp.b] - p.sentiment[sp.a]
			}
		}
	}
}
