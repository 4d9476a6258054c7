-- Exactly one model version is selected per source and month, and the selected rows carry the raw
-- export's totals for that version (no row lost, no version summed with another).
WITH selected AS (
    SELECT source_id, period_month, COUNT(DISTINCT model_version) AS versions,
        SUM(COALESCE(market_tco2e, 0)) AS ledger_mbm, MIN(model_version) AS model_version
    FROM ledger.provider_emissions
    WHERE is_selected AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY source_id, period_month
),
raw_side AS (
    SELECT source_id, period_month, model_version, SUM(COALESCE(total_mbm_mtco2e, 0)) AS raw_mbm
    FROM raw.aws_carbon_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
    UNION ALL
    -- the other providers' sources: market per row as split into provider scopes (else the total)
    SELECT source_id, period_month, model_version, SUM(CASE WHEN COALESCE(scope_1_lbm_tco2e, scope_1_mbm_tco2e, scope_2_lbm_tco2e, scope_2_mbm_tco2e,
            scope_3_lbm_tco2e, scope_3_mbm_tco2e) IS NULL THEN COALESCE(total_mbm_tco2e, 0)
        ELSE COALESCE(scope_1_mbm_tco2e, 0) + COALESCE(scope_2_mbm_tco2e, 0) + COALESCE(scope_3_mbm_tco2e, 0) END) AS raw_mbm
    FROM raw.provider_carbon_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
)
SELECT s.source_id, s.period_month, s.versions, s.model_version, s.ledger_mbm, r.raw_mbm
FROM selected AS s
LEFT JOIN raw_side AS r
    ON r.source_id = s.source_id AND r.period_month = s.period_month AND r.model_version = s.model_version
WHERE s.versions <> 1 OR abs(s.ledger_mbm - COALESCE(r.raw_mbm, 0)) > 1e-9
UNION ALL
SELECT r.source_id, r.period_month, 0, NULL, NULL, SUM(r.raw_mbm)
FROM raw_side AS r
LEFT JOIN selected AS s ON s.source_id = r.source_id AND s.period_month = r.period_month
WHERE s.source_id IS NULL
GROUP BY r.source_id, r.period_month
ORDER BY 1, 2
