-- Provider carbon-model versions per month of one reporting year: every version delivered, whether
-- it was selected (newest unless the settings pin one) and what each would total, so a reader sees
-- what the choice changed.
SELECT
    period_month,
    source_id,
    provider,
    model_version,
    bool_or(is_selected) AS is_selected,
    any_value(selection_note) AS selection_note,
    COUNT(*) OVER (PARTITION BY period_month, source_id) AS versions_delivered,
    CAST(SUM(CAST(location_tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS location_tco2e,
    CAST(SUM(CAST(market_tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS market_tco2e
FROM ledger.provider_emissions
WHERE period_month >= make_date($year, 1, 1) AND period_month < make_date($year + 1, 1, 1)
GROUP BY period_month, source_id, provider, model_version
ORDER BY period_month, source_id, model_version
