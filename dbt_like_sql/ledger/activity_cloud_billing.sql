-- Cloud billing line items -> ledger activity, one row per month x source object x account x region x
-- product x usage type x line-item type x instance type x currency x flag. Every raw row lands in
-- exactly one ledger row (line_item_count adds back to the raw count; the ledger check proves it).
WITH grouped AS (
    SELECT
        period_month,
        source_id,
        assembly_id,
        object_key,
        usage_account_id,
        COALESCE(region_code, 'global') AS region,
        product_code,
        usage_type,
        line_item_type,
        instance_type,
        vcpu,
        pricing_unit,
        currency,
        flag,
        COUNT(*) AS line_item_count,
        MIN(object_line) AS first_line,
        SUM(COALESCE(usage_amount, 0)) AS quantity,
        SUM(COALESCE(unblended_cost, 0)) AS cost
    FROM raw.aws_cur_line_items
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
),
classified AS (
    SELECT
        *,
        CASE
            WHEN line_item_type NOT IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') THEN 'cost_only'
            WHEN pricing_unit IN ('Hrs', 'Hours', 'vCPU-Hours') AND vcpu IS NOT NULL THEN 'compute'
            WHEN pricing_unit IN ('GB-Mo', 'GB-Month')
                 AND (usage_type LIKE '%gp2%' OR usage_type LIKE '%gp3%' OR usage_type LIKE '%io1%'
                      OR usage_type LIKE '%io2%') THEN 'storage_ssd'
            WHEN pricing_unit IN ('GB-Mo', 'GB-Month')
                 AND (usage_type LIKE '%TimedStorage%' OR usage_type LIKE '%st1%' OR usage_type LIKE '%sc1%'
                      OR usage_type LIKE '%Snapshot%' OR usage_type LIKE '%Glacier%') THEN 'storage_hdd'
            WHEN pricing_unit = 'GB' AND usage_type LIKE '%DataTransfer%'
                 AND product_code <> 'AmazonCloudFront' THEN 'network'
            ELSE 'unclassified'
        END AS estimation_class
    FROM grouped
)
SELECT
    md5(concat_ws('|', source_id, CAST(period_month AS VARCHAR), assembly_id, object_key, usage_account_id,
        region, COALESCE(product_code, ''), COALESCE(usage_type, ''), COALESCE(line_item_type, ''),
        COALESCE(instance_type, ''), COALESCE(CAST(vcpu AS VARCHAR), ''), COALESCE(pricing_unit, ''),
        currency, COALESCE(flag, ''))) AS activity_id,
    period_month,
    source_id,
    'aws_cur' AS source_kind,
    object_key AS source_object,
    assembly_id AS source_version,
    line_item_count,
    first_line,
    CASE WHEN estimation_class = 'cost_only' THEN 'cloud_charge' ELSE 'cloud_usage' END AS activity_type,
    'aws' AS provider,
    usage_account_id AS account_id,
    region,
    product_code AS service,
    usage_type,
    line_item_type,
    instance_type,
    vcpu,
    CAST(NULL AS VARCHAR) AS site,
    CAST(NULL AS VARCHAR) AS geography,
    CAST(NULL AS VARCHAR) AS category,
    quantity,
    pricing_unit AS unit,
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
