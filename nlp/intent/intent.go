// Package intent classifies a customer text into the seed intents of a
// customer-service department (咨询, 投诉, 售后, 建议, 表扬) and flags
// escalation language (12315, 曝光, 律师).
//
// Cues come from the lexicons (intent.tsv) and are matched anywhere in the
// text, longest first, so that 不满意 (a complaint cue) is not read as 满意.
// Their weights add up per intent; the text's sentiment and aspects break
// ties and decide when no cue is present.
package intent

import (
	"strings"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/aspect"
	"github.com/vocproject/voc/nlp/segment"
)

// intents in the order that breaks ties between equal scores: a customer
// who both asks and complains is handled as a complaint.
var order = [...]string{nlp.IntentComplaint, nlp.IntentAfterSales, nlp.IntentInquiry, nlp.IntentSuggestion, nlp.IntentPraise}

const nIntents = len(order)

// impliedWeight is the cue weight that pain points in a negative text add
// to 投诉 (half of it praise points in a positive text add to 表扬): they
// decide when no cue is present and tip the balance against weak cues.
const impliedWeight = 1.0

// complaintScore is the sentiment score at or below which a text gives
// context=complaint cues their meaning. A negative label is not enough: the
// learned weights lean neutral texts that name a medium (转发微博, 昨天电视台
// 报道了) to about -0.3, the media words being frequent in complaints.
const complaintScore = -0.5

// cue is one entry of the dictionary: the intents it votes for, on its
// own and (ctx…) only in a text with complaint context.
type cue struct {
	weights       [nIntents]float64
	escalation    bool
	ctxWeights    [nIntents]float64
	ctxEscalation bool
}

// Classifier assigns intents. It is immutable after New and safe for
// concurrent use.
type Classifier struct {
	dict *aspect.Dict
	cues []cue
}

func intentIndex(name string) int {
	for i, n := range order {
		if n == name {
			return i
		}
	}
	return -1
}

// New builds a Classifier from the intent cues.
func New(in *lexicons.Intents) *Classifier {
	c := &Classifier{dict: aspect.NewDict()}
	if in == nil {
		return c
	}
	index := map[string]int32{}
	for _, q := range in.Cues {
		term := strings.ToLower(q.Term)
		i, ok := index[term]
		if !ok {
			i = int32(len(c.cues))
			index[term] = i
			c.cues = append(c.cues, cue{})
			c.dict.Add(term, i)
		}
		conditional := q.Context == lexicons.ContextComplaint
		if q.Intent == lexicons.Escalation {
			if conditional {
				c.cues[i].ctxEscalation = true
			} else {
				c.cues[i].escalation = true
			}
			continue
		}
		if k := intentIndex(q.Intent); k >= 0 {
			if conditional {
				c.cues[i].ctxWeights[k] += q.Weight
			} else {
				c.cues[i].weights[k] += q.Weight
			}
		}
	}
	return c
}

// Classify returns the intent of text (one of the nlp.Intent* values, ""
// when there is no cue and nothing to infer) and whether escalation
// language is present. tokens are the text's tokens (unused by the cues,
// which match anywhere, but kept for finer rules); sent and aspects are
// the text's sentiment and aspects: a negative text with pain points and
// no other cue is a complaint (投诉), a positive one with praise points is
// praise (表扬).
//
// Cues of context=complaint (ambiguous escalation words such as 电视台 or
// 发微博, which are news, reposts and praise as often as threats) count
// only when the text complains otherwise too: a sentiment score of
// complaintScore or less, a pain point, or a 投诉 or escalation cue that
// counts on its own.
func (c *Classifier) Classify(text string, tokens []segment.Token, sent nlp.Sentiment, aspects []nlp.Aspect) (intent string, escalation bool) {
	const (
		complaint = iota
		after
		inquiry
		suggest
		praise
	)
	var score, ctxScore [nIntents]float64
	ctxEscalation := false
	rs := []rune(strings.ToLower(text))
	for i := 0; i < len(rs); {
		end, v, ok := c.dict.Longest(rs, i)
		if !ok || !c.bounded(rs, i, end) {
			i++
			continue
		}
		q := &c.cues[v]
		escalation = escalation || q.escalation
		ctxEscalation = ctxEscalation || q.ctxEscalation
		for k := range score {
			score[k] += q.weights[k]
			ctxScore[k] += q.ctxWeights[k]
		}
		i = end
	}
	pains, praises := nlp.PainPraise(aspects)
	negative := sent.Label == nlp.Negative
	positive := sent.Label == nlp.Positive
	if escalation || score[complaint] > 0 || pains > 0 || sent.Score <= complaintScore {
		// complaint context: the conditional cues count
		escalation = escalation || ctxEscalation
		for k, w := range ctxScore {
			score[k] += w
		}
	}
	if escalation {
		return nlp.IntentComplaint, true
	}
	switch {
	case negative:
		// praise words in a negative text are irony or concession (说好的
		// 正品呢); its questions are mostly rhetorical (怎么这么慢).
		score[praise] = 0
		if pains > 0 {
			score[inquiry] /= 2
			score[complaint] += impliedWeight
		}
	case positive:
		if pains == 0 {
			score[complaint] /= 2
		}
		if praises > 0 {
			score[praise] += impliedWeight / 2
		}
	}
	best, bi := 0.0, -1
	for k, s := range score {
		if s > best {
			best, bi = s, k
		}
	}
	switch {
	case bi < 0:
		return "", false
	case bi == inquiry && score[after] > 0:
		// a question about a return or refund is after-sales work
		return nlp.IntentAfterSales, false
	}
	return order[bi], false
}

// bounded reports whether the cue at rs[i:end] stands alone where it
// starts or ends with an ASCII letter or digit: 12315 is not a cue inside
// 2123150, nor ok inside book.
func (c *Classifier) bounded(rs []rune, i, end int) bool {
	if isAlnum(rs[i]) && i > 0 && isAlnum(rs[i-1]) {
		return false
	}
	return !(isAlnum(rs[end-1]) && end < len(rs) && isAlnum(rs[end]))
}

func isAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}
