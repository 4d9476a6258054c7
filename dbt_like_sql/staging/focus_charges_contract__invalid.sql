-- The billing contract of a native export staged as FOCUS rows (azure_cost_details, gcp_billing_export) on
-- the month of $source_id just read, evaluated before the raw stage commits: every row is the kind's
-- $provider, has a three-letter currency and, where it is usage, an account to book it on. The companion of
-- focus_charges.sql for those kinds (carbon_pipeline/sources/validation.py): the first row breaking the first
-- rule comes first, by object and line; the reader's display spells the column as its export does.
SELECT object_key, object_line, column_name, bad_value,
    CASE WHEN NULLIF(bad_value, '') IS NULL THEN 'is empty, which breaks the ' ELSE 'breaks the ' END
        || $provider || ' billing contract; nothing of the delivery was kept' AS reason
FROM (
    SELECT object_key, object_line, 1 AS rule, 'BillingCurrency' AS column_name, currency AS bad_value
    FROM raw.focus_charges
    WHERE source_id = $source_id AND period_month = $month AND NOT regexp_full_match(currency, '[A-Z]{3}')
    UNION ALL
    SELECT object_key, object_line, 2, 'SubAccountId', sub_account_id
    FROM raw.focus_charges
    WHERE source_id = $source_id AND period_month = $month
      AND charge_category = 'Usage' AND COALESCE(sub_account_id, billing_account_id) IS NULL
    UNION ALL
    SELECT object_key, object_line, 3, 'ProviderName', provider
    FROM raw.focus_charges
    WHERE source_id = $source_id AND period_month = $month AND provider <> $provider
)
ORDER BY rule, object_key, object_line
LIMIT 20
