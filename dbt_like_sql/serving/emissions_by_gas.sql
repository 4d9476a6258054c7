-- marts.emissions_by_gas, built in the serving file when it is published (carbon_pipeline/serving/publish.py),
-- from the rows the inventory counts (emissions.emission_uncertainty, counts_in_inventory: they add up to
-- marts.scope_summary) and the per-gas factors of factors.emission_factors (co2/ch4/n2o_kg_per_unit).
-- A row whose factor gives gases is split in the factor's own proportions: t gas = tCO2e x gas kg per unit /
-- factor kgCO2e per unit. The rest is reported as CO2e only, never split and never zeroed: factors published
-- as CO2e (DESNZ totals, EEA, Ember, USEEIO spend factors, CCF), providers' reported cloud figures, market
-- rows without a factor, and the embodied emissions of cloud estimates (a mass of CO2e, not a combustion).
-- Per month x scope x method; tco2e = gases_known_tco2e + co2e_only_tco2e, and tco2e equals the month's
-- marts.scope_summary total for the scope and method.
WITH counted AS (
    SELECT
        u.period_month, u.scope, u.method, u.tco2e, u.factor_id,
        COALESCE(e.embodied_tco2e, 0) AS embodied_tco2e
    FROM emissions.emission_uncertainty AS u
    LEFT JOIN emissions.activity_emissions AS e
        ON u.figure_kind = 'activity_emission' AND e.activity_id = u.figure_id
       AND e.period_month = u.period_month AND e.method = u.method
    WHERE u.counts_in_inventory AND u.tco2e IS NOT NULL
),
split AS (
    SELECT
        c.*,
        f.co2_kg_per_unit IS NOT NULL AND f.value > 0 AS gases_known,
        f.value AS factor_value,
        f.co2_kg_per_unit, f.ch4_kg_per_unit, f.n2o_kg_per_unit, f.gwp_ch4, f.gwp_n2o
    FROM counted AS c
    LEFT JOIN factors.emission_factors AS f ON f.factor_id = c.factor_id
)
SELECT
    period_month,
    scope,
    method,
    CAST(SUM(CAST(tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e,
    CAST(SUM(CAST(CASE WHEN gases_known THEN tco2e - embodied_tco2e END AS DECIMAL(38, 15))) AS DOUBLE)
        AS gases_known_tco2e,
    CAST(SUM(CAST(CASE WHEN gases_known THEN (tco2e - embodied_tco2e) * co2_kg_per_unit / factor_value END
        AS DECIMAL(38, 15))) AS DOUBLE) AS co2_t,
    CAST(SUM(CAST(CASE WHEN gases_known THEN (tco2e - embodied_tco2e) * ch4_kg_per_unit / factor_value END
        AS DECIMAL(38, 18))) AS DOUBLE) AS ch4_t,
    CAST(SUM(CAST(CASE WHEN gases_known THEN (tco2e - embodied_tco2e) * n2o_kg_per_unit / factor_value END
        AS DECIMAL(38, 18))) AS DOUBLE) AS n2o_t,
    -- the gases' CO2e again, from the split masses and the factors' GWPs: equals gases_known_tco2e to the
    -- rounding of the published CO2e factor
    CAST(SUM(CAST(CASE WHEN gases_known THEN (tco2e - embodied_tco2e)
        * (co2_kg_per_unit + gwp_ch4 * ch4_kg_per_unit + gwp_n2o * n2o_kg_per_unit) / factor_value END
        AS DECIMAL(38, 15))) AS DOUBLE) AS co2e_from_gases_t,
    CAST(SUM(CAST(CASE WHEN gases_known THEN embodied_tco2e ELSE tco2e END AS DECIMAL(38, 15))) AS DOUBLE)
        AS co2e_only_tco2e
FROM split
GROUP BY period_month, scope, method
ORDER BY period_month, scope, method
