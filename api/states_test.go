package api

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vocproject/voc/store/ch"
	"github.com/vocproject/voc/store/ch/query"
)

// chProxy is a TCP proxy in front of the real ClickHouse that the tests
// switch between passing bytes, hanging (connections accepted, nothing
// forwarded: a stopped or overloaded server) and down (connections
// refused and cut: a stopped server).
type chProxy struct {
	target string
	addr   string
	mu     sync.Mutex
	mode   string // "up", "hang", "down"
	ln     net.Listener
	conns  map[net.Conn]bool
	wake   chan struct{} // closed when the mode changes
}

func startProxy(t testing.TB, target string) *chProxy {
	t.Helper()
	p := &chProxy{target: target, mode: "up", conns: map[net.Conn]bool{}, wake: make(chan struct{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.listen(ln)
	t.Cleanup(func() { p.set("down") })
	return p
}

func (p *chProxy) listen(ln net.Listener) {
	p.ln = ln
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
}

// set switches the mode; "down" closes the listener and every connection,
// "up" listens again on the same address.
func (p *chProxy) set(mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = mode
	close(p.wake)
	p.wake = make(chan struct{})
	if mode == "down" {
		if p.ln != nil {
			p.ln.Close()
			p.ln = nil
		}
		for c := range p.conns {
			c.Close()
		}
		return
	}
	if p.ln == nil {
		if ln, err := net.Listen("tcp", p.addr); err == nil {
			p.listen(ln)
		}
	}
}

func (p *chProxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
}

func (p *chProxy) serve(c net.Conn) {
	p.track(c, true)
	defer p.track(c, false)
	defer c.Close()
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	p.track(up, true)
	defer p.track(up, false)
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { p.pipe(up, c); done <- struct{}{} }()
	go func() { p.pipe(c, up); done <- struct{}{} }()
	<-done
}

// pipe copies src to dst while the mode is up; while it hangs, bytes wait.
func (p *chProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		for n > 0 {
			p.mu.Lock()
			mode, wake := p.mode, p.wake
			p.mu.Unlock()
			if mode == "up" {
				if _, err := dst.Write(buf[:n]); err != nil {
					return
				}
				break
			}
			if mode == "down" {
				return
			}
			<-wake
		}
		if err != nil {
			return
		}
	}
}

// TestDatabaseStates: with ClickHouse down or hung, /healthz says so, the
// API fails within seconds with a 503 that names the database, and the
// report is an HTML page in Chinese; back up, everything answers again.
func TestDatabaseStates(t *testing.T) {
	f := newFixture(t, analysed(t, 14, 20), false, Config{})
	proxied := proxiedHandler(t, f)
	srv := httptest.NewServer(proxied.h)
	t.Cleanup(srv.Close)
	p := proxied.p
	// Hung right after answering: the last good ping is trusted, the
	// queries hang, and the watch (guardDB) ends them.
	limit := watchAfter + pingTimeout + time.Second
	for _, mode := range []string{"down", "up", "hang", "up"} {
		t.Run(mode, func(t *testing.T) {
			p.set(mode)
			if mode != "hang" {
				time.Sleep(failTTL + 100*time.Millisecond) // the last failed check is forgotten
			}
			want := map[bool]int{true: 200, false: 503}[mode == "up"]
			for _, path := range []string{"/healthz", "/api/v1/overview", "/api/v1/dashboard", "/report", "/report?format=md"} {
				start := time.Now()
				resp, err := http.Get(srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				took := time.Since(start)
				if resp.StatusCode != want || took > limit {
					t.Errorf("%s: %d after %s, want %d within %s: %.200s", path, resp.StatusCode, took, want, limit, body)
				}
				if mode == "up" {
					continue
				}
				ct := resp.Header.Get("Content-Type")
				switch {
				case path == "/report" && (!strings.HasPrefix(ct, "text/html") || !strings.Contains(string(body), "数据库（ClickHouse）暂时无法访问")):
					t.Errorf("%s: %s %.300s", path, ct, body)
				case strings.HasPrefix(path, "/api/") || path == "/report?format=md":
					if !strings.Contains(string(body), `"unavailable"`) || resp.Header.Get("Retry-After") == "" {
						t.Errorf("%s: %v %.300s", path, resp.Header, body)
					}
				}
			}
			// The page comes at once, without the first screen inline.
			start := time.Now()
			code, page := get(t, srv.URL, "/", "", nil)
			if took := time.Since(start); code != 200 || took > limit || (mode != "up") == firstScreenJSON.Match(page) {
				t.Errorf("page: %d after %s, inline first screen %v", code, took, firstScreenJSON.Match(page))
			}
		})
	}
}

// proxied is a handler over the fixture's database through a chProxy.
type proxied struct {
	h http.Handler
	p *chProxy
}

func proxiedHandler(t testing.TB, f *fixture) proxied {
	t.Helper()
	db := f.db
	p := startProxy(t, db.Addr)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, err := query.Open(ctx, ch.Config{Addrs: []string{p.addr}, Database: db.Database})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h, err := New(Config{CH: store, Now: func() time.Time { return f.to }, QueryTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// /__proxy?mode=… switches the proxy (for the browser script).
	mux := http.NewServeMux()
	mux.HandleFunc("/__proxy", func(w http.ResponseWriter, r *http.Request) {
		m := r.URL.Query().Get("mode")
		if m != "up" && m != "hang" && m != "down" {
			http.Error(w, "mode", 400)
			return
		}
		p.set(m)
		io.WriteString(w, m)
	})
	mux.Handle("/", h)
	return proxied{h: mux, p: p}
}

// TestDatabaseStatesInBrowser: ClickHouse stopped, then hung, then an
// empty range, in the dashboard.
func TestDatabaseStatesInBrowser(t *testing.T) {
	f := newFixture(t, analysed(t, 14, 20), false, Config{})
	px := proxiedHandler(t, f)
	srv := httptest.NewServer(px.h)
	t.Cleanup(srv.Close)
	type seen struct {
		MS      int      `json:"ms"`
		Panels  int      `json:"panels"`
		Retries int      `json:"retries"`
		Texts   []string `json:"texts"`
		Global  string   `json:"global"`
		KPIs    int      `json:"kpis"`
		Busy    int      `json:"busy"`
		Nav     int      `json:"nav"`     // the page received, ms after navigation
		Timings [][]any  `json:"timings"` // API calls: path, start, end (ms)
	}
	var res struct {
		PageErrors []string `json:"page_errors"`
		Down       seen     `json:"down"`
		Retried    seen     `json:"retried"`
		Hung       seen     `json:"hung"`
		Empty      struct {
			Text  string `json:"text"`
			After seen   `json:"after"`
			From  string `json:"from"`
		} `json:"empty"`
		Error string `json:"error"`
	}
	runScript(t, "states.mjs", []string{"VOC_SHOT_DIR=" + artifactDir(t)}, &res, srv.URL+"/")
	t.Logf("%+v", res)
	if res.Error != "" || len(res.PageErrors) > 0 {
		t.Fatalf("browser: %s %q", res.Error, res.PageErrors)
	}
	const panels = 9 // what changed, KPIs, top, trend, movers, channels, drivers, alerts, topics, emerging: the KPIs and top share the overview
	for name, s := range map[string]seen{"down": res.Down, "hung": res.Hung} {
		want := map[string]string{"down": "数据库（ClickHouse）暂时无法访问", "hung": "The database (ClickHouse) cannot be reached"}[name]
		if s.Panels < panels || s.Retries != s.Panels || len(s.Texts) != 1 || !strings.Contains(s.Texts[0], want) || s.Busy != 0 || s.MS > 8000 {
			t.Errorf("%s: %+v, want every panel to say %q with a retry, within 8 s", name, s, want)
		}
	}
	if r := res.Retried; r.Panels != 0 || r.Global != "" || r.KPIs != 5 {
		t.Errorf("after a retry with the database up: %+v", r)
	}
	if !strings.Contains(res.Empty.Text, "2020-01-01 至 2020-01-14 没有反馈") || !strings.Contains(res.Empty.Text, f.from.Format(time.DateOnly)) ||
		res.Empty.After.KPIs != 5 || res.Empty.From != f.to.AddDate(0, 0, -14).Format(time.DateOnly) {
		t.Errorf("empty range: %+v", res.Empty)
	}
}
