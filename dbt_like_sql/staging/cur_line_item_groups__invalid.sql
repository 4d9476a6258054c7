-- The CUR contract's row rules (quality/expectations.py, raw.cur_line_item_groups) on the month of
-- $source_id just read, evaluated before the raw stage commits: a usage account that is not 12 digits, a
-- payer account that is not, a line item type outside $types (NULL passes, as in the great-expectations
-- rule), a currency that is not three capital letters. The companion of cur_line_item_groups.sql
-- (carbon_pipeline/sources/validation.py): the first group breaking the first rule comes first, by object and
-- line. Column names are a legacy CSV object's headers when $csv_names, else the Athena / CUR 2.0 names.
SELECT
    object_key,
    first_line AS object_line,
    CASE WHEN $csv_names AND NOT suffix(lower(object_key), '.parquet') THEN csv_header ELSE athena_name END
        AS column_name,
    bad_value,
    CASE WHEN NULLIF(bad_value, '') IS NULL THEN 'is empty, but the CUR contract requires it; nothing of the delivery was kept'
         ELSE 'breaks the CUR contract; nothing of the delivery was kept' END AS reason
FROM (
    SELECT object_key, first_line, 1 AS rule, 'lineItem/UsageAccountId' AS csv_header,
        'line_item_usage_account_id' AS athena_name, usage_account_id AS bad_value
    FROM raw.cur_line_item_groups
    WHERE source_id = $source_id AND period_month = $month
      AND (usage_account_id IS NULL OR NOT regexp_full_match(usage_account_id, '[0-9]{12}'))
    UNION ALL
    SELECT object_key, first_line, 2, 'bill/PayerAccountId', 'bill_payer_account_id', payer_account_id
    FROM raw.cur_line_item_groups
    WHERE source_id = $source_id AND period_month = $month
      AND NOT regexp_full_match(payer_account_id, '[0-9]{12}')
    UNION ALL
    SELECT object_key, first_line, 3, 'lineItem/LineItemType', 'line_item_line_item_type', line_item_type
    FROM raw.cur_line_item_groups
    WHERE source_id = $source_id AND period_month = $month
      AND NOT list_contains($types, line_item_type)
    UNION ALL
    SELECT object_key, first_line, 4, 'lineItem/CurrencyCode', 'line_item_currency_code', currency
    FROM raw.cur_line_item_groups
    WHERE source_id = $source_id AND period_month = $month
      AND NOT regexp_full_match(currency, '[A-Z]{3}')
)
ORDER BY rule, object_key, object_line
LIMIT 20
