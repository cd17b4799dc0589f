package api

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/store/ch/query"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name, raw string
		want      url.Values
		err       string
	}{
		{"empty", "", url.Values{}, ""},
		{"plain", "product=SKU-1&channel=app", url.Values{"product": {"SKU-1"}, "channel": {"app"}}, ""},
		{"escapes and plus", "category=%E7%89%A9%E6%B5%81&q=a+b%3Bc", url.Values{"category": {"物流"}, "q": {"a b;c"}}, ""},
		{"empty parts and bare names", "&&a&b=", url.Values{"a": {""}, "b": {""}}, ""},
		{"repeated", "a=1&a=2", url.Values{"a": {"1", "2"}}, ""},
		{"raw semicolon in a value", "product=SKU-1;channel=app", nil, "parameter product holds a raw ';': separate parameters with '&' and encode ';' as %3B"},
		{"raw semicolon as separator", "from=2026-03-01&;x", nil, "parameter ;x holds a raw ';': separate parameters with '&' and encode ';' as %3B"},
		{"bad escape in a value", "q=100%", nil, "parameter q is not valid percent-encoding"},
		{"bad escape in a name", "q%zz=1", nil, `parameter name "q%zz" is not valid percent-encoding`},
		{"too many", strings.Repeat("x=1&", maxParams) + "product=SKU-1", nil, "the query has more than 64 parameters"},
		{"too many empty parts", "product=SKU-1" + strings.Repeat("&", maxParams), nil, "the query has more than 64 parameters"},
		{"as many as allowed", strings.Repeat("x=1&", maxParams-1) + "product=SKU-1", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseQuery(tc.raw)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				if ae, ok := err.(*apiError); !ok || ae.Code != "bad_request" {
					t.Errorf("error %#v is no bad request", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != nil && got.Encode() != tc.want.Encode() {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBearer(t *testing.T) {
	h := RequireToken("0123456789abcdef", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	tests := []struct {
		header string
		status int
	}{
		{"Bearer 0123456789abcdef", 200},
		{"bearer 0123456789abcdef", 200}, // RFC 7235: the scheme is case-insensitive
		{"BEARER  0123456789abcdef", 200},
		{"Bearer 0123456789abcdeF", 401},
		{"Bearer0123456789abcdef", 401},
		{"Basic 0123456789abcdef", 401},
		{"0123456789abcdef", 401},
		{"", 401},
	}
	for _, tc := range tests {
		t.Run(tc.header, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/facets", nil)
			req.Header.Set("Authorization", tc.header)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d", w.Code, tc.status)
			}
			if tc.status == 401 && w.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

// TestCheckHost: a loopback listener without a token answers only
// loopback Host names (DNS rebinding); with a token, or on another
// address, any.
func TestCheckHost(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	tests := []struct {
		listen, token, host string
		status              int
	}{
		{"127.0.0.1:9464", "", "127.0.0.1:9464", 200},
		{"127.0.0.1:9464", "", "localhost:9464", 200},
		{"127.0.0.1:9464", "", "LocalHost", 200},
		{"127.0.0.1:9464", "", "[::1]:9464", 200},
		{"127.0.0.1:9464", "", "127.0.0.2", 200},
		{"127.0.0.1:9464", "", "", 200},
		{"127.0.0.1:9464", "", "evil.example:9464", 403},
		{"127.0.0.1:9464", "", "localhost.evil.example", 403},
		{"127.0.0.1:9464", "", "192.168.1.10:9464", 403},
		{"localhost:0", "", "rebind.attacker.test", 403},
		{"[::1]:9464", "", "evil.example", 403},
		{"127.0.0.1:9464", "0123456789abcdef", "voc.internal", 200},
		{"0.0.0.0:9464", "0123456789abcdef", "voc.internal", 200},
		{"10.0.0.5:9464", "", "voc.internal", 200},
	}
	for _, tc := range tests {
		t.Run(tc.listen+" "+tc.host, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/facets", nil)
			req.Host = tc.host
			w := httptest.NewRecorder()
			CheckHost(ok, tc.listen, tc.token).ServeHTTP(w, req)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
		})
	}
}

// TestConcurrencyLimit: with every request slot taken, the API and the
// report answer 503 with Retry-After at once; the dashboard page still
// loads (without inline data) and a wrong token is still a 401.
func TestConcurrencyLimit(t *testing.T) {
	for _, token := range []string{"", "0123456789abcdef"} {
		h, err := New(Config{CH: &query.Store{}, Token: token, MaxConcurrent: 2})
		if err != nil {
			t.Fatal(err)
		}
		h.sem <- struct{}{}
		h.sem <- struct{}{}
		for _, path := range []string{"/api/v1/facets", "/api/v1/trend?category=物流", "/report"} {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			w := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != RetryAfter || !strings.Contains(w.Body.String(), `"busy"`) {
				t.Errorf("token %q %s: %d %v %s", token, path, w.Code, w.Header(), w.Body)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("%s: refused after %s", path, d)
			}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		if w.Code != 200 || strings.Contains(w.Body.String(), `id="first-screen"`) {
			t.Errorf("token %q page: %d", token, w.Code)
		}
		if token != "" {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/facets", nil))
			if w.Code != http.StatusUnauthorized {
				t.Errorf("no token, slots full: %d", w.Code)
			}
		}
	}
}

// TestHardening runs issue 17's API cases on stored records.
func TestHardening(t *testing.T) {
	recs := analysed(t, 3, 40)
	f := newFixture(t, recs, false, Config{})
	rng := "from=" + f.from.Format("2006-01-02") + "&to=" + f.to.Format("2006-01-02")
	sum := func(s query.Series) uint64 {
		var n uint64
		for _, p := range s.Points {
			n += p.Records
		}
		return n
	}

	t.Run("trend of a bare category", func(t *testing.T) {
		var one, two TrendResponse
		if code, body := get(t, f.srv.URL, "/api/v1/trend?category="+url.QueryEscape("质量")+"&"+rng, "", &one); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		if len(one.Series) != 1 || one.Series[0].Key != "质量" || sum(one.Series[0]) == 0 {
			t.Fatalf("series %+v", one.Series)
		}
		if code, body := get(t, f.srv.URL, "/api/v1/trend?series="+url.QueryEscape("质量,质量")+"&"+rng, "", &two); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		if len(two.Series) != 2 || sum(two.Series[0]) != sum(one.Series[0]) || sum(two.Series[1]) != sum(one.Series[0]) {
			t.Errorf("duplicate keys: %d series, %d and %d records, want %d each", len(two.Series), sum(two.Series[0]), sum(two.Series[1]), sum(one.Series[0]))
		}
	})

	total := func(t *testing.T, query string) (int, uint64, string) {
		t.Helper()
		var res SearchResponse
		code, body := get(t, f.srv.URL, "/api/v1/search?"+query, "", &res)
		return code, res.Total, string(body)
	}
	code, all, body := total(t, rng)
	if code != 200 || all == 0 {
		t.Fatalf("search: %d %s", code, body)
	}
	product := recs[0].Feedback.Product
	code, some, body := total(t, rng+"&product="+url.QueryEscape(product))
	if code != 200 || some == 0 || some == all {
		t.Fatalf("search of %s: %d, %d of %d: %s", product, code, some, all, body)
	}
	t.Run("filters are never dropped", func(t *testing.T) {
		for _, tc := range []struct{ name, query, field string }{
			{"raw semicolon", rng + "&product=" + url.QueryEscape(product) + ";x", "product"},
			{"semicolon separator", rng + ";product=" + url.QueryEscape(product), "to"},
			{"over 10,000 parameters", strings.Repeat("pad=1&", 10001) + rng + "&product=" + url.QueryEscape(product), ""},
			{"over 10,000 empty parameters", rng + "&product=" + url.QueryEscape(product) + strings.Repeat("&", 10001), ""},
			{"bad escape", rng + "&product=" + url.QueryEscape(product) + "%", "product"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				code, n, body := total(t, tc.query)
				if code != http.StatusBadRequest || !strings.Contains(body, `"field":"`+tc.field+`"`) && tc.field != "" {
					t.Errorf("status %d, %d records (all %d): %.300s", code, n, all, body)
				}
			})
		}
	})

	t.Run("report times out", func(t *testing.T) {
		h, err := New(Config{CH: f.ch, ReportTimeout: time.Nanosecond, Now: func() time.Time { return f.to }})
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/report?format=md", nil))
		if w.Code != http.StatusGatewayTimeout || !strings.Contains(w.Body.String(), `"timeout"`) {
			t.Errorf("status %d: %.300s", w.Code, w.Body)
		}
	})
}
