-- The inventory of one reporting year by gas (marts.emissions_by_gas, built at publish): per scope and method,
-- tCO2, tCH4, tN2O where the factors give gases and the CO2e reported as CO2e only.
SELECT scope, method, SUM(tco2e) AS tco2e, SUM(gases_known_tco2e) AS gases_known_tco2e, SUM(co2_t) AS co2_t,
    SUM(ch4_t) AS ch4_t, SUM(n2o_t) AS n2o_t, SUM(co2e_from_gases_t) AS co2e_from_gases_t,
    SUM(co2e_only_tco2e) AS co2e_only_tco2e
FROM marts.emissions_by_gas
WHERE period_month >= make_date($year, 1, 1) AND period_month < make_date($year + 1, 1, 1)
GROUP BY scope, method
ORDER BY method, scope
