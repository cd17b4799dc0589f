package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/vocproject/voc/internal/gen"
	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
	"github.com/vocproject/voc/internal/testinfra/kafkatest"
	"github.com/vocproject/voc/store/ch"
)

// BenchmarkEndToEnd measures, on this machine with broker, ClickHouse and
// voc together: the sustained throughput of `voc run` (Kafka → analysis →
// ClickHouse + search index → commit) against `voc analyze` on the same
// records, the time from process start to the first record stored, and
// voc run's peak RSS. Run it with
//
//	go test -run '^$' -bench EndToEnd -benchtime 1x ./cmd/voc
//
// VOC_BENCH_RECORDS sets the feed size (default about 20,000);
// VOC_BENCH_CPUPROFILE=FILE writes a CPU profile of voc run (until it is
// told to stop). run-cpu-ms/rec and ch-cpu-ms/rec are the CPU time voc run
// and the ClickHouse server spent per record from the first record stored
// to the last, less sensitive to other load on the machine than the rate.
func BenchmarkEndToEnd(b *testing.B) {
	perDay := 730
	if n, err := strconv.Atoi(os.Getenv("VOC_BENCH_RECORDS")); err == nil && n > 0 {
		perDay = n / 28
	}
	g, err := gen.New(gen.Config{Seed: 9, Days: 28, PerDay: perDay})
	if err != nil {
		b.Fatal(err)
	}
	msgs := g.All()
	var lines bytes.Buffer
	kmsgs := make([]kafkago.Message, len(msgs))
	for i := range msgs {
		v, err := msgs[i].MarshalWith(nil)
		if err != nil {
			b.Fatal(err)
		}
		lines.Write(v)
		lines.WriteByte('\n')
		kmsgs[i] = kafkago.Message{Partition: i % 4, Key: []byte(msgs[i].ID), Value: v}
	}
	dir := b.TempDir()
	feed := filepath.Join(dir, "feed.jsonl")
	// voc analyze reads the feed five times over, so that its start-up
	// time (subtracted) is small against the analysis.
	os.WriteFile(feed, bytes.Repeat(lines.Bytes(), 5), 0o644)
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o644)

	for b.Loop() {
		// voc analyze: wall time over the feed minus its start-up time.
		run := func(file string) time.Duration {
			cmd := exec.Command(os.Args[0], "analyze", "--input", "json", file)
			cmd.Env = append(os.Environ(), childEnv+"=1")
			start := time.Now()
			if err := cmd.Run(); err != nil {
				b.Fatalf("voc analyze: %v", err)
			}
			return time.Since(start)
		}
		startup := run(empty)
		analyze := run(feed) - startup
		analyzeRate := float64(5*len(msgs)) / analyze.Seconds()

		kc := kafkatest.Start(b, 4, e2eTopic, e2eDLQ)
		kc.Produce(e2eTopic, kmsgs...)
		db := chtest.Start(b)
		cfg := writeConfigBench(b, kc.Addrs(), db.Addr, db.Database, filepath.Join(b.TempDir(), "index"))
		s := openCH(b, db.Addr, db.Database)
		if err := s.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		c := startChild(b, cfg, cpuProfileEnv+"="+os.Getenv("VOC_BENCH_CPUPROFILE"))
		first := time.Duration(0)
		var runCPU0, chCPU0 time.Duration
		var firstAt time.Time
		for {
			n := mustCounts(b, s).DistinctRecords
			if n > 0 && first == 0 {
				first, firstAt = time.Since(start), time.Now()
				runCPU0, chCPU0 = cpuTime(b, c.cmd.Process.Pid), cpuTime(b, db.Server.Pid())
			}
			if n >= uint64(len(msgs)) {
				break
			}
			if time.Since(start) > 20*time.Minute {
				b.Fatalf("%d of %d records after 20 minutes", n, len(msgs))
			}
			time.Sleep(50 * time.Millisecond)
		}
		sustained := float64(len(msgs)) / time.Since(firstAt).Seconds()
		runCPU, chCPU := cpuTime(b, c.cmd.Process.Pid)-runCPU0, cpuTime(b, db.Server.Pid())-chCPU0
		rss := peakRSS(b, c.cmd.Process.Pid)
		if os.Getenv("VOC_BENCH_QUERY_LOG") == "1" {
			logQueries(b, s.DB(), db.Database)
		}
		c.stop(b)
		b.ReportMetric(float64(len(msgs)), "records")
		b.ReportMetric(analyzeRate, "analyze-rec/s")
		b.ReportMetric(sustained, "run-rec/s")
		b.ReportMetric(sustained/analyzeRate, "run/analyze")
		b.ReportMetric(first.Seconds(), "first-record-s")
		b.ReportMetric(rss, "run-peakRSS-MB")
		b.ReportMetric(runCPU.Seconds()*1000/float64(len(msgs)), "run-cpu-ms/rec")
		b.ReportMetric(chCPU.Seconds()*1000/float64(len(msgs)), "ch-cpu-ms/rec")
	}
}

