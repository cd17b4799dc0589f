package query

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"

	"github.com/vocproject/voc/store/ch"
)

// Aspect rows of the three kinds nlp.Aspect holds.
func opinion(cat, sub, asp, op, pol string) nlp.Aspect {
	return nlp.Aspect{Category: cat, Subcategory: sub, Aspect: asp, Opinion: op, Polarity: pol}
}

// topicMention is a category named without an opinion.
func topicMention(cat, asp string) nlp.Aspect {
	return nlp.Aspect{Category: cat, Aspect: asp, Polarity: nlp.Neutral}
}

// unmapped is an opinion about an aspect the taxonomy does not know.
func unmapped(asp, op, pol string) nlp.Aspect {
	return nlp.Aspect{Aspect: asp, Opinion: op, Polarity: pol}
}

// topicFeed is a small feed of two weeks whose records hold opinions,
// topic mentions and open opinions, with the numbers each query must give
// worked out by hand in TestTopicsAndUnmapped.
type topicFeed struct {
	recs             []*pipeline.Record
	prev, cur, end   time.Time // previous week [prev, cur), current week [cur, end)
	byName           map[string]*pipeline.Record
	chatName         string
	unmappedOnlyName string
}

func newTopicFeed() *topicFeed {
	day := func(d int) time.Time { return time.Date(2026, 3, 1+d, 12, 0, 0, 0, time.UTC) }
	f := &topicFeed{prev: day(0).Truncate(24 * time.Hour), cur: day(7).Truncate(24 * time.Hour), end: day(14).Truncate(24 * time.Hour),
		byName: map[string]*pipeline.Record{}, chatName: "r8", unmappedOnlyName: "r6"}
	add := func(name string, at time.Time, product, tier string, as ...nlp.Aspect) *pipeline.Record {
		off := int64(len(f.recs))
		r := &pipeline.Record{
			Msg:      pipeline.Message{Pos: pipeline.Position{Topic: "topics", Offset: off}, Time: at},
			ID:       name,
			Feedback: &feedback.Message{ID: name, Product: product, Channel: "app", CreatedAt: at, Customer: feedback.Customer{Tier: tier}},
			Analysis: &nlp.Result{Text: "text of " + name, Sentiment: nlp.Sentiment{Score: -0.25, Label: nlp.Negative}, Aspects: as},
		}
		f.recs = append(f.recs, r)
		f.byName[name] = r
		return r
	}
	neg, pos, neu := nlp.Negative, nlp.Positive, nlp.Neutral
	// The current week.
	add("r1", day(7), "SKU-A", "vip", opinion("物流", "配送慢", "物流", "慢", neg), opinion("物流", "配送慢", "快递", "太慢", neg),
		opinion("质量", "做工", "做工", "好", pos))
	add("r2", day(8), "SKU-A", "", topicMention("物流", "快递"), unmapped("指纹识别", "很慢", neg))
	add("r3", day(9), "SKU-A", "", opinion("物流", "配送快", "物流", "快一点", neu), opinion("物流", "包装", "包装", "破损", neg))
	add("r4", day(10), "SKU-A", "", unmapped("指纹识别", "很慢", neg), unmapped("指纹识别", "不灵", neg), unmapped("续航", "一般", neu))
	add("r5", day(11), "SKU-B", "", unmapped("指纹识别", "很快", pos), topicMention("质量", "质量"))
	add("r6", day(12), "SKU-B", "", unmapped("续航", "很差", neg))
	add("r7", day(13), "SKU-B", "")
	// A chat: the customer names 物流 and complains about 人脸解锁; the
	// agent's 物流 pain point is not the customer's.
	chat := add("r8", day(13).Add(time.Hour), "SKU-B", "")
	chat.Feedback.Kind = feedback.KindChat
	chat.Feedback.Turns = []feedback.Turn{{Role: "customer", Text: "物流呢"}, {Role: "agent", Text: "物流慢了"}, {Role: "customer", Text: "人脸解锁很烂"}}
	chat.Turns = []nlp.TurnResult{
		{Role: "customer", Result: nlp.Result{Text: "物流呢", Aspects: []nlp.Aspect{topicMention("物流", "物流")}}},
		{Role: "agent", Result: nlp.Result{Text: "物流慢了", Aspects: []nlp.Aspect{opinion("物流", "配送慢", "物流", "慢", neg)}}},
		{Role: "customer", Result: nlp.Result{Text: "人脸解锁很烂", Aspects: []nlp.Aspect{unmapped("人脸解锁", "很烂", neg)}}},
	}
	chat.Conversation = &nlp.Conversation{Turns: 3, CustomerTurns: 2, AgentTurns: 1, Trajectory: nlp.TrajectoryFlat,
		Resolution: nlp.ResolutionUnknown, EscalationReasons: []string{}, Violations: []nlp.Violation{},
		PainPoints: []string{"/", "物流/配送慢"}} // the analyzer's key of an open opinion is "/"
	// The previous week.
	add("p1", day(1), "SKU-A", "", unmapped("续航", "很差", neg))
	add("p2", day(2), "SKU-A", "", opinion("物流", "配送慢", "物流", "慢", neg))
	add("p3", day(3), "SKU-B", "", topicMention("物流", "快递"))
	add("p4", day(4), "SKU-B", "")
	return f
}

