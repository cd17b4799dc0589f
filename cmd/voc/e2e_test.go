package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/internal/gen"
	"github.com/vocproject/voc/internal/testinfra/chserver"
	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
	"github.com/vocproject/voc/internal/testinfra/kafkatest"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/pipeline/enrich"
	"github.com/vocproject/voc/sinks/clickhouse"
	"github.com/vocproject/voc/store/ch"
)

// The end-to-end tests run `voc run` as a child process (this test binary
// re-executed with VOC_E2E_CHILD=1 runs main), produce with kcat, kill it
// with SIGKILL, stop ClickHouse under it, run two of them in one group, and
// check that ClickHouse ends up with exactly the records and mentions that
// an in-process analysis of the same messages yields.

const childEnv = "VOC_E2E_CHILD"

// cpuProfileEnv names a file for a CPU profile of the child, written
// until the first SIGINT or SIGTERM (main exits without returning).
const cpuProfileEnv = "VOC_E2E_CHILD_CPUPROFILE"

func startCPUProfile(path string) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cpu profile:", err)
		return
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		signal.Stop(sig)
		pprof.StopCPUProfile()
		f.Close()
	}()
}

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if p := os.Getenv(cpuProfileEnv); p != "" {
			startCPUProfile(p)
		}
		main()
		return
	}
	os.Exit(chtest.Main(m))
}

const (
	e2eTopic = "voc.feedback"
	e2eDLQ   = "voc.deadletter"
	e2eGroup = "voc-e2e"
)

// feed is a generated feed with the poison messages and what an in-process
// analysis of it gives.
type feed struct {
	msgs   []feedback.Message
	lines  []byte // kcat input: key TAB value per line
	poison [][]byte
	// want: records, and mentions per category/subcategory/polarity of
	// customer turns.
	records  int
	mentions map[string]int
	chats    int // messages with turns: one conversations row each
}

func makeFeed(t *testing.T, days, perDay int) *feed {
	t.Helper()
	return makeFeedSeed(t, 42, days, perDay)
}

// makeFeedSeed is makeFeed with another generator seed: other texts and
// other record ids.
func makeFeedSeed(t *testing.T, seed int64, days, perDay int) *feed {
	t.Helper()
	g, err := gen.New(gen.Config{Seed: seed, Days: days, PerDay: perDay})
	if err != nil {
		t.Fatal(err)
	}
	f := &feed{msgs: g.All(), mentions: map[string]int{}}
	var buf bytes.Buffer
	stage := enrich.New(testAnalyzer(t), 0)
	for i := range f.msgs {
		v, err := f.msgs[i].MarshalWith(nil)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.ContainsAny(v, "\t\n") {
			t.Fatalf("message %d holds a raw tab or newline", i)
		}
		fmt.Fprintf(&buf, "%s\t%s\n", f.msgs[i].ID, v)
		rec := &pipeline.Record{Msg: pipeline.Message{Value: v}}
		stage.Process(context.Background(), rec)
		if rec.Err != nil {
			t.Fatalf("generated message %d: %v", i, rec.Err)
		}
		f.records++
		if len(rec.Turns) > 0 {
			f.chats++
			for _, tr := range rec.Turns {
				if tr.Role != "customer" {
					continue
				}
				for _, a := range tr.Aspects {
					f.mentions[a.Category+"/"+a.Subcategory+" "+a.Polarity]++
				}
			}
			continue
		}
		for _, a := range rec.Analysis.Aspects {
			f.mentions[a.Category+"/"+a.Subcategory+" "+a.Polarity]++
		}
	}
	f.lines = buf.Bytes()
	for _, p := range gen.Poison() {
		if !bytes.ContainsAny(p, "\n") {
			f.poison = append(f.poison, p)
		}
	}
	return f
}

func (f *feed) produce(t *testing.T, c *kafkatest.Cluster) {
	t.Helper()
	c.KcatInput(f.lines, "-P", "-t", e2eTopic, "-K", "\t", "-z", "lz4")
	var p bytes.Buffer
	for _, v := range f.poison {
		p.Write(v)
		p.WriteByte('\n')
	}
	c.KcatInput(p.Bytes(), "-P", "-t", e2eTopic, "-X", "message.max.bytes=4000000")
}

