-- Cells of an activity file (after its template's staging model) that cannot be used: an unparseable
-- date or quantity, a negative quantity, or a value the template defines and this one is not (a
-- vehicle's ownership, a flight's cabin or band, a NAICS code, a currency code, a supplier factor or
-- certificate kWh that is not a number). An unknown unit or factor item is usable data: the ledger and
-- emissions keep the row and flag it.
SELECT object_line, column_name, bad_value
FROM (
    SELECT object_line, 'date/month' AS column_name, CAST(activity_date AS VARCHAR) AS bad_value
    FROM staged_activity WHERE activity_date IS NULL
    UNION ALL
    SELECT object_line, 'quantity', CAST(quantity AS VARCHAR)
    FROM staged_activity WHERE quantity IS NULL OR NOT isfinite(quantity) OR quantity < 0
    UNION ALL
    SELECT object_line, 'ownership', ownership
    FROM staged_activity WHERE template = 'vehicle' AND ownership NOT IN ('owned', 'employee', 'rental')
    UNION ALL
    SELECT object_line, 'cabin', cabin
    FROM staged_activity
    WHERE cabin IS NOT NULL AND cabin NOT IN ('average', 'economy', 'premium_economy', 'business', 'first')
    UNION ALL
    SELECT object_line, 'haul', haul
    FROM staged_activity
    WHERE haul IS NOT NULL AND haul NOT IN ('domestic', 'short_haul', 'medium_haul', 'long_haul', 'international')
    UNION ALL
    SELECT object_line, 'naics', category
    FROM staged_activity WHERE template = 'spend' AND NOT regexp_full_match(category, 'naics:[0-9]{6}')
    UNION ALL
    SELECT object_line, 'currency', currency
    FROM staged_activity
    WHERE (template = 'spend' OR currency IS NOT NULL) AND NOT regexp_full_match(COALESCE(currency, ''), '[A-Z]{3}')
    UNION ALL
    SELECT object_line, 'country', country
    FROM staged_activity WHERE template = 'travel' AND category = 'hotel' AND country IS NULL
    UNION ALL
    SELECT object_line, 'supplier_kgco2e_per_kwh', 'not a number' FROM staged_activity WHERE bad_supplier_factor
    UNION ALL
    SELECT object_line, 'certificate_kwh', 'not a number' FROM staged_activity WHERE bad_certificate_kwh
)
ORDER BY object_line, column_name
LIMIT 20
