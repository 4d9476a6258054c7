-- The hourly location-based figure beside the annual one, per month x site / cloud region. Annual: today's
-- inventory rows (emissions.activity_emissions, location): sites' electricity; cloud regions' usage estimate
-- without embodied emissions (not electricity). hourly_tco2e counts only hours with a factor: see
-- kwh_without_hourly_factor before comparing. A synthetic grid profile is named in the note of every row.
-- The difference is split into a timing effect (hourly vs the same kWh at the zone's mean hourly factor of the
-- month) and a factor effect (that mean vs the annual factor): only the first is about when electricity was used.
WITH zone_means AS (
    SELECT zone, CAST(date_trunc('month', hour_utc) AS DATE) AS period_month, avg(kgco2e_per_kwh) AS mean_factor
    FROM (
        SELECT zone, hour_utc, kgco2e_per_kwh
        FROM hourly.grid_factors
        WHERE hour_utc >= CAST($start AS TIMESTAMP) AND hour_utc < CAST($end AS TIMESTAMP)
        QUALIFY row_number() OVER (PARTITION BY zone, hour_utc ORDER BY boundary = 'direct' DESC, source_file) = 1
    )
    GROUP BY ALL
),
hourly AS (
    SELECT
        period_month, entity_kind, entity, any_value(zone) AS zone,
        SUM(kwh) AS hourly_kwh,
        SUM(tco2e) AS hourly_tco2e,
        COALESCE(SUM(kwh) FILTER (WHERE shape NOT IN ('metered', 'cur_hourly', 'focus_hourly')), 0)
            / NULLIF(SUM(kwh), 0)
            AS profiled_kwh_share,
        COALESCE(SUM(kwh) FILTER (WHERE tco2e IS NULL), 0) AS kwh_without_hourly_factor,
        string_agg(DISTINCT grid_publisher, ', ' ORDER BY grid_publisher) AS grid_publishers
    FROM hourly.location_hourly
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY period_month, entity_kind, entity
),
annual AS (
    SELECT
        e.period_month,
        CASE WHEN a.activity_type = 'electricity' THEN 'site' ELSE 'cloud_region' END AS entity_kind,
        CASE WHEN a.activity_type = 'electricity' THEN a.site ELSE a.provider || ':' || a.region END AS entity,
        SUM(CASE
            WHEN a.activity_type = 'electricity' THEN
                CASE lower(a.unit) WHEN 'kwh' THEN a.quantity WHEN 'mwh' THEN a.quantity * 1000 END
            ELSE e.energy_kwh
        END) AS annual_kwh,
        SUM(e.tco2e - COALESCE(e.embodied_tco2e, 0)) AS annual_tco2e
    FROM emissions.activity_emissions AS e
    JOIN ledger.activity AS a ON a.activity_id = e.activity_id AND a.period_month = e.period_month
    WHERE e.method = 'location'
      AND e.period_month >= CAST($start AS DATE) AND e.period_month < CAST($end AS DATE)
      AND ((a.activity_type = 'electricity' AND a.site IS NOT NULL)
           OR (e.basis = 'estimated_usage' AND e.energy_kwh > 0))
    GROUP BY ALL
)
SELECT
    h.period_month, h.entity_kind, h.entity, h.zone,
    a.annual_kwh, h.hourly_kwh, a.annual_tco2e, h.hourly_tco2e,
    h.hourly_tco2e - a.annual_tco2e AS difference_tco2e,
    h.hourly_tco2e / NULLIF(a.annual_tco2e, 0) AS hourly_to_annual,
    (h.hourly_kwh - h.kwh_without_hourly_factor) * m.mean_factor / 1000 AS hourly_flat_tco2e,
    h.hourly_tco2e - (h.hourly_kwh - h.kwh_without_hourly_factor) * m.mean_factor / 1000 AS timing_effect_tco2e,
    (h.hourly_kwh - h.kwh_without_hourly_factor) * m.mean_factor / 1000 - a.annual_tco2e AS factor_effect_tco2e,
    h.profiled_kwh_share, h.kwh_without_hourly_factor, h.grid_publishers,
    concat_ws('; ',
        CASE WHEN contains(COALESCE(h.grid_publishers, ''), 'synthetic')
             THEN 'SYNTHETIC hourly grid profile (invented shape, not measured data)' END,
        CASE WHEN h.profiled_kwh_share > 0 THEN 'profiled: ' || round(100 * h.profiled_kwh_share, 1) || '% of kWh' END,
        CASE WHEN h.kwh_without_hourly_factor > 0 THEN 'kWh without an hourly factor are not in hourly_tco2e' END,
        CASE WHEN a.annual_kwh IS NULL THEN 'no annual figure for this month' END
    ) AS note
FROM hourly AS h
LEFT JOIN annual AS a USING (period_month, entity_kind, entity)
LEFT JOIN zone_means AS m ON m.zone = h.zone AND m.period_month = h.period_month
