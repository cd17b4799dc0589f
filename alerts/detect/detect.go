// Package detect finds anomalies in voc's hourly aggregates: spikes of a
// pain point (per pain point × product × channel, pain point × product,
// pain point) or of complaints (per product and overall), pain points new
// to a product, and drops in average sentiment. It is pure: it reads a
// Snapshot of counts and returns Findings; Decide turns findings into
// alerts to open, keep open or resolve, and Replay runs both over a Cube
// of hourly data. The ClickHouse side lives in package alerts.
//
// # The spike test
//
// A series' count x in the current window is compared with its count y
// in the baseline period (Lookback before the longest window) as a share
// of its scope's traffic in the same two periods (nc and nb records of
// the product × channel, of the product, or of all feedback). Comparing
// shares is what accounts for time of day, day of week and volume: a
// quiet night hour brings few records and so a small expected count, and
// a sale that doubles all feedback doubles the expectation too. Under
// "the series keeps its share", x is hypergeometric given the table's
// margins (Fisher's exact test), exact at low counts and carrying the
// uncertainty of a baseline made of few records (see RateTest). A window
// fires when the p-value is below the sensitivity's threshold, x reaches
// MinCount and x/expected reaches MinRatio.
package detect

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vocproject/voc/internal/fielderr"
)

// Kinds of findings.
const (
	KindSpike         = "spike"
	KindNewPainPoint  = "new_pain_point"
	KindSentimentDrop = "sentiment_drop"
)

// Levels of series.
const (
	LevelPainProductChannel      = "pain_product_channel"
	LevelPainProduct             = "pain_product"
	LevelPain                    = "pain"
	LevelComplaintsProduct       = "complaints_product"
	LevelComplaints              = "complaints"
	LevelSentimentProductChannel = "sentiment_product_channel"
	LevelSentimentProduct        = "sentiment_product"
	LevelSentimentChannel        = "sentiment_channel"
	LevelSentiment               = "sentiment"
)

// Levels lists every level, in the order findings are preferred when
// several describe one event (see Decide).
var Levels = []string{
	LevelPainProduct, LevelPainProductChannel, LevelPain,
	LevelComplaintsProduct, LevelSentimentProduct, LevelSentimentProductChannel,
	LevelSentimentChannel, LevelComplaints, LevelSentiment,
}

// Sensitivities and their p-value thresholds.
var sensitivities = map[string]float64{
	"low":    1e-6,
	"medium": 1e-5,
	"high":   1e-4,
}

// Config configures detection. The zero value of each field means its
// default.
type Config struct {
	// Windows are the lengths of the current window compared with the
	// baseline, whole hours, at most 168h. A short window catches a sudden
	// surge within the hour, a long one a day-long rise of a small series.
	// Default [1h, 6h, 24h].
	Windows []time.Duration `yaml:"windows"`
	// Lookback is the baseline period, ending where the longest window
	// starts. Default 672h (28 days).
	Lookback time.Duration `yaml:"lookback"`
	// Sensitivity is low, medium or high: a window fires below a p-value of
	// 1e-6, 1e-5 or 1e-4. Default medium.
	Sensitivity string `yaml:"sensitivity"`
	// PValue, when set, replaces the threshold of Sensitivity; in (0, 0.1].
	// Default 0 (use Sensitivity).
	PValue float64 `yaml:"p_value"`
	// MinCount is the fewest records in the window for a spike. Default 5.
	MinCount int `yaml:"min_count"`
	// MinRatio is the smallest observed/expected ratio for a spike.
	// Default 2.
	MinRatio float64 `yaml:"min_ratio"`
	// Levels are the series to watch (see the Level constants). Default all.
	Levels []string `yaml:"levels"`
	// NewPainPoint configures alerts on a pain point a product never had.
	NewPainPoint NewPainPoint `yaml:"new_pain_point"`
	// Sentiment configures alerts on a drop of average sentiment.
	Sentiment Sentiment `yaml:"sentiment"`
}

