package api

import (
	"context"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vocproject/voc/internal/gen"
	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
	"github.com/vocproject/voc/nlp/segment"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/pipeline/enrich"
	"github.com/vocproject/voc/sinks/bleve"
	"github.com/vocproject/voc/sinks/clickhouse"
	"github.com/vocproject/voc/store/ch"
	"github.com/vocproject/voc/store/ch/query"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

var (
	nlpOnce sync.Once
	an      *analyzer.Analyzer
	nlpErr  error
)

// testAnalyzer loads the shipped lexicons and the segmenter once per test
// binary and registers the segmenter with the search index.
func testAnalyzer(t testing.TB) *analyzer.Analyzer {
	t.Helper()
	nlpOnce.Do(func() {
		var set *lexicons.Set
		if set, nlpErr = lexicons.Load(lexicons.Embedded()); nlpErr != nil {
			return
		}
		var seg *segment.Segmenter
		if seg, nlpErr = segment.New(set.Domain); nlpErr != nil {
			return
		}
		h := segment.NewHolder(seg)
		bleve.SetSegmenter(h)
		an, nlpErr = analyzer.New(set, h)
	})
	if nlpErr != nil {
		t.Fatal(nlpErr)
	}
	return an
}

// fixture is a generated, analysed feed stored in ClickHouse (and
// optionally the index), served by a Handler.
type fixture struct {
	ch    *query.Store // reads what the sink wrote
	index *bleve.Sink
	recs  []*pipeline.Record
	from  time.Time // first day of the feed
	to    time.Time // end of the last day (in the handler's zone)
	srv   *httptest.Server
	db    chtest.DB // the database the records are in
}

// genStart starts the generated feed: midnight in the handler's default
// zone, so that the feed's days are the dashboard's.
var genStart = time.Date(2026, 3, 2, 0, 0, 0, 0, gen.DefaultStart.Location())

// analysed generates days×perDay messages (with a spike of 质量/漏液 on
// the last day) and analyses them like the pipeline does.
func analysed(t testing.TB, days, perDay int) []*pipeline.Record {
	t.Helper()
	return analyseFeed(t, gen.Config{Seed: 7, Start: genStart, Days: days, PerDay: perDay,
		Spikes: []gen.Spike{{Day: days - 1, Product: gen.DefaultProducts[0], Category: "质量", Subcategory: "漏液", Factor: 8}}}, 2)
}

// analyseFeed generates the feed of cfg and analyses it as voc run does,
// the messages spread round-robin over partitions.
func analyseFeed(t testing.TB, cfg gen.Config, partitions int) []*pipeline.Record {
	t.Helper()
	g, err := gen.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stage := enrich.New(testAnalyzer(t), 0)
	var recs []*pipeline.Record
	for i, m := range g.All() {
		v, err := m.MarshalWith(nil)
		if err != nil {
			t.Fatal(err)
		}
		rec := &pipeline.Record{Msg: pipeline.Message{Value: v, Time: m.CreatedAt,
			Pos: pipeline.Position{Topic: "voc.feedback", Partition: i % partitions, Offset: int64(i / partitions)}}}
		if err := stage.Process(context.Background(), rec); err != nil || rec.Err != nil {
			t.Fatalf("message %d: %v %v", i, err, rec.Err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// Aspects outside the taxonomy that withAspectRows adds: 指纹识别 on
// every fifth review of the feed, 人脸解锁 only in its last four days.
const (
	steadyAspect = "指纹识别"
	newAspect    = "人脸解锁"
	mentionTopic = "物流"
)

// withAspectRows adds to the reviews of recs the aspect rows that are not
// pain points, with their words appended to the text (spans into it):
// opinions about aspects the taxonomy does not know (every fifth review
// complains about or praises 指纹识别; every seventh of the last four days
// of the feed complains about 人脸解锁) and topic mentions (every fourth
// review without a 物流 opinion asks where the parcel is). The analyzer
// may find such rows itself; these make the counts independent of the
// lexicons. Chats (aspects per turn) are left as they are.
func withAspectRows(recs []*pipeline.Record, days int) []*pipeline.Record {
	last := genStart.AddDate(0, 0, days-4)
	for i, r := range recs {
		if len(r.Turns) > 0 || r.Analysis == nil {
			continue
		}
		a := r.Analysis
		add := func(words string, as nlp.Aspect) {
			a.Text += "，"
			start := utf8.RuneCountInString(a.Text)
			a.Text += words
			as.Span = [2]int{start, utf8.RuneCountInString(a.Text)}
			a.Aspects = append(a.Aspects, as)
		}
		if i%5 == 0 {
			op := []string{"很慢", "不灵", "很快"}[(i/5)%3]
			pol := map[string]string{"很慢": nlp.Negative, "不灵": nlp.Negative, "很快": nlp.Positive}[op]
			add(steadyAspect+op, nlp.Aspect{Aspect: steadyAspect, Opinion: op, Polarity: pol})
		}
		if i%7 == 0 && !r.Feedback.CreatedAt.Before(last) {
			add(newAspect+"很烂", nlp.Aspect{Aspect: newAspect, Opinion: "很烂", Polarity: nlp.Negative})
		}
		if i%4 == 1 && !slices.ContainsFunc(a.Aspects, func(x nlp.Aspect) bool { return x.Category == mentionTopic }) {
			add("快递到哪了", nlp.Aspect{Category: mentionTopic, Aspect: "快递", Polarity: nlp.Neutral})
		}
	}
	return recs
}

// customerAspects are the aspect rows of r that pain_hourly counts.
func customerAspects(r *pipeline.Record) []nlp.Aspect {
	if len(r.Turns) == 0 {
		return r.Analysis.Aspects
	}
	var out []nlp.Aspect
	for _, t := range r.Turns {
		if t.Role == "customer" {
			out = append(out, t.Aspects...)
		}
	}
	return out
}

// newFixture stores the records and starts a server over them.
func newFixture(t testing.TB, recs []*pipeline.Record, withIndex bool, cfg Config) *fixture {
	t.Helper()
	db := chtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sink, err := clickhouse.Open(ctx, ch.Config{Addrs: []string{db.Addr}, Database: db.Database}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close(context.Background()) })
	if err := sink.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(recs); i += 5000 {
		if err := sink.WriteBatch(ctx, recs[i:min(i+5000, len(recs))]); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{ch: query.New(sink.DB()), recs: recs, from: genStart, db: db}
	// The end of the last day of data in the handler's zone.
	zone := cfg.Zone
	if zone == nil {
		if zone, err = query.LoadZone(query.DefaultZone); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range recs {
		if e := query.StartOfDay(r.Feedback.CreatedAt, zone).AddDate(0, 0, 1); e.After(f.to) {
			f.to = e
		}
	}
	if withIndex {
		testAnalyzer(t)
		idx, err := bleve.Open(bleve.Config{Path: t.TempDir() + "/index"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { idx.Close(context.Background()) })
		if err := idx.WriteBatch(ctx, recs); err != nil {
			t.Fatal(err)
		}
		f.index = idx
	}
	cfg.CH = f.ch
	if f.index != nil {
		cfg.Index = f.index
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return f.to }
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}
