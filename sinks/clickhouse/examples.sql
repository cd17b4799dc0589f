-- Example queries for product and R&D teams over voc's ClickHouse tables
-- (database voc). Each statement ends with ";" at the end of a line; the
-- test suite runs every one of them against a real server.
-- The hourly tables are SummingMergeTree: always sum() with GROUP BY.

-- 1. Top pain points this week vs last week.
SELECT
    category,
    subcategory,
    sumIf(mentions, hour >= toDateTime(toMonday(now()))) AS this_week,
    sumIf(mentions, hour < toDateTime(toMonday(now()))) AS last_week
FROM voc.pain_hourly
WHERE polarity = 'negative'
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
FROM voc.pain_hourly
WHERE polarity = 'negative'
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
FROM voc.feedback_hourly
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
FROM voc.pain_hourly
WHERE polarity = 'negative'
  AND product = 'SKU-1001'
  AND hour >= now() - INTERVAL 30 DAY
GROUP BY category, subcategory
ORDER BY n_mentions DESC;

SELECT m.category, m.subcategory, m.aspect, m.opinion, f.text
FROM voc.aspect_mentions AS m
ANY INNER JOIN
(
    SELECT kafka_topic, kafka_partition, kafka_offset, text
    FROM voc.feedback
    WHERE product = 'SKU-1001' AND created_at >= now() - INTERVAL 30 DAY
) AS f USING (kafka_topic, kafka_partition, kafka_offset)
WHERE m.product = 'SKU-1001' AND m.polarity = 'negative' AND m.role = 'customer'
  AND m.created_at >= now() - INTERVAL 30 DAY
LIMIT 50;

-- 5. Share of complaints (intent 投诉 or negative sentiment) that come from
-- VIP customers, per week, with the VIP share of all feedback as baseline.
SELECT
    toMonday(hour) AS week,
    sum(complaints) AS n_complaints,
    round(sumIf(complaints, customer_tier = 'vip') / n_complaints, 3) AS vip_complaint_share,
    round(sumIf(records, customer_tier = 'vip') / sum(records), 3) AS vip_record_share
FROM voc.feedback_hourly
WHERE hour >= now() - INTERVAL 90 DAY
GROUP BY week
ORDER BY week;

-- 6. Escalations per product and channel in the last 7 days.
SELECT
    product,
    channel,
    sum(escalations) AS n_escalations,
    sum(records) AS n_records
FROM voc.feedback_hourly
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
FROM voc.aspect_mentions
WHERE kind = 'chat' AND polarity = 'negative'
  AND created_at >= now() - INTERVAL 30 DAY
GROUP BY category, subcategory
ORDER BY customer_mentions DESC
LIMIT 20;

-- 8. Exact counts after merges of duplicates (FINAL), e.g. after a
-- rebalance with two consumers writing at once.
SELECT count() AS n_records, countIf(escalation = 1) AS n_escalations
FROM voc.feedback FINAL
WHERE created_at >= now() - INTERVAL 7 DAY;
