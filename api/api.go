// Package api is voc's read-only HTTP query surface: a JSON API over the
// ClickHouse tables (read through store/ch/query) and the search index,
// the embedded web dashboard and the weekly VoC report (VOC周报).
//
// Every endpoint is a GET with validated query parameters; unknown
// parameters, bad values and oversized ranges are 400 errors with a JSON
// body {"error": {"code", "message", "field"}}. Clients never send SQL:
// parameters select whitelisted columns or are bound as query arguments.
// With Config.Token set, /api/ and /report require
// "Authorization: Bearer <token>" (the scheme in any case); the dashboard
// page and its assets do not. Every API request and report runs under a
// timeout (Config.QueryTimeout, Config.ReportTimeout: 504 when it runs
// out), and at most Config.MaxConcurrent of them at a time (503 with
// Retry-After beyond). CheckHost guards a loopback listener without a
// token against DNS rebinding; SECURITY.md has the threat model.
// Without a token the page carries its first screen's data inline (the
// answer of /api/v1/dashboard, streamed after the page's head so that the
// browser loads the scripts meanwhile); with one it holds no data and asks
// the API. Static assets are served gzip-compressed with ETags, and cached
// for good under the versioned URLs the page links.
//
// Endpoints (all under /api/v1):
//
//	GET dashboard                 the dashboard's first screen: facets, overview, rising and falling pain points, topics, emerging aspects (default range: the last 14 days of data)
//	GET changes                   what changed in the range: surges, new pain points, sentiment drops per pain point × product × channel and coarser (the alert detector per day), most excess records first, each with its daily series and drill-down parameters
//	GET export                    the records of a drill-down (search's filters, no paging) as CSV, newest first, at most 5,000
//	GET facets                    products, channels, tiers, pain points, data range
//	GET overview                  volume, sentiment, escalations vs the previous period; top pain points with daily sparklines
//	GET trend                     time series of volume, negative share, mean sentiment (total, a pain point, or series=k1,k2)
//	GET pain-points?sort=top|rising|falling   period over period with z, p and significance
//	GET topics                    topic volume per category: records, volume = pain + praise + neutral (topic mentions among them), share, change
//	GET aspects/unmapped          emerging aspects outside the taxonomy: records, mentions, negative share, opinion words, new or change
//	GET sentiment?by=channel|product|customer_tier
//	GET drivers?metric=csat|nps|rating        key drivers: share, mean with/without, impact
//	GET search                    verbatims: full text (index) or filters (ClickHouse), spans, pagination; topic, aspect, unmapped, polarity select records by their aspect rows; engine=index or clickhouse forces one
//	GET records/{id}              one record in full with its mentions (and clauses with an Analyzer)
//	GET alerts                    alerts of the range; {"available": false} without alert tables
//	GET /report?format=html|md    the weekly report
//
// Common filters: from, to (RFC 3339 or 2006-01-02; default the last 7
// days), product, channel, customer_tier, category, subcategory. The
// query string is parsed strictly: parameters are separated by '&' only
// (a raw ';' is a 400, not a silent drop of every filter), percent
// escapes must be valid and there are at most 64 parameters.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/store/ch/query"
	"github.com/vocproject/voc/store/search"
)

// Analyzer re-analyses a stored (masked) text to show its clauses.
type Analyzer interface {
	Analyze(text string, opts nlp.Options) *nlp.Result
}

// Config configures the handler. CH is required.
type Config struct {
	// CH answers every aggregate query and the verbatims.
	CH *query.Store
	// Index, when set, answers full-text searches (with highlighting);
	// without it text searches fall back to a substring match in
	// ClickHouse.
	Index search.Searcher
	// Token, when set, is the bearer token /api/ and /report require.
	Token string
	// Analyzer, when set, adds per-clause sentiment to records/{id}.
	Analyzer Analyzer
	// Logger defaults to discarding.
	Logger *slog.Logger
	// QueryTimeout bounds one API request's queries, and the dashboard
	// page's inline first screen (default 15s).
	QueryTimeout time.Duration
	// ReportTimeout bounds building one /report (default 30s).
	ReportTimeout time.Duration
	// MaxConcurrent caps the API requests and reports in progress; beyond
	// it they are answered 503 with Retry-After at once (default 32;
	// negative: no cap).
	MaxConcurrent int
	// Now returns the current time (default time.Now), for default ranges.
	Now func() time.Time
	// Zone cuts the days and weeks of every answer, the dashboard and the
	// report (day buckets, default ranges, what changed per day, dates
	// given as 2006-01-02); it must pass query.CheckZone (whole-hour
	// offsets). Default Asia/Shanghai (query.DefaultZone).
	Zone *time.Location
}

// Default limits of Config.
const (
	DefaultQueryTimeout  = 15 * time.Second
	DefaultReportTimeout = 30 * time.Second
	DefaultMaxConcurrent = 32
)

// Handler serves the API, the dashboard and the report.
type Handler struct {
	cfg Config
	mux *http.ServeMux
	log *slog.Logger
	sem chan struct{} // request slots; nil without a cap
	// facetCache holds the filter values for a while (facetValues).
	facetCache facetCache
	// health is the last check of the database (dbCheck).
	health health
}

