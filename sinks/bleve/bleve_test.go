package bleve

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/segment"
	"github.com/vocproject/voc/pipeline"

	"github.com/vocproject/voc/store/search"
)

var (
	segOnce   sync.Once
	segHolder *segment.Holder
	segErr    error
)

// useSegmenter loads the gse dictionary once for the test binary and sets
// it for the package.
func useSegmenter(t testing.TB) {
	t.Helper()
	segOnce.Do(func() {
		var s *segment.Segmenter
		s, segErr = segment.New(nil)
		if segErr == nil {
			segHolder = segment.NewHolder(s)
		}
	})
	if segErr != nil {
		t.Fatal(segErr)
	}
	SetSegmenter(segHolder)
}

var day0 = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

type doc struct {
	id, channel, product, text, label string
	tier                              string
	day                               int
	aspects                           []nlp.Aspect
	agent                             string
}

func record(d doc) *pipeline.Record {
	f := &feedback.Message{ID: d.id, Kind: feedback.KindReview, Channel: d.channel, Product: d.product,
		Text: d.text, CreatedAt: day0.Add(time.Duration(d.day) * 24 * time.Hour), Rating: 3,
		Customer: feedback.Customer{Tier: d.tier}}
	score := 0.0
	switch d.label {
	case nlp.Negative:
		score = -0.6
	case nlp.Positive:
		score = 0.7
	}
	r := &pipeline.Record{ID: d.id, Feedback: f, Analysis: &nlp.Result{Text: d.text,
		Sentiment: nlp.Sentiment{Score: score, Label: d.label}, Aspects: d.aspects}}
	if d.agent != "" {
		f.Kind = feedback.KindChat
		f.Turns = []feedback.Turn{{Role: "customer", Text: d.text}, {Role: "agent", Text: d.agent}}
		r.Turns = []nlp.TurnResult{{Role: "customer", Result: nlp.Result{Text: d.text}}, {Role: "agent", Result: nlp.Result{Text: d.agent}}}
	}
	return r
}

func pain(cat, sub string) nlp.Aspect {
	return nlp.Aspect{Category: cat, Subcategory: sub, Polarity: nlp.Negative}
}

var corpus = []doc{
	{id: "r1", channel: "ecommerce", product: "SKU-1001 保温杯", day: 0, label: nlp.Negative,
		text: "快递太慢了，等了五天才到，物流真的不行", aspects: []nlp.Aspect{pain("物流", "配送慢")}},
	{id: "r2", channel: "ecommerce", product: "SKU-1001 保温杯", day: 1, label: nlp.Negative, tier: "vip",
		text: "保温杯漏液，倒了一桌子水，质量太差", aspects: []nlp.Aspect{pain("质量", "漏液")}},
	{id: "r3", channel: "appstore", product: "SKU-2002 电动牙刷", day: 2, label: nlp.Negative, tier: "vip",
		text: "客服态度很差，问了三遍都不理人", aspects: []nlp.Aspect{pain("服务", "态度差")}},
	{id: "r4", channel: "ecommerce", product: "SKU-2002 电动牙刷", day: 3, label: nlp.Positive,
		text: "物流很快，第二天就到了，客服态度也很好", aspects: []nlp.Aspect{{Category: "物流", Subcategory: "配送快", Polarity: nlp.Positive}}},
	{id: "r5", channel: "chat", product: "SKU-1001 保温杯", day: 4, label: nlp.Negative,
		text: "我的手机号是<PHONE>，退款申请了一周还没到账", aspects: []nlp.Aspect{pain("售后", "退款难")},
		agent: "非常抱歉，我们马上为您加急处理退款"},
	{id: "r6", channel: "social", product: "SKU-3003 蓝牙耳机", day: 5, label: nlp.Neutral,
		text: "Bluetooth连接还行，音质一般般吧"},
}

