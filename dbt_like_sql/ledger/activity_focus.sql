-- FOCUS charges -> ledger activity, one row per month x source object x provider x account x region x
-- service x charge category x charge class x consumed unit x currency x flag. Every raw row lands in
-- exactly one ledger row (line_item_count adds back to the raw count; the ledger check proves it).
-- The account is the sub account (AWS account, Azure subscription, GCP project, OCI compartment), else
-- the billing account. Usage is 'unclassified' until FOCUS usage gets its coefficients (flagged
-- no_usage_coefficient, so it is kept and reported); everything else, and any correction, is a
-- cost-only charge.
WITH grouped AS (
    SELECT
        period_month,
        source_id,
        delivery_id,
        object_key,
        provider,
        COALESCE(sub_account_id, billing_account_id) AS account_id,
        COALESCE(region, 'global') AS region,
        COALESCE(service_name, 'unknown') AS service,
        service_category,
        charge_category,
        charge_class,
        consumed_unit,
        currency,
        flag,
        COUNT(*) AS line_item_count,
        MIN(object_line) AS first_line,
        SUM(consumed_quantity) AS quantity,
        SUM(billed_cost) AS cost
    FROM raw.focus_charges
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
),
classified AS (
    SELECT
        *,
        CASE
            WHEN charge_category = 'Usage' AND charge_class IS DISTINCT FROM 'Correction' THEN 'unclassified'
            ELSE 'cost_only'
        END AS estimation_class
    FROM grouped
)
SELECT
    md5(concat_ws('|', 'focus', source_id, CAST(period_month AS VARCHAR), delivery_id, object_key, provider,
        COALESCE(account_id, ''), region, service, COALESCE(service_category, ''), COALESCE(charge_category, ''),
        COALESCE(charge_class, ''), COALESCE(consumed_unit, ''), currency, COALESCE(flag, ''))) AS activity_id,
    period_month,
    source_id,
    'focus' AS source_kind,
    object_key AS source_object,
    delivery_id AS source_version,
    line_item_count,
    first_line,
    CASE WHEN estimation_class = 'cost_only' THEN 'cloud_charge' ELSE 'cloud_usage' END AS activity_type,
    provider,
    account_id,
    region,
    service,
    NULLIF(concat_ws(':', service_category, consumed_unit), '') AS usage_type,
    charge_category AS line_item_type,
    CAST(NULL AS VARCHAR) AS instance_type,
    CAST(NULL AS INTEGER) AS vcpu,
    CAST(NULL AS VARCHAR) AS site,
    CAST(NULL AS VARCHAR) AS geography,
    CAST(NULL AS VARCHAR) AS category,
    quantity,
    consumed_unit AS unit,
    cost,
    currency,
    CAST(NULL AS DOUBLE) AS supplier_kgco2e_per_kwh,
    CAST(NULL AS DOUBLE) AS certificate_kwh,
    CASE WHEN $cloud_scope_policy = 'scope2_framing' THEN 2 ELSE 3 END AS scope,
    CASE WHEN $cloud_scope_policy = 'scope2_framing' THEN NULL ELSE 1 END AS scope3_category,
    estimation_class,
    CASE
        WHEN flag IS NOT NULL THEN flag
        WHEN estimation_class = 'unclassified' THEN 'no_usage_coefficient'
    END AS flag
FROM classified
