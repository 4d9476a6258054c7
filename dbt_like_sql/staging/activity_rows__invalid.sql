-- Cells of an activity file (after its template's staging model) that cannot be used: an unparseable
-- date or quantity, or a negative quantity. (An unknown unit is usable data: the ledger keeps the row
-- and flags it.)
SELECT object_line, column_name, bad_value
FROM (
    SELECT object_line, 'date/month' AS column_name, CAST(activity_date AS VARCHAR) AS bad_value
    FROM staged_activity WHERE activity_date IS NULL
    UNION ALL
    SELECT object_line, 'quantity', CAST(quantity AS VARCHAR)
    FROM staged_activity WHERE quantity IS NULL OR NOT isfinite(quantity) OR quantity < 0
)
ORDER BY object_line, column_name
LIMIT 20
