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
raw_side AS (
    SELECT r.period_month, SUM(COALESCE(r.total_mbm_mtco2e, 0)) AS mbm, SUM(COALESCE(r.total_lbm_mtco2e, 0)) AS lbm
    FROM raw.aws_carbon_emissions AS r
    JOIN (SELECT DISTINCT source_id, period_month, model_version FROM ledger.provider_emissions WHERE is_selected) AS s
        ON s.source_id = r.source_id AND s.period_month = r.period_month AND s.model_version = r.model_version
    WHERE r.period_month >= CAST($start AS DATE) AND r.period_month < CAST($end AS DATE)
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
