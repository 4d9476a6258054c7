-- Site electricity by UTC hour: interval meter readings where a site has them for the month; otherwise the
-- month's billed kWh (ledger.activity) spread over the month's hours by the site's load profile (flat unless
-- hourly.site_profiles names one), every such hour flagged profiled. Months [$start, $end) only.
WITH bills AS (
    SELECT
        site,
        period_month,
        SUM(CASE lower(unit) WHEN 'kwh' THEN quantity WHEN 'mwh' THEN quantity * 1000 END) AS kwh
    FROM ledger.activity
    WHERE activity_type = 'electricity' AND site IS NOT NULL
      AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY site, period_month
),
metered AS (
    SELECT site, CAST(date_trunc('month', hour_utc) AS DATE) AS period_month, hour_utc, SUM(kwh) AS kwh
    FROM hourly.meter_hours
    WHERE hour_utc >= CAST($start AS TIMESTAMP) AND hour_utc < CAST($end AS TIMESTAMP)
    GROUP BY ALL
),
profiled_hours AS (
    SELECT
        b.site,
        b.period_month,
        b.kwh,
        unnest(generate_series(
            CAST(b.period_month AS TIMESTAMP),
            CAST(b.period_month + INTERVAL 1 MONTH AS TIMESTAMP) - INTERVAL 1 HOUR,
            INTERVAL 1 HOUR
        )) AS hour_utc
    FROM bills AS b
    WHERE b.kwh IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM metered AS m WHERE m.site = b.site AND m.period_month = b.period_month)
),
weighted AS (
    SELECT h.*, sp.profile, COALESCE(p.weight, 1.0) AS weight
    FROM profiled_hours AS h
    LEFT JOIN hourly.site_profiles AS sp ON sp.site = h.site
    LEFT JOIN hourly.load_profiles AS p ON p.profile = sp.profile AND p.hour_of_day = hour(h.hour_utc)
)
SELECT
    'site' AS entity_kind,
    site AS entity,
    period_month,
    hour_utc,
    kwh * weight / SUM(weight) OVER (PARTITION BY site, period_month) AS kwh,
    CASE WHEN profile IS NULL THEN 'profiled_flat' ELSE 'profiled:' || profile END AS shape
FROM weighted
UNION ALL
SELECT 'site', site, period_month, hour_utc, kwh, 'metered' FROM metered
