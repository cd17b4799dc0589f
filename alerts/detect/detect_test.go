package detect

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// binomialDirect sums the binomial pmf from k to n.
func binomialDirect(k, n int, p float64) float64 {
	s := 0.0
	for j := k; j <= n; j++ {
		lc, _ := math.Lgamma(float64(n + 1))
		a, _ := math.Lgamma(float64(j + 1))
		b, _ := math.Lgamma(float64(n - j + 1))
		s += math.Exp(lc - a - b + float64(j)*math.Log(p) + float64(n-j)*math.Log1p(-p))
	}
	return s
}

// hypergeomDirect sums the hypergeometric pmf from x on, term by term.
func hypergeomDirect(x, n, k, pop int) float64 {
	lc := func(a, b int) float64 {
		if b < 0 || b > a {
			return math.Inf(-1)
		}
		x, _ := math.Lgamma(float64(a + 1))
		y, _ := math.Lgamma(float64(b + 1))
		z, _ := math.Lgamma(float64(a - b + 1))
		return x - y - z
	}
	s := 0.0
	for j := x; j <= n; j++ {
		s += math.Exp(lc(k, j) + lc(pop-k, n-j) - lc(pop, n))
	}
	return s
}

func close(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9+1e-7*math.Max(math.Abs(a), math.Abs(b))
}

func TestBinomialUpper(t *testing.T) {
	for _, n := range []int{1, 5, 30, 200} {
		for _, p := range []float64{0.001, 0.05, 0.3, 0.5, 0.9} {
			for k := 0; k <= n; k += max(1, n/7) {
				got, want := BinomialUpper(uint64(k), uint64(n), p), binomialDirect(k, n, p)
				if !close(got, want) {
					t.Errorf("BinomialUpper(%d, %d, %v) = %v, want %v", k, n, p, got, want)
				}
			}
		}
	}
	if BinomialUpper(3, 2, 0.5) != 0 || BinomialUpper(0, 2, 0.5) != 1 || BinomialUpper(1, 2, 0) != 0 {
		t.Error("edge cases")
	}
}

func TestHypergeomUpper(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		pop := 1 + r.IntN(400)
		k := r.IntN(pop + 1)
		n := r.IntN(pop + 1)
		x := r.IntN(n + 2)
		got, want := HypergeomUpper(uint64(x), uint64(n), uint64(k), uint64(pop)), hypergeomDirect(x, n, k, pop)
		if x == 0 {
			want = 1
		}
		if !close(got, math.Min(want, 1)) {
			t.Errorf("HypergeomUpper(x=%d, n=%d, K=%d, N=%d) = %v, want %v", x, n, k, pop, got, want)
		}
	}
}

func TestRateTest(t *testing.T) {
	// 1% share in the baseline; 500 records in the window: 5 expected.
	p25, e := RateTest(25, 100, 500, 10000)
	if math.Abs(e-5) > 1e-9 {
		t.Errorf("expected %v, want 5", e)
	}
	p10, _ := RateTest(10, 100, 500, 10000)
	if !(p25 < 1e-8 && p10 > p25 && p10 < 0.05) {
		t.Errorf("p(25) = %v, p(10) = %v", p25, p10)
	}
	// The same share in a busier window is not a spike.
	if p, _ := RateTest(25, 100, 2500, 10000); p < 0.3 {
		t.Errorf("proportional count: p = %v", p)
	}
	// A thinner baseline is less certain.
	pThin, _ := RateTest(25, 10, 500, 1000)
	if pThin <= p25 {
		t.Errorf("thin baseline p %v should exceed %v", pThin, p25)
	}
	// At or below expectation: 1.
	if p, _ := RateTest(5, 100, 500, 10000); p != 1 {
		t.Errorf("p at expectation = %v", p)
	}
}

func TestNormalCDF(t *testing.T) {
	for _, c := range []struct{ z, p float64 }{{0, 0.5}, {-1.959963984540054, 0.025}, {-4.264890793922825, 1e-5}} {
		if got := NormalCDF(c.z); math.Abs(got-c.p) > 1e-9 {
			t.Errorf("NormalCDF(%v) = %v, want %v", c.z, got, c.p)
		}
	}
}

