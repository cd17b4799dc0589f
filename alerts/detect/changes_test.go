package detect

import (
	"math"
	"testing"
	"time"
)

// changesCube is 42 days of two products in two channels, 100 records a
// day each, with 物流/配送慢 on 3 of them a day everywhere; spike adds
// records with 质量/漏液 for P1 on day 38 (channel "" spreads them).
func changesCube(spike map[string]uint64) (*Cube, time.Time) {
	return changesCubeIn(time.UTC, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), spike)
}

// changesCubeIn is changesCube of the calendar days in loc from start.
func changesCubeIn(loc *time.Location, start time.Time, spike map[string]uint64) (*Cube, time.Time) {
	c := NewDailyCube(start, start.AddDate(0, 0, 42), loc)
	for d := range 42 {
		day := start.AddDate(0, 0, d)
		for _, p := range []string{"P1", "P2"} {
			for _, ch := range []string{"app", "web"} {
				c.AddScope(day, ScopeKey{p, ch}, 100, 10, 30)
				c.AddPain(day, PainKey{"物流", "配送慢", p, ch}, 3)
				if d%4 == 0 {
					c.AddPain(day, PainKey{"质量", "漏液", p, ch}, 1)
				}
			}
		}
	}
	for ch, n := range spike {
		c.AddPain(start.AddDate(0, 0, 38), PainKey{"质量", "漏液", "P1", ch}, n)
	}
	return c, start
}

func TestChanges(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spike map[string]uint64
		want  Series
	}{
		{"one channel", map[string]uint64{"app": 24}, Series{Level: LevelPainProductChannel, Category: "质量", Subcategory: "漏液", Product: "P1", Channel: "app"}},
		{"spread", map[string]uint64{"app": 12, "web": 12}, Series{Level: LevelPainProduct, Category: "质量", Subcategory: "漏液", Product: "P1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, start := changesCube(tc.spike)
			from, to := start.AddDate(0, 0, 28), start.AddDate(0, 0, 42)
			got := Config{}.Changes(c, from, to, 0)
			if len(got) == 0 {
				t.Fatal("no changes")
			}
			first := got[0]
			if first.Series != tc.want || first.Kind != KindSpike {
				t.Fatalf("first change %+v, want %+v", first.Series, tc.want)
			}
			if !first.Window.From.Equal(start.AddDate(0, 0, 38)) || first.Window.To.Sub(first.Window.From) != 24*time.Hour {
				t.Errorf("window %+v", first.Window)
			}
			if len(first.Days) != 14 || first.Days[10] != first.Observed || first.Excess <= 0 || first.Excess >= first.Observed {
				t.Errorf("days %v, observed %v, excess %v", first.Days, first.Observed, first.Excess)
			}
			// 漏液 every fourth day: a quarter a day per cell.
			perCell := 0.25
			if tc.want.Channel == "" {
				perCell *= 2
			}
			if math.Abs(first.Usual-perCell) > 0.05 {
				t.Errorf("usual %v, want about %v", first.Usual, perCell)
			}
			// Listed once: no other change overlaps it.
			for _, ch := range got[1:] {
				if Absorbs(ch.Series, first.Series) || Absorbs(first.Series, ch.Series) {
					t.Errorf("also listed: %+v", ch.Series)
				}
			}
		})
	}
	// Steady series change nothing.
	c, start := changesCube(nil)
	if got := (Config{}).Changes(c, start.AddDate(0, 0, 28), start.AddDate(0, 0, 42), 0); len(got) != 0 {
		t.Errorf("steady feed: %+v", got)
	}
}

// TestChangesZone: a daily cube's days are calendar days of its zone, 23
// hours long on the change to summer time, and what a record counts on is
// the day of its local time.
func TestChangesZone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	// Day 38 from 2026-02-19 is 2026-03-29, when Berlin moves to summer time.
	start := time.Date(2026, 2, 19, 0, 0, 0, 0, berlin)
	c, _ := changesCubeIn(berlin, start, map[string]uint64{"app": 24})
	if !c.Start().Equal(start) || !c.End().Equal(start.AddDate(0, 0, 42)) {
		t.Fatalf("cube %s – %s", c.Start(), c.End())
	}
	got := Config{}.Changes(c, start.AddDate(0, 0, 28), start.AddDate(0, 0, 42), 1)
	if len(got) != 1 || got[0].Series.Product != "P1" || got[0].Series.Channel != "app" {
		t.Fatalf("changes %+v", got)
	}
	w := got[0].Window
	if day := time.Date(2026, 3, 29, 0, 0, 0, 0, berlin); !w.From.Equal(day) || !w.To.Equal(day.AddDate(0, 0, 1)) || w.To.Sub(w.From) != 23*time.Hour {
		t.Errorf("window %s – %s (%s)", w.From, w.To, w.To.Sub(w.From))
	}
	if got[0].Days[10] != got[0].Observed || got[0].Observed != 24 {
		t.Errorf("observed %v, days %v", got[0].Observed, got[0].Days)
	}
	// 2026-03-01 23:30 UTC is 03-02 00:30 in Berlin.
	c2 := NewDailyCube(start, start.AddDate(0, 0, 42), berlin)
	c2.AddPain(time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC), PainKey{"质量", "漏液", "P1", "app"}, 1)
	totals := c2.PainTotals(time.Date(2026, 3, 2, 0, 0, 0, 0, berlin), time.Date(2026, 3, 3, 0, 0, 0, 0, berlin))
	if totals[PainKey{"质量", "漏液", "P1", "app"}] != 1 {
		t.Errorf("a record at 03-02 00:30 local is not on 03-02: %v", totals)
	}
}
