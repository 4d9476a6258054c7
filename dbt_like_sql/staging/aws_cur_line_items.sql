-- CUR file -> typed raw rows, for legacy CUR (raw.aws_cur_line_items) and CUR 2.0 (raw.aws_cur2_line_items).
-- `cur_file` is one manifest-listed object with its header already normalised to the Parquet/Athena
-- snake_case names (CUR 2.0's product map flattened to product_region, ...). Every value is VARCHAR except,
-- in a Parquet object, the five columns this model casts (dates, usage, cost, vCPU), which keep their
-- Parquet type when it is numeric or a timestamp: a DOUBLE written as text and parsed back cost more than
-- the rest of the scan (docs/performance.md), so the casts below accept either (TRY_CAST of '' is NULL).
-- Timestamps: TRY_CAST reads the three forms seen in real files (2023-11-01T00:00:00Z, ...00.000Z and
-- 2018-06-20 01:00:00); all are UTC. Currency is kept as delivered: the ledger reconciles per currency.
-- Casts are TRY_CASTs; the WHERE clause below refuses a present value that fails its cast (or a missing
-- required one) by aborting the statement, so nothing of the object is written.
SELECT
    $source_id AS source_id,
    CAST($period_month AS DATE) AS period_month,
    $assembly_id AS assembly_id,
    $object_key AS object_key,
    object_line,
    NULLIF(identity_line_item_id, '') AS line_item_id,
    NULLIF(bill_payer_account_id, '') AS payer_account_id,
    NULLIF(line_item_usage_account_id, '') AS usage_account_id,
    NULLIF(line_item_line_item_type, '') AS line_item_type,
    NULLIF(line_item_product_code, '') AS product_code,
    NULLIF(line_item_usage_type, '') AS usage_type,
    NULLIF(line_item_operation, '') AS operation,
    TRY_CAST(line_item_usage_start_date AS TIMESTAMP) AS usage_start,
    TRY_CAST(line_item_usage_end_date AS TIMESTAMP) AS usage_end,
    TRY_CAST(line_item_usage_amount AS DOUBLE) AS usage_amount,
    NULLIF(pricing_unit, '') AS pricing_unit,
    TRY_CAST(line_item_unblended_cost AS DECIMAL(38, 10)) AS unblended_cost,
    COALESCE(NULLIF(line_item_currency_code, ''), 'USD') AS currency,
    COALESCE(NULLIF(product_region_code, ''), NULLIF(product_region, '')) AS region_code,
    NULLIF(product_location, '') AS product_location,
    NULLIF(product_instance_type, '') AS instance_type,
    TRY_CAST(product_vcpu AS INTEGER) AS vcpu,
    CASE
        -- a Usage row can carry no negative physical usage: kept, flagged, left out of the usage estimate
        -- (checks/negative_usage.sql reports it) instead of being netted against the positive rows
        WHEN TRY_CAST(line_item_usage_amount AS DOUBLE) < 0
             AND line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
        THEN 'negative_usage'
        WHEN TRY_CAST(line_item_usage_start_date AS TIMESTAMP) < CAST($period_month AS TIMESTAMP)
          OR TRY_CAST(line_item_usage_start_date AS TIMESTAMP)
             >= CAST($period_month AS TIMESTAMP) + INTERVAL 1 MONTH
        THEN 'usage_outside_billing_period'
    END AS flag,
    -- the dynamic columns as JSON object text, NULL when empty: CUR 2.0's maps, legacy CUR's resourceTags/*
    -- and costCategory/* columns folded by aws_cur.tag_maps
    NULLIF(NULLIF(resource_tags, ''), '{}') AS resource_tags,
    NULLIF(NULLIF(cost_category, ''), '{}') AS cost_category
FROM cur_file
-- Validation in the same single pass over the object: a row with an unusable cell aborts the whole
-- statement (and so the caller's transaction), so nothing of the object is written. The conditions are
-- those of the companion model aws_cur_line_items__invalid.sql, which the reader then runs over the object
-- to name the row, column and value (carbon_pipeline/sources/validation.py); the error's text is not read.
-- The condition is NULL for every good row, so nothing is filtered.
WHERE (
    CASE
        WHEN (line_item_usage_amount IS NOT NULL
              AND (TRY_CAST(line_item_usage_amount AS DOUBLE) IS NULL
                   OR NOT isfinite(TRY_CAST(line_item_usage_amount AS DOUBLE)))
              AND CAST(line_item_usage_amount AS VARCHAR) <> '')
          OR (line_item_unblended_cost IS NOT NULL
              AND TRY_CAST(line_item_unblended_cost AS DECIMAL(38, 10)) IS NULL
              AND CAST(line_item_unblended_cost AS VARCHAR) <> '')
          OR TRY_CAST(line_item_usage_start_date AS TIMESTAMP) IS NULL
          OR NULLIF(line_item_usage_account_id, '') IS NULL
          OR NULLIF(line_item_line_item_type, '') IS NULL
            THEN error('carbon_pipeline: an unusable cell (staging/aws_cur_line_items__invalid.sql names it)')
    END
) IS NULL
