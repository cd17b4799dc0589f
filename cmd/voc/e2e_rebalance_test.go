package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
	"github.com/vocproject/voc/internal/testinfra/kafkatest"
)

// TestE2EJoinThenKill9 has a second `voc run` join the group while the
// first consumes at full speed, then kills the first with SIGKILL, three
// rounds in a row. On the join the group rebalances while the first still
// writes the partitions it loses (two writers on a partition); on the kill
// its successor replays them from the last commit. Every record, mention,
// conversation and violation must be stored once and every hourly
// aggregate must equal the aggregate of the raw rows.
func TestE2EJoinThenKill9(t *testing.T) {
	kafkatest.RequireKcat(t)
	f := makeFeed(t, 14, 300)
	kc := kafkatest.Start(t, 4, e2eTopic, e2eDLQ)
	// The feed goes in portions, one per round, so that the processes
	// have records to consume all along.
	const rounds = 3
	lines := bytes.SplitAfter(f.lines, []byte("\n"))
	portion := func(i int) {
		n := len(lines)
		kc.KcatInput(bytes.Join(lines[i*n/(rounds+1):(i+1)*n/(rounds+1)], nil), "-P", "-t", e2eTopic, "-K", "\t", "-z", "lz4")
	}
	portion(0)
	db := chtest.Start(t)
	config := func() string {
		return writeConfig(t, kc.Addrs(), db.Addr, db.Database, filepath.Join(t.TempDir(), "index"))
	}
	cur := startChild(t, config())
	s := waitForSink(t, db.Addr, db.Database, cur)
	for round := 1; round <= rounds; round++ {
		base := int(mustCounts(t, s).DistinctRecords)
		portion(round)
		// The current process is consuming.
		waitRecords(t, s, base+100, 3*time.Minute, cur)
		next := startChild(t, config())
		deadline := time.Now().Add(time.Minute)
		for !strings.Contains(next.stderr.String(), "pipeline: running") {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the joining voc run did not start its pipeline\n%s", round, tail(next.stderr.String(), 3000))
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(time.Second) // the group rebalances while the first keeps writing
		at := mustCounts(t, s).DistinctRecords
		cur.kill9(t)
		t.Logf("round %d: killed voc run with SIGKILL at %d of %d records (%d at the round's start)", round, at, f.records, base)
		cur = next
	}
	var poison bytes.Buffer
	for _, v := range f.poison {
		poison.Write(v)
		poison.WriteByte('\n')
	}
	kc.KcatInput(poison.Bytes(), "-P", "-t", e2eTopic, "-X", "message.max.bytes=4000000")
	waitRecords(t, s, f.records, 5*time.Minute, cur)
	waitCommitted(t, kc, len(f.msgs)+len(f.poison))
	cur.stop(t)
	checkExact(t, s, db.Addr, db.Database, f)
	if msg, err := s.DB().HourlyDiff(context.Background()); err != nil || msg != "" {
		t.Errorf("hourly aggregates differ from the raw rows: %s %v", msg, err)
	}
	checkDeadLetters(t, kc, f)
}
