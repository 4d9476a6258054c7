-- Cells of one CUR object (legacy CUR or CUR 2.0: `cur_file` as staging/aws_cur_line_items.sql reads it)
-- that cannot be used: a usage amount that is not a finite number, a cost that is not a decimal, a usage
-- start that is not a timestamp, no usage account or line item type. The companion of
-- aws_cur_line_items.sql (carbon_pipeline/sources/validation.py): one row per unusable cell, lowest line
-- first. The staging model refuses the same cells in its own single pass over the object (a month is tens of
-- millions of line items, read once); when it does, this model names the cell, on the failure path only.
-- Column names are the Athena ones; the reader shows a CSV object's own header (lineItem/UsageAmount).
SELECT $object_key AS object_key, object_line, column_name, bad_value, reason
FROM (
    SELECT object_line, 1 AS rule, 'line_item_usage_amount' AS column_name,
        CAST(line_item_usage_amount AS VARCHAR) AS bad_value, 'is not usable (not a finite number)' AS reason
    FROM cur_file
    WHERE line_item_usage_amount IS NOT NULL
      AND (TRY_CAST(line_item_usage_amount AS DOUBLE) IS NULL
           OR NOT isfinite(TRY_CAST(line_item_usage_amount AS DOUBLE)))
      AND CAST(line_item_usage_amount AS VARCHAR) <> ''
    UNION ALL
    SELECT object_line, 2, 'line_item_unblended_cost', CAST(line_item_unblended_cost AS VARCHAR),
        'is not usable (not a decimal number)'
    FROM cur_file
    WHERE line_item_unblended_cost IS NOT NULL
      AND TRY_CAST(line_item_unblended_cost AS DECIMAL(38, 10)) IS NULL
      AND CAST(line_item_unblended_cost AS VARCHAR) <> ''
    UNION ALL
    SELECT object_line, 3, 'line_item_usage_start_date', CAST(line_item_usage_start_date AS VARCHAR),
        CASE WHEN NULLIF(CAST(line_item_usage_start_date AS VARCHAR), '') IS NULL THEN 'is empty, but required'
             ELSE 'is not usable (not a date and time)' END
    FROM cur_file
    WHERE TRY_CAST(line_item_usage_start_date AS TIMESTAMP) IS NULL
    UNION ALL
    SELECT object_line, 4, 'line_item_usage_account_id', line_item_usage_account_id, 'is empty, but required'
    FROM cur_file
    WHERE NULLIF(line_item_usage_account_id, '') IS NULL
    UNION ALL
    SELECT object_line, 5, 'line_item_line_item_type', line_item_line_item_type, 'is empty, but required'
    FROM cur_file
    WHERE NULLIF(line_item_line_item_type, '') IS NULL
)
ORDER BY object_line, rule
LIMIT 20
