-- Cells of an Azure cost-details object (view `azure_cost_file`) that the FOCUS staging would not report by
-- their own value: a Date that is neither MM/DD/YYYY nor an ISO date (the mapped value would be the text
-- itself, reported by focus_charges__invalid too, but here under its own column first), and a Quantity that is
-- not a number (PricingQuantity is computed from it). One row per offending cell, first lines first. The
-- companion of azure_cost_details_as_focus.sql (carbon_pipeline/sources/validation.py).
SELECT $object_key AS object_key, object_line, column_name, bad_value, reason
FROM (
    SELECT object_line, 'Date' AS column_name, COALESCE(Date, '') AS bad_value,
        CASE WHEN NULLIF(trim(Date), '') IS NULL THEN 'is empty, but required' ELSE 'is not a date' END AS reason
    FROM azure_cost_file
    WHERE TRY_STRPTIME(trim(Date), '%m/%d/%Y') IS NULL AND TRY_CAST(trim(Date) AS TIMESTAMP) IS NULL
    UNION ALL
    SELECT object_line, 'Quantity', Quantity, 'is not a finite number'
    FROM azure_cost_file
    WHERE NULLIF(trim(Quantity), '') IS NOT NULL
      AND (TRY_CAST(Quantity AS DOUBLE) IS NULL OR NOT isfinite(TRY_CAST(Quantity AS DOUBLE)))
)
ORDER BY object_line, column_name
LIMIT 20
