// Package kafkatest runs an in-process Kafka-protocol broker (kfake, through
// internal/broker) for tests, with helpers to produce, read back whole topics,
// inspect committed group offsets and drive the real kcat client.
//
// Every cluster persists to a per-test directory so that a test can restart
// the broker and find its topics and committed offsets again.
package kafkatest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/vocproject/voc/internal/broker"
)

// KcatPath is where tests expect Debian's kcat.
const KcatPath = "/usr/bin/kcat"

// Cluster is a single-node broker owned by one test. Its helpers report
// failures with t.Fatalf on the test that started it, so call them from that
// test's goroutine (a subtest that needs a broker starts its own).
type Cluster struct {
	t          testing.TB
	dir        string
	partitions int
	topics     []string
	b          *broker.Broker
	addrs      []string
	port       int
}

// Start starts a broker with topics of the given partition count, stopped
// when the test ends.
func Start(t testing.TB, partitions int, topics ...string) *Cluster {
	t.Helper()
	c := &Cluster{t: t, dir: t.TempDir(), partitions: partitions, topics: topics}
	c.start(0)
	t.Cleanup(func() {
		if c.b != nil {
			c.b.Close()
		}
	})
	return c
}

func (c *Cluster) start(port int) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := broker.Start(ctx, broker.Config{Dir: c.dir, Port: port, Partitions: c.partitions, Topics: c.topics})
	if err != nil {
		c.t.Fatalf("kafkatest: %v", err)
	}
	c.b, c.addrs, c.port = b, b.Addrs(), b.Port()
}

// Addrs returns the broker addresses.
func (c *Cluster) Addrs() []string { return slices.Clone(c.addrs) }

// Addr returns the broker address.
func (c *Cluster) Addr() string { return c.addrs[0] }

// Dir returns the broker's data directory.
func (c *Cluster) Dir() string { return c.dir }

// Stop stops the broker (its state is saved to Dir). Start it again with
// Restart.
func (c *Cluster) Stop() {
	c.t.Helper()
	if c.b == nil {
		return
	}
	if err := c.b.Close(); err != nil {
		c.t.Fatalf("kafkatest: stop: %v", err)
	}
	c.b = nil
}

// Restart stops the broker when it runs and starts it again on the same
// port from its data directory.
func (c *Cluster) Restart() {
	c.t.Helper()
	c.Stop()
	port := c.port
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		b, err := broker.Start(ctx, broker.Config{Dir: c.dir, Port: port, Partitions: c.partitions, Topics: c.topics})
		cancel()
		if err == nil {
			c.b, c.addrs = b, b.Addrs()
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("kafkatest: restart: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // the port may linger briefly
	}
}

// CreateTopic creates a topic.
func (c *Cluster) CreateTopic(topic string, partitions int) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.client().CreateTopics(ctx, &kafka.CreateTopicsRequest{
		Topics: []kafka.TopicConfig{{Topic: topic, NumPartitions: partitions, ReplicationFactor: 1}}})
	if err == nil {
		err = resp.Errors[topic]
	}
	if err != nil {
		c.t.Fatalf("kafkatest: create topic %s: %v", topic, err)
	}
}

func (c *Cluster) client() *kafka.Client {
	return &kafka.Client{Addr: kafka.TCP(c.addrs...), Timeout: 10 * time.Second}
}

// Produce writes msgs to topic, each to its own msgs[i].Partition, and
// returns once the broker acknowledged all of them.
func (c *Cluster) Produce(topic string, msgs ...kafka.Message) {
	c.t.Helper()
	w := &kafka.Writer{
		Addr:         kafka.TCP(c.addrs...),
		Topic:        topic,
		Balancer:     explicitPartition{},
		BatchSize:    1000,
		BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll,
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for len(msgs) > 0 {
		n := min(len(msgs), 1000)
		if err := w.WriteMessages(ctx, msgs[:n]...); err != nil {
			c.t.Fatalf("kafkatest: produce to %s: %v", topic, err)
		}
		msgs = msgs[n:]
	}
}

// explicitPartition sends each message to its Partition field.
type explicitPartition struct{}

func (explicitPartition) Balance(msg kafka.Message, partitions ...int) int { return msg.Partition }

// ReadAll returns every message of topic present now, partition by
// partition in offset order.
func (c *Cluster) ReadAll(topic string) []kafka.Message {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ends := c.EndOffsets(topic)
	var out []kafka.Message
	for p := range len(ends) {
		if ends[p] == 0 {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: c.addrs, Topic: topic, Partition: p, MaxWait: 100 * time.Millisecond})
		for {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				r.Close()
				c.t.Fatalf("kafkatest: read %s[%d]: %v", topic, p, err)
			}
			out = append(out, m)
			if m.Offset+1 >= ends[p] {
				break
			}
		}
		r.Close()
	}
	return out
}

