// Package report builds the weekly voice-of-the-customer report (VOC周报)
// from ClickHouse, read through store/ch/query: volume and sentiment
// against the previous period, top and rising pain points, topic volume
// (what customers talk about, pain, praise and neutral), emerging aspects
// the taxonomy does not know yet, key drivers of rating / CSAT / NPS,
// sentiment by channel, representative verbatims and the period's alerts.
// It renders as self-contained HTML (inline SVG charts, no scripts, works
// offline) or as Markdown.
package report

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/vocproject/voc/store/ch/query"
)

// Options selects the period.
type Options struct {
	// From and To bound the period [From, To). DefaultRange fills them.
	From, To time.Time
	// Product, Channel and Tier (customer tier) narrow every section
	// (empty: all), as the dashboard's filters do.
	Product, Channel, Tier string
	// Zone cuts the report's days (the daily trend, what changed per day)
	// and is the zone of every date and time it prints; it must pass
	// query.CheckZone. Default UTC.
	Zone *time.Location
	// DashboardURL, when set, is the dashboard the report links back to
	// (its view of the same filters, and each key point's verbatims); the
	// API sets "./".
	DashboardURL string
	// TopN is the number of pain points listed (default 10).
	TopN int
	// Changes is the number of key points (本周要点) listed (default 5).
	Changes int
	// Verbatims is the number of verbatims per top pain point (default 3)
	// for the first VerbatimPains pain points (default 3).
	Verbatims, VerbatimPains int
	// Topics is the number of topics by volume (default 8), Emerging the
	// number of emerging aspects (default 8), listed when on at least
	// EmergingMinRecords records (default 2: one customer's words are not
	// a trend).
	Topics, Emerging, EmergingMinRecords int
}

// DefaultRange fills a missing bound for `voc report`: both missing is the
// last complete week (Monday to Monday, days in loc; nil: UTC) before now;
// one missing is 7 days from or to the other. /report takes the API's
// default range instead (query.DefaultRange: the last 14 days of data,
// like the dashboard).
func DefaultRange(from, to, now time.Time, loc *time.Location) (time.Time, time.Time) {
	if loc == nil {
		loc = time.UTC
	}
	switch {
	case from.IsZero() && to.IsZero():
		d := query.StartOfDay(now, loc)
		for d.Weekday() != time.Monday {
			d = d.AddDate(0, 0, -1)
		}
		return d.AddDate(0, 0, -7), d
	case to.IsZero():
		return from.In(loc), from.In(loc).AddDate(0, 0, 7)
	case from.IsZero():
		return to.In(loc).AddDate(0, 0, -7), to.In(loc)
	}
	return from.In(loc), to.In(loc)
}

// Totals are the headline numbers of a period.
type Totals = query.Totals

// PainVerbatims are representative verbatims of one pain point
// (query.Representative), with their mentions of it.
type PainVerbatims struct {
	Key   string
	Items []query.Verbatim
}

// Report is the content of one report.
type Report struct {
	From, To, PrevFrom time.Time
	Generated          time.Time
	// Product, Channel and Tier are the filters (empty: all).
	Product, Channel, Tier string
	// Zone names the zone of the report's days and times (IANA).
	Zone      string
	dashboard string
	// Changes are the key points (本周要点): what changed in the period,
	// most excess records first (query.Changes, the alert detector's test
	// per day).
	Changes           *query.Changes
	Current, Previous Totals
	Daily             []query.TrendPoint
	Top               []query.PainChange
	Rising            []query.PainChange // significant rises, strongest first
	Falling           []query.PainChange // significant falls
	Channels          []query.GroupSentiment
	Products          []query.GroupSentiment
	Drivers           []*query.Drivers // rating, csat, nps (those with scores)
	Verbatims         []PainVerbatims
	// Topics are the categories by topic volume; Emerging the aspects
	// outside the taxonomy that customers gave opinions about.
	Topics          *query.TopicVolumes
	Emerging        *query.UnmappedAspects
	EmergingMin     int // the least records of an emerging aspect listed
	AlertsAvailable bool
	Alerts          []query.Alert
}

