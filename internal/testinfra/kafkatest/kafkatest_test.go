package kafkatest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/segmentio/kafka-go"

	"github.com/vocproject/voc/internal/testinfra/kafkatest"
)

func TestKcatProduceReadAll(t *testing.T) {
	c := kafkatest.Start(t, 3, "in")
	var in bytes.Buffer
	for i := range 30 {
		fmt.Fprintf(&in, "k%d:v%d\n", i, i)
	}
	c.KcatInput(in.Bytes(), "-P", "-t", "in", "-K", ":", "-H", "h1=x")
	got := c.ReadAll("in")
	if len(got) != 30 {
		t.Fatalf("ReadAll: %d messages, want 30", len(got))
	}
	seen := map[string]string{}
	for _, m := range got {
		seen[string(m.Key)] = string(m.Value)
		if len(m.Headers) != 1 || m.Headers[0].Key != "h1" || string(m.Headers[0].Value) != "x" {
			t.Errorf("%s: headers %v, want h1=x", m.Key, m.Headers)
		}
	}
	for i := range 30 {
		if v := seen[fmt.Sprintf("k%d", i)]; v != fmt.Sprintf("v%d", i) {
			t.Errorf("key k%d: value %q", i, v)
		}
	}
	ends := c.EndOffsets("in")
	var sum int64
	for _, e := range ends {
		sum += e
	}
	if sum != 30 {
		t.Errorf("end offsets %v sum to %d, want 30", ends, sum)
	}

	// kcat reads back what Produce wrote, partition by partition.
	c.Produce("in", kafka.Message{Partition: 2, Value: []byte("last")})
	out := c.Kcat("-C", "-t", "in", "-p", "2", "-o", "-1", "-e", "-J")
	var env struct {
		Partition int    `json:"partition"`
		Offset    int64  `json:"offset"`
		Payload   string `json:"payload"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &env); err != nil {
		t.Fatalf("kcat -J output %q: %v", out, err)
	}
	if env.Partition != 2 || env.Offset != ends[2] || env.Payload != "last" {
		t.Errorf("kcat read %+v, want partition 2 offset %d payload last", env, ends[2])
	}
}

func TestProduceToPartition(t *testing.T) {
	c := kafkatest.Start(t, 4, "in")
	var msgs []kafka.Message
	for i := range 10 {
		msgs = append(msgs, kafka.Message{Partition: i % 3, Value: []byte{byte(i)}})
	}
	c.Produce("in", msgs...)
	if got, want := c.EndOffsets("in"), []int64{4, 3, 3, 0}; !slices.Equal(got, want) {
		t.Errorf("end offsets %v, want %v", got, want)
	}
	if got := c.Committed("nobody", "in"); !slices.Equal(got, []int64{-1, -1, -1, -1}) {
		t.Errorf("committed offsets of an unknown group: %v, want all -1", got)
	}
}
