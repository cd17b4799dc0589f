package broker_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/vocproject/voc/internal/broker"
)

// TestCrashKeepsState kills a process running a broker with SIGKILL after it
// acknowledged produced messages and committed group offsets, and checks
// that a broker started on the same directory has both.
func TestCrashKeepsState(t *testing.T) {
	if dir := os.Getenv("VOC_BROKER_CRASH_DIR"); dir != "" {
		crashChild(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashKeepsState$")
	cmd.Env = append(os.Environ(), "VOC_BROKER_CRASH_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var committed string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if c, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
			committed = c
			break
		}
	}
	if committed == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("child did not report its commits")
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	b, err := broker.Start(context.Background(), broker.Config{Dir: dir, Partitions: 2, Topics: []string{"in"}})
	if err != nil {
		t.Fatalf("restart after SIGKILL: %v", err)
	}
	defer b.Close()
	client := &kafka.Client{Addr: kafka.TCP(b.Addrs()...)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offs, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{
		"in": {kafka.LastOffsetOf(0), kafka.LastOffsetOf(1)}}})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, p := range offs.Topics["in"] {
		total += p.LastOffset
	}
	if total != 100 {
		t.Errorf("%d messages after SIGKILL, 100 were acknowledged", total)
	}
	resp, err := client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: "g", Topics: map[string][]int{"in": {0, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]int64, 2)
	for _, p := range resp.Topics["in"] {
		got[p.Partition] = p.CommittedOffset
	}
	if s := fmt.Sprint(got); s != committed {
		t.Errorf("committed offsets after SIGKILL %s, before %s", s, committed)
	}
}

// crashChild produces 100 messages, commits 60 of them, reports the
// committed offsets and waits to be killed.
func crashChild(dir string) {
	fail := func(err error) { fmt.Println("error", err); os.Exit(1) }
	b, err := broker.Start(context.Background(), broker.Config{Dir: dir, Partitions: 2, Topics: []string{"in"}})
	if err != nil {
		fail(err)
	}
	ctx := context.Background()
	w := &kafka.Writer{Addr: kafka.TCP(b.Addrs()...), Topic: "in", Balancer: &kafka.RoundRobin{},
		BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
	var msgs []kafka.Message
	for i := range 100 {
		msgs = append(msgs, kafka.Message{Value: []byte{byte(i)}})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		fail(err)
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: b.Addrs(), GroupID: "g", GroupTopics: []string{"in"},
		StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	got := make([]int64, 2)
	for range 60 {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			fail(err)
		}
		if err := r.CommitMessages(ctx, m); err != nil {
			fail(err)
		}
		got[m.Partition] = max(got[m.Partition], m.Offset+1)
	}
	fmt.Println("committed", fmt.Sprint(got))
	select {} // killed here, without closing anything
}
