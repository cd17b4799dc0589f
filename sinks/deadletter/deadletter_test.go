package deadletter_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/internal/kafkaconn"
	"github.com/vocproject/voc/internal/testinfra/kafkatest"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/sinks/deadletter"
	"github.com/vocproject/voc/sources/kafka"
)

func newSink(t *testing.T, cfg deadletter.Config) *deadletter.Sink {
	t.Helper()
	s, err := deadletter.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

func headers(m kafkago.Message) map[string]string {
	out := map[string]string{}
	for _, h := range m.Headers {
		if _, dup := out[h.Key]; dup {
			out[h.Key] += "|dup"
		}
		out[h.Key] += string(h.Value)
	}
	return out
}

func decodeErr(reason string) error {
	return &feedback.DecodeError{Reason: reason, Err: errors.New("details of " + reason)}
}

func TestWriteBatchLetters(t *testing.T) {
	c := kafkatest.Start(t, 2, "dlq")
	sink := newSink(t, deadletter.Config{Brokers: c.Addrs(), Topic: "dlq"})
	at := time.Date(2026, 3, 1, 8, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	recs := []*pipeline.Record{
		{Msg: pipeline.Message{Pos: pipeline.Position{Topic: "in", Partition: 3, Offset: 41}, Key: []byte("k1"),
			Value: []byte(`{"id":`), Time: at, Headers: map[string]string{"trace": "abc"}}, Err: decodeErr(feedback.ReasonBadJSON)},
		{Msg: pipeline.Message{Pos: pipeline.Position{Topic: "in", Partition: 0, Offset: 7},
			Value: []byte{0xff, 0xfe, 'x', 0}, Time: at}, Err: decodeErr(feedback.ReasonNotUTF8)},
		{Msg: pipeline.Message{Pos: pipeline.Position{Topic: "in", Partition: 1, Offset: 9}, Key: []byte("k3"),
			Value: []byte(`{"id":"a","text":""}`), Time: at,
			Headers: map[string]string{"voc-reason": "forged"}}, Err: &feedback.DecodeError{Reason: feedback.ReasonNoText, Field: "text", Err: errors.New("no text")}},
		{Msg: pipeline.Message{Pos: pipeline.Position{Topic: "other", Partition: 0, Offset: 0}, Value: []byte(`{}`), Time: at},
			Err: fmt.Errorf("stage: %w", decodeErr(feedback.ReasonAnalysis))},
		{Msg: pipeline.Message{Pos: pipeline.Position{Topic: "in", Partition: 2, Offset: 5}, Value: []byte(`{}`), Time: at},
			Err: errors.New("plain failure")},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := sink.Check(ctx); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if err := sink.WriteBatch(ctx, recs); err != nil {
		t.Fatal(err)
	}
	got := c.ReadAll("dlq")
	if len(got) != len(recs) {
		t.Fatalf("%d dead letters, want %d", len(got), len(recs))
	}
	byOrigin := map[string]kafkago.Message{}
	for _, m := range got {
		h := headers(m)
		byOrigin[h["voc-topic"]+"/"+h["voc-partition"]+"/"+h["voc-offset"]] = m
	}
	for _, rec := range recs {
		p := rec.Msg.Pos
		m, ok := byOrigin[fmt.Sprintf("%s/%d/%d", p.Topic, p.Partition, p.Offset)]
		if !ok {
			t.Errorf("no dead letter for %v", p)
			continue
		}
		if !bytes.Equal(m.Value, rec.Msg.Value) {
			t.Errorf("%v: value %q, want the original %q", p, m.Value, rec.Msg.Value)
		}
		if !bytes.Equal(m.Key, rec.Msg.Key) {
			t.Errorf("%v: key %q, want %q", p, m.Key, rec.Msg.Key)
		}
		reason := deadletter.ReasonUnknown
		var de *feedback.DecodeError
		if errors.As(rec.Err, &de) {
			reason = de.Reason
		}
		want := map[string]string{
			"voc-reason":    reason,
			"voc-error":     rec.Err.Error(),
			"voc-topic":     p.Topic,
			"voc-partition": strconv.Itoa(p.Partition),
			"voc-offset":    strconv.FormatInt(p.Offset, 10),
			"voc-time":      "2026-03-01T00:30:00.123456789Z",
		}
		for k, v := range rec.Msg.Headers {
			if !strings.HasPrefix(k, "voc-") {
				want[k] = v
			}
		}
		if h := headers(m); !maps.Equal(h, want) {
			t.Errorf("%v: headers\n%v\nwant\n%v", p, h, want)
		}
	}
	// Same key, same partition.
	part := map[string]int{}
	for _, m := range got {
		if m.Key != nil {
			part[string(m.Key)] = m.Partition
		}
	}
	if err := sink.WriteBatch(ctx, recs[:1]); err != nil {
		t.Fatal(err)
	}
	again := c.ReadAll("dlq")
	if len(again) != len(recs)+1 {
		t.Errorf("%d dead letters after a second write of one, want %d", len(again), len(recs)+1)
	}
	for _, m := range again {
		if string(m.Key) == "k1" && m.Partition != part["k1"] {
			t.Errorf("key k1 written to partitions %d and %d", part["k1"], m.Partition)
		}
	}
}

func TestTruncateOversize(t *testing.T) {
	c := kafkatest.Start(t, 1, "dlq")
	sink := newSink(t, deadletter.Config{Brokers: c.Addrs(), Topic: "dlq", MaxMessageBytes: 4096})
	big := bytes.Repeat([]byte("长"), 4000) // 12000 bytes
	ctx := context.Background()
	rec := &pipeline.Record{Msg: pipeline.Message{Pos: pipeline.Position{Topic: "in", Offset: 1}, Value: big},
		Err: decodeErr(feedback.ReasonOversize)}
	small := &pipeline.Record{Msg: pipeline.Message{Pos: pipeline.Position{Topic: "in", Offset: 2}, Value: []byte("x")},
		Err: decodeErr(feedback.ReasonBadJSON)}
	if err := sink.WriteBatch(ctx, []*pipeline.Record{rec, small}); err != nil {
		t.Fatal(err)
	}
	got := c.ReadAll("dlq")
	if len(got) != 2 {
		t.Fatalf("%d dead letters, want 2", len(got))
	}
	m := got[0]
	h := headers(m)
	if h["voc-truncated"] != "12000" || h["voc-reason"] != feedback.ReasonOversize {
		t.Errorf("headers %v, want voc-truncated=12000 and reason oversize", h)
	}
	if len(m.Value) >= len(big) || len(m.Value) < 3000 || !bytes.HasPrefix(big, m.Value) {
		t.Errorf("truncated value: %d bytes, want a prefix of the original of 3000-4096 bytes", len(m.Value))
	}
	if _, ok := headers(got[1])["voc-truncated"]; ok || string(got[1].Value) != "x" {
		t.Errorf("small message: %q %v, want untouched", got[1].Value, headers(got[1]))
	}
}

// TestRetrySkipsWritten makes the broker fail the produce request of one
// partition once: WriteBatch fails, and its retry writes only the failed
// messages, so every dead letter is in the topic once.
func TestRetrySkipsWritten(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "dlq"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	var mu sync.Mutex
	failed := 0
	cluster.ControlKey(int16(kmsg.Produce), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		req := kreq.(*kmsg.ProduceRequest)
		if len(req.Topics) != 1 || len(req.Topics[0].Partitions) != 1 || req.Topics[0].Partitions[0].Partition != 1 {
			return nil, nil, false
		}
		mu.Lock()
		failed++
		mu.Unlock()
		resp := req.ResponseKind().(*kmsg.ProduceResponse)
		rt := kmsg.NewProduceResponseTopic()
		rt.Topic = req.Topics[0].Topic
		rp := kmsg.NewProduceResponseTopicPartition()
		rp.Partition = 1
		rp.ErrorCode = int16(kafkago.NotEnoughReplicas)
		rt.Partitions = append(rt.Partitions, rp)
		resp.Topics = append(resp.Topics, rt)
		return resp, nil, true
	})

	sink := newSink(t, deadletter.Config{Brokers: cluster.ListenAddrs(), Topic: "dlq"})
	var recs []*pipeline.Record
	for i := range 20 {
		recs = append(recs, &pipeline.Record{Msg: pipeline.Message{Pos: pipeline.Position{Topic: "in", Offset: int64(i)},
			Key: fmt.Appendf(nil, "key-%d", i), Value: []byte("bad")}, Err: decodeErr(feedback.ReasonBadJSON)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := sink.WriteBatch(ctx, recs); err == nil || !errors.Is(err, kafkago.NotEnoughReplicas) {
		t.Fatalf("first attempt: %v, want the partition's NotEnoughReplicas", err)
	}
	if err := sink.WriteBatch(ctx, recs); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if failed != 1 {
		t.Fatalf("broker failed %d produce requests, want 1", failed)
	}
	count := map[string]int{}
	parts := map[int]bool{}
	for p := range 2 {
		r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: cluster.ListenAddrs(), Topic: "dlq", Partition: p, MaxWait: 100 * time.Millisecond})
		conn, err := kafkago.DialLeader(ctx, "tcp", cluster.ListenAddrs()[0], "dlq", p)
		if err != nil {
			t.Fatal(err)
		}
		end, err := conn.ReadLastOffset()
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		for range end {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			count[headers(m)["voc-offset"]]++
			parts[p] = true
		}
		r.Close()
	}
	if !parts[0] || !parts[1] {
		t.Fatalf("dead letters on partitions %v: the test needs both", parts)
	}
	for i := range 20 {
		if n := count[strconv.Itoa(i)]; n != 1 {
			t.Errorf("dead letter of offset %d written %d times", i, n)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	ok := deadletter.Config{Brokers: []string{"b:9092"}, Topic: "dlq"}
	with := func(f func(*deadletter.Config)) deadletter.Config {
		c := ok
		f(&c)
		return c
	}
	tests := []struct {
		name  string
		cfg   deadletter.Config
		field string
	}{
		{"valid", ok, ""},
		{"no brokers", with(func(c *deadletter.Config) { c.Brokers = nil }), "brokers"},
		{"bad broker", with(func(c *deadletter.Config) { c.Brokers = []string{"nohost"} }), "brokers[0]"},
		{"no topic", with(func(c *deadletter.Config) { c.Topic = "" }), "topic"},
		{"tiny max", with(func(c *deadletter.Config) { c.MaxMessageBytes = 100 }), "max_message_bytes"},
		{"negative timeout", with(func(c *deadletter.Config) { c.WriteTimeout = -1 }), "write_timeout"},
		{"tls", with(func(c *deadletter.Config) { c.TLS.CertFile = "c.pem" }), "tls.cert_file"},
		{"sasl", with(func(c *deadletter.Config) { c.SASL.Mechanism = "scram-sha-1" }), "sasl.mechanism"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := deadletter.New(tt.cfg)
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ce *kafkaconn.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("New: %v, want a ConfigError on %s", err, tt.field)
			}
		})
	}
}

func TestCheckMissingTopic(t *testing.T) {
	c := kafkatest.Start(t, 1, "in")
	sink := newSink(t, deadletter.Config{Brokers: c.Addrs(), Topic: "nope"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sink.Check(ctx); !errors.Is(err, kafkago.UnknownTopicOrPartition) {
		t.Errorf("Check of a missing topic: %v, want UnknownTopicOrPartition", err)
	}
}

// decodeStage decodes messages as voc's stage does and marks poison.
var decodeStage = pipeline.StageFunc(func(_ context.Context, rec *pipeline.Record) error {
	m, id, err := feedback.Decode(rec.Msg.Value, 2000)
	rec.ID = id
	if rec.ID == "" {
		rec.ID = pipeline.DefaultID(rec.Msg.Pos)
	}
	rec.Feedback, rec.Err = m, err
	return nil
})

type countSink struct {
	mu  sync.Mutex
	ids map[string]int
}

func (s *countSink) WriteBatch(_ context.Context, b []*pipeline.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range b {
		s.ids[r.ID]++
	}
	return nil
}

func (s *countSink) Close(context.Context) error { return nil }

func (s *countSink) n() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

// TestPipelinePoison produces good and poison messages with kcat and runs the
// Kafka source, the runner with a decoding stage, a data sink and the
// dead-letter sink: every poison message is in the dead-letter topic with
// its reason and origin, the good ones reached the data sink, and every
// offset is committed.
func TestPipelinePoison(t *testing.T) {
	c := kafkatest.Start(t, 2, "in", "dlq")
	poison := map[string]string{ // key -> reason
		"p-json":   feedback.ReasonBadJSON,
		"p-utf8":   feedback.ReasonNotUTF8,
		"p-big":    feedback.ReasonOversize,
		"p-notext": feedback.ReasonNoText,
		"p-field":  feedback.ReasonBadField,
	}
	values := map[string]string{
		"p-json":   `{"id":"x1","text":`,
		"p-utf8":   "{\"id\":\"x2\",\"text\":\"\xff\xfe\"}",
		"p-big":    `{"id":"x3","text":"` + strings.Repeat("慢", 1000) + `"}`,
		"p-notext": `{"id":"x4","kind":"review","text":"  "}`,
		"p-field":  `{"id":"x5","rating":9,"text":"好"}`,
	}
	var in bytes.Buffer
	for i := range 100 {
		fmt.Fprintf(&in, "g%d\t{\"id\":\"g%d\",\"kind\":\"review\",\"text\":\"物流太慢了%d\"}\x1e", i, i, i)
		if i%20 == 0 {
			k := slices.Sorted(maps.Keys(poison))[i/20]
			fmt.Fprintf(&in, "%s\t%s\x1e", k, values[k])
		}
	}
	c.KcatInput(in.Bytes(), "-P", "-t", "in", "-K", "\t", "-D", "\x1e")

	src, err := kafka.New(kafka.Config{Brokers: c.Addrs(), Topics: []string{"in"}, GroupID: "voc",
		MaxWait: 100 * time.Millisecond, CommitInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	dlq := newSink(t, deadletter.Config{Brokers: c.Addrs(), Topic: "dlq"})
	data := &countSink{ids: map[string]int{}}
	r, err := pipeline.NewRunner(pipeline.Config{Batch: pipeline.BatchConfig{MaxWait: 20 * time.Millisecond}},
		src, decodeStage, []pipeline.Sink{data}, pipeline.WithDeadLetter(dlq))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	deadline := time.Now().Add(30 * time.Second)
	for data.n() < 100 || sum(c.EndOffsets("dlq")) < int64(len(poison)) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %d good records, dead letters %v", data.n(), c.EndOffsets("dlq"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}

	if got, ends := c.Committed("voc", "in"), c.EndOffsets("in"); !slices.Equal(got, ends) {
		t.Errorf("committed %v, want every offset including the poison ones: %v", got, ends)
	}
	origin := map[string]pipeline.Position{}
	for _, m := range c.ReadAll("in") {
		origin[string(m.Key)] = pipeline.Position{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset}
	}
	letters := c.ReadAll("dlq")
	if len(letters) != len(poison) {
		t.Fatalf("%d dead letters, want %d", len(letters), len(poison))
	}
	for _, m := range letters {
		k := string(m.Key)
		h := headers(m)
		if h["voc-reason"] != poison[k] {
			t.Errorf("%s: reason %q, want %q (error %q)", k, h["voc-reason"], poison[k], h["voc-error"])
		}
		if string(m.Value) != values[k] {
			t.Errorf("%s: value changed", k)
		}
		o := origin[k]
		if h["voc-topic"] != "in" || h["voc-partition"] != strconv.Itoa(o.Partition) || h["voc-offset"] != strconv.FormatInt(o.Offset, 10) {
			t.Errorf("%s: origin headers %v, want in/%d/%d", k, h, o.Partition, o.Offset)
		}
		if h["voc-error"] == "" || h["voc-time"] == "" {
			t.Errorf("%s: empty voc-error or voc-time: %v", k, h)
		}
	}
	for id, n := range data.ids {
		if !strings.HasPrefix(id, "g") || n != 1 {
			t.Errorf("data sink got %s %d times", id, n)
		}
	}
}

func sum(xs []int64) int64 {
	var n int64
	for _, x := range xs {
		n += x
	}
	return n
}
