package query

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/vocproject/voc/store/ch"
)

// Summary queries (voc demo's summary, the alert service's pain rows).
// They read the hourly aggregate tables, summing at query time: they hold
// one row per Kafka partition, hour and dimensions (read with FINAL, their
// conditions on the key in PREWHERE: see ch.Filter). Time ranges are
// half-open, [from, to), at hour granularity, in the server's time zone.

// Conditions on rows of aspect_mentions and pain_hourly. Both tables hold
// every kind of customer aspect row (nlp.Aspect): opinions about aspects
// of the taxonomy, topic mentions (category set, subcategory "",
// polarity neutral) and open opinions about aspects the taxonomy does not
// know (category ""). A pain point is a negative opinion of a mapped
// category, a praise point a positive one; the topic volume of a category
// is all its rows (TopicRows).
const (
	PainRows   = "polarity = 'negative' AND category != ''"
	PraiseRows = "polarity = 'positive' AND category != ''"
	TopicRows  = "category != ''"
	// UnmappedRows are the open opinions (emerging aspects).
	UnmappedRows = "category = '' AND aspect != ''"
)

// PainCount is a pain point (or praise point) with its counts.
type PainCount struct {
	Category    string
	Subcategory string
	Mentions    uint64
	Records     uint64
	// AvgSentiment is the mean sentiment of the records with it.
	AvgSentiment float64
}

// Key returns "category/subcategory".
func (p PainCount) Key() string { return p.Category + "/" + p.Subcategory }

func (s *Store) painCounts(ctx context.Context, op, extraWhere string, args []any, limit int) ([]PainCount, error) {
	q := `SELECT category, subcategory, sum(mentions) AS m, sum(records) AS r, sum(sentiment_sum) AS ss
FROM ` + s.table(ch.TablePainHourly) + `
PREWHERE ` + PainRows + ` AND hour >= ? AND hour < ?` + extraWhere + `
GROUP BY category, subcategory
ORDER BY m DESC, category, subcategory`
	if limit > 0 {
		q += fmt.Sprintf("\nLIMIT %d", limit)
	}
	return queryRows(ctx, s, op, q, args, nil, func(r ch.Row) (PainCount, error) {
		var p PainCount
		if err := scanMean(r, &p.AvgSentiment, &p.Records, &p.Category, &p.Subcategory, &p.Mentions, &p.Records); err != nil {
			return p, err
		}
		return p, nil
	})
}

func hourRange(from, to time.Time) (time.Time, time.Time) {
	return from.UTC().Truncate(time.Hour), to.UTC()
}

// TopPainPoints returns the most mentioned pain points in [from, to),
// at most limit (0: all).
func (s *Store) TopPainPoints(ctx context.Context, from, to time.Time, limit int) ([]PainCount, error) {
	f, t := hourRange(from, to)
	return s.painCounts(ctx, "top pain points", "", []any{f, t}, limit)
}

// PainPointsOfProduct returns the pain points of one product in [from, to),
// most mentioned first.
func (s *Store) PainPointsOfProduct(ctx context.Context, product string, from, to time.Time) ([]PainCount, error) {
	f, t := hourRange(from, to)
	return s.painCounts(ctx, "pain points of product", " AND product = ?", []any{f, t, product}, 0)
}

// PainTrend compares a pain point's mentions in two equal periods.
type PainTrend struct {
	Category    string
	Subcategory string
	Current     uint64
	Previous    uint64
	// Growth is (Current+1)/(Previous+1): smoothed so that new pain points
	// rank by their size.
	Growth float64
}

// RisingPainPoints compares [from, to) with the period of the same length
// before it and returns the pain points whose mentions grew, largest
// absolute growth first, at most limit (0: all).
func (s *Store) RisingPainPoints(ctx context.Context, from, to time.Time, limit int) ([]PainTrend, error) {
	f, t := hourRange(from, to)
	prev := f.Add(-t.Sub(f))
	q := `SELECT category, subcategory,
    sum(if(hour >= ?, mentions, 0)) AS cur,
    sum(if(hour < ?, mentions, 0)) AS prev
FROM ` + s.table(ch.TablePainHourly) + `
PREWHERE ` + PainRows + ` AND hour >= ? AND hour < ?
GROUP BY category, subcategory
HAVING cur > prev
ORDER BY cur - prev DESC, category, subcategory`
	if limit > 0 {
		q += fmt.Sprintf("\nLIMIT %d", limit)
	}
	return queryRows(ctx, s, "rising pain points", q, []any{f, f, prev, t}, nil, func(r ch.Row) (PainTrend, error) {
		var p PainTrend
		if err := r.Scan(&p.Category, &p.Subcategory, &p.Current, &p.Previous); err != nil {
			return p, err
		}
		p.Growth = float64(p.Current+1) / float64(p.Previous+1)
		return p, nil
	})
}

// ChannelSentiment summarises one channel.
type ChannelSentiment struct {
	Channel       string
	Records       uint64
	Negative      uint64
	Escalations   uint64
	AvgSentiment  float64
	NegativeShare float64
}

// SentimentByChannel returns per-channel sentiment in [from, to), by
// channel name.
func (s *Store) SentimentByChannel(ctx context.Context, from, to time.Time) ([]ChannelSentiment, error) {
	f, t := hourRange(from, to)
	q := `SELECT channel, sum(records) AS r, sum(negative) AS n, sum(escalations) AS e, sum(sentiment_sum) AS ss
FROM ` + s.table(ch.TableFeedbackHourly) + `
PREWHERE hour >= ? AND hour < ?
GROUP BY channel
ORDER BY channel`
	return queryRows(ctx, s, "sentiment by channel", q, []any{f, t}, nil, func(r ch.Row) (ChannelSentiment, error) {
		var c ChannelSentiment
		if err := scanMean(r, &c.AvgSentiment, &c.Records, &c.Channel, &c.Records, &c.Negative, &c.Escalations); err != nil {
			return c, err
		}
		c.NegativeShare = ratio(float64(c.Negative), float64(c.Records))
		return c, nil
	})
}

