package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	chgo "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/internal/testinfra/chserver"
	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"

	"github.com/vocproject/voc/store/ch"
)

func TestIsRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"conn refused", fmt.Errorf("x: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), true},
		{"eof", fmt.Errorf("read: %w", io.EOF), true},
		{"deadline", fmt.Errorf("q: %w", context.DeadlineExceeded), true},
		{"too many parts", fmt.Errorf("insert: %w", &chgo.Exception{Code: 252}), true},
		{"memory limit", &chgo.Exception{Code: 241}, true},
		{"unknown table", fmt.Errorf("insert: %w", &chgo.Exception{Code: 60}), false},
		{"type mismatch", &chgo.Exception{Code: 53}, false},
		{"syntax", &chgo.Exception{Code: 62}, false},
		{"append conversion", fmt.Errorf("append: %w", &column.ColumnConverterError{Op: "Append", To: "UInt8", From: "string"}), false},
		{"unknown column type", &column.UnsupportedColumnTypeError{}, false},
		{"unknown error", errors.New("something new"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsRetryable(tt.err); got != tt.want {
				t.Fatalf("IsRetryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestWriteBatchValues(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	nps := 3
	review := &pipeline.Record{
		Msg:            pipeline.Message{Pos: pipeline.Position{Topic: "fb", Partition: 2, Offset: 40}, Time: baseTime},
		ID:             "r-1",
		LexiconVersion: "lex-7",
		Feedback: &feedback.Message{ID: "r-1", Kind: feedback.KindReview, Channel: "app", Product: "SKU-1", Rating: 2, CSAT: 1, NPS: &nps,
			Text: "电话13800000000，物流太慢还破损", CreatedAt: baseTime, Customer: feedback.Customer{ID: "c9", Tier: "vip"}, Region: "华东", Lang: "zh"},
		Analysis: &nlp.Result{
			Text:      "电话<PHONE>，物流太慢还破损",
			Sentiment: nlp.Sentiment{Score: -0.75, Label: nlp.Negative, Confidence: 0.9},
			Aspects: []nlp.Aspect{
				{Category: "物流", Subcategory: "配送速度", Aspect: "物流", Opinion: "太慢", Polarity: nlp.Negative, Span: [2]int{10, 14}},
				{Category: "物流", Subcategory: "包装", Aspect: "包装", Opinion: "破损", Polarity: nlp.Negative, Span: [2]int{15, 17}},
				{Category: "物流", Subcategory: "配送速度", Aspect: "快递", Opinion: "慢", Polarity: nlp.Negative, Span: [2]int{18, 20}},
				{Category: "服务", Subcategory: "客服态度", Aspect: "客服", Opinion: "好", Polarity: nlp.Positive, Span: [2]int{21, 23}},
			},
			Intent: nlp.IntentComplaint, Escalation: true, PII: []string{"PHONE"},
		},
	}
	chat := &pipeline.Record{
		Msg:      pipeline.Message{Pos: pipeline.Position{Topic: "fb", Partition: 2, Offset: 41}, Time: baseTime.Add(time.Hour)},
		ID:       "c-1",
		Feedback: &feedback.Message{ID: "c-1", Channel: "im", Product: "SKU-2", Turns: []feedback.Turn{{Role: "customer", Text: "屏幕坏了"}, {Role: "agent", Text: "屏幕问题请寄回"}}},
		Analysis: &nlp.Result{Text: "屏幕坏了", Sentiment: nlp.Sentiment{Score: -0.5, Label: nlp.Negative, Confidence: 0.7}, Intent: nlp.IntentAfterSales,
			Aspects: []nlp.Aspect{{Category: "质量", Subcategory: "屏幕", Aspect: "屏幕", Opinion: "坏了", Polarity: nlp.Negative, Span: [2]int{0, 4}}}},
		Turns: []nlp.TurnResult{
			{Role: "customer", Result: nlp.Result{Text: "屏幕坏了", Aspects: []nlp.Aspect{{Category: "质量", Subcategory: "屏幕", Aspect: "屏幕", Opinion: "坏了", Polarity: nlp.Negative, Span: [2]int{0, 4}}}}},
			{Role: "agent", Result: nlp.Result{Text: "屏幕问题请寄回", Aspects: []nlp.Aspect{{Category: "质量", Subcategory: "屏幕", Aspect: "屏幕", Opinion: "问题", Polarity: nlp.Negative, Span: [2]int{0, 4}}}}},
		},
	}
	noAnalysis := &pipeline.Record{
		Msg:      pipeline.Message{Pos: pipeline.Position{Topic: "fb", Partition: 2, Offset: 42}, Time: baseTime},
		ID:       "n-1",
		Feedback: &feedback.Message{ID: "n-1", Text: "嗯"},
	}
	skipped := []*pipeline.Record{
		nil,
		{Msg: pipeline.Message{Pos: pipeline.Position{Topic: "fb", Partition: 2, Offset: 43}}, ID: "bad"},
		{Msg: pipeline.Message{Pos: pipeline.Position{Topic: "fb", Partition: 2, Offset: 44}}, ID: "err", Feedback: &feedback.Message{ID: "err"}, Err: errors.New("x")},
	}
	batch := append([]*pipeline.Record{chat, review, noAnalysis}, skipped...)
	if err := s.WriteBatch(ctx, batch); err != nil {
		t.Fatalf("write: %v", err)
	}

	type fbRow struct {
		ID, Kind, Channel, Product      string
		CreatedAt                       time.Time
		Rating, CSAT                    uint8
		NPS                             int8
		CustomerID, Tier, Region, Agent string
		Lang, Text                      string
		Sentiment                       float32
		Label                           string
		Confidence                      float32
		Intent                          string
		Escalation                      uint8
		Cats, Pains, Praises, PII       []string
		Lexicon                         string
		Turns                           uint16
		Topic                           string
		Partition                       int32
		Offset                          int64
	}
	rows, err := s.conn.Query(ctx, `SELECT id, kind, channel, product, created_at, rating, csat, nps, customer_id, customer_tier, region, agent_id,
		lang, text, sentiment, sentiment_label, confidence, intent, escalation, categories, pain_points, praise_points, pii, lexicon_version,
		turn_count, kafka_topic, kafka_partition, kafka_offset FROM `+s.table(ch.TableFeedback)+` ORDER BY kafka_offset`)
	if err != nil {
		t.Fatal(err)
	}
	var got []fbRow
	for rows.Next() {
		var r fbRow
		if err := rows.Scan(&r.ID, &r.Kind, &r.Channel, &r.Product, &r.CreatedAt, &r.Rating, &r.CSAT, &r.NPS, &r.CustomerID, &r.Tier, &r.Region,
			&r.Agent, &r.Lang, &r.Text, &r.Sentiment, &r.Label, &r.Confidence, &r.Intent, &r.Escalation, &r.Cats, &r.Pains, &r.Praises,
			&r.PII, &r.Lexicon, &r.Turns, &r.Topic, &r.Partition, &r.Offset); err != nil {
			t.Fatal(err)
		}
		r.CreatedAt = r.CreatedAt.UTC()
		got = append(got, r)
	}
	rows.Close()
	want := []fbRow{
		{"r-1", "review", "app", "SKU-1", baseTime, 2, 1, 3, "c9", "vip", "华东", "", "zh", "电话<PHONE>，物流太慢还破损", -0.75, "negative", 0.9,
			"投诉", 1, []string{"物流"}, []string{"物流/包装", "物流/配送速度"}, []string{"服务/客服态度"}, []string{"PHONE"}, "lex-7", 0, "fb", 2, 40},
		{"c-1", "chat", "im", "SKU-2", baseTime.Add(time.Hour), 0, 0, -1, "", "normal", "", "", "", "屏幕坏了", -0.5, "negative", 0.7,
			"售后", 0, []string{"质量"}, []string{"质量/屏幕"}, []string{}, []string{}, "", 2, "fb", 2, 41},
		{"n-1", "review", "", "", baseTime, 0, 0, -1, "", "normal", "", "", "", "", 0, "neutral", 0,
			"", 0, []string{}, []string{}, []string{}, []string{}, "", 0, "fb", 2, 42},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("feedback rows:\n got  %+v\n want %+v", got, want)
	}

	type mRow struct {
		ID                   string
		Mention, Turn        uint16
		Role                 string
		Cat, Sub, Asp, Op    string
		Pol                  string
		Start, End           uint32
		Sentiment            float32
		First                uint8
		Product, Kind, Tier_ string
		Offset               int64
	}
	rows, err = s.conn.Query(ctx, `SELECT id, mention, turn, role, category, subcategory, aspect, opinion, polarity, span_start, span_end,
		sentiment, is_first, product, kind, customer_tier, kafka_offset FROM `+s.table(ch.TableMentions)+` ORDER BY kafka_offset, mention`)
	if err != nil {
		t.Fatal(err)
	}
	var gotM []mRow
	for rows.Next() {
		var r mRow
		if err := rows.Scan(&r.ID, &r.Mention, &r.Turn, &r.Role, &r.Cat, &r.Sub, &r.Asp, &r.Op, &r.Pol, &r.Start, &r.End,
			&r.Sentiment, &r.First, &r.Product, &r.Kind, &r.Tier_, &r.Offset); err != nil {
			t.Fatal(err)
		}
		gotM = append(gotM, r)
	}
	rows.Close()
	wantM := []mRow{
		{"r-1", 0, 0, "customer", "物流", "配送速度", "物流", "太慢", "negative", 10, 14, -0.75, 1, "SKU-1", "review", "vip", 40},
		{"r-1", 1, 0, "customer", "物流", "包装", "包装", "破损", "negative", 15, 17, -0.75, 1, "SKU-1", "review", "vip", 40},
		{"r-1", 2, 0, "customer", "物流", "配送速度", "快递", "慢", "negative", 18, 20, -0.75, 0, "SKU-1", "review", "vip", 40},
		{"r-1", 3, 0, "customer", "服务", "客服态度", "客服", "好", "positive", 21, 23, -0.75, 1, "SKU-1", "review", "vip", 40},
		{"c-1", 0, 0, "customer", "质量", "屏幕", "屏幕", "坏了", "negative", 0, 4, -0.5, 1, "SKU-2", "chat", "normal", 41},
		{"c-1", 1, 1, "agent", "质量", "屏幕", "屏幕", "问题", "negative", 0, 4, -0.5, 0, "SKU-2", "chat", "normal", 41},
	}
	if !reflect.DeepEqual(gotM, wantM) {
		t.Errorf("aspect_mentions rows:\n got  %+v\n want %+v", gotM, wantM)
	}

	// Aggregates: the 物流/配送速度 hour of r-1 has 2 mentions in 1 record.
	var mentions, records uint64
	var ss float64
	if err := s.conn.QueryRow(ctx, "SELECT sum(mentions), sum(records), sum(sentiment_sum) FROM "+s.table(ch.TablePainHourly)+
		" WHERE category = '物流' AND subcategory = '配送速度' AND product = 'SKU-1' AND hour = ?", baseTime.Truncate(time.Hour)).Scan(&mentions, &records, &ss); err != nil {
		t.Fatal(err)
	}
	if mentions != 2 || records != 1 || ss != -0.75 {
		t.Errorf("pain_hourly 物流/配送速度 = %d mentions, %d records, sum %v; want 2, 1, -0.75", mentions, records, ss)
	}
	// The agent's mention is stored but not aggregated.
	if err := s.conn.QueryRow(ctx, "SELECT sum(mentions) FROM "+s.table(ch.TablePainHourly)+" WHERE subcategory = '屏幕'").Scan(&mentions); err != nil {
		t.Fatal(err)
	}
	if mentions != 1 {
		t.Errorf("pain_hourly 屏幕 mentions = %d, want 1 (agent mention excluded)", mentions)
	}
	checkCounts(t, s, ch.Counts{
		Records: 3, DistinctRecords: 3, Mentions: 6, DistinctMentions: 6, CustomerMentions: 5, SentimentSum: -1.25,
		HourlyRecords: 3, HourlyNegative: 2, HourlyComplaints: 2, HourlyEscalations: 1, HourlySentimentSum: -1.25,
		PainMentions: 5, PainRecords: 4, PainSentimentSum: -0.75*3 - 0.5,
	})
}

// TestExactlyOnce replays batches the ways a crash, a restart or a
// rebalance does, and checks that every table counts each record once.
func TestExactlyOnce(t *testing.T) {
	parts := []int{0, 1, 2}
	tests := []struct {
		name string
		// steps run in order; then the tables must hold records [0, final)
		// of each partition exactly once.
		steps func(t *testing.T, s *Sink)
		final int64
	}{
		{"replay same batch", func(t *testing.T, s *Sink) {
			b := genBatch("fb", parts, 0, 50)
			write(t, s, b)
			write(t, s, b)
			write(t, s, b)
		}, 50},
		{"overlapping batch", func(t *testing.T, s *Sink) {
			write(t, s, genBatch("fb", parts, 0, 40))
			write(t, s, genBatch("fb", parts, 25, 60)) // redelivered from a committed offset of 25
			write(t, s, genBatch("fb", parts, 60, 70))
		}, 70},
		{"partitions at different progress", func(t *testing.T, s *Sink) {
			write(t, s, genBatch("fb", []int{0}, 0, 30))
			write(t, s, genBatch("fb", []int{1}, 0, 10))
			write(t, s, genBatch("fb", parts, 0, 40)) // after a rebalance every partition restarts at 0
		}, 40},
		{"feedback written, mentions not (crash between inserts)", func(t *testing.T, s *Sink) {
			write(t, s, genBatch("fb", parts, 0, 20))
			b := genBatch("fb", parts, 20, 45)
			if err := s.insertFeedback(context.Background(), b, baseTime); err != nil {
				t.Fatalf("insert feedback only: %v", err)
			}
			write(t, s, genBatch("fb", parts, 15, 45)) // replay from the last commit
		}, 45},
		{"feedback and mentions written, chat tables not (crash between inserts)", func(t *testing.T, s *Sink) {
			write(t, s, genBatch("fb", parts, 0, 20))
			b := genBatch("fb", parts, 20, 50)
			ctx := context.Background()
			if err := s.insertFeedback(ctx, b, baseTime); err != nil {
				t.Fatalf("insert feedback only: %v", err)
			}
			if _, err := s.insertMentions(ctx, b, baseTime); err != nil {
				t.Fatalf("insert mentions only: %v", err)
			}
			write(t, s, genBatch("fb", parts, 10, 50))
		}, 50},
		{"conversations written, violations not (crash between inserts)", func(t *testing.T, s *Sink) {
			write(t, s, genBatch("fb", parts, 0, 30))
			b := genBatch("fb", parts, 30, 60)
			var rows [][]any
			for _, r := range b {
				if r.Conversation != nil {
					rows = append(rows, conversationRow(r, baseTime))
				}
			}
			if err := s.insertFeedback(context.Background(), b, baseTime); err != nil {
				t.Fatal(err)
			}
			if _, err := s.insertMentions(context.Background(), b, baseTime); err != nil {
				t.Fatal(err)
			}
			if err := s.insertRows(context.Background(), ch.TableConversations, conversationColumns, rows); err != nil {
				t.Fatalf("insert conversations only: %v", err)
			}
			write(t, s, genBatch("fb", parts, 30, 70))
		}, 70},
		{"replay reshuffled into different batches", func(t *testing.T, s *Sink) {
			write(t, s, genBatch("fb", parts, 0, 33))
			write(t, s, genBatch("fb", parts, 10, 20))
			write(t, s, genBatch("fb", parts, 0, 66))
		}, 66},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			tt.steps(t, s)
			checkCounts(t, s, expected(genBatch("fb", parts, 0, tt.final)))
		})
	}
}

func write(t *testing.T, s *Sink, b []*pipeline.Record) {
	t.Helper()
	if err := s.WriteBatch(context.Background(), b); err != nil {
		t.Fatalf("write batch: %v", err)
	}
}

// TestServerDown stops the server under the sink: WriteBatch must fail
// with a retryable error and succeed once the server is back, with the
// counts still exact.
func TestServerDown(t *testing.T) {
	dir := t.TempDir()
	srv := chtest.StartServer(t, filepath.Join(dir, "ch"))
	ctx := context.Background()
	s, err := Open(ctx, ch.Config{Addrs: []string{srv.Addr()}, Database: "down", DialTimeout: 2 * time.Second}, nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close(ctx)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	write(t, s, genBatch("fb", []int{0}, 0, 10))
	if err := srv.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	err = s.WriteBatch(wctx, genBatch("fb", []int{0}, 0, 20))
	cancel()
	if err == nil {
		t.Fatal("WriteBatch succeeded with the server stopped")
	}
	if !IsRetryable(err) {
		t.Fatalf("error with the server stopped is not retryable: %v", err)
	}
	_, port, _ := net.SplitHostPort(srv.Addr())
	p, _ := strconv.Atoi(port)
	sctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	srv2, err := chserver.Start(sctx, chserver.Config{Dir: filepath.Join(dir, "ch"), TCPPort: p})
	cancel()
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	defer srv2.Stop()
	// The pool may hand out a dead connection first: retry like the runner.
	var lastErr error
	for i := 0; i < 5; i++ {
		if lastErr = s.WriteBatch(ctx, genBatch("fb", []int{0}, 0, 20)); lastErr == nil {
			break
		}
		if !IsRetryable(lastErr) {
			t.Fatalf("error after restart is not retryable: %v", lastErr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if lastErr != nil {
		t.Fatalf("write after restart: %v", lastErr)
	}
	checkCounts(t, s, expected(genBatch("fb", []int{0}, 0, 20)))
}

func TestSchemaErrorIsPermanent(t *testing.T) {
	db := chtest.Start(t)
	ctx := context.Background()
	s, err := Open(ctx, ch.Config{Addrs: []string{db.Addr}, Database: db.Database}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	// Not migrated: the tables do not exist.
	err = s.WriteBatch(ctx, genBatch("fb", []int{0}, 0, 3))
	if err == nil {
		t.Fatal("WriteBatch into a missing database succeeded")
	}
	if IsRetryable(err) {
		t.Fatalf("missing table reported retryable: %v", err)
	}
	if !strings.Contains(err.Error(), "watermarks") {
		t.Errorf("error does not name the operation: %v", err)
	}
}

// BenchmarkWriteBatch writes batches of 1000 and 5000 records (about 1.7
// mentions each): "new" inserts fresh offsets; "replay" rewrites a stored batch, which
// costs only the two watermark queries.
func BenchmarkWriteBatch(b *testing.B) {
	const n = 1000
	ctx := context.Background()
	for _, n := range []int64{1000, 5000} {
		b.Run(fmt.Sprintf("new/records=%d", n), func(b *testing.B) { benchNew(b, n) })
	}
	b.Run(fmt.Sprintf("replay/records=%d", n), func(b *testing.B) {
		s := openTest(b)
		batch := genBatch("bench", []int{0}, 0, n)
		if err := s.WriteBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
		records := 0
		b.ReportAllocs()
		for b.Loop() {
			if err := s.WriteBatch(ctx, batch); err != nil {
				b.Fatal(err)
			}
			records += n
		}
		b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	})
}

func benchNew(b *testing.B, n int64) {
	s := openTest(b)
	ctx := context.Background()
	var off int64
	var records, mentions int
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		batch := genBatch("bench", []int{0}, off, off+n)
		off += n
		for _, r := range batch {
			mentions += len(mentionRows(r, baseTime))
		}
		records += len(batch)
		b.StartTimer()
		if err := s.WriteBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(mentions)/b.Elapsed().Seconds(), "mentions/s")
}

// TestWatermarkQueryUsesPrimaryKey checks that the per-batch watermark
// query reads a few granules, not the table: it must pass under a row
// limit far below the table's size.
func TestWatermarkQueryUsesPrimaryKey(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	const rows = 400000
	if err := s.conn.Exec(ctx, fmt.Sprintf(`INSERT INTO %s (id, created_at, kafka_topic, kafka_partition, kafka_offset)
		SELECT toString(number), toDateTime('2026-03-02 00:00:00'), 'fb', toInt32(number %% 4), toInt64(intDiv(number, 4))
		FROM system.numbers LIMIT %d`, s.table(ch.TableFeedback), rows)); err != nil {
		t.Fatalf("fill: %v", err)
	}
	limited := chgo.Context(ctx, chgo.WithSettings(chgo.Settings{"max_rows_to_read": 4 * 8192}))
	lows := map[partKey]int64{{"fb", 1}: rows/4 - 500, {"fb", 3}: rows/4 - 1000, {"fb", 7}: 0}
	wm, err := s.watermarks(limited, ch.TableFeedback, lows)
	if err != nil {
		t.Fatalf("watermark query over %d rows: %v", rows, err)
	}
	want := map[partKey]int64{{"fb", 1}: rows/4 - 1, {"fb", 3}: rows/4 - 1}
	if !reflect.DeepEqual(wm, want) {
		t.Fatalf("watermarks = %v, want %v", wm, want)
	}
}
