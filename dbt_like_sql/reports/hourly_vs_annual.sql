-- Hourly carbon (issue 16), only when the serving file has it: one reporting year of marts.hourly_vs_annual per
-- site / cloud region, summed over the months (the note of every row computed with the SYNTHETIC profile says so).
SELECT
    entity_kind, entity, any_value(zone) AS zone,
    SUM(annual_tco2e) AS annual_tco2e,
    SUM(hourly_tco2e) AS hourly_tco2e,
    SUM(timing_effect_tco2e) AS timing_effect_tco2e,
    SUM(factor_effect_tco2e) AS factor_effect_tco2e,
    SUM(hourly_kwh * profiled_kwh_share) / NULLIF(SUM(hourly_kwh), 0) AS profiled_kwh_share,
    string_agg(DISTINCT note, '; ') FILTER (WHERE note <> '') AS notes
FROM marts.hourly_vs_annual
WHERE period_month >= make_date($year, 1, 1) AND period_month < make_date($year + 1, 1, 1)
GROUP BY ALL
ORDER BY 1, 2
