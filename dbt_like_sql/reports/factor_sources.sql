-- Emission-factor sources and editions behind the figures COUNTED in one reporting year's inventory:
-- own operations, plus usage-based cloud estimates only for the months/methods they fill (the
-- reported-else-estimated rule of marts/scope_summary). Supplier-specific factors come from the
-- activity files, not the catalogue, and are listed as such.
WITH reported_coverage AS (
    SELECT DISTINCT period_month, provider, 'location' AS method
    FROM ledger.provider_emissions
    WHERE period_month >= make_date($year, 1, 1) AND period_month < make_date($year + 1, 1, 1)
      AND is_selected AND location_tco2e IS NOT NULL
    UNION
    SELECT DISTINCT period_month, provider, 'market' AS method
    FROM ledger.provider_emissions
    WHERE period_month >= make_date($year, 1, 1) AND period_month < make_date($year + 1, 1, 1)
      AND is_selected AND market_tco2e IS NOT NULL
),
counted AS (
    SELECT e.*, a.activity_type
    FROM emissions.activity_emissions AS e
    JOIN ledger.activity AS a
        ON a.activity_id = e.activity_id AND a.period_month = e.period_month
    LEFT JOIN reported_coverage AS c
        ON a.activity_type = 'cloud_usage'
        AND c.period_month = e.period_month AND c.provider = a.provider AND c.method = e.method
    WHERE e.period_month >= make_date($year, 1, 1) AND e.period_month < make_date($year + 1, 1, 1)
      AND e.tco2e IS NOT NULL
      AND c.period_month IS NULL
)
SELECT
    COALESCE(f.publisher, 'supplier-specific') AS publisher,
    COALESCE(f.dataset, 'activity file') AS dataset,
    COALESCE(f.edition, 'as delivered') AS edition,
    COALESCE(f.data_year, e.factor_data_year) AS data_year,
    COALESCE(f.boundary, e.factor_boundary) AS boundary,
    COALESCE(f.gwp_set, '') AS gwp_set,
    COALESCE(f.licence, 'the organisation''s own data') AS licence,
    string_agg(DISTINCT e.activity_type, ', ' ORDER BY e.activity_type) AS activity_types,
    string_agg(DISTINCT e.factor_resolution, ', ' ORDER BY e.factor_resolution) AS resolutions,
    COUNT(DISTINCT e.factor_id) AS factors,
    COUNT(*) AS emission_rows,
    CAST(SUM(CAST(e.tco2e AS DECIMAL(38, 15))) FILTER (WHERE e.method = 'location') AS DOUBLE) AS location_tco2e,
    CAST(SUM(CAST(e.tco2e AS DECIMAL(38, 15))) FILTER (WHERE e.method = 'market') AS DOUBLE) AS market_tco2e
FROM counted AS e
LEFT JOIN factors.emission_factors AS f ON f.factor_id = e.factor_id
GROUP BY ALL
ORDER BY publisher, dataset, edition, data_year, boundary
