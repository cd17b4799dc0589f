package kafka_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	kafkago "github.com/segmentio/kafka-go"

	"github.com/vocproject/voc/internal/testinfra/kafkatest"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/sources/kafka"
)

// testConfig is a source configuration tuned for fast tests: short fetch
// waits, frequent heartbeats and commits.
func testConfig(c *kafkatest.Cluster, group string, topics ...string) kafka.Config {
	return kafka.Config{
		Brokers:           c.Addrs(),
		Topics:            topics,
		GroupID:           group,
		MaxWait:           100 * time.Millisecond,
		CommitInterval:    100 * time.Millisecond,
		HeartbeatInterval: 300 * time.Millisecond,
		SessionTimeout:    6 * time.Second, // kfake's minimum
		RebalanceTimeout:  10 * time.Second,
	}
}

func newSource(t testing.TB, cfg kafka.Config) *kafka.Source {
	t.Helper()
	s, err := kafka.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// kcatProduce produces n JSON messages with keys k<i> (spread over the
// partitions by kcat's key hash) and returns the values by key.
func kcatProduce(c *kafkatest.Cluster, topic string, from, n int) map[string]string {
	var in bytes.Buffer
	want := map[string]string{}
	for i := from; i < from+n; i++ {
		k, v := fmt.Sprintf("k%d", i), fmt.Sprintf(`{"id":"m%d","text":"第%d条反馈"}`, i, i)
		fmt.Fprintf(&in, "%s\t%s\n", k, v)
		want[k] = v
	}
	c.KcatInput(in.Bytes(), "-P", "-t", topic, "-K", "\t", "-X", "linger.ms=5")
	return want
}

// memSink records delivered messages, keyed by position, shared by several
// runners.
type memSink struct {
	mu    sync.Mutex
	got   map[pipeline.Position]string // value
	keys  map[string]int               // deliveries per key
	vals  map[string]string            // value per key
	total int
}

func newMemSink() *memSink {
	return &memSink{got: map[pipeline.Position]string{}, keys: map[string]int{}, vals: map[string]string{}}
}

func (s *memSink) WriteBatch(_ context.Context, batch []*pipeline.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range batch {
		s.got[r.Msg.Pos] = string(r.Msg.Value)
		s.keys[string(r.Msg.Key)]++
		s.vals[string(r.Msg.Key)] = string(r.Msg.Value)
		s.total++
	}
	return nil
}

func (s *memSink) Close(context.Context) error { return nil }

func (s *memSink) distinct() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.keys)
}

// check fails unless every wanted key was delivered with its value; it
// returns the number of duplicate deliveries.
func (s *memSink) check(t *testing.T, want map[string]string) int {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	missing := 0
	for k, v := range want {
		if s.keys[k] == 0 {
			missing++
			if missing <= 5 {
				t.Errorf("message %s never delivered", k)
			}
			continue
		}
		if s.vals[k] != v {
			t.Errorf("message %s delivered with value %q, want %q", k, s.vals[k], v)
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d messages lost", missing, len(want))
	}
	if len(s.keys) != len(want) {
		t.Errorf("%d distinct keys delivered, want %d", len(s.keys), len(want))
	}
	return s.total - len(s.keys)
}

var idStage = pipeline.StageFunc(func(_ context.Context, rec *pipeline.Record) error {
	rec.ID = pipeline.DefaultID(rec.Msg.Pos)
	return nil
})

// runUntil runs src through a runner into sink until cond holds, then stops
// the runner and closes the source.
type running struct {
	cancel context.CancelFunc
	done   chan error
	src    *kafka.Source
}

func startRunner(t *testing.T, src *kafka.Source, stage pipeline.Stage, sink pipeline.Sink) *running {
	t.Helper()
	r, err := pipeline.NewRunner(pipeline.Config{Workers: 2, Batch: pipeline.BatchConfig{MaxRecords: 200, MaxWait: 20 * time.Millisecond}},
		src, stage, []pipeline.Sink{sink})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &running{cancel: cancel, done: make(chan error, 1), src: src}
	go func() { run.done <- r.Run(ctx) }()
	return run
}

// stop cancels the run, waits for it and closes the source (final commit).
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return")
	}
	if err := r.src.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSourceDeliversAllAndCommits produces with kcat over 4 partitions,
