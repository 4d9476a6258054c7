-- Energy consumption of one reporting year, MWh: purchased electricity from the activity files (with the kWh
-- the files declare covered by energy attribute certificates), and the usage-estimated energy of cloud
-- services where the estimate is the counted figure or the only energy figure (providers' reported rows carry
-- no energy). Fuels are reported in their own units in the ledger, not converted to MWh here.
SELECT 'purchased electricity' AS energy, 'activity files' AS source,
    -- summed as DECIMAL: exact in any row order (the serving file's ledger.activity is not sorted)
    CAST(SUM(CAST(quantity AS DECIMAL(38, 12))) AS DOUBLE) / 1000.0 AS mwh,
    CAST(SUM(CAST(COALESCE(certificate_kwh, 0) AS DECIMAL(38, 12))) AS DOUBLE) / 1000.0 AS certificate_mwh
FROM ledger.activity
WHERE period_month >= make_date($year, 1, 1) AND period_month < make_date($year + 1, 1, 1)
  AND activity_type = 'electricity' AND lower(unit) = 'kwh'
UNION ALL
SELECT 'cloud services (usage estimate)', 'marts.cloud_emissions, estimated_usage',
    SUM(energy_kwh) / 1000.0, NULL
FROM marts.cloud_emissions
WHERE period_month >= make_date($year, 1, 1) AND period_month < make_date($year + 1, 1, 1)
  AND basis = 'estimated_usage'