// ComplaintShare is the share of complaints (intent 投诉 or negative
// sentiment) made by VIP customers.
type ComplaintShare struct {
	Complaints    uint64
	VIPComplaints uint64
	Records       uint64
	VIPRecords    uint64
	// Share is VIPComplaints/Complaints; VIPRecordShare is
	// VIPRecords/Records, the baseline to compare it with.
	Share          float64
	VIPRecordShare float64
}

// VIPComplaintShare returns the share of complaints in [from, to) that
// come from customers of tier vip.
func (s *Store) VIPComplaintShare(ctx context.Context, from, to time.Time) (ComplaintShare, error) {
	f, t := hourRange(from, to)
	q := `SELECT sum(complaints), sum(if(customer_tier = 'vip', complaints, 0)), sum(records), sum(if(customer_tier = 'vip', records, 0))
FROM ` + s.table(ch.TableFeedbackHourly) + `
PREWHERE hour >= ? AND hour < ?`
	var c ComplaintShare
	if err := s.conn.QueryRow(ctx, q, f, t).Scan(&c.Complaints, &c.VIPComplaints, &c.Records, &c.VIPRecords); err != nil {
		return c, fmt.Errorf("clickhouse: vip complaint share: %w", err)
	}
	if c.Complaints > 0 {
		c.Share = float64(c.VIPComplaints) / float64(c.Complaints)
	}
	if c.Records > 0 {
		c.VIPRecordShare = float64(c.VIPRecords) / float64(c.Records)
	}
	return c, nil
}

// Spike is a day on which a (pain point, product) pair was mentioned far
// more than on the other days of the range.
type Spike struct {
	Day         time.Time
	Category    string
	Subcategory string
	Product     string
	Count       uint64
	// Mean and StdDev are over the other days of the range (days without
	// mentions count as 0); Z is (Count-Mean)/StdDev, +Inf when StdDev is 0.
	Mean   float64
	StdDev float64
	Z      float64
}

// Spike thresholds: a day is a spike when its count is at least
// SpikeMinCount, at least SpikeMinRatio times the mean of the other days
// and at least SpikeMinZ standard deviations above it.
const (
	SpikeMinCount = 5
	SpikeMinRatio = 2.0
	SpikeMinZ     = 3.0
)

// Spikes finds spike days in [from, to) over daily negative mention counts
// per (pain point, product), biggest Z first. The range should span at
// least a week for the baseline to mean anything.
func (s *Store) Spikes(ctx context.Context, from, to time.Time) ([]Spike, error) {
	f := from.UTC().Truncate(24 * time.Hour)
	t := to.UTC()
	if !t.After(f) {
		return nil, fmt.Errorf("clickhouse: spikes: empty range %s - %s", from, to)
	}
	days := int(math.Ceil(t.Sub(f).Hours() / 24))
	q := `SELECT toDate(hour) AS day, category, subcategory, product, sum(mentions) AS m
FROM ` + s.table(ch.TablePainHourly) + `
PREWHERE ` + PainRows + ` AND hour >= ? AND hour < ?
GROUP BY day, category, subcategory, product`
	type key struct{ cat, sub, product string }
	series := map[key][]uint64{}
	err := s.query(ctx, "spikes", q, []any{f, t}, func(r ch.Row) error {
		var day time.Time
		var k key
		var m uint64
		if err := r.Scan(&day, &k.cat, &k.sub, &k.product, &m); err != nil {
			return err
		}
		i := int(day.Sub(f).Hours() / 24)
		if i < 0 || i >= days {
			return nil
		}
		if series[k] == nil {
			series[k] = make([]uint64, days)
		}
		series[k][i] += m
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []Spike
	for k, counts := range series {
		var total float64
		for _, c := range counts {
			total += float64(c)
		}
		for i, c := range counts {
			if c < SpikeMinCount || days < 2 {
				continue
			}
			// Baseline: the other days.
			n := float64(days - 1)
			mean := (total - float64(c)) / n
			var varsum float64
			for j, o := range counts {
				if j != i {
					d := float64(o) - mean
					varsum += d * d
				}
			}
			sd := math.Sqrt(varsum / n)
			z := math.Inf(1)
			if sd > 0 {
				z = (float64(c) - mean) / sd
			}
			if float64(c) < SpikeMinRatio*mean || z < SpikeMinZ {
				continue
			}
			out = append(out, Spike{Day: f.AddDate(0, 0, i), Category: k.cat, Subcategory: k.sub, Product: k.product,
				Count: c, Mean: mean, StdDev: sd, Z: z})
		}
	}
	slices.SortFunc(out, func(a, b Spike) int {
		switch {
		case a.Z != b.Z:
			if a.Z > b.Z {
				return -1
			}
			return 1
		case a.Count != b.Count:
			if a.Count > b.Count {
				return -1
			}
			return 1
		case !a.Day.Equal(b.Day):
			return a.Day.Compare(b.Day)
		}
		return 0
	})
	return out, nil
}

// ExamplesSQL is examples.sql: queries for product and R&D teams over the
// database "voc", each statement ending with ";" at the end of a line.
//
//go:embed examples.sql
var ExamplesSQL string
