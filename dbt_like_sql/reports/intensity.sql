-- Intensity metrics of one reporting year (marts.intensity_metrics, built at publish from the sources file's
-- settings.intensity_denominators): tCO2e per unit of each denominator, by scopes and method.
SELECT denominator, denominator_unit, denominator_value, scopes, method, tco2e, tco2e_per_unit, months_covered
FROM marts.intensity_metrics
WHERE reporting_year = $year
ORDER BY denominator, CASE scopes WHEN 'Scope 1' THEN 1 WHEN 'Scope 2' THEN 2 WHEN 'Scopes 1+2' THEN 3
    WHEN 'Scope 3' THEN 4 ELSE 5 END, method
