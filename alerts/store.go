package alerts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	chdriver "github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vocproject/voc/alerts/detect"
	"github.com/vocproject/voc/store/ch"
	"github.com/vocproject/voc/store/ch/query"
)

// Store reads voc's tables in ClickHouse for the alert service (hourly
// aggregates, samples, records that alert on their own) and reads and
// writes its own rows of the alert tables:
//
//   - alert_state: one row per alert and status change; FINAL gives the
//     current state. version orders the statuses (open < acknowledged <
//     resolved) before time, so that a late write of an older status
//     never wins.
//   - alert_claims: one row per process claiming an alert; the earliest
//     claim by server time wins (see Claim).
//   - alert_events: one row per delivery to a channel.
//
// Their DDL belongs to store/ch (ch.AlertTables); Migrate runs it. The
// Store is safe for concurrent use.
type Store struct {
	conn chdriver.Conn
	db   string
	own  bool
}

// OpenStore connects to ClickHouse with voc's ClickHouse configuration (the
// `clickhouse:` section).
func OpenStore(ctx context.Context, cfg ch.Config) (*Store, error) {
	conn, cfg, err := ch.Dial(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	return &Store{conn: conn, db: cfg.Database, own: true}, nil
}

// NewStore uses an open connection; Close then leaves it open.
func NewStore(conn chdriver.Conn, database string) *Store {
	return &Store{conn: conn, db: database}
}

// Close closes the connection when OpenStore opened it.
func (s *Store) Close() error {
	if !s.own {
		return nil
	}
	if err := s.conn.Close(); err != nil {
		return fmt.Errorf("alerts: close clickhouse: %w", err)
	}
	return nil
}

func (s *Store) table(name string) string { return s.db + "." + name }

// Migrate creates the alert tables when missing (ch.AlertTables). It
// needs the database (voc migrate creates it with the feedback tables).
func (s *Store) Migrate(ctx context.Context) error {
	for _, q := range ch.AlertTables(s.db) {
		if err := s.conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("alerts: create %s: %w", strings.Fields(q)[5], err)
		}
	}
	return nil
}

// ---- aggregates ----

// Cube loads the hourly aggregates of [from, to) (whole hours) into a
// cube: negative records per pain point, product and channel from
// pain_hourly (pain points of the taxonomy only: topic mentions are
// neutral and open opinions about unmapped aspects have no category), and records, complaints and sentiment per product and
// channel from feedback_hourly, each read with FINAL (ch.ReadName: one row
// per partition, hour and dimensions; the conditions on the key in
// PREWHERE, ch.Filter) and summed at query time.
func (s *Store) Cube(ctx context.Context, from, to time.Time) (*detect.Cube, error) {
	c := detect.NewCube(from, to)
	if err := s.loadHours(ctx, c, c.Start(), c.End()); err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Store) loadHours(ctx context.Context, c *detect.Cube, from, to time.Time) error {
	q := `SELECT hour, category, subcategory, product, channel, sum(records)
FROM ` + ch.ReadName(s.db, ch.TablePainHourly) + `
` + ch.Filter(ch.TablePainHourly) + ` ` + query.PainRows + ` AND hour >= ? AND hour < ?
GROUP BY hour, category, subcategory, product, channel`
	if err := ch.EachRow(ctx, s.conn, q, []any{from.UTC(), to.UTC()}, func(row ch.Row) error {
		var h time.Time
		var k detect.PainKey
		var n uint64
		if err := row.Scan(&h, &k.Category, &k.Subcategory, &k.Product, &k.Channel, &n); err != nil {
			return err
		}
		c.AddPain(h, k, n)
		return nil
	}); err != nil {
		return fmt.Errorf("alerts: read pain_hourly: %w", err)
	}
	q = `SELECT hour, product, channel, sum(records), sum(complaints), sum(sentiment_sum)
FROM ` + ch.ReadName(s.db, ch.TableFeedbackHourly) + `
` + ch.Filter(ch.TableFeedbackHourly) + ` hour >= ? AND hour < ?
GROUP BY hour, product, channel`
	if err := ch.EachRow(ctx, s.conn, q, []any{from.UTC(), to.UTC()}, func(row ch.Row) error {
		var h time.Time
		var k detect.ScopeKey
		var n, cpl uint64
		var sent float64
		if err := row.Scan(&h, &k.Product, &k.Channel, &n, &cpl, &sent); err != nil {
			return err
		}
		c.AddScope(h, k, n, cpl, sent)
		return nil
	}); err != nil {
		return fmt.Errorf("alerts: read feedback_hourly: %w", err)
	}
	return nil
}

