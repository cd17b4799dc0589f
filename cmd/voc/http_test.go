package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vocproject/voc/internal/config"
	"github.com/vocproject/voc/sinks/clickhouse"
	"github.com/vocproject/voc/store/ch/query"
)

const testToken = "0f6c2b9e8d41a7c3d5e6f708"

// testDaemon is a daemon with only what its HTTP handler needs: a reload
// fails at once (the lexicon directory is a file) with 422, which tells
// that a request got past the guards.
func testDaemon(t *testing.T, listen, token string, pprof bool) http.Handler {
	t.Helper()
	cfg := config.Default()
	cfg.HTTP.Listen, cfg.HTTP.Token, cfg.HTTP.Pprof = listen, token, pprof
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	notDir := filepath.Join(t.TempDir(), "lexicons")
	if err := os.WriteFile(notDir, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := &daemon{cfg: cfg, log: log, reg: prometheus.NewRegistry(), ch: &clickhouse.Sink{}, q: &query.Store{},
		nlp: &nlpState{dir: notDir, log: log}}
	h, err := d.handler()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestDaemonHTTP: what each endpoint of voc run's listener answers, with
// and without a token (issue 17 items 1 and 7).
func TestDaemonHTTP(t *testing.T) {
	type req struct {
		name, method, path, host, auth string
		header                         []string
		status                         int
		body                           string // a substring of the answer
	}
	tests := []struct {
		name          string
		listen, token string
		pprof         bool
		reqs          []req
	}{
		{"loopback without a token", "127.0.0.1:9464", "", false, []req{
			{"profiles are off by default", "GET", "/debug/pprof/", "127.0.0.1:9464", "", nil, 404, ""},
			{"no heap dump either", "GET", "/debug/pprof/heap", "127.0.0.1:9464", "", nil, 404, ""},
			{"metrics", "GET", "/metrics", "127.0.0.1:9464", "", nil, 200, ""},
			{"health", "GET", "/healthz", "localhost:9464", "", nil, 200, "ok"},
			{"not ready yet", "GET", "/readyz", "localhost:9464", "", nil, 503, "not ready"},
			{"rebound name: metrics", "GET", "/metrics", "evil.example:9464", "", nil, 403, "bad_host"},
			{"rebound name: API", "GET", "/api/v1/search", "evil.example:9464", "", nil, 403, "bad_host"},
			{"rebound name: page", "GET", "/", "evil.example:9464", "", nil, 403, "bad_host"},
			{"reload from curl", "POST", "/admin/reload", "127.0.0.1:9464", "", nil, 422, "reload rejected"},
			{"reload from a cross-site page", "POST", "/admin/reload", "127.0.0.1:9464", "", []string{"Origin", "http://evil.example"}, 403, ""},
			{"reload, Sec-Fetch-Site cross-site", "POST", "/admin/reload", "127.0.0.1:9464", "", []string{"Sec-Fetch-Site", "cross-site"}, 403, ""},
			{"reload from the same origin", "POST", "/admin/reload", "127.0.0.1:9464", "", []string{"Origin", "http://127.0.0.1:9464", "Sec-Fetch-Site", "same-origin"}, 422, ""},
		}},
		{"loopback without a token, profiles on", "127.0.0.1:9464", "", true, []req{
			{"profiles", "GET", "/debug/pprof/", "127.0.0.1:9464", "", nil, 200, "heap"},
			{"rebound name", "GET", "/debug/pprof/heap", "evil.example", "", nil, 403, ""},
		}},
		{"any address with a token", "0.0.0.0:9464", testToken, false, []req{
			{"profiles are off by default", "GET", "/debug/pprof/", "voc.internal", "Bearer " + testToken, nil, 404, ""},
			{"metrics need the token", "GET", "/metrics", "voc.internal", "", nil, 401, ""},
			{"metrics with it", "GET", "/metrics", "voc.internal", "Bearer " + testToken, nil, 200, ""},
			{"lowercase scheme", "GET", "/metrics", "voc.internal", "bearer " + testToken, nil, 200, ""},
			{"health is open and says nothing else", "GET", "/healthz", "voc.internal", "", nil, 200, "ok\n"},
			{"readiness is open", "GET", "/readyz", "voc.internal", "", nil, 503, "not ready\n"},
			{"API needs it", "GET", "/api/v1/facets", "voc.internal", "", nil, 401, ""},
			{"report needs it", "GET", "/report", "voc.internal", "", nil, 401, ""},
			{"reload needs it", "POST", "/admin/reload", "voc.internal", "", nil, 401, ""},
			{"reload with it", "POST", "/admin/reload", "voc.internal", "Bearer " + testToken, nil, 422, ""},
			{"reload with it, cross-site", "POST", "/admin/reload", "voc.internal", "Bearer " + testToken, []string{"Origin", "https://evil.example"}, 403, ""},
		}},
		{"any address with a token, profiles on", "0.0.0.0:9464", testToken, true, []req{
			{"profiles need the token", "GET", "/debug/pprof/", "voc.internal", "", nil, 401, ""},
			{"heap dump needs it", "GET", "/debug/pprof/heap", "voc.internal", "", nil, 401, ""},
			{"goroutine dump needs it", "GET", "/debug/pprof/goroutine?debug=2", "voc.internal", "", nil, 401, ""},
			{"CPU profile needs it", "GET", "/debug/pprof/profile?seconds=1", "voc.internal", "", nil, 401, ""},
			{"trace needs it", "GET", "/debug/pprof/trace?seconds=1", "voc.internal", "", nil, 401, ""},
			{"wrong token", "GET", "/debug/pprof/", "voc.internal", "Bearer nope", nil, 401, ""},
			{"profiles with it", "GET", "/debug/pprof/", "voc.internal", "Bearer " + testToken, nil, 200, "goroutine"},
			{"heap with it", "GET", "/debug/pprof/heap", "voc.internal", "Bearer " + testToken, nil, 200, ""},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := testDaemon(t, tc.listen, tc.token, tc.pprof)
			for _, r := range tc.reqs {
				t.Run(r.name, func(t *testing.T) {
					req := httptest.NewRequest(r.method, r.path, nil)
					req.Host = r.host
					if r.auth != "" {
						req.Header.Set("Authorization", r.auth)
					}
					for i := 0; i+1 < len(r.header); i += 2 {
						req.Header.Set(r.header[i], r.header[i+1])
					}
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != r.status || !strings.Contains(w.Body.String(), r.body) {
						t.Errorf("%s %s: %d, want %d with %q: %.200s", r.method, r.path, w.Code, r.status, r.body, w.Body)
					}
				})
			}
		})
	}
}

// TestServeRefusesWeakToken: voc serve checks VOC_API_TOKEN like
// http.token (a blank one used to satisfy the off-loopback rule).
func TestServeRefusesWeakToken(t *testing.T) {
	for _, tok := range []string{" ", "short", "with spaces inside it"} {
		var out bytes.Buffer
		e := env{Stdout: &out, Stderr: &out, Getenv: func(k string) string {
			if k == "VOC_API_TOKEN" {
				return tok
			}
			return ""
		}}
		code := run(context.Background(), e, []string{"serve", "--listen", "0.0.0.0:0"})
		leaked := tok != " " && strings.Contains(out.String(), tok)
		if code != 2 || !strings.Contains(out.String(), "VOC_API_TOKEN") || leaked {
			t.Errorf("token %q: exit %d: %s", tok, code, out.String())
		}
	}
}

func TestVersion(t *testing.T) {
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"checkout", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/vocproject/voc", Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "e05d4fc1"}, {Key: "vcs.time", Value: "2026-03-02T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}},
			"voc (devel) commit e05d4fc1+dirty (2026-03-02T10:00:00Z) go1.26.0\n"},
		{"clean checkout", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "e05d4fc1"}, {Key: "vcs.modified", Value: "false"}}},
			"voc (devel) commit e05d4fc1 go1.26.0\n"},
		{"go install module@version", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.0"}},
			"voc v1.2.0 commit unknown go1.26.0\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			c := &versionCmd{env: env{Stdout: &out, Stderr: &out}, buildInfo: func() (*debug.BuildInfo, bool) { return tc.bi, true }}
			if err := c.Run(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("got %q, want %q", out.String(), tc.want)
			}
		})
	}
	var out bytes.Buffer
	e := env{Stdout: &out, Stderr: &out}
	if code := run(context.Background(), e, []string{"version"}); code != 0 || !strings.HasPrefix(out.String(), "voc ") {
		t.Errorf("voc version: exit %d: %q", code, out.String())
	}
	if code := run(context.Background(), e, []string{"version", "extra"}); code != 2 {
		t.Errorf("voc version extra: exit %d", code)
	}
}
