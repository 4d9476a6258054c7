-- Hourly-matched market-based Scope 2 per month x market boundary (zone), beside today's market-based figure
-- (annual matching: emissions.activity_emissions market rows of the zone's sites' electricity). cfe_score is
-- the 24x7 carbon-free energy score: matched kWh / consumed kWh. Surplus is shown, never carried over.
WITH hours AS (
    SELECT
        period_month, zone,
        SUM(consumption_kwh) AS consumption_kwh,
        SUM(supply_kwh) AS supply_kwh,
        SUM(matched_kwh) AS matched_kwh,
        SUM(unmatched_kwh) AS unmatched_kwh,
        SUM(surplus_kwh) AS surplus_kwh,
        count(*) FILTER (WHERE consumption_kwh > 0) AS hours_with_consumption,
        count(*) FILTER (WHERE consumption_kwh > 0 AND unmatched_kwh = 0) AS hours_fully_matched,
        SUM(tco2e) AS hourly_market_tco2e,
        bool_or(unmatched_factor_source = 'none') AS missing_factor,
        string_agg(DISTINCT split_part(unmatched_factor_source, ':', 1), ', ') AS unmatched_factor_sources
    FROM hourly.matching
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY period_month, zone
),
annual AS (
    SELECT e.period_month, z.zone, SUM(e.tco2e) AS annual_market_tco2e
    FROM emissions.activity_emissions AS e
    JOIN ledger.activity AS a ON a.activity_id = e.activity_id AND a.period_month = e.period_month
    JOIN hourly.zone_map AS z ON z.kind = 'site' AND z.key = a.site
    WHERE e.method = 'market' AND a.activity_type = 'electricity'
      AND e.period_month >= CAST($start AS DATE) AND e.period_month < CAST($end AS DATE)
    GROUP BY ALL
)
SELECT
    h.period_month, h.zone, h.consumption_kwh, h.supply_kwh, h.matched_kwh, h.unmatched_kwh, h.surplus_kwh,
    h.hours_with_consumption, h.hours_fully_matched,
    h.matched_kwh / NULLIF(h.consumption_kwh, 0) AS cfe_score,
    CASE WHEN h.missing_factor THEN NULL ELSE h.hourly_market_tco2e END AS hourly_market_tco2e,
    a.annual_market_tco2e,
    h.unmatched_factor_sources,
    'hourly matching within the market boundary, no carry-over; GHG Protocol Scope 2 revision, public '
        || 'consultation draft (Oct 2025)' AS method
FROM hours AS h
LEFT JOIN annual AS a USING (period_month, zone)
