package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vocproject/voc/store/ch/query"
	"github.com/vocproject/voc/web"
)

// dashboardDays is the length of the default range (query.DefaultRange):
// the last days of stored data.
const dashboardDays = query.DefaultDays

// FirstScreen is what the dashboard draws first, in one answer: what
// changed in the range (the alert detector's findings per day, most excess
// records first), the filter values, the overview of the range (its daily series and the top pain
// points' sparklines also draw the daily trend chart), the rising and
// falling pain points, the topic volume and the emerging aspects. The
// first screen inlined in the page leaves the last two out (nil): they
// read the raw aspect rows of two periods, and the page asks for them
// once it has drawn the rest.
type FirstScreen struct {
	Changes  *query.Changes         `json:"changes"`
	Facets   *query.Facets          `json:"facets"`
	Overview *Overview              `json:"overview"`
	Rising   *query.PainChanges     `json:"rising"`
	Falling  *query.PainChanges     `json:"falling"`
	Topics   *query.TopicVolumes    `json:"topics"`
	Emerging *query.UnmappedAspects `json:"emerging"`
}

// changesLimit is how many changes FirstScreen holds.
const changesLimit = 8

// moversLimit is how many rising and falling pain points FirstScreen holds.
const moversLimit = 6

// dashboard answers /api/v1/dashboard: the first screen of the given
// filters; without from and to, of the last dashboardDays days of data.
func (h *Handler) dashboard(r *request) (any, error) {
	fromData := !r.q.Has("from") && !r.q.Has("to")
	r.dataEnd = nil // firstScreen reads the end of the data with the facets
	f, limit, err := r.overviewParams()
	if err != nil {
		return nil, err
	}
	return h.firstScreen(r.ctx, f, fromData, limit, r.now, true)
}

// firstScreen computes the first screen over f; with fromData f's range is
// replaced by the last dashboardDays days of stored data; with topics the
// topic volume and emerging aspects too. Each part's time is logged at
// debug level.
func (h *Handler) firstScreen(ctx context.Context, f query.Filter, fromData bool, limit int, now time.Time, topics bool) (*FirstScreen, error) {
	// The data's range first (the default range ends with it), read once;
	// the filter values alongside the rest.
	start := time.Now()
	first, last, err := h.cfg.CH.DataRange(ctx)
	if err != nil {
		return nil, err
	}
	tRange := time.Since(start)
	if fromData {
		f.From, f.To = query.DefaultRange(time.Time{}, time.Time{}, last, now, f.Zone)
	}
	out := &FirstScreen{}
	var (
		wg      sync.WaitGroup
		changes *query.PainChanges
		errs    [5]error
		took    [5]time.Duration
	)
	timed := func(i int, fn func() error) {
		wg.Go(func() {
			t0 := time.Now()
			errs[i] = fn()
			took[i] = time.Since(t0)
		})
	}
	// The overview's sparklines come from the daily counts of what changed.
	changed := make(chan struct{})
	timed(0, func() (err error) {
		defer close(changed)
		out.Changes, err = h.cfg.CH.Changes(ctx, f, changesLimit)
		return
	})
	timed(1, func() (err error) {
		out.Overview, changes, err = h.overviewOf(ctx, f, limit, func() *query.Changes {
			<-changed
			return out.Changes
		})
		return
	})
	if topics {
		timed(2, func() (err error) { out.Topics, err = h.cfg.CH.Topics(ctx, f, topicsLimit); return })
		timed(3, func() (err error) { out.Emerging, err = h.cfg.CH.UnmappedAspects(ctx, f, 1, unmappedLimit); return })
	}
	timed(4, func() (err error) {
		if out.Facets, err = h.facetValues(ctx); err == nil {
			out.Facets.First, out.Facets.Last = first, last
			facetsIn(out.Facets, h.cfg.Zone)
		}
		return
	})
	wg.Wait()
	h.log.Debug("api: first screen", "took", time.Since(start), "range", tRange, "changes", took[0], "overview", took[1],
		"topics", took[2], "emerging", took[3], "facets", took[4])
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	out.Rising, out.Falling = movers(changes, "rising", moversLimit), movers(changes, "falling", moversLimit)
	return out, nil
}

// movers returns the pain points of res that rise (sortBy "rising": z > 0,
// largest z first) or fall ("falling": z < 0, smallest first), or all of
// them ("top", most records first), at most limit. res is not modified.
func movers(res *query.PainChanges, sortBy string, limit int) *query.PainChanges {
	out := *res
	items := slices.Clone(res.Items)
	switch sortBy {
	case "rising":
		items = slices.DeleteFunc(items, func(c query.PainChange) bool { return c.Z <= 0 })
		slices.SortStableFunc(items, func(a, b query.PainChange) int { return cmpDesc(a.Z, b.Z) })
	case "falling":
		items = slices.DeleteFunc(items, func(c query.PainChange) bool { return c.Z >= 0 })
		slices.SortStableFunc(items, func(a, b query.PainChange) int { return cmpDesc(-a.Z, -b.Z) })
	}
	if len(items) > limit {
		items = items[:limit]
	}
	out.Items = items
	return &out
}

// pageFilter reads the filters of the dashboard page's URL (from, to,
// product, channel, customer_tier; the page keeps its view there), which
// its inline first screen is computed for; fromData when it names no range.
// The page's own parameters (granularity, lang, drill, record …) are left
// to it, and an alert's link (alert=…) names the alert's drill-down, not
// filters. Bad values are an error: the page then asks the API, which
// says what is wrong.
func (h *Handler) pageFilter(ctx context.Context, r *http.Request) (query.Filter, bool, error) {
	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return query.Filter{}, false, err
	}
	if q.Has("alert") {
		q = url.Values{}
	}
	req := &request{ctx: ctx, r: r, now: h.cfg.Now(), zone: h.cfg.Zone, q: q, used: map[string]bool{}}
	f, err := req.filter(false)
	return f, !q.Has("from") && !q.Has("to"), err
}

