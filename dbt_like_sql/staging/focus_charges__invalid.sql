-- Values in a FOCUS object (the `focus_parsed` view) that are present but unusable, or absent where
-- FOCUS requires them and the inventory cannot do without: one row per offending cell, first lines
-- first. Numbers must parse and be finite (NaN and infinity are refused); an empty RegionId is not an
-- error (the ledger books it as region 'global'). No rows means the object may be loaded. The companion
-- of focus_charges.sql (carbon_pipeline/sources/validation.py).
SELECT $object_key AS object_key, object_line, column_name, bad_value, reason
FROM (
    SELECT object_line, 'BilledCost' AS column_name, COALESCE(billed_cost_text, '') AS bad_value,
        CASE WHEN NULLIF(billed_cost_text, '') IS NULL THEN 'is empty, but FOCUS requires it'
             ELSE 'is not a number' END AS reason
    FROM focus_parsed
    WHERE billed_cost IS NULL
    UNION ALL
    SELECT object_line, 'EffectiveCost', effective_cost_text, 'is not a number'
    FROM focus_parsed
    WHERE effective_cost_text IS NOT NULL AND effective_cost IS NULL
    UNION ALL
    SELECT object_line, 'ConsumedQuantity', consumed_quantity_text, 'is not a finite number'
    FROM focus_parsed
    WHERE consumed_quantity_text IS NOT NULL AND (consumed_quantity IS NULL OR NOT isfinite(consumed_quantity))
    UNION ALL
    SELECT object_line, 'PricingQuantity', pricing_quantity_text, 'is not a finite number'
    FROM focus_parsed
    WHERE pricing_quantity_text IS NOT NULL AND (pricing_quantity IS NULL OR NOT isfinite(pricing_quantity))
    UNION ALL
    SELECT object_line, 'ChargePeriodStart', COALESCE(charge_period_start_text, ''),
        CASE WHEN NULLIF(charge_period_start_text, '') IS NULL THEN 'is empty, but FOCUS requires it'
             ELSE 'is not a date and time' END
    FROM focus_parsed
    WHERE charge_period_start IS NULL
    UNION ALL
    SELECT object_line, 'BillingCurrency', '', 'is empty, but FOCUS requires it'
    FROM focus_parsed
    WHERE currency IS NULL
)
ORDER BY object_line, column_name
LIMIT 20
