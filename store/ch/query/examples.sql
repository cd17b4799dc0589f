-- Example queries for product and R&D teams over voc's ClickHouse tables
-- (database voc). Each statement ends with ";" at the end of a line; the
-- test suite runs every one of them against a real server.
-- The hourly tables hold a row per Kafka partition, hour and dimensions,
-- versioned until ClickHouse merges them: read them with FINAL and sum()
-- with GROUP BY (conditions on the hour and dimensions may go in PREWHERE,
-- so that FINAL merges only the rows they select).
-- aspect_mentions and pain_hourly hold every kind of customer aspect row:
-- opinions about aspects of the taxonomy (category and subcategory set),
-- topic mentions (category set, subcategory and opinion '', polarity
-- neutral) and open opinions about aspects the taxonomy does not know
-- (category ''). Pain points are polarity = 'negative' AND category != ''.

-- 1. Top pain points this week vs last week.
SELECT
    category,
    subcategory,
    sumIf(mentions, hour >= toDateTime(toMonday(now()))) AS this_week,
    sumIf(mentions, hour < toDateTime(toMonday(now()))) AS last_week
FROM voc.pain_hourly FINAL
WHERE polarity = 'negative' AND category != ''
  AND hour >= toDateTime(toMonday(now())) - INTERVAL 7 DAY
GROUP BY category, subcategory
ORDER BY this_week DESC
LIMIT 20;

-- 2. Rising pain points: last 7 days against the 7 days before, new ones
-- ranked by size ((cur+1)/(prev+1) smooths the division by zero).
SELECT
    category,
    subcategory,
    sumIf(mentions, hour >= now() - INTERVAL 7 DAY) AS cur,
    sumIf(mentions, hour < now() - INTERVAL 7 DAY) AS prev,
    round((cur + 1) / (prev + 1), 2) AS growth
FROM voc.pain_hourly FINAL
WHERE polarity = 'negative' AND category != ''
  AND hour >= now() - INTERVAL 14 DAY
GROUP BY category, subcategory
HAVING cur > prev
ORDER BY cur - prev DESC
LIMIT 20;

-- 3. Daily sentiment trend per channel over the last 30 days.
SELECT
    toDate(hour) AS day,
    channel,
    sum(records) AS n_records,
    round(sum(sentiment_sum) / n_records, 3) AS avg_sentiment,
    round(sum(negative) / n_records, 3) AS negative_share
FROM voc.feedback_hourly FINAL
WHERE hour >= now() - INTERVAL 30 DAY
GROUP BY day, channel
ORDER BY day, channel;

-- 4. Pain points of one product (SKU) in the last 30 days, with example
-- verbatims from the raw table.
SELECT
    category,
    subcategory,
    sum(mentions) AS n_mentions,
    sum(records) AS n_records,
    round(sum(sentiment_sum) / n_records, 3) AS avg_sentiment
FROM voc.pain_hourly FINAL
WHERE polarity = 'negative' AND category != ''
  AND product = 'SKU-1001'
  AND hour >= now() - INTERVAL 30 DAY
GROUP BY category, subcategory
ORDER BY n_mentions DESC;

SELECT m.category, m.subcategory, m.aspect, m.opinion, f.text
FROM voc.aspect_mentions AS m FINAL
ANY INNER JOIN
(
    SELECT kafka_topic, kafka_partition, kafka_offset, text
    FROM voc.feedback FINAL
    WHERE product = 'SKU-1001' AND created_at >= now() - INTERVAL 30 DAY
) AS f USING (kafka_topic, kafka_partition, kafka_offset)
WHERE m.product = 'SKU-1001' AND m.polarity = 'negative' AND m.category != '' AND m.role = 'customer'
  AND m.created_at >= now() - INTERVAL 30 DAY
LIMIT 50;

-- 5. Share of complaints (intent 投诉 or negative sentiment) that come from
-- VIP customers, per week, with the VIP share of all feedback as baseline.
SELECT
    toMonday(hour) AS week,
    sum(complaints) AS n_complaints,
    round(sumIf(complaints, customer_tier = 'vip') / n_complaints, 3) AS vip_complaint_share,
    round(sumIf(records, customer_tier = 'vip') / sum(records), 3) AS vip_record_share
FROM voc.feedback_hourly FINAL
WHERE hour >= now() - INTERVAL 90 DAY
GROUP BY week
ORDER BY week;

-- 6. Escalations per product and channel in the last 7 days.
SELECT
    product,
    channel,
    sum(escalations) AS n_escalations,
    sum(records) AS n_records
FROM voc.feedback_hourly FINAL
WHERE hour >= now() - INTERVAL 7 DAY
GROUP BY product, channel
HAVING n_escalations > 0
ORDER BY n_escalations DESC
LIMIT 20;