// Baseline reads the baseline and history sums of b into a snapshot,
// aggregated in ClickHouse (one row per series, not per hour).
func (s *Store) Baseline(ctx context.Context, b detect.Bounds) (*detect.Snapshot, error) {
	snap := detect.NewSnapshot(b)
	earliest, baseFrom, histFrom, to := b.Earliest().UTC(), b.BaseFrom.UTC(), b.HistFrom.UTC(), b.BaseTo.UTC()
	q := `SELECT category, subcategory, product, channel, sumIf(records, hour >= ?), sumIf(records, hour >= ?)
FROM ` + ch.ReadName(s.db, ch.TablePainHourly) + `
` + ch.Filter(ch.TablePainHourly) + ` ` + query.PainRows + ` AND hour >= ? AND hour < ?
GROUP BY category, subcategory, product, channel`
	if err := ch.EachRow(ctx, s.conn, q, []any{baseFrom, histFrom, earliest, to}, func(row ch.Row) error {
		var k detect.PainKey
		var base, hist uint64
		if err := row.Scan(&k.Category, &k.Subcategory, &k.Product, &k.Channel, &base, &hist); err != nil {
			return err
		}
		if base > 0 || hist > 0 {
			p := snap.Pain(k)
			p.Base, p.Hist = base, hist
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("alerts: read pain baseline: %w", err)
	}
	// Per hour first: the sentiment spread needs each hour's sums.
	q = `SELECT product, channel,
    sumIf(n, hour >= ?), sumIf(c, hour >= ?), sumIf(s, hour >= ?), sumIf(s * s / n, hour >= ?), countIf(hour >= ?), sumIf(n, hour >= ?)
FROM
(
    SELECT hour, product, channel, sum(records) AS n, sum(complaints) AS c, sum(sentiment_sum) AS s
    FROM ` + ch.ReadName(s.db, ch.TableFeedbackHourly) + `
    ` + ch.Filter(ch.TableFeedbackHourly) + ` hour >= ? AND hour < ?
    GROUP BY hour, product, channel
)
WHERE n > 0
GROUP BY product, channel`
	if err := ch.EachRow(ctx, s.conn, q, []any{baseFrom, baseFrom, baseFrom, baseFrom, baseFrom, histFrom, earliest, to}, func(row ch.Row) error {
		var k detect.ScopeKey
		var base, cpl, hours, hist uint64
		var sent, sq float64
		if err := row.Scan(&k.Product, &k.Channel, &base, &cpl, &sent, &sq, &hours, &hist); err != nil {
			return err
		}
		if base > 0 || hist > 0 {
			sc := snap.Scope(k)
			sc.Base, sc.BaseComplaints, sc.BaseSentiment, sc.SentSq, sc.SentHours, sc.Hist = base, cpl, sent, sq, hours, hist
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("alerts: read traffic baseline: %w", err)
	}
	return snap, nil
}

// Recent loads the hours of the current windows of b (from the baseline's
// end to b.At) into a cube.
func (s *Store) Recent(ctx context.Context, b detect.Bounds) (*detect.Cube, error) {
	return s.Cube(ctx, b.BaseTo, b.At)
}

// ---- samples and immediate records ----

// Samples returns up to q.Limit verbatims of the query, different texts,
// in a stable pseudo-random order (a hash of the id) so that they are not
// all from the same minute.
func (s *Store) Samples(ctx context.Context, q SampleQuery) ([]Sample, error) {
	if q.Limit <= 0 {
		return nil, nil
	}
	var w ch.Where
	w.Add("created_at >= ?", q.From.UTC())
	w.Add("created_at < ?", q.To.UTC())
	w.Add("text != ''")
	switch {
	case q.Category != "":
		w.Add("has(pain_points, ?)", q.Category+"/"+q.Subcategory)
	case q.NegativeOnly:
		w.Add("sentiment_label = 'negative'")
	default:
		w.Add("(sentiment_label = 'negative' OR intent = '投诉')")
	}
	w.Eq("product", q.Product)
	w.Eq("channel", q.Channel)
	sql := fmt.Sprintf(`SELECT id, created_at, channel, product, text
FROM %s
WHERE %s
ORDER BY cityHash64(id)
LIMIT %d`, ch.ReadName(s.db, ch.TableFeedback), w.String(), q.Limit*4)
	var out []Sample
	seenID, seenText := map[string]bool{}, map[string]bool{}
	if err := ch.EachRow(ctx, s.conn, sql, w.Args, func(row ch.Row) error {
		var sm Sample
		if err := row.Scan(&sm.ID, &sm.CreatedAt, &sm.Channel, &sm.Product, &sm.Text); err != nil {
			return err
		}
		// Replayed rows repeat ids; copied reviews repeat texts.
		if seenID[sm.ID] || seenText[sm.Text] || len(out) >= q.Limit {
			return nil
		}
		seenID[sm.ID], seenText[sm.Text] = true, true
		sm.Text = truncate(sm.Text, 200)
		out = append(out, sm)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("alerts: read samples: %w", err)
	}
	return out, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Immediate returns the messages created in [from, to) that alert on
// their own: escalation language (when escalation is set) or negative
// sentiment / intent 投诉 from a customer of one of tiers; oldest first,
// distinct ids, at most limit.
func (s *Store) Immediate(ctx context.Context, from, to time.Time, tiers []string, escalation bool, limit int) ([]Record, error) {
	var cond []string
	var args = []any{from.UTC(), to.UTC()}
	if escalation {
		cond = append(cond, "escalation = 1")
	}
	if len(tiers) > 0 {
		cond = append(cond, "(has(?, customer_tier) AND (sentiment_label = 'negative' OR intent = '投诉'))")
		args = append(args, tiers)
	}
	if len(cond) == 0 || limit <= 0 {
		return nil, nil
	}
	q := fmt.Sprintf(`SELECT id, created_at, kind, channel, product, customer_tier, text, sentiment, sentiment_label, intent, escalation, pain_points
FROM %s
WHERE created_at >= ? AND created_at < ? AND (%s)
ORDER BY created_at, id
LIMIT %d`, ch.ReadName(s.db, ch.TableFeedback), strings.Join(cond, " OR "), limit*2)
	var out []Record
	seen := map[string]bool{}
	if err := ch.EachRow(ctx, s.conn, q, args, func(row ch.Row) error {
		var r Record
		var sent float32
		var esc uint8
		if err := row.Scan(&r.ID, &r.CreatedAt, &r.Kind, &r.Channel, &r.Product, &r.CustomerTier, &r.Text, &sent, &r.Label, &r.Intent, &esc, &r.PainPoints); err != nil {
			return err
		}
		if seen[r.ID] || len(out) >= limit {
			return nil
		}
		seen[r.ID] = true
		r.Sentiment = round(float64(sent), 3)
		r.Escalation = esc == 1
		r.Text = truncate(r.Text, 300)
		out = append(out, r)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("alerts: read immediate records: %w", err)
	}
	return out, nil
}

// ---- state ----

// State is the stored state of an alert.
type State struct {
	ID         string
	Series     string
	Kind       string
	Status     string
	OpenedAt   time.Time
	UpdatedAt  time.Time
	LastFiring time.Time
	ResolvedAt time.Time
	Delivered  bool
	Team       string
	Title      string
	Instance   string
	// Alert is the alert as sent.
	Alert *Alert
}

var statusRank = map[string]uint64{detect.StatusOpen: 1, detect.StatusAcknowledged: 2, detect.StatusResolved: 3}

// version orders rows of one alert: status first, then delivered, then
// time, so that replicas and racing writers converge on the latest
// status.
func version(st *State) uint64 {
	v := statusRank[st.Status]<<41 | uint64(max(st.UpdatedAt.Unix(), 0))
	if st.Delivered {
		v |= 1 << 40
	}
	return v
}

const stateColumns = "id, series, kind, status, opened_at, updated_at, last_firing, resolved_at, delivered, team, title, payload, instance, version"

// PutState writes alert states.
func (s *Store) PutState(ctx context.Context, states ...*State) error {
	if len(states) == 0 {
		return nil
	}
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table(ch.TableAlertState)+" ("+stateColumns+")")
	if err != nil {
		return fmt.Errorf("alerts: write alert_state: %w", err)
	}
	defer b.Abort()
	for _, st := range states {
		payload := []byte("{}")
		if st.Alert != nil {
			if payload, err = json.Marshal(st.Alert); err != nil {
				return fmt.Errorf("alerts: encode alert %s: %w", st.ID, err)
			}
		}
		var delivered uint8
		if st.Delivered {
			delivered = 1
		}
		if err := b.Append(st.ID, st.Series, st.Kind, st.Status, clampTime(st.OpenedAt), clampTime(st.UpdatedAt), clampTime(st.LastFiring),
			clampTime(st.ResolvedAt), delivered, st.Team, st.Title, string(payload), st.Instance, version(st)); err != nil {
			return fmt.Errorf("alerts: write alert_state: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("alerts: write alert_state: %w", err)
	}
	return nil
}

var minTime = time.Unix(0, 0).UTC()

func clampTime(t time.Time) time.Time {
	if t.Before(minTime) {
		return minTime
	}
	return t.UTC().Truncate(time.Second)
}

// StateFilter selects alerts.
type StateFilter struct {
	// ID selects one alert.
	ID string
	// OpenedSince keeps alerts opened at or after it. Zero keeps all.
	OpenedSince time.Time
	// Since keeps resolved alerts opened at or after Since (open and
	// acknowledged alerts are always kept). Zero keeps all.
	Since time.Time
	// Statuses keeps only these statuses. Default all.
	Statuses []string
	Limit    int
}

// States returns the current state of the selected alerts, newest first.
func (s *Store) States(ctx context.Context, f StateFilter) ([]*State, error) {
	var w ch.Where
	w.Eq("id", f.ID)
	if !f.OpenedSince.IsZero() {
		// opened_at never changes for an alert, so filtering on it before
		// FINAL collapses the rows is safe.
		w.Add("opened_at >= ?", clampTime(f.OpenedSince))
	}
	q := fmt.Sprintf(`SELECT %s FROM %s FINAL`, strings.TrimSuffix(stateColumns, ", version"), s.table(ch.TableAlertState))
	if len(w.Conds) > 0 {
		q += " WHERE " + w.String()
	}
	q += " ORDER BY opened_at DESC, id"
	var out []*State
	if err := ch.EachRow(ctx, s.conn, q, w.Args, func(row ch.Row) error {
		var st State
		var delivered uint8
		var payload string
		if err := row.Scan(&st.ID, &st.Series, &st.Kind, &st.Status, &st.OpenedAt, &st.UpdatedAt, &st.LastFiring, &st.ResolvedAt,
			&delivered, &st.Team, &st.Title, &payload, &st.Instance); err != nil {
			return err
		}
		if st.Status == detect.StatusResolved && !f.Since.IsZero() && st.OpenedAt.Before(f.Since) {
			return nil
		}
		if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, st.Status) {
			return nil
		}
		st.Delivered = delivered == 1
		var a Alert
		if err := json.Unmarshal([]byte(payload), &a); err == nil && a.ID != "" {
			st.Alert = &a
		}
		out = append(out, &st)
		if f.Limit > 0 && len(out) >= f.Limit {
			return errEnough
		}
		return nil
	}); err != nil && err != errEnough {
		return nil, fmt.Errorf("alerts: read alert_state: %w", err)
	}
	return out, nil
}

// errEnough stops reading rows once a limit is reached.
var errEnough = errors.New("alerts: enough rows")

// ErrNotFound is returned for an unknown alert id.
var ErrNotFound = errors.New("alerts: no such alert")

// SetStatus moves an alert to acknowledged or resolved (voc alerts ack,
// resolve). A resolved alert stays resolved.
func (s *Store) SetStatus(ctx context.Context, id, status string, at time.Time) (*State, error) {
	if status != detect.StatusAcknowledged && status != detect.StatusResolved {
		return nil, fmt.Errorf("alerts: set status: %q is not acknowledged or resolved", status)
	}
	sts, err := s.States(ctx, StateFilter{ID: id})
	if err != nil {
		return nil, err
	}
	if len(sts) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	st := sts[0]
	if statusRank[st.Status] >= statusRank[status] {
		return st, nil
	}
	st.Status, st.UpdatedAt = status, at
	if status == detect.StatusResolved {
		st.ResolvedAt = at
	}
	if st.Alert != nil {
		st.Alert.Status = status
	}
	return st, s.PutState(ctx, st)
}

// ---- claims ----

// Claim is one process's bid to send an alert.
type Claim struct {
	// Key names what is claimed: a series key, record:<id>, notify:<id>
	// or resolve:<id>.
	Key     string
	AlertID string
	At      time.Time
}

// claimRow is a stored claim.
type claimRow struct {
	key, instance, nonce string
	serverTime           time.Time
}

func (c claimRow) before(o claimRow) bool {
	if !c.serverTime.Equal(o.serverTime) {
		return c.serverTime.Before(o.serverTime)
	}
	if c.instance != o.instance {
		return c.instance < o.instance
	}
	return c.nonce < o.nonce
}

// claimWindow is how far back competing claims are read.
const claimWindow = 10 * time.Minute

// Claim stores the claims, waits settle, reads back the claims of the
// last minutes and returns, per claim, whether it won: no other process's
// claim that conflicts with it (same key, or related series) is earlier
// by server time (then instance, then a random nonce). Server time comes from the
// one ClickHouse node (DEFAULT now()), so processes' clocks do not
// matter; with settle longer than its one-second resolution plus insert
// latency, two racing claimants each see the other's row and agree on
// the winner, and a later claimant sees the earlier one.
func (s *Store) Claim(ctx context.Context, instance string, claims []Claim, settle time.Duration) ([]bool, error) {
	if len(claims) == 0 {
		return nil, nil
	}
	nonces := make([]string, len(claims))
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table(ch.TableAlertClaims)+" (series, alert_id, instance, nonce, at)")
	if err != nil {
		return nil, fmt.Errorf("alerts: claim: %w", err)
	}
	for i, c := range claims {
		nonces[i] = nonce()
		if err := b.Append(c.Key, c.AlertID, instance, nonces[i], clampTime(c.At)); err != nil {
			b.Abort()
			return nil, fmt.Errorf("alerts: claim: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return nil, fmt.Errorf("alerts: claim: %w", err)
	}
	t := time.NewTimer(settle)
	select {
	case <-ctx.Done():
		t.Stop()
		return nil, ctx.Err()
	case <-t.C:
	}
	var all []claimRow
	mine := map[string]int{} // nonce -> index in all
	q := "SELECT series, instance, nonce, server_time FROM " + s.table(ch.TableAlertClaims) + " WHERE server_time >= now() - ? ORDER BY server_time"
	if err := ch.EachRow(ctx, s.conn, q, []any{int64((claimWindow + settle) / time.Second)}, func(row ch.Row) error {
		var c claimRow
		if err := row.Scan(&c.key, &c.instance, &c.nonce, &c.serverTime); err != nil {
			return err
		}
		if c.instance == instance {
			mine[c.nonce] = len(all)
		}
		all = append(all, c)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("alerts: read claims: %w", err)
	}
	won := make([]bool, len(claims))
	for i := range claims {
		j, ok := mine[nonces[i]]
		if !ok {
			return nil, fmt.Errorf("alerts: claim %s: own claim not read back", claims[i].Key)
		}
		me := all[j]
		won[i] = true
		for k, o := range all {
			// This process's own earlier claims do not count: when it
			// claimed and then failed to record the alert, it may claim
			// again.
			if k != j && o.instance != instance && conflicts(o.key, me.key) && o.before(me) {
				won[i] = false
				break
			}
		}
	}
	return won, nil
}

// conflicts reports whether two claim keys are about the same thing: the
// same key, or series keys of which one covers the other (detect.Absorbs).
func conflicts(a, b string) bool {
	if a == b {
		return true
	}
	sa, errA := detect.ParseKey(a)
	sb, errB := detect.ParseKey(b)
	if errA != nil || errB != nil || !slices.Contains(detect.Levels, sa.Level) || !slices.Contains(detect.Levels, sb.Level) {
		return false
	}
	return detect.Absorbs(sa, sb) || detect.Absorbs(sb, sa)
}

func nonce() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Claimed returns which of the keys have been claimed before.
func (s *Store) Claimed(ctx context.Context, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(keys) == 0 {
		return out, nil
	}
	if err := ch.EachRow(ctx, s.conn, "SELECT DISTINCT series FROM "+s.table(ch.TableAlertClaims)+" WHERE has(?, series)", []any{keys}, func(row ch.Row) error {
		var k string
		if err := row.Scan(&k); err != nil {
			return err
		}
		out[k] = true
		return nil
	}); err != nil {
		return nil, fmt.Errorf("alerts: read claims: %w", err)
	}
	return out, nil
}

// ---- deliveries ----

// Event is one delivery of an alert to a channel.
type Event struct {
	At          time.Time
	AlertID     string
	Series      string
	Kind        string
	Event       string // sent, failed, resolved_sent, resolved_failed, unrouted
	Team        string
	Channel     string
	ChannelType string
	Attempts    int
	Error       string
	Instance    string
}

// Events delivery outcomes.
const (
	EventSent           = "sent"
	EventFailed         = "failed"
	EventResolvedSent   = "resolved_sent"
	EventResolvedFailed = "resolved_failed"
	EventUnrouted       = "unrouted"
)

// RecordEvents appends delivery events (the server stamps their time).
func (s *Store) RecordEvents(ctx context.Context, evs ...Event) error {
	if len(evs) == 0 {
		return nil
	}
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table(ch.TableAlertEvents)+" (alert_id, series, kind, event, team, channel, channel_type, attempts, error, instance)")
	if err != nil {
		return fmt.Errorf("alerts: write alert_events: %w", err)
	}
	defer b.Abort()
	for _, e := range evs {
		if err := b.Append(e.AlertID, e.Series, e.Kind, e.Event, e.Team, e.Channel, e.ChannelType, uint8(min(max(e.Attempts, 0), 255)), e.Error, e.Instance); err != nil {
			return fmt.Errorf("alerts: write alert_events: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("alerts: write alert_events: %w", err)
	}
	return nil
}

// Events returns the delivery events of an alert (all alerts when id is
// empty), oldest first.
func (s *Store) Events(ctx context.Context, id string) ([]Event, error) {
	q := "SELECT at, alert_id, series, kind, event, team, channel, channel_type, attempts, error, instance FROM " + s.table(ch.TableAlertEvents)
	var args []any
	if id != "" {
		q += " WHERE alert_id = ?"
		args = append(args, id)
	}
	q += " ORDER BY at, alert_id, channel"
	var out []Event
	if err := ch.EachRow(ctx, s.conn, q, args, func(row ch.Row) error {
		var e Event
		var attempts uint8
		if err := row.Scan(&e.At, &e.AlertID, &e.Series, &e.Kind, &e.Event, &e.Team, &e.Channel, &e.ChannelType, &attempts, &e.Error, &e.Instance); err != nil {
			return err
		}
		e.Attempts = int(attempts)
		out = append(out, e)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("alerts: read alert_events: %w", err)
	}
	return out, nil
}
