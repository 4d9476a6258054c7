-- Hourly matching (issue 16): each hour balances. matched + unmatched = consumption, matched + surplus = supply,
-- matched never above either, nothing negative; an hour with unmatched kWh names the factor it was charged at.
SELECT zone, hour_utc, consumption_kwh, supply_kwh, matched_kwh, unmatched_kwh, surplus_kwh, unmatched_factor_source
FROM hourly.matching
WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
  AND (abs(matched_kwh + unmatched_kwh - consumption_kwh) > 1e-9 * greatest(consumption_kwh, 1)
       OR abs(matched_kwh + surplus_kwh - supply_kwh) > 1e-9 * greatest(supply_kwh, 1)
       OR matched_kwh > least(consumption_kwh, supply_kwh)
       OR least(consumption_kwh, supply_kwh, matched_kwh, unmatched_kwh, surplus_kwh) < 0
       OR (unmatched_kwh > 0 AND unmatched_factor_source IS NULL))
ORDER BY 2, 1