func writeConfigBench(b *testing.B, brokers []string, addr, database, index string) string {
	p := filepath.Join(b.TempDir(), "voc.yaml")
	chSettings := ""
	if os.Getenv("VOC_BENCH_QUERY_LOG") == "1" {
		chSettings = "\n  settings: {log_queries: 1}"
	}
	cfg := "kafka:\n  brokers: [" + strings.Join(brokers, ", ") + "]\n  topics: [" + e2eTopic + "]\n  group_id: bench\n  dead_letter_topic: " + e2eDLQ +
		"\nclickhouse:\n  addrs: [" + addr + "]\n  database: " + database +
		chSettings + "\nindex:\n  path: " + index +
		"\n  disabled: " + strconv.FormatBool(os.Getenv("VOC_BENCH_NO_INDEX") == "1") + "\nhttp:\n  listen: 127.0.0.1:0\n" + os.Getenv("VOC_BENCH_EXTRA")
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		b.Fatal(err)
	}
	return p
}

// logQueries logs, per kind of query voc run sent to database (numbers
// masked), the count, the time and the rows read and written
// (VOC_BENCH_QUERY_LOG=1), then the active parts of its tables.
func logQueries(b *testing.B, db *ch.DB, database string) {
	ctx := context.Background()
	conn := db.Conn()
	if err := conn.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
		b.Fatal(err)
	}
	var out strings.Builder
	err := ch.EachRow(ctx, conn, `SELECT substring(replaceRegexpAll(replaceRegexpAll(query, '[0-9]+', 'N'), '\\s+', ' '), 1, 110) AS q,
    count(), sum(query_duration_ms), sum(read_rows), sum(written_rows)
FROM system.query_log
WHERE type = 2 AND query LIKE ?
GROUP BY q ORDER BY sum(query_duration_ms) DESC LIMIT 25`, []any{"%" + database + "%"}, func(r ch.Row) error {
		var q string
		var n, ms, rd, wr uint64
		if err := r.Scan(&q, &n, &ms, &rd, &wr); err != nil {
			return err
		}
		fmt.Fprintf(&out, "%6d %8d ms %10d read %8d written  %s\n", n, ms, rd, wr, q)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	err = ch.EachRow(ctx, conn, "SELECT table, count(), sum(rows) FROM system.parts WHERE database = ? AND active GROUP BY table ORDER BY table", []any{database}, func(r ch.Row) error {
		var t string
		var n, rows uint64
		if err := r.Scan(&t, &n, &rows); err != nil {
			return err
		}
		fmt.Fprintf(&out, "parts %-20s %4d parts %8d rows\n", t, n, rows)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Log("queries of voc run:\n" + out.String())
}

// cpuTime reads the user and system CPU time of a process (and of its
// waited-for children, none here) from /proc.
func cpuTime(tb testing.TB, pid int) time.Duration {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		tb.Fatal(err)
	}
	// The fields after the command name, which is in parentheses.
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	var ticks int64
	for _, i := range []int{11, 12} { // utime, stime (fields 14 and 15)
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			tb.Fatal(err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}

// peakRSS reads VmHWM of a process in MB.
func peakRSS(tb testing.TB, pid int) float64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		tb.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	tb.Fatal("no VmHWM")
	return 0
}
