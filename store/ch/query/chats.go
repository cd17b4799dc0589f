package query

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vocproject/voc/store/ch"
)

// Query helpers over the chat tables (conversations, agent_violations).
// Ranges are half-open, [from, to), on the chats' created_at.

// DefaultFCRWindow is the default window in which a repeat contact by the
// same customer about the same pain point makes an earlier chat not
// resolved at first contact.
const DefaultFCRWindow = 7 * 24 * time.Hour

// GroupBy selects the grouping of ServiceStats.
type GroupBy string

// Groupings of ServiceStats.
const (
	ByAgent GroupBy = "agent" // agent_id
	ByTeam  GroupBy = "team"  // team
	ByDay   GroupBy = "day"   // the chat's day, 2006-01-02 (server time zone)
)

func (g GroupBy) expr() (string, error) {
	switch g {
	case ByAgent:
		return "agent_id", nil
	case ByTeam:
		return "team", nil
	case ByDay:
		return "toString(day)", nil
	}
	return "", fmt.Errorf("clickhouse: unknown grouping %q (want agent, team or day)", string(g))
}

// ServiceStats are the service metrics of one agent, team or day.
type ServiceStats struct {
	Key           string // agent id, team or day
	Conversations uint64
	Resolved      uint64 // the customer confirmed or thanked
	Unresolved    uint64 // the chat ended unresolved
	// RepeatContacts are chats followed, within the FCR window, by another
	// contact (a chat, call or email in feedback) of the same customer about
	// one of the same pain points.
	RepeatContacts uint64
	// FirstContactResolved are chats neither unresolved nor followed by a
	// repeat contact; FCR is their share of Conversations.
	FirstContactResolved uint64
	FCR                  float64
	// Mean service times in seconds over the chats whose timestamps give
	// them; nil when none do.
	FirstResponse *float64
	ART           *float64
	HandleTime    *float64
	// CSAT: how many chats have a score, and its mean (nil when none).
	CSATResponses uint64
	AvgCSAT       *float64
	// Compliance violations of the agents, in total and by kind.
	Violations  uint64
	Forbidden   uint64
	Discouraged uint64
	Missing     uint64
	// Escalations are chats with escalation risk >= 0.5; Transfers the
	// chats with a hand-over or a request for one.
	Escalations uint64
	Transfers   uint64
	AvgEffort   float64
}

// repeatContactsSQL selects the id of every chat created in [?, ?) that
// is followed, within ? seconds, by a contact of the same customer about a
// same pain point; its later contacts are read in [?, ?). Contacts are the
// feedback rows of kind chat, call or email (a chat followed by a call
// about the same pain point was not resolved at first contact either);
// reviews and surveys are not contacts. It works on ClickHouse 18.16:
// equality JOIN ... USING, the time condition in WHERE.
// keys is "id" (a chat with any repeat contact) or "id, pain" (a chat and
// the pain point a repeat contact was about).
func (s *Store) repeatContactsSQL(keys string) string {
	return `SELECT ` + keys + `, 1 AS repeat_contact
    FROM
    (
        SELECT id, customer_id, created_at, arrayJoin(pain_points) AS pain
        FROM ` + s.table(ch.TableConversations) + `
        WHERE created_at >= ? AND created_at < ? AND customer_id != ''
    ) ALL INNER JOIN
    (
        SELECT customer_id, arrayJoin(pain_points) AS pain, created_at AS later_at
        FROM ` + s.table(ch.TableFeedback) + `
        WHERE kind IN ('chat', 'call', 'email') AND customer_id != '' AND created_at >= ? AND created_at < ?
    ) USING (customer_id, pain)
    WHERE later_at > created_at AND later_at <= created_at + ?
    GROUP BY ` + keys
}

// fcrArgs are the arguments of repeatContactsSQL.
func fcrArgs(from, to time.Time, window time.Duration) []any {
	return []any{from, to, from, to.Add(window), int64(window / time.Second)}
}

// chatRange truncates a range to seconds (DateTime) in UTC.
func chatRange(from, to time.Time) (time.Time, time.Time) {
	return from.UTC().Truncate(time.Second), to.UTC().Truncate(time.Second)
}

