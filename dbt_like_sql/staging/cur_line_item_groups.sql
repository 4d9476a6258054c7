-- Typed CUR line items (legacy CUR or CUR 2.0, the rows of staging/aws_cur_line_items.sql) -> one row per
-- distinct combination of every column the ledger keeps, with the line items' count, first line and sums.
-- `cur_line_items` is either the rows just copied into raw.aws_cur_line_items / raw.aws_cur2_line_items
-- (raw_line_items: copy) or the staging model over a delivered object itself, never written row by row
-- (raw_line_items: reference, docs/performance.md). The ledger reads these groups, not the line items, so
-- the ledger is the same whichever way the rows were kept; payer, last line and usage period are kept for
-- the raw contract and the audit trail, not for the ledger.
SELECT
    $source_kind AS source_kind,
    $raw_storage AS raw_storage,
    source_id,
    period_month,
    assembly_id,
    object_key,
    payer_account_id,
    usage_account_id,
    region_code,
    product_code,
    usage_type,
    line_item_type,
    instance_type,
    vcpu,
    pricing_unit,
    currency,
    flag,
    COUNT(*) AS line_item_count,
    MIN(object_line) AS first_line,
    MAX(object_line) AS last_line,
    MIN(usage_start) AS first_usage_start,
    MAX(usage_start) AS last_usage_start,
    SUM(COALESCE(usage_amount, 0)) AS quantity,
    SUM(COALESCE(unblended_cost, 0)) AS cost
FROM cur_line_items
GROUP BY
    source_id, period_month, assembly_id, object_key, payer_account_id, usage_account_id, region_code, product_code,
    usage_type, line_item_type, instance_type, vcpu, pricing_unit, currency, flag
