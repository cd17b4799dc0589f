package detect

import (
	"fmt"
	"hash/fnv"
	"slices"
	"time"
)

// Alert statuses.
const (
	StatusOpen         = "open"
	StatusAcknowledged = "acknowledged"
	StatusResolved     = "resolved"
)

// Policy governs the life of alerts. The zero value of each field means
// its default.
type Policy struct {
	// Cooldown is the least time between two alerts on related series
	// (see Absorbs), whatever became of the first. Default 6h.
	Cooldown time.Duration `yaml:"cooldown"`
	// ResolveAfter resolves an open or acknowledged alert once none of its
	// related series fired for this long. Default 2h.
	ResolveAfter time.Duration `yaml:"resolve_after"`
}

// WithDefaults fills in the defaults.
func (p Policy) WithDefaults() Policy {
	if p.Cooldown == 0 {
		p.Cooldown = 6 * time.Hour
	}
	if p.ResolveAfter == 0 {
		p.ResolveAfter = 2 * time.Hour
	}
	return p
}

// Active is an alert that may still suppress findings: open,
// acknowledged, or resolved within the cooldown.
type Active struct {
	ID         string
	Kind       string
	Series     Series
	Status     string
	OpenedAt   time.Time
	LastFiring time.Time
}

// Decision is what to do after an evaluation.
type Decision struct {
	// Open are findings that become new alerts, strongest first.
	Open []Finding
	// Firing maps open or acknowledged alerts to the strongest finding
	// that they cover in this evaluation.
	Firing map[string]Finding
	// Resolve lists open or acknowledged alerts whose series stayed quiet
	// for ResolveAfter.
	Resolve []string
}

// Decide sorts the findings of one evaluation at now into new alerts and
// findings covered by existing ones. A finding raises no alert when an
// open or acknowledged alert, an alert opened within the cooldown, or a
// stronger finding of this evaluation (by Priority, then p-value) covers
// it (Absorbs).
func Decide(findings []Finding, active []Active, now time.Time, pol Policy) Decision {
	pol = pol.WithDefaults()
	fs := slices.Clone(findings)
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if d := Priority(a) - Priority(b); d != 0 {
			return d
		}
		switch {
		case a.PValue < b.PValue:
			return -1
		case a.PValue > b.PValue:
			return 1
		}
		return 0
	})
	d := Decision{Firing: map[string]Finding{}}
	for _, f := range fs {
		covered := false
		for _, a := range active {
			if !Absorbs(a.Series, f.Series) {
				continue
			}
			if a.Status != StatusResolved {
				if g, ok := d.Firing[a.ID]; !ok || f.PValue < g.PValue {
					d.Firing[a.ID] = f
				}
				covered = true
			} else if now.Sub(a.OpenedAt) < pol.Cooldown {
				covered = true
			}
		}
		if covered {
			continue
		}
		for _, g := range d.Open {
			if Absorbs(g.Series, f.Series) {
				covered = true
				break
			}
		}
		if !covered {
			d.Open = append(d.Open, f)
		}
	}
	for _, a := range active {
		if a.Status == StatusResolved {
			continue
		}
		if _, ok := d.Firing[a.ID]; !ok && now.Sub(a.LastFiring) >= pol.ResolveAfter {
			d.Resolve = append(d.Resolve, a.ID)
		}
	}
	return d
}

// AlertID is the deterministic id of an alert opened for f: 16 hex
// digits of a hash of its kind, series and time.
func AlertID(f Finding) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%s|%d", f.Kind, f.Series.Key(), f.At.Unix())
	return fmt.Sprintf("%016x", h.Sum64())
}

// ReplayAlert is an alert Replay would have opened.
type ReplayAlert struct {
	ID string
	// Finding opened the alert; Peak is the covered finding with the
	// highest ratio (for sentiment: the lowest mean) while it was open.
	Finding, Peak Finding
	LastFiring    time.Time
	// ResolvedAt is zero when the alert was still open at the end.
	ResolvedAt time.Time
}

// Replay evaluates the detector every step from from to to (exclusive)
// over c, opening and resolving alerts as a service would, and returns
// the alerts in the order they opened. c must hold the hours from
// cfg.Bounds(from).Earliest() on for the baselines to be complete.
func Replay(c *Cube, cfg Config, pol Policy, from, to time.Time, step time.Duration) []ReplayAlert {
	cfg = cfg.WithDefaults()
	pol = pol.WithDefaults()
	if step <= 0 {
		step = time.Hour
	}
	var out []*ReplayAlert
	byID := map[string]*ReplayAlert{}
	var active []Active
	for at := from.UTC(); at.Before(to); at = at.Add(step) {
		// Forget alerts past their cooldown once resolved.
		active = slices.DeleteFunc(active, func(a Active) bool {
			return a.Status == StatusResolved && at.Sub(a.OpenedAt) >= pol.Cooldown
		})
		d := Decide(cfg.Detect(c.Snapshot(cfg.Bounds(at))), active, at, pol)
		for i := range active {
			a := &active[i]
			if f, ok := d.Firing[a.ID]; ok {
				a.LastFiring = at
				r := byID[a.ID]
				r.LastFiring = at
				if stronger(f, r.Peak) {
					r.Peak = f
				}
			}
			if slices.Contains(d.Resolve, a.ID) {
				a.Status = StatusResolved
				byID[a.ID].ResolvedAt = at
			}
		}
		for _, f := range d.Open {
			id := AlertID(f)
			r := &ReplayAlert{ID: id, Finding: f, Peak: f, LastFiring: at}
			out = append(out, r)
			byID[id] = r
			active = append(active, Active{ID: id, Kind: f.Kind, Series: f.Series, Status: StatusOpen, OpenedAt: at, LastFiring: at})
		}
	}
	res := make([]ReplayAlert, len(out))
	for i, r := range out {
		res[i] = *r
	}
	return res
}

// stronger reports whether f shows a bigger departure than g: a higher
// ratio for counts, a lower mean for sentiment.
func stronger(f, g Finding) bool {
	if f.Kind == KindSentimentDrop && g.Kind == KindSentimentDrop {
		return f.Observed < g.Observed
	}
	return f.Ratio > g.Ratio
}