// consumes through the runner, and checks that every message arrived, that
// the committed offsets are the end offsets right after Close, and that a
// new consumer of the group starts after them.
func TestSourceDeliversAllAndCommits(t *testing.T) {
	c := kafkatest.Start(t, 4, "in")
	const n = 2000
	want := kcatProduce(c, "in", 0, n)
	ends := c.EndOffsets("in")
	for p, e := range ends {
		if e == 0 {
			t.Fatalf("partition %d got no messages (ends %v): the test needs all four", p, ends)
		}
	}

	sink := newMemSink()
	run := startRunner(t, newSource(t, testConfig(c, "g", "in")), idStage, sink)
	waitFor(t, "every message", 30*time.Second, func() bool { return sink.distinct() == n })
	run.stop(t)
	if dups := sink.check(t, want); dups != 0 {
		t.Errorf("%d duplicates with one consumer and no rebalance", dups)
	}
	if got := c.Committed("g", "in"); !slices.Equal(got, ends) {
		t.Errorf("committed %v right after Close, want the end offsets %v", got, ends)
	}

	// A new consumer of the group reads only what comes next.
	more := kcatProduce(c, "in", n, 50)
	sink2 := newMemSink()
	run2 := startRunner(t, newSource(t, testConfig(c, "g", "in")), idStage, sink2)
	waitFor(t, "the new messages", 30*time.Second, func() bool { return sink2.distinct() == 50 })
	time.Sleep(300 * time.Millisecond) // room for a wrong redelivery
	run2.stop(t)
	sink2.check(t, more)
	for p := range sink2.got {
		if p.Offset < ends[p.Partition] {
			t.Errorf("new consumer read %v, before the committed offset %d", p, ends[p.Partition])
		}
	}
}

