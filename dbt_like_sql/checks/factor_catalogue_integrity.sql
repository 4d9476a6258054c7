-- Every factor has a unique id (and a unique (id, valid_from)), a non-negative value, a coherent validity
-- period and its provenance (licence, 64-hex SHA-256 of a file the catalogue lists); only the user's own
-- files may hold non-redistributable factors; every required item of the factor contract
-- (factors.contract_items) is in a shipped set; every AWS region maps to a geography with a grid factor.
SELECT factor_id AS item, 'duplicate factor_id' AS problem FROM factors.emission_factors
GROUP BY factor_id HAVING COUNT(*) > 1
UNION ALL
SELECT factor_id || ' @ ' || COALESCE(CAST(valid_from AS VARCHAR), 'open'), 'duplicate (factor_id, valid_from)'
FROM factors.emission_factors
GROUP BY factor_id, valid_from HAVING COUNT(*) > 1
UNION ALL
SELECT factor_id, 'negative or non-finite value' FROM factors.emission_factors
WHERE value < 0 OR NOT isfinite(value)
UNION ALL
SELECT factor_id, 'valid_from after valid_to' FROM factors.emission_factors
WHERE valid_from > valid_to
UNION ALL
SELECT factor_id, 'missing provenance' FROM factors.emission_factors
WHERE publisher = '' OR edition = '' OR trim(licence) = '' OR NOT regexp_full_match(file_sha256, '[0-9a-f]{64}')
UNION ALL
SELECT f.factor_id, 'loaded from a file the catalogue does not list: ' || f.source_file
FROM factors.emission_factors AS f
WHERE NOT EXISTS (SELECT 1 FROM factors.catalogue_files AS c WHERE c.source_file = f.source_file)
UNION ALL
SELECT f.factor_id, 'non-redistributable factor in a shipped file: ' || f.source_file
FROM factors.emission_factors AS f
JOIN factors.catalogue_files AS c ON c.source_file = f.source_file AND c.origin = 'shipped'
WHERE NOT f.redistributable
UNION ALL
SELECT c.item || ' [' || c.activity_unit || ', ' || c.geography || ']', 'contract item missing from the shipped sets'
FROM factors.contract_items AS c
WHERE c.status = 'required' AND NOT EXISTS (
    SELECT 1
    FROM factors.emission_factors AS f
    JOIN factors.catalogue_files AS s ON s.source_file = f.source_file AND s.origin = 'shipped'
    WHERE f.activity_unit = c.activity_unit
      AND CASE WHEN contains(c.item, '%') THEN f.item LIKE c.item ELSE f.item = c.item END
      AND CASE WHEN contains(c.geography, '%') THEN f.geography LIKE c.geography ELSE f.geography = c.geography END
)
UNION ALL
SELECT g.region_code, 'region without an electricity factor for ' || g.geography
FROM factors.aws_region_grid AS g
WHERE NOT EXISTS (
    SELECT 1 FROM factors.emission_factors AS f WHERE f.geography = g.geography AND f.item = 'electricity_grid'
)
ORDER BY 1
