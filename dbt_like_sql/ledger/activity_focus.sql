-- FOCUS charges of providers other than AWS -> ledger activity, one row per month x source object x provider
-- x account x region x service x charge category x charge class x consumed unit x currency x estimation
-- class x vCPU x coefficient key x flag. Every raw row lands in exactly one ledger row (line_item_count adds
-- back to the raw count; the ledger check proves it). AWS rows take the CUR rules in ledger/activity_cloud_billing.sql.
-- The account is the sub account (Azure subscription, GCP project, OCI compartment), else the billing account.
--
-- Usage is classified for the estimate where the row says what it used (docs/methodology.md, "FOCUS usage"):
--   compute      ConsumedUnit in vCPU / vCore / core / OCPU hours; hours of a VM whose SKU details or size
--                name give its vCPUs (Azure x_SkuDetails VCPUs, FOCUS 1.1 SkuPriceDetails CoreCount, the size in
--                ServiceType or the meter: CCF's Azure VM table); an Azure App Service plan (I2: 2 vCPU); a
--                Google Cloud "Instance Core" SKU (core seconds or hours); vCore-priced databases
--   gpu          an Azure VM size with GPUs (CCF's GPU table), a Google Cloud GPU SKU naming its model
--   memory       GB(GiB)-hours or RAM byte-seconds of compute, an Azure cache tier (C1: 1 GB) by the hour
--   storage_ssd  GB(GiB)-months whose SKU says SSD, Premium or NVMe; an Azure SSD managed disk tier (P30: 1,024 GB)
--   storage_hdd  other GB(GiB)-months (object, blob, standard disk storage: HDD, as CCF); Azure HDD disk tiers
--   network      GB of outbound data transfer / egress named by the SKU meter or description
-- Every classified row records in coefficient_key which provider coefficient it is estimated with ('vm:d2s v3',
-- 'family:n2', 'shape:e4', 'plan:i2', 'disk:p30', 'cache:c1', 'gpu:nvidia t4') and the replication factor CCF
-- gives its service ('replication:storage_grs'); factors/data/ccf_cloud_*.csv, oci_shapes.csv. Software
-- licences priced per vCore (the cores are billed on their own rows), security plans per protected node,
-- requests, IP addresses and other usage without a coefficient stay 'unclassified' (flag no_usage_coefficient,
-- kept, estimated from the provider-month's kWh per cost and reported); every charge that is not usage, or is
-- a correction, is a cost-only charge.
WITH charges AS (
    SELECT
        *,
        lower(COALESCE(consumed_unit, '')) AS unit_l,
        lower(concat_ws(' ', service_name, sku_meter, charge_description, resource_type)) AS text_l,
        -- the meter's last part (Azure x_SkuMeterName), else the description
        lower(trim(COALESCE(regexp_extract(sku_meter, '([^|]+)$', 1), ''))) AS meter_l,
        -- software licences and security plans priced per core or node: the cores are billed on their own rows
        regexp_matches(lower(concat_ws(' ', sku_meter, charge_description)),
            'licen[cs]e|defender|vcore pack|protected (node|instance)') AS is_licence,
        -- a meter priced per vCore-hour (Azure SQL Database, Synapse "1 vCore"): its hours are vCPU-hours
        regexp_matches(lower(COALESCE(sku_meter, '')), '\| *vcore$')
            OR regexp_matches(lower(COALESCE(charge_description, '')), '\b1 vcore\b|- vcore\b') AS per_vcore,
        CASE WHEN json_valid(sku_price_details) THEN TRY_CAST(COALESCE(
            json_extract_string(sku_price_details, '$.VCPUs'),
            json_extract_string(sku_price_details, '$.CoreCount'),
            json_extract_string(sku_price_details, '$.vCPUs')) AS INTEGER) END AS detail_vcpu,
        -- last resort for an Azure VM size CCF's table does not list: the number in its name (Standard_D2s_v3,
        -- meter "D2 v3/D2s v3": 2), which is not always the vCPU count (D11 v2 has 2), hence after the table
        CASE WHEN provider = 'azure' THEN TRY_CAST(NULLIF(regexp_extract(lower(concat_ws(' ',
            CASE WHEN json_valid(sku_price_details) THEN json_extract_string(sku_price_details, '$.ServiceType') END,
            sku_meter)), '(standard_|\| )[a-z]{1,2}([0-9]{1,3})[a-z]*[ _]v[0-9]', 2), '') AS INTEGER) END AS name_vcpu,
        -- Azure VM size in CCF's spelling: x_SkuDetails ServiceType 'Standard_DS12_v2' -> 'ds12 v2', else the
        -- meter name's first size 'D12 v2/DS12 v2' -> 'd12 v2'
        CASE WHEN provider = 'azure' THEN COALESCE(
            NULLIF(replace(regexp_replace(lower(CASE WHEN json_valid(sku_price_details)
                THEN json_extract_string(sku_price_details, '$.ServiceType') END), '^(standard|basic)_', ''), '_', ' '), ''),
            NULLIF(trim(regexp_extract(lower(COALESCE(regexp_extract(sku_meter, '([^|]+)$', 1), '')), '^([^/]+)', 1)), '')
        ) END AS azure_size,
        -- Google Cloud machine family named by the SKU ("N2 Instance Core", "Compute optimized Core": c2,
        -- "Memory-optimized Instance Core": m1, "Custom/Predefined Instance Core" without a family: n1)
        CASE WHEN provider = 'gcp' THEN COALESCE(
            NULLIF(regexp_extract(lower(concat_ws(' ', sku_meter, charge_description)),
                '\b(n1|n2d|n2|n4|e2|c2d|c2|c3d|c3|c4|t2d|t2a|m1|m2|m3|a2|a3|g2)\b', 1), ''),
            CASE WHEN regexp_matches(lower(concat_ws(' ', sku_meter, charge_description)), 'compute optimized') THEN 'c2'
                 WHEN regexp_matches(lower(concat_ws(' ', sku_meter, charge_description)), 'memory.optimized') THEN 'm1'
                 WHEN regexp_matches(lower(concat_ws(' ', sku_meter, charge_description)), '(custom|predefined) instance')
                     THEN 'n1' END
        ) END AS gcp_family,
        -- OCI shape named by the SKU ("Standard - E4", "Compute - Standard - X9", "Standard - A1 - Memory")
        CASE WHEN provider = 'oci' THEN NULLIF(regexp_extract(lower(concat_ws(' ', sku_meter, charge_description)),
            '\b(e[2-6]|x[579]|a[12]|standard[23])\b', 1), '') END AS oci_shape,
        -- a GPU model named by a GPU SKU ("Nvidia Tesla T4 GPU running in Americas")
        CASE WHEN regexp_matches(lower(concat_ws(' ', sku_meter, charge_description)), '\bgpu\b') THEN
            NULLIF(regexp_extract(lower(concat_ws(' ', sku_meter, charge_description)),
                '\b(t4|k80|k520|p4|p40|p100|v100|a100|a10g|m60)\b', 1), '') END AS gpu_model,
        -- an Azure managed disk, cache or App Service plan tier named by the meter ("P30 LRS Disk", "C1 Cache
        -- Instance", "I2 App", "P1 v2 App")
        CASE WHEN provider = 'azure' THEN COALESCE(
            NULLIF(regexp_extract(lower(COALESCE(regexp_extract(sku_meter, '([^|]+)$', 1), '')),
                '^ *([pes][0-9]{1,2}) [a-z-]*rs disk$', 1), ''),
            -- FOCUS without Azure's x_ columns: "Premium SSD Managed Disks - P4 LRS - US East"
            CASE WHEN regexp_matches(lower(COALESCE(charge_description, '')), 'managed disks? - [pes][0-9]{1,2} [a-z-]*rs\b')
                 AND NOT regexp_matches(lower(COALESCE(charge_description, '')), 'operations|transactions|snapshot')
                THEN regexp_extract(lower(charge_description), 'managed disks? - ([pes][0-9]{1,2}) [a-z-]*rs\b', 1) END
        ) END AS azure_disk,
        CASE WHEN provider = 'azure' THEN NULLIF(regexp_extract(lower(COALESCE(regexp_extract(sku_meter, '([^|]+)$', 1), '')),
            '^ *([cpef][0-9]{1,4}) cache', 1), '') END AS azure_cache,
        CASE WHEN provider = 'azure' THEN NULLIF(regexp_extract(lower(COALESCE(regexp_extract(sku_meter, '([^|]+)$', 1), '')),
            '^ *([a-z][0-9]( v[0-9])?) app$', 1), '') END AS azure_plan
    FROM raw.focus_charges
    WHERE provider <> 'aws' AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
),
sized AS (
    SELECT
        c.*,
        vm.machine_key AS vm_key, vm.vcpu AS vm_vcpu, vm.gpu_count AS vm_gpus,
        fam.machine_key AS family_key,
        shape.shape AS shape_key, shape.vcpu_per_ocpu,
        disk.sku_key AS disk_key, disk.kind AS disk_kind,
        cache.sku_key AS cache_key,
        plan.sku_key AS plan_key, plan.vcpu AS plan_vcpu,
        gpu.processor AS gpu_processor,
        -- the replication factor CCF gives the row's service and usage (azure ReplicationFactors.ts,
        -- gcp ReplicationFactors.ts); none for OCI (no published figure)
        CASE
            WHEN c.provider = 'azure' THEN CASE
                WHEN regexp_matches(c.text_l, 'mysql') THEN 'database_mysql'
                WHEN regexp_matches(c.text_l, 'cosmos') AND regexp_matches(c.text_l, 'data stored') THEN 'cosmos_db'
                WHEN regexp_matches(c.text_l, 'sql database') AND regexp_matches(c.text_l, 'data stored|vcore')
                    THEN 'sql_db'
                WHEN regexp_matches(c.text_l, 'redis') THEN 'redis_cache'
                WHEN regexp_matches(c.text_l, '\blrs\b') THEN 'storage_lrs'
                WHEN regexp_matches(c.text_l, 'gzrs') THEN 'storage_gzrs'
                WHEN regexp_matches(c.text_l, '\bzrs\b') THEN 'storage_zrs'
                WHEN regexp_matches(c.text_l, 'grs') THEN 'storage_grs'
                WHEN regexp_matches(c.text_l, 'managed disk') THEN 'storage_disks'
            END
            WHEN c.provider = 'gcp' THEN CASE
                WHEN regexp_matches(c.text_l, 'cloud storage') AND regexp_matches(c.text_l, 'dual-region')
                    THEN 'cloud_storage_dual_region'
                WHEN regexp_matches(c.text_l, 'cloud storage') AND regexp_matches(c.text_l, 'multi-region')
                    THEN 'cloud_storage_multi_region'
                WHEN regexp_matches(c.text_l, 'cloud storage') THEN 'cloud_storage_single_region'
                WHEN regexp_matches(c.text_l, 'compute engine') AND regexp_matches(c.text_l, 'regional')
                    THEN 'compute_engine_regional_disks'
                WHEN regexp_matches(c.text_l, 'compute engine') AND regexp_matches(c.text_l, 'snapshot|image')
                    THEN 'cloud_storage_single_region'
                WHEN regexp_matches(c.text_l, 'filestore') THEN 'cloud_filestore'
                WHEN regexp_matches(c.text_l, 'cloud sql') AND regexp_matches(c.text_l, 'regional - standard storage|\bha\b')
                    THEN 'cloud_sql_high_availability'
                WHEN regexp_matches(c.text_l, 'memorystore') AND regexp_matches(c.text_l, 'standard')
                    THEN 'cloud_memory_store_redis'
                WHEN regexp_matches(c.text_l, 'spanner') AND regexp_matches(c.text_l, 'multi-region')
                    THEN 'cloud_spanner_multi_region'
                WHEN regexp_matches(c.text_l, 'spanner') AND regexp_matches(c.text_l, 'regional')
                    THEN 'cloud_spanner_single_region'
                WHEN regexp_matches(c.text_l, 'kubernetes engine') AND regexp_matches(c.text_l, 'clusters')
                     AND regexp_matches(c.text_l, 'regional|autopilot') THEN 'kubernetes_engine'
            END
        END AS replication_key
    FROM charges AS c
    LEFT JOIN factors.cloud_machine_types AS vm ON c.provider = 'azure' AND vm.provider = 'azure'
        AND vm.machine_key = c.azure_size
    LEFT JOIN factors.cloud_machine_types AS fam ON c.provider = 'gcp' AND fam.provider = 'gcp'
        AND fam.machine_key = c.gcp_family
    LEFT JOIN factors.oci_shapes AS shape ON c.provider = 'oci' AND shape.shape = c.oci_shape
    LEFT JOIN factors.azure_sku_sizes AS disk ON disk.kind IN ('ssd_disk', 'hdd_disk') AND disk.sku_key = c.azure_disk
    LEFT JOIN factors.azure_sku_sizes AS cache ON cache.kind = 'cache' AND cache.sku_key = c.azure_cache
    LEFT JOIN factors.azure_sku_sizes AS plan ON plan.kind = 'plan' AND plan.sku_key = c.azure_plan
    LEFT JOIN factors.cloud_processor_coefficients AS gpu ON gpu.kind = 'gpu'
        AND gpu.provider = CASE WHEN c.provider = 'gcp' THEN 'gcp' ELSE 'azure' END
        AND suffix(lower(gpu.processor), ' ' || c.gpu_model)
),
classified AS (
    SELECT
        *,
        CASE
            WHEN charge_category IS DISTINCT FROM 'Usage' OR charge_class = 'Correction'
                 OR flag = 'commitment_negation' THEN 'cost_only'
            WHEN is_licence THEN 'unclassified'
            -- a GPU SKU of its own (Google Cloud) or an Azure VM size with GPUs
            WHEN gpu_processor IS NOT NULL AND regexp_matches(unit_l, '^(seconds?|(1 )?(hours?|hrs?))$') THEN 'gpu'
            WHEN vm_gpus > 0 AND regexp_matches(unit_l, '^(1 )?(hours?|hrs?)$') THEN 'gpu'
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
            WHEN regexp_matches(unit_l, '^(1 )?(hours?|hrs?)$') AND COALESCE(detail_vcpu, vm_vcpu, name_vcpu) > 0
                THEN 'compute'
            WHEN regexp_matches(unit_l, '^(1 )?(hours?|hrs?)$') AND plan_vcpu > 0 THEN 'compute'
            WHEN provider = 'gcp' AND regexp_matches(unit_l, '^(hours?|hrs?)$')
                 AND regexp_matches(text_l, 'instance core') THEN 'compute'
            -- an Azure cache tier by the hour: its memory
            WHEN cache_key IS NOT NULL AND regexp_matches(unit_l, '^(1 )?(hours?|hrs?)$') THEN 'memory'
            -- an Azure managed disk tier by the month ("Units/Month" of "P30 LRS Disk"): its size
            WHEN disk_key IS NOT NULL AND regexp_matches(unit_l, '^(1 )?(units?/)?(months?|mo)$|^1 /month$') THEN
                CASE WHEN disk_kind = 'ssd_disk' THEN 'storage_ssd' ELSE 'storage_hdd' END
            WHEN regexp_matches(unit_l, '^(gb|gib|gigabytes?|gibibytes?)[- ]?(per )?(hours?|hrs?)$')
                 AND (service_category = 'Compute' OR regexp_matches(text_l, 'memory|\bram\b')) THEN 'memory'
            WHEN regexp_matches(unit_l, '^(gb|gib|gigabytes?|gibibytes?)[- /]?(per )?(months?|mo)$') THEN
                CASE WHEN regexp_matches(text_l, 'ssd|premium|nvme') THEN 'storage_ssd' ELSE 'storage_hdd' END
            WHEN regexp_matches(unit_l, '^(gb|gib|gigabytes?|gibibytes?)$')
                 AND regexp_matches(text_l, 'data transfer out|egress|outbound|internet data transfer')
                 AND NOT regexp_matches(text_l, 'inbound|ingress|data transfer in\b|data processed') THEN 'network'
            ELSE 'unclassified'
        END AS estimation_class
    FROM sized
),
keyed AS (
    SELECT
        *,
        CASE WHEN estimation_class IN ('cost_only', 'unclassified') THEN NULL ELSE NULLIF(concat_ws(';',
            CASE
                WHEN estimation_class = 'gpu' AND gpu_processor IS NOT NULL THEN 'gpu:' || lower(gpu_processor)
                WHEN estimation_class IN ('compute', 'gpu') AND vm_key IS NOT NULL THEN 'vm:' || vm_key
                WHEN estimation_class = 'compute' AND plan_key IS NOT NULL AND NOT per_vcore THEN 'plan:' || plan_key
                WHEN estimation_class IN ('compute', 'memory') AND family_key IS NOT NULL THEN 'family:' || family_key
                WHEN estimation_class IN ('compute', 'memory') AND shape_key IS NOT NULL THEN 'shape:' || shape_key
                WHEN estimation_class = 'memory' AND cache_key IS NOT NULL THEN 'cache:' || cache_key
                WHEN estimation_class IN ('storage_ssd', 'storage_hdd') AND disk_key IS NOT NULL
                     AND NOT regexp_matches(unit_l, 'gb|gib|byte') THEN 'disk:' || disk_key
            END,
            CASE WHEN replication_key IS NOT NULL THEN 'replication:' || replication_key END), '') END
            AS coefficient_key
    FROM classified
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
        CASE WHEN estimation_class IN ('compute', 'gpu') AND NOT per_vcore
            THEN COALESCE(detail_vcpu, vm_vcpu, plan_vcpu, name_vcpu) END AS vcpu,
        coefficient_key,
        flag,
        COUNT(*) AS line_item_count,
        MIN(object_line) AS first_line,
        SUM(consumed_quantity) AS quantity,
        SUM(billed_cost) AS cost
    FROM keyed
    GROUP BY ALL
)
SELECT
    md5(concat_ws('|', 'focus', source_id, CAST(period_month AS VARCHAR), delivery_id, object_key, provider,
        COALESCE(account_id, ''), region, service, COALESCE(service_category, ''), COALESCE(charge_category, ''),
        COALESCE(charge_class, ''), COALESCE(consumed_unit, ''), currency, estimation_class,
        COALESCE(CAST(vcpu AS VARCHAR), ''), COALESCE(flag, ''),
        -- NULL keys are skipped: rows without one keep the id they had before issue 14's coefficients
        coefficient_key)) AS activity_id,
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
    coefficient_key,
    CASE
        WHEN flag IS NOT NULL THEN flag
        WHEN estimation_class = 'unclassified' THEN 'no_usage_coefficient'
    END AS flag
FROM grouped