var t0 = time.Date(2025, 3, 31, 10, 0, 0, 0, time.UTC)

func TestBounds(t *testing.T) {
	c := Config{}
	b := c.Bounds(t0)
	wantFrom := []time.Time{t0.Add(-time.Hour), t0.Add(-6 * time.Hour), t0.Add(-24 * time.Hour)}
	for i, w := range b.Windows {
		if !w.From.Equal(wantFrom[i]) || !w.To.Equal(t0) {
			t.Errorf("window %d: %s - %s", i, w.From, w.To)
		}
	}
	if !b.BaseTo.Equal(t0.Add(-24*time.Hour)) || !b.BaseFrom.Equal(b.BaseTo.Add(-672*time.Hour)) || !b.HistFrom.Equal(b.BaseTo.Add(-2160*time.Hour)) {
		t.Errorf("bounds %+v", b)
	}
	// Off the hour, the window also covers the current, partial hour.
	b = c.Bounds(t0.Add(5 * time.Minute))
	if !b.Windows[0].From.Equal(t0.Add(-time.Hour)) {
		t.Errorf("1h window at 10:05 starts %s, want 09:00", b.Windows[0].From)
	}
	if b := (Config{NewPainPoint: NewPainPoint{Disabled: true}}).Bounds(t0); !b.HistFrom.Equal(b.BaseFrom) || !b.Earliest().Equal(b.BaseFrom) {
		t.Errorf("disabled new pain points: %+v", b)
	}
}

// snap builds a snapshot with one product in one channel: scope traffic
// base and cur (every window), and one pain point with pBase and pCur.
func snap(c Config, base, cur, pBase, pCur, pHist, scopeHist uint64) *Snapshot {
	s := NewSnapshot(c.Bounds(t0))
	sc := s.Scope(ScopeKey{"P1", "app"})
	sc.Base, sc.Hist = base, scopeHist
	for i := range sc.Cur {
		sc.Cur[i] = cur
	}
	pc := s.Pain(PainKey{"物流", "配送慢", "P1", "app"})
	pc.Base, pc.Hist = pBase, pHist
	for i := range pc.Cur {
		pc.Cur[i] = pCur
	}
	return s
}

func findings(fs []Finding, kind, level string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Kind == kind && f.Series.Level == level {
			out = append(out, f)
		}
	}
	return out
}

func TestDetectSpike(t *testing.T) {
	c := Config{Windows: []time.Duration{time.Hour}}
	tests := []struct {
		name      string
		cur, pCur uint64
		want      bool
	}{
		{"5x", 500, 25, true},
		{"volume doubled, same share", 2500, 25, false},
		{"below min count", 20, 4, false},
		{"significant but below min ratio", 100000, 1300, false},
		{"quiet", 500, 5, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := c.Detect(snap(c, 1000000, tc.cur, 10000, tc.pCur, 10000, 1000000))
			for _, level := range []string{LevelPainProductChannel, LevelPainProduct, LevelPain} {
				got := findings(fs, KindSpike, level)
				if (len(got) == 1) != tc.want {
					t.Fatalf("%s: %d findings, want %v: %+v", level, len(got), tc.want, fs)
				}
				if tc.want {
					f := got[0]
					if f.Observed != float64(tc.pCur) || math.Abs(f.Expected-float64(tc.cur)/100) > 1e-9 || f.PValue >= c.Threshold() || f.Window.Len != time.Hour {
						t.Errorf("%s: %+v", level, f)
					}
				}
			}
		})
	}
}

func TestDetectLevels(t *testing.T) {
	c := Config{Windows: []time.Duration{time.Hour}, Levels: []string{LevelPain}}
	fs := c.Detect(snap(c, 1000000, 500, 10000, 25, 10000, 1000000))
	if len(fs) != 1 || fs[0].Series != (Series{Level: LevelPain, Category: "物流", Subcategory: "配送慢"}) {
		t.Fatalf("findings %+v, want only the pain level", fs)
	}
}

