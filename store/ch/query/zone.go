package query

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Days in a time zone. The hourly tables are keyed by UTC hour; a day of
// the dashboard, the API and the report (its buckets, its default range,
// what changed per day) is cut in one IANA zone at the hour that starts
// it there. That is exact for a zone whose offset from UTC is a whole
// number of hours (DST included); a zone at half or quarter hours
// (Asia/Kolkata +05:30, Asia/Kathmandu +05:45) would cut its days inside
// an hourly row, so LoadZone refuses it instead of approximating.

// DefaultZone names the zone of days when none is configured.
const DefaultZone = "Asia/Shanghai"

// ErrZone is wrapped by the errors of a zone that cannot cut days.
var ErrZone = errors.New("bad time zone")

// zoneCheckFrom and zoneCheckTo bound the years whose offsets CheckZone
// checks: data before 2000 is not expected, and older offsets of some
// zones were not whole hours (local mean time).
var (
	zoneCheckFrom = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	zoneCheckTo   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// LoadZone returns the IANA zone name ("" is DefaultZone), checked by
// CheckZone.
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		name = DefaultZone
	}
	if name == "Local" {
		return nil, fmt.Errorf("%w: %q names this machine's zone, which differs between machines; give an IANA name (Asia/Shanghai, UTC)", ErrZone, name)
	}
	if !zoneName(name) {
		return nil, fmt.Errorf("%w: %q is not an IANA zone name (Asia/Shanghai, Europe/Berlin, UTC)", ErrZone, name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a known IANA zone (Asia/Shanghai, Europe/Berlin, UTC)", ErrZone, name)
	}
	if err := CheckZone(loc); err != nil {
		return nil, err
	}
	return loc, nil
}

// CheckZone reports why loc cannot cut days: not a named IANA zone (as
// time.LoadLocation returns them; a time.FixedZone has a name ClickHouse
// does not know), or an offset from UTC that is not a whole number of
// hours at some time from 2000 to 2100. A nil loc is UTC.
func CheckZone(loc *time.Location) error {
	if loc == nil {
		return nil
	}
	if err, ok := checkedZones.Load(loc); ok {
		if err == nil {
			return nil
		}
		return err.(error)
	}
	err := checkZone(loc)
	checkedZones.Store(loc, err)
	return err
}

// checkedZones holds CheckZone's answer per location (Filter.Validate
// checks every query's zone).
var checkedZones sync.Map

func checkZone(loc *time.Location) error {
	name := loc.String()
	if name == "Local" || !zoneName(name) {
		return fmt.Errorf("%w: %q is not an IANA zone name (Asia/Shanghai, UTC)", ErrZone, name)
	}
	if _, err := time.LoadLocation(name); err != nil {
		return fmt.Errorf("%w: %q is not a known IANA zone", ErrZone, name)
	}
	// Each zone period from 2000 on (a DST zone has two a year); the cap
	// guards against a period that does not end after its start.
	t := zoneCheckFrom.In(loc)
	for range 1000 {
		if !t.Before(zoneCheckTo) {
			break
		}
		if _, off := t.Zone(); off%3600 != 0 {
			return fmt.Errorf("%w: %s is %s from UTC (%s), not a whole number of hours: days are cut from hourly rows keyed by UTC hour, "+
				"which cannot end a day at a half or quarter hour; choose a zone at whole hours (UTC, Asia/Shanghai)",
				ErrZone, name, offsetText(off), t.Format("2006-01-02"))
		}
		_, end := t.ZoneBounds()
		if !end.After(t) {
			break // no further transitions
		}
		t = end
	}
	return nil
}

// offsetText formats a UTC offset in seconds as +05:30.
func offsetText(off int) string {
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%c%02d:%02d", sign, off/3600, off%3600/60)
}

// zoneName reports whether s can be an IANA zone name: letters, digits
// and _ + - / only, so that it can stand in SQL as a string literal
// (ClickHouse 18.16 takes a zone argument only as a constant).
func zoneName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '+', r == '-', r == '/':
		default:
			return false
		}
	}
	return true
}

// zone returns f's zone (UTC when nil).
func (f Filter) zone() *time.Location {
	if f.Zone == nil {
		return time.UTC
	}
	return f.Zone
}

// zoneSQL is loc's name as an SQL string literal; loc must have passed
// CheckZone (Filter.Validate checks it).
func zoneSQL(loc *time.Location) string {
	if loc == nil {
		return "'UTC'"
	}
	return "'" + loc.String() + "'"
}

// StartOfDay returns the start of t's day in loc.
func StartOfDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// dayOf is the start, in loc, of the calendar day d names (a Date column
// read in any location).
func dayOf(d time.Time, loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}

// DaysOf returns the starts of the days (in loc) that [from, to) covers,
// the first being the day of from.
func DaysOf(from, to time.Time, loc *time.Location) []time.Time {
	var out []time.Time
	for d := StartOfDay(from, loc); d.Before(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}
