package alerts

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vocproject/voc/alerts/detect"
	"github.com/vocproject/voc/alerts/notify"
	"github.com/vocproject/voc/internal/gen"
	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/sinks/clickhouse"
	"github.com/vocproject/voc/store/ch"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

// The test feed: 35 days, 300 messages a day, a 6× spike of 物流/配送慢
// for SKU-1001 on day 33.
var (
	feedCfg = gen.Config{Seed: 11, Days: 35, PerDay: 300, Spikes: []gen.Spike{
		{Day: 33, Product: "SKU-1001 保温杯", Category: "物流", Subcategory: "配送慢", Factor: 6},
	}}
	spikeSeries = detect.Series{Level: detect.LevelPainProduct, Category: "物流", Subcategory: "配送慢", Product: "SKU-1001 保温杯"}
	feedOnce    sync.Once
	feedItems   []gen.Item
	feedStart   time.Time
)

func items(t testing.TB) ([]gen.Item, time.Time) {
	t.Helper()
	feedOnce.Do(func() {
		g, err := gen.New(feedCfg)
		if err != nil {
			panic(err)
		}
		feedItems, feedStart = g.Items(), g.Config().Start
	})
	return feedItems, feedStart
}

// escalated marks about 1% of the messages as escalations,
// deterministically.
func escalated(id string) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()%97 == 0
}

type testEnv struct {
	store *Store
	items []gen.Item
	start time.Time // day 0, 00:00 +08:00
}

func (e *testEnv) day(d int, hour int) time.Time {
	return e.start.AddDate(0, 0, d).Add(time.Duration(hour) * time.Hour).UTC()
}

// newEnv writes the test feed into a database of the test's own through
// the ClickHouse sink and opens a store on it.
func newEnv(t *testing.T) *testEnv {
	t.Helper()
	return newEnvWith(t, nil)
}

// newEnvWith is newEnv with mod changing the records (item i is record i)
// before they are written.
func newEnvWith(t *testing.T, mod func(its []gen.Item, recs []*pipeline.Record)) *testEnv {
	t.Helper()
	its, start := items(t)
	db := chtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	chCfg := ch.Config{Addrs: []string{db.Addr}, Database: db.Database}
	sink, err := clickhouse.Open(ctx, chCfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close(ctx)
	if err := sink.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	recs := gen.Records("voc.feedback", its)
	for _, r := range recs {
		r.Analysis.Escalation = escalated(r.ID)
	}
	if mod != nil {
		mod(its, recs)
	}
	for i := 0; i < len(recs); i += 5000 {
		if err := sink.WriteBatch(ctx, recs[i:min(i+5000, len(recs))]); err != nil {
			t.Fatal(err)
		}
	}
	store, err := OpenStore(ctx, chCfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = store.conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db.Database)
		store.Close()
	})
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return &testEnv{store: store, items: its, start: start}
}

