package api

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/store/ch/query"
)

// truth holds what the records say, counted here without ClickHouse.
type truth struct {
	records uint64
	topics  map[string]*query.TopicVolume
	aspects map[string]*query.UnmappedAspect
	// opinions per unmapped aspect; pains: records per pain point key.
	opinions map[string]map[string]uint64
	pains    map[string]uint64
	// neutral: records with a neutral row of each topic.
	neutral map[string]uint64
}

func count(recs []*pipeline.Record, from, to time.Time, product string) *truth {
	tr := &truth{topics: map[string]*query.TopicVolume{}, aspects: map[string]*query.UnmappedAspect{},
		opinions: map[string]map[string]uint64{}, pains: map[string]uint64{}, neutral: map[string]uint64{}}
	for _, r := range recs {
		at := r.Feedback.CreatedAt.UTC().Truncate(time.Second)
		if at.Before(from) || !at.Before(to) || (product != "" && r.Feedback.Product != product) {
			continue
		}
		tr.records++
		seen := map[string]bool{}
		once := func(k string) bool {
			if seen[k] {
				return false
			}
			seen[k] = true
			return true
		}
		for _, a := range customerAspects(r) {
			if a.Category == "" {
				u := tr.aspects[a.Aspect]
				if u == nil {
					u = &query.UnmappedAspect{Aspect: a.Aspect}
					tr.aspects[a.Aspect] = u
					tr.opinions[a.Aspect] = map[string]uint64{}
				}
				if once("u/" + a.Aspect) {
					u.Records++
				}
				u.Mentions++
				tr.opinions[a.Aspect][a.Opinion]++
				switch a.Polarity {
				case nlp.Negative:
					u.Negative++
				case nlp.Positive:
					u.Positive++
				}
				continue
			}
			tv := tr.topics[a.Category]
			if tv == nil {
				tv = &query.TopicVolume{Category: a.Category}
				tr.topics[a.Category] = tv
			}
			if once("t/" + a.Category) {
				tv.Records++
			}
			tv.Volume++
			switch a.Polarity {
			case nlp.Negative:
				tv.Pain++
				if once("p/" + a.Category + "/" + a.Subcategory) {
					tr.pains[a.Category+"/"+a.Subcategory]++
				}
			case nlp.Positive:
				tv.Praise++
			default:
				tv.Neutral++
				if once("n/" + a.Category) {
					tr.neutral[a.Category]++
				}
			}
			if a.Opinion == "" {
				tv.TopicMentions++
			}
		}
	}
	return tr
}

