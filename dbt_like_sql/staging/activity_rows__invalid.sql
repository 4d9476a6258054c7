-- Cells of an activity file (after its template's staging model, `staged_activity`) that cannot be used:
-- an unparseable date or quantity, a negative quantity, a value the template defines and this one is not
-- (a vehicle's ownership, a flight's cabin or band, an electricity reading, a NAICS code, a currency code, a supplier factor or
-- certificate kWh that is not a number), then text in an optional numeric cell (a cost of `one hundred`
-- or `1,234.50` would otherwise be an unflagged NULL cost). An unknown unit or factor item is usable data:
-- the ledger and emissions keep the row and flag it. The companion of the activity_<template>.sql models
-- (carbon_pipeline/sources/validation.py); values are the cells as delivered (the cell_* columns), column
-- names the staged ones (the reader shows the template's own: `kwh` for an electricity file's quantity).
SELECT $object_key AS object_key, object_line, column_name, bad_value, reason
FROM (
    SELECT object_line, 1 AS rule_group, 'date/month' AS column_name, cell_date AS bad_value,
        CASE WHEN NULLIF(trim(cell_date), '') IS NULL THEN 'is empty, but required'
             WHEN template = 'electricity' THEN 'is not a month (YYYY-MM)'
             ELSE 'is not a date (YYYY-MM-DD)' END AS reason
    FROM staged_activity WHERE activity_date IS NULL
    UNION ALL
    SELECT object_line, 1, 'quantity', cell_quantity,
        CASE WHEN NULLIF(trim(cell_quantity), '') IS NULL THEN 'is empty, but required'
             WHEN quantity IS NULL THEN 'is not a number (write 1234.50: no thousands separators, no words)'
             WHEN NOT isfinite(quantity) THEN 'is not a finite number'
             ELSE 'is negative' END
    FROM staged_activity WHERE quantity IS NULL OR NOT isfinite(quantity) OR quantity < 0
    UNION ALL
    SELECT object_line, 1, 'ownership', ownership, 'is not owned, employee or rental'
    FROM staged_activity WHERE template = 'vehicle' AND ownership NOT IN ('owned', 'employee', 'rental')
    UNION ALL
    SELECT object_line, 1, 'cabin', cabin, 'is not average, economy, premium_economy, business or first'
    FROM staged_activity
    WHERE cabin IS NOT NULL AND cabin NOT IN ('average', 'economy', 'premium_economy', 'business', 'first')
    UNION ALL
    SELECT object_line, 1, 'haul', haul, 'is not domestic, short_haul, medium_haul, long_haul or international'
    FROM staged_activity
    WHERE haul IS NOT NULL AND haul NOT IN ('domestic', 'short_haul', 'medium_haul', 'long_haul', 'international')
    UNION ALL
    SELECT object_line, 1, 'naics', category, 'is not a six-digit NAICS code'
    FROM staged_activity WHERE template = 'spend' AND NOT regexp_full_match(category, 'naics:[0-9]{6}')
    UNION ALL
    SELECT object_line, 1, 'currency', currency,
        CASE WHEN currency IS NULL THEN 'is empty, but required' ELSE 'is not a three-letter currency code' END
    FROM staged_activity
    WHERE (template = 'spend' OR currency IS NOT NULL) AND NOT regexp_full_match(COALESCE(currency, ''), '[A-Z]{3}')
    UNION ALL
    -- electricity: how the kWh was obtained (docs/activity_templates.md); the activity tier is read from it
    SELECT object_line, 1, 'reading', cell_reading, 'is not meter, invoice or estimate (or empty: invoice)'
    FROM staged_activity WHERE reading IS NOT NULL AND reading NOT IN ('meter', 'invoice', 'estimate')
    UNION ALL
    SELECT object_line, 1, 'country', country, 'is empty, but required for a hotel stay'
    FROM staged_activity WHERE template = 'travel' AND category = 'hotel' AND country IS NULL
    UNION ALL
    SELECT object_line, 1, c.column_name, c.bad_value, 'is not a number'
    FROM staged_activity,
    LATERAL (VALUES
        ('supplier_kgco2e_per_kwh', cell_supplier_kgco2e_per_kwh),
        ('certificate_kwh', cell_certificate_kwh)
    ) AS c(column_name, bad_value)
    WHERE NULLIF(c.bad_value, '') IS NOT NULL AND TRY_CAST(c.bad_value AS DOUBLE) IS NULL
    UNION ALL
    -- only once the template's own rules pass, so a bad quantity or date is still the first thing reported
    SELECT object_line, 2, c.column_name, c.bad_value,
        'is not a number (write 1234.50: no thousands separators, no words)'
    FROM staged_activity,
    LATERAL (VALUES ('cost', cell_cost), ('passengers', cell_passengers), ('nights', cell_nights)) AS c(column_name, bad_value)
    WHERE NULLIF(trim(c.bad_value), '') IS NOT NULL AND TRY_CAST(trim(c.bad_value) AS DOUBLE) IS NULL
)
ORDER BY rule_group, object_line, column_name
LIMIT 20
