-- The frame the line-item-groups contract (quality/expectations.py) validates: every distinct combination of
-- the values the raw CUR contract judges, over a kind's months, with the smallest line number, group size and
-- usage start behind it. Every line item belongs to one group, so an expectation about these values that holds
-- here holds for every line item of the months: the whole month, not a sample, whether the source copied its
-- line items or references its delivered objects.
SELECT
    usage_account_id,
    payer_account_id,
    line_item_type,
    currency,
    MIN(first_line) AS first_line,
    MIN(line_item_count) AS line_item_count,
    MIN(first_usage_start) AS first_usage_start,
    SUM(line_item_count) AS line_items
FROM raw.cur_line_item_groups
WHERE source_kind = $source_kind AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
GROUP BY usage_account_id, payer_account_id, line_item_type, currency
