package detect

import (
	"slices"
	"testing"
	"time"
)

var (
	ppLogistics  = Series{Level: LevelPainProduct, Category: "物流", Subcategory: "配送慢", Product: "P1"}
	ppcLogistics = Series{Level: LevelPainProductChannel, Category: "物流", Subcategory: "配送慢", Product: "P1", Channel: "app"}
	pLogistics   = Series{Level: LevelPain, Category: "物流", Subcategory: "配送慢"}
	ppLeak       = Series{Level: LevelPainProduct, Category: "质量", Subcategory: "漏液", Product: "P1"}
	ppOther      = Series{Level: LevelPainProduct, Category: "物流", Subcategory: "配送慢", Product: "P2"}
	complaintsP1 = Series{Level: LevelComplaintsProduct, Product: "P1"}
	complaints   = Series{Level: LevelComplaints}
	sentimentP1  = Series{Level: LevelSentimentProduct, Product: "P1"}
	sentimentP2C = Series{Level: LevelSentimentProductChannel, Product: "P2", Channel: "chat"}
)

func TestAbsorbs(t *testing.T) {
	tests := []struct {
		a, b Series
		want bool
	}{
		{ppLogistics, ppLogistics, true},
		{ppLogistics, ppcLogistics, true},
		{ppcLogistics, ppLogistics, true},
		{ppLogistics, pLogistics, true},
		{ppLogistics, complaintsP1, true},
		{ppLogistics, complaints, true},
		{ppLogistics, sentimentP1, true},
		{ppLogistics, ppLeak, false},
		{ppLogistics, ppOther, false},
		{ppLogistics, sentimentP2C, false},
		{complaintsP1, ppLogistics, false}, // a pain point says more than complaints
		{complaintsP1, sentimentP1, true},
		{complaints, complaintsP1, true},
		{complaints, sentimentP2C, true},
		{sentimentP1, sentimentP2C, false},
	}
	for _, tc := range tests {
		if got := Absorbs(tc.a, tc.b); got != tc.want {
			t.Errorf("Absorbs(%s, %s) = %v, want %v", tc.a.Key(), tc.b.Key(), got, tc.want)
		}
	}
}

func finding(s Series, p float64) Finding {
	return Finding{Kind: KindSpike, Series: s, PValue: p, At: t0}
}

func keys(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Series.Key())
	}
	return out
}

func TestDecide(t *testing.T) {
	pol := Policy{Cooldown: 6 * time.Hour, ResolveAfter: 2 * time.Hour}
	tests := []struct {
		name     string
		findings []Finding
		active   []Active
		open     []Series
		firing   []string
		resolve  []string
	}{
		{
			name:     "one event at several levels opens once, at the preferred level",
			findings: []Finding{finding(ppcLogistics, 1e-9), finding(complaintsP1, 1e-12), finding(ppLogistics, 1e-7), finding(pLogistics, 1e-8), finding(sentimentP1, 1e-9)},
			open:     []Series{ppLogistics},
		},
		{
			name:     "unrelated events open separately",
			findings: []Finding{finding(ppLogistics, 1e-7), finding(ppLeak, 1e-6), finding(ppOther, 1e-8)},
			open:     []Series{ppOther, ppLogistics, ppLeak},
		},
		{
			name:     "new pain point before spike",
			findings: []Finding{finding(ppLogistics, 1e-9), {Kind: KindNewPainPoint, Series: ppLeak, At: t0, PValue: 0}, finding(complaintsP1, 1e-9)},
			open:     []Series{ppLeak, ppLogistics},
		},
		{
			name:     "open alert covers its series",
			findings: []Finding{finding(ppcLogistics, 1e-9), finding(complaints, 1e-9)},
			active:   []Active{{ID: "a1", Series: ppLogistics, Status: StatusOpen, OpenedAt: t0.Add(-time.Hour), LastFiring: t0.Add(-time.Hour)}},
			firing:   []string{"a1"},
		},
		{
			name:     "complaints alert does not cover a pain point",
			findings: []Finding{finding(ppLogistics, 1e-9)},
			active:   []Active{{ID: "c1", Series: complaintsP1, Status: StatusAcknowledged, OpenedAt: t0.Add(-time.Hour), LastFiring: t0.Add(-time.Hour)}},
			open:     []Series{ppLogistics},
			firing:   nil,
			resolve:  nil,
		},
		{
			name:     "cooldown after resolution",
			findings: []Finding{finding(ppLogistics, 1e-9)},
			active:   []Active{{ID: "a1", Series: ppcLogistics, Status: StatusResolved, OpenedAt: t0.Add(-5 * time.Hour)}},
		},
		{
			name:     "cooldown over",
			findings: []Finding{finding(ppLogistics, 1e-9)},
			active:   []Active{{ID: "a1", Series: ppcLogistics, Status: StatusResolved, OpenedAt: t0.Add(-7 * time.Hour)}},
			open:     []Series{ppLogistics},
		},
		{
			name: "quiet alerts resolve after ResolveAfter",
			active: []Active{
				{ID: "old", Series: ppLogistics, Status: StatusOpen, OpenedAt: t0.Add(-5 * time.Hour), LastFiring: t0.Add(-2 * time.Hour)},
				{ID: "recent", Series: ppLeak, Status: StatusAcknowledged, OpenedAt: t0.Add(-5 * time.Hour), LastFiring: t0.Add(-time.Hour)},
			},
			resolve: []string{"old"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(tc.findings, tc.active, t0, pol)
			var want []string
			for _, s := range tc.open {
				want = append(want, s.Key())
			}
			if got := keys(d.Open); !slices.Equal(got, want) {
				t.Errorf("open %v, want %v", got, want)
			}
			var firing []string
			for id := range d.Firing {
				firing = append(firing, id)
			}
			slices.Sort(firing)
			if !slices.Equal(firing, tc.firing) {
				t.Errorf("firing %v, want %v", firing, tc.firing)
			}
			if !slices.Equal(d.Resolve, tc.resolve) {
				t.Errorf("resolve %v, want %v", d.Resolve, tc.resolve)
			}
		})
	}
}

