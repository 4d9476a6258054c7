-- Values in a CUR object (legacy or 2.0) that are present but unusable: one row per offending cell, first
-- lines first, the column by its snake_case name (the reader shows a CSV object's own header name).
-- An empty list means the object may be loaded.
SELECT object_line, column_name, bad_value
FROM (
    SELECT object_line, 'line_item_usage_amount' AS column_name, line_item_usage_amount AS bad_value
    FROM cur_file
    WHERE NULLIF(line_item_usage_amount, '') IS NOT NULL
      AND (TRY_CAST(line_item_usage_amount AS DOUBLE) IS NULL OR NOT isfinite(TRY_CAST(line_item_usage_amount AS DOUBLE)))
    UNION ALL
    SELECT object_line, 'line_item_unblended_cost', line_item_unblended_cost
    FROM cur_file
    WHERE NULLIF(line_item_unblended_cost, '') IS NOT NULL
      AND TRY_CAST(line_item_unblended_cost AS DECIMAL(38, 10)) IS NULL
    UNION ALL
    SELECT object_line, 'line_item_usage_start_date', line_item_usage_start_date
    FROM cur_file
    WHERE TRY_CAST(NULLIF(line_item_usage_start_date, '') AS TIMESTAMP) IS NULL
    UNION ALL
    SELECT object_line, 'line_item_usage_account_id', line_item_usage_account_id
    FROM cur_file
    WHERE NULLIF(line_item_usage_account_id, '') IS NULL
    UNION ALL
    SELECT object_line, 'line_item_line_item_type', line_item_line_item_type
    FROM cur_file
    WHERE NULLIF(line_item_line_item_type, '') IS NULL
)
ORDER BY object_line, column_name
LIMIT 20
