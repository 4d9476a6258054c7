-- One FOCUS object, parsed once. `focus_file` has the FOCUS column names (every value VARCHAR) plus
-- object_line. Empty strings and the bare word NULL (how the FinOps Foundation sample writes a null)
-- become SQL NULL; numbers and timestamps are TRY_CAST so that staging/focus_charges__invalid.sql can
-- name every value that fails, with its row and column, before anything is written.
-- ChargePeriodStart is UTC per the spec: a value with an offset (`...Z`, `+02:00`) is converted to
-- UTC, one without is taken as UTC (never the session's time zone).
WITH cleaned AS (
    SELECT
        object_line,
        NULLIF(NULLIF(trim(BilledCost), ''), 'NULL') AS billed_cost_text,
        NULLIF(NULLIF(trim(EffectiveCost), ''), 'NULL') AS effective_cost_text,
        NULLIF(NULLIF(trim(ConsumedQuantity), ''), 'NULL') AS consumed_quantity_text,
        NULLIF(NULLIF(trim(PricingQuantity), ''), 'NULL') AS pricing_quantity_text,
        NULLIF(NULLIF(trim(ChargePeriodStart), ''), 'NULL') AS charge_period_start_text,
        NULLIF(NULLIF(trim(ProviderName), ''), 'NULL') AS provider_name,
        NULLIF(NULLIF(trim(BillingAccountId), ''), 'NULL') AS billing_account_id,
        NULLIF(NULLIF(trim(SubAccountId), ''), 'NULL') AS sub_account_id,
        -- RegionId, else RegionName (OCI rows of the FinOps sample have only the name, which is OCI's code)
        COALESCE(NULLIF(NULLIF(trim(RegionId), ''), 'NULL'), NULLIF(NULLIF(trim(RegionName), ''), 'NULL')) AS region_text,
        NULLIF(NULLIF(trim(ServiceName), ''), 'NULL') AS service_name,
        NULLIF(NULLIF(trim(ServiceCategory), ''), 'NULL') AS service_category,
        NULLIF(NULLIF(trim(ChargeCategory), ''), 'NULL') AS charge_category,
        NULLIF(NULLIF(trim(ChargeClass), ''), 'NULL') AS charge_class,
        NULLIF(NULLIF(trim(ConsumedUnit), ''), 'NULL') AS consumed_unit,
        NULLIF(NULLIF(trim(PricingUnit), ''), 'NULL') AS pricing_unit,
        NULLIF(NULLIF(trim(BillingCurrency), ''), 'NULL') AS currency,
        NULLIF(NULLIF(trim(SkuId), ''), 'NULL') AS sku_id,
        NULLIF(NULLIF(trim(ResourceId), ''), 'NULL') AS resource_id,
        NULLIF(NULLIF(trim(x_UsageType), ''), 'NULL') AS usage_type,
        NULLIF(NULLIF(trim(x_Operation), ''), 'NULL') AS operation,
        NULLIF(NULLIF(trim(x_ServiceCode), ''), 'NULL') AS service_code,
        NULLIF(NULLIF(trim(ResourceType), ''), 'NULL') AS resource_type,
        NULLIF(NULLIF(trim(ChargeDescription), ''), 'NULL') AS charge_description,
        NULLIF(NULLIF(trim(CommitmentDiscountId), ''), 'NULL') AS commitment_discount_id,
        NULLIF(NULLIF(trim(ServiceSubcategory), ''), 'NULL') AS service_subcategory,
        -- FOCUS 1.1's SkuMeter, else Azure's meter category | subcategory | name
        COALESCE(
            NULLIF(NULLIF(trim(SkuMeter), ''), 'NULL'),
            NULLIF(concat_ws(' | ', NULLIF(NULLIF(trim(x_SkuMeterCategory), ''), 'NULL'),
                NULLIF(NULLIF(trim(x_SkuMeterSubcategory), ''), 'NULL'),
                NULLIF(NULLIF(trim(x_SkuMeterName), ''), 'NULL')), '')
        ) AS sku_meter,
        -- FOCUS 1.1's SkuPriceDetails, else Azure's x_SkuDetails (both JSON objects)
        COALESCE(NULLIF(NULLIF(trim(SkuPriceDetails), ''), 'NULL'), NULLIF(NULLIF(trim(x_SkuDetails), ''), 'NULL'))
            AS sku_price_details
    FROM focus_file
),
with_provider AS (
SELECT
    *,
    TRY_CAST(billed_cost_text AS DECIMAL(38, 10)) AS billed_cost,
    TRY_CAST(effective_cost_text AS DECIMAL(38, 10)) AS effective_cost,
    TRY_CAST(consumed_quantity_text AS DOUBLE) AS consumed_quantity,
    TRY_CAST(pricing_quantity_text AS DOUBLE) AS pricing_quantity,
    CASE
        WHEN regexp_matches(charge_period_start_text, ':\d\d(\.\d+)?\s*(Z|[+-]\d\d(:?\d\d)?)$')
            THEN timezone('UTC', TRY_CAST(charge_period_start_text AS TIMESTAMPTZ))
        ELSE TRY_CAST(charge_period_start_text AS TIMESTAMP)
    END AS charge_period_start,
    CASE
        WHEN regexp_matches(lower(provider_name), '^(aws|amazon)\b') THEN 'aws'
        WHEN regexp_matches(lower(provider_name), '^(microsoft|azure)\b') THEN 'azure'
        WHEN regexp_matches(lower(provider_name), '^(google|gcp)\b') THEN 'gcp'
        WHEN regexp_matches(lower(provider_name), '^(oracle|oci)\b') THEN 'oci'
        ELSE COALESCE(NULLIF(trim(regexp_replace(lower(provider_name), '[^a-z0-9]+', '-', 'g'), '-'), ''), 'unknown')
    END AS provider
FROM cleaned
)
SELECT
    * EXCLUDE (region_text) REPLACE (
        -- an AWS account id is 12 digits: a copy that stored it as a number lost its leading zeros (the CUR
        -- readers pad it the same way)
        CASE WHEN provider = 'aws' AND regexp_matches(billing_account_id, '^[0-9]{1,11}$')
            THEN lpad(billing_account_id, 12, '0') ELSE billing_account_id END AS billing_account_id,
        CASE WHEN provider = 'aws' AND regexp_matches(sub_account_id, '^[0-9]{1,11}$')
            THEN lpad(sub_account_id, 12, '0') ELSE sub_account_id END AS sub_account_id
    ),
    -- Azure display names ("East US 2", and the older "US East 2", "EU West" of cost-details files) as the
    -- region codes the grid table knows (eastus2, westeurope); codes pass unchanged
    CASE
        WHEN provider <> 'azure' OR NOT regexp_matches(region_text, '[A-Z ]') THEN region_text
        ELSE regexp_replace(
            regexp_replace(regexp_replace(regexp_replace(
                regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
                regexp_replace(regexp_replace(regexp_replace(
                    regexp_replace(lower(trim(region_text)), '^(us|eu|ap|in) ([a-z ]+?)( [0-9]+)?$', '\2 \1\3'),
                ' eu( [0-9]+)?$', ' europe\1'), ' ap( [0-9]+)?$', ' asia\1'), ' in( [0-9]+)?$', ' india\1'),
                '^ca ', 'canada '), '^ja ', 'japan '), '^au ', 'australia '), '^br ', 'brazil '), '^kr ', 'korea '),
                '^fr ', 'france '), '^de ', 'germany '), '^ch ', 'switzerland '), '^za ', 'southafrica '),
            '[^a-z0-9]', '', 'g')
    END AS region
FROM with_provider
