package api

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vocproject/voc/store/ch/query"
)

// Limits of request parameters.
const (
	maxParamLen = 200
	maxParams   = 64
	maxRange    = 400 * 24 * time.Hour
	maxHourly   = 31 * 24 * time.Hour
	maxPageSize = 100
	maxOffset   = 10000
)

// parseQuery parses a raw query string strictly, where url.ParseQuery
// (and Request.URL.Query, which drops its error) would lose filters
// silently: a raw ';' makes it drop the whole query, and past its
// parameter cap it drops the rest. Parameters are separated by '&' only;
// a raw ';', an invalid percent escape or more than maxParams parameters
// is a 400 naming the problem.
func parseQuery(raw string) (url.Values, error) {
	q := url.Values{}
	if raw == "" {
		return q, nil
	}
	n := 0
	for part := range strings.SplitSeq(raw, "&") {
		// Empty parts count too: url.ParseQuery drops a query of more
		// than 10,000 parts, empty or not.
		if n++; n > maxParams {
			return nil, badRequest("", "the query has more than %d parameters", maxParams)
		}
		if part == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			return nil, badRequest("", "parameter name %q is not valid percent-encoding", rawKey)
		}
		if strings.Contains(rawKey, ";") || strings.Contains(rawValue, ";") {
			return nil, badRequest(key, "parameter %s holds a raw ';': separate parameters with '&' and encode ';' as %%3B", key)
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return nil, badRequest(key, "parameter %s is not valid percent-encoding", key)
		}
		q[key] = append(q[key], value)
	}
	return q, nil
}

// request is one API request: its parameters, read once each; any
// parameter no endpoint read is an error.
type request struct {
	ctx  context.Context
	r    *http.Request
	now  time.Time
	zone *time.Location // of days: the default range, dates, buckets
	q    url.Values
	used map[string]bool
	// dataEnd returns the end of the stored data, for the default range;
	// nil: the default range ends with today.
	dataEnd func(context.Context) (time.Time, error)
}

// str returns parameter name ("" when absent), checking its length.
func (r *request) str(name string) (string, error) {
	r.used[name] = true
	vs := r.q[name]
	if len(vs) == 0 {
		return "", nil
	}
	if len(vs) > 1 {
		return "", badRequest(name, "parameter %s is given %d times", name, len(vs))
	}
	v := strings.TrimSpace(vs[0])
	if utf8.RuneCountInString(v) > maxParamLen {
		return "", badRequest(name, "parameter %s is longer than %d characters", name, maxParamLen)
	}
	if strings.ContainsAny(v, "\x00\r\n") {
		return "", badRequest(name, "parameter %s holds control characters", name)
	}
	return v, nil
}

// oneOf returns the parameter, def when absent, or an error when it is not
// one of allowed.
func (r *request) oneOf(name, def string, allowed ...string) (string, error) {
	v, err := r.str(name)
	if err != nil || v == "" {
		return def, err
	}
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", badRequest(name, "%s must be one of %s, not %q", name, strings.Join(allowed, ", "), v)
}

func (r *request) integer(name string, def, lo, hi int) (int, error) {
	v, err := r.str(name)
	if err != nil || v == "" {
		return def, err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, badRequest(name, "%s must be an integer, not %q", name, v)
	}
	if n < lo || n > hi {
		return 0, badRequest(name, "%s must be between %d and %d, not %d", name, lo, hi, n)
	}
	return n, nil
}

// when parses RFC 3339 or a date (its start in the request's zone).
func (r *request) when(name string) (time.Time, error) {
	v, err := r.str(name)
	if err != nil || v == "" {
		return time.Time{}, err
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, r.zone); err == nil {
		return t, nil
	}
	return time.Time{}, badRequest(name, "%s must be RFC 3339 (2026-03-02T00:00:00Z) or a date (2026-03-02), not %q", name, v)
}

// filter reads from, to, product, channel, customer_tier, category and
// subcategory. pain says whether the endpoint takes a pain point.
func (r *request) filter(pain bool) (query.Filter, error) {
	f := query.Filter{Zone: r.zone}
	var err error
	if f.From, err = r.when("from"); err != nil {
		return f, err
	}
	if f.To, err = r.when("to"); err != nil {
		return f, err
	}
	var last time.Time
	if f.To.IsZero() && f.From.IsZero() && r.dataEnd != nil {
		if last, err = r.dataEnd(r.ctx); err != nil {
			return f, err
		}
	}
	f.From, f.To = query.DefaultRange(f.From, f.To, last, r.now, r.zone)
	if !f.From.Before(f.To) {
		return f, badRequest("from", "from (%s) must be before to (%s)", f.From.Format(time.RFC3339), f.To.Format(time.RFC3339))
	}
	if f.To.Sub(f.From) > maxRange {
		return f, badRequest("from", "the range is longer than %d days", int(maxRange.Hours()/24))
	}
	for _, p := range []struct {
		name string
		dst  *string
	}{{"product", &f.Product}, {"channel", &f.Channel}, {"customer_tier", &f.Tier}} {
		if *p.dst, err = r.str(p.name); err != nil {
			return f, err
		}
	}
	if !pain {
		return f, nil
	}
	if f.Category, err = r.str("category"); err != nil {
		return f, err
	}
	if f.Subcategory, err = r.str("subcategory"); err != nil {
		return f, err
	}
	// category may carry the pair: category=物流/配送速度.
	if c, s, ok := strings.Cut(f.Category, "/"); ok {
		if f.Subcategory != "" && f.Subcategory != s {
			return f, badRequest("subcategory", "category %q already names subcategory %q", f.Category, s)
		}
		f.Category, f.Subcategory = c, s
	}
	if f.Subcategory != "" && f.Category == "" {
		return f, badRequest("subcategory", "subcategory needs category")
	}
	return f, nil
}

// mentions reads the drill-down by aspect rows: topic (a category talked
// about in any way), aspect (an aspect term), unmapped (true: only
// opinions about aspects the taxonomy does not know) and polarity (of
// those rows).
func (r *request) mentions() (query.MentionFilter, error) {
	var m query.MentionFilter
	var err error
	if m.Topic, err = r.str("topic"); err != nil {
		return m, err
	}
	if strings.Contains(m.Topic, "/") {
		return m, badRequest("topic", "topic is a category, not %q", m.Topic)
	}
	if m.Aspect, err = r.str("aspect"); err != nil {
		return m, err
	}
	u, err := r.oneOf("unmapped", "false", "true", "false", "1", "0")
	if err != nil {
		return m, err
	}
	m.Unmapped = u == "true" || u == "1"
	if m.Topic != "" && m.Unmapped {
		return m, badRequest("unmapped", "a topic is a category of the taxonomy: give topic or unmapped, not both")
	}
	if m.Polarity, err = r.oneOf("polarity", "", "positive", "negative", "neutral"); err != nil {
		return m, err
	}
	if m.Polarity != "" && m.Topic == "" && m.Aspect == "" && !m.Unmapped {
		return m, badRequest("polarity", "polarity needs topic, aspect or unmapped")
	}
	return m, nil
}

// unknown reports parameters that no reader asked for.
func (r *request) unknown() error {
	var bad []string
	for k := range r.q {
		if !r.used[k] {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return badRequest(bad[0], "unknown parameter %s", strings.Join(bad, ", "))
}