func normWindow(w time.Duration) time.Duration {
	if w <= 0 {
		return DefaultFCRWindow
	}
	return w
}

// ServiceStats returns per agent, team or day the service metrics of the
// chats created in [from, to): volume, resolution, first-contact resolution
// (FCR) over a window (0: DefaultFCRWindow), service times, CSAT,
// compliance violations, escalations and transfers; ordered by key.
//
// FCR is computed at query time, as rows are never updated: a chat is
// resolved at first contact when it did not end unresolved and no contact
// of the same customer (chat, call or email, looked up until to+window) raised one
// of its pain points within the window after it. Chats without a customer
// id or without pain points cannot be matched with a repeat contact.
func (s *Store) ServiceStats(ctx context.Context, by GroupBy, from, to time.Time, window time.Duration) ([]ServiceStats, error) {
	key, err := by.expr()
	if err != nil {
		return nil, err
	}
	from, to = chatRange(from, to)
	window = normWindow(window)
	q := `SELECT ` + key + ` AS key,
    count() AS conversations,
    countIf(resolution = 'resolved') AS resolved,
    countIf(resolution = 'unresolved') AS unresolved,
    sum(repeat_contact) AS repeats,
    countIf(resolution != 'unresolved' AND repeat_contact = 0) AS fcr,
    countIf(first_response_s >= 0) AS n_first, sumIf(toFloat64(first_response_s), first_response_s >= 0) AS sum_first,
    countIf(avg_response_s >= 0) AS n_art, sumIf(toFloat64(avg_response_s), avg_response_s >= 0) AS sum_art,
    countIf(handle_time_s >= 0) AS n_handle, sumIf(toFloat64(handle_time_s), handle_time_s >= 0) AS sum_handle,
    countIf(csat > 0) AS n_csat, sumIf(toUInt64(csat), csat > 0) AS sum_csat,
    sum(toUInt64(violations)) AS n_violations, sum(toUInt64(forbidden)) AS n_forbidden,
    sum(toUInt64(discouraged)) AS n_discouraged, sum(toUInt64(missing)) AS n_missing,
    sum(toUInt64(escalated)) AS n_escalated, countIf(transfers > 0) AS n_transfers, sum(toUInt64(effort)) AS sum_effort
FROM
(
    SELECT id, agent_id, team, day, resolution, first_response_s, avg_response_s, handle_time_s, csat,
        violations, forbidden, discouraged, missing, escalated, transfers, effort
    FROM ` + s.table(ch.TableConversations) + `
    WHERE created_at >= ? AND created_at < ?
) ANY LEFT JOIN
(
    ` + s.repeatContactsSQL("id") + `
) USING (id)
GROUP BY key
ORDER BY key`
	args := append([]any{from, to}, fcrArgs(from, to, window)...)
	return queryRows(ctx, s, "service stats by "+string(by), q, args, nil, func(r ch.Row) (ServiceStats, error) {
		var st ServiceStats
		var nFirst, nART, nHandle, sumCSAT, sumEffort uint64
		var sumFirst, sumART, sumHandle float64
		if err := r.Scan(&st.Key, &st.Conversations, &st.Resolved, &st.Unresolved, &st.RepeatContacts, &st.FirstContactResolved,
			&nFirst, &sumFirst, &nART, &sumART, &nHandle, &sumHandle, &st.CSATResponses, &sumCSAT,
			&st.Violations, &st.Forbidden, &st.Discouraged, &st.Missing, &st.Escalations, &st.Transfers, &sumEffort); err != nil {
			return st, err
		}
		mean := func(sum float64, n uint64) *float64 {
			if n == 0 {
				return nil
			}
			m := sum / float64(n)
			return &m
		}
		st.FirstResponse, st.ART, st.HandleTime = mean(sumFirst, nFirst), mean(sumART, nART), mean(sumHandle, nHandle)
		st.AvgCSAT = mean(float64(sumCSAT), st.CSATResponses)
		if st.Conversations > 0 {
			st.FCR = float64(st.FirstContactResolved) / float64(st.Conversations)
			st.AvgEffort = float64(sumEffort) / float64(st.Conversations)
		}
		return st, nil
	})
}

