-- Hourly carbon (issue 16): the rows of marts.hourly_vs_annual computed with the SYNTHETIC hourly grid profile
-- (an invented diurnal shape, hourly/files.py: synthetic_grid). A warning, by design: a demo figure, never one
-- to report.
SELECT period_month, entity_kind, entity, zone, grid_publishers, note
FROM marts.hourly_vs_annual
WHERE contains(COALESCE(grid_publishers, ''), 'synthetic')
  AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
ORDER BY 1, 2, 3