func TestDecideFiringKeepsStrongest(t *testing.T) {
	active := []Active{{ID: "a1", Series: ppLogistics, Status: StatusOpen, OpenedAt: t0, LastFiring: t0}}
	d := Decide([]Finding{finding(complaints, 1e-6), finding(ppcLogistics, 1e-9)}, active, t0, Policy{})
	if f := d.Firing["a1"]; f.Series != ppcLogistics {
		t.Errorf("firing finding %+v, want the strongest", f)
	}
}

func TestAlertID(t *testing.T) {
	a, b := finding(ppLogistics, 0), finding(ppLogistics, 0)
	b.At = b.At.Add(time.Second)
	if AlertID(a) != AlertID(finding(ppLogistics, 1)) || AlertID(a) == AlertID(b) || len(AlertID(a)) != 16 {
		t.Errorf("ids %s %s", AlertID(a), AlertID(b))
	}
}

func TestReplay(t *testing.T) {
	// 40 days of 100 records an hour, 2 of them about 物流/配送慢, and 30
	// from 10:00 to 13:00 on the last day but one.
	end := t0
	start := end.Add(-40 * 24 * time.Hour)
	c := NewCube(start, end)
	spikeFrom, spikeTo := end.Add(-38*time.Hour), end.Add(-35*time.Hour)
	for h := start; h.Before(end); h = h.Add(time.Hour) {
		n := uint64(2)
		if !h.Before(spikeFrom) && h.Before(spikeTo) {
			n = 30
		}
		c.AddScope(h, ScopeKey{"P1", "app"}, 100, 20, 0)
		c.AddPain(h, PainKey{"物流", "配送慢", "P1", "app"}, n)
	}
	cfg := Config{Windows: []time.Duration{time.Hour, 6 * time.Hour}, Lookback: 30 * 24 * time.Hour}
	pol := Policy{Cooldown: 12 * time.Hour, ResolveAfter: 2 * time.Hour}
	alerts := Replay(c, cfg, pol, end.Add(-48*time.Hour), end, time.Hour)
	if len(alerts) != 1 {
		t.Fatalf("%d alerts, want 1: %+v", len(alerts), alerts)
	}
	a := alerts[0]
	// The first evaluation that sees the 10:00 hour is at 11:00.
	if !a.Finding.At.Equal(spikeFrom.Add(time.Hour)) || a.Finding.Series != ppLogistics || a.Finding.Window.Len != time.Hour {
		t.Errorf("opened %+v", a.Finding)
	}
	if a.ID != AlertID(a.Finding) || a.Peak.Ratio < a.Finding.Ratio {
		t.Errorf("id %s peak %+v", a.ID, a.Peak)
	}
	// The 6h window holds the spike until 19:00; resolved 2h later.
	if !a.LastFiring.After(spikeTo) || !a.ResolvedAt.Equal(a.LastFiring.Add(2*time.Hour)) {
		t.Errorf("last firing %s resolved %s", a.LastFiring, a.ResolvedAt)
	}
}