func TestReplayMatchesMemory(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cfg := Config{}
	from, to := e.day(28, 0), e.day(35, 0)
	res, err := Replay(ctx, e.store, cfg, from, to, ReplayOptions{Samples: true})
	if err != nil {
		t.Fatal(err)
	}
	// The same replay over the generator's feed in memory.
	b := cfg.WithDefaults().Detector.Bounds(from)
	mem := detect.Replay(gen.Cube(e.items, b.Earliest(), to), cfg.Detector, cfg.policy(), from, to, time.Hour)
	if len(res.Alerts) != len(mem) {
		t.Fatalf("%d alerts from ClickHouse, %d in memory", len(res.Alerts), len(mem))
	}
	for i, a := range res.Alerts {
		m := mem[i]
		if a.ID != m.ID || a.Series != m.Finding.Series.Key() || !a.DetectedAt.Equal(m.Finding.At) || math.Abs(a.Observed-round(m.Finding.Observed, 3)) > 1e-9 {
			t.Errorf("alert %d: ClickHouse %s %s %s %v, memory %s %s %s %v", i, a.ID, a.Series, a.DetectedAt, a.Observed,
				m.ID, m.Finding.Series.Key(), m.Finding.At, m.Finding.Observed)
		}
	}
	// The spike is alerted on its day, with samples about it.
	var spike *Replayed
	for i, a := range res.Alerts {
		s, _ := detect.ParseKey(a.Series)
		if detect.Absorbs(s, spikeSeries) || detect.Absorbs(spikeSeries, s) {
			if a.DetectedAt.Before(e.day(33, 0)) || !a.DetectedAt.Before(e.day(34, 0)) {
				t.Errorf("spike alert at %s, want on day 33", a.DetectedAt)
			}
			spike = &res.Alerts[i]
			break
		}
	}
	if spike == nil {
		t.Fatalf("spike not alerted; alerts %+v", res.Alerts)
	}
	if len(spike.Samples) != 3 {
		t.Errorf("%d samples, want 3", len(spike.Samples))
	}
	for _, s := range spike.Samples {
		if s.Product != spikeSeries.Product || !s.CreatedAt.Before(spike.WindowTo.Add(time.Second)) || s.CreatedAt.Before(spike.WindowFrom) {
			t.Errorf("sample %+v outside the alert's product and window", s)
		}
	}
	if res.Series < 100 {
		t.Errorf("%d series watched", res.Series)
	}
	// Immediate alerts: every negative VIP message and every escalation of
	// the range, by the ground truth.
	want := 0
	for _, it := range e.items {
		c := it.Msg.CreatedAt
		if c.Before(from) || !c.Before(to) {
			continue
		}
		if escalated(it.Msg.ID) || (gen.Tier(&it.Msg) == "vip" && it.Truth.Sentiment == nlp.Negative) {
			want++
		}
	}
	if res.ImmediateTotal != want || len(res.Immediate) != min(want, 1000) {
		t.Errorf("immediate %d (%d listed), want %d", res.ImmediateTotal, len(res.Immediate), want)
	}
}