func TestDetectComplaints(t *testing.T) {
	c := Config{Windows: []time.Duration{6 * time.Hour}}
	s := NewSnapshot(c.Bounds(t0))
	sc := s.Scope(ScopeKey{"P1", "app"})
	sc.Base, sc.BaseComplaints = 100000, 10000
	sc.Cur[0], sc.CurComplaints[0] = 400, 120
	fs := c.Detect(s)
	for _, level := range []string{LevelComplaintsProduct, LevelComplaints} {
		got := findings(fs, KindSpike, level)
		if len(got) != 1 || got[0].Observed != 120 || math.Abs(got[0].Expected-40) > 1e-9 || got[0].Records != 400 {
			t.Errorf("%s: %+v", level, got)
		}
	}
}

func TestDetectNewPainPoint(t *testing.T) {
	c := Config{}
	tests := []struct {
		name              string
		pHist, scopeHist  uint64
		pCur              uint64
		disabled, wantNew bool
	}{
		{"new", 0, 5000, 3, false, true},
		{"seen before", 1, 5000, 3, false, false},
		{"too few", 0, 5000, 2, false, false},
		{"new product", 0, 100, 3, false, false},
		{"disabled", 0, 5000, 3, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.NewPainPoint.Disabled = tc.disabled
			fs := c.Detect(snap(c, 5000, 200, 0, tc.pCur, tc.pHist, tc.scopeHist))
			got := findings(fs, KindNewPainPoint, LevelPainProduct)
			if (len(got) == 1) != tc.wantNew {
				t.Fatalf("new pain point findings %+v, want %v", fs, tc.wantNew)
			}
			if tc.wantNew && (got[0].Observed != float64(tc.pCur) || got[0].Window.Len != 24*time.Hour) {
				t.Errorf("%+v", got[0])
			}
		})
	}
}

func TestDetectSentimentDrop(t *testing.T) {
	c := Config{Windows: []time.Duration{6 * time.Hour}}
	// Baseline: 500 hours of 20 records, hourly means alternating 0.1 and
	// 0.3 (mean 0.2).
	build := func(n uint64, mean float64) *Snapshot {
		s := NewSnapshot(c.Bounds(t0))
		sc := s.Scope(ScopeKey{"P1", "app"})
		for h := range 500 {
			m := 0.1
			if h%2 == 1 {
				m = 0.3
			}
			sc.Base += 20
			sc.BaseSentiment += 20 * m
			sc.SentSq += (20 * m) * (20 * m) / 20
			sc.SentHours++
		}
		sc.Cur[0] = n
		sc.CurSentiment[0] = float64(n) * mean
		return s
	}
	tests := []struct {
		name string
		n    uint64
		mean float64
		want bool
	}{
		{"drop", 100, -0.3, true},
		{"few records", 20, -0.3, false},
		{"small drop", 100, 0.05, false},
		{"rise", 100, 0.6, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := c.Detect(build(tc.n, tc.mean))
			got := findings(fs, KindSentimentDrop, LevelSentimentProductChannel)
			if (len(got) == 1) != tc.want {
				t.Fatalf("findings %+v, want %v", fs, tc.want)
			}
			if tc.want {
				f := got[0]
				if math.Abs(f.Observed-tc.mean) > 1e-9 || math.Abs(f.Expected-0.2) > 1e-9 || f.Records != tc.n {
					t.Errorf("%+v", f)
				}
				if len(findings(fs, KindSentimentDrop, LevelSentiment)) != 1 {
					t.Error("no overall sentiment finding")
				}
			}
		})
	}
}

