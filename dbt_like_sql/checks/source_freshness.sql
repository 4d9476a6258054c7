-- Sources of kind $source_kind with no loaded delivery for a month their delivery calendar says must be
-- there by $as_of (the run date), between the source's first delivered month and the latest month due.
-- Deliberately not limited to the run's months: freshness is a property of the source as of today.
-- The calendar is the kind's own (sources/<kind>/__init__.py, DeliveryCalendar): month M is due on day
-- $due_day of M + $due_after_months, and warned about only once $tolerated_months more have passed.
WITH calendar AS (
    SELECT CAST($source_kind AS VARCHAR) AS source_kind, CAST($due_after_months AS INTEGER) AS due_after_months,
        CAST($due_day AS INTEGER) AS due_day, CAST($tolerated_months AS INTEGER) AS tolerated_months,
        CAST($delivery_calendar AS VARCHAR) AS delivery_calendar
),
sources AS (
    SELECT source_id, source_kind, MIN(period_month) AS first_month,
        MAX(period_month) FILTER (WHERE status = 'loaded') AS last_loaded_month
    FROM raw.deliveries
    WHERE source_kind = $source_kind
    GROUP BY ALL
),
expected AS (
    SELECT s.source_id, s.source_kind, s.last_loaded_month, c.delivery_calendar,
        CAST(m.month AS DATE) AS period_month,
        CAST(m.month + to_months(c.due_after_months) + to_days(c.due_day - 1) AS DATE) AS due_on,
        CAST(m.month + to_months(c.due_after_months + c.tolerated_months) + to_days(c.due_day - 1) AS DATE) AS warn_from
    FROM sources AS s
    JOIN calendar AS c ON c.source_kind = s.source_kind
    CROSS JOIN unnest(generate_series(
        CAST(s.first_month AS TIMESTAMP), CAST(date_trunc('month', CAST($as_of AS DATE)) AS TIMESTAMP), INTERVAL 1 MONTH
    )) AS m(month)
),
missing AS (
    SELECT e.* FROM expected AS e
    WHERE e.warn_from <= CAST($as_of AS DATE)
      AND NOT EXISTS (
          SELECT 1 FROM raw.deliveries AS d
          WHERE d.source_id = e.source_id AND d.period_month = e.period_month AND d.status = 'loaded'
      )
)
SELECT source_id, source_kind, last_loaded_month, COUNT(*) AS missing_months,
    string_agg(strftime(period_month, '%Y-%m'), ', ' ORDER BY period_month) AS months_missing,
    MIN(due_on) AS oldest_due_on, MIN(warn_from) AS warned_from, CAST($as_of AS DATE) AS as_of,
    ANY_VALUE(delivery_calendar) AS delivery_calendar
FROM missing
GROUP BY source_id, source_kind, last_loaded_month
ORDER BY 1