// NewPainPoint configures new-pain-point detection.
type NewPainPoint struct {
	// Disabled turns it off. Default false.
	Disabled bool `yaml:"disabled"`
	// MinCount is the fewest records in the longest window. Default 3.
	MinCount int `yaml:"min_count"`
	// Lookback is the history in which the product must not have had the
	// pain point, ending where the longest window starts. Default 2160h
	// (90 days).
	Lookback time.Duration `yaml:"lookback"`
	// MinProductRecords is the fewest records of the product in that
	// history, so that a new product's first complaints are not all
	// "new". Default 200.
	MinProductRecords int `yaml:"min_product_records"`
}

// Sentiment configures sentiment-drop detection.
type Sentiment struct {
	// MinDrop is the smallest fall of the window's mean sentiment below the
	// baseline mean, on the -1..1 scale. Default 0.2.
	MinDrop float64 `yaml:"min_drop"`
	// MinCount is the fewest records in the window. Default 30.
	MinCount int `yaml:"min_count"`
}

// WithDefaults returns c with defaults filled in.
func (c Config) WithDefaults() Config {
	if len(c.Windows) == 0 {
		c.Windows = []time.Duration{time.Hour, 6 * time.Hour, 24 * time.Hour}
	}
	c.Windows = slices.Clone(c.Windows)
	slices.Sort(c.Windows)
	c.Windows = slices.Compact(c.Windows)
	if c.Lookback == 0 {
		c.Lookback = 28 * 24 * time.Hour
	}
	if c.Sensitivity == "" {
		c.Sensitivity = "medium"
	}
	if c.MinCount == 0 {
		c.MinCount = 5
	}
	if c.MinRatio == 0 {
		c.MinRatio = 2
	}
	if len(c.Levels) == 0 {
		c.Levels = Levels
	}
	if c.NewPainPoint.MinCount == 0 {
		c.NewPainPoint.MinCount = 3
	}
	if c.NewPainPoint.Lookback == 0 {
		c.NewPainPoint.Lookback = 90 * 24 * time.Hour
	}
	if c.NewPainPoint.MinProductRecords == 0 {
		c.NewPainPoint.MinProductRecords = 200
	}
	if c.Sentiment.MinDrop == 0 {
		c.Sentiment.MinDrop = 0.2
	}
	if c.Sentiment.MinCount == 0 {
		c.Sentiment.MinCount = 30
	}
	return c
}

// FieldError names the offending field, relative to the detector config
// ("windows[1]", "new_pain_point.lookback").
type FieldError = fielderr.Error

var fieldErr = fielderr.New

// Validate reports the first invalid field.
func (c Config) Validate() error {
	for i, w := range c.Windows {
		if w <= 0 || w%time.Hour != 0 || w > 168*time.Hour {
			return fieldErr(fmt.Sprintf("windows[%d]", i), "%s is not a whole number of hours in 1h-168h", w)
		}
	}
	if c.Lookback != 0 && (c.Lookback < 24*time.Hour || c.Lookback%time.Hour != 0) {
		return fieldErr("lookback", "%s is not a whole number of hours of at least 24h", c.Lookback)
	}
	if _, ok := sensitivities[c.Sensitivity]; !ok && c.Sensitivity != "" {
		return fieldErr("sensitivity", "unknown sensitivity %q (want low, medium or high)", c.Sensitivity)
	}
	if c.PValue < 0 || c.PValue > 0.1 || math.IsNaN(c.PValue) {
		return fieldErr("p_value", "%v is outside (0, 0.1]", c.PValue)
	}
	if c.MinCount < 0 {
		return fieldErr("min_count", "must not be negative")
	}
	if c.MinRatio < 0 || math.IsNaN(c.MinRatio) || math.IsInf(c.MinRatio, 0) || (c.MinRatio > 0 && c.MinRatio < 1) {
		return fieldErr("min_ratio", "%v is below 1", c.MinRatio)
	}
	for i, l := range c.Levels {
		if !slices.Contains(Levels, l) {
			return fieldErr(fmt.Sprintf("levels[%d]", i), "unknown level %q (want one of %s)", l, strings.Join(Levels, ", "))
		}
	}
	n := c.NewPainPoint
	if n.MinCount < 0 {
		return fieldErr("new_pain_point.min_count", "must not be negative")
	}
	if n.Lookback != 0 && (n.Lookback < 24*time.Hour || n.Lookback%time.Hour != 0) {
		return fieldErr("new_pain_point.lookback", "%s is not a whole number of hours of at least 24h", n.Lookback)
	}
	if n.MinProductRecords < 0 {
		return fieldErr("new_pain_point.min_product_records", "must not be negative")
	}
	s := c.Sentiment
	if s.MinDrop < 0 || s.MinDrop > 2 || math.IsNaN(s.MinDrop) {
		return fieldErr("sentiment.min_drop", "%v is outside 0-2", s.MinDrop)
	}
	if s.MinCount < 0 {
		return fieldErr("sentiment.min_count", "must not be negative")
	}
	return nil
}