// page is the dashboard's index.html split where the server inlines the
// first screen, and the static assets with their compressed forms.
type page struct {
	head, tail []byte
	assets     map[string]*asset
}

// asset is one static file, served with an ETag and, when it helps, gzip.
type asset struct {
	data, gz  []byte
	etag      string
	ctype     string
	version   string // short content hash, the ?v= of its URL in index.html
	immutable bool
}

// bootMarker is where index.html receives the first screen's data.
const bootMarker = "<!--first-screen-->"

// loadPage reads the embedded assets once per process.
var loadPage = sync.OnceValues(func() (*page, error) {
	static, err := fs.Sub(web.Static, "static")
	if err != nil {
		return nil, err
	}
	return newPage(static)
})

// newPage reads index.html and the assets of static: hashes, gzip forms and
// index.html with versioned asset URLs.
func newPage(static fs.FS) (*page, error) {
	p := &page{assets: map[string]*asset{}}
	var index []byte
	err := fs.WalkDir(static, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(static, name)
		if err != nil {
			return err
		}
		if name == "index.html" {
			index = data
			return nil
		}
		sum := sha256.Sum256(data)
		a := &asset{data: data, version: base64.RawURLEncoding.EncodeToString(sum[:9])}
		a.etag = `"` + a.version + `"`
		if a.ctype = mime.TypeByExtension(path.Ext(name)); a.ctype == "" {
			a.ctype = http.DetectContentType(data)
		}
		if len(data) > 1024 && compressible(a.ctype) {
			var b bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
			zw.Write(data)
			if err := zw.Close(); err != nil {
				return err
			}
			if b.Len() < len(data)*9/10 {
				a.gz = b.Bytes()
			}
		}
		p.assets[name] = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	if index == nil {
		return nil, fmt.Errorf("no index.html")
	}
	s := string(index)
	for name, a := range p.assets {
		s = strings.ReplaceAll(s, `"static/`+name+`"`, `"static/`+name+`?v=`+a.version+`"`)
	}
	head, tail, _ := strings.Cut(s, bootMarker)
	p.head, p.tail = []byte(head), []byte(tail)
	return p, nil
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "svg")
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, h := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(h, ",") {
			enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(strings.TrimSpace(enc), "gzip") {
				q := strings.ReplaceAll(params, " ", "")
				return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
			}
		}
	}
	return false
}

// serveStatic serves /static/NAME: with an ETag (304 on a match), gzip
// when the client takes it, and cached for good when the URL carries the
// asset's current version (index.html links them so).
func (p *page) serveStatic(w http.ResponseWriter, r *http.Request) {
	a := p.assets[strings.TrimPrefix(r.URL.Path, "/static/")]
	if a == nil {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	if r.URL.Query().Get("v") == a.version {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	hd.Set("Content-Type", a.ctype)
	body, etag := a.data, a.etag
	if a.gz != nil {
		hd.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			body, etag = a.gz, `"`+a.version+`-gz"`
			hd.Set("Content-Encoding", "gzip")
		}
	}
	hd.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// serveIndex streams index.html: the page up to the marker goes out at
// once, so that the browser fetches the scripts and styles while the first
// screen is computed; without a token the first screen's data follows
// inline, without the topic volume and emerging aspects, which the page
// asks for once it has drawn the rest (with a token, which the page itself
// does not need, the page asks /api/v1/dashboard for all of it).
func (h *Handler) serveIndex(p *page) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Type", "text/html; charset=utf-8")
		hd.Set("Cache-Control", "no-store")
		hd.Set("Vary", "Accept-Encoding")
		if r.Method == http.MethodHead {
			return
		}
		var out io.Writer = w
		var zw *gzip.Writer
		if acceptsGzip(r) {
			hd.Set("Content-Encoding", "gzip")
			zw, _ = gzip.NewWriterLevel(w, gzip.BestSpeed)
			defer zw.Close()
			out = zw
		}
		out.Write(p.head)
		if zw != nil {
			zw.Flush()
		}
		_ = http.NewResponseController(w).Flush()
		// The inline data takes a request slot; when none is free the
		// page asks the API instead (which may answer 503 and retry).
		if h.cfg.Token == "" && h.acquire() {
			ctx, cancel := context.WithTimeout(r.Context(), h.cfg.QueryTimeout)
			ctx, stop := h.guardDB(ctx)
			start := time.Now()
			var fs *FirstScreen
			f, fromData, err := h.pageFilter(ctx, r)
			if err == nil {
				err = h.dbCheck(ctx) // a database that does not answer costs the page pingTimeout, not QueryTimeout
			}
			if err == nil {
				fs, err = h.firstScreen(ctx, f, fromData, overviewLimit, h.cfg.Now(), false)
			}
			stop()
			cancel()
			h.release()
			h.log.Debug("api: dashboard first screen", "took", time.Since(start))
			if err == nil {
				var b []byte
				if b, err = json.Marshal(fs); err == nil {
					// Marshal escapes <, > and &: the JSON cannot end the script.
					out.Write([]byte(`<script id="first-screen" type="application/json">`))
					out.Write(b)
					out.Write([]byte("</script>"))
				}
			}
			if err != nil {
				h.log.Warn("api: dashboard first screen (the page will ask the API)", "err", err)
			}
		}
		out.Write(p.tail)
	}
}