func TestTopicsAndEmerging(t *testing.T) {
	const days = 14
	recs := withAspectRows(analysed(t, days, 60), days)
	f := newFixture(t, recs, false, Config{})
	from := f.to.AddDate(0, 0, -7)
	week := "from=" + from.Format(time.DateOnly) + "&to=" + f.to.Format(time.DateOnly)
	cur, prev := count(recs, from, f.to, ""), count(recs, from.AddDate(0, 0, -7), from, "")

	t.Run("topic volume counts every aspect row of a category", func(t *testing.T) {
		var got query.TopicVolumes
		if code, body := get(t, f.srv.URL, "/api/v1/topics?limit=500&"+week, "", &got); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		if got.Records != cur.records || got.PreviousRecords != prev.records || len(got.Items) != len(cur.topics) {
			t.Fatalf("%d/%d records, %d topics; want %d/%d, %d", got.Records, got.PreviousRecords, len(got.Items),
				cur.records, prev.records, len(cur.topics))
		}
		if m := cur.topics[mentionTopic]; m == nil || m.TopicMentions < 20 {
			t.Fatalf("the feed has too few mentions of %s: %+v", mentionTopic, m)
		}
		for i, g := range got.Items {
			w, p := cur.topics[g.Category], prev.topics[g.Category]
			if w == nil || g.Records != w.Records || g.Volume != w.Volume || g.Pain != w.Pain || g.Praise != w.Praise ||
				g.Neutral != w.Neutral || g.TopicMentions != w.TopicMentions || g.Volume != g.Pain+g.Praise+g.Neutral {
				t.Errorf("%s: got %+v, want %+v", g.Category, g, w)
			}
			if p != nil && (g.PreviousRecords != p.Records || g.PreviousVolume != p.Volume) {
				t.Errorf("%s: previous %d/%d, want %d/%d", g.Category, g.PreviousRecords, g.PreviousVolume, p.Records, p.Volume)
			}
			want := float64(g.Records) / float64(cur.records) / (float64(g.PreviousRecords) / float64(prev.records))
			if g.PreviousRecords > 0 && !near(g.Change, want-1) {
				t.Errorf("%s: change %v, want %v", g.Category, g.Change, want-1)
			}
			if i > 0 && g.Volume > got.Items[i-1].Volume {
				t.Errorf("not by volume at %d", i)
			}
		}
		for _, g := range got.Items {
			t.Logf("%s: %d records, volume %d = pain %d + praise %d + neutral %d (mentions %d), share %.3f, change %+.2f",
				g.Category, g.Records, g.Volume, g.Pain, g.Praise, g.Neutral, g.TopicMentions, g.Share, g.Change)
		}
		// Filter-aware: one product.
		product := recs[0].Feedback.Product
		pc := count(recs, from, f.to, product)
		var gp query.TopicVolumes
		if code, body := get(t, f.srv.URL, "/api/v1/topics?product="+url.QueryEscape(product)+"&"+week, "", &gp); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		for _, g := range gp.Items {
			if w := pc.topics[g.Category]; w == nil || g.Volume != w.Volume || g.Records != w.Records {
				t.Errorf("%s of %s: got %+v, want %+v", g.Category, product, g, w)
			}
		}
		if gp.Records != pc.records || len(gp.Items) == 0 {
			t.Errorf("%s: %d records, %d topics", product, gp.Records, len(gp.Items))
		}
	})

	var emerging query.UnmappedAspects
	t.Run("emerging aspects rank by records and mark new ones", func(t *testing.T) {
		if code, body := get(t, f.srv.URL, "/api/v1/aspects/unmapped?limit=100&"+week, "", &emerging); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		want := make([]*query.UnmappedAspect, 0, len(cur.aspects))
		var unmappedMentions uint64
		for _, a := range cur.aspects {
			want = append(want, a)
			unmappedMentions += a.Mentions
		}
		slices.SortFunc(want, func(a, b *query.UnmappedAspect) int {
			return cmp.Or(cmp.Compare(b.Records, a.Records), cmp.Compare(b.Mentions, a.Mentions), strings.Compare(a.Aspect, b.Aspect))
		})
		if len(emerging.Items) != min(len(want), 100) || emerging.Aspects != uint64(len(want)) || emerging.Mentions != unmappedMentions {
			t.Fatalf("%d items of %d aspects, %d mentions; want %d, %d", len(emerging.Items), emerging.Aspects, emerging.Mentions, len(want), unmappedMentions)
		}
		for i, g := range emerging.Items {
			w := want[i]
			p := prev.aspects[w.Aspect]
			if g.Aspect != w.Aspect || g.Records != w.Records || g.Mentions != w.Mentions || g.Negative != w.Negative || g.Positive != w.Positive ||
				!near(g.NegativeShare, float64(w.Negative)/float64(w.Mentions)) || g.New != (p == nil) {
				t.Errorf("item %d: got %+v, want %+v (previously %+v)", i, g, w, p)
			}
			if len(g.Opinions) == 0 || g.Opinions[0].Mentions != slices.Max(mapValues(cur.opinions[g.Aspect])) {
				t.Errorf("%s: opinions %+v, counted %v", g.Aspect, g.Opinions, cur.opinions[g.Aspect])
			}
		}
		t.Logf("%d records, %d with open opinions, %d aspects; first %+v", emerging.Records, emerging.UnmappedRecords, emerging.Aspects, emerging.Items[:1])
		idx := func(a string) int {
			return slices.IndexFunc(emerging.Items, func(x query.UnmappedAspect) bool { return x.Aspect == a })
		}
		s, n := idx(steadyAspect), idx(newAspect)
		if s < 0 || n < 0 || emerging.Items[s].New || !emerging.Items[n].New || emerging.Items[n].Change != 1e9 {
			t.Errorf("%s (%d) and %s (%d) in %+v: want the first seen before, the second new", steadyAspect, s, newAspect, n, emerging.Items)
		}
	})

	t.Run("drill-down of an emerging aspect and of a topic", func(t *testing.T) {
		var want uint64
		for _, a := range emerging.Items {
			if a.Aspect == steadyAspect {
				want = a.Records
			}
		}
		var res SearchResponse
		path := "/api/v1/search?size=100&aspect=" + url.QueryEscape(steadyAspect) + "&unmapped=true&" + week
		if code, body := get(t, f.srv.URL, path, "", &res); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		if res.Total != want || want == 0 || len(res.Items) != int(min(want, 100)) {
			t.Fatalf("total %d items %d, want %d", res.Total, len(res.Items), want)
		}
		for _, it := range res.Items {
			if len(it.Mentions) == 0 {
				t.Errorf("%s: no mention", it.ID)
			}
			for _, m := range it.Mentions {
				if m.Aspect != steadyAspect || m.Category != "" || m.Start < 0 || string([]rune(it.Text)[m.Start:m.End]) != steadyAspect+m.Opinion {
					t.Errorf("%s: mention %+v in %q", it.ID, m, it.Text)
				}
			}
		}
		path = "/api/v1/search?size=1&topic=" + url.QueryEscape(mentionTopic) + "&polarity=neutral&" + week
		if code, body := get(t, f.srv.URL, path, "", &res); code != 200 || res.Total != cur.neutral[mentionTopic] || res.Total == 0 {
			t.Errorf("%s neutral: %d %s, total %d, want %d", mentionTopic, code, body, res.Total, cur.neutral[mentionTopic])
		}
		// With text, the aspect rows still narrow it (ClickHouse answers).
		path = "/api/v1/search?size=1&q=" + url.QueryEscape("很快") + "&aspect=" + url.QueryEscape(steadyAspect) + "&" + week
		if code, body := get(t, f.srv.URL, path, "", &res); code != 200 || res.Engine != "clickhouse" || res.Total == 0 || res.Total >= want {
			t.Errorf("text within an aspect: %d %s, engine %s total %d (of %d)", code, body, res.Engine, res.Total, want)
		}
	})

	t.Run("pain points count only negative rows of mapped categories", func(t *testing.T) {
		var res query.PainChanges
		if code, body := get(t, f.srv.URL, "/api/v1/pain-points?sort=top&limit=500&"+week, "", &res); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		if len(res.Items) != len(cur.pains)+countOnlyPrev(prev.pains, cur.pains) {
			t.Errorf("%d pain points, want %d", len(res.Items), len(cur.pains))
		}
		for _, c := range res.Items {
			if c.Category == "" || c.Current != cur.pains[c.Category+"/"+c.Subcategory] || c.Previous != prev.pains[c.Category+"/"+c.Subcategory] {
				t.Errorf("%s/%s: %d/%d, want %d/%d", c.Category, c.Subcategory, c.Current, c.Previous,
					cur.pains[c.Category+"/"+c.Subcategory], prev.pains[c.Category+"/"+c.Subcategory])
			}
		}
		var fc query.Facets
		get(t, f.srv.URL, "/api/v1/facets", "", &fc)
		for _, p := range fc.PainPoints {
			if strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
				t.Errorf("facet pain point %q", p)
			}
		}
	})

	t.Run("the dashboard's first screen holds topics and emerging aspects", func(t *testing.T) {
		var fs FirstScreen
		if code, body := get(t, f.srv.URL, "/api/v1/dashboard?"+week, "", &fs); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		var tv query.TopicVolumes
		get(t, f.srv.URL, "/api/v1/topics?"+week, "", &tv)
		var ua query.UnmappedAspects
		get(t, f.srv.URL, "/api/v1/aspects/unmapped?"+week, "", &ua)
		if fs.Topics == nil || fs.Emerging == nil || len(fs.Topics.Items) != len(tv.Items) || len(fs.Emerging.Items) != len(ua.Items) ||
			len(ua.Items) != min(unmappedLimit, len(cur.aspects)) || len(tv.Items) != min(topicsLimit, len(cur.topics)) {
			t.Fatalf("dashboard topics %+v emerging %+v; endpoints %d and %d items", fs.Topics, fs.Emerging, len(tv.Items), len(ua.Items))
		}
		for i := range tv.Items {
			if fs.Topics.Items[i] != tv.Items[i] {
				t.Errorf("topic %d: dashboard %+v, endpoint %+v", i, fs.Topics.Items[i], tv.Items[i])
			}
		}
		for i := range ua.Items {
			if fs.Emerging.Items[i].Aspect != ua.Items[i].Aspect || fs.Emerging.Items[i].Records != ua.Items[i].Records {
				t.Errorf("emerging %d: dashboard %+v, endpoint %+v", i, fs.Emerging.Items[i], ua.Items[i])
			}
		}
	})

	t.Run("the weekly report lists topics and emerging aspects", func(t *testing.T) {
		code, md := get(t, f.srv.URL, "/report?format=md&"+week, "", nil)
		s := string(md)
		top := ""
		for k, n := range cur.pains {
			if n > cur.pains[top] || (n == cur.pains[top] && k < top) {
				top = k
			}
		}
		if code != 200 || !strings.Contains(s, "## 四、话题热度") || !strings.Contains(s, "## 五、未归类的新话题") ||
			!strings.Contains(s, "| "+steadyAspect+" |") || !strings.Contains(s, "| "+mentionTopic+" |") || !strings.Contains(s, top) {
			t.Errorf("report: %d\n%s", code, s)
		}
		code, page := get(t, f.srv.URL, "/report?"+week, "", nil)
		if code != 200 || !strings.Contains(string(page), "未归类的新话题") || !strings.Contains(string(page), newAspect) {
			t.Errorf("html report: %d", code)
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		for _, tc := range []struct{ path, field string }{
			{"/api/v1/search?topic=物流&unmapped=true", "unmapped"},
			{"/api/v1/search?polarity=negative", "polarity"},
			{"/api/v1/search?aspect=x&unmapped=maybe", "unmapped"},
			{"/api/v1/search?topic=" + url.QueryEscape("物流/配送慢"), "topic"},
			{"/api/v1/search?aspect=x&polarity=angry", "polarity"},
			{"/api/v1/pain-points?topic=物流", "topic"},
			{"/api/v1/aspects/unmapped?min_records=0", "min_records"},
			{"/api/v1/topics?limit=0", "limit"},
			{"/api/v1/trend?series=/", "series"},
		} {
			code, body := get(t, f.srv.URL, tc.path, "", nil)
			if code != 400 || !strings.Contains(string(body), `"field":"`+tc.field+`"`) {
				t.Errorf("%s: %d %s, want 400 on %s", tc.path, code, body, tc.field)
			}
		}
	})
}

func near(a, b float64) bool { d := a - b; return d < 1e-9 && d > -1e-9 }

func mapValues(m map[string]uint64) []uint64 {
	var out []uint64
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// countOnlyPrev counts the keys of prev that cur lacks.
func countOnlyPrev(prev, cur map[string]uint64) int {
	n := 0
	for k := range prev {
		if _, ok := cur[k]; !ok {
			n++
		}
	}
	return n
}