// Threshold is the p-value below which a window fires.
func (c Config) Threshold() float64 {
	if c.PValue > 0 {
		return c.PValue
	}
	if p, ok := sensitivities[c.Sensitivity]; ok {
		return p
	}
	return sensitivities["medium"]
}

func (c Config) level(l string) bool { return slices.Contains(c.Levels, l) }

// Window is one current window: the hourly buckets h with From <= h < To.
type Window struct {
	Len      time.Duration
	From, To time.Time
}

// Bounds are the periods of one evaluation at time At.
type Bounds struct {
	At      time.Time
	Windows []Window // shortest first
	// BaseFrom..BaseTo is the baseline period; HistFrom..BaseTo the
	// new-pain-point history. BaseTo is where the longest window starts.
	BaseFrom, BaseTo, HistFrom time.Time
}

// Bounds returns the periods of an evaluation at at. A window of length L
// holds the hourly buckets that overlap [at-L, at): L/1h buckets when at
// is on the hour, one more (the current, partial hour) otherwise.
func (c Config) Bounds(at time.Time) Bounds {
	c = c.WithDefaults()
	at = at.UTC()
	b := Bounds{At: at}
	for _, w := range c.Windows {
		b.Windows = append(b.Windows, Window{Len: w, From: at.Add(-w).Truncate(time.Hour), To: at})
	}
	b.BaseTo = b.Windows[len(b.Windows)-1].From
	b.BaseFrom = b.BaseTo.Add(-c.Lookback)
	b.HistFrom = b.BaseFrom
	if !c.NewPainPoint.Disabled {
		b.HistFrom = b.BaseTo.Add(-c.NewPainPoint.Lookback)
	}
	return b
}

// Earliest is the first hour an evaluation at at reads.
func (b Bounds) Earliest() time.Time {
	if b.HistFrom.Before(b.BaseFrom) {
		return b.HistFrom
	}
	return b.BaseFrom
}

// PainKey is the finest pain-point series: negative mentions of one pain
// point for one product in one channel.
type PainKey struct {
	Category, Subcategory, Product, Channel string
}

// ScopeKey is the finest traffic scope: one product in one channel.
type ScopeKey struct {
	Product, Channel string
}

// PainCounts are a pain series' records (records with the pain point).
type PainCounts struct {
	Base uint64   // in the baseline period
	Hist uint64   // in the new-pain-point history
	Cur  []uint64 // in each window
}

// ScopeCounts are a scope's traffic.
type ScopeCounts struct {
	Base, BaseComplaints uint64
	BaseSentiment        float64 // sum of record sentiments
	// SentSq is the sum over baseline hours of (hour's sentiment sum)² /
	// (hour's records) and SentHours the number of hours with records:
	// they give the spread of per-record sentiment (see Detect).
	SentSq    float64
	SentHours uint64
	Hist      uint64 // records in the new-pain-point history
	Cur       []uint64
	// CurComplaints and CurSentiment are per window, like Cur.
	CurComplaints []uint64
	CurSentiment  []float64
}

// Snapshot holds the counts of one evaluation.
type Snapshot struct {
	Bounds
	Pains  map[PainKey]*PainCounts
	Scopes map[ScopeKey]*ScopeCounts
}

// NewSnapshot returns an empty snapshot for b.
func NewSnapshot(b Bounds) *Snapshot {
	return &Snapshot{Bounds: b, Pains: map[PainKey]*PainCounts{}, Scopes: map[ScopeKey]*ScopeCounts{}}
}

