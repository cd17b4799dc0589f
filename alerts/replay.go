package alerts

import (
	"context"
	"fmt"
	"time"

	"github.com/vocproject/voc/alerts/detect"
)

// ReplayOptions tune Replay.
type ReplayOptions struct {
	// Step is the time between evaluations. Default 1h (the service
	// evaluates every Interval; hourly buckets change once an hour).
	Step time.Duration
	// Samples fetches sample verbatims for each alert. Default false.
	Samples bool
	// ImmediateLimit caps the immediate alerts returned. Default 1000.
	ImmediateLimit int
}

// Replayed is an alert a replay opened.
type Replayed struct {
	*Alert
	// Peak is the strongest finding the alert covered while open.
	Peak detect.Finding
	// LastFiring is the last evaluation it covered a finding; ResolvedAt
	// is zero when it was still open at the end.
	LastFiring, ResolvedAt time.Time
}

// ReplayResult is what a replay found.
type ReplayResult struct {
	From, To time.Time
	Step     time.Duration
	// Series is the number of series watched at the end of the range.
	Series int
	// Alerts are the detector's alerts in the order they opened.
	Alerts []Replayed
	// Immediate are the VIP and escalation alerts of the range (at most
	// ImmediateLimit); ImmediateTotal counts them all.
	Immediate      []*Alert
	ImmediateTotal int
}

// Replay evaluates the detector every step over [from, to) on the data
// in ClickHouse, as a service would have, and routes the alerts it would
// have opened. It sends nothing and writes nothing. Alert state starts
// empty at from: alerts open before from are not known.
func Replay(ctx context.Context, store *Store, cfg Config, from, to time.Time, opts ReplayOptions) (*ReplayResult, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	if opts.Step <= 0 {
		opts.Step = time.Hour
	}
	if opts.ImmediateLimit <= 0 {
		opts.ImmediateLimit = 1000
	}
	if !to.After(from) {
		return nil, fmt.Errorf("alerts: replay: empty range %s - %s", from, to)
	}
	cube, err := store.Cube(ctx, cfg.Detector.Bounds(from).Earliest(), to)
	if err != nil {
		return nil, err
	}
	res := &ReplayResult{From: from, To: to, Step: opts.Step}
	res.Series = len(cfg.Detector.Series(cube.Snapshot(cfg.Detector.Bounds(to))))
	svc := &Service{cfg: cfg, searcher: store}
	for _, r := range detect.Replay(cube, cfg.Detector, cfg.policy(), from, to, opts.Step) {
		a := fromFinding(r.Finding)
		if !opts.Samples {
			svc.searcher = nil
		}
		svc.complete(ctx, a, svc.sampleQuery(a, r.Finding))
		res.Alerts = append(res.Alerts, Replayed{Alert: a, Peak: r.Peak, LastFiring: r.LastFiring, ResolvedAt: r.ResolvedAt})
	}
	if !cfg.Immediate.Disabled {
		recs, err := store.Immediate(ctx, from, to, cfg.Immediate.Tiers, !cfg.Immediate.IgnoreEscalation, 1<<30)
		if err != nil {
			return nil, err
		}
		res.ImmediateTotal = len(recs)
		for i, r := range recs {
			if i >= opts.ImmediateLimit {
				break
			}
			a := fromRecord(r, r.CreatedAt)
			svc.complete(ctx, a, SampleQuery{})
			res.Immediate = append(res.Immediate, a)
		}
	}
	return res, nil
}
