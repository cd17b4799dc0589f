package clickhouse

import (
	"context"
	"strings"
	"time"

	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/pipeline"
	"github.com/vocproject/voc/store/ch"
)

// Insert column lists of the chat tables; the order must match
// conversationRow and violationRows.
const (
	conversationColumns = "id, created_at, channel, product, customer_id, customer_tier, agent_id, team, turns, customer_turns, agent_turns, " +
		"csat, start_sentiment, end_sentiment, trajectory, escalation_risk, escalation_reasons, escalated, resolution, resolution_reason, " +
		"transfers, repeated_questions, repeated_demands, effort, first_response_s, avg_response_s, handle_time_s, pain_points, " +
		"violations, forbidden, discouraged, missing, violation_rules, lexicon_version, kafka_topic, kafka_partition, kafka_offset, ingested_at"
	violationColumns = "id, violation, created_at, channel, product, agent_id, team, turn, kind, rule, phrase, span_start, span_end, text, " +
		"kafka_topic, kafka_partition, kafka_offset"
)

// Unknown is the value of a service time column whose timestamps are
// missing.
const Unknown = -1

func clampU16(v int) uint16 { return uint16(min(max(v, 0), 65535)) }

func seconds(p *float64) float32 {
	if p == nil {
		return Unknown
	}
	return float32(*p)
}

func stringsOrEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// mappedPoints drops the "category/subcategory" keys without a category
// (open opinions about aspects the taxonomy does not know): they are not
// pain points, and a repeat contact about one is not about the same issue.
func mappedPoints(keys []string) []string {
	out := []string{}
	for _, k := range keys {
		if k != "" && k[0] != '/' && !strings.HasPrefix(k, "?/") {
			out = append(out, k)
		}
	}
	return out
}

// hasConversations reports whether any record carries a conversation.
func hasConversations(recs []*pipeline.Record) bool {
	for _, r := range recs {
		if r.Conversation != nil {
			return true
		}
	}
	return false
}

// conversationRow is the conversations row of a chat record.
func conversationRow(r *pipeline.Record, now time.Time) []any {
	m, c := r.Feedback, r.Conversation
	kinds := map[string]int{}
	var rules []string
	for _, v := range c.Violations {
		kinds[v.Kind]++
		rules = append(rules, v.Rule)
	}
	var esc uint8
	if c.Escalated {
		esc = 1
	}
	id := r.ID
	if id == "" {
		id = m.ID
	}
	return []any{
		id, createdAt(r, now), m.Channel, m.Product, m.Customer.ID, tier(m), m.AgentID, c.Team,
		clampU16(c.Turns), clampU16(c.CustomerTurns), clampU16(c.AgentTurns),
		clampU8(c.CSAT), float32(c.StartSentiment), float32(c.EndSentiment), c.Trajectory,
		float32(c.EscalationRisk), stringsOrEmpty(c.EscalationReasons), esc, c.Resolution, c.ResolutionReason,
		clampU16(c.Transfers), clampU16(c.RepeatedQuestions), clampU16(c.RepeatedDemands), clampU16(c.Effort),
		seconds(c.FirstResponseSec), seconds(c.AvgResponseSec), seconds(c.HandleTimeSec), mappedPoints(c.PainPoints),
		clampU16(len(c.Violations)), clampU16(kinds[nlp.ViolationForbidden]), clampU16(kinds[nlp.ViolationDiscouraged]),
		clampU16(kinds[nlp.ViolationMissing]), stringsOrEmpty(rules),
		r.LexiconVersion, r.Msg.Pos.Topic, int32(r.Msg.Pos.Partition), r.Msg.Pos.Offset, now,
	}
}

// violationRows returns one agent_violations row per violation of a chat
// record, with the masked text of the agent turn.
func violationRows(r *pipeline.Record, now time.Time) [][]any {
	m, c := r.Feedback, r.Conversation
	created := createdAt(r, now)
	id := r.ID
	if id == "" {
		id = m.ID
	}
	rows := make([][]any, 0, len(c.Violations))
	for i, v := range c.Violations {
		text := ""
		if v.Turn >= 0 && v.Turn < len(r.Turns) {
			text = r.Turns[v.Turn].Text
		}
		rows = append(rows, []any{
			id, clampU16(i), created, m.Channel, m.Product, m.AgentID, c.Team,
			clampU16(v.Turn), v.Kind, v.Rule, v.Phrase, uint32(max(v.Span[0], 0)), uint32(max(v.Span[1], 0)), text,
			r.Msg.Pos.Topic, int32(r.Msg.Pos.Partition), r.Msg.Pos.Offset,
		})
	}
	return rows
}

// writeChats writes the conversations and agent_violations rows of the
// records above each table's watermark (see the package comment); records
// without a conversation have no rows in either.
func (s *Sink) writeChats(ctx context.Context, recs []*pipeline.Record, lows map[partKey]int64, now time.Time) error {
	if !hasConversations(recs) {
		return nil
	}
	wm, err := s.watermarks(ctx, ch.TableConversations, lows)
	if err != nil {
		return err
	}
	var rows [][]any
	for _, r := range above(recs, wm) {
		if r.Conversation != nil {
			rows = append(rows, conversationRow(r, now))
		}
	}
	if err := s.insertRows(ctx, ch.TableConversations, conversationColumns, rows); err != nil {
		return err
	}
	wm, err = s.watermarks(ctx, ch.TableViolations, lows)
	if err != nil {
		return err
	}
	rows = rows[:0]
	for _, r := range above(recs, wm) {
		if r.Conversation != nil {
			rows = append(rows, violationRows(r, now)...)
		}
	}
	return s.insertRows(ctx, ch.TableViolations, violationColumns, rows)
}
