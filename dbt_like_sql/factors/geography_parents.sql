-- The geography hierarchy the as-of resolution walks (exact -> parent -> global), derived from the
-- geographies the catalogue holds: egrid:* -> iso3:USA, iso3:* -> global. supplier:* and aws-region:*
-- have no parent (a supplier factor applies to that supplier only).
WITH geographies AS (
    SELECT geography FROM factors.emission_factors
    UNION
    SELECT geography FROM factors.aws_region_grid
    UNION
    SELECT geography FROM factors.cloud_region_grid
    UNION
    SELECT 'iso3:USA'
)
SELECT geography AS child, 'iso3:USA' AS parent, 'eGRID subregions are US grid areas' AS rule
FROM geographies WHERE geography LIKE 'egrid:%'
UNION ALL
SELECT geography, 'global', 'every country is in the world' FROM geographies WHERE geography LIKE 'iso3:%'
ORDER BY 1
