package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/vocproject/voc/alerts/detect"
	"github.com/vocproject/voc/alerts/notify"
)

// Options are the dependencies of a Service.
type Options struct {
	// Logger receives the service's logs. Default: discarded.
	Logger *slog.Logger
	// Searcher finds sample verbatims. Default: the store (the feedback
	// table).
	Searcher Searcher
	// Instance names this process in claims and events. Default
	// hostname-pid-random.
	Instance string
	// HTTPClient sends to the channels. Default a new http.Client.
	HTTPClient *http.Client
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Service evaluates the detector every Interval, opens, updates and
// resolves alerts in ClickHouse, sends new ones to their routes and alerts
// on single VIP and escalation messages. Several processes may run it
// against one database: claims make each alert go out once.
type Service struct {
	cfg      Config
	store    *Store
	searcher Searcher
	logger   *slog.Logger
	instance string
	now      func() time.Time
	loc      *time.Location
	senders  map[string]notify.Sender

	mu       sync.Mutex
	baseline *detect.Snapshot // cached per baseline period
	baseAt   time.Time        // when it was read
	seen     map[string]time.Time
}

// baselineRefresh bounds the age of the cached baseline: late rows for
// older hours are picked up at least this often.
const baselineRefresh = 15 * time.Minute

// staleDelivery is how long an open alert may stay undelivered before
// another process (or a restarted one) sends it.
const staleDelivery = 5 * time.Minute

// firingWrite bounds how often an open alert's last_firing is written.
const firingWrite = 5 * time.Minute

// stateHorizon is how far back the service reads alerts: an alert open
// for longer is no longer considered (its series may alert again).
const stateHorizon = 30 * 24 * time.Hour

// New returns a service. The configuration is validated.
func New(cfg Config, store *Store, opts Options) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	loc, err := loadLocation(cfg.Timezone)
	if err != nil {
		return nil, &ConfigError{Field: "timezone", Err: err}
	}
	s := &Service{cfg: cfg, store: store, searcher: opts.Searcher, logger: opts.Logger, instance: opts.Instance,
		now: opts.Now, loc: loc, senders: map[string]notify.Sender{}, seen: map[string]time.Time{}}
	if s.searcher == nil {
		s.searcher = store
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.instance == "" {
		host, _ := os.Hostname()
		s.instance = fmt.Sprintf("%s-%d-%04x", host, os.Getpid(), rand.IntN(1<<16))
	}
	if s.now == nil {
		s.now = time.Now
	}
	for _, ch := range cfg.Channels {
		snd, err := notify.New(ch, notify.Options{Client: opts.HTTPClient})
		if err != nil {
			return nil, err
		}
		s.senders[ch.Name] = snd
	}
	return s, nil
}

// Run creates the alert tables if needed and evaluates every Interval
// until ctx is done. An evaluation that fails is logged and the next one
// tries again; Run returns nil when ctx is done, or the error of creating
// the tables.
func (s *Service) Run(ctx context.Context) error {
	if err := s.store.Migrate(ctx); err != nil {
		return err
	}
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		res, err := s.Evaluate(ctx, s.now())
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			s.logger.Error("alerts: evaluation failed", "err", err)
		default:
			if len(res.Opened)+len(res.Resolved)+len(res.Immediate) > 0 {
				s.logger.Info("alerts: evaluated", "opened", len(res.Opened), "resolved", len(res.Resolved), "immediate", len(res.Immediate))
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Result is what one evaluation did.
type Result struct {
	// Findings are all series that fired, Opened the alerts this process
	// opened (and sent), Lost the findings another process claimed first.
	Findings []detect.Finding
	Opened   []*Alert
	Lost     []string
	Resolved []string
	// Immediate are the immediate alerts this process sent.
	Immediate []*Alert
}

// Evaluate runs one evaluation at now: detect, decide, claim, send,
// record. Sending happens before it returns.
func (s *Service) Evaluate(ctx context.Context, now time.Time) (*Result, error) {
	now = now.UTC().Truncate(time.Second)
	res := &Result{}
	snap, err := s.snapshot(ctx, now)
	if err != nil {
		return nil, err
	}
	res.Findings = s.cfg.Detector.Detect(snap)
	states, err := s.store.States(ctx, StateFilter{OpenedSince: now.Add(-stateHorizon), Since: now.Add(-s.cfg.Cooldown)})
	if err != nil {
		return nil, err
	}
	var active []detect.Active
	byID := map[string]*State{}
	var updates []*State
	for _, st := range states {
		if st.Kind == KindVIP || st.Kind == KindEscalation {
			// Immediate alerts cover no series; they resolve after MaxAge
			// unless someone resolved them before.
			if st.Status != detect.StatusResolved && now.Sub(st.OpenedAt) >= s.cfg.Immediate.MaxAge {
				st.Status, st.UpdatedAt, st.ResolvedAt = detect.StatusResolved, now, now
				if st.Alert != nil {
					st.Alert.Status = detect.StatusResolved
				}
				updates = append(updates, st)
			}
			continue
		}
		sr, err := detect.ParseKey(st.Series)
		if err != nil {
			continue
		}
		byID[st.ID] = st
		active = append(active, detect.Active{ID: st.ID, Kind: st.Kind, Series: sr, Status: st.Status, OpenedAt: st.OpenedAt, LastFiring: st.LastFiring})
	}
	d := detect.Decide(res.Findings, active, now, s.cfg.policy())

	var errs []error
	// Keep open alerts alive.
	for id := range d.Firing {
		st := byID[id]
		if now.Sub(st.LastFiring) >= firingWrite {
			st.LastFiring, st.UpdatedAt = now, now
			updates = append(updates, st)
		}
	}
	for _, id := range d.Resolve {
		st := byID[id]
		st.Status, st.UpdatedAt, st.ResolvedAt = detect.StatusResolved, now, now
		if st.Alert != nil {
			st.Alert.Status = detect.StatusResolved
		}
		updates = append(updates, st)
		res.Resolved = append(res.Resolved, id)
	}
	if err := s.store.PutState(ctx, updates...); err != nil {
		errs = append(errs, err)
	}
	if s.cfg.NotifyResolved && len(d.Resolve) > 0 {
		errs = append(errs, s.notifyResolved(ctx, now, d.Resolve, byID))
	}

	// Open new alerts: claim, then the winners record and send.
	if len(d.Open) > 0 {
		claims := make([]Claim, len(d.Open))
		for i, f := range d.Open {
			claims[i] = Claim{Key: f.Series.Key(), AlertID: detect.AlertID(f), At: now}
		}
		won, err := s.store.Claim(ctx, s.instance, claims, s.cfg.ClaimSettle)
		if err != nil {
			return res, errors.Join(append(errs, err)...)
		}
		for i, f := range d.Open {
			if !won[i] {
				res.Lost = append(res.Lost, claims[i].Key)
				continue
			}
			a := fromFinding(f)
			s.complete(ctx, a, s.sampleQuery(a, f))
			if err := s.open(ctx, a, now); err != nil {
				errs = append(errs, err)
			}
			res.Opened = append(res.Opened, a)
		}
	}

	imm, err := s.immediate(ctx, now)
	res.Immediate = imm
	errs = append(errs, err)
	errs = append(errs, s.redeliver(ctx, now, states))
	return res, errors.Join(errs...)
}

// snapshot reads the counts of an evaluation at now: the baseline sums
// (cached while the baseline period is unchanged, at most
// baselineRefresh) and the hours of the current windows.
func (s *Service) snapshot(ctx context.Context, now time.Time) (*detect.Snapshot, error) {
	b := s.cfg.Detector.Bounds(now)
	s.mu.Lock()
	base := s.baseline
	if base != nil && (!base.BaseTo.Equal(b.BaseTo) || now.Sub(s.baseAt) >= baselineRefresh || now.Before(s.baseAt)) {
		base = nil
	}
	s.mu.Unlock()
	if base == nil {
		var err error
		if base, err = s.store.Baseline(ctx, b); err != nil {
			return nil, err
		}
		s.mu.Lock()
		s.baseline, s.baseAt = base, now
		s.mu.Unlock()
	}
	recent, err := s.store.Recent(ctx, b)
	if err != nil {
		return nil, err
	}
	snap := detect.NewSnapshot(b)
	for k, p := range base.Pains {
		c := snap.Pain(k)
		c.Base, c.Hist = p.Base, p.Hist
	}
	for k, v := range base.Scopes {
		c := snap.Scope(k)
		c.Base, c.BaseComplaints, c.BaseSentiment, c.SentSq, c.SentHours, c.Hist = v.Base, v.BaseComplaints, v.BaseSentiment, v.SentSq, v.SentHours, v.Hist
	}
	recent.AddCurrent(snap)
	return snap, nil
}

func (s *Service) sampleQuery(a *Alert, f detect.Finding) SampleQuery {
	return SampleQuery{Category: a.Category, Subcategory: a.Subcategory, NegativeOnly: f.Kind == KindSentimentDrop,
		Product: a.Product, Channel: a.Channel, From: f.Window.From, To: f.Window.To.Add(time.Second), Limit: s.cfg.Samples}
}

// complete adds samples, route and link to an alert.
func (s *Service) complete(ctx context.Context, a *Alert, q SampleQuery) {
	if a.Record == nil && s.searcher != nil {
		samples, err := s.searcher.Samples(ctx, q)
		if err != nil {
			s.logger.Warn("alerts: no samples", "alert", a.ID, "err", err)
		}
		if samples != nil {
			a.Samples = samples
		}
	}
	a.Team, a.Channels = route(&s.cfg, a)
	if a.Channels == nil {
		a.Channels = []string{}
	}
	a.Link = link(s.cfg.DashboardURL, a)
}

// open records a won alert as open, sends it and records the outcome.
func (s *Service) open(ctx context.Context, a *Alert, now time.Time) error {
	st := s.openState(a, now)
	if err := s.store.PutState(ctx, st); err != nil {
		return err
	}
	s.logger.Info("alerts: alert opened", "id", a.ID, "kind", a.Kind, "series", a.Series, "team", a.Team, "observed", a.Observed, "expected", a.Expected)
	return s.send(ctx, st, now)
}

func (s *Service) openState(a *Alert, now time.Time) *State {
	return &State{ID: a.ID, Series: a.Series, Kind: a.Kind, Status: detect.StatusOpen, OpenedAt: now, UpdatedAt: now, LastFiring: now,
		Team: a.Team, Title: a.Title, Instance: s.instance, Alert: a}
}

// send delivers a recorded alert to its channels and marks it delivered.
func (s *Service) send(ctx context.Context, st *State, now time.Time) error {
	delivered, err := s.deliver(ctx, st.Alert, message(st.Alert, s.loc), st.Alert.Channels, EventSent, EventFailed)
	if delivered {
		st.Delivered = true
		st.UpdatedAt = now
		err = errors.Join(err, s.store.PutState(ctx, st))
	}
	return err
}

// deliver sends m to the named channels concurrently and records one
// event per channel. It reports whether the alert needs no further
// delivery: every channel succeeded or failed permanently.
func (s *Service) deliver(ctx context.Context, a *Alert, m *notify.Message, channels []string, okEvent, failEvent string) (bool, error) {
	if len(channels) == 0 {
		err := s.store.RecordEvents(ctx, Event{AlertID: a.ID, Series: a.Series, Kind: a.Kind, Event: EventUnrouted, Team: a.Team, Instance: s.instance})
		return err == nil, err
	}
	evs := make([]Event, len(channels))
	retry := make([]bool, len(channels))
	var wg sync.WaitGroup
	for i, name := range channels {
		snd := s.senders[name]
		evs[i] = Event{AlertID: a.ID, Series: a.Series, Kind: a.Kind, Team: a.Team, Channel: name, Instance: s.instance}
		if snd == nil {
			evs[i].Event, evs[i].Error = failEvent, "unknown channel"
			continue
		}
		evs[i].ChannelType = snd.Type()
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			e := &evs[i]
			n, err := notify.Deliver(ctx, snd, m, s.cfg.Retry)
			e.Attempts = n
			if err != nil {
				e.Event, e.Error = failEvent, err.Error()
				retry[i] = notify.IsRetryable(err)
				s.logger.Warn("alerts: send failed", "alert", a.ID, "channel", e.Channel, "attempts", n, "err", err)
				return
			}
			e.Event = okEvent
		}(i)
	}
	wg.Wait()
	done := true
	for _, r := range retry {
		if r {
			done = false
		}
	}
	// Record with a fresh context: a send that happened must be recorded
	// even when ctx was cancelled meanwhile.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return done, s.store.RecordEvents(rctx, evs...)
}

// immediate alerts on new VIP and escalation messages.
func (s *Service) immediate(ctx context.Context, now time.Time) ([]*Alert, error) {
	im := s.cfg.Immediate
	if im.Disabled {
		return nil, nil
	}
	recs, err := s.store.Immediate(ctx, now.Add(-im.MaxAge), now.Add(time.Second), im.Tiers, !im.IgnoreEscalation, 5000)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	for id, t := range s.seen {
		if now.Sub(t) > im.MaxAge+time.Hour {
			delete(s.seen, id)
		}
	}
	var fresh []Record
	for _, r := range recs {
		if _, ok := s.seen[r.ID]; !ok {
			fresh = append(fresh, r)
		}
	}
	s.mu.Unlock()
	if len(fresh) == 0 {
		return nil, nil
	}
	keys := make([]string, len(fresh))
	for i, r := range fresh {
		keys[i] = "record:" + r.ID
	}
	claimed, err := s.store.Claimed(ctx, keys)
	if err != nil {
		return nil, err
	}
	var todo []Record
	s.mu.Lock()
	for _, r := range fresh {
		if claimed["record:"+r.ID] {
			s.seen[r.ID] = now
		} else if len(todo) < im.MaxPerEvaluation {
			todo = append(todo, r)
		}
	}
	s.mu.Unlock()
	if len(todo) == 0 {
		return nil, nil
	}
	// Record the alerts before claiming them: their ids are the records'
	// ids, so every process writes the same rows, and a winner that dies
	// before sending leaves an undelivered alert that redeliver sends.
	sts := make([]*State, len(todo))
	claims := make([]Claim, len(todo))
	for i, r := range todo {
		a := fromRecord(r, now)
		s.complete(ctx, a, SampleQuery{})
		sts[i] = s.openState(a, now)
		claims[i] = Claim{Key: "record:" + r.ID, AlertID: a.ID, At: now}
	}
	if err := s.store.PutState(ctx, sts...); err != nil {
		return nil, err
	}
	won, err := s.store.Claim(ctx, s.instance, claims, s.cfg.ClaimSettle)
	if err != nil {
		return nil, err
	}
	var out []*Alert
	var errs []error
	for i, st := range sts {
		s.mu.Lock()
		s.seen[todo[i].ID] = now
		s.mu.Unlock()
		if !won[i] {
			continue
		}
		if err := s.send(ctx, st, now); err != nil {
			errs = append(errs, err)
		}
		out = append(out, st.Alert)
	}
	return out, errors.Join(errs...)
}

// redeliver sends open alerts that stayed undelivered (the process that
// opened them died, or a channel failed with a retryable error) to the
// channels that have not received them.
func (s *Service) redeliver(ctx context.Context, now time.Time, states []*State) error {
	var stale []*State
	for _, st := range states {
		if st.Status == detect.StatusOpen && !st.Delivered && st.Alert != nil && now.Sub(st.OpenedAt) >= staleDelivery {
			stale = append(stale, st)
		}
	}
	if len(stale) == 0 {
		return nil
	}
	claims := make([]Claim, len(stale))
	for i, st := range stale {
		// One claim per period of staleDelivery: one process tries per
		// period, and a later period can try again.
		claims[i] = Claim{Key: fmt.Sprintf("notify:%s:%d", st.ID, now.Unix()/int64(staleDelivery/time.Second)), AlertID: st.ID, At: now}
	}
	won, err := s.store.Claim(ctx, s.instance, claims, s.cfg.ClaimSettle)
	if err != nil {
		return err
	}
	var errs []error
	for i, st := range stale {
		if !won[i] {
			continue
		}
		evs, err := s.store.Events(ctx, st.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sent := map[string]bool{}
		for _, e := range evs {
			if e.Event == EventSent {
				sent[e.Channel] = true
			}
		}
		var todo []string
		for _, c := range st.Alert.Channels {
			if !sent[c] {
				todo = append(todo, c)
			}
		}
		done := true
		if len(todo) > 0 {
			done, err = s.deliver(ctx, st.Alert, message(st.Alert, s.loc), todo, EventSent, EventFailed)
			errs = append(errs, err)
		}
		st.UpdatedAt = now
		st.Delivered = done
		errs = append(errs, s.store.PutState(ctx, st))
	}
	return errors.Join(errs...)
}

func (s *Service) notifyResolved(ctx context.Context, now time.Time, ids []string, byID map[string]*State) error {
	var claims []Claim
	var sts []*State
	for _, id := range ids {
		if st := byID[id]; st.Alert != nil && len(st.Alert.Channels) > 0 {
			claims = append(claims, Claim{Key: "resolve:" + id, AlertID: id, At: now})
			sts = append(sts, st)
		}
	}
	if len(claims) == 0 {
		return nil
	}
	won, err := s.store.Claim(ctx, s.instance, claims, s.cfg.ClaimSettle)
	if err != nil {
		return err
	}
	var errs []error
	for i, st := range sts {
		if won[i] {
			_, err := s.deliver(ctx, st.Alert, resolvedMessage(st.Alert, now, s.loc), st.Alert.Channels, EventResolvedSent, EventResolvedFailed)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
