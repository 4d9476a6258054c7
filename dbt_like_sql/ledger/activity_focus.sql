-- FOCUS charges of providers other than AWS -> ledger activity, one row per month x source object x provider
-- x account x region x service x charge category x charge class x consumed unit x currency x estimation
-- class x vCPU x flag. Every raw row lands in exactly one ledger row (line_item_count adds back to the raw
-- count; the ledger check proves it). AWS rows take the CUR rules in ledger/activity_cloud_billing.sql.
-- The account is the sub account (Azure subscription, GCP project, OCI compartment), else the billing account.
--
-- Usage is classified for the estimate only where FOCUS makes it reliable (docs/methodology.md, "FOCUS usage"):
--   compute      ConsumedUnit in vCPU / vCore / core / OCPU hours; or hours of a VM whose SKU details give
--                its VCPUs (Azure x_SkuDetails, FOCUS 1.1 SkuPriceDetails CoreCount); or a Google Cloud
--                "Instance Core" SKU billed in hours (its quantity is core-hours)
--   memory       GB(GiB)-hours of a Compute service, or of a SKU naming memory / RAM
--   storage_ssd  GB(GiB)-months whose SKU, meter or description says SSD, Premium or NVMe
--   storage_hdd  any other GB(GiB)-months (object, blob, standard disk storage: HDD, as CCF)
--   network      GB of outbound data transfer / egress named by the SKU meter or description
-- Everything else is 'unclassified' (flag no_usage_coefficient, kept and reported), and every charge that
-- is not usage, or is a correction, is a cost-only charge.
WITH charges AS (
    SELECT
        *,
        lower(COALESCE(consumed_unit, '')) AS unit_l,
        lower(concat_ws(' ', service_name, sku_meter, charge_description, resource_type)) AS text_l,
        -- a meter priced per vCore-hour (Azure SQL Database, Synapse "1 vCore"): its hours are vCPU-hours
        regexp_matches(lower(concat_ws(' ', sku_meter, charge_description)), '\| vcore$|\b1 vcore\b') AS per_vcore,
        COALESCE(
            CASE WHEN json_valid(sku_price_details) THEN TRY_CAST(COALESCE(
                json_extract_string(sku_price_details, '$.VCPUs'),
                json_extract_string(sku_price_details, '$.CoreCount'),
                json_extract_string(sku_price_details, '$.vCPUs')) AS INTEGER) END,
            -- an Azure VM size names its vCPU count (Standard_D2s_v3, meter "D2 v3/D2s v3": 2) (issue 14)
            CASE WHEN provider = 'azure' THEN TRY_CAST(NULLIF(regexp_extract(lower(concat_ws(' ',
                CASE WHEN json_valid(sku_price_details) THEN json_extract_string(sku_price_details, '$.ServiceType') END,
                sku_meter)), '(standard_|\| )[a-z]{1,2}([0-9]{1,3})[a-z]*[ _]v[0-9]', 2), '') AS INTEGER) END
        ) AS detail_vcpu
    FROM raw.focus_charges
    WHERE provider <> 'aws' AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
),
classified AS (
    SELECT
        *,
        CASE
            WHEN charge_category IS DISTINCT FROM 'Usage' OR charge_class = 'Correction'
                 OR flag = 'commitment_negation' THEN 'cost_only'
            WHEN regexp_matches(unit_l, '^(vcpu|vcore|core|ocpu)s?[- ]?(hours?|hrs?)$') THEN 'compute'
            -- Google Cloud's usage units (billing export and its FOCUS export): core seconds, RAM and disk
            -- byte-seconds, egress bytes; the emissions stage scales them to hours, GB-hours, GB-months, GB
            WHEN regexp_matches(unit_l, '^seconds?$') AND regexp_matches(text_l, '\b(core|vcpu|cpu)\b') THEN 'compute'
            WHEN unit_l = 'byte-seconds' AND regexp_matches(text_l, 'memory|\bram\b') THEN 'memory'
            WHEN unit_l = 'byte-seconds' AND regexp_matches(text_l, 'storage|capacity|snapshot|\bdisk\b') THEN
                CASE WHEN regexp_matches(text_l, 'ssd|premium|nvme|balanced|extreme') THEN 'storage_ssd'
                     ELSE 'storage_hdd' END
            WHEN regexp_matches(unit_l, '^bytes?$')
                 AND regexp_matches(text_l, 'egress|data transfer out|outbound|internet data transfer')
                 AND NOT regexp_matches(text_l, 'inbound|ingress') THEN 'network'
            WHEN regexp_matches(unit_l, '^(1 )?(hours?|hrs?)$') AND per_vcore THEN 'compute'
            WHEN regexp_matches(unit_l, '^(1 )?(hours?|hrs?)$') AND detail_vcpu > 0 THEN 'compute'
            WHEN provider = 'gcp' AND regexp_matches(unit_l, '^(hours?|hrs?)$')
                 AND regexp_matches(text_l, 'instance core') THEN 'compute'
            WHEN regexp_matches(unit_l, '^(gb|gib|gigabytes?|gibibytes?)[- ]?(per )?(hours?|hrs?)$')
                 AND (service_category = 'Compute' OR regexp_matches(text_l, 'memory|\bram\b')) THEN 'memory'
            WHEN regexp_matches(unit_l, '^(gb|gib|gigabytes?|gibibytes?)[- /]?(per )?(months?|mo)$') THEN
                CASE WHEN regexp_matches(text_l, 'ssd|premium|nvme') THEN 'storage_ssd' ELSE 'storage_hdd' END
            WHEN regexp_matches(unit_l, '^(gb|gib|gigabytes?|gibibytes?)$')
                 AND regexp_matches(text_l, 'data transfer out|egress|outbound|internet data transfer')
                 AND NOT regexp_matches(text_l, 'inbound|ingress|data transfer in\b|data processed') THEN 'network'
            ELSE 'unclassified'
        END AS estimation_class
    FROM charges
),
grouped AS (
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
        estimation_class,
        CASE WHEN estimation_class = 'compute' AND NOT per_vcore THEN detail_vcpu END AS vcpu,
        flag,
        COUNT(*) AS line_item_count,
        MIN(object_line) AS first_line,
        SUM(consumed_quantity) AS quantity,
        SUM(billed_cost) AS cost
    FROM classified
    GROUP BY ALL
)
SELECT
    md5(concat_ws('|', 'focus', source_id, CAST(period_month AS VARCHAR), delivery_id, object_key, provider,
        COALESCE(account_id, ''), region, service, COALESCE(service_category, ''), COALESCE(charge_category, ''),
        COALESCE(charge_class, ''), COALESCE(consumed_unit, ''), currency, estimation_class,
        COALESCE(CAST(vcpu AS VARCHAR), ''), COALESCE(flag, ''))) AS activity_id,
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
    vcpu,
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
FROM grouped
