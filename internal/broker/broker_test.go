package broker_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/vocproject/voc/internal/broker"
	"github.com/vocproject/voc/internal/testinfra/kafkatest"
)

// TestRestartKeepsState commits group offsets with a consumer group, stops
// the broker and checks that messages, topics and offsets survive a restart.
func TestRestartKeepsState(t *testing.T) {
	c := kafkatest.Start(t, 2, "in")
	var msgs []kafka.Message
	for i := range 20 {
		msgs = append(msgs, kafka.Message{Partition: i % 2, Value: []byte{byte(i)}})
	}
	c.Produce("in", msgs...)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: c.Addrs(), GroupID: "g", GroupTopics: []string{"in"},
		StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	got := map[int]int{}
	for range 13 {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.CommitMessages(ctx, m); err != nil {
			t.Fatal(err)
		}
		got[m.Partition]++
	}
	r.Close()
	want := []int64{int64(got[0]), int64(got[1])}
	if c := c.Committed("g", "in"); !slices.Equal(c, want) {
		t.Fatalf("committed before restart %v, want %v", c, want)
	}

	c.Restart()
	if got := c.Committed("g", "in"); !slices.Equal(got, want) {
		t.Errorf("committed after restart %v, want %v", got, want)
	}
	if got := c.EndOffsets("in"); !slices.Equal(got, []int64{10, 10}) {
		t.Errorf("end offsets after restart %v, want [10 10]", got)
	}
	if n := len(c.ReadAll("in")); n != 20 {
		t.Errorf("%d messages after restart, want 20", n)
	}
}

func TestStartCreatesMissingTopics(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	b, err := broker.Start(ctx, broker.Config{Dir: dir, Partitions: 3, Topics: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopened with a new topic: seeding does not apply to a persisted
	// state, Start must create it.
	b, err = broker.Start(ctx, broker.Config{Dir: dir, Partitions: 2, Topics: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	conn, err := kafka.Dial("tcp", b.Addrs()[0])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	parts, err := conn.ReadPartitions("a", "b")
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, p := range parts {
		count[p.Topic]++
	}
	if count["a"] != 3 || count["b"] != 2 {
		t.Errorf("partitions per topic %v, want a:3 b:2", count)
	}
}

func TestDirLocked(t *testing.T) {
	dir := t.TempDir()
	b, err := broker.Start(context.Background(), broker.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	_, err = broker.Start(context.Background(), broker.Config{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second broker on %s: %v, want in-use error", dir, err)
	}
	b.Close()
	b, err = broker.Start(context.Background(), broker.Config{Dir: dir})
	if err != nil {
		t.Fatalf("start after close: %v", err)
	}
	b.Close()
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  broker.Config
		want string
	}{
		{"zero", broker.Config{}, ""},
		{"port", broker.Config{Port: 70000}, "port"},
		{"partitions", broker.Config{Partitions: -1}, "partitions"},
		{"empty topic", broker.Config{Topics: []string{"a", ""}}, "topics[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Errorf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate: %v, want error naming %s", err, tt.want)
			}
		})
	}
}