-- 7. What agents say about pain points in chats versus what customers say.
SELECT
    category,
    subcategory,
    countIf(role = 'customer') AS customer_mentions,
    countIf(role = 'agent') AS agent_mentions
FROM voc.aspect_mentions FINAL
WHERE kind = 'chat' AND polarity = 'negative' AND category != ''
  AND created_at >= now() - INTERVAL 30 DAY
GROUP BY category, subcategory
ORDER BY customer_mentions DESC
LIMIT 20;

-- 7b. Topic volume per category in the last 7 days against the 7 before:
-- everything customers said about it (pain + praise + neutral opinions
-- and topic mentions, i.e. the category named without an opinion).
SELECT
    category,
    sumIf(mentions, hour >= now() - INTERVAL 7 DAY) AS volume,
    sumIf(mentions, hour >= now() - INTERVAL 7 DAY AND polarity = 'negative') AS pain,
    sumIf(mentions, hour >= now() - INTERVAL 7 DAY AND polarity = 'positive') AS praise,
    sumIf(mentions, hour >= now() - INTERVAL 7 DAY AND polarity = 'neutral') AS neutral,
    sumIf(mentions, hour >= now() - INTERVAL 7 DAY AND subcategory = '') AS topic_mentions,
    sumIf(mentions, hour < now() - INTERVAL 7 DAY) AS previous_volume
FROM voc.pain_hourly FINAL
WHERE category != '' AND hour >= now() - INTERVAL 14 DAY
GROUP BY category
ORDER BY volume DESC;

