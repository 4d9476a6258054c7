-- Every emission row and every selected provider figure of the months has exactly one uncertainty row
-- (per method), with both tiers recognised and their uncertainties known; where it has a figure, the row's
-- range holds it: 0 <= tco2e_low <= tco2e <= tco2e_high. A new factor_resolution that the tier rule does
-- not know fails here instead of getting a silent default.
WITH emission_rows AS (
    SELECT activity_id AS figure_id, period_month, method, COUNT(*) AS n
    FROM emissions.activity_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
),
uncertainty_rows AS (
    SELECT figure_id, period_month, method, COUNT(*) AS n
    FROM emissions.emission_uncertainty
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
      AND figure_kind = 'activity_emission'
    GROUP BY ALL
)
SELECT COALESCE(e.figure_id, u.figure_id) AS figure_id, COALESCE(e.period_month, u.period_month) AS period_month,
    COALESCE(e.method, u.method) AS method, 'emission rows and uncertainty rows differ in number' AS problem
FROM emission_rows AS e
FULL OUTER JOIN uncertainty_rows AS u
    ON u.figure_id = e.figure_id AND u.period_month = e.period_month AND u.method = e.method
WHERE e.n IS DISTINCT FROM u.n
UNION ALL
SELECT figure_id, period_month, method,
    CASE
        WHEN activity_tier IS NULL OR activity_u95 IS NULL THEN 'activity tier unknown: ' || COALESCE(activity_tier, 'NULL')
        WHEN tco2e IS NOT NULL AND (factor_tier IS NULL OR factor_u95 IS NULL)
            THEN 'factor tier unknown: ' || COALESCE(factor_tier, 'NULL') || ' (factor_resolution '
                || COALESCE(factor_resolution, 'NULL') || ')'
        ELSE 'range does not hold the figure: ' || CAST(tco2e_low AS VARCHAR) || ' .. ' || CAST(tco2e AS VARCHAR)
            || ' .. ' || CAST(tco2e_high AS VARCHAR)
    END AS problem
FROM emissions.emission_uncertainty
WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
  AND (
    activity_tier IS NULL OR activity_u95 IS NULL
    OR (tco2e IS NOT NULL AND (factor_tier IS NULL OR factor_u95 IS NULL))
    OR (tco2e IS NOT NULL AND NOT (tco2e_low >= 0 AND tco2e_low <= tco2e AND tco2e <= tco2e_high))
  )
