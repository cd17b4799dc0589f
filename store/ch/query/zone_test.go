package query

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLoadZone(t *testing.T) {
	for _, tc := range []struct {
		name, err string
	}{
		{"", ""},
		{"Asia/Shanghai", ""},
		{"UTC", ""},
		{"Europe/Berlin", ""},
		{"America/New_York", ""},
		{"Asia/Kolkata", "Asia/Kolkata is +05:30 from UTC"},
		{"Asia/Kathmandu", "Asia/Kathmandu is +05:45 from UTC"},
		{"Australia/Adelaide", "Australia/Adelaide is +10:30 from UTC"},
		{"Mars/Olympus", `"Mars/Olympus" is not a known IANA zone`},
		{"Asia/Shanghai'); DROP TABLE x; --", "is not an IANA zone name"},
		{"Local", "names this machine's zone"},
	} {
		loc, err := LoadZone(tc.name)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.name, err)
		case tc.err == "" && tc.name == "" && loc.String() != DefaultZone:
			t.Errorf("default zone %s", loc)
		case tc.err != "" && (err == nil || !errors.Is(err, ErrZone) || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want %q", tc.name, err, tc.err)
		}
	}
	if err := CheckZone(time.FixedZone("CST", 8*3600)); err == nil {
		t.Error("a fixed zone ClickHouse cannot name passed")
	}
	if err := (Filter{From: time.Now(), To: time.Now().Add(time.Hour), Zone: time.FixedZone("IST", 5*3600+1800)}).Validate(); !errors.Is(err, ErrBadFilter) {
		t.Errorf("filter with a bad zone: %v", err)
	}
}

// TestZoneDays: a record at 2026-03-01 17:30 UTC is on 03-02 in Shanghai
// and on 03-01 in UTC, in the day and week buckets, the pain point series
// and what changed; hourly buckets do not move.
func TestZoneDays(t *testing.T) {
	s := openTest(t)
	shanghai, err := LoadZone("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 17, 30, 0, 0, time.UTC)
	var specs []spec
	// 28 quiet days before, then 12 records of 质量/漏液 at 17:30 UTC on
	// 03-01: a surge on 03-02 in Shanghai, on 03-01 in UTC.
	for d := 1; d <= 28; d++ {
		for h := range 4 {
			specs = append(specs, spec{at: at.AddDate(0, 0, -d).Add(time.Duration(-h) * 5 * time.Hour), product: "P", channel: "app", score: 0.5})
		}
	}
	for range 12 {
		specs = append(specs, spec{at: at, product: "P", channel: "app", score: -0.8, pains: []string{"质量/漏液"}})
	}
	writeSpecs(t, s, specs)
	ctx := context.Background()
	for _, tc := range []struct {
		loc       *time.Location
		day, week string
	}{
		{shanghai, "2026-03-02T00:00:00+08:00", "2026-03-02T00:00:00+08:00"}, // a Monday there
		{time.UTC, "2026-03-01T00:00:00Z", "2026-02-23T00:00:00Z"},
		{nil, "2026-03-01T00:00:00Z", "2026-02-23T00:00:00Z"},
	} {
		f := Filter{From: at.Add(-48 * time.Hour), To: at.Add(48 * time.Hour), Zone: tc.loc, Category: "质量", Subcategory: "漏液"}
		for _, g := range []struct {
			g    Granularity
			want string
		}{{Day, tc.day}, {Week, tc.week}, {Hour, at.Truncate(time.Hour).In(f.zone()).Format(time.RFC3339)}} {
			pts, err := s.Trend(ctx, f, g.g)
			if err != nil {
				t.Fatal(err)
			}
			if len(pts) != 1 || pts[0].Time.Format(time.RFC3339) != g.want || pts[0].Records != 12 {
				t.Errorf("%s %s: %+v, want one bucket at %s", f.zone(), g.g, pts, g.want)
			}
		}
		f.Category, f.Subcategory = "", ""
		ch, err := s.Changes(ctx, f, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(ch.Items) == 0 || ch.Items[0].Category != "质量" || ch.Items[0].From.Format(time.RFC3339) != tc.day || ch.Items[0].Observed != 12 {
			t.Fatalf("%s: changes %+v, want 质量/漏液 on %s", f.zone(), ch.Items, tc.day)
		}
		if d := ch.Items[0].Drill; d["from"] != tc.day || !ch.From.Equal(StartOfDay(f.From, f.zone())) {
			t.Errorf("%s: drill %v, range %s – %s", f.zone(), d, ch.From, ch.To)
		}
		// Its drill-down selects its records.
		df := Filter{Category: "质量", Subcategory: "漏液", Product: "P", Channel: "app", Zone: tc.loc}
		df.From, _ = time.Parse(time.RFC3339, ch.Items[0].Drill["from"])
		df.To, _ = time.Parse(time.RFC3339, ch.Items[0].Drill["to"])
		page, err := s.Verbatims(ctx, df, "", "", 50, 0)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 12 {
			t.Errorf("%s: drill-down total %d, want 12", f.zone(), page.Total)
		}
	}
}