// Pain returns the counts of k, created on first use.
func (s *Snapshot) Pain(k PainKey) *PainCounts {
	p := s.Pains[k]
	if p == nil {
		p = &PainCounts{Cur: make([]uint64, len(s.Windows))}
		s.Pains[k] = p
	}
	return p
}

// Scope returns the counts of k, created on first use.
func (s *Snapshot) Scope(k ScopeKey) *ScopeCounts {
	c := s.Scopes[k]
	if c == nil {
		n := len(s.Windows)
		c = &ScopeCounts{Cur: make([]uint64, n), CurComplaints: make([]uint64, n), CurSentiment: make([]float64, n)}
		s.Scopes[k] = c
	}
	return c
}

// Series identifies what a finding is about. Empty fields mean "all".
type Series struct {
	Level       string `json:"level"`
	Category    string `json:"category,omitempty"`
	Subcategory string `json:"subcategory,omitempty"`
	Product     string `json:"product,omitempty"`
	Channel     string `json:"channel,omitempty"`
}

// Pain returns "category/subcategory", or "" for complaint and sentiment
// series.
func (s Series) Pain() string {
	if s.Category == "" {
		return ""
	}
	return s.Category + "/" + s.Subcategory
}

// Key identifies the series: level|pain|product|channel with * for all.
func (s Series) Key() string {
	star := func(v string) string {
		if v == "" {
			return "*"
		}
		return v
	}
	return s.Level + "|" + star(s.Pain()) + "|" + star(s.Product) + "|" + star(s.Channel)
}

// ParseKey is the inverse of Key.
func ParseKey(key string) (Series, error) {
	parts := strings.Split(key, "|")
	if len(parts) != 4 {
		return Series{}, fmt.Errorf("detect: bad series key %q", key)
	}
	un := func(v string) string {
		if v == "*" {
			return ""
		}
		return v
	}
	s := Series{Level: parts[0], Product: un(parts[2]), Channel: un(parts[3])}
	if p := un(parts[1]); p != "" {
		cat, sub, ok := strings.Cut(p, "/")
		if !ok {
			return Series{}, fmt.Errorf("detect: bad pain point in series key %q", key)
		}
		s.Category, s.Subcategory = cat, sub
	}
	return s, nil
}

func compatible(a, b string) bool { return a == "" || b == "" || a == b }

// Absorbs reports whether an alert open on a covers a finding on b, so
// that b raises no alert of its own: the two overlap on every dimension
// (pain point, product, channel: equal, or one of them is "all"), and a
// is about a pain point or b is not. A spike of 物流/配送慢 for one product
// thus covers the same pain point in one channel, the pain point across
// products, and that product's complaints and sentiment; a complaints
// alert does not cover a later pain-point spike, which says more.
func Absorbs(a, b Series) bool {
	if !compatible(a.Pain(), b.Pain()) || !compatible(a.Product, b.Product) || !compatible(a.Channel, b.Channel) {
		return false
	}
	return a.Pain() != "" || b.Pain() == ""
}

// Finding is one series that fired.
type Finding struct {
	Kind   string `json:"kind"`
	Series Series `json:"series"`
	At     time.Time
	// Window is the window with the lowest p-value among those that fired.
	Window Window
	// Observed and Expected are records in the window and the baseline's
	// prediction for spikes and new pain points (Expected 0), and mean
	// sentiment in the window and in the baseline for sentiment drops.
	Observed, Expected float64
	// Ratio is Observed/Expected for counts (Expected floored at 0.1);
	// 0 for sentiment.
	Ratio  float64
	PValue float64
	// Records are the scope's records in the window.
	Records uint64
}

type painAgg struct {
	base, hist uint64
	cur        []uint64
}

type scopeAgg struct {
	base, baseCompl, hist uint64
	baseSent, q, df       float64
	cur, curCompl         []uint64
	curSent               []float64
}

// aggregates are a snapshot's counts at every level of aggregation.
type aggregates struct {
	scopes map[ScopeKey]*scopeAgg
	pains  map[Series]*painAgg
}

