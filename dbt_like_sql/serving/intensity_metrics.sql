-- marts.intensity_metrics, built in the serving file when it is published (carbon_pipeline/serving/publish.py):
-- tCO2e per unit of each denominator the organisation gives in the sources file
-- (settings.intensity_denominators -> marts.intensity_denominators), per reporting year x scope x method.
-- Whole-year figures from every month of marts.scope_summary, so it is rebuilt whole with each publish rather
-- than replaced by month. `scopes`: Scope 1, Scope 2, Scope 3, Scopes 1+2 and Total (all three). A year
-- with a denominator but no inventory month has no row; months_covered below 12 marks a partial year, whose
-- intensity is not comparable with a full year's.
WITH by_scope AS (
    SELECT year(period_month) AS reporting_year, 'Scope ' || CAST(scope AS VARCHAR) AS scopes, method,
        CAST(SUM(CAST(tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e,
        COUNT(DISTINCT period_month) AS months_covered
    FROM marts.scope_summary
    GROUP BY year(period_month), scope, method
),
combined AS (
    SELECT year(period_month) AS reporting_year, 'Scopes 1+2' AS scopes, method,
        CAST(SUM(CAST(tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e,
        COUNT(DISTINCT period_month) AS months_covered
    FROM marts.scope_summary
    WHERE scope IN (1, 2)
    GROUP BY year(period_month), method
    UNION ALL
    SELECT year(period_month) AS reporting_year, 'Total' AS scopes, method,
        CAST(SUM(CAST(tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e,
        COUNT(DISTINCT period_month) AS months_covered
    FROM marts.scope_summary
    GROUP BY year(period_month), method
),
totals AS (
    SELECT * FROM by_scope
    UNION ALL
    SELECT * FROM combined
)
SELECT
    t.reporting_year,
    t.scopes,
    t.method,
    d.name AS denominator,
    d.unit AS denominator_unit,
    d.value AS denominator_value,
    t.tco2e,
    t.tco2e / d.value AS tco2e_per_unit,
    t.months_covered
FROM totals AS t
JOIN marts.intensity_denominators AS d ON d.reporting_year = t.reporting_year
ORDER BY t.reporting_year, d.name, t.method, t.scopes