-- 7c. Records talking about each category (distinct records, from the raw
-- rows: a record's rows of one category may spread over subcategories).
SELECT
    category,
    uniqExact(kafka_topic, kafka_partition, kafka_offset) AS n_records,
    count() AS volume
FROM voc.aspect_mentions FINAL
WHERE role = 'customer' AND category != '' AND created_at >= now() - INTERVAL 7 DAY
GROUP BY category
ORDER BY volume DESC;

-- 7d. Emerging aspects: opinions about aspects the taxonomy does not know
-- (category ''), last 7 days, with their commonest opinion words, the
-- negative share and whether they were seen in the 7 days before.
SELECT
    aspect,
    uniqExactIf(kafka_topic, kafka_partition, kafka_offset, created_at >= now() - INTERVAL 7 DAY) AS n_records,
    countIf(created_at >= now() - INTERVAL 7 DAY) AS n_mentions,
    round(countIf(created_at >= now() - INTERVAL 7 DAY AND polarity = 'negative') / n_mentions, 3) AS negative_share,
    topKIf(3)(opinion, created_at >= now() - INTERVAL 7 DAY) AS opinions,
    countIf(created_at < now() - INTERVAL 7 DAY) = 0 AS is_new
FROM voc.aspect_mentions FINAL
WHERE role = 'customer' AND category = '' AND aspect != ''
  AND created_at >= now() - INTERVAL 14 DAY
GROUP BY aspect
HAVING n_mentions > 0
ORDER BY n_records DESC, n_mentions DESC
LIMIT 20;

-- 8. Exact counts after merges of duplicates (FINAL), e.g. after a
-- rebalance with two consumers writing at once.
SELECT count() AS n_records, countIf(escalation = 1) AS n_escalations
FROM voc.feedback FINAL
WHERE created_at >= now() - INTERVAL 7 DAY;

-- Chats: voc.conversations has one row per chat (agent_id, team, resolution,
-- service times in seconds with -1 for unknown, CSAT, escalation, effort,
-- compliance counts); voc.agent_violations one row per compliance
-- violation, with its span in the agent turn's masked text.

-- 9. Service metrics per agent in the last 30 days: volume, resolution,
-- first response, ART and handle time (over the chats whose timestamps give
-- them), CSAT, compliance violations and escalations.
SELECT
    agent_id,
    team,
    count() AS chats,
    round(countIf(resolution = 'resolved') / chats, 3) AS resolved_share,
    round(avgIf(first_response_s, first_response_s >= 0), 1) AS first_response_s,
    round(avgIf(avg_response_s, avg_response_s >= 0), 1) AS art_s,
    round(avgIf(handle_time_s, handle_time_s >= 0), 1) AS handle_time_s,
    countIf(csat > 0) AS csat_answers,
    round(avgIf(csat, csat > 0), 2) AS avg_csat,
    sum(violations) AS n_violations,
    sum(forbidden) AS n_forbidden,
    sum(escalated) AS n_escalations,
    round(avg(effort), 2) AS avg_effort
FROM voc.conversations FINAL
WHERE created_at >= now() - INTERVAL 30 DAY
GROUP BY agent_id, team
ORDER BY chats DESC;

-- 10. First-contact resolution (FCR) per team and week. A chat is resolved
-- at first contact when it did not end unresolved and the same customer
-- made no other contact (chat, call, email) about one of its pain points
-- within 7 days after it (change 7 * 86400 for another window). Computed
-- at query time: rows are never updated.
SELECT
    team,
    toMonday(created_at) AS week,
    count() AS chats,
    sum(repeat_contact) AS repeat_contacts,
    round(countIf(resolution != 'unresolved' AND repeat_contact = 0) / chats, 3) AS fcr
FROM
(
    SELECT id, team, created_at, resolution
    FROM voc.conversations FINAL
    WHERE created_at >= now() - INTERVAL 90 DAY
) ANY LEFT JOIN
(
    SELECT id, 1 AS repeat_contact
    FROM
    (
        SELECT id, customer_id, created_at, arrayJoin(pain_points) AS pain
        FROM voc.conversations FINAL
        WHERE created_at >= now() - INTERVAL 90 DAY AND customer_id != ''
    ) ALL INNER JOIN
    (
        SELECT customer_id, arrayJoin(pain_points) AS pain, created_at AS later_at
        FROM voc.feedback FINAL
        WHERE kind IN ('chat', 'call', 'email') AND customer_id != '' AND created_at >= now() - INTERVAL 90 DAY
    ) USING (customer_id, pain)
    WHERE later_at > created_at AND later_at <= created_at + 7 * 86400
    GROUP BY id
) USING (id)
GROUP BY team, week
ORDER BY week, team;

-- 11. Per team and day: chat volume, escalations, transfers, compliance
-- violations and CSAT.
SELECT
    day,
    team,
    count() AS chats,
    sum(escalated) AS n_escalations,
    countIf(transfers > 0) AS with_transfer,
    sum(violations) AS n_violations,
    round(avgIf(csat, csat > 0), 2) AS avg_csat
FROM voc.conversations FINAL
WHERE created_at >= now() - INTERVAL 14 DAY
GROUP BY day, team
ORDER BY day, team;

-- 12. Pain points that most often end unresolved in chats (last 30 days),
-- with the share that needed a repeat contact about the same pain point.
SELECT
    pain,
    count() AS chats,
    countIf(resolution = 'unresolved') AS unresolved,
    round(unresolved / chats, 3) AS unresolved_share,
    round(sum(repeat_contact) / chats, 3) AS repeat_share
FROM
(
    SELECT id, resolution, arrayJoin(pain_points) AS pain
    FROM voc.conversations FINAL
    WHERE created_at >= now() - INTERVAL 30 DAY
) ANY LEFT JOIN
(
    SELECT id, pain, 1 AS repeat_contact
    FROM
    (
        SELECT id, customer_id, created_at, arrayJoin(pain_points) AS pain
        FROM voc.conversations FINAL
        WHERE created_at >= now() - INTERVAL 30 DAY AND customer_id != ''
    ) ALL INNER JOIN
    (
        SELECT customer_id, arrayJoin(pain_points) AS pain, created_at AS later_at
        FROM voc.feedback FINAL
        WHERE kind IN ('chat', 'call', 'email') AND customer_id != '' AND created_at >= now() - INTERVAL 30 DAY
    ) USING (customer_id, pain)
    WHERE later_at > created_at AND later_at <= created_at + 7 * 86400
    GROUP BY id, pain
) USING (id, pain)
GROUP BY pain
ORDER BY unresolved DESC, chats DESC
LIMIT 20;

-- 13. Compliance violations per agent and rule in the last 30 days, with
-- an example phrase and the agent turn it was found in (span_start and
-- span_end are character offsets into text; 0, 0 for a missing phrase).
SELECT
    agent_id,
    kind,
    rule,
    count() AS n,
    any(phrase) AS example_phrase,
    any(text) AS example_turn
FROM voc.agent_violations FINAL
WHERE created_at >= now() - INTERVAL 30 DAY
GROUP BY agent_id, kind, rule
ORDER BY n DESC
LIMIT 50;

-- 14. How chats end: resolution and its reason, with the customer's mood
-- trajectory and escalation risk.
SELECT
    resolution,
    resolution_reason,
    count() AS chats,
    countIf(trajectory = 'worsened') AS worsened,
    round(avg(escalation_risk), 3) AS avg_risk
FROM voc.conversations FINAL
WHERE created_at >= now() - INTERVAL 30 DAY
GROUP BY resolution, resolution_reason
ORDER BY chats DESC;

-- 15. Escalation reasons in escalated chats of the last 30 days.
SELECT
    arrayJoin(escalation_reasons) AS reason,
    count() AS chats
FROM voc.conversations FINAL
WHERE escalated = 1 AND created_at >= now() - INTERVAL 30 DAY
GROUP BY reason
ORDER BY chats DESC;