func TestSeriesKey(t *testing.T) {
	for _, s := range []Series{
		{Level: LevelPainProductChannel, Category: "物流", Subcategory: "配送慢", Product: "SKU-1 杯", Channel: "app"},
		{Level: LevelComplaints},
		{Level: LevelSentimentChannel, Channel: "chat"},
	} {
		got, err := ParseKey(s.Key())
		if err != nil || got != s {
			t.Errorf("ParseKey(%q) = %+v, %v", s.Key(), got, err)
		}
	}
	if got := (Series{Level: LevelPain, Category: "质量", Subcategory: "漏液"}).Key(); got != "pain|质量/漏液|*|*" {
		t.Errorf("key %q", got)
	}
	for _, bad := range []string{"", "a|b|c", "pain|漏液|*|*"} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) succeeded", bad)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"zero", Config{}, ""},
		{"full", Config{Windows: []time.Duration{2 * time.Hour, 48 * time.Hour}, Lookback: 336 * time.Hour, Sensitivity: "high", MinRatio: 3,
			Levels: []string{LevelPain}, NewPainPoint: NewPainPoint{Lookback: 720 * time.Hour}, Sentiment: Sentiment{MinDrop: 0.3}}, ""},
		{"fractional window", Config{Windows: []time.Duration{time.Hour, 90 * time.Minute}}, "windows[1]"},
		{"long window", Config{Windows: []time.Duration{200 * time.Hour}}, "windows[0]"},
		{"short lookback", Config{Lookback: time.Hour}, "lookback"},
		{"sensitivity", Config{Sensitivity: "paranoid"}, "sensitivity"},
		{"p value", Config{PValue: 0.5}, "p_value"},
		{"min count", Config{MinCount: -1}, "min_count"},
		{"min ratio", Config{MinRatio: 0.5}, "min_ratio"},
		{"level", Config{Levels: []string{LevelPain, "sku"}}, "levels[1]"},
		{"new lookback", Config{NewPainPoint: NewPainPoint{Lookback: 30 * time.Minute}}, "new_pain_point.lookback"},
		{"new min count", Config{NewPainPoint: NewPainPoint{MinCount: -2}}, "new_pain_point.min_count"},
		{"min drop", Config{Sentiment: Sentiment{MinDrop: 3}}, "sentiment.min_drop"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v, want a FieldError on %s", err, tc.field)
			}
		})
	}
	if (Config{PValue: 0.002, Sensitivity: "low"}).Threshold() != 0.002 || (Config{Sensitivity: "high"}).Threshold() != 1e-4 {
		t.Error("threshold")
	}
}