// EndOffsets returns, per partition of topic, the offset the next message
// will get.
func (c *Cluster) EndOffsets(topic string) []int64 {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := c.partitionCount(ctx, topic)
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for p := range n {
		req.Topics[topic] = append(req.Topics[topic], kafka.LastOffsetOf(p))
	}
	resp, err := c.client().ListOffsets(ctx, req)
	if err != nil {
		c.t.Fatalf("kafkatest: list offsets of %s: %v", topic, err)
	}
	out := make([]int64, n)
	for _, po := range resp.Topics[topic] {
		if po.Error != nil {
			c.t.Fatalf("kafkatest: list offsets of %s[%d]: %v", topic, po.Partition, po.Error)
		}
		out[po.Partition] = po.LastOffset
	}
	return out
}

func (c *Cluster) partitionCount(ctx context.Context, topic string) int {
	c.t.Helper()
	md, err := c.client().Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		c.t.Fatalf("kafkatest: metadata of %s: %v", topic, err)
	}
	for _, t := range md.Topics {
		if t.Name == topic {
			if t.Error != nil {
				c.t.Fatalf("kafkatest: metadata of %s: %v", topic, t.Error)
			}
			return len(t.Partitions)
		}
	}
	c.t.Fatalf("kafkatest: topic %s not found", topic)
	return 0
}

// Committed returns group's committed offsets for topic, per partition (-1
// when none): the offset of the next message the group will read.
func (c *Cluster) Committed(group, topic string) []int64 {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := c.partitionCount(ctx, topic)
	parts := make([]int, n)
	for i := range parts {
		parts[i] = i
	}
	resp, err := c.client().OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: parts}})
	if err == nil {
		err = resp.Error
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = -1
	}
	if errors.Is(err, kafka.GroupIdNotFound) { // kfake's answer for a group that never committed
		return out
	}
	if err != nil {
		c.t.Fatalf("kafkatest: committed offsets of %s on %s: %v", group, topic, err)
	}
	for _, po := range resp.Topics[topic] {
		if po.Error != nil {
			c.t.Fatalf("kafkatest: committed offset of %s on %s[%d]: %v", group, topic, po.Partition, po.Error)
		}
		out[po.Partition] = po.CommittedOffset
	}
	return out
}

// Kcat runs kcat with "-b <broker>" and args and returns its standard
// output. A test using it fails when kcat is not installed, unless
// VOC_SKIP_KCAT=1, which skips it.
func (c *Cluster) Kcat(args ...string) []byte {
	c.t.Helper()
	return c.KcatInput(nil, args...)
}

// KcatInput is Kcat with input on kcat's standard input (for -P).
func (c *Cluster) KcatInput(input []byte, args ...string) []byte {
	c.t.Helper()
	RequireKcat(c.t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, KcatPath, append([]string{"-b", c.Addr()}, args...)...)
	if input != nil {
		cmd.Stdin = bytes.NewReader(input)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		c.t.Fatalf("kafkatest: kcat %q: %v\n%s", args, err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// RequireKcat fails the test when kcat is not installed. With VOC_SKIP_KCAT=1
// it skips the test instead.
func RequireKcat(t testing.TB) {
	t.Helper()
	_, err := os.Stat(KcatPath)
	if err == nil {
		return
	}
	if os.Getenv("VOC_SKIP_KCAT") == "1" {
		t.Skipf("kafkatest: %s missing and VOC_SKIP_KCAT=1", KcatPath)
	}
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("kafkatest: %s is not installed (apt-get install kcat), or set VOC_SKIP_KCAT=1 to skip", KcatPath)
	}
	t.Fatalf("kafkatest: kcat: %v", err)
}
