-- Cloud billing line items -> ledger activity, one row per month x source object x account x region x
-- product x usage type x line-item type x instance type x currency x flag. Every raw row lands in
-- exactly one ledger row (line_item_count adds back to the raw count; the ledger check proves it).
-- Legacy CUR and CUR 2.0 line items reach it as their groups at this grain (raw.cur_line_item_groups, with
-- source_kind telling them apart), written by the raw stage whichever way the source keeps its line items.
-- AWS rows of FOCUS exports are billing line items of the same kind: they carry CUR's usage type, operation
-- and service code in x_UsageType, x_Operation and x_ServiceCode, so they take exactly the CUR rules below
-- (ledger/activity_focus.sql books the other providers). ConsumedQuantity is lineItem/UsageAmount; a
-- Usage charge that is not a correction is a Usage line item, any other charge keeps its FOCUS category.
-- The branches name their columns in the same order (UNION ALL BY NAME does not transpile to Spark: docs/spark.md).
WITH line_items AS (
    -- legacy CUR and CUR 2.0 arrive already grouped at this grain by the raw stage
    -- (staging/cur_line_item_groups.sql), whether the source copies its line items or references its objects
    SELECT
        source_kind, source_id, period_month, assembly_id, object_key, line_item_count, first_line, usage_account_id,
        line_item_type, product_code, usage_type, instance_type, vcpu, quantity, pricing_unit, cost, currency,
        region_code, flag
    FROM raw.cur_line_item_groups
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    UNION ALL
    SELECT
        'focus' AS source_kind, source_id, period_month, delivery_id AS assembly_id, object_key,
        1 AS line_item_count, object_line AS first_line,
        COALESCE(sub_account_id, billing_account_id) AS usage_account_id,
        CASE
            -- CUR's own type for it: cost only in both readings of the same bill (staging/focus_charges.sql)
            WHEN flag = 'commitment_negation' THEN 'SavingsPlanNegation'
            WHEN charge_category = 'Usage' AND charge_class IS NULL THEN 'Usage'
            ELSE concat_ws(' ', COALESCE(charge_category, 'unknown'), '(' || charge_class || ')')
        END AS line_item_type,
        COALESCE(service_code, service_name) AS product_code,
        -- x_UsageType where the export has it (AWS's FOCUS 1.2 table has not); else SkuMeter when it is written
        -- as a CUR usage type (one token such as USE1-BoxUsage:m5.large, TimedStorage-ByteHrs) (issue 14)
        -- as a CUR usage type (one token such as USE1-BoxUsage:m5.large, TimedStorage-ByteHrs); else, for an EBS
        -- volume or snapshot, the CUR usage type its description names ("GB-month of General Purpose (gp3)
        -- provisioned storage" -> EBS:VolumeUsage.gp3) (issue 14)
        COALESCE(usage_type, CASE WHEN NOT contains(sku_meter, ' ') AND regexp_matches(sku_meter, '[:-]')
            THEN sku_meter END,
            CASE
                WHEN NOT regexp_matches(lower(COALESCE(consumed_unit, '')), '^gb-?mo') THEN NULL
                WHEN regexp_matches(lower(charge_description), 'snapshot') THEN 'EBS:SnapshotUsage'
                WHEN regexp_matches(lower(charge_description), '\((gp2|gp3|io2|st1|sc1)\)')
                    THEN 'EBS:VolumeUsage.' || regexp_extract(lower(charge_description), '\((gp2|gp3|io2|st1|sc1)\)', 1)
                WHEN regexp_matches(lower(charge_description), '\(io1\)|provisioned iops') THEN 'EBS:VolumeUsage.piops'
                WHEN regexp_matches(lower(charge_description), 'magnetic') THEN 'EBS:VolumeUsage'
            END) AS usage_type,
        -- the instance type a FOCUS row names in its description ("per On Demand Linux t3.medium Instance Hour");
        -- not a Marketplace software fee that names the instance it runs on
        NULLIF(regexp_extract(CASE WHEN contains(lower(charge_description), 'instance') THEN charge_description END,
            '\b([a-z][a-z0-9-]*[0-9][a-z0-9-]*\.(nano|micro|small|medium|large|[0-9]*xlarge|metal[a-z0-9-]*))\b', 1),
            '') AS instance_type,
        CAST(NULL AS INTEGER) AS vcpu,
        COALESCE(consumed_quantity, 0) AS quantity,
        consumed_unit AS pricing_unit,
        COALESCE(billed_cost, 0) AS cost,
        currency,
        region AS region_code,
        flag
    FROM raw.focus_charges
    WHERE provider = 'aws' AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
),
grouped AS (
    SELECT
        period_month,
        source_id,
        source_kind,
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
        SUM(line_item_count) AS line_item_count,
        MIN(first_line) AS first_line,
        SUM(quantity) AS quantity,
        SUM(cost) AS cost
    FROM line_items
    GROUP BY ALL
),
-- What classification needs to know about a row, from the coefficient tables: CCF's usage-type lists
-- (factors.aws_usage_type_rules) and the instance table (factors.aws_instance_types, GPUs). Profile
-- independent: the coefficient profile only changes how a class is estimated (emissions stage).
-- (per distinct product, usage type and instance type: a few thousand, where the month has ~260k groups)
product_facts AS (
    SELECT
        k.*,
        i.instance_type IS NOT NULL AS known_instance,
        COALESCE(i.gpu_count, 0) > 0 AS has_gpu,
        EXISTS (SELECT 1 FROM factors.aws_usage_type_rules AS r
                WHERE r.rule = 'unsupported_usage_type' AND contains(COALESCE(k.usage_type, ''), r.pattern))
            AS is_unsupported,
        EXISTS (SELECT 1 FROM factors.aws_usage_type_rules AS r
                WHERE r.rule = 'unknown_usage_type' AND contains(COALESCE(k.usage_type, ''), r.pattern))
            AS is_unknown,
        -- SSD: an SSD usage type, or a service whose storage type is unknown (over-estimated as SSD)
        -- unless the row is a backup (kept in S3, so HDD)
        EXISTS (SELECT 1 FROM factors.aws_usage_type_rules AS r
                WHERE (r.rule = 'ssd_usage_type' AND suffix(COALESCE(k.usage_type, ''), r.pattern))
                   OR (r.rule = 'ssd_service' AND suffix(COALESCE(k.product_code, ''), r.pattern)
                       AND NOT contains(COALESCE(k.usage_type, ''), 'Backup')))
            AS is_ssd,
        EXISTS (SELECT 1 FROM factors.aws_usage_type_rules AS r
                WHERE r.rule = 'hdd_usage_type' AND suffix(COALESCE(k.usage_type, ''), r.pattern)) AS is_hdd,
        EXISTS (SELECT 1 FROM factors.aws_usage_type_rules AS r
                WHERE r.rule = 'network_usage_type' AND suffix(COALESCE(k.usage_type, ''), r.pattern)) AS is_network
    FROM (SELECT DISTINCT product_code, usage_type, instance_type FROM grouped) AS k
    LEFT JOIN factors.aws_instance_types AS i
        ON i.instance_type = factors.aws_instance_type_of(k.instance_type, k.usage_type)
),
usage_facts AS (
    SELECT
        g.*,
        f.known_instance, f.has_gpu, f.is_unsupported, f.is_unknown, f.is_ssd, f.is_hdd, f.is_network
    FROM grouped AS g
    JOIN product_facts AS f
        ON f.product_code IS NOT DISTINCT FROM g.product_code
       AND f.usage_type IS NOT DISTINCT FROM g.usage_type
       AND f.instance_type IS NOT DISTINCT FROM g.instance_type
),
classified AS (
    SELECT
        *,
        CASE
            WHEN line_item_type NOT IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') THEN 'cost_only'
            -- ECS-on-EC2 split-cost rows repeat usage the EC2 instance rows already carry
            WHEN is_unsupported THEN 'unclassified'
            -- Lambda@Edge (Lambda-Edge-GB-Second) is Lambda too, as CCF's seconds units make it
            WHEN regexp_matches(usage_type, 'Lambda-(Edge-)?GB-Second') THEN 'serverless_lambda'
            WHEN regexp_matches(usage_type, 'Fargate-(ARM-)?(vCPU|GB)-Hours') THEN 'serverless_fargate'
            WHEN is_unknown THEN 'unclassified'
            WHEN pricing_unit IN ('Hrs', 'Hours', 'hours', 'vCPU-Hours', 'DPU-Hour', 'ACU-Hr') THEN
                CASE
                    WHEN has_gpu THEN 'gpu'
                    WHEN vcpu IS NOT NULL OR known_instance OR product_code = 'AWSGlue'
                         OR contains(usage_type, 'Aurora:ServerlessUsage') OR contains(usage_type, 'CPUCredits')
                        THEN 'compute'
                    ELSE 'unclassified'
                END
            -- GB-Months: how AWS's FOCUS export writes the unit CUR calls GB-Mo
            WHEN pricing_unit IN ('GB-Mo', 'GB-Month', 'GB-Mp', 'GB-month', 'GB-Hours', 'GB-Months') THEN
                CASE WHEN is_ssd THEN 'storage_ssd' WHEN is_hdd THEN 'storage_hdd' ELSE 'unclassified' END
            -- outbound, inter-region and intra-region transfer (CCF's list) and inbound transfer, which
            -- the emissions stage counts at the sending side; CloudFront's edge delivery is not on the list
            WHEN pricing_unit IN ('GB', 'GigaBytes') AND COALESCE(product_code, '') <> 'AmazonCloudFront'
                 AND (is_network OR suffix(usage_type, '-In-Bytes')) THEN 'network'
            ELSE 'unclassified'
        END AS estimation_class
    FROM usage_facts
)
SELECT
    md5(concat_ws('|', source_id, CAST(period_month AS VARCHAR), assembly_id, object_key, usage_account_id,
        region, COALESCE(product_code, ''), COALESCE(usage_type, ''), COALESCE(line_item_type, ''),
        COALESCE(instance_type, ''), COALESCE(CAST(vcpu AS VARCHAR), ''), COALESCE(pricing_unit, ''),
        currency, COALESCE(flag, ''))) AS activity_id,
    period_month,
    source_id,
    source_kind,
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
        WHEN estimation_class = 'unclassified' AND is_unsupported THEN 'counted_in_ec2_rows'
        WHEN estimation_class = 'unclassified' THEN 'no_usage_coefficient'
    END AS flag
FROM classified