// UnresolvedPain is a pain point with how its chats ended.
type UnresolvedPain struct {
	Category       string
	Subcategory    string
	Conversations  uint64
	Unresolved     uint64 // ended unresolved
	RepeatContacts uint64 // followed by a repeat contact about this pain point
	// NotFirstContact are chats unresolved or followed by a repeat contact;
	// UnresolvedShare is Unresolved/Conversations.
	NotFirstContact uint64
	UnresolvedShare float64
}

// Key returns "category/subcategory".
func (p UnresolvedPain) Key() string { return p.Category + "/" + p.Subcategory }

// UnresolvedPainPoints returns the customers' pain points in chats created
// in [from, to) by how often their chats end unresolved (most first), with
// repeat contacts about the same pain point over window (0:
// DefaultFCRWindow); at most limit (0: all).
func (s *Store) UnresolvedPainPoints(ctx context.Context, from, to time.Time, window time.Duration, limit int) ([]UnresolvedPain, error) {
	from, to = chatRange(from, to)
	window = normWindow(window)
	q := `SELECT pain,
    count() AS n,
    countIf(resolution = 'unresolved') AS unresolved,
    sum(repeat_contact) AS repeats,
    countIf(resolution = 'unresolved' OR repeat_contact = 1) AS not_fcr
FROM
(
    SELECT id, resolution, arrayJoin(pain_points) AS pain
    FROM ` + s.table(ch.TableConversations) + `
    WHERE created_at >= ? AND created_at < ?
) ANY LEFT JOIN
(
    ` + s.repeatContactsSQL("id, pain") + `
) USING (id, pain)
GROUP BY pain
ORDER BY unresolved DESC, n DESC, pain`
	if limit > 0 {
		q += fmt.Sprintf("\nLIMIT %d", limit)
	}
	args := append([]any{from, to}, fcrArgs(from, to, window)...)
	return queryRows(ctx, s, "unresolved pain points", q, args, nil, func(r ch.Row) (UnresolvedPain, error) {
		var p UnresolvedPain
		var key string
		if err := r.Scan(&key, &p.Conversations, &p.Unresolved, &p.RepeatContacts, &p.NotFirstContact); err != nil {
			return p, err
		}
		p.Category, p.Subcategory, _ = strings.Cut(key, "/")
		if p.Conversations > 0 {
			p.UnresolvedShare = float64(p.Unresolved) / float64(p.Conversations)
		}
		return p, nil
	})
}

// RuleCount counts the violations of one compliance rule.
type RuleCount struct {
	Kind          string // forbidden, discouraged or missing
	Rule          string // 推诿, 问候 …
	Violations    uint64
	Conversations uint64 // distinct chats with it
	Agents        uint64 // distinct agents with it
}

// ViolationsByRule returns the compliance violations of chats created in
// [from, to) per kind and rule, most frequent first; agent limits them to
// one agent when set.
func (s *Store) ViolationsByRule(ctx context.Context, from, to time.Time, agent string) ([]RuleCount, error) {
	q := `SELECT kind, rule, count() AS n, uniqExact(kafka_topic, kafka_partition, kafka_offset) AS chats, uniqExact(agent_id) AS agents
FROM ` + s.table(ch.TableViolations) + `
WHERE created_at >= ? AND created_at < ?`
	f, t := chatRange(from, to)
	args := []any{f, t}
	if agent != "" {
		q += " AND agent_id = ?"
		args = append(args, agent)
	}
	q += "\nGROUP BY kind, rule\nORDER BY n DESC, kind, rule"
	return queryRows(ctx, s, "violations by rule", q, args, nil, func(row ch.Row) (RuleCount, error) {
		var r RuleCount
		if err := row.Scan(&r.Kind, &r.Rule, &r.Violations, &r.Conversations, &r.Agents); err != nil {
			return r, err
		}
		return r, nil
	})
}
