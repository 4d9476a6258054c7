-- Values in a FOCUS object (the `focus_parsed` view) that are present but unusable, or absent where
-- FOCUS requires them and the inventory cannot do without: one row per offending cell, first lines
-- first. Numbers must parse and be finite (NaN and infinity are refused); an empty RegionId is not an
-- error (the ledger books it as region 'global'). An empty list means the object may be loaded.
SELECT object_line, column_name, bad_value
FROM (
    SELECT object_line, 'BilledCost' AS column_name, COALESCE(billed_cost_text, '') AS bad_value
    FROM focus_parsed
    WHERE billed_cost IS NULL
    UNION ALL
    SELECT object_line, 'EffectiveCost', effective_cost_text
    FROM focus_parsed
    WHERE effective_cost_text IS NOT NULL AND effective_cost IS NULL
    UNION ALL
    SELECT object_line, 'ConsumedQuantity', consumed_quantity_text
    FROM focus_parsed
    WHERE consumed_quantity_text IS NOT NULL AND (consumed_quantity IS NULL OR NOT isfinite(consumed_quantity))
    UNION ALL
    SELECT object_line, 'PricingQuantity', pricing_quantity_text
    FROM focus_parsed
    WHERE pricing_quantity_text IS NOT NULL AND (pricing_quantity IS NULL OR NOT isfinite(pricing_quantity))
    UNION ALL
    SELECT object_line, 'ChargePeriodStart', COALESCE(charge_period_start_text, '')
    FROM focus_parsed
    WHERE charge_period_start IS NULL
    UNION ALL
    SELECT object_line, 'BillingCurrency', ''
    FROM focus_parsed
    WHERE currency IS NULL
)
ORDER BY object_line, column_name
LIMIT 20
