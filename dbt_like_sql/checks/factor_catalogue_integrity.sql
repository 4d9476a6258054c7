-- Every factor has a unique id, a non-negative value and its provenance; every AWS region maps to a
-- geography that has at least one electricity factor.
SELECT factor_id AS item, 'duplicate factor_id' AS problem FROM factors.emission_factors
GROUP BY factor_id HAVING COUNT(*) > 1
UNION ALL
SELECT factor_id, 'negative or non-finite value' FROM factors.emission_factors
WHERE value < 0 OR NOT isfinite(value)
UNION ALL
SELECT factor_id, 'missing provenance' FROM factors.emission_factors
WHERE publisher = '' OR edition = '' OR licence = '' OR file_sha256 = ''
UNION ALL
SELECT g.region_code, 'region without an electricity factor for ' || g.geography
FROM factors.aws_region_grid AS g
WHERE NOT EXISTS (
    SELECT 1 FROM factors.emission_factors AS f WHERE f.geography = g.geography AND f.item = 'electricity_grid'
)
ORDER BY 1
