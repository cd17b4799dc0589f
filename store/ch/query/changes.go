package query

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vocproject/voc/alerts/detect"
)

// What changed: the alert detector's statistics (alerts/detect, the same
// test an alert fires on) run once per day of a period, so that the
// dashboard, the API and the weekly report open on the surges, new pain
// points and sentiment drops of the period, per pain point × product ×
// channel and coarser, most excess records first.

// ChangesDetector is the detector configuration of Changes: the alert
// defaults (p < 1e-5, at least 5 records and twice the expectation for a
// surge) on a one-day window against the 28 days before it, the
// new-pain-point history being the same 28 days. Complaint series are left
// out: no filter of the drill-down selects exactly a day's complaints.
var ChangesDetector = detect.Config{
	Lookback:     28 * 24 * time.Hour,
	NewPainPoint: detect.NewPainPoint{Lookback: 28 * 24 * time.Hour},
	Levels: []string{detect.LevelPainProduct, detect.LevelPainProductChannel, detect.LevelPain,
		detect.LevelSentimentProduct, detect.LevelSentimentProductChannel, detect.LevelSentimentChannel, detect.LevelSentiment},
}

// Change is one thing that changed in a period (see detect.Change): a
// series on its strongest day.
type Change struct {
	// Kind is spike, new_pain_point or sentiment_drop; Level the series'
	// level (detect.Level…). Category and Subcategory name the pain point
	// (empty for a sentiment drop), Product and Channel the scope (empty:
	// all).
	Kind        string `json:"kind"`
	Level       string `json:"level"`
	Category    string `json:"category,omitempty"`
	Subcategory string `json:"subcategory,omitempty"`
	Product     string `json:"product,omitempty"`
	Channel     string `json:"channel,omitempty"`
	// From and To bound the day (in the filter's zone).
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Observed is the records with the pain point that day (mean sentiment
	// for a sentiment drop); Expected what the baseline's share predicts
	// for the day's traffic (the baseline's mean sentiment); Usual the
	// records a day in the baseline (the baseline's mean sentiment).
	Observed float64 `json:"observed"`
	Expected float64 `json:"expected"`
	Usual    float64 `json:"usual"`
	// Excess is the impact the changes are ranked by (detect.Change).
	Excess float64 `json:"excess"`
	Ratio  float64 `json:"ratio"`
	P      float64 `json:"p"`
	// Records are the scope's records that day.
	Records uint64 `json:"records"`
	// Days is the series per day of the period (its sparkline): records,
	// or mean sentiment for a sentiment drop.
	Days []float64 `json:"days"`
	// Drill are the /api/v1/search parameters that select exactly the
	// records counted in Observed (for a sentiment drop: in Records).
	Drill map[string]string `json:"drill"`
}

// Key is "category/subcategory", or "" for a sentiment drop.
func (c Change) Key() string {
	if c.Category == "" {
		return ""
	}
	return c.Category + "/" + c.Subcategory
}

// Changes are the changes of a period.
type Changes struct {
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Items []Change  `json:"items"`
	// Matrix is the period's pain points by product, from the same counts.
	Matrix *PainMatrix `json:"matrix"`

	// cube holds the daily counts read, sums the same as rows; whole when
	// the filter's range was whole days (From and To unrounded).
	cube  *detect.Cube
	sums  *DaySums
	whole bool
}

// Sums are the daily sums the changes were found in, from 28 days before
// the range on (the overview of a range of whole days comes from them:
// DaySums.Overview).
func (c *Changes) Sums() *DaySums { return c.sums }

// PainDays returns the records with the pain point key
// ("category/subcategory") per day of the range, from the daily counts
// Changes read (as PainTrends by day would count them); false when the
// range was not whole days of the zone (a partial day holds hours outside
// it).
func (c *Changes) PainDays(key string) ([]uint64, bool) {
	cat, sub, ok := strings.Cut(key, "/")
	if c.cube == nil || !c.whole || !ok {
		return nil, false
	}
	return c.cube.PainBuckets(cat, sub, c.From, c.To), true
}

// PainMatrix is records with a pain point per product in a period: the
// products with the most pain records (at most matrixProducts) by the pain
// points with the most records (at most matrixPains). Cells[i][j] is
// Products[i] × PainPoints[j]; Usual[i][j] the records a day of that cell
// in the 28 days before the period (over its days with data), so that a
// cell can say how far it is from normal. The products and pain points of
// the changes come first.
type PainMatrix struct {
	Products   []string    `json:"products"`
	PainPoints []string    `json:"pain_points"`
	Cells      [][]uint64  `json:"cells"`
	Usual      [][]float64 `json:"usual"`
	Days       int         `json:"days"`
}

// Matrix bounds.
const (
	matrixProducts = 8
	matrixPains    = 8
)

// Changes returns what changed in the days of f's range (days in f's
// zone, the range rounded out to whole days), at most limit items (0:
// all): the detector of ChangesDetector evaluated at the end of each day
// on the daily sums of pain_hourly and feedback_hourly (of the raw tables
// with a customer tier) from 28 days before the range on, within f's
// product, channel, tier and pain point. f's mention filter is ignored.
func (s *Store) Changes(ctx context.Context, f Filter, limit int) (*Changes, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	loc := f.zone()
	from := StartOfDay(f.From, loc)
	to := StartOfDay(f.To, loc)
	if to.Before(f.To) {
		to = to.AddDate(0, 0, 1)
	}
	det := ChangesDetector.WithDefaults()
	cube := detect.NewDailyCube(det.DayBounds(from).Earliest(), to, loc)
	sums, err := s.daySums(ctx, f, cube.Start(), cube.End(), cube)
	if err != nil {
		return nil, err
	}
	out := &Changes{From: from, To: to, Items: []Change{}, cube: cube, sums: sums, whole: from.Equal(f.From) && to.Equal(f.To)}
	for _, c := range det.Changes(cube, from, to, limit) {
		out.Items = append(out.Items, change(c, f))
	}
	out.Matrix = painMatrix(cube, from, to, det.DayBounds(from).BaseFrom, out.Items)
	return out, nil
}

// painMatrix sums the cube's pain series by product and pain point over
// [from, to) and over the baseline [baseFrom, from); the products and pain points
// of the changes come first.
func painMatrix(c *detect.Cube, from, to, baseFrom time.Time, changes []Change) *PainMatrix {
	type key struct{ product, pain string }
	cur, base := map[key]uint64{}, map[key]uint64{}
	byProduct, byPain := map[string]uint64{}, map[string]uint64{}
	for k, n := range c.PainTotals(from, to) {
		kk := key{k.Product, k.Category + "/" + k.Subcategory}
		cur[kk] += n
		byProduct[k.Product] += n
		byPain[kk.pain] += n
	}
	for k, n := range c.PainTotals(baseFrom, from) {
		base[key{k.Product, k.Category + "/" + k.Subcategory}] += n
	}
	var chProducts, chPains []string
	for _, ch := range changes {
		if ch.Product != "" && !slices.Contains(chProducts, ch.Product) {
			chProducts = append(chProducts, ch.Product)
		}
		if k := ch.Key(); k != "" && !slices.Contains(chPains, k) {
			chPains = append(chPains, k)
		}
	}
	top := func(m map[string]uint64, first []string, limit int) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		slices.SortFunc(out, func(a, b string) int {
			ia, ib := slices.Index(first, a), slices.Index(first, b)
			switch {
			case ia >= 0 && ib >= 0:
				return cmp.Compare(ia, ib)
			case ia >= 0:
				return -1
			case ib >= 0:
				return 1
			case m[a] != m[b]:
				return cmp.Compare(m[b], m[a])
			}
			return strings.Compare(a, b)
		})
		return out[:min(len(out), limit)]
	}
	m := &PainMatrix{Products: top(byProduct, chProducts, matrixProducts), PainPoints: top(byPain, chPains, matrixPains),
		Days: len(DaysOf(from, to, c.Zone()))}
	// The days of the baseline that hold data (a young database has fewer).
	baseDays := float64(c.ActiveBuckets(baseFrom, from))
	for _, p := range m.Products {
		row, urow := make([]uint64, len(m.PainPoints)), make([]float64, len(m.PainPoints))
		for j, pp := range m.PainPoints {
			row[j] = cur[key{p, pp}]
			if baseDays > 0 {
				urow[j] = math.Round(float64(base[key{p, pp}])/baseDays*100) / 100
			}
		}
		m.Cells, m.Usual = append(m.Cells, row), append(m.Usual, urow)
	}
	return m
}

// change is c in the API's terms, with the drill-down of its records.
func change(c detect.Change, f Filter) Change {
	r3 := func(x float64) float64 { return math.Round(x*1000) / 1000 }
	sr := c.Series
	out := Change{Kind: c.Kind, Level: sr.Level, Category: sr.Category, Subcategory: sr.Subcategory,
		Product: sr.Product, Channel: sr.Channel, From: c.Window.From, To: c.Window.To,
		Observed: r3(c.Observed), Expected: r3(c.Expected), Usual: r3(c.Usual), Excess: r3(c.Excess), Ratio: r3(c.Ratio),
		P: c.PValue, Records: c.Records, Days: c.Days}
	out.Drill = map[string]string{"from": out.From.Format(time.RFC3339), "to": out.To.Format(time.RFC3339)}
	set := func(k, v string) {
		if v != "" {
			out.Drill[k] = v
		}
	}
	set("product", f.Product)
	set("channel", f.Channel)
	set("customer_tier", f.Tier)
	set("product", sr.Product)
	set("channel", sr.Channel)
	set("category", out.Key())
	return out
}
