package detect_test

import (
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/vocproject/voc/alerts/detect"
	"github.com/vocproject/voc/internal/gen"
)

// simSpikes are injected on days 28-55 of a 56-day feed, after four weeks
// of baseline, on series of various sizes.
var simSpikes = []gen.Spike{
	{Day: 30, Product: "SKU-1001 保温杯", Category: "物流", Subcategory: "配送慢"},
	{Day: 32, Product: "SKU-1005 洗面奶", Category: "质量", Subcategory: "漏液"},
	{Day: 34, Product: "SKU-1003 蓝牙耳机", Category: "服务", Subcategory: "态度差"},
	{Day: 36, Product: "SKU-1002 电动牙刷", Category: "真伪", Subcategory: "假货"},
	{Day: 38, Product: "SKU-1004 空气炸锅", Category: "售后", Subcategory: "退款难"},
	{Day: 41, Product: "SKU-1001 保温杯", Category: "质量", Subcategory: "漏液"},
	{Day: 44, Product: "SKU-1005 洗面奶", Category: "价格", Subcategory: "贵"},
	{Day: 47, Product: "SKU-1003 蓝牙耳机", Category: "物流", Subcategory: "暴力运输"},
	{Day: 50, Product: "SKU-1004 空气炸锅", Category: "真伪", Subcategory: "假货"},
	{Day: 53, Product: "SKU-1002 电动牙刷", Category: "服务", Subcategory: "响应慢"},
}

// simResult is the outcome of one simulated run.
type simResult struct {
	series       int     // series watched
	weeks        float64 // evaluated weeks
	detected     int     // spikes alerted
	missed       []string
	delays       []time.Duration // from the spike day's start to the alert
	firstDelays  []time.Duration // from the spike's first message to the alert
	windows      []time.Duration // window of the alert that caught each spike
	caught       []string        // how each spike was caught
	seen         []float64       // share of the spike's messages created before its alert
	trueAlerts   int
	falseAlerts  []detect.ReplayAlert
	falseByKind  map[string]int
	minBaseline  float64 // smallest spiked series' daily baseline
	meanMessages int     // messages per day
}

func (r simResult) falseRate() float64 {
	return float64(len(r.falseAlerts)) / r.weeks / (float64(r.series) / 100)
}

