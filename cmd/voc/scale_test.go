package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
	"github.com/vocproject/voc/internal/testinfra/kafkatest"
)

// withSettings returns a copy of the config file with the YAML lines of
// old replaced by new (old must occur).
func withSettings(t *testing.T, config string, pairs ...string) string {
	t.Helper()
	data, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("config holds no %q", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	p := filepath.Join(t.TempDir(), "voc.yaml")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// scrape reads the child's /metrics: the value of every sample by its name
// with labels, as Prometheus' text format writes it.
func scrape(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "#") {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(l[i+1:], 64)
		if err == nil {
			out[l[:i]] = v
		}
	}
	return out
}

// currentRSS reads VmRSS of a process in MB.
func currentRSS(t *testing.T, pid int) float64 {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// TestE2EInFlightCapReached stops ClickHouse before anything is written
// and produces seven times the in-flight cap: reading must stop at the cap
// exactly (voc_pipeline_in_flight and records_read_total stay at it while
// the rest waits in Kafka), memory must stay flat, and after ClickHouse is
// back every record is stored once and every aggregate matches.
func TestE2EInFlightCapReached(t *testing.T) {
	kafkatest.RequireKcat(t)
	const maxInFlight = 300
	f := makeFeed(t, 14, 150)
	if n := len(f.msgs) + len(f.poison); n < 5*maxInFlight {
		t.Fatalf("feed of %d messages is not well beyond the cap %d", n, maxInFlight)
	}
	kc := kafkatest.Start(t, 4, e2eTopic, e2eDLQ)
	srv := chtest.StartServer(t, t.TempDir())
	db := "e2e_cap"
	// Batches are cut by size here (batch_wait 5s): two full batches are
	// the cap. With ClickHouse down, reading also stops once the writer's
	// batch, the buffered one and the one being cut are full; batches cut
	// by time while the feed trickles in (100ms on a loaded machine) are
	// smaller, and that bound, not the cap, stopped reading once (289 of
	// 300).
	cfg := withSettings(t, writeConfig(t, kc.Addrs(), srv.Addr(), db, filepath.Join(t.TempDir(), "index")),
		"max_in_flight: 2000", fmt.Sprintf("max_in_flight: %d", maxInFlight),
		"batch_wait: 100ms", "batch_wait: 5s")
	a := startChild(t, cfg)
	addr := a.httpAddr(t)
	waitForSink(t, srv.Addr(), db, a)

	port, dir := srv.Addr(), srv.Dir()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	f.produce(t, kc)
	deadline := time.Now().Add(2 * time.Minute)
	var m map[string]float64
	for {
		m = scrape(t, addr)
		if m["voc_pipeline_in_flight"] == maxInFlight {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("in flight %v after 2 minutes, want the cap %d", m["voc_pipeline_in_flight"], maxInFlight)
		}
		time.Sleep(200 * time.Millisecond)
	}
	rss0 := currentRSS(t, a.cmd.Process.Pid)
	time.Sleep(10 * time.Second) // retries go on; reading must not
	m = scrape(t, addr)
	rss1 := currentRSS(t, a.cmd.Process.Pid)
	if got := m["voc_pipeline_in_flight"]; got != maxInFlight {
		t.Errorf("in flight %v 10 s later, want the cap %d", got, maxInFlight)
	}
	if got := m["voc_pipeline_records_read_total"]; got != maxInFlight {
		t.Errorf("read %v records with ClickHouse down, want exactly the cap %d", got, maxInFlight)
	}
	if got := m["voc_pipeline_records_written_total"]; got != 0 {
		t.Errorf("%v records written with ClickHouse down", got)
	}
	if got := m[`voc_pipeline_sink_errors_total{sink="*clickhouse.Sink"}`]; got < 2 {
		t.Errorf("%v failed ClickHouse writes counted, want retries", got)
	}
	if got := m[`voc_pipeline_sink_permanent_errors_total{sink="*clickhouse.Sink"}`]; got != 0 {
		t.Errorf("ClickHouse down counted as %v permanent errors", got)
	}
	heap := m["go_memstats_heap_inuse_bytes"] / (1 << 20)
	t.Logf("at the cap: RSS %.0f MB, 10 s later %.0f MB, heap in use %.0f MB, %v failed writes",
		rss0, rss1, heap, m[`voc_pipeline_sink_errors_total{sink="*clickhouse.Sink"}`])
	if rss1 > rss0+50 {
		t.Errorf("RSS grew from %.0f to %.0f MB at the cap", rss0, rss1)
	}
	if peak := peakRSS(t, a.cmd.Process.Pid); peak > 800 {
		t.Errorf("peak RSS %.0f MB, want at most 800", peak)
	}

	srv2 := restartServer(t, dir, port)
	s := openCH(t, srv2.Addr(), db)
	waitRecords(t, s, f.records, 5*time.Minute, a)
	waitCommitted(t, kc, len(f.msgs)+len(f.poison))
	a.stop(t)
	checkExact(t, s, srv2.Addr(), db, f)
	checkDeadLetters(t, kc, f)
}

// searchTotal asks a voc run's /api/v1/search for the total of a search.
func searchTotal(t *testing.T, addr string, params url.Values) (uint64, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/api/v1/search?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Engine string `json:"engine"`
		Total  uint64 `json:"total"`
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("search %v: %s", params, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Total, out.Engine
}

// searchChecks are the searches compared: the feed's whole range, and a
// product, a channel and a sentiment within it.
func searchChecks(f *feed) []url.Values {
	base := func(kv ...string) url.Values {
		v := url.Values{"from": {"2025-01-01"}, "to": {"2026-01-01"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	return []url.Values{base(), base("product", f.msgs[0].Product), base("channel", f.msgs[0].Channel),
		base("sentiment", "negative"), base("product", f.msgs[1].Product, "sentiment", "positive")}
}

// sameTotals waits until every search of checks gives each instance's
// index the total ClickHouse gives, and returns the ClickHouse totals.
func sameTotals(t *testing.T, checks []url.Values, addrs ...string) []uint64 {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var diffs []string
		var want []uint64
		for _, q := range checks {
			chq := url.Values{}
			for k, v := range q {
				chq[k] = v
			}
			chq.Set("engine", "clickhouse")
			n, engine := searchTotal(t, addrs[0], chq)
			if engine != "clickhouse" {
				t.Fatalf("engine=clickhouse answered by %s", engine)
			}
			want = append(want, n)
			for _, a := range addrs {
				iq := url.Values{}
				for k, v := range q {
					iq[k] = v
				}
				iq.Set("engine", "index")
				got, engine := searchTotal(t, a, iq)
				if engine != "index" {
					t.Fatalf("engine=index answered by %s", engine)
				}
				if got != n {
					diffs = append(diffs, fmt.Sprintf("%s %v: index %d, clickhouse %d", a, q, got, n))
				}
			}
		}
		if len(diffs) == 0 {
			return want
		}
		if time.Now().After(deadline) {
			t.Fatalf("search totals differ after 3 minutes:\n%s", strings.Join(diffs, "\n"))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// TestE2ESearchAcrossInstances runs two voc run processes in one group,
// each with an index replica (index.mode: replica): whichever answers, the
// index's totals equal ClickHouse's counts, also after one stops (the other
// takes over its partitions; its index already had them) and after it
// restarts (its replica resumes from its group's offsets).
func TestE2ESearchAcrossInstances(t *testing.T) {
	kafkatest.RequireKcat(t)
	f1 := makeFeedSeed(t, 42, 14, 60)
	f2 := makeFeedSeed(t, 43, 14, 30)
	kc := kafkatest.Start(t, 4, e2eTopic, e2eDLQ)
	db := chtest.Start(t)
	replica := func() string {
		return withSettings(t, writeConfig(t, kc.Addrs(), db.Addr, db.Database, filepath.Join(t.TempDir(), "index")),
			"index:\n", "index:\n  mode: replica\n")
	}
	cfgA, cfgB := replica(), replica()
	a, b := startChild(t, cfgA), startChild(t, cfgB)
	addrA, addrB := a.httpAddr(t), b.httpAddr(t)
	s := waitForSink(t, db.Addr, db.Database, a, b)
	time.Sleep(3 * time.Second) // both in the group: the partitions are shared
	f1.produce(t, kc)
	waitRecords(t, s, f1.records, 3*time.Minute, a, b)
	checks := searchChecks(f1)
	want := sameTotals(t, checks, addrA, addrB)
	if want[0] != uint64(f1.records) {
		t.Errorf("ClickHouse total %d, want %d records", want[0], f1.records)
	}
	// Caught up, each replica's lag gauge says so.
	for _, addr := range []string{addrA, addrB} {
		deadline := time.Now().Add(30 * time.Second)
		for {
			lag, ok := scrape(t, addr)["voc_index_replica_lag"]
			if !ok {
				t.Fatalf("%s: no voc_index_replica_lag", addr)
			}
			if lag == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: voc_index_replica_lag %v after the index caught up", addr, lag)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	for _, c := range []*child{a, b} {
		if !strings.Contains(c.stderr.String(), "pipeline: running") {
			t.Errorf("pid %d never ran the pipeline", c.cmd.Process.Pid)
		}
	}
	// A text search gives the same total on both, and voc search --url
	// prints the same hits whichever it asks.
	q := url.Values{"q": {"物流"}, "from": {"2025-01-01"}, "to": {"2026-01-01"}}
	na, _ := searchTotal(t, addrA, q)
	nb, _ := searchTotal(t, addrB, q)
	if na != nb || na == 0 {
		t.Errorf("q=物流: %d hits on one instance, %d on the other", na, nb)
	}
	outA := vocSearch(t, "--url", "http://"+addrA, "--from", "2025-01-01", "--to", "2026-01-01", "-n", "50", "物流")
	outB := vocSearch(t, "--url", "http://"+addrB, "--from", "2025-01-01", "--to", "2026-01-01", "-n", "50", "物流")
	strip := func(s string) string { // the first line says how long it took
		_, rest, _ := strings.Cut(s, "\n")
		return rest
	}
	if !strings.HasPrefix(outA, fmt.Sprintf("%d hits", na)) || strip(outA) != strip(outB) || !strings.Contains(outA, "【物流】") {
		t.Errorf("voc search --url differs between the instances or from the API (%d hits):\n%s\n---\n%s", na, tail(outA, 600), tail(outB, 600))
	}

	// A stops; B takes over A's partitions of the main group, and its
	// index, which had them all along, stays equal to ClickHouse.
	a.stop(t)
	f2.produce(t, kc)
	total := f1.records + f2.records
	waitRecords(t, s, total, 3*time.Minute, b)
	want = sameTotals(t, checks, addrB)
	if want[0] != uint64(total) {
		t.Errorf("ClickHouse total %d after the second feed, want %d", want[0], total)
	}
	// A comes back with its index: its replica resumes and catches up.
	a2 := startChild(t, cfgA)
	addrA2 := a2.httpAddr(t)
	sameTotals(t, checks, addrA2, addrB)
	if strings.Count(a2.stderr.String(), "bleve: opened index") != 1 {
		t.Errorf("the restarted instance did not reopen its index")
	}
	waitCommitted(t, kc, len(f1.msgs)+len(f2.msgs)+len(f1.poison)+len(f2.poison))
	a2.stop(t)
	b.stop(t)
	c := mustCounts(t, s)
	if c.Records != uint64(total) || c.DistinctRecords != uint64(total) || c.HourlyRecords != uint64(total) {
		t.Errorf("records: rows %d, distinct %d, hourly %d; want %d", c.Records, c.DistinctRecords, c.HourlyRecords, total)
	}
}

// TestE2EPermanentSinkError breaks the schema under a running voc run (a
// column the sink writes is dropped): the error is permanent, so it is not
// retried; the process logs it, counts it, answers /readyz with 503 and
// stays up without committing what it could not write. After the column is
// back, a restarted voc run stores every record exactly once.
func TestE2EPermanentSinkError(t *testing.T) {
	kafkatest.RequireKcat(t)
	f := makeFeed(t, 7, 40)
	kc := kafkatest.Start(t, 4, e2eTopic, e2eDLQ)
	db := chtest.Start(t)
	cfg := writeConfig(t, kc.Addrs(), db.Addr, db.Database, filepath.Join(t.TempDir(), "index"))
	a := startChild(t, cfg)
	addr := a.httpAddr(t)
	s := waitForSink(t, db.Addr, db.Database, a)
	chQuery(t, db.Addr, "ALTER TABLE "+db.Database+".feedback DROP COLUMN ingested_at")
	f.produce(t, kc)

	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(a.stderr.String(), "permanent sink error") {
		if time.Now().After(deadline) {
			t.Fatal("no permanent sink error logged within 2 minutes")
		}
		select {
		case err := <-a.done:
			t.Fatalf("voc run exited on a permanent error instead of staying up not ready: %v", err)
		default:
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	select {
	case err := <-a.done:
		t.Fatalf("voc run exited: %v", err)
	default:
	}
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz %s after a permanent error, want 503", resp.Status)
	}
	m := scrape(t, addr)
	if got := m[`voc_pipeline_sink_permanent_errors_total{sink="*clickhouse.Sink"}`]; got != 1 {
		t.Errorf("permanent errors metric %v, want 1", got)
	}
	if got := m[`voc_pipeline_sink_errors_total{sink="*clickhouse.Sink"}`]; got != 1 {
		t.Errorf("%v failed ClickHouse writes, want 1 (a permanent error is not retried)", got)
	}
	if c := mustCounts(t, s); c.Records != 0 {
		t.Errorf("%d records stored with the column missing", c.Records)
	}
	for p, off := range kc.Committed(e2eGroup, e2eTopic) {
		if off > 0 {
			// Only batches of dead letters alone could have been
			// delivered; the data never was, and its offsets must stay
			// uncommitted. A partition committed past a record whose
			// ClickHouse write failed would lose it: checkExact below
			// would catch that.
			t.Logf("partition %d committed at %d", p, off)
		}
	}

	// The operator fixes the schema and restarts voc run.
	chQuery(t, db.Addr, "ALTER TABLE "+db.Database+".feedback ADD COLUMN ingested_at DateTime")
	a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-a.done:
		a.done <- err
		if err == nil {
			t.Errorf("voc run stopped after a permanent error exited 0, want a failure exit")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("voc run did not stop within 60s of SIGTERM")
	}
	if !strings.Contains(a.stderr.String(), "voc migrate") {
		t.Errorf("the log does not tell the operator what to do next")
	}
	b := startChild(t, cfg)
	waitRecords(t, s, f.records, 3*time.Minute, b)
	waitCommitted(t, kc, len(f.msgs)+len(f.poison))
	b.stop(t)
	checkExact(t, s, db.Addr, db.Database, f)
	checkDeadLetters(t, kc, f)
}

// chQuery runs one statement with clickhouse-client.
func chQuery(t *testing.T, addr, q string) {
	t.Helper()
	out, err := exec.Command(clickhouseClient(t), "--host", "127.0.0.1", "--port", strings.TrimPrefix(addr, "127.0.0.1:"), "--query", q).CombinedOutput()
	if err != nil {
		t.Fatalf("clickhouse-client %q: %v\n%s", q, err, out)
	}
}

// vocSearch runs voc search in process and returns its output.
func vocSearch(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	e := env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	if code := run(context.Background(), e, append([]string{"search"}, args...)); code != 0 {
		t.Fatalf("voc search %v: exit %d: %s", args, code, errb.String())
	}
	return out.String()
}
