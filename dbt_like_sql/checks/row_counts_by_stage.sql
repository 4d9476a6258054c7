-- Row counts by stage per source and month, in raw line items. Raw rows -> ledger line items must be
-- equal (every raw row lands in exactly one ledger row); each ledger line item is then either estimable
-- (carried on to an emission figure) or not carried, with its reason: cost_only (a charge, not usage),
-- unclassified (no estimation coefficient) or the row's flag. With $through_emissions, every estimable
-- line item must also have an emission figure or an emission flag saying why not. Only unexplained
-- line items make a row offending; $all_rows returns every row (the per-stage table shown in the UI).
WITH raw_side AS (
    SELECT source_id, period_month, COUNT(*) AS raw_line_items FROM raw.aws_cur_line_items
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
    UNION ALL
    SELECT source_id, period_month, COUNT(*) FROM raw.aws_cur2_line_items
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
    UNION ALL
    -- CUR sources that reference or archive their delivered objects keep only the line items' groups
    SELECT source_id, period_month, SUM(line_item_count) FROM raw.cur_line_item_groups
    WHERE raw_storage <> 'copied' AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
    UNION ALL
    SELECT source_id, period_month, COUNT(*) FROM raw.activity_rows
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
    UNION ALL
    SELECT source_id, period_month, COUNT(*) FROM raw.focus_charges
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
),
emitted AS (
    SELECT activity_id, period_month, bool_or(tco2e IS NOT NULL) AS has_figure, MIN(flag) AS flag
    FROM emissions.activity_emissions
    WHERE $through_emissions AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
),
fate AS (
    SELECT a.source_id, a.period_month, a.line_item_count, a.estimation_class,
        CASE
            WHEN a.estimation_class IN ('cost_only', 'unclassified') THEN a.estimation_class || COALESCE(' (' || a.flag || ')', '')
            WHEN a.flag IS NOT NULL THEN 'flagged (' || a.flag || ')'
        END AS not_carried,
        COALESCE(e.has_figure, FALSE) AS has_figure, e.flag AS emission_flag
    FROM ledger.activity AS a
    LEFT JOIN emitted AS e ON e.activity_id = a.activity_id AND e.period_month = a.period_month
    WHERE a.period_month >= CAST($start AS DATE) AND a.period_month < CAST($end AS DATE)
),
reasons AS (
    SELECT source_id, period_month, reason, SUM(line_item_count) AS line_items
    FROM (
        SELECT *, COALESCE(not_carried, 'no figure (' || emission_flag || ')') AS reason FROM fate
        WHERE not_carried IS NOT NULL OR ($through_emissions AND NOT has_figure AND emission_flag IS NOT NULL)
    )
    GROUP BY ALL
),
ledger_side AS (
    SELECT source_id, period_month,
        SUM(line_item_count) AS ledger_line_items,
        SUM(line_item_count) FILTER (WHERE not_carried IS NULL) AS estimable,
        CASE WHEN $through_emissions THEN COALESCE(SUM(line_item_count) FILTER (WHERE not_carried IS NULL AND has_figure), 0) END
            AS with_emissions,
        SUM(line_item_count) FILTER (WHERE estimation_class = 'cost_only') AS cost_only,
        SUM(line_item_count) FILTER (WHERE estimation_class = 'unclassified') AS unclassified,
        SUM(line_item_count) FILTER (WHERE not_carried IS NOT NULL AND estimation_class NOT IN ('cost_only', 'unclassified'))
            AS flagged,
        CASE WHEN $through_emissions THEN COALESCE(SUM(line_item_count) FILTER (
            WHERE not_carried IS NULL AND NOT has_figure AND emission_flag IS NOT NULL), 0) END AS no_figure_flagged,
        SUM(line_item_count) FILTER (
            WHERE $through_emissions AND not_carried IS NULL AND NOT has_figure AND emission_flag IS NULL
        ) AS estimable_without_figure_or_flag
    FROM fate
    GROUP BY ALL
),
stages AS (
    SELECT COALESCE(r.source_id, l.source_id) AS source_id, COALESCE(r.period_month, l.period_month) AS period_month,
        COALESCE(r.raw_line_items, 0) AS raw_line_items, COALESCE(l.ledger_line_items, 0) AS ledger_line_items,
        COALESCE(l.estimable, 0) AS estimable, l.with_emissions, COALESCE(l.cost_only, 0) AS cost_only,
        COALESCE(l.unclassified, 0) AS unclassified, COALESCE(l.flagged, 0) AS flagged, l.no_figure_flagged,
        abs(COALESCE(r.raw_line_items, 0) - COALESCE(l.ledger_line_items, 0))
            + COALESCE(l.estimable_without_figure_or_flag, 0) AS unexplained_line_items
    FROM raw_side AS r
    FULL OUTER JOIN ledger_side AS l ON l.source_id = r.source_id AND l.period_month = r.period_month
)
SELECT s.*,
    (SELECT string_agg(x.reason || ': ' || x.line_items, '; ' ORDER BY x.reason) FROM reasons AS x
     WHERE x.source_id = s.source_id AND x.period_month = s.period_month) AS reasons_not_carried
FROM stages AS s
WHERE $all_rows OR s.unexplained_line_items <> 0
ORDER BY s.source_id, s.period_month