// child is a `voc run` process.
type child struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func writeConfig(t *testing.T, brokers []string, chAddr, database, index string) string {
	t.Helper()
	cfg := fmt.Sprintf(`kafka:
  brokers: [%s]
  topics: [%s]
  group_id: %s
  dead_letter_topic: %s
  commit_interval: 200ms
clickhouse:
  addrs: [%s]
  database: %s
index:
  path: %s
pipeline:
  batch_records: 150
  batch_wait: 100ms
  retry_initial: 50ms
  retry_max: 1s
  max_in_flight: 2000
http:
  listen: 127.0.0.1:0
log:
  level: info
`, strings.Join(brokers, ", "), e2eTopic, e2eGroup, e2eDLQ, chAddr, database, index)
	p := filepath.Join(t.TempDir(), "voc.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func startChild(t testing.TB, config string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "run", "--config", config)
	cmd.Env = append(append(os.Environ(), childEnv+"=1"), env...)
	c := &child{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- cmd.Wait() }()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.done
		if t.Failed() {
			t.Logf("voc run (pid %d) log tail:\n%s", c.cmd.Process.Pid, tail(c.stderr.String(), 3000))
		}
	})
	return c
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func (c *child) kill9(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-c.done
	c.done <- nil
}

// stop sends SIGTERM and waits for a clean exit.
func (c *child) stop(t testing.TB) {
	t.Helper()
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		c.done <- nil
		if err != nil {
			t.Fatalf("voc run exited with %v\n%s", err, tail(c.stderr.String(), 3000))
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("voc run did not stop within 60s of SIGTERM")
	}
}