// simulate generates a 56-day feed with the spikes (factor) and noise,
// replays the detector hourly over days 28-55 and matches alerts with
// spikes: an alert is true when its series overlaps the spiked pain point
// and product (detect.Absorbs either way) and it opened between the
// spike day's start and the end of the day after (a 24h window still
// holds the spike then).
func simulate(t *testing.T, perDay int, factor float64, noise gen.Noise, cfg detect.Config) simResult {
	t.Helper()
	spikes := slices.Clone(simSpikes)
	for i := range spikes {
		spikes[i].Factor = factor
	}
	g, err := gen.New(gen.Config{Seed: 7, Days: 56, PerDay: perDay, Spikes: spikes})
	if err != nil {
		t.Fatal(err)
	}
	items := noise.Apply(g.Items())
	start := g.Config().Start
	cube := gen.Cube(items, start, start.AddDate(0, 0, 56))
	from, to := start.AddDate(0, 0, 28), start.AddDate(0, 0, 56)
	alerts := detect.Replay(cube, cfg, detect.Policy{}, from, to, time.Hour)

	res := simResult{weeks: to.Sub(from).Hours() / 24 / 7, falseByKind: map[string]int{}, meanMessages: len(items) / 56, minBaseline: 1e9}
	res.series = len(cfg.Series(cube.Snapshot(cfg.Bounds(to))))
	first := map[int]time.Time{}
	spikeTimes := map[int][]time.Time{}
	for _, it := range items {
		if !it.Truth.Spike {
			continue
		}
		for i, s := range spikes {
			if s.Day == it.Truth.Day && s.Product == it.Msg.Product && it.Truth.Has(s.Category, s.Subcategory) {
				if f, ok := first[i]; !ok || it.Msg.CreatedAt.Before(f) {
					first[i] = it.Msg.CreatedAt
				}
				spikeTimes[i] = append(spikeTimes[i], it.Msg.CreatedAt)
			}
		}
	}
	matched := make([]bool, len(alerts))
	for i, s := range spikes {
		res.minBaseline = min(res.minBaseline, g.Baseline(s.Product, s.Category, s.Subcategory))
		ss := detect.Series{Level: detect.LevelPainProduct, Category: s.Category, Subcategory: s.Subcategory, Product: s.Product}
		dayStart := start.AddDate(0, 0, s.Day)
		found := false
		for j, a := range alerts {
			at := a.Finding.At
			if at.Before(dayStart) || !at.Before(dayStart.Add(48*time.Hour)) {
				continue
			}
			if !detect.Absorbs(a.Finding.Series, ss) && !detect.Absorbs(ss, a.Finding.Series) {
				continue
			}
			matched[j] = true
			if !found {
				found = true
				res.detected++
				res.delays = append(res.delays, at.Sub(dayStart))
				res.firstDelays = append(res.firstDelays, at.Sub(first[i]))
				res.windows = append(res.windows, a.Finding.Window.Len)
				before := 0
				for _, c := range spikeTimes[i] {
					if c.Before(at) {
						before++
					}
				}
				res.seen = append(res.seen, float64(before)/float64(max(len(spikeTimes[i]), 1)))
				f := a.Finding
				res.caught = append(res.caught, fmt.Sprintf("day %d %s %s/%s (baseline %.1f/day, spike day %d): %s %s at %s window %s observed %.0f expected %.1f p %.2g",
					s.Day, s.Product, s.Category, s.Subcategory, g.Baseline(s.Product, s.Category, s.Subcategory), g.Planned(s.Day, s.Product, s.Category, s.Subcategory),
					f.Kind, f.Series.Key(), f.At.Format("01-02 15:04"), f.Window.Len, f.Observed, f.Expected, f.PValue))
			}
		}
		if !found {
			res.missed = append(res.missed, fmt.Sprintf("day %d %s %s/%s (baseline %.1f/day)", s.Day, s.Product, s.Category, s.Subcategory, g.Baseline(s.Product, s.Category, s.Subcategory)))
		}
	}
	for j, a := range alerts {
		if matched[j] {
			res.trueAlerts++
			continue
		}
		res.falseAlerts = append(res.falseAlerts, a)
		res.falseByKind[a.Finding.Kind+"/"+a.Finding.Series.Level]++
	}
	return res
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func (r simResult) report(t *testing.T, name string) {
	t.Helper()
	t.Logf("%s: %d messages/day, %d series over %.0f weeks; spikes detected %d/%d (smallest spiked baseline %.1f/day)",
		name, r.meanMessages, r.series, r.weeks, r.detected, r.detected+len(r.missed), r.minBaseline)
	if len(r.delays) > 0 {
		seen := slices.Clone(r.seen)
		slices.Sort(seen)
		t.Logf("%s: delay from spike-day start median %s max %s; from first spike message median %s max %s; spike messages seen at alert median %.0f%% max %.0f%%; windows %v",
			name, median(r.delays), slices.Max(r.delays), median(r.firstDelays), slices.Max(r.firstDelays), 100*seen[len(seen)/2], 100*seen[len(seen)-1], r.windows)
	}
	kinds := make([]string, 0, len(r.falseByKind))
	for k := range r.falseByKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var byKind string
	for _, k := range kinds {
		byKind += fmt.Sprintf(" %s=%d", k, r.falseByKind[k])
	}
	t.Logf("%s: alerts true %d, false %d (%.2f per week per 100 series)%s", name, r.trueAlerts, len(r.falseAlerts), r.falseRate(), byKind)
	for _, c := range r.caught {
		t.Logf("%s: caught %s", name, c)
	}
	for _, m := range r.missed {
		t.Logf("%s: missed %s", name, m)
	}
	for _, a := range r.falseAlerts {
		f := a.Finding
		t.Logf("%s: false alert %s %s at %s window %s observed %.2f expected %.2f p %.2g", name, f.Kind, f.Series.Key(),
			f.At.Format("01-02 15:04"), f.Window.Len, f.Observed, f.Expected, f.PValue)
	}
}

// TestSimulatedFeed is the acceptance test of the detector: on a
// generated feed with spikes of 3× baseline and background noise, every
// spike is alerted within one (24h) window, with at most one false alert
// per simulated week per 100 watched series.
func TestSimulatedFeed(t *testing.T) {
	tests := []struct {
		name   string
		perDay int
		noise  gen.Noise
	}{
		{"generator", 2000, gen.Noise{}},
		{"noisy", 2000, gen.Noise{Seed: 3, Volume: 0.3, Pain: 0.2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := simulate(t, tc.perDay, 3, tc.noise, detect.Config{})
			r.report(t, tc.name)
			if len(r.missed) > 0 {
				t.Errorf("missed %d of %d spikes", len(r.missed), len(simSpikes))
			}
			for i, d := range r.delays {
				if d > 24*time.Hour {
					t.Errorf("spike %d alerted %s after its day started, more than one window", i, d)
				}
			}
			if rate := r.falseRate(); rate > 1 {
				t.Errorf("%.2f false alerts per week per 100 series, want at most 1", rate)
			}
		})
	}
}

// TestSimulatedSensitivity measures detection delay and false alerts for
// other spike sizes, sensitivities and a smaller feed (numbers for
// docs/alerts.md). It asserts only the false-alert budget (for the low
// and medium sensitivities) and that spikes of 5× and more are all caught
// within a window; at 500 messages a day a 3× spike of a series with 2-5
// records a day is below what any threshold within the budget can see.
func TestSimulatedSensitivity(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement")
	}
	noise := gen.Noise{Seed: 3, Volume: 0.3, Pain: 0.2}
	tests := []struct {
		name   string
		perDay int
		factor float64
		cfg    detect.Config
	}{
		{"2000/day 5x", 2000, 5, detect.Config{}},
		{"2000/day 10x", 2000, 10, detect.Config{}},
		{"500/day 3x", 500, 3, detect.Config{}},
		{"500/day 5x", 500, 5, detect.Config{}},
		{"2000/day 3x high", 2000, 3, detect.Config{Sensitivity: "high"}},
		{"2000/day 3x low", 2000, 3, detect.Config{Sensitivity: "low"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := simulate(t, tc.perDay, tc.factor, noise, tc.cfg)
			r.report(t, tc.name)
			if tc.factor >= 5 {
				if len(r.missed) > 0 {
					t.Errorf("missed %d spikes", len(r.missed))
				}
				for i, d := range r.delays {
					if d > 24*time.Hour {
						t.Errorf("spike %d alerted %s after its day started", i, d)
					}
				}
			}
			if rate := r.falseRate(); rate > 1 && tc.cfg.Sensitivity != "high" {
				t.Errorf("%.2f false alerts per week per 100 series", rate)
			}
		})
	}
}