// TestSourceCommitsContiguousAcks drives the source by hand on one partition:
// the commit stops at the first unacknowledged or failed message.
func TestSourceCommitsContiguousAcks(t *testing.T) {
	c := kafkatest.Start(t, 1, "one")
	var msgs []kafkago.Message
	for i := range 10 {
		msgs = append(msgs, kafkago.Message{Value: []byte{byte('a' + i)}})
	}
	c.Produce("one", msgs...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	src := newSource(t, testConfig(c, "g", "one"))
	acks := make([]pipeline.AckFunc, 10)
	for i := range 10 {
		m, ack, err := src.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Pos.Offset != int64(i) || string(m.Value) != string(rune('a'+i)) {
			t.Fatalf("read %v %q, want offset %d", m.Pos, m.Value, i)
		}
		acks[i] = ack
	}
	steps := []struct {
		ack  []int
		nack []int
		want int64 // committed offset after the step
	}{
		{ack: []int{0, 1, 2, 5, 6}, want: 3},
		{ack: []int{3}, want: 4},
		{ack: []int{4}, want: 7},
		{nack: []int{7}, ack: []int{8, 9}, want: 7},
	}
	for _, st := range steps {
		for _, i := range st.ack {
			if err := acks[i](ctx, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, i := range st.nack {
			if err := acks[i](ctx, errors.New("sink down")); err != nil {
				t.Fatal(err)
			}
		}
		if err := src.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := c.Committed("g", "one")[0]; got != st.want {
			t.Fatalf("after acking %v and failing %v: committed %d, want %d", st.ack, st.nack, got, st.want)
		}
	}
	if err := acks[0](ctx, nil); err == nil {
		t.Error("second ack of a message: no error")
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := src.Read(ctx); !errors.Is(err, io.EOF) {
		t.Errorf("Read after Close: %v, want io.EOF", err)
	}

	// The failed message is read again by the next consumer.
	src2 := newSource(t, testConfig(c, "g", "one"))
	defer src2.Close()
	m, _, err := src2.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.Pos.Offset != 7 {
		t.Errorf("next consumer starts at %v, want offset 7", m.Pos)
	}
}

// TestSourceTwoConsumers runs two sources of one group: they share the
// partitions and together deliver every message. Duplicates may happen
// around the rebalance; nothing may be lost.
func TestSourceTwoConsumers(t *testing.T) {
	c := kafkatest.Start(t, 4, "in")
	want := kcatProduce(c, "in", 0, 1000)
	slow := pipeline.StageFunc(func(ctx context.Context, rec *pipeline.Record) error {
		time.Sleep(200 * time.Microsecond)
		return idStage(ctx, rec)
	})
	sink := newMemSink()
	a := startRunner(t, newSource(t, testConfig(c, "g", "in")), slow, sink)
	waitFor(t, "the first consumer to start", 30*time.Second, func() bool { return sink.distinct() > 100 })

	sinkB := newMemSink()
	both := &teeSink{sinks: []pipeline.Sink{sink, sinkB}}
	b := startRunner(t, newSource(t, testConfig(c, "g", "in")), slow, both)
	// Keep producing while B joins: A may read everything produced before
	// the rebalance, and B gets data only from messages after its join.
	next := 1000
	deadline := time.Now().Add(60 * time.Second)
	for sinkB.distinct() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("timed out after 60s waiting for the second consumer to get partitions")
		}
		for k, v := range kcatProduce(c, "in", next, 200) {
			want[k] = v
		}
		next += 200
		time.Sleep(time.Second)
	}
	waitFor(t, "every message", 60*time.Second, func() bool { return sink.distinct() == len(want) })
	a.stop(t)
	b.stop(t)
	dups := sink.check(t, want)
	t.Logf("%d messages, %d duplicate deliveries around the rebalance, %d by the second consumer",
		len(want), dups, sinkB.total)

	sinkB.mu.Lock()
	parts := map[int]bool{}
	for p := range sinkB.got {
		parts[p.Partition] = true
	}
	sinkB.mu.Unlock()
	if len(parts) == 0 || len(parts) == 4 {
		t.Errorf("second consumer read partitions %v: the group did not share them", parts)
	}
	if got, ends := c.Committed("g", "in"), c.EndOffsets("in"); !slices.Equal(got, ends) {
		t.Errorf("committed %v after both closed, want the end offsets %v", got, ends)
	}
}

// teeSink writes to several sinks.
type teeSink struct{ sinks []pipeline.Sink }

func (s *teeSink) WriteBatch(ctx context.Context, b []*pipeline.Record) error {
	for _, x := range s.sinks {
		if err := x.WriteBatch(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

func (s *teeSink) Close(context.Context) error { return nil }

// TestSourceBrokerRestart restarts the broker from its data directory in the
// middle of a run: the source reconnects, nothing is lost, and the committed
// offsets survive the restart.
func TestSourceBrokerRestart(t *testing.T) {
	c := kafkatest.Start(t, 4, "in")
	want := kcatProduce(c, "in", 0, 1500)
	slow := pipeline.StageFunc(func(ctx context.Context, rec *pipeline.Record) error {
		time.Sleep(500 * time.Microsecond)
		return idStage(ctx, rec)
	})
	sink := newMemSink()
	run := startRunner(t, newSource(t, testConfig(c, "g", "in")), slow, sink)
	waitFor(t, "some deliveries", 30*time.Second, func() bool { return sink.distinct() > 300 })
	c.Restart()
	waitFor(t, "every message after the restart", 90*time.Second, func() bool { return sink.distinct() == len(want) })
	// Redeliveries after the restart may still be in flight: the committed
	// offsets must converge to the end offsets.
	ends := c.EndOffsets("in")
	waitFor(t, "the commits to reach the end offsets", 30*time.Second, func() bool {
		return slices.Equal(c.Committed("g", "in"), ends)
	})
	run.stop(t)
	dups := sink.check(t, want)
	t.Logf("%d duplicates around the broker restart", dups)
	if got := c.Committed("g", "in"); !slices.Equal(got, ends) {
		t.Fatalf("committed %v after Close, want %v", got, ends)
	}
	c.Restart()
	if got := c.Committed("g", "in"); !slices.Equal(got, ends) {
		t.Errorf("committed %v after a second restart, want %v", got, ends)
	}
}

func TestSourceStartLatest(t *testing.T) {
	c := kafkatest.Start(t, 2, "in")
	kcatProduce(c, "in", 0, 20)
	cfg := testConfig(c, "g", "in")
	cfg.StartOffset = "latest"
	src := newSource(t, cfg)
	defer src.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := make(chan pipeline.Message, 1)
	go func() {
		m, _, err := src.Read(ctx)
		if err == nil {
			got <- m
		}
	}()
	// The group must have joined before the new message, or "latest" may
	// land after it: produce until one is read.
	var m pipeline.Message
	for i := 20; ; i++ {
		kcatProduce(c, "in", i, 1)
		select {
		case m = <-got:
		case <-time.After(500 * time.Millisecond):
			continue
		case <-ctx.Done():
			t.Fatal("nothing read")
		}
		break
	}
	var i int
	if _, err := fmt.Sscanf(string(m.Key), "k%d", &i); err != nil || i < 20 {
		t.Errorf("first message read with start_offset latest: key %q, want a key from k20 on", m.Key)
	}
}

func TestSourceLag(t *testing.T) {
	c := kafkatest.Start(t, 1, "in")
	var msgs []kafkago.Message
	for range 100 {
		msgs = append(msgs, kafkago.Message{Value: []byte("x")})
	}
	c.Produce("in", msgs...)
	m, _ := pipeline.NewMetrics(nil)
	src, err := kafka.New(testConfig(c, "g", "in"), kafka.WithMetrics(m))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for range 10 {
		if _, _, err := src.Read(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := src.Lag(); got != 90 {
		t.Errorf("Lag after reading 10 of 100: %d, want 90", got)
	}
	// The commit timer publishes it.
	waitFor(t, "the lag gauge", 5*time.Second, func() bool {
		var d dto.Metric
		m.ConsumerLag.Write(&d)
		return d.GetGauge().GetValue() == 90
	})
}

// TestSourceRebalanceRedelivery forces a rebalance by a second member of the
// group that subscribes to another topic: the first source keeps its
// partition, which restarts at the committed offset. Acks of messages read
// before the rebalance are then ignored, and a failed message no longer
// holds the commit back.
func TestSourceRebalanceRedelivery(t *testing.T) {
	c := kafkatest.Start(t, 1, "one", "other")
	var msgs []kafkago.Message
	for i := range 10 {
		msgs = append(msgs, kafkago.Message{Value: []byte{byte('a' + i)}})
	}
	c.Produce("one", msgs...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	a := newSource(t, testConfig(c, "g", "one"))
	defer a.Close()
	old := make([]pipeline.AckFunc, 10)
	for i := range 10 {
		m, ack, err := a.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Pos.Offset != int64(i) {
			t.Fatalf("read offset %d, want %d", m.Pos.Offset, i)
		}
		old[i] = ack
	}
	for i := range 5 {
		old[i](ctx, nil)
	}
	old[5](ctx, errors.New("sink down"))
	if err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := c.Committed("g", "one")[0]; got != 5 {
		t.Fatalf("committed %d, want 5", got)
	}

	b := newSource(t, testConfig(c, "g", "other"))
	defer b.Close()
	go b.Read(ctx) // joins the group: a rebalance

	fresh := map[int64]pipeline.AckFunc{}
	for i := int64(5); i < 10; i++ {
		m, ack, err := a.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Pos.Offset != i {
			t.Fatalf("after the rebalance read offset %d, want %d (redelivery from the committed offset 5)", m.Pos.Offset, i)
		}
		fresh[i] = ack
	}
	for i := 6; i < 10; i++ {
		if err := old[i](ctx, nil); err != nil { // ignored: read before the redelivery
			t.Errorf("stale ack of offset %d: %v", i, err)
		}
	}
	fresh[5](ctx, nil)
	if err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := c.Committed("g", "one")[0]; got != 6 {
		t.Fatalf("committed %d after stale acks of 6-9 and a fresh ack of 5, want 6", got)
	}
	for i := int64(6); i < 10; i++ {
		fresh[i](ctx, nil)
	}
	if err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := c.Committed("g", "one")[0]; got != 10 {
		t.Errorf("committed %d, want 10", got)
	}
}

// TestSourceNoCommitAfterRevoke: a rebalance moves a partition away while
// its acknowledged offsets are not committed yet, and no message is read
// after it; Close must not commit that partition for the new owner.
func TestSourceNoCommitAfterRevoke(t *testing.T) {
	c := kafkatest.Start(t, 2, "two")
	var msgs []kafkago.Message
	for i := range 10 {
		msgs = append(msgs, kafkago.Message{Partition: i % 2, Value: []byte{byte('a' + i)}})
	}
	c.Produce("two", msgs...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	cfg := testConfig(c, "g", "two")
	cfg.CommitInterval = time.Hour // only Close commits
	a := newSource(t, cfg)
	defer a.Close()
	for range 10 {
		_, ack, err := a.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := ack(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	// B joins: A rejoins in the background and gives up one partition.
	// B's first message says the rebalance is complete.
	b := newSource(t, cfg)
	defer b.Close()
	m, _, err := b.Read(ctx) // never acknowledged: B commits nothing
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if got := c.Committed("g", "two")[m.Pos.Partition]; got != -1 {
		t.Errorf("partition %d, now B's, committed at %d by A after the rebalance; want no commit", m.Pos.Partition, got)
	}
}
