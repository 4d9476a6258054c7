-- Emissions by gas (issue 15): the comments of marts.emissions_by_gas, built in the serving file at publish
-- (serving/emissions_by_gas.sql), and its bi view by reporting year. Apart from views.sql because the
-- warehouse has no such table.
COMMENT ON TABLE marts.emissions_by_gas IS 'The inventory by gas: month x scope x method, tCO2, tCH4, tN2O where the factor gives gases, the rest as CO2e only (never split, never zeroed). tco2e equals marts.scope_summary summed over categories and bases.';
COMMENT ON COLUMN marts.emissions_by_gas.period_month IS 'First day of the reporting month.';
COMMENT ON COLUMN marts.emissions_by_gas.scope IS '1, 2 or 3, of the reporting organisation.';
COMMENT ON COLUMN marts.emissions_by_gas.method IS 'location or market; never add the two.';
COMMENT ON COLUMN marts.emissions_by_gas.tco2e IS 'Metric tons CO2e counted in the inventory: gases_known_tco2e + co2e_only_tco2e.';
COMMENT ON COLUMN marts.emissions_by_gas.gases_known_tco2e IS 'tCO2e of rows whose factor gives CO2, CH4 and N2O (eGRID, EPA Hub), embodied cloud emissions excluded; NULL when none.';
COMMENT ON COLUMN marts.emissions_by_gas.co2_t IS 'Metric tons CO2 of the gases-known rows (split in each factor''s proportions); NULL when none.';
COMMENT ON COLUMN marts.emissions_by_gas.ch4_t IS 'Metric tons CH4 (mass, not CO2e) of the gases-known rows; NULL when none.';
COMMENT ON COLUMN marts.emissions_by_gas.n2o_t IS 'Metric tons N2O (mass, not CO2e) of the gases-known rows; NULL when none.';
COMMENT ON COLUMN marts.emissions_by_gas.co2e_from_gases_t IS 'co2_t + GWP CH4 x ch4_t + GWP N2O x n2o_t with the factors'' GWPs (AR5: 28, 265): equals gases_known_tco2e to the rounding of the published factor.';
COMMENT ON COLUMN marts.emissions_by_gas.co2e_only_tco2e IS 'tCO2e whose factor is published as CO2e only (DESNZ totals, EEA, Ember, USEEIO, CCF), provider-reported cloud figures, rows without a factor and cloud embodied emissions: reported as CO2e, not split.';

CREATE OR REPLACE VIEW bi.emissions_by_gas AS
SELECT year(period_month) AS reporting_year, scope, method,
    SUM(tco2e) AS tco2e, SUM(gases_known_tco2e) AS gases_known_tco2e,
    SUM(co2_t) AS co2_t, SUM(ch4_t) AS ch4_t, SUM(n2o_t) AS n2o_t, SUM(co2e_from_gases_t) AS co2e_from_gases_t,
    SUM(co2e_only_tco2e) AS co2e_only_tco2e, COUNT(DISTINCT period_month) AS months_covered
FROM marts.emissions_by_gas
GROUP BY ALL;
COMMENT ON VIEW bi.emissions_by_gas IS 'The inventory by gas per reporting year x scope x method (marts.emissions_by_gas): tCO2, tCH4, tN2O where factors give gases, the rest as CO2e only. tco2e equals bi.inventory_by_year.';
COMMENT ON COLUMN bi.emissions_by_gas.reporting_year IS 'Calendar year.';
COMMENT ON COLUMN bi.emissions_by_gas.scope IS '1, 2 or 3, of the reporting organisation.';
COMMENT ON COLUMN bi.emissions_by_gas.method IS 'location or market; never add the two.';
COMMENT ON COLUMN bi.emissions_by_gas.tco2e IS 'Metric tons CO2e for the year: gases_known_tco2e + co2e_only_tco2e.';
COMMENT ON COLUMN bi.emissions_by_gas.gases_known_tco2e IS 'tCO2e of rows whose factor gives the gases (embodied excluded).';
COMMENT ON COLUMN bi.emissions_by_gas.co2_t IS 'Metric tons CO2 of the gases-known rows.';
COMMENT ON COLUMN bi.emissions_by_gas.ch4_t IS 'Metric tons CH4 (mass) of the gases-known rows.';
COMMENT ON COLUMN bi.emissions_by_gas.n2o_t IS 'Metric tons N2O (mass) of the gases-known rows.';
COMMENT ON COLUMN bi.emissions_by_gas.co2e_from_gases_t IS 'The gases'' CO2e recomputed with the factors'' GWPs (AR5).';
COMMENT ON COLUMN bi.emissions_by_gas.co2e_only_tco2e IS 'tCO2e reported as CO2e only: factors without gases, provider figures, cloud embodied emissions.';
COMMENT ON COLUMN bi.emissions_by_gas.months_covered IS 'Months of the year with inventory rows.';
