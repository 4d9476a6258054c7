-- Google Cloud billing export rows (view `gcp_billing_file`: standard or detailed usage cost, nested columns
-- flattened to their dotted names, every value VARCHAR, plus object_line) as the FOCUS columns
-- staging/focus_parsed.sql reads, mapped as Google's FOCUS export and the FinOps Foundation's focus-converter
-- map them, so a row lands in the ledger exactly as the same charge exported as FOCUS would
-- (docs/sources.md, `gcp_billing_export`):
--   BilledCost        cost; ChargeCategory from cost_type (regular: Usage, or Purchase for a committed-use
--                     fee SKU; tax: Tax; adjustment and rounding error: Adjustment; credit: Credit)
--   credits           the row's credits (a JSON array, as BigQuery writes the repeated field, or one number
--                     already summed) summed into ONE more row, ChargeCategory Credit, BilledCost the sum: credits
--                     are their own cost-only charges, as in Google's FOCUS export, never netted into usage
--   ConsumedQuantity  usage.amount in usage.unit (seconds, byte-seconds, bytes, requests ...);
--                     PricingQuantity usage.amount_in_pricing_units in usage.pricing_unit
--   SubAccountId      project.id; BillingAccountId billing_account_id; RegionId location.region, else
--                     location.location (multi-regions, global); ServiceName service.description; SkuId sku.id;
--                     ChargeDescription sku.description (what the classification reads, as ChargeDescription of
--                     Google's FOCUS export); ChargePeriodStart usage_start_time (BigQuery's "... UTC" suffix read
--                     as UTC)
WITH native AS (
    SELECT
        *,
        lower(trim(COALESCE(cost_type, 'regular'))) AS cost_type_l,
        NULLIF(NULLIF(trim(credits), ''), '[]') AS credits_text,
        regexp_replace(trim(usage_start_time), '\s*UTC$', 'Z') AS start_text
    FROM gcp_billing_file
),
with_credits AS (
    SELECT
        *,
        CASE
            WHEN credits_text IS NULL THEN NULL
            WHEN TRY_CAST(credits_text AS DECIMAL(38, 10)) IS NOT NULL THEN TRY_CAST(credits_text AS DECIMAL(38, 10))
            WHEN json_valid(credits_text) AND json_type(credits_text) = 'ARRAY' THEN
                list_sum(list_transform(json_extract_string(credits_text, '$[*].amount'),
                    lambda x: TRY_CAST(x AS DECIMAL(38, 10))))
        END AS credit_sum
    FROM native
),
charges AS (
    SELECT
        object_line,
        cost AS BilledCost,
        CASE
            WHEN cost_type_l = 'regular' AND regexp_matches(lower(COALESCE("sku.description", '')), '^commitment\b')
                THEN 'Purchase'
            WHEN cost_type_l = 'regular' THEN 'Usage'
            WHEN cost_type_l = 'tax' THEN 'Tax'
            WHEN cost_type_l IN ('adjustment', 'rounding error', 'rounding_error') THEN 'Adjustment'
            WHEN cost_type_l = 'credit' THEN 'Credit'
            ELSE cost_type
        END AS ChargeCategory,
        "usage.amount" AS ConsumedQuantity,
        "usage.unit" AS ConsumedUnit,
        "usage.amount_in_pricing_units" AS PricingQuantity,
        "usage.pricing_unit" AS PricingUnit,
        * EXCLUDE (object_line)
    FROM with_credits
    UNION ALL
    SELECT
        object_line,
        CAST(credit_sum AS VARCHAR) AS BilledCost,
        'Credit' AS ChargeCategory,
        CAST(NULL AS VARCHAR) AS ConsumedQuantity,
        CAST(NULL AS VARCHAR) AS ConsumedUnit,
        CAST(NULL AS VARCHAR) AS PricingQuantity,
        CAST(NULL AS VARCHAR) AS PricingUnit,
        * EXCLUDE (object_line)
    FROM with_credits
    WHERE credit_sum IS NOT NULL AND credit_sum <> 0
)
SELECT
    object_line,
    BilledCost,
    CAST(NULL AS VARCHAR) AS EffectiveCost,
    start_text AS ChargePeriodStart,
    'Google Cloud' AS ProviderName,
    billing_account_id AS BillingAccountId,
    "project.id" AS SubAccountId,
    COALESCE(NULLIF(trim("location.region"), ''), NULLIF(trim("location.location"), '')) AS RegionId,
    CAST(NULL AS VARCHAR) AS RegionName,
    "service.description" AS ServiceName,
    CASE
        WHEN "service.description" IN ('Compute Engine', 'Kubernetes Engine', 'Cloud Run', 'Cloud Run Functions',
            'Cloud Functions', 'App Engine', 'Batch', 'Vertex AI', 'Dataproc') THEN 'Compute'
        WHEN "service.description" IN ('Cloud Storage', 'Filestore', 'Artifact Registry', 'Backup and DR Service')
            THEN 'Storage'
        WHEN "service.description" IN ('Networking', 'Cloud DNS', 'Cloud CDN', 'Network Intelligence Center',
            'Cloud Load Balancing', 'Cloud NAT', 'Cloud VPN', 'Cloud Interconnect') THEN 'Networking'
        WHEN "service.description" IN ('Cloud SQL', 'Cloud Spanner', 'Cloud Bigtable', 'Cloud Firestore', 'Firestore',
            'Cloud Memorystore for Redis', 'Memorystore for Redis', 'AlloyDB for PostgreSQL') THEN 'Databases'
        WHEN "service.description" IN ('BigQuery', 'Dataflow', 'Cloud Pub/Sub', 'Looker Studio') THEN 'Analytics'
        WHEN NULLIF(trim("service.description"), '') IS NOT NULL THEN 'Other'
    END AS ServiceCategory,
    ChargeCategory,
    CAST(NULL AS VARCHAR) AS ChargeClass,
    ConsumedQuantity,
    ConsumedUnit,
    PricingQuantity,
    PricingUnit,
    currency AS BillingCurrency,
    "sku.id" AS SkuId,
    COALESCE("resource.global_name", "resource.name") AS ResourceId,
    CAST(NULL AS VARCHAR) AS x_UsageType,
    CAST(NULL AS VARCHAR) AS x_Operation,
    CAST(NULL AS VARCHAR) AS x_ServiceCode,
    CAST(NULL AS VARCHAR) AS ResourceType,
    "sku.description" AS ChargeDescription,
    CAST(NULL AS VARCHAR) AS CommitmentDiscountId,
    CAST(NULL AS VARCHAR) AS ServiceSubcategory,
    CAST(NULL AS VARCHAR) AS SkuMeter,
    CAST(NULL AS VARCHAR) AS x_SkuMeterCategory,
    CAST(NULL AS VARCHAR) AS x_SkuMeterSubcategory,
    CAST(NULL AS VARCHAR) AS x_SkuMeterName,
    CAST(NULL AS VARCHAR) AS SkuPriceDetails,
    CAST(NULL AS VARCHAR) AS x_SkuDetails
FROM charges
