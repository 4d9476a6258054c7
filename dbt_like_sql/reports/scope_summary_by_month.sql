-- The inventory of one reporting year as published (marts.scope_summary), month by month: the rows
-- every other table of the report must add up to.
SELECT period_month, scope, scope3_category, method, basis, tco2e
FROM marts.scope_summary
WHERE period_month >= make_date($year, 1, 1) AND period_month < make_date($year + 1, 1, 1)
ORDER BY period_month, scope, scope3_category NULLS FIRST, method, basis
