-- The mart's reported cloud totals equal the selected provider figures in the ledger, per month, and
-- both equal the raw carbon export's totals for the selected model version: reported emissions in =
-- reported emissions in the marts, for both methods.
WITH mart AS (
    SELECT period_month, SUM(COALESCE(market_tco2e, 0)) AS mbm, SUM(COALESCE(location_tco2e, 0)) AS lbm
    FROM marts.cloud_emissions
    WHERE basis = 'reported' AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
),
ledger_side AS (
    SELECT period_month, SUM(COALESCE(market_tco2e, 0)) AS mbm, SUM(COALESCE(location_tco2e, 0)) AS lbm
    FROM ledger.provider_emissions
    WHERE is_selected AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
),
raw_carbon_export AS (
    SELECT r.period_month, SUM(COALESCE(r.total_mbm_mtco2e, 0)) AS mbm, SUM(COALESCE(r.total_lbm_mtco2e, 0)) AS lbm
    FROM raw.aws_carbon_emissions AS r
    JOIN (SELECT DISTINCT source_id, period_month, model_version FROM ledger.provider_emissions WHERE is_selected) AS s
        ON s.source_id = r.source_id AND s.period_month = r.period_month AND s.model_version = r.model_version
    WHERE r.period_month >= CAST($start AS DATE) AND r.period_month < CAST($end AS DATE)
    GROUP BY ALL
),
raw_other AS (
    -- the other providers' sources (raw.provider_carbon_emissions), per row as split into provider scopes
    SELECT r.period_month, SUM(CASE WHEN COALESCE(scope_1_lbm_tco2e, scope_1_mbm_tco2e, scope_2_lbm_tco2e, scope_2_mbm_tco2e,
            scope_3_lbm_tco2e, scope_3_mbm_tco2e) IS NULL THEN COALESCE(total_mbm_tco2e, 0)
        ELSE COALESCE(scope_1_mbm_tco2e, 0) + COALESCE(scope_2_mbm_tco2e, 0) + COALESCE(scope_3_mbm_tco2e, 0) END) AS mbm,
        SUM(CASE WHEN COALESCE(scope_1_lbm_tco2e, scope_1_mbm_tco2e, scope_2_lbm_tco2e, scope_2_mbm_tco2e,
            scope_3_lbm_tco2e, scope_3_mbm_tco2e) IS NULL THEN COALESCE(total_lbm_tco2e, 0)
        ELSE COALESCE(scope_1_lbm_tco2e, 0) + COALESCE(scope_2_lbm_tco2e, 0) + COALESCE(scope_3_lbm_tco2e, 0) END) AS lbm
    FROM raw.provider_carbon_emissions AS r
    JOIN (SELECT DISTINCT source_id, period_month, model_version FROM ledger.provider_emissions WHERE is_selected) AS s
        ON s.source_id = r.source_id AND s.period_month = r.period_month AND s.model_version = r.model_version
    WHERE r.period_month >= CAST($start AS DATE) AND r.period_month < CAST($end AS DATE)
    GROUP BY ALL
),
raw_side AS (
    SELECT period_month, SUM(mbm) AS mbm, SUM(lbm) AS lbm
    FROM (SELECT * FROM raw_carbon_export UNION ALL BY NAME SELECT * FROM raw_other)
    GROUP BY ALL
)
SELECT COALESCE(m.period_month, l.period_month, r.period_month) AS period_month, m.mbm AS mart_mbm, l.mbm AS ledger_mbm,
    m.lbm AS mart_lbm, l.lbm AS ledger_lbm, r.mbm AS raw_mbm, r.lbm AS raw_lbm
FROM mart AS m
FULL OUTER JOIN ledger_side AS l ON l.period_month = m.period_month
FULL OUTER JOIN raw_side AS r ON r.period_month = COALESCE(m.period_month, l.period_month)
WHERE abs(COALESCE(m.mbm, 0) - COALESCE(l.mbm, 0)) > 1e-9 OR abs(COALESCE(m.lbm, 0) - COALESCE(l.lbm, 0)) > 1e-9
   OR abs(COALESCE(m.mbm, 0) - COALESCE(r.mbm, 0)) > 1e-9 OR abs(COALESCE(m.lbm, 0) - COALESCE(r.lbm, 0)) > 1e-9
ORDER BY 1