func (c Config) aggregate(s *Snapshot) aggregates {
	nw := len(s.Windows)
	// Scopes at every level of aggregation.
	scopes := map[ScopeKey]*scopeAgg{}
	addScope := func(k ScopeKey, v *ScopeCounts, q, df float64) {
		a := scopes[k]
		if a == nil {
			a = &scopeAgg{cur: make([]uint64, nw), curCompl: make([]uint64, nw), curSent: make([]float64, nw)}
			scopes[k] = a
		}
		a.base += v.Base
		a.baseCompl += v.BaseComplaints
		a.hist += v.Hist
		a.baseSent += v.BaseSentiment
		a.q += q
		a.df += df
		for i := range nw {
			a.cur[i] += v.Cur[i]
			a.curCompl[i] += v.CurComplaints[i]
			a.curSent[i] += v.CurSentiment[i]
		}
	}
	for k, v := range s.Scopes {
		// Within-cell spread of hourly means: sum over hours of n(m_h - m)².
		var q, df float64
		if v.Base > 0 && v.SentHours > 1 {
			q = max(v.SentSq-v.BaseSentiment*v.BaseSentiment/float64(v.Base), 0)
			df = float64(v.SentHours - 1)
		}
		for _, sk := range []ScopeKey{k, {Product: k.Product}, {Channel: k.Channel}, {}} {
			addScope(sk, v, q, df)
		}
	}
	// Pain series at the enabled levels; pain_product always, for new
	// pain points.
	pains := map[Series]*painAgg{}
	addPain := func(sr Series, v *PainCounts) {
		a := pains[sr]
		if a == nil {
			a = &painAgg{cur: make([]uint64, nw)}
			pains[sr] = a
		}
		a.base += v.Base
		a.hist += v.Hist
		for i := range nw {
			a.cur[i] += v.Cur[i]
		}
	}
	for k, v := range s.Pains {
		if c.level(LevelPainProductChannel) {
			addPain(Series{Level: LevelPainProductChannel, Category: k.Category, Subcategory: k.Subcategory, Product: k.Product, Channel: k.Channel}, v)
		}
		addPain(Series{Level: LevelPainProduct, Category: k.Category, Subcategory: k.Subcategory, Product: k.Product}, v)
		if c.level(LevelPain) {
			addPain(Series{Level: LevelPain, Category: k.Category, Subcategory: k.Subcategory}, v)
		}
	}
	return aggregates{scopes: scopes, pains: pains}
}

func complaintsLevel(k ScopeKey) string {
	switch {
	case k.Product != "" && k.Channel == "":
		return LevelComplaintsProduct
	case k.Product == "" && k.Channel == "":
		return LevelComplaints
	}
	return ""
}

// Series returns the series an evaluation of s watches, by key.
func (c Config) Series(s *Snapshot) []Series {
	c = c.WithDefaults()
	ag := c.aggregate(s)
	var out []Series
	for sr := range ag.pains {
		if c.level(sr.Level) || !c.NewPainPoint.Disabled {
			out = append(out, sr)
		}
	}
	for k := range ag.scopes {
		if l := complaintsLevel(k); l != "" && c.level(l) {
			out = append(out, Series{Level: l, Product: k.Product})
		}
		if l := sentimentLevel(k); c.level(l) {
			out = append(out, Series{Level: l, Product: k.Product, Channel: k.Channel})
		}
	}
	slices.SortFunc(out, func(a, b Series) int { return strings.Compare(a.Key(), b.Key()) })
	return out
}