// Build queries everything the report shows.
func Build(ctx context.Context, ch *query.Store, o Options) (*Report, error) {
	for _, d := range []struct {
		n   *int
		def int
	}{{&o.TopN, 10}, {&o.Changes, 5}, {&o.Verbatims, 3}, {&o.VerbatimPains, 3}, {&o.Topics, 8}, {&o.Emerging, 8}, {&o.EmergingMinRecords, 2}} {
		if *d.n <= 0 {
			*d.n = d.def
		}
	}
	loc := o.Zone
	if loc == nil {
		loc = time.UTC
	}
	f := query.Filter{From: o.From, To: o.To, Product: o.Product, Channel: o.Channel, Tier: o.Tier, Zone: loc}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	// Every time in the zone, which the templates print as they are.
	r := &Report{From: o.From.In(loc), To: o.To.In(loc), PrevFrom: o.From.Add(-o.To.Sub(o.From)).In(loc), Generated: time.Now().In(loc),
		Product: o.Product, Channel: o.Channel, Tier: o.Tier, Zone: loc.String(), dashboard: o.DashboardURL}
	var err error
	if r.Changes, err = ch.Changes(ctx, f, o.Changes); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if r.Channels, err = ch.SentimentBy(ctx, f, "channel"); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if r.Products, err = ch.SentimentBy(ctx, f, "product"); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	r.Current = query.Total(r.Channels)
	pf := f
	pf.From, pf.To = r.PrevFrom, o.From
	prev, err := ch.SentimentBy(ctx, pf, "channel")
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	r.Previous = query.Total(prev)
	if r.Daily, err = ch.Trend(ctx, f, query.Day); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	changes, err := ch.PainPointChanges(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	for _, c := range changes.Items {
		if len(r.Top) < o.TopN && c.Current > 0 {
			r.Top = append(r.Top, c)
		}
		if c.Significant && c.Z > 0 {
			r.Rising = append(r.Rising, c)
		}
		if c.Significant && c.Z < 0 {
			r.Falling = append(r.Falling, c)
		}
	}
	sortByZ(r.Rising, 1)
	sortByZ(r.Falling, -1)
	r.Rising, r.Falling = head(r.Rising, o.TopN), head(r.Falling, o.TopN)
	for _, m := range []string{"rating", "csat", "nps"} {
		d, err := ch.KeyDrivers(ctx, f, m, 5)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		if d.Scored > 0 {
			d.Drivers = head(d.Drivers, 5)
			r.Drivers = append(r.Drivers, d)
		}
	}
	for i, c := range r.Top {
		if i == o.VerbatimPains {
			break
		}
		vf := f
		vf.Category, vf.Subcategory = c.Category, c.Subcategory
		// Typical, varied ones (not the newest), with the spans that say
		// why each was tagged.
		page, _, err := ch.Representative(ctx, vf, "", "negative", o.Verbatims, 0)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		for i := range page.Items {
			page.Items[i].CreatedAt = page.Items[i].CreatedAt.In(loc)
		}
		r.Verbatims = append(r.Verbatims, PainVerbatims{Key: c.Category + "/" + c.Subcategory, Items: page.Items})
	}
	if r.Topics, err = ch.Topics(ctx, f, o.Topics); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if r.Emerging, err = ch.UnmappedAspects(ctx, f, o.EmergingMinRecords, o.Emerging); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	r.EmergingMin = o.EmergingMinRecords
	r.Alerts, err = ch.Alerts(ctx, o.From, o.To, 50)
	switch {
	case errors.Is(err, query.ErrNoAlerts):
	case err != nil:
		return nil, fmt.Errorf("report: %w", err)
	default:
		r.AlertsAvailable = true
		for i := range r.Alerts {
			r.Alerts[i].OpenedAt = r.Alerts[i].OpenedAt.In(loc)
		}
	}
	return r, nil
}

// DashboardLink is the dashboard's URL for the report's filters and
// period, with drill (search parameters) opened when given; "" without a
// DashboardURL.
func (r *Report) DashboardLink(drill map[string]string) string {
	if r.dashboard == "" {
		return ""
	}
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("from", r.From.Format(time.RFC3339))
	set("to", r.To.Format(time.RFC3339))
	set("product", r.Product)
	set("channel", r.Channel)
	set("customer_tier", r.Tier)
	if len(drill) > 0 {
		d := url.Values{}
		for k, v := range drill {
			d.Set(k, v)
		}
		q.Set("drill", d.Encode())
	}
	return r.dashboard + "?" + q.Encode()
}

func head[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func sortByZ(s []query.PainChange, sign float64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && sign*s[j].Z > sign*s[j-1].Z; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
