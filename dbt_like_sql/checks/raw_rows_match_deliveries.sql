-- Raw rows per source and month must equal the row counts recorded for the loaded deliveries:
-- proves nothing was lost or duplicated between reading an object and storing it.
WITH loaded AS (
    SELECT source_id, period_month, SUM(row_count) AS delivered_rows
    FROM raw.deliveries
    WHERE status = 'loaded' AND source_kind = $source_kind AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY source_id, period_month
),
stored AS (
    SELECT 'aws_cur' AS source_kind, source_id, period_month, COUNT(*) AS stored_rows FROM raw.aws_cur_line_items
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
    UNION ALL
    SELECT 'aws_cur2', source_id, period_month, COUNT(*) FROM raw.aws_cur2_line_items
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
    UNION ALL
    -- a CUR source that references or archives its objects stores the line items' groups: they must add up to
    -- the rows read from the objects (for Parquet, the objects' own row counts)
    SELECT source_kind, source_id, period_month, SUM(line_item_count) FROM raw.cur_line_item_groups
    WHERE raw_storage <> 'copied' AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
    UNION ALL
    SELECT 'aws_carbon', source_id, period_month, COUNT(*) FROM raw.aws_carbon_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
    UNION ALL
    SELECT 'activity_csv', source_id, period_month, COUNT(*) FROM raw.activity_rows
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
    UNION ALL
    -- FOCUS exports and the native exports staged as FOCUS rows (azure_cost_details, gcp_billing_export) share
    -- raw.focus_charges: a source's rows count for the kind its deliveries were recorded under
    SELECT COALESCE(k.source_kind, 'focus'), f.source_id, f.period_month, COUNT(*) FROM raw.focus_charges AS f
    LEFT JOIN (SELECT source_id, MIN(source_kind) AS source_kind FROM raw.deliveries GROUP BY source_id) AS k
        ON k.source_id = f.source_id
    WHERE f.period_month >= CAST($start AS DATE) AND f.period_month < CAST($end AS DATE) GROUP BY ALL
    UNION ALL
    SELECT source_kind, source_id, period_month, COUNT(*) FROM raw.provider_carbon_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
)
SELECT COALESCE(l.source_id, s.source_id) AS source_id, COALESCE(l.period_month, s.period_month) AS period_month,
    l.delivered_rows, s.stored_rows
FROM loaded AS l
FULL OUTER JOIN (SELECT * FROM stored WHERE source_kind = $source_kind) AS s
    ON s.source_id = l.source_id AND s.period_month = l.period_month
WHERE COALESCE(l.delivered_rows, 0) <> COALESCE(s.stored_rows, 0)
ORDER BY 1, 2