func openTemp(t *testing.T) (*Sink, string) {
	t.Helper()
	useSegmenter(t)
	dir := filepath.Join(t.TempDir(), "index")
	s, err := Open(Config{Path: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s, dir
}

func writeCorpus(t *testing.T, s *Sink, docs []doc) {
	t.Helper()
	recs := make([]*pipeline.Record, len(docs))
	for i, d := range docs {
		recs[i] = record(d)
	}
	if err := s.WriteBatch(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
}

func ids(r *search.Result) []string {
	out := make([]string, len(r.Hits))
	for i, h := range r.Hits {
		out[i] = h.ID
	}
	sort.Strings(out)
	return out
}

func TestSearch(t *testing.T) {
	s, _ := openTemp(t)
	writeCorpus(t, s, corpus)
	tests := []struct {
		name string
		q    search.Query
		want []string
	}{
		{"word 物流", search.Query{Text: "物流"}, []string{"r1", "r4"}},
		{"phrase words 客服态度", search.Query{Text: "客服态度"}, []string{"r3", "r4"}},
		{"漏液", search.Query{Text: "漏液"}, []string{"r2"}},
		{"subword 保温 inside 保温杯", search.Query{Text: "保温"}, []string{"r2"}},
		{"particle ignored 快递太慢了", search.Query{Text: "快递太慢了"}, []string{"r1"}},
		{"all words required", search.Query{Text: "物流 漏液"}, nil},
		{"english lowercased", search.Query{Text: "bluetooth"}, []string{"r6"}},
		{"placeholder", search.Query{Text: "<PHONE>"}, []string{"r5"}},
		{"agent text excluded", search.Query{Text: "加急"}, nil},
		{"agent text included", search.Query{Text: "加急", IncludeAgent: true}, []string{"r5"}},
		{"channel filter", search.Query{Text: "物流", Channel: "appstore"}, nil},
		{"product filter", search.Query{Product: "SKU-1001 保温杯"}, []string{"r1", "r2", "r5"}},
		{"customer tier", search.Query{Tier: "vip"}, []string{"r2", "r3"}},
		{"text and customer tier", search.Query{Text: "质量", Tier: "vip"}, []string{"r2"}},
		{"other customer tier", search.Query{Text: "质量", Tier: "normal"}, nil},
		{"pain point category", search.Query{PainPoint: "物流"}, []string{"r1"}},
		{"pain point full", search.Query{PainPoint: "质量/漏液"}, []string{"r2"}},
		{"category any polarity", search.Query{Category: "物流"}, []string{"r1", "r4"}},
		{"sentiment", search.Query{Text: "客服", Sentiment: "negative"}, []string{"r3"}},
		{"time range", search.Query{From: day0.Add(24 * time.Hour), To: day0.Add(3 * 24 * time.Hour)}, []string{"r2", "r3"}},
		{"from only", search.Query{From: day0.Add(5 * 24 * time.Hour)}, []string{"r6"}},
		{"no filter", search.Query{}, []string{"r1", "r2", "r3", "r4", "r5", "r6"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Search(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res); !slices.Equal(got, tc.want) {
				t.Errorf("hits %v, want %v", got, tc.want)
			}
			if res.Total != uint64(len(tc.want)) {
				t.Errorf("total %d, want %d", res.Total, len(tc.want))
			}
		})
	}
}

func TestSearchNewestFirstAndPaging(t *testing.T) {
	s, _ := openTemp(t)
	writeCorpus(t, s, corpus)
	res, err := s.Search(context.Background(), search.Query{Size: 2, Offset: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{res.Hits[0].ID, res.Hits[1].ID}; !slices.Equal(got, []string{"r5", "r4"}) {
		t.Errorf("page %v, want [r5 r4]", got)
	}
	if res.Total != 6 {
		t.Errorf("total %d, want 6", res.Total)
	}
	if h := res.Hits[0]; !h.CreatedAt.Equal(day0.Add(4*24*time.Hour)) || h.Fields[search.FieldChannel] != "chat" || h.AgentText == "" {
		t.Errorf("hit fields: %+v", h)
	}
}

func TestHighlight(t *testing.T) {
	s, _ := openTemp(t)
	writeCorpus(t, s, corpus)
	tests := []struct {
		query string
		id    string
		want  []string // highlighted pieces of text, in order
		frag  string
	}{
		{"物流", "r1", []string{"物流"}, "快递太慢了，等了五天才到，<mark>物流</mark>真的不行"},
		{"物流 快递", "r1", []string{"快递", "物流"}, ""},
		{"保温", "r2", []string{"保温"}, "<mark>保温</mark>杯漏液，倒了一桌子水，质量太差"},
		{"漏液 质量", "r2", []string{"漏液", "质量"}, ""},
		{"退款", "r5", []string{"退款"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			res, err := s.Search(context.Background(), search.Query{Text: tc.query, Highlight: true})
			if err != nil {
				t.Fatal(err)
			}
			var hit *search.Hit
			for i := range res.Hits {
				if res.Hits[i].ID == tc.id {
					hit = &res.Hits[i]
				}
			}
			if hit == nil {
				t.Fatalf("no hit %s in %v", tc.id, ids(res))
			}
			var got []string
			for _, sp := range hit.Spans[search.FieldText] {
				got = append(got, hit.Text[sp.Start:sp.End])
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("spans %v, want %v", got, tc.want)
			}
			if tc.frag != "" && hit.Fragments[search.FieldText] != tc.frag {
				t.Errorf("fragment %q, want %q", hit.Fragments[search.FieldText], tc.frag)
			}
		})
	}
}

func TestTokenizerOffsets(t *testing.T) {
	useSegmenter(t)
	seg, _ := segmenter()
	text := "联系我<PHONE>，保温杯漏液了!! Bluetooth 很差😡"
	toks := tokenize(seg, []byte(text), true)
	var terms []string
	for _, tk := range toks {
		if got := text[tk.Start:tk.End]; got != string(tk.Term) {
			t.Errorf("token %q at [%d,%d) covers %q", tk.Term, tk.Start, tk.End, got)
		}
		terms = append(terms, string(tk.Term))
	}
	for _, want := range []string{"<PHONE>", "保温杯", "保温", "漏液", "Bluetooth", "😡"} {
		if !slices.Contains(terms, want) {
			t.Errorf("no token %q in %q", want, terms)
		}
	}
	for _, bad := range []string{"，", "!", " ", "<", "PHONE"} {
		if slices.Contains(terms, bad) {
			t.Errorf("unwanted token %q in %q", bad, terms)
		}
	}
	// Subwords share the position of their word.
	pos := map[string]int{}
	for _, tk := range toks {
		pos[string(tk.Term)] = tk.Position
	}
	if pos["保温"] != pos["保温杯"] {
		t.Errorf("保温 at position %d, 保温杯 at %d", pos["保温"], pos["保温杯"])
	}
}

func TestRewriteByID(t *testing.T) {
	s, _ := openTemp(t)
	writeCorpus(t, s, corpus)
	writeCorpus(t, s, corpus) // redelivery
	if n, err := s.Count(); err != nil || n != uint64(len(corpus)) {
		t.Fatalf("count %d (%v), want %d", n, err, len(corpus))
	}
	changed := corpus[0]
	changed.text = "包装破损严重，盒子都压扁了"
	writeCorpus(t, s, []doc{changed})
	if n, _ := s.Count(); n != uint64(len(corpus)) {
		t.Errorf("count after replace %d, want %d", n, len(corpus))
	}
	for q, want := range map[string][]string{"快递": nil, "破损": {"r1"}} {
		res, err := s.Search(context.Background(), search.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(res); !slices.Equal(got, want) {
			t.Errorf("%s: hits %v, want %v", q, got, want)
		}
	}
}

func TestReopen(t *testing.T) {
	s, dir := openTemp(t)
	writeCorpus(t, s, corpus)
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Search(context.Background(), search.Query{Text: "物流"}); !errors.Is(err, search.ErrClosed) {
		t.Errorf("search after close: %v, want search.ErrClosed", err)
	}
	s2, err := Open(Config{Path: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close(context.Background())
	res, err := s2.Search(context.Background(), search.Query{Text: "客服态度", Highlight: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(res); !slices.Equal(got, []string{"r3", "r4"}) {
		t.Errorf("after reopen: hits %v", got)
	}
	// New documents are analysed with voc_zh too.
	writeCorpus(t, s2, []doc{{id: "r9", channel: "email", product: "p", text: "发票一直没开", label: nlp.Negative, day: 9}})
	res, err = s2.Search(context.Background(), search.Query{Text: "发票"})
	if err != nil || len(res.Hits) != 1 {
		t.Errorf("new doc after reopen: %v %v", res, err)
	}
}

func TestOpenWithoutSegmenter(t *testing.T) {
	useSegmenter(t)
	SetSegmenter(nil)
	defer SetSegmenter(segHolder)
	_, err := Open(Config{Path: filepath.Join(t.TempDir(), "ix")}, nil)
	if !errors.Is(err, ErrNoSegmenter) {
		t.Errorf("open without segmenter: %v, want ErrNoSegmenter", err)
	}
}

func TestBadInput(t *testing.T) {
	s, _ := openTemp(t)
	tests := []struct {
		name string
		q    search.Query
	}{
		{"sentiment", search.Query{Sentiment: "angry"}},
		{"size", search.Query{Size: -1}},
		{"offset", search.Query{Offset: -3}},
		{"range", search.Query{From: day0.Add(time.Hour), To: day0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Search(context.Background(), tc.q); err == nil {
				t.Error("no error")
			}
		})
	}
	if err := s.WriteBatch(context.Background(), []*pipeline.Record{{Feedback: &feedback.Message{}}}); err == nil {
		t.Error("record without id: no error")
	}
	if _, err := Open(Config{Path: t.TempDir(), BatchSize: -1}, nil); err == nil {
		t.Error("negative batch size: no error")
	}
	// Dead letters are skipped.
	if err := s.WriteBatch(context.Background(), []*pipeline.Record{{ID: "x", Err: errors.New("bad")}}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(); n != 0 {
		t.Errorf("dead letter indexed: count %d", n)
	}
}

func TestSearchDuringWrite(t *testing.T) {
	s, _ := openTemp(t)
	useSegmenter(t)
	s.cfg.BatchSize = 50
	const batches, per = 8, 100
	ctx := context.Background()
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for b := range batches {
			recs := make([]*pipeline.Record, per)
			for i := range recs {
				d := corpus[i%len(corpus)]
				d.id = fmt.Sprintf("b%d-%d", b, i)
				recs[i] = record(d)
			}
			if err := s.WriteBatch(ctx, recs); err != nil {
				errc <- err
				return
			}
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		last := uint64(0)
		for range 40 {
			res, err := s.Search(ctx, search.Query{Text: "物流", Highlight: true})
			if err != nil {
				errc <- err
				return
			}
			if res.Total < last {
				errc <- fmt.Errorf("total went down from %d to %d", last, res.Total)
				return
			}
			last = res.Total
		}
	}()
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	res, err := s.Search(ctx, search.Query{Text: "物流"})
	if err != nil {
		t.Fatal(err)
	}
	// r1 and r4 of every 6 documents mention 物流.
	want := 0
	for i := range per {
		if c := corpus[i%len(corpus)].id; c == "r1" || c == "r4" {
			want += batches
		}
	}
	if res.Total != uint64(want) {
		t.Errorf("total %d, want %d", res.Total, want)
	}
}

func TestLockedAndReadOnly(t *testing.T) {
	s, dir := openTemp(t)
	writeCorpus(t, s, corpus)
	_, err := Open(Config{Path: dir, ReadOnly: true, LockTimeout: 100 * time.Millisecond}, nil)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("open while open: %v, want ErrLocked", err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(Config{Path: dir, ReadOnly: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close(context.Background())
	res, err := ro.Search(context.Background(), search.Query{Text: "漏液"})
	if err != nil || res.Total != 1 {
		t.Fatalf("read-only search: %v %v", res, err)
	}
	if err := ro.WriteBatch(context.Background(), []*pipeline.Record{record(corpus[0])}); !errors.Is(err, ErrReadOnly) {
		t.Error("write to read-only index: no error")
	}
	if _, err := Open(Config{Path: filepath.Join(t.TempDir(), "none"), ReadOnly: true}, nil); err == nil {
		t.Error("read-only open of a missing index: no error")
	}
}
