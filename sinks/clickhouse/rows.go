package clickhouse

import (
	"slices"
	"time"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"
)

// Insert column lists; 18.16 needs them explicit, and the order must match
// feedbackRow and mentionRows.
const (
	feedbackColumns = "id, kind, channel, product, created_at, rating, csat, nps, customer_id, customer_tier, region, agent_id, lang, " +
		"text, sentiment, sentiment_label, confidence, intent, escalation, categories, pain_points, praise_points, pii, " +
		"lexicon_version, turn_count, kafka_topic, kafka_partition, kafka_offset, ingested_at"
	mentionColumns = "id, mention, turn, role, created_at, product, channel, kind, customer_tier, category, subcategory, " +
		"aspect, opinion, polarity, span_start, span_end, sentiment, is_first, kafka_topic, kafka_partition, kafka_offset"
)

var (
	minTime = time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2105, 12, 31, 0, 0, 0, 0, time.UTC)
)

// createdAt is the record's time: the message's created_at, else the broker
// timestamp (both deterministic, so a replayed row lands in the same
// monthly partition as the first copy), else now.
func createdAt(r *pipeline.Record, now time.Time) time.Time {
	for _, t := range []time.Time{r.Feedback.CreatedAt, r.Msg.Time} {
		if !t.Before(minTime) && t.Before(maxTime) {
			return t.UTC().Truncate(time.Second)
		}
	}
	return now
}

// kind defaults to chat for transcripts and review otherwise.
func kind(m *feedback.Message) string {
	switch {
	case m.Kind != "":
		return m.Kind
	case m.IsChat():
		return feedback.KindChat
	default:
		return feedback.KindReview
	}
}

// tier defaults to normal.
func tier(m *feedback.Message) string {
	if m.Customer.Tier == "" {
		return "normal"
	}
	return m.Customer.Tier
}

func clampU8(v int) uint8 {
	return uint8(min(max(v, 0), 255))
}

var emptyResult nlp.Result

func analysis(r *pipeline.Record) *nlp.Result {
	if r.Analysis == nil {
		return &emptyResult
	}
	return r.Analysis
}

// points returns the sorted distinct categories, "category/subcategory" of
// negative aspects and "category/subcategory" of positive aspects. Only
// aspects of the taxonomy are pain or praise points: an open opinion about
// an aspect the taxonomy does not know (nlp.Aspect.IsUnmapped, category
// "") stays in aspect_mentions, and a topic mention is neutral.
func points(as []nlp.Aspect) (cats, pains, praises []string) {
	cats, pains, praises = []string{}, []string{}, []string{}
	for _, a := range as {
		if a.IsUnmapped() {
			continue
		}
		key := a.Category + "/" + a.Subcategory
		switch a.Polarity {
		case nlp.Negative:
			cats = append(cats, a.Category)
			pains = append(pains, key)
		case nlp.Positive:
			praises = append(praises, key)
		}
	}
	for _, s := range []*[]string{&cats, &pains, &praises} {
		slices.Sort(*s)
		*s = slices.Compact(*s)
	}
	return cats, pains, praises
}

func feedbackRow(r *pipeline.Record, now time.Time) []any {
	m, a := r.Feedback, analysis(r)
	nps := int8(-1)
	if m.NPS != nil {
		nps = int8(min(max(*m.NPS, -1), 100))
	}
	label := a.Sentiment.Label
	if label == "" {
		label = nlp.Neutral
	}
	var esc uint8
	if a.Escalation {
		esc = 1
	}
	pii := a.PII
	if pii == nil {
		pii = []string{}
	}
	cats, pains, praises := points(a.Aspects)
	id := r.ID
	if id == "" {
		id = m.ID
	}
	return []any{
		id, kind(m), m.Channel, m.Product, createdAt(r, now),
		clampU8(m.Rating), clampU8(m.CSAT), nps,
		m.Customer.ID, tier(m), m.Region, m.AgentID, m.Lang,
		a.Text, float32(a.Sentiment.Score), label, float32(a.Sentiment.Confidence), a.Intent, esc,
		cats, pains, praises, pii,
		r.LexiconVersion, uint16(min(len(m.Turns), 65535)),
		r.Msg.Pos.Topic, int32(r.Msg.Pos.Partition), r.Msg.Pos.Offset, now,
	}
}

// mentionRows returns one row per aspect mention: per turn for a chat
// analysed turn by turn (role from the turn), else from the overall
// analysis (role customer). is_first marks the first customer mention of
// each (category, subcategory, polarity) in the record.
func mentionRows(r *pipeline.Record, now time.Time) [][]any {
	m, a := r.Feedback, analysis(r)
	type src struct {
		turn int
		role string
		as   []nlp.Aspect
	}
	var srcs []src
	if len(r.Turns) > 0 {
		for i, t := range r.Turns {
			srcs = append(srcs, src{i, t.Role, t.Aspects})
		}
	} else {
		srcs = []src{{0, "customer", a.Aspects}}
	}
	created := createdAt(r, now)
	id := r.ID
	if id == "" {
		id = m.ID
	}
	seen := map[[3]string]bool{}
	var rows [][]any
	n := 0
	for _, s := range srcs {
		for _, as := range s.as {
			var first uint8
			if s.role == "customer" {
				k := [3]string{as.Category, as.Subcategory, as.Polarity}
				if !seen[k] {
					seen[k] = true
					first = 1
				}
			}
			rows = append(rows, []any{
				id, uint16(min(n, 65535)), uint16(min(s.turn, 65535)), s.role, created,
				m.Product, m.Channel, kind(m), tier(m),
				as.Category, as.Subcategory, as.Aspect, as.Opinion, as.Polarity,
				uint32(max(as.Span[0], 0)), uint32(max(as.Span[1], 0)),
				float32(a.Sentiment.Score), first,
				r.Msg.Pos.Topic, int32(r.Msg.Pos.Partition), r.Msg.Pos.Offset,
			})
			n++
		}
	}
	return rows
}
