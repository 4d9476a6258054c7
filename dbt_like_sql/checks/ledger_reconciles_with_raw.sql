-- Ledger cost and line-item count per source, month and currency equal the raw rows exactly
-- (DECIMAL arithmetic): every raw row is carried into exactly one ledger row.
WITH raw_side AS (
    SELECT source_id, period_month, currency, COUNT(*) AS line_items, SUM(unblended_cost) AS cost
    FROM raw.aws_cur_line_items
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
    UNION ALL
    SELECT source_id, period_month, currency, COUNT(*), SUM(unblended_cost)
    FROM raw.aws_cur2_line_items
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
    UNION ALL
    -- referenced or archived CUR objects: their line items' groups are the raw side (copied months are compared with the
    -- copies themselves above, so the groups the ledger reads are checked against them too)
    SELECT source_id, period_month, currency, SUM(line_item_count), SUM(cost)
    FROM raw.cur_line_item_groups
    WHERE raw_storage <> 'copied' AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
    UNION ALL
    SELECT source_id, period_month, COALESCE(currency, ''), COUNT(*), SUM(COALESCE(cost, 0))
    FROM raw.activity_rows
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
    UNION ALL
    SELECT source_id, period_month, currency, COUNT(*), SUM(billed_cost)
    FROM raw.focus_charges
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
),
ledger_side AS (
    SELECT source_id, period_month, COALESCE(currency, '') AS currency, SUM(line_item_count) AS line_items,
        SUM(COALESCE(cost, 0)) AS cost
    FROM ledger.activity
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
)
SELECT COALESCE(r.source_id, l.source_id) AS source_id, COALESCE(r.period_month, l.period_month) AS period_month,
    COALESCE(r.currency, l.currency) AS currency, r.line_items AS raw_line_items, l.line_items AS ledger_line_items,
    r.cost AS raw_cost, l.cost AS ledger_cost
FROM raw_side AS r
FULL OUTER JOIN ledger_side AS l
    ON l.source_id = r.source_id AND l.period_month = r.period_month AND l.currency = COALESCE(r.currency, '')
WHERE r.line_items IS DISTINCT FROM l.line_items OR COALESCE(r.cost, 0) <> COALESCE(l.cost, 0)
ORDER BY 1, 2, 3
