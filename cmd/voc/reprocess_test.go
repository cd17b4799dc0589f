package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/internal/gen"
	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/pipeline/enrich"
	"github.com/vocproject/voc/sinks/clickhouse"
	"github.com/vocproject/voc/store/ch"
)

// TestReprocessCommand stores an analysed feed, then re-tags it with an
// overlay that changes the lexicon version: every non-chat record gets the
// new version and the totals stay exact.
func TestReprocessCommand(t *testing.T) {
	ctx := context.Background()
	db := chtest.Start(t)
	s, err := clickhouse.Open(ctx, ch.Config{Addrs: []string{db.Addr}, Database: db.Database}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	g, err := gen.New(gen.Config{Seed: 5, Days: 3, PerDay: 80})
	if err != nil {
		t.Fatal(err)
	}
	stage := enrich.New(testAnalyzer(t), 0)
	var recs []*pipeline.Record
	for i, m := range g.All() {
		v, _ := m.MarshalWith(nil)
		r := &pipeline.Record{Msg: pipeline.Message{Pos: pipeline.Position{Topic: "t", Partition: 0, Offset: int64(i)}, Value: v}}
		stage.Process(ctx, r)
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		recs = append(recs, r)
	}
	if err := s.WriteBatch(ctx, recs); err != nil {
		t.Fatal(err)
	}
	before, _ := s.DB().Counts(ctx)

	lex := t.TempDir()
	os.WriteFile(filepath.Join(lex, "domain_words.txt"), []byte("# source: test\n保温杯盖\t1000\tn\n"), 0o644)
	cfg := filepath.Join(t.TempDir(), "voc.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("clickhouse:\n  addrs: [%s]\n  database: %s\n", db.Addr, db.Database)), 0o644)
	start := g.Config().Start
	var out, errOut bytes.Buffer
	c := &reprocessCmd{env: env{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}}
	err = c.Run(ctx, []string{"--config", cfg, "--lexicons", lex, "--from", start.Format(time.RFC3339), "--to", start.AddDate(0, 0, 3).Format(time.RFC3339)})
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "reprocessed ") {
		t.Errorf("output %q", out.String())
	}
	after, _ := s.DB().Counts(ctx)
	if after.Records != before.Records || after.DistinctRecords != before.Records || after.HourlyRecords != before.Records || after.PainMentions != after.Mentions-agentMentions(t, db) {
		t.Errorf("counts before %+v\nafter %+v", before, after)
	}
	q := "SELECT count() FROM " + db.Database + ".feedback FINAL WHERE kind != 'chat' AND lexicon_version = '" + testAnalyzer(t).Version() + "'"
	res, err := exec.Command(clickhouseClient(t), "--port", strings.TrimPrefix(db.Addr, "127.0.0.1:"), "--query", q).CombinedOutput()
	if err != nil || strings.TrimSpace(string(res)) != "0" {
		t.Errorf("records still on the old lexicon version: %s %v", res, err)
	}
	if err := c.Run(ctx, []string{"--from", "2025-03-02", "--to", "2025-03-01"}); err == nil {
		t.Error("reversed range: no error")
	}
}

func agentMentions(t *testing.T, db chtest.DB) uint64 {
	t.Helper()
	res, err := exec.Command(clickhouseClient(t), "--port", strings.TrimPrefix(db.Addr, "127.0.0.1:"),
		"--query", "SELECT count() FROM "+db.Database+".aspect_mentions WHERE role != 'customer'").CombinedOutput()
	if err != nil {
		t.Fatalf("%v %s", err, res)
	}
	var n uint64
	fmt.Sscan(string(res), &n)
	return n
}
