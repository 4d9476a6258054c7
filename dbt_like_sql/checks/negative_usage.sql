-- Usage rows with a negative usage amount (CUR, CUR 2.0 lineItem/UsageAmount; FOCUS ConsumedQuantity), by
-- source, month, service and unit. They are kept in raw and the ledger with flag 'negative_usage' and left
-- out of the usage estimate (emissions flag 'negative_usage', no figure): netting them against the positive
-- rows would hide them, and estimating them alone would give negative emissions. A warning, not a block:
-- the positive rows they correct are still estimated in full, so the estimate errs high by their share.
SELECT period_month, source_id, source_kind, provider, service, unit,
    SUM(line_item_count) AS line_items, SUM(quantity) AS negative_quantity, SUM(cost) AS cost,
    string_agg(DISTINCT currency, ', ' ORDER BY currency) AS currencies
FROM ledger.activity
WHERE flag = 'negative_usage'
  AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
GROUP BY ALL
ORDER BY 1, 2, 5, 6