func TestCubeSnapshot(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	start := t0.Add(-2000 * time.Hour)
	c := NewCube(start, t0.Add(time.Hour))
	type painRow struct {
		h time.Time
		k PainKey
		n uint64
	}
	type scopeRow struct {
		h       time.Time
		k       ScopeKey
		n, cpl  uint64
		sent    float64
		ignored bool
	}
	var pains []painRow
	var scopes []scopeRow
	keys := []PainKey{{"物流", "配送慢", "P1", "app"}, {"质量", "漏液", "P2", "web"}, {"物流", "配送慢", "P2", "app"}}
	for range 3000 {
		h := start.Add(time.Duration(r.IntN(2100)-50) * time.Hour) // some outside the cube
		k := keys[r.IntN(len(keys))]
		n := uint64(1 + r.IntN(3))
		pains = append(pains, painRow{h, k, n})
		c.AddPain(h, k, n)
		sk := ScopeKey{k.Product, k.Channel}
		sr := scopeRow{h: h, k: sk, n: n + uint64(r.IntN(5)), sent: r.Float64()*2 - 1}
		sr.cpl = uint64(r.IntN(int(sr.n) + 1))
		scopes = append(scopes, sr)
		c.AddScope(h, sk, sr.n, sr.cpl, sr.sent)
	}
	in := func(h, from, to time.Time) bool {
		return !h.Before(start) && h.Before(c.End()) && !h.Before(from) && h.Before(to)
	}
	cfg := Config{Lookback: 500 * time.Hour, NewPainPoint: NewPainPoint{Lookback: 1000 * time.Hour}}
	for _, at := range []time.Time{t0, t0.Add(-37*time.Hour - 20*time.Minute), start.Add(600 * time.Hour)} {
		b := cfg.Bounds(at)
		s := c.Snapshot(b)
		for _, k := range keys {
			var want PainCounts
			want.Cur = make([]uint64, len(b.Windows))
			for _, p := range pains {
				if p.k != k {
					continue
				}
				if in(p.h, b.BaseFrom, b.BaseTo) {
					want.Base += p.n
				}
				if in(p.h, b.HistFrom, b.BaseTo) {
					want.Hist += p.n
				}
				for i, w := range b.Windows {
					if in(p.h, w.From, w.To) {
						want.Cur[i] += p.n
					}
				}
			}
			got := s.Pains[k]
			if got == nil {
				got = &PainCounts{Cur: make([]uint64, len(b.Windows))}
			}
			if got.Base != want.Base || got.Hist != want.Hist || !equalU(got.Cur, want.Cur) {
				t.Errorf("at %s %v: got %+v, want %+v", at, k, got, want)
			}
		}
		for _, k := range []ScopeKey{{"P1", "app"}, {"P2", "web"}} {
			var base, cpl, hist uint64
			var sent float64
			hours := map[time.Time][2]float64{}
			cur := make([]uint64, len(b.Windows))
			for _, sr := range scopes {
				if sr.k != k {
					continue
				}
				if in(sr.h, b.BaseFrom, b.BaseTo) {
					base += sr.n
					cpl += sr.cpl
					sent += sr.sent
					h := sr.h.Truncate(time.Hour)
					v := hours[h]
					hours[h] = [2]float64{v[0] + float64(sr.n), v[1] + sr.sent}
				}
				if in(sr.h, b.HistFrom, b.BaseTo) {
					hist += sr.n
				}
				for i, w := range b.Windows {
					if in(sr.h, w.From, w.To) {
						cur[i] += sr.n
					}
				}
			}
			var sq float64
			for _, v := range hours {
				sq += v[1] * v[1] / v[0]
			}
			got := s.Scopes[k]
			if got.Base != base || got.BaseComplaints != cpl || got.Hist != hist || !equalU(got.Cur, cur) ||
				got.SentHours != uint64(len(hours)) || math.Abs(got.BaseSentiment-sent) > 1e-6 || math.Abs(got.SentSq-sq) > 1e-6 {
				t.Errorf("at %s %v: got %+v, want base %d cpl %d hist %d cur %v hours %d sent %v sq %v", at, k, got, base, cpl, hist, cur, len(hours), sent, sq)
			}
		}
	}
}

func equalU(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// benchCube is four weeks of hourly data for 5 products × 7 channels ×
// 11 pain points.
func benchCube() (*Cube, time.Time) {
	r := rand.New(rand.NewPCG(5, 6))
	end := t0
	start := end.Add(-(28*24 + 48) * time.Hour)
	c := NewCube(start, end)
	for h := start; h.Before(end); h = h.Add(time.Hour) {
		for p := range 5 {
			for ch := range 7 {
				sk := ScopeKey{Product: fmt.Sprintf("P%d", p), Channel: fmt.Sprintf("c%d", ch)}
				c.AddScope(h, sk, uint64(5+r.IntN(10)), uint64(r.IntN(5)), r.Float64()*4-2)
				for k := range 11 {
					if r.IntN(4) == 0 {
						c.AddPain(h, PainKey{Category: "cat", Subcategory: fmt.Sprint(k), Product: sk.Product, Channel: sk.Channel}, 1)
					}
				}
			}
		}
	}
	return c, end
}

func BenchmarkDetect(b *testing.B) {
	c, end := benchCube()
	cfg := Config{NewPainPoint: NewPainPoint{Lookback: 28 * 24 * time.Hour}}
	s := c.Snapshot(cfg.Bounds(end))
	b.ReportAllocs()
	for b.Loop() {
		cfg.Detect(s)
	}
}

func BenchmarkCubeSnapshot(b *testing.B) {
	c, end := benchCube()
	cfg := Config{NewPainPoint: NewPainPoint{Lookback: 28 * 24 * time.Hour}}
	c.Snapshot(cfg.Bounds(end))
	b.ReportAllocs()
	for b.Loop() {
		c.Snapshot(cfg.Bounds(end))
	}
}