// New returns the handler. Mount it at the root of a server (it serves /,
// /static/, /api/v1/ and /report).
func New(cfg Config) (*Handler, error) {
	if cfg.CH == nil {
		return nil, errors.New("api: config field CH is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = DefaultQueryTimeout
	}
	if cfg.ReportTimeout <= 0 {
		cfg.ReportTimeout = DefaultReportTimeout
	}
	if cfg.MaxConcurrent == 0 {
		cfg.MaxConcurrent = DefaultMaxConcurrent
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Zone == nil {
		loc, err := query.LoadZone(query.DefaultZone)
		if err != nil {
			return nil, fmt.Errorf("api: config field Zone: %w", err)
		}
		cfg.Zone = loc
	}
	if err := query.CheckZone(cfg.Zone); err != nil {
		return nil, fmt.Errorf("api: config field Zone: %w", err)
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux(), log: cfg.Logger, facetCache: facetCache{one: make(chan struct{}, 1)}}
	if cfg.MaxConcurrent > 0 {
		h.sem = make(chan struct{}, cfg.MaxConcurrent)
	}
	api := map[string]func(*request) (any, error){
		"dashboard":        h.dashboard,
		"facets":           h.facets,
		"overview":         h.overview,
		"trend":            h.trend,
		"pain-points":      h.painPoints,
		"sentiment":        h.sentiment,
		"drivers":          h.drivers,
		"search":           h.search,
		"alerts":           h.alerts,
		"topics":           h.topics,
		"changes":          h.changes,
		"export":           h.export,
		"aspects/unmapped": h.unmapped,
	}
	for name, fn := range api {
		h.mux.Handle("/api/v1/"+name, h.auth(h.limit(h.json(fn))))
	}
	h.mux.Handle("/api/v1/records/{id}", h.auth(h.limit(h.json(h.record))))
	h.mux.Handle("/api/", h.auth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, &apiError{Code: "not_found", Message: "no such endpoint: " + r.URL.Path})
	})))
	h.mux.Handle("/report", h.auth(h.limit(http.HandlerFunc(h.report))))
	p, err := loadPage()
	if err != nil {
		return nil, fmt.Errorf("api: web assets: %w", err)
	}
	h.mux.HandleFunc("/healthz", h.healthz)
	h.mux.HandleFunc("/static/", p.serveStatic)
	h.mux.HandleFunc("/{$}", h.serveIndex(p))
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, &apiError{Code: "method_not_allowed", Message: "read-only API: use GET"})
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	h.mux.ServeHTTP(w, r)
}

// newRequest is an API request with the default range of the data.
func (h *Handler) newRequest(ctx context.Context, r *http.Request, q url.Values) *request {
	return &request{ctx: ctx, r: r, now: h.cfg.Now(), zone: h.cfg.Zone, q: q, used: map[string]bool{}, dataEnd: h.dataEnd}
}

// dataEnd is the end of the stored data.
func (h *Handler) dataEnd(ctx context.Context) (time.Time, error) {
	_, last, err := h.cfg.CH.DataRange(ctx)
	return last, err
}

func (h *Handler) auth(next http.Handler) http.Handler { return RequireToken(h.cfg.Token, next) }

// apiError is the body of an error response.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	status  int
}

func (e *apiError) Error() string { return e.Message }

func badRequest(field, format string, a ...any) *apiError {
	return &apiError{Code: "bad_request", Field: field, Message: fmt.Sprintf(format, a...), status: http.StatusBadRequest}
}

func writeError(w http.ResponseWriter, status int, e *apiError) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// json wraps an endpoint: parse, run with a timeout, map errors to codes.
func (h *Handler) json(fn func(*request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), h.cfg.QueryTimeout)
		defer cancel()
		ctx, stop := h.guardDB(ctx)
		defer stop()
		start := time.Now()
		var v any
		q, err := parseQuery(r.URL.RawQuery)
		if err == nil {
			err = h.dbCheck(ctx)
		}
		if err == nil {
			req := h.newRequest(ctx, r, q)
			if v, err = fn(req); err == nil {
				err = req.unknown()
			}
		}
		if err != nil {
			err = dbCause(ctx, err)
			var ae *apiError
			switch {
			case errors.As(err, &ae):
			case errors.Is(err, query.ErrBadFilter):
				ae = &apiError{Code: "bad_request", Message: err.Error(), status: http.StatusBadRequest}
			case errors.Is(err, query.ErrNotFound):
				ae = &apiError{Code: "not_found", Message: err.Error(), status: http.StatusNotFound}
			case errors.Is(err, errUnavailable):
				ae = &apiError{Code: "unavailable", Message: "the database does not answer; retry in a moment", status: http.StatusServiceUnavailable}
			case errors.Is(err, context.DeadlineExceeded):
				ae = &apiError{Code: "timeout", Message: "query took too long; narrow the range or the filters", status: http.StatusGatewayTimeout}
			default:
				h.log.Error("api: query failed", "path", r.URL.Path, "err", err)
				ae = &apiError{Code: "internal", Message: "query failed", status: http.StatusInternalServerError}
			}
			if ae.status == 0 {
				ae.status = http.StatusBadRequest
			}
			if ae.Code == "unavailable" {
				w.Header().Set("Retry-After", "5")
			}
			writeError(w, ae.status, ae)
			return
		}
		h.log.Debug("api: query", "path", r.URL.Path, "took", time.Since(start))
		if c, ok := v.(*csvBody); ok {
			c.write(w)
			return
		}
		writeJSON(w, v)
	})
}