func openCH(t testing.TB, addr, database string) *clickhouse.Sink {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := clickhouse.Open(ctx, ch.Config{Addrs: []string{addr}, Database: database}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// waitRecords polls until at least n distinct records are stored.
func waitRecords(t *testing.T, s *clickhouse.Sink, n int, timeout time.Duration, alive ...*child) ch.Counts {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last ch.Counts
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := s.DB().Counts(ctx)
		cancel()
		if err == nil {
			last = c
			if c.DistinctRecords >= uint64(n) {
				return c
			}
		}
		for _, ch := range alive {
			select {
			case err := <-ch.done:
				t.Fatalf("voc run exited early: %v\n%s", err, tail(ch.stderr.String(), 3000))
			default:
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%d of %d records stored after %s", last.DistinctRecords, n, timeout)
	return last
}

// checkExact checks ClickHouse against the in-process analysis: every
// record once, every mention once, aggregates equal to the raw tables.
func checkExact(t *testing.T, s *clickhouse.Sink, addr, database string, f *feed) {
	t.Helper()
	ctx := context.Background()
	c, err := s.DB().Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := uint64(f.records)
	if c.Records != n || c.DistinctRecords != n || c.HourlyRecords != n {
		t.Errorf("records: rows %d, distinct %d, hourly %d; want %d each", c.Records, c.DistinctRecords, c.HourlyRecords, n)
	}
	if c.Mentions != c.DistinctMentions {
		t.Errorf("aspect_mentions has %d rows for %d distinct mentions", c.Mentions, c.DistinctMentions)
	}
	if c.Conversations != uint64(f.chats) || c.DistinctConversations != uint64(f.chats) {
		t.Errorf("conversations: rows %d, distinct %d; want %d chats", c.Conversations, c.DistinctConversations, f.chats)
	}
	if c.Violations != c.DistinctViolations {
		t.Errorf("agent_violations has %d rows for %d distinct violations", c.Violations, c.DistinctViolations)
	}
	if c.PainMentions != c.Mentions {
		t.Errorf("pain_hourly sums %d mentions, aspect_mentions holds %d", c.PainMentions, c.Mentions)
	}
	got := mentionCounts(t, addr, database)
	if len(got) == 0 {
		t.Fatal("no customer mentions stored")
	}
	var diffs []string
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range f.mentions {
		keys[k] = true
	}
	for k := range keys {
		if got[k] != f.mentions[k] {
			diffs = append(diffs, fmt.Sprintf("%s: stored %d, analysed %d", k, got[k], f.mentions[k]))
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("customer mentions differ from the in-process analysis:\n%s", strings.Join(diffs, "\n"))
	}
}

func mentionCounts(t *testing.T, addr, database string) map[string]int {
	t.Helper()
	out, err := exec.Command(clickhouseClient(t), "--host", "127.0.0.1", "--port", strings.TrimPrefix(addr, "127.0.0.1:"),
		"--query", "SELECT category, subcategory, polarity, count() FROM "+database+".aspect_mentions WHERE role = 'customer' GROUP BY category, subcategory, polarity FORMAT TSV").CombinedOutput()
	if err != nil {
		t.Fatalf("clickhouse-client: %v\n%s", err, out)
	}
	m := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var cat, sub, pol string
		var n int
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			continue
		}
		cat, sub, pol = f[0], f[1], f[2]
		fmt.Sscan(f[3], &n)
		m[cat+"/"+sub+" "+pol] = n
	}
	return m
}

func clickhouseClient(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/clickhouse-client", "/usr/bin/clickhouse"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatal("clickhouse-client is not installed (apt-get install clickhouse-client)")
	return ""
}

// checkDeadLetters reads the dead-letter topic with kcat and checks that
// every poison message is there once per original offset with its reason.
func checkDeadLetters(t *testing.T, c *kafkatest.Cluster, f *feed) {
	t.Helper()
	out := c.Kcat("-C", "-t", e2eDLQ, "-e", "-q", "-J")
	byOffset := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var m struct {
			Headers []string `json:"headers"`
		}
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("kcat -J line %q: %v", l, err)
		}
		h := map[string]string{}
		for i := 0; i+1 < len(m.Headers); i += 2 {
			h[m.Headers[i]] = m.Headers[i+1]
		}
		if h["voc-topic"] != e2eTopic || h["voc-reason"] == "" || h["voc-error"] == "" {
			t.Errorf("dead letter headers %v", h)
		}
		byOffset[h["voc-partition"]+"/"+h["voc-offset"]] = h["voc-reason"]
	}
	want := map[string]int{}
	for _, pc := range gen.PoisonCases() {
		if !bytes.ContainsAny(pc.Data, "\n") {
			want[pc.Reason]++
		}
	}
	got := map[string]int{}
	for _, r := range byOffset {
		got[r]++
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("dead letters by reason %v, want %v", got, want)
	}
}

func TestE2EKill9AndClickHouseOutage(t *testing.T) {
	kafkatest.RequireKcat(t)
	f := makeFeed(t, 14, 150)
	kc := kafkatest.Start(t, 4, e2eTopic, e2eDLQ)
	f.produce(t, kc)

	srv := chtest.StartServer(t, t.TempDir())
	db := "e2e_kill"
	cfg := writeConfig(t, kc.Addrs(), srv.Addr(), db, filepath.Join(t.TempDir(), "index"))
	a := startChild(t, cfg)
	s := waitForSink(t, srv.Addr(), db, a)
	waitRecords(t, s, f.records/4, 3*time.Minute, a)
	a.kill9(t)
	t.Logf("killed voc run with SIGKILL after %d records", mustCounts(t, s).DistinctRecords)

	b := startChild(t, cfg)
	waitRecords(t, s, f.records/2, 3*time.Minute, b)
	// Stop ClickHouse for 20 s under the running pipeline.
	port := srv.Addr()
	dir := srv.Dir()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("clickhouse stopped at %s", port)
	time.Sleep(20 * time.Second)
	select {
	case err := <-b.done:
		t.Fatalf("voc run exited while ClickHouse was down: %v\n%s", err, tail(b.stderr.String(), 3000))
	default:
	}
	srv2 := restartServer(t, dir, port)
	s2 := openCH(t, srv2.Addr(), db)
	waitRecords(t, s2, f.records, 5*time.Minute, b)
	waitCommitted(t, kc, len(f.msgs)+len(f.poison))
	// Memory stayed bounded while the sink was down (reading paused at the
	// in-flight cap instead of buffering the topic).
	if rss := peakRSS(t, b.cmd.Process.Pid); rss > 800 {
		t.Errorf("voc run peak RSS %.0f MB through the outage, want at most 800", rss)
	} else {
		t.Logf("voc run peak RSS through the outage: %.0f MB", rss)
	}
	b.stop(t)

	checkExact(t, s2, srv2.Addr(), db, f)
	checkDeadLetters(t, kc, f)
	if !strings.Contains(b.stderr.String(), "clickhouse") {
		t.Errorf("no ClickHouse error was logged during the outage")
	}
}

func TestE2ETwoConsumersOneGroup(t *testing.T) {
	kafkatest.RequireKcat(t)
	f := makeFeed(t, 14, 120)
	kc := kafkatest.Start(t, 4, e2eTopic, e2eDLQ)
	db := chtest.Start(t)
	cfg1 := writeConfig(t, kc.Addrs(), db.Addr, db.Database, filepath.Join(t.TempDir(), "index"))
	cfg2 := writeConfig(t, kc.Addrs(), db.Addr, db.Database, filepath.Join(t.TempDir(), "index"))
	a := startChild(t, cfg1)
	b := startChild(t, cfg2)
	s := waitForSink(t, db.Addr, db.Database, a, b)
	// Produce while both run, so that the partitions are shared.
	time.Sleep(3 * time.Second)
	f.produce(t, kc)
	waitRecords(t, s, f.records/2, 3*time.Minute, a, b)
	// One leaves; the other takes over its partitions.
	a.stop(t)
	waitRecords(t, s, f.records, 3*time.Minute, b)
	waitCommitted(t, kc, len(f.msgs)+len(f.poison))
	b.stop(t)
	checkExact(t, s, db.Addr, db.Database, f)
	checkDeadLetters(t, kc, f)
	for _, c := range []*child{a, b} {
		if !strings.Contains(c.stderr.String(), "pipeline: running") {
			t.Errorf("pid %d never ran the pipeline", c.cmd.Process.Pid)
		}
	}
}

func mustCounts(t testing.TB, s *clickhouse.Sink) ch.Counts {
	t.Helper()
	c, err := s.DB().Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitForSink waits until voc run has migrated the database and opens it.
func waitForSink(t *testing.T, addr, database string, alive ...*child) *clickhouse.Sink {
	t.Helper()
	s := openCH(t, addr, database)
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if v, err := s.SchemaVersion(context.Background()); err == nil && v == ch.LatestVersion() {
			return s
		}
		for _, ch := range alive {
			select {
			case err := <-ch.done:
				t.Fatalf("voc run exited early: %v\n%s", err, tail(ch.stderr.String(), 3000))
			default:
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("voc run did not migrate the database within 2 minutes")
	return nil
}

func restartServer(t *testing.T, dir, addr string) *chserver.Server {
	t.Helper()
	var port int
	fmt.Sscanf(addr[strings.LastIndexByte(addr, ':')+1:], "%d", &port)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	s, err := chserver.Start(ctx, chserver.Config{Dir: dir, TCPPort: port})
	if err != nil {
		t.Fatalf("restart clickhouse-server: %v", err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

// waitCommitted waits until the group committed every message of the topic.
func waitCommitted(t *testing.T, kc *kafkatest.Cluster, total int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ends := kc.EndOffsets(e2eTopic)
		com := kc.Committed(e2eGroup, e2eTopic)
		sumEnd, ok := int64(0), true
		for p := range ends {
			sumEnd += ends[p]
			if com[p] != ends[p] {
				ok = false
			}
		}
		if sumEnd != int64(total) {
			t.Fatalf("topic holds %d messages, produced %d", sumEnd, total)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("committed %v, end offsets %v", com, ends)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// httpAddr finds the child's HTTP address in its log.
func (c *child) httpAddr(t *testing.T) string {
	t.Helper()
	re := regexp.MustCompile(`msg="http: listening" addr=(\S+)`)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(c.stderr.String()); m != nil {
			return m[1]
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no http address in the log:\n%s", tail(c.stderr.String(), 2000))
	return ""
}

func reload(t *testing.T, addr string) (int, string) {
	t.Helper()
	resp, err := http.Post("http://"+addr+"/admin/reload", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestE2EReloadUnderLoad reloads the lexicons while records stream through:
// a bad lexicon is rejected with its file:line and the old one stays, good
// ones swap in, and no record is lost or written twice.
func TestE2EReloadUnderLoad(t *testing.T) {
	kafkatest.RequireKcat(t)
	f := makeFeed(t, 14, 150)
	kc := kafkatest.Start(t, 4, e2eTopic, e2eDLQ)
	db := chtest.Start(t)
	lex := t.TempDir()
	cfg := writeConfig(t, kc.Addrs(), db.Addr, db.Database, filepath.Join(t.TempDir(), "index"))
	data, _ := os.ReadFile(cfg)
	data = append(data, []byte("nlp:\n  lexicons: "+lex+"\n")...)
	os.WriteFile(cfg, data, 0o644)

	a := startChild(t, cfg)
	addr := a.httpAddr(t)
	s := waitForSink(t, db.Addr, db.Database, a)
	f.produce(t, kc)

	// A broken overlay is rejected, naming file and line.
	os.WriteFile(filepath.Join(lex, "taxonomy.tsv"), []byte("# source: test\ncategory\t物流\n"), 0o644)
	code, body := reload(t, addr)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "taxonomy.tsv:2") {
		t.Fatalf("bad lexicon reload: %d %q", code, body)
	}
	os.Remove(filepath.Join(lex, "taxonomy.tsv"))
	// Good reloads while records stream: the version changes with the data.
	versions := map[string]bool{}
	for i := range 3 {
		word := fmt.Sprintf("测试新词%c", 'A'+i)
		os.WriteFile(filepath.Join(lex, "domain_words.txt"), []byte("# source: test\n"+word+"\t1000\tn\n"), 0o644)
		code, body := reload(t, addr)
		if code != http.StatusOK {
			t.Fatalf("reload %d: %d %s", i, code, body)
		}
		versions[strings.TrimSpace(strings.TrimPrefix(body, "lexicon version "))] = true
		time.Sleep(300 * time.Millisecond)
	}
	if len(versions) != 3 {
		t.Errorf("three different overlays gave versions %v", versions)
	}
	// The watcher picks up a changed file by itself.
	os.WriteFile(filepath.Join(lex, "domain_words.txt"), []byte("# source: test\n测试新词W\t1000\tn\n"), 0o644)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(a.stderr.String(), "lexicon directory changed, reloading") {
		if time.Now().After(deadline) {
			t.Fatal("the lexicon watcher did not reload a changed file within 30s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	a.cmd.Process.Signal(syscall.SIGHUP) // SIGHUP reloads too
	waitRecords(t, s, f.records, 3*time.Minute, a)
	waitCommitted(t, kc, len(f.msgs)+len(f.poison))
	a.stop(t)
	for _, m := range regexp.MustCompile(`lexicons reloaded.* took=(\S+)`).FindAllStringSubmatch(a.stderr.String(), -1) {
		t.Logf("reload took %s", m[1])
	}
	if !strings.Contains(a.stderr.String(), "reload rejected") {
		t.Errorf("the rejected reload was not logged")
	}
	c := mustCounts(t, s)
	if c.Records != uint64(f.records) || c.DistinctRecords != uint64(f.records) || c.HourlyRecords != uint64(f.records) {
		t.Errorf("records: rows %d, distinct %d, hourly %d; want %d", c.Records, c.DistinctRecords, c.HourlyRecords, f.records)
	}
	out, err := exec.Command(clickhouseClient(t), "--port", strings.TrimPrefix(db.Addr, "127.0.0.1:"),
		"--query", "SELECT DISTINCT lexicon_version FROM "+db.Database+".feedback FORMAT TSV").CombinedOutput()
	if err != nil {
		t.Fatalf("%v %s", err, out)
	}
	for _, v := range strings.Fields(string(out)) {
		if v != testAnalyzer(t).Version() && !versions[v] && !strings.Contains(a.stderr.String(), "version="+v) {
			t.Errorf("stored lexicon version %q is neither the shipped one nor a reloaded one", v)
		}
	}
}
