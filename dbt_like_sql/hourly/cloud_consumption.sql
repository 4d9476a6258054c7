-- Cloud usage-estimate kWh by UTC hour and provider region. The monthly ledger stays the ledger of record:
-- each estimated activity's kWh (emissions.activity_emissions, location rows) is spread over the hours its
-- billing rows were used, in proportion to their usage amount (a row spanning several hours is spread evenly over
-- them), for the CUR, CUR 2.0 and FOCUS sources whose option `hourly: true` is set ($hourly_sources) and whose
-- line items are kept in raw. Any other estimated activity is spread flat over its month (cloud_profiled_flat).
-- FOCUS: raw keeps ChargePeriodStart only (the annual raw schema is pinned), and an export has one granularity,
-- so a source-month whose charge periods start at other times than midnight is hourly (each usage row its hour,
-- focus_hourly); one whose rows start at midnight on several days is daily (each row over its day); a monthly one
-- is spread flat. The ledger's keys for FOCUS are those of ledger/activity_focus.sql (other providers) and
-- ledger/activity_cloud_billing.sql (AWS; a usage type it derives from a description is not rebuilt here: flat).
-- Embodied emissions are not electricity: they stay out of the hourly figure (and of the annual one it is
-- compared with, marts.hourly_vs_annual). Months [$start, $end) only.
WITH estimated AS (
    SELECT
        e.activity_id, e.period_month, e.energy_kwh,
        a.provider, a.region, a.source_id, a.account_id, a.service, a.usage_type
    FROM emissions.activity_emissions AS e
    JOIN ledger.activity AS a ON a.activity_id = e.activity_id AND a.period_month = e.period_month
    WHERE e.method = 'location' AND e.basis = 'estimated_usage' AND e.energy_kwh > 0
      AND e.period_month >= CAST($start AS DATE) AND e.period_month < CAST($end AS DATE)
),
focus_grain AS (
    SELECT source_id, period_month,
        CASE WHEN bool_or(charge_period_start <> date_trunc('day', charge_period_start)) THEN INTERVAL 1 HOUR
             WHEN count(DISTINCT CAST(charge_period_start AS DATE)) > 1 THEN INTERVAL 1 DAY END AS span
    FROM raw.focus_charges
    WHERE list_contains(CAST($hourly_sources AS VARCHAR[]), source_id) AND charge_period_start IS NOT NULL
      AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
    HAVING span IS NOT NULL
),
line_items AS (
    SELECT source_id, period_month, usage_account_id, region_code, product_code, usage_type,
           usage_start, usage_end, usage_amount, line_item_type, 'cur_hourly' AS shape
    FROM raw.aws_cur_line_items
    WHERE list_contains(CAST($hourly_sources AS VARCHAR[]), source_id)
      AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    UNION ALL
    SELECT source_id, period_month, usage_account_id, region_code, product_code, usage_type,
           usage_start, usage_end, usage_amount, line_item_type, 'cur_hourly'
    FROM raw.aws_cur2_line_items
    WHERE list_contains(CAST($hourly_sources AS VARCHAR[]), source_id)
      AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    UNION ALL
    SELECT f.source_id, f.period_month, COALESCE(f.sub_account_id, f.billing_account_id),
        f.region,
        CASE WHEN f.provider = 'aws' THEN COALESCE(f.service_code, f.service_name)
             ELSE COALESCE(f.service_name, 'unknown') END,
        CASE WHEN f.provider = 'aws' THEN COALESCE(f.usage_type,
                 CASE WHEN NOT contains(f.sku_meter, ' ') AND regexp_matches(f.sku_meter, '[:-]') THEN f.sku_meter END)
             ELSE NULLIF(concat_ws(':', f.service_category, f.consumed_unit), '') END,
        f.charge_period_start, f.charge_period_start + g.span, f.consumed_quantity, 'Usage', 'focus_hourly'
    FROM raw.focus_charges AS f
    JOIN focus_grain AS g USING (source_id, period_month)
    WHERE list_contains(CAST($hourly_sources AS VARCHAR[]), f.source_id)
      AND f.period_month >= CAST($start AS DATE) AND f.period_month < CAST($end AS DATE)
      AND f.charge_category = 'Usage' AND f.charge_class IS NULL AND f.flag IS DISTINCT FROM 'commitment_negation'
),
spans AS (
    SELECT
        source_id, period_month, usage_account_id AS account_id, COALESCE(region_code, 'global') AS region,
        product_code AS service, usage_type, usage_amount, shape,
        generate_series(
            date_trunc('hour', usage_start),
            greatest(COALESCE(usage_end, usage_start + INTERVAL 1 HOUR) - INTERVAL 1 MICROSECOND,
                     date_trunc('hour', usage_start)),
            INTERVAL 1 HOUR
        ) AS hours
    FROM line_items
    WHERE usage_amount > 0 AND usage_start IS NOT NULL
      AND line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
),
per_hour AS (
    SELECT source_id, period_month, account_id, region, service, usage_type, shape,
           unnest(hours) AS hour_utc, usage_amount / len(hours) AS amount
    FROM spans
),
shares AS (
    SELECT source_id, period_month, account_id, region, service, usage_type, shape, hour_utc,
           SUM(amount) / SUM(SUM(amount)) OVER (
               PARTITION BY source_id, period_month, account_id, region, service, usage_type, shape
           ) AS share
    FROM per_hour
    GROUP BY source_id, period_month, account_id, region, service, usage_type, shape, hour_utc
),
shaped AS (
    SELECT e.provider || ':' || e.region AS entity, e.period_month, s.hour_utc, e.energy_kwh * s.share AS kwh,
           s.shape
    FROM estimated AS e
    JOIN shares AS s
      ON s.source_id = e.source_id AND s.period_month = e.period_month AND s.account_id IS NOT DISTINCT FROM e.account_id
     AND s.region = e.region AND s.service IS NOT DISTINCT FROM e.service AND s.usage_type IS NOT DISTINCT FROM e.usage_type
),
flat AS (
    SELECT
        e.provider || ':' || e.region AS entity, e.period_month, e.energy_kwh,
        unnest(generate_series(
            CAST(e.period_month AS TIMESTAMP),
            CAST(e.period_month + INTERVAL 1 MONTH AS TIMESTAMP) - INTERVAL 1 HOUR,
            INTERVAL 1 HOUR
        )) AS hour_utc
    FROM estimated AS e
    WHERE NOT EXISTS (
        SELECT 1 FROM shares AS s
        WHERE s.source_id = e.source_id AND s.period_month = e.period_month
          AND s.account_id IS NOT DISTINCT FROM e.account_id AND s.region = e.region
          AND s.service IS NOT DISTINCT FROM e.service AND s.usage_type IS NOT DISTINCT FROM e.usage_type
    )
)
SELECT 'cloud_region' AS entity_kind, entity, period_month, hour_utc, SUM(kwh) AS kwh, shape
FROM (
    SELECT entity, period_month, hour_utc, kwh, shape FROM shaped
    UNION ALL
    SELECT entity, period_month, hour_utc,
           energy_kwh / (24 * day(last_day(period_month))) AS kwh, 'cloud_profiled_flat' AS shape
    FROM flat
)
GROUP BY entity, period_month, hour_utc, shape
