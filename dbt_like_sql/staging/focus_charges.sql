-- FOCUS object (the `focus_parsed` view) -> typed raw rows, every row of the object.
-- $period_month is the billing period of a manifest-driven delivery (every row belongs to it; a charge
-- that starts outside it is kept and flagged), or NULL for dropped files, whose rows belong to the
-- month of their own ChargePeriodStart. Rows missing a label FOCUS requires are kept and flagged.
SELECT
    $source_id AS source_id,
    COALESCE(CAST($period_month AS DATE), CAST(date_trunc('month', charge_period_start) AS DATE)) AS period_month,
    $focus_version AS focus_version,
    $delivery_id AS delivery_id,
    $object_key AS object_key,
    object_line,
    provider,
    billing_account_id,
    sub_account_id,
    region,
    service_name,
    service_category,
    charge_category,
    charge_class,
    charge_period_start,
    consumed_quantity,
    consumed_unit,
    pricing_quantity,
    pricing_unit,
    billed_cost,
    effective_cost,
    currency,
    sku_id,
    resource_id,
    usage_type,
    operation,
    service_code,
    resource_type,
    charge_description,
    sku_meter,
    sku_price_details,
    CASE
        WHEN provider_name IS NULL THEN 'no_provider_name'
        WHEN service_name IS NULL THEN 'no_service_name'
        WHEN charge_category IS NULL THEN 'no_charge_category'
        -- a commitment's negation of on-demand cost (AWS's SavingsPlanNegation, which FOCUS books as Usage
        -- with a negative cost): cost only, never usage to estimate (issue 14)
        WHEN charge_category = 'Usage' AND billed_cost < 0
             AND (commitment_discount_id IS NOT NULL OR contains(lower(COALESCE(charge_description, '')), 'negation'))
            THEN 'commitment_negation'
        -- kept, flagged and left out of the usage estimate, never netted (checks/negative_usage.sql)
        WHEN charge_category = 'Usage' AND consumed_quantity < 0 THEN 'negative_usage'
        WHEN CAST(date_trunc('month', charge_period_start) AS DATE) <> CAST($period_month AS DATE)
            THEN 'charge_outside_billing_period'
    END AS flag
FROM focus_parsed