// Detect returns the findings of s, in the order of Priority, strongest
// (lowest p-value) first within a level.
func (c Config) Detect(s *Snapshot) []Finding {
	c = c.WithDefaults()
	nw := len(s.Windows)
	alpha := c.Threshold()
	ag := c.aggregate(s)
	scopes, pains := ag.scopes, ag.pains

	var out []Finding
	// spike tests x against y with the rest of the scope as exposure.
	spike := func(sr Series, x []uint64, base uint64, baseTotal uint64, total func(int) uint64) {
		var best *Finding
		for i := range nw {
			xi := x[i]
			if xi < uint64(c.MinCount) {
				continue
			}
			p, exp := RateTest(xi, base, total(i), baseTotal)
			ratio := float64(xi) / math.Max(exp, 0.1)
			if p >= alpha || ratio < c.MinRatio {
				continue
			}
			if best == nil || p < best.PValue {
				best = &Finding{Kind: KindSpike, Series: sr, At: s.At, Window: s.Windows[i],
					Observed: float64(xi), Expected: exp, Ratio: ratio, PValue: p, Records: total(i)}
			}
		}
		if best != nil {
			out = append(out, *best)
		}
	}
	longest := nw - 1
	for sr, a := range pains {
		scope := scopes[ScopeKey{Product: sr.Product, Channel: sr.Channel}]
		if scope == nil {
			continue
		}
		if sr.Level == LevelPainProduct && !c.NewPainPoint.Disabled && a.hist == 0 &&
			a.cur[longest] >= uint64(c.NewPainPoint.MinCount) && scope.hist >= uint64(c.NewPainPoint.MinProductRecords) {
			out = append(out, Finding{Kind: KindNewPainPoint, Series: sr, At: s.At, Window: s.Windows[longest],
				Observed: float64(a.cur[longest]), Ratio: float64(a.cur[longest]) / 0.1, Records: scope.cur[longest]})
			continue
		}
		if !c.level(sr.Level) {
			continue
		}
		spike(sr, a.cur, a.base, scope.base, func(i int) uint64 { return scope.cur[i] })
	}
	for k, a := range scopes {
		if lvl := complaintsLevel(k); lvl != "" && c.level(lvl) {
			spike(Series{Level: lvl, Product: k.Product}, a.curCompl, a.baseCompl, a.base, func(i int) uint64 { return a.cur[i] })
		}
		if f, ok := c.sentimentDrop(s, k, a, alpha); ok {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b Finding) int {
		if d := Priority(a) - Priority(b); d != 0 {
			return d
		}
		if a.PValue != b.PValue {
			if a.PValue < b.PValue {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Series.Key(), b.Series.Key())
	})
	return out
}

func sentimentLevel(k ScopeKey) string {
	switch {
	case k.Product != "" && k.Channel != "":
		return LevelSentimentProductChannel
	case k.Product != "":
		return LevelSentimentProduct
	case k.Channel != "":
		return LevelSentimentChannel
	}
	return LevelSentiment
}

// sentimentDrop compares the window's mean sentiment with the baseline
// mean by a z-test. The per-record variance is estimated from the spread
// of hourly means in the baseline (pooled over the scope's cells): for
// hours with n_h records and mean m_h, sum n_h (m_h - m)² / (hours - 1)
// estimates it, and errs high when the mean also moves from hour to hour.
func (c Config) sentimentDrop(s *Snapshot, k ScopeKey, a *scopeAgg, alpha float64) (Finding, bool) {
	lvl := sentimentLevel(k)
	if !c.level(lvl) || a.base == 0 || a.df < 1 {
		return Finding{}, false
	}
	mb := a.baseSent / float64(a.base)
	variance := math.Max(a.q/a.df, 0.01)
	var best *Finding
	for i := range s.Windows {
		n := a.cur[i]
		if n < uint64(c.Sentiment.MinCount) || n == 0 {
			continue
		}
		mc := a.curSent[i] / float64(n)
		if mb-mc < c.Sentiment.MinDrop {
			continue
		}
		z := (mc - mb) / math.Sqrt(variance/float64(n)+variance/float64(a.base))
		p := NormalCDF(z)
		if p >= alpha {
			continue
		}
		if best == nil || p < best.PValue {
			best = &Finding{Kind: KindSentimentDrop, Series: Series{Level: lvl, Product: k.Product, Channel: k.Channel},
				At: s.At, Window: s.Windows[i], Observed: mc, Expected: mb, PValue: p, Records: n}
		}
	}
	if best == nil {
		return Finding{}, false
	}
	return *best, true
}

// Priority orders findings that may describe one event: new pain points
// first, then levels in the order of Levels.
func Priority(f Finding) int {
	if f.Kind == KindNewPainPoint {
		return -1
	}
	if i := slices.Index(Levels, f.Series.Level); i >= 0 {
		return i
	}
	return len(Levels)
}