func TestSnapshotMatchesCube(t *testing.T) {
	e := newEnv(t)
	svc, err := New(Config{}, e.store, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := e.day(33, 14).Add(23 * time.Minute)
	got, err := svc.snapshot(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	b := svc.cfg.Detector.Bounds(now)
	want := gen.Cube(e.items, b.Earliest(), now).Snapshot(b)
	if len(got.Pains) != len(want.Pains) || len(got.Scopes) != len(want.Scopes) {
		t.Fatalf("%d pains %d scopes, want %d %d", len(got.Pains), len(got.Scopes), len(want.Pains), len(want.Scopes))
	}
	for k, w := range want.Pains {
		g := got.Pains[k]
		if g == nil || g.Base != w.Base || g.Hist != w.Hist || !slices.Equal(g.Cur, w.Cur) {
			t.Errorf("%v: got %+v, want %+v", k, g, w)
		}
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-6*math.Max(1, math.Abs(b)) }
	for k, w := range want.Scopes {
		g := got.Scopes[k]
		if g == nil || g.Base != w.Base || g.BaseComplaints != w.BaseComplaints || g.Hist != w.Hist || g.SentHours != w.SentHours ||
			!near(g.BaseSentiment, w.BaseSentiment) || !near(g.SentSq, w.SentSq) || !slices.Equal(g.Cur, w.Cur) || !slices.Equal(g.CurComplaints, w.CurComplaints) {
			t.Errorf("%v: got %+v, want %+v", k, g, w)
		}
	}
	if f := svc.cfg.Detector.Detect(got); len(f) == 0 {
		t.Error("no findings during the spike")
	}
}

// TestMentionsAndOpenOpinionsDoNotAlert: topic mentions and opinions about
// aspects outside the taxonomy reach pain_hourly, but they are not pain
// points. A burst of them on one product (every record of SKU-1002 on the
// spike day complains three times about 指纹识别 and names 物流, a few a
// day before) leaves the detector's numbers and the alerts exactly as the
// ground truth, which does not have them, gives.
func TestMentionsAndOpenOpinionsDoNotAlert(t *testing.T) {
	burst := 0
	e := newEnvWith(t, func(its []gen.Item, recs []*pipeline.Record) {
		for i, r := range recs {
			if r.Feedback.Product != gen.DefaultProducts[1] {
				continue
			}
			switch d := its[i].Truth.Day; {
			case d == 33:
				burst++
				r.Analysis.Aspects = append(r.Analysis.Aspects,
					nlp.Aspect{Aspect: "指纹识别", Opinion: "很慢", Polarity: nlp.Negative},
					nlp.Aspect{Aspect: "指纹识别", Opinion: "不灵", Polarity: nlp.Negative},
					nlp.Aspect{Aspect: "充电", Opinion: "太慢", Polarity: nlp.Negative},
					nlp.Aspect{Category: "物流", Aspect: "快递", Polarity: nlp.Neutral})
			case i%20 == 0:
				r.Analysis.Aspects = append(r.Analysis.Aspects, nlp.Aspect{Aspect: "指纹识别", Opinion: "很慢", Polarity: nlp.Negative})
			}
		}
	})
	if burst < 20 {
		t.Fatalf("burst of %d records", burst)
	}
	ctx := context.Background()
	svc, err := New(Config{}, e.store, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := e.day(33, 20)
	got, err := svc.snapshot(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	b := svc.cfg.Detector.Bounds(now)
	want := gen.Cube(e.items, b.Earliest(), now).Snapshot(b)
	if len(got.Pains) != len(want.Pains) {
		t.Errorf("%d pain series, want %d", len(got.Pains), len(want.Pains))
	}
	for k, g := range got.Pains {
		w := want.Pains[k]
		if k.Category == "" || w == nil || g.Base != w.Base || g.Hist != w.Hist || !slices.Equal(g.Cur, w.Cur) {
			t.Errorf("%v: got %+v, want %+v", k, g, w)
		}
	}
	from, to := e.day(28, 0), e.day(35, 0)
	res, err := Replay(ctx, e.store, Config{}, from, to, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem := detect.Replay(gen.Cube(e.items, Config{}.WithDefaults().Detector.Bounds(from).Earliest(), to), Config{}.Detector, Config{}.policy(), from, to, time.Hour)
	if len(res.Alerts) != len(mem) {
		t.Fatalf("%d alerts from ClickHouse, %d from the ground truth", len(res.Alerts), len(mem))
	}
	for i, a := range res.Alerts {
		if a.ID != mem[i].ID || strings.Contains(a.Series, "指纹") || strings.HasPrefix(a.Title, "/") {
			t.Errorf("alert %d: %s %s %q, want %s", i, a.ID, a.Series, a.Title, mem[i].ID)
		}
	}
}

// hook is a loopback receiver for one channel.
type hook struct {
	srv *httptest.Server

	mu     sync.Mutex
	bodies []string
	urls   []string
	fail   int // answer 500 to this many requests first
}

func newHook(t *testing.T, ok string) *hook {
	h := &hook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.fail > 0 {
			h.fail--
			w.WriteHeader(500)
			return
		}
		h.bodies = append(h.bodies, string(body))
		h.urls = append(h.urls, r.URL.String())
		io.WriteString(w, ok)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) got() ([]string, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.bodies), slices.Clone(h.urls)
}

// serviceConfig routes 物流 to a signed DingTalk robot, immediate alerts
// to the ops webhook and the rest to the CS webhook.
func serviceConfig(ding, ops, cs *hook) Config {
	return Config{
		DashboardURL: "https://voc.example.com/drill",
		ClaimSettle:  time.Second,
		Retry:        notify.Retry{Attempts: 2, Initial: time.Millisecond, Max: time.Millisecond},
		Channels: []notify.Config{
			{Name: "ding", Type: notify.TypeDingTalk, URL: ding.srv.URL + "/robot/send?access_token=t", Secret: "SECx"},
			{Name: "ops", Type: notify.TypeWebhook, URL: ops.srv.URL},
			{Name: "cs", Type: notify.TypeWebhook, URL: cs.srv.URL},
		},
		Teams: []Team{{Name: "logistics", Channels: []string{"ding"}}, {Name: "cs", Channels: []string{"cs"}}},
		Routes: []Route{
			{Kinds: []string{KindVIP, KindEscalation}, Channels: []string{"ops"}},
			{Category: "物流", Team: "logistics"},
		},
		DefaultTeam: "cs",
		Immediate:   Immediate{MaxPerEvaluation: 5},
	}
}

func TestServiceAlertsOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ding, ops, cs := newHook(t, `{"errcode":0,"errmsg":"ok"}`), newHook(t, "ok"), newHook(t, "ok")
	cfg := serviceConfig(ding, ops, cs)
	cfg.NotifyResolved = true
	svcs := make([]*Service, 2)
	for i := range svcs {
		var err error
		if svcs[i], err = New(cfg, e.store, Options{Instance: fmt.Sprintf("voc-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	// Two processes evaluate at the same moment during the spike.
	now := e.day(33, 20)
	results := make([]*Result, 2)
	var wg sync.WaitGroup
	for i, s := range svcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if results[i], err = s.Evaluate(ctx, now); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	opened := append(slices.Clone(results[0].Opened), results[1].Opened...)
	imm := append(slices.Clone(results[0].Immediate), results[1].Immediate...)
	var spike *Alert
	ids := map[string]bool{}
	for _, a := range append(slices.Clone(opened), imm...) {
		if ids[a.ID] {
			t.Errorf("alert %s opened twice", a.ID)
		}
		ids[a.ID] = true
		if a.Series == spikeSeries.Key() {
			spike = a
		}
	}
	if spike == nil {
		t.Fatalf("spike not alerted: %d findings, opened %v", len(results[0].Findings), opened)
	}
	if len(results[0].Lost)+len(results[1].Lost) == 0 {
		t.Error("no claim was lost: both processes cannot have opened different alerts for the same findings")
	}
	// Each process sends at most max_per_evaluation; the second one to get
	// there finds the first one's records claimed and takes the next ones.
	if len(results[0].Immediate) > 5 || len(results[1].Immediate) > 5 || len(imm) < 5 {
		t.Errorf("%d and %d immediate alerts, want at most max_per_evaluation 5 each", len(results[0].Immediate), len(results[1].Immediate))
	}
	dingBodies, dingURLs := ding.got()
	opsBodies, _ := ops.got()
	csBodies, _ := cs.got()
	// Every alert reached its channel exactly once.
	var logistics, other int
	for _, a := range opened {
		if a.Category == "物流" {
			logistics++
		} else {
			other++
		}
	}
	if len(dingBodies) != logistics || len(csBodies) != other || len(opsBodies) != len(imm) {
		t.Errorf("received ding %d cs %d ops %d, want %d %d %d", len(dingBodies), len(csBodies), len(opsBodies), logistics, other, len(imm))
	}
	// The DingTalk message is the spike's, signed.
	found := false
	for i, b := range dingBodies {
		if !strings.Contains(b, spike.ID) {
			continue
		}
		found = true
		for _, s := range []string{"痛点激增：物流/配送慢 · SKU-1001 保温杯", "基线预期", "样例（已脱敏）", "https://voc.example.com/drill?alert=" + spike.ID} {
			if !strings.Contains(b, s) {
				t.Errorf("DingTalk message lacks %q: %s", s, b)
			}
		}
		u, _ := http.NewRequest("POST", dingURLs[i], nil)
		ts, sign := u.URL.Query().Get("timestamp"), u.URL.Query().Get("sign")
		mac := hmac.New(sha256.New, []byte("SECx"))
		mac.Write([]byte(ts + "\nSECx"))
		if sign != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
			t.Errorf("bad DingTalk signature %q for timestamp %s", sign, ts)
		}
	}
	if !found {
		t.Error("spike not sent to DingTalk")
	}
	// The ops webhook got the alert JSON of VIP/escalation messages.
	for _, b := range opsBodies {
		var a Alert
		if err := json.Unmarshal([]byte(b), &a); err != nil || a.Version != 1 || a.Record == nil || (a.Kind != KindVIP && a.Kind != KindEscalation) || len(a.Samples) != 1 {
			t.Errorf("ops payload %s (%v)", b, err)
		}
	}
	// State and events.
	st, err := e.store.States(ctx, StateFilter{ID: spike.ID})
	if err != nil || len(st) != 1 || st[0].Status != detect.StatusOpen || !st[0].Delivered || st[0].Alert.Team != "logistics" {
		t.Fatalf("state %+v %v", st, err)
	}
	evs, err := e.store.Events(ctx, spike.ID)
	if err != nil || len(evs) != 1 || evs[0].Event != EventSent || evs[0].Channel != "ding" || evs[0].ChannelType != notify.TypeDingTalk || evs[0].Attempts != 1 {
		t.Errorf("events %+v %v", evs, err)
	}

	// Later evaluations, also of a restarted process, open nothing new for
	// the spike; the immediate backlog drains 5 at a time.
	restarted, err := New(cfg, e.store, Options{Instance: "voc-restarted"})
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{now.Add(10 * time.Minute), now.Add(time.Hour)} {
		r, err := restarted.Evaluate(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range r.Opened {
			s, _ := detect.ParseKey(a.Series)
			if detect.Absorbs(spikeSeries, s) || detect.Absorbs(s, spikeSeries) {
				t.Errorf("spike alerted again at %s as %s", at, a.Series)
			}
		}
		for _, a := range r.Immediate {
			if ids[a.ID] {
				t.Errorf("immediate alert %s sent again", a.ID)
			}
			ids[a.ID] = true
		}
		if len(r.Immediate) != 5 {
			t.Errorf("%d immediate alerts at %s, want 5", len(r.Immediate), at)
		}
	}

	// A day later the spike's alert is resolved, once, with one message.
	later := e.day(35, 0).Add(-time.Minute)
	var resolved []string
	for _, s := range svcs {
		r, err := s.Evaluate(ctx, later)
		if err != nil {
			t.Fatal(err)
		}
		resolved = append(resolved, r.Resolved...)
	}
	if !slices.Contains(resolved, spike.ID) {
		t.Fatalf("spike alert not resolved: %v", resolved)
	}
	st, _ = e.store.States(ctx, StateFilter{ID: spike.ID})
	if st[0].Status != detect.StatusResolved || !st[0].ResolvedAt.Equal(later.Truncate(time.Second)) {
		t.Errorf("state after resolution %+v", st[0])
	}
	dingBodies, _ = ding.got()
	n := 0
	for _, b := range dingBodies {
		if strings.Contains(b, "已恢复") && strings.Contains(b, spike.ID) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d resolution messages, want 1", n)
	}
}

func TestRedelivery(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ding, ops, cs := newHook(t, `{"errcode":0,"errmsg":"ok"}`), newHook(t, "ok"), newHook(t, "ok")
	cfg := serviceConfig(ding, ops, cs)
	cfg.Immediate.Disabled = true
	cfg.Routes[1].Channels = []string{"cs"} // 物流: DingTalk and the CS webhook
	ding.fail = 1000
	svc, err := New(cfg, e.store, Options{Instance: "a"})
	if err != nil {
		t.Fatal(err)
	}
	now := e.day(33, 20)
	r, err := svc.Evaluate(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	var spike *Alert
	for _, a := range r.Opened {
		if a.Series == spikeSeries.Key() {
			spike = a
		}
	}
	if spike == nil {
		t.Fatal("spike not alerted")
	}
	st, _ := e.store.States(ctx, StateFilter{ID: spike.ID})
	if st[0].Delivered {
		t.Fatal("delivered although DingTalk failed")
	}
	csCount := func() int {
		b, _ := cs.got()
		n := 0
		for _, x := range b {
			if strings.Contains(x, spike.ID) {
				n++
			}
		}
		return n
	}
	if csCount() != 1 {
		t.Fatalf("CS webhook got the spike %d times", csCount())
	}
	// DingTalk recovers; another process picks up the undelivered alert
	// after staleDelivery and sends it only where it is missing.
	ding.mu.Lock()
	ding.fail = 0
	ding.mu.Unlock()
	other, _ := New(cfg, e.store, Options{Instance: "b"})
	if _, err := other.Evaluate(ctx, now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if b, _ := ding.got(); len(b) != 0 {
		t.Fatalf("redelivered before %s", staleDelivery)
	}
	if _, err := other.Evaluate(ctx, now.Add(staleDelivery+time.Minute)); err != nil {
		t.Fatal(err)
	}
	b, _ := ding.got()
	n := 0
	for _, x := range b {
		if strings.Contains(x, spike.ID) {
			n++
		}
	}
	if n != 1 || csCount() != 1 {
		t.Errorf("after redelivery: DingTalk %d, CS %d; want 1 and 1", n, csCount())
	}
	st, _ = e.store.States(ctx, StateFilter{ID: spike.ID})
	if !st[0].Delivered {
		t.Error("not marked delivered")
	}
	evs, _ := e.store.Events(ctx, spike.ID)
	var kinds []string
	for _, ev := range evs {
		kinds = append(kinds, ev.Channel+":"+ev.Event)
	}
	slices.Sort(kinds)
	if !slices.Equal(kinds, []string{"cs:sent", "ding:failed", "ding:sent"}) {
		t.Errorf("events %v", kinds)
	}
}

func TestClaim(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// Racing claims on related series (the pain point for a product and
	// for the product in one channel): exactly one wins; an unrelated one
	// wins too. Each round uses other products, so rounds do not conflict.
	for round := range 3 {
		product := fmt.Sprintf("SKU-%d", round)
		keys := []string{
			detect.Series{Level: detect.LevelPainProduct, Category: "物流", Subcategory: "配送慢", Product: product}.Key(),
			detect.Series{Level: detect.LevelPainProductChannel, Category: "物流", Subcategory: "配送慢", Product: product, Channel: "chat"}.Key(),
			detect.Series{Level: detect.LevelPainProduct, Category: "质量", Subcategory: "漏液", Product: product}.Key(),
		}
		won := make([]bool, len(keys))
		var wg sync.WaitGroup
		for i, k := range keys {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w, err := e.store.Claim(ctx, fmt.Sprintf("p%d", i), []Claim{{Key: k, AlertID: "x"}}, time.Second)
				if err != nil {
					t.Error(err)
					return
				}
				won[i] = w[0]
			}()
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		if won[0] == won[1] || !won[2] {
			t.Errorf("round %d: related %v %v, unrelated %v", round, won[0], won[1], won[2])
		}
	}
	// A later claim loses to an earlier one; a record key conflicts only
	// with itself.
	first, err := e.store.Claim(ctx, "p1", []Claim{{Key: "record:r1"}, {Key: "record:r2"}}, time.Second)
	if err != nil || !first[0] || !first[1] {
		t.Fatalf("%v %v", first, err)
	}
	second, err := e.store.Claim(ctx, "p0", []Claim{{Key: "record:r1"}, {Key: "record:r3"}}, time.Second)
	if err != nil || second[0] || !second[1] {
		t.Fatalf("%v %v", second, err)
	}
	claimed, err := e.store.Claimed(ctx, []string{"record:r1", "record:r3", "record:r9"})
	if err != nil || !claimed["record:r1"] || !claimed["record:r3"] || claimed["record:r9"] {
		t.Errorf("claimed %v %v", claimed, err)
	}
}

func TestSetStatus(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := fromFinding(spikeFinding())
	st := &State{ID: a.ID, Series: a.Series, Kind: a.Kind, Status: detect.StatusOpen, OpenedAt: at, UpdatedAt: at, LastFiring: at, Alert: a, Delivered: true}
	if err := e.store.PutState(ctx, st); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetStatus(ctx, a.ID, detect.StatusAcknowledged, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// A late write of the old status (a service that read "open" before
	// the acknowledgement) does not win.
	st.LastFiring, st.UpdatedAt = at.Add(5*time.Minute), at.Add(5*time.Minute)
	if err := e.store.PutState(ctx, st); err != nil {
		t.Fatal(err)
	}
	got, _ := e.store.States(ctx, StateFilter{ID: a.ID})
	if got[0].Status != detect.StatusAcknowledged || got[0].Alert.Status != detect.StatusAcknowledged {
		t.Errorf("status %s", got[0].Status)
	}
	if _, err := e.store.SetStatus(ctx, a.ID, detect.StatusResolved, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	after, _ := e.store.SetStatus(ctx, a.ID, detect.StatusAcknowledged, at.Add(2*time.Hour))
	if after.Status != detect.StatusResolved || !after.ResolvedAt.Equal(at.Add(time.Hour)) {
		t.Errorf("after resolve then ack: %+v", after)
	}
	if _, err := e.store.SetStatus(ctx, "nope", detect.StatusResolved, at); err == nil || !strings.Contains(err.Error(), "no such alert") {
		t.Errorf("unknown id: %v", err)
	}
}

func TestRun(t *testing.T) {
	e := newEnv(t)
	ding, ops, cs := newHook(t, `{"errcode":0,"errmsg":"ok"}`), newHook(t, "ok"), newHook(t, "ok")
	cfg := serviceConfig(ding, ops, cs)
	cfg.Interval = time.Second
	cfg.Immediate.Disabled = true
	// The clock stands still in the spike: every tick sees the same
	// findings, and only the first one sends.
	now := e.day(33, 20)
	svc, err := New(cfg, e.store, Options{Instance: "run", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4500*time.Millisecond)
	defer cancel()
	if err := svc.Run(ctx); err != nil {
		t.Fatalf("run: %v", err)
	}
	b, _ := ding.got()
	n := 0
	for _, x := range b {
		if strings.Contains(x, "物流/配送慢 · SKU-1001 保温杯") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("spike sent %d times over several ticks, want 1", n)
	}
	sts, err := e.store.States(context.Background(), StateFilter{})
	if err != nil || len(sts) == 0 {
		t.Fatalf("states %v %v", sts, err)
	}
}

// TestImmediateRecovery: a process records and claims an immediate alert
// and dies before sending it; another process sends it once it is stale,
// and does not alert the record again.
func TestImmediateRecovery(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ding, ops, cs := newHook(t, `{"errcode":0,"errmsg":"ok"}`), newHook(t, "ok"), newHook(t, "ok")
	cfg := serviceConfig(ding, ops, cs)
	cfg.Detector.Levels = []string{detect.LevelComplaints}
	cfg.Detector.NewPainPoint.Disabled = true
	now := e.day(33, 20)
	dead, err := New(cfg, e.store, Options{Instance: "dead"})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := e.store.Immediate(ctx, now.Add(-time.Hour), now, []string{"vip"}, true, 1)
	if err != nil || len(recs) != 1 {
		t.Fatalf("%v %v", recs, err)
	}
	a := fromRecord(recs[0], now)
	dead.complete(ctx, a, SampleQuery{})
	if err := e.store.PutState(ctx, dead.openState(a, now)); err != nil {
		t.Fatal(err)
	}
	if won, err := e.store.Claim(ctx, "dead", []Claim{{Key: "record:" + recs[0].ID, AlertID: a.ID, At: now}}, time.Second); err != nil || !won[0] {
		t.Fatalf("%v %v", won, err)
	}
	cfg.Immediate.MaxPerEvaluation = 1000
	alive, _ := New(cfg, e.store, Options{Instance: "alive"})
	for _, at := range []time.Time{now.Add(time.Minute), now.Add(staleDelivery + time.Minute)} {
		r, err := alive.Evaluate(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range r.Immediate {
			if x.ID == a.ID {
				t.Errorf("record alerted again as a new alert at %s", at)
			}
		}
	}
	bodies, _ := ops.got()
	n := 0
	for _, b := range bodies {
		if strings.Contains(b, `"id":"`+a.ID+`"`) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the dead process's alert was sent %d times, want 1", n)
	}
	st, _ := e.store.States(ctx, StateFilter{ID: a.ID})
	if len(st) != 1 || !st[0].Delivered {
		t.Errorf("state %+v", st)
	}
}
