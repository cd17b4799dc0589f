package gen

// This file turns the generated feed into what the alert tests need:
// pipeline records whose analysis comes from the generator's ground truth
// (so that the tests do not depend on the NLP packages), hourly cubes as
// the ClickHouse sink's hourly tables would hold them, and optional
// background noise on top of the generator's own.

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/vocproject/voc/alerts/detect"
	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"
)

// Noise multiplies the generator's background (items not added by a
// spike) by random day-to-day factors, as real feeds vary more than the
// generator's plan: every (day, product) gets a log-normal volume factor
// exp(N(0, Volume²)), and every (day, product, pain point) a further
// factor exp(N(0, Pain²)) on the messages whose first topic is that pain
// point. A factor f keeps a message floor(f) times plus once more with
// probability f-floor(f); copies get new ids and the time of another
// message of the day.
type Noise struct {
	Seed   uint64
	Volume float64
	Pain   float64
}

func (n Noise) rng(parts ...any) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprint(h, parts...)
	return rand.New(rand.NewPCG(n.Seed, h.Sum64()))
}

// Apply returns the items with noise applied, in created_at order.
func (n Noise) Apply(items []Item) []Item {
	if n.Volume == 0 && n.Pain == 0 {
		return items
	}
	factor := func(sigma float64, parts ...any) float64 {
		if sigma == 0 {
			return 1
		}
		return math.Exp(n.rng(parts...).NormFloat64() * sigma)
	}
	// Copies take the time of a random message of the same day, so that
	// they follow the day's hourly profile instead of clumping.
	byDay := map[int][]time.Time{}
	for _, it := range items {
		byDay[it.Truth.Day] = append(byDay[it.Truth.Day], it.Msg.CreatedAt)
	}
	var out []Item
	for i, it := range items {
		if it.Truth.Spike {
			out = append(out, it)
			continue
		}
		f := factor(n.Volume, "v", it.Truth.Day, it.Msg.Product)
		if t := it.Truth.Topics; len(t) > 0 && t[0].Polarity == "negative" {
			f *= factor(n.Pain, "p", it.Truth.Day, it.Msg.Product, t[0].Category, t[0].Subcategory)
		}
		r := n.rng("i", i)
		copies := int(f)
		if r.Float64() < f-float64(copies) {
			copies++
		}
		for c := range copies {
			cp := it
			if c > 0 {
				day := byDay[it.Truth.Day]
				cp.Msg.ID = fmt.Sprintf("%s-n%d", it.Msg.ID, c)
				cp.Msg.CreatedAt = day[r.IntN(len(day))].Add(time.Duration(r.IntN(600)) * time.Second)
			}
			out = append(out, cp)
		}
	}
	slices.SortStableFunc(out, func(a, b Item) int { return a.Msg.CreatedAt.Compare(b.Msg.CreatedAt) })
	return out
}

// Score is the sentiment score given to an item: around -0.7 for
// negative, 0.7 for positive, 0 for neutral, with deterministic noise.
func Score(it Item) float64 {
	h := fnv.New64a()
	fmt.Fprint(h, it.Msg.ID)
	u := float64(h.Sum64()%1000) / 1000
	switch it.Truth.Sentiment {
	case nlp.Negative:
		return -0.5 - 0.4*u
	case nlp.Positive:
		return 0.5 + 0.4*u
	}
	return (u - 0.5) * 0.2
}

// Analysis is the nlp.Result of an item built from its ground truth: one
// aspect per topic, sentiment by Score, intent 投诉 for negative items.
func Analysis(it Item) *nlp.Result {
	text := it.Msg.Text
	if text == "" {
		for _, t := range it.Msg.Turns {
			if t.Role == "customer" {
				text += t.Text
			}
		}
	}
	r := &nlp.Result{Text: text, PII: []string{}}
	s := Score(it)
	r.Sentiment = nlp.Sentiment{Score: s, Label: it.Truth.Sentiment, Confidence: 0.9}
	for i, tp := range it.Truth.Topics {
		if tp.Polarity != nlp.Negative && tp.Polarity != nlp.Positive {
			continue
		}
		r.Aspects = append(r.Aspects, nlp.Aspect{Category: tp.Category, Subcategory: tp.Subcategory,
			Aspect: tp.Subcategory, Opinion: tp.Polarity, Polarity: tp.Polarity, Span: [2]int{i, i + 1}})
	}
	switch it.Truth.Sentiment {
	case nlp.Negative:
		r.Intent = nlp.IntentComplaint
	case nlp.Positive:
		r.Intent = nlp.IntentPraise
	default:
		r.Intent = nlp.IntentInquiry
	}
	return r
}

// Records returns pipeline records for the items at consecutive offsets
// of one partition of topic, with analyses from the ground truth.
func Records(topic string, items []Item) []*pipeline.Record {
	out := make([]*pipeline.Record, len(items))
	for i := range items {
		it := items[i]
		m := it.Msg
		out[i] = &pipeline.Record{
			Msg:            pipeline.Message{Pos: pipeline.Position{Topic: topic, Partition: 0, Offset: int64(i)}, Time: m.CreatedAt},
			ID:             m.ID,
			Feedback:       &m,
			Analysis:       Analysis(it),
			LexiconVersion: "truth",
		}
	}
	return out
}

// IsComplaint is feedback_hourly's complaint test: intent 投诉 or
// negative sentiment.
func IsComplaint(it Item) bool { return it.Truth.Sentiment == nlp.Negative }

// Cube returns the hourly cube of the items over [from, to), as the
// pain_hourly and feedback_hourly tables count them.
func Cube(items []Item, from, to time.Time) *detect.Cube {
	c := detect.NewCube(from, to)
	for _, it := range items {
		m := it.Msg
		h := m.CreatedAt.UTC().Truncate(time.Hour)
		var compl uint64
		if IsComplaint(it) {
			compl = 1
		}
		c.AddScope(h, detect.ScopeKey{Product: m.Product, Channel: m.Channel}, 1, compl, float64(float32(Score(it))))
		seen := map[Topic]bool{}
		for _, tp := range it.Truth.Topics {
			if tp.Polarity != nlp.Negative || seen[tp] {
				continue
			}
			seen[tp] = true
			c.AddPain(h, detect.PainKey{Category: tp.Category, Subcategory: tp.Subcategory, Product: m.Product, Channel: m.Channel}, 1)
		}
	}
	return c
}

// Tier returns the customer tier of an item as stored (normal when empty).
func Tier(m *feedback.Message) string {
	if m.Customer.Tier == "" {
		return "normal"
	}
	return m.Customer.Tier
}
