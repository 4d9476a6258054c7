-- Cells of a Google Cloud billing export object (view `gcp_billing_file`) that the FOCUS staging cannot report
-- under their own column: credits that are neither a JSON array of {amount: ...} objects nor one number (an
-- amount that is not a number counts), and an invoice.month that is not YYYYMM. One row per offending cell. The
-- companion of gcp_billing_export_as_focus.sql (carbon_pipeline/sources/validation.py).
SELECT $object_key AS object_key, object_line, column_name, bad_value, reason
FROM (
    SELECT object_line, 'credits' AS column_name, credits AS bad_value,
        'is neither a number nor a list of credits with numeric amounts' AS reason
    FROM gcp_billing_file
    WHERE NULLIF(NULLIF(trim(credits), ''), '[]') IS NOT NULL
      AND TRY_CAST(trim(credits) AS DECIMAL(38, 10)) IS NULL
      AND NOT (json_valid(credits) AND json_type(credits) = 'ARRAY'
               AND len(json_extract_string(credits, '$[*].amount')) = json_array_length(credits)
               AND list_bool_and(list_transform(json_extract_string(credits, '$[*].amount'),
                   lambda x: TRY_CAST(x AS DECIMAL(38, 10)) IS NOT NULL)))
    UNION ALL
    SELECT object_line, 'invoice.month', "invoice.month", 'is not a month written YYYYMM'
    FROM gcp_billing_file
    WHERE NULLIF(trim("invoice.month"), '') IS NOT NULL AND NOT regexp_full_match(trim("invoice.month"), '\d{4}(0[1-9]|1[0-2])')
)
ORDER BY object_line, column_name
LIMIT 20