func TestTopicsAndUnmapped(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	feed := newTopicFeed()
	write(t, s, feed.recs)
	// Every row reached the raw table and pain_hourly, whatever its kind.
	checkCounts(t, s, expected(feed.recs))
	f := Filter{From: feed.cur, To: feed.end}

	t.Run("topic volume", func(t *testing.T) {
		got, err := s.Topics(ctx, f, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.Records != 8 || got.PreviousRecords != 4 || !got.PrevFrom.Equal(feed.prev) {
			t.Fatalf("totals %d/%d from %s, want 8/4 from %s", got.Records, got.PreviousRecords, got.PrevFrom, feed.prev)
		}
		want := []TopicVolume{
			// r1 (2 pain), r2 (mention), r3 (hedged + pain), r8's customer turn (mention);
			// the week before p2 (pain) and p3 (mention).
			{Category: "物流", Records: 4, Volume: 6, Pain: 3, Praise: 0, Neutral: 3, TopicMentions: 2, Share: 0.5, NegativeShare: 0.5,
				PreviousRecords: 2, PreviousVolume: 2, PreviousShare: 0.5, Change: 0, VolumeChange: 2},
			// r1 (praise), r5 (mention); new.
			{Category: "质量", Records: 2, Volume: 2, Pain: 0, Praise: 1, Neutral: 1, TopicMentions: 1, Share: 0.25, NegativeShare: 0,
				Change: 1e9, VolumeChange: 1e9},
		}
		if len(got.Items) != len(want) {
			t.Fatalf("topics %+v, want %+v", got.Items, want)
		}
		for i, w := range want {
			g := got.Items[i]
			w.Z, w.P, w.Significant = g.Z, g.P, g.Significant
			if g != w {
				t.Errorf("topic %d:\n got  %+v\n want %+v", i, g, w)
			}
		}
		if z, p := TwoProportionZ(2, 8, 0, 4); !near(got.Items[1].Z, z) || !near(got.Items[1].P, p) {
			t.Errorf("质量 z %v p %v, want %v %v", got.Items[1].Z, got.Items[1].P, z, p)
		}
		one, err := s.Topics(ctx, f, 1)
		if err != nil || len(one.Items) != 1 || one.Items[0].Category != "物流" {
			t.Errorf("limit 1: %+v %v", one, err)
		}
	})

	t.Run("topic volume of a tier and of a product", func(t *testing.T) {
		ff := f
		ff.Tier = "vip" // r1 only: aspect_mentions, as pain_hourly has no tier
		got, err := s.Topics(ctx, ff, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.Records != 1 || len(got.Items) != 2 || got.Items[0].Category != "物流" || got.Items[0].Volume != 2 || got.Items[0].Pain != 2 ||
			got.Items[0].Records != 1 || got.Items[1].Category != "质量" || got.Items[1].Praise != 1 {
			t.Errorf("vip topics %+v", got)
		}
		ff = f
		ff.Product = "SKU-A" // r1-r4 this week, p1-p2 before
		got, err = s.Topics(ctx, ff, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.Records != 4 || got.PreviousRecords != 2 || len(got.Items) != 2 || got.Items[0].Records != 3 || got.Items[0].Volume != 5 ||
			got.Items[0].PreviousRecords != 1 || got.Items[0].TopicMentions != 1 {
			t.Errorf("SKU-A topics %+v", got)
		}
	})

	t.Run("emerging aspects rank by records and mark new ones", func(t *testing.T) {
		got, err := s.UnmappedAspects(ctx, f, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.Records != 8 || got.UnmappedRecords != 5 || got.Aspects != 3 || got.Mentions != 7 {
			t.Errorf("totals: %d records, %d with open opinions, %d aspects, %d mentions; want 8 5 3 7",
				got.Records, got.UnmappedRecords, got.Aspects, got.Mentions)
		}
		want := []UnmappedAspect{
			{Aspect: "指纹识别", Records: 3, Mentions: 4, Negative: 3, Positive: 1, NegativeShare: 0.75, New: true, Share: 3.0 / 8, Change: 1e9,
				Opinions: []OpinionCount{{"很慢", 2}, {"不灵", 1}, {"很快", 1}}, FirstSeen: feed.byName["r2"].Feedback.CreatedAt},
			{Aspect: "续航", Records: 2, Mentions: 2, Negative: 1, Neutral: 1, NegativeShare: 0.5, Share: 0.25, PreviousShare: 0.25,
				PreviousRecords: 1, PreviousMentions: 1, Change: 0,
				Opinions: []OpinionCount{{"一般", 1}, {"很差", 1}}, FirstSeen: feed.byName["r4"].Feedback.CreatedAt},
			{Aspect: "人脸解锁", Records: 1, Mentions: 1, Negative: 1, NegativeShare: 1, New: true, Share: 1.0 / 8, Change: 1e9,
				Opinions: []OpinionCount{{"很烂", 1}}, FirstSeen: feed.byName["r8"].Feedback.CreatedAt},
		}
		if len(got.Items) != len(want) {
			t.Fatalf("items %+v", got.Items)
		}
		for i, w := range want {
			g := got.Items[i]
			g.FirstSeen = g.FirstSeen.UTC()
			if !reflect.DeepEqual(g, w) {
				t.Errorf("aspect %d:\n got  %+v\n want %+v", i, g, w)
			}
		}
		top, err := s.UnmappedAspects(ctx, f, 2, 1)
		if err != nil || len(top.Items) != 1 || top.Items[0].Aspect != "指纹识别" {
			t.Errorf("min 2 records, limit 1: %+v %v", top, err)
		}
		two, err := s.UnmappedAspects(ctx, f, 2, 0)
		if err != nil || len(two.Items) != 2 || two.Items[1].Aspect != "续航" {
			t.Errorf("min 2 records: %+v %v", two, err)
		}
		ff := f
		ff.Product = "SKU-B" // r5 r6 r8
		sku, err := s.UnmappedAspects(ctx, ff, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range sku.Items {
			names = append(names, fmt.Sprintf("%s:%d", a.Aspect, a.Records))
		}
		if !slices.Equal(names, []string{"人脸解锁:1", "指纹识别:1", "续航:1"}) || sku.UnmappedRecords != 3 {
			t.Errorf("SKU-B: %v, %d records", names, sku.UnmappedRecords)
		}
	})

	t.Run("pain points ignore topic mentions and open opinions", func(t *testing.T) {
		ch, err := s.PainPointChanges(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, c := range ch.Items {
			keys = append(keys, fmt.Sprintf("%s/%s:%d:%d", c.Category, c.Subcategory, c.Current, c.Previous))
		}
		// 物流/配送慢: r1 now (r8's is the agent's), p2 before.
		if !slices.Equal(keys, []string{"物流/配送慢:1:1", "物流/包装:1:0"}) {
			t.Errorf("pain point changes %v", keys)
		}
		top, err := s.TopPainPoints(ctx, feed.prev, feed.end, 0)
		if err != nil {
			t.Fatal(err)
		}
		keys = nil
		for _, p := range top {
			keys = append(keys, fmt.Sprintf("%s:%d", p.Key(), p.Mentions))
		}
		if !slices.Equal(keys, []string{"物流/配送慢:3", "物流/包装:1"}) {
			t.Errorf("top pain points %v", keys)
		}
		rising, err := s.RisingPainPoints(ctx, feed.cur, feed.end, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range rising {
			if p.Category == "" {
				t.Errorf("rising pain point without a category: %+v", p)
			}
		}
		fc, err := s.Facets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(fc.PainPoints, []string{"物流/包装", "物流/配送慢"}) {
			t.Errorf("facets pain points %q", fc.PainPoints)
		}
		// The category's series: pain records and mentions, over its
		// volume (mentions and hedged opinions included).
		series, err := s.PainTrends(ctx, f, Week, []string{"物流", "/"})
		if err != nil {
			t.Fatal(err)
		}
		var rec, neg uint64
		var volume float64
		for _, p := range series[0].Points {
			rec += p.Records
			neg += p.Negative
			volume += float64(p.Negative) / p.NegativeShare
		}
		if rec != 2 || neg != 3 || !near(volume, 6) || len(series[1].Points) != 0 {
			t.Errorf("物流: %d records %d negative of a volume of %v; \"/\": %+v", rec, neg, volume, series[1].Points)
		}
	})

	t.Run("stored points and chat pain points leave open opinions out", func(t *testing.T) {
		v, err := s.Record(ctx, feed.unmappedOnlyName)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.PainPoints) != 0 || len(v.PraisePoints) != 0 || len(v.Mentions) != 1 || v.Mentions[0].Category != "" || v.Mentions[0].Aspect != "续航" {
			t.Errorf("record with an open opinion only: pain %q praise %q mentions %+v", v.PainPoints, v.PraisePoints, v.Mentions)
		}
		var cats, pains []string
		if err := s.conn.QueryRow(ctx, "SELECT categories, pain_points FROM "+s.table(ch.TableFeedback)+" WHERE id = 'r2'").Scan(&cats, &pains); err != nil {
			t.Fatal(err)
		}
		if len(cats) != 0 || len(pains) != 0 {
			t.Errorf("r2 (topic mention, open opinion): categories %q pain points %q", cats, pains)
		}
		if err := s.conn.QueryRow(ctx, "SELECT pain_points FROM "+s.table(ch.TableConversations)+" WHERE id = ?", feed.chatName).Scan(&pains); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(pains, []string{"物流/配送慢"}) {
			t.Errorf("chat pain points %q", pains)
		}
		d, err := s.KeyDrivers(ctx, Filter{From: feed.prev, To: feed.end}, "rating", 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range d.Drivers {
			if x.Category == "" {
				t.Errorf("driver without a category: %+v", x)
			}
		}
	})

	t.Run("drill-down by mentions", func(t *testing.T) {
		tests := []struct {
			name string
			m    MentionFilter
			ids  []string // newest first
			rows int      // mentions attached
		}{
			{"unmapped aspect", MentionFilter{Aspect: "指纹识别", Unmapped: true}, []string{"r5", "r4", "r2"}, 4},
			{"unmapped aspect, negative", MentionFilter{Aspect: "指纹识别", Unmapped: true, Polarity: nlp.Negative}, []string{"r4", "r2"}, 3},
			{"topic", MentionFilter{Topic: "物流"}, []string{"r8", "r3", "r2", "r1"}, 6},
			{"topic, neutral", MentionFilter{Topic: "物流", Polarity: nlp.Neutral}, []string{"r8", "r3", "r2"}, 3},
			{"aspect of a chat's customer turn", MentionFilter{Aspect: "人脸解锁"}, []string{"r8"}, 1},
			{"any unmapped", MentionFilter{Unmapped: true}, []string{"r8", "r6", "r5", "r4", "r2"}, 7},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				ff := f
				ff.Mentions = tc.m
				page, err := s.Verbatims(ctx, ff, "", "", 10, 0)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				rows := 0
				for _, v := range page.Items {
					ids = append(ids, v.ID)
					for _, m := range v.Mentions {
						rows++
						if m.Role != "customer" || (tc.m.Aspect != "" && m.Aspect != tc.m.Aspect) || (tc.m.Topic != "" && m.Category != tc.m.Topic) ||
							(tc.m.Unmapped && m.Category != "") || (tc.m.Polarity != "" && m.Polarity != tc.m.Polarity) {
							t.Errorf("%s: mention %+v", v.ID, m)
						}
					}
				}
				if page.Total != uint64(len(tc.ids)) || !slices.Equal(ids, tc.ids) || rows != tc.rows {
					t.Errorf("total %d ids %v rows %d, want %v %d", page.Total, ids, rows, tc.ids, tc.rows)
				}
			})
		}
		ff := f
		ff.Mentions = MentionFilter{Topic: "质量"}
		tr, err := s.Trend(ctx, ff, Week)
		if err != nil {
			t.Fatal(err)
		}
		var n uint64
		for _, p := range tr {
			n += p.Records
		}
		if n != 2 {
			t.Errorf("trend of records talking about 质量: %d, want 2 (%+v)", n, tr)
		}
		for _, bad := range []MentionFilter{{Topic: "物流", Unmapped: true}, {Polarity: nlp.Negative}, {Aspect: "x", Polarity: "angry"}} {
			ff.Mentions = bad
			if _, err := s.Verbatims(ctx, ff, "", "", 10, 0); !errors.Is(err, ErrBadFilter) {
				t.Errorf("%+v: err %v, want ErrBadFilter", bad, err)
			}
		}
	})
}
