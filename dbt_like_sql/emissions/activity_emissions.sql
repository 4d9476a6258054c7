-- Ledger activity x factors -> emissions, one row per activity and method (location, market).
-- Cloud billing rows are estimated from usage (basis estimated_usage); own operations (the activity
-- files) are emissions/own_operations_emissions.sql. Rows that cannot be estimated keep a row with NULL
-- tco2e and a flag.
--
-- The cloud estimate follows Cloud Carbon Footprint's AWS method with the coefficients of
-- $coefficient_profile (factors.cloud_usage_coefficients and the factors.aws_* tables):
--   `ccf`     reproduces CCF (its grid factors, and its known defects 1-4 and S3 replication 6);
--   `default` fixes them (F1-F7, docs/methodology.md) and uses the catalogue's grid factors.
-- Every cloud row's formula names the coefficients used and, for `default`, the fixes that applied.
WITH act AS (
    SELECT *
    FROM ledger.activity
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
      AND estimation_class <> 'cost_only'
      -- own operations (activity files) are emissions/own_operations_emissions.sql
      AND source_kind <> 'activity_csv'
),
coef AS (
    SELECT
        MAX(CASE WHEN coefficient = 'min_watts_per_vcpu' THEN value END) AS avg_min_w,
        MAX(CASE WHEN coefficient = 'max_watts_per_vcpu' THEN value END) AS avg_max_w,
        MAX(CASE WHEN coefficient = 'average_cpu_utilisation' THEN value END) AS util,
        MAX(CASE WHEN coefficient = 'burstable_reference_utilisation' THEN value END) AS burst_ref,
        MAX(CASE WHEN coefficient = 'ssd_wh_per_tb_hour' THEN value END) AS ssd_wh,
        MAX(CASE WHEN coefficient = 'hdd_wh_per_tb_hour' THEN value END) AS hdd_wh,
        MAX(CASE WHEN coefficient = 'network_kwh_per_gb' THEN value END) AS net_kwh,
        MAX(CASE WHEN coefficient = 'memory_kwh_per_gb_hour' THEN value END) AS mem_kwh,
        MAX(CASE WHEN coefficient = 'memory_gb_per_chip_average' THEN value END) AS avg_gb_per_chip,
        MAX(CASE WHEN coefficient = 'vcpus_per_physical_chip' THEN value END) AS vcpus_per_chip,
        MAX(CASE WHEN coefficient = 'pue' THEN value END) AS pue,
        MAX(CASE WHEN coefficient = 'server_lifespan_hours' THEN value END) AS lifespan_h,
        MAX(CASE WHEN coefficient = 'glue_vcpus_per_dpu' THEN value END) AS glue_vcpus,
        MAX(CASE WHEN coefficient = 'aurora_serverless_acus_per_vcpu' THEN value END) AS acus_per_vcpu,
        MAX(CASE WHEN coefficient = 'lambda_mb_per_vcpu' THEN value END) AS lambda_mb_per_vcpu,
        MAX(CASE WHEN coefficient = 'mb_per_gb' THEN value END) AS mb_per_gb,
        MAX(CASE WHEN coefficient = 'bytes_per_terabyte' THEN value END) AS bytes_per_tb,
        MAX(CASE WHEN coefficient = 'replication_s3' THEN value END) AS r_s3,
        MAX(CASE WHEN coefficient = 'replication_s3_one_zone_reduced_redundancy' THEN value END) AS r_s3_one_zone,
        MAX(CASE WHEN coefficient = 'replication_ebs_volume' THEN value END) AS r_ebs_volume,
        MAX(CASE WHEN coefficient = 'replication_ebs_snapshot' THEN value END) AS r_ebs_snapshot,
        MAX(CASE WHEN coefficient = 'replication_efs' THEN value END) AS r_efs,
        MAX(CASE WHEN coefficient = 'replication_efs_one_zone' THEN value END) AS r_efs_one_zone,
        MAX(CASE WHEN coefficient = 'replication_rds_backup' THEN value END) AS r_rds_backup,
        MAX(CASE WHEN coefficient = 'replication_rds_aurora' THEN value END) AS r_rds_aurora,
        MAX(CASE WHEN coefficient = 'replication_rds_multi_az' THEN value END) AS r_rds_multi_az,
        MAX(CASE WHEN coefficient = 'replication_docdb_backup' THEN value END) AS r_docdb_backup,
        MAX(CASE WHEN coefficient = 'replication_docdb_storage' THEN value END) AS r_docdb_storage,
        MAX(CASE WHEN coefficient = 'replication_dynamodb' THEN value END) AS r_dynamodb,
        MAX(CASE WHEN coefficient = 'replication_ecr_storage' THEN value END) AS r_ecr,
        MAX(CASE WHEN coefficient = 'replication_elasticache_backup' THEN value END) AS r_elasticache_backup,
        MAX(CASE WHEN coefficient = 'replication_default' THEN value END) AS r_default
    FROM factors.cloud_usage_coefficients
    WHERE profile = $coefficient_profile
),
-- Cloud usage rows from billing (legacy CUR, CUR 2.0) with what their estimate needs: the instance type
-- (vCPU, memory, host, GPUs), its processors' watts, burstable baseline, host embodied emissions, and
-- the replication factor CCF assigns by service and usage type (ReplicationFactors.ts).
cloud AS (
    SELECT
        a.activity_id,
        a.period_month,
        a.estimation_class,
        a.service,
        COALESCE(a.usage_type, '') AS usage_type,
        a.unit,
        a.quantity,
        CAST(a.cost AS DOUBLE) AS cost,
        a.vcpu AS billed_vcpu,
        date_diff('hour', CAST(a.period_month AS TIMESTAMP), CAST(a.period_month AS TIMESTAMP) + INTERVAL 1 MONTH)
            AS hours_in_month,
        i.instance_type,
        i.family,
        i.vcpu AS instance_vcpu,
        i.memory_gb,
        -- an instance type sized from CCF's own table (sized_from ccf_ec2_table) has no documented host:
        -- its host is taken to be the family's largest size, as CCF takes it
        COALESCE(i.platform_vcpu, CASE WHEN i.sized_from = 'ccf_ec2_table' THEN i.family_largest_vcpu END)
            AS platform_vcpu,
        i.family_largest_vcpu,
        i.family_largest_memory_gb,
        CASE WHEN a.estimation_class = 'gpu' THEN i.gpu_count END AS gpu_count,
        -- `ccf` takes the processors from CCF's own map per instance type (factors.ccf_instance_processors:
        -- r5 and c5 are Cascade Lake and Skylake, averaged, as CCF does); `default` from the host CPU
        -- (an instance type sized from CCF's table has no host CPU: `default` takes CCF's map for it too,
        -- matching its names without regard to case, e.g. CCF's `Im4gn.large` key for im4gn.large)
        CASE WHEN $coefficient_profile = 'ccf' THEN cp.processors ELSE COALESCE(cpu.processor, cpl.processors) END
            AS cpu_processor,
        CASE WHEN $coefficient_profile = 'ccf' THEN cp.min_watts ELSE COALESCE(cw.min_watts, cpl.min_watts) END
            AS cpu_min_w,
        CASE WHEN $coefficient_profile = 'ccf' THEN cp.max_watts ELSE COALESCE(cw.max_watts, cpl.max_watts) END
            AS cpu_max_w,
        CASE WHEN $coefficient_profile = 'ccf' THEN cp.gb_per_chip ELSE COALESCE(cw.gb_per_chip, cpl.gb_per_chip) END
            AS gb_per_chip,
        cp.processors AS ccf_processors,
        COALESCE(cpu.processor, cpl.processors) AS host_processor,
        gw.processor AS gpu_processor,
        gw.min_watts AS gpu_min_w,
        gw.max_watts AS gpu_max_w,
        b.baseline_utilisation,
        COALESCE(e.total_kgco2e, i.host_embodied_kgco2e) AS host_embodied_kgco2e,
        contains(COALESCE(a.usage_type, ''), '-ARM') AS is_arm,
        contains(COALESCE(a.usage_type, ''), 'GB-Hours') AS is_fargate_memory,
        suffix(COALESCE(a.usage_type, ''), '-In-Bytes') AS is_inbound,
        EXISTS (SELECT 1 FROM factors.aws_usage_type_rules AS r
                WHERE r.rule = 'byte_hours_usage_type' AND suffix(COALESCE(a.usage_type, ''), r.pattern))
            AS is_byte_hours,
        CASE
            WHEN a.service = 'AmazonS3' THEN CASE
                WHEN regexp_matches(a.usage_type, '\b(TimedStorage-ZIA|EarlyDelete-ZIA|TimedStorage-RRS)\b')
                    THEN 's3_one_zone_reduced_redundancy'
                WHEN regexp_matches(a.usage_type, '\b(TimedStorage|EarlyDelete)\b') THEN 's3' END
            WHEN a.service = 'AmazonEC2' THEN CASE
                WHEN contains(a.usage_type, 'VolumeUsage') THEN 'ebs_volume'
                WHEN contains(a.usage_type, 'SnapshotUsage') THEN 'ebs_snapshot' END
            WHEN a.service = 'AmazonEFS' THEN CASE WHEN contains(a.usage_type, 'ZIA') THEN 'efs_one_zone' ELSE 'efs' END
            WHEN a.service = 'AmazonRDS' THEN CASE
                WHEN contains(a.usage_type, 'BackupUsage') THEN 'rds_backup'
                WHEN contains(a.usage_type, 'Aurora') THEN 'rds_aurora'
                WHEN contains(a.usage_type, 'Multi-AZ') THEN 'rds_multi_az' END
            WHEN a.service = 'AmazonDocDB' THEN CASE
                WHEN contains(a.usage_type, 'BackupUsage') THEN 'docdb_backup' ELSE 'docdb_storage' END
            WHEN a.service = 'AmazonDynamoDB' THEN 'dynamodb'
            WHEN a.service = 'AmazonECR' AND regexp_matches(a.usage_type, '\bTimedStorage\b') THEN 'ecr_storage'
            WHEN a.service = 'AmazonElastiCache' AND regexp_matches(a.usage_type, '\bBackupUsage\b')
                THEN 'elasticache_backup'
        END AS replication_key
    FROM act AS a
    LEFT JOIN factors.aws_instance_types AS i
        ON i.instance_type = factors.aws_instance_type_of(a.instance_type, a.usage_type)
        AND a.estimation_class IN ('compute', 'gpu')
    LEFT JOIN factors.aws_platform_processors AS cpu ON cpu.platform_name = i.platform_cpu AND cpu.kind = 'cpu'
    LEFT JOIN factors.aws_processor_coefficients AS cw ON cw.processor = cpu.processor AND cw.kind = 'cpu'
    LEFT JOIN factors.aws_platform_processors AS gpu ON gpu.platform_name = i.platform_gpu AND gpu.kind = 'gpu'
    -- an instance type sized from CCF's table carries CCF's GPU processor name itself
    LEFT JOIN factors.aws_processor_coefficients AS gw ON gw.kind = 'gpu'
        AND gw.processor = COALESCE(gpu.processor, CASE WHEN i.sized_from = 'ccf_ec2_table' THEN i.platform_gpu END)
    LEFT JOIN factors.aws_burstable_baselines AS b ON b.instance_type = i.instance_type
    LEFT JOIN factors.aws_instance_embodied AS e ON e.instance_type = i.instance_type
    LEFT JOIN factors.ccf_instance_processors AS cp ON cp.instance_type = factors.aws_instance_type_of(i.instance_type, NULL)
    LEFT JOIN factors.ccf_instance_processors AS cpl ON i.sized_from = 'ccf_ec2_table'
        AND lower(cpl.instance_type) = i.instance_type
    -- AWS billing rows: legacy CUR, CUR 2.0 and AWS's FOCUS export (its rows take the CUR rules in the ledger);
    -- negative usage is left out (flag negative_usage, checks/negative_usage.sql)
    WHERE a.activity_type = 'cloud_usage' AND a.provider = 'aws' AND a.source_kind IN ('aws_cur', 'aws_cur2', 'focus')
      AND a.flag IS DISTINCT FROM 'negative_usage'
),
-- Usage quantities per component, in the profile's reading of the billing row.
usage AS (
    SELECT
        c.*,
        k.*,
        COALESCE(CASE c.replication_key
            WHEN 's3' THEN k.r_s3
            WHEN 's3_one_zone_reduced_redundancy' THEN k.r_s3_one_zone
            WHEN 'ebs_volume' THEN k.r_ebs_volume
            WHEN 'ebs_snapshot' THEN k.r_ebs_snapshot
            WHEN 'efs' THEN k.r_efs
            WHEN 'efs_one_zone' THEN k.r_efs_one_zone
            WHEN 'rds_backup' THEN k.r_rds_backup
            WHEN 'rds_aurora' THEN k.r_rds_aurora
            WHEN 'rds_multi_az' THEN k.r_rds_multi_az
            WHEN 'docdb_backup' THEN k.r_docdb_backup
            WHEN 'docdb_storage' THEN k.r_docdb_storage
            WHEN 'dynamodb' THEN k.r_dynamodb
            WHEN 'ecr_storage' THEN k.r_ecr
            WHEN 'elasticache_backup' THEN k.r_elasticache_backup
        END, k.r_default) AS replication,
        -- CCF multiplies compute and memory by the service's replication factor too (e.g. Aurora
        -- Serverless capacity x 6, DocumentDB instances x 2). F7: only a Multi-AZ standby duplicates
        -- compute; storage copies are not copies of the processors.
        CASE
            WHEN $coefficient_profile = 'ccf' OR c.replication_key = 'rds_multi_az' THEN replication
            ELSE k.r_default
        END AS compute_replication,
        -- the processor whose watts apply: the instance's; AWS Graviton2 for Lambda on Arm (both profiles,
        -- as CCF) and for Fargate on Arm (default only, F4); else CCF's AWS average
        CASE
            WHEN c.estimation_class IN ('compute', 'gpu') AND c.cpu_min_w IS NOT NULL THEN c.cpu_processor
            WHEN c.estimation_class = 'serverless_lambda' AND c.is_arm THEN 'AWS Graviton2'
            WHEN c.estimation_class = 'serverless_fargate' AND c.is_arm AND $coefficient_profile <> 'ccf'
                THEN 'AWS Graviton2'
        END AS processor,
        CASE
            WHEN c.estimation_class IN ('compute', 'gpu') THEN CASE
                WHEN c.service = 'AWSGlue' THEN k.glue_vcpus * c.quantity
                WHEN contains(c.usage_type, 'Aurora:ServerlessUsage') THEN c.quantity / k.acus_per_vcpu
                WHEN contains(c.usage_type, 'CPUCredits') THEN c.quantity
                -- burstable: vCPU x baseline / CCF's 50 % reference utilisation
                WHEN c.baseline_utilisation IS NOT NULL
                    THEN c.instance_vcpu * c.baseline_utilisation / k.burst_ref * c.quantity
                ELSE COALESCE(c.billed_vcpu, c.instance_vcpu) * c.quantity END
            -- Lambda GB-seconds: CCF reads them as vCPU-seconds (defect 4); default gives a function the
            -- vCPU share AWS allocates with its memory, one vCPU per 1,769 MB (F4)
            WHEN c.estimation_class = 'serverless_lambda' AND $coefficient_profile = 'ccf' THEN c.quantity / 3600
            WHEN c.estimation_class = 'serverless_lambda'
                THEN c.quantity / 3600 * k.mb_per_gb / k.lambda_mb_per_vcpu
            WHEN c.estimation_class = 'serverless_fargate' AND NOT c.is_fargate_memory THEN c.quantity
            ELSE 0
        END AS vcpu_hours,
        COALESCE(c.gpu_count, 0) * c.quantity AS gpu_hours,
        CASE
            -- CCF's memory: the GB the family's largest size has per physical chip beyond what the
            -- processor's coefficients already include, shared by memory size; not for burstables
            WHEN c.estimation_class IN ('compute', 'gpu') AND c.instance_type IS NOT NULL
                 AND c.baseline_utilisation IS NULL THEN
                GREATEST(
                    c.family_largest_memory_gb
                        / (CASE WHEN c.family IN ('m5zn', 'z1d') THEN 2 ELSE ceil(c.family_largest_vcpu / k.vcpus_per_chip) END)
                    - COALESCE(c.gb_per_chip, k.avg_gb_per_chip),
                    0) / (c.family_largest_memory_gb / c.memory_gb) * c.quantity
            -- F4: Lambda GB-seconds and Fargate GB-hours are memory
            WHEN c.estimation_class = 'serverless_lambda' AND $coefficient_profile <> 'ccf' THEN c.quantity / 3600
            WHEN c.estimation_class = 'serverless_fargate' AND c.is_fargate_memory AND $coefficient_profile <> 'ccf'
                THEN c.quantity
            ELSE 0
        END AS memory_gb_hours,
        CASE
            WHEN c.estimation_class IN ('storage_ssd', 'storage_hdd') THEN CASE
                -- defect 1, reproduced in `ccf` only: ByteHrs usage billed in GB-months read as byte-hours
                WHEN c.is_byte_hours AND k.bytes_per_tb IS NOT NULL THEN c.quantity / k.bytes_per_tb
                WHEN c.unit = 'GB-Hours' THEN c.quantity / 1000
                ELSE c.quantity * c.hours_in_month / 1000 END
            -- CCF treats Fargate GB-hours as SSD storage (defect 4, reproduced in `ccf` only)
            WHEN c.estimation_class = 'serverless_fargate' AND c.is_fargate_memory AND $coefficient_profile = 'ccf'
                THEN c.quantity / 1000
            ELSE 0
        END AS storage_tb_hours,
        CASE
            WHEN c.estimation_class = 'storage_hdd' THEN k.hdd_wh
            WHEN c.estimation_class IN ('storage_ssd', 'serverless_fargate') THEN k.ssd_wh
        END AS storage_wh,
        CASE WHEN c.estimation_class = 'network' AND NOT c.is_inbound THEN c.quantity ELSE 0 END AS network_gb,
        -- embodied, tCO2e: the host's kgCO2e x hours / four-year life x the instance's share of the host.
        -- `ccf` divides the hours by the instance's vCPU (defect 2) and shares by the family's largest
        -- size; default shares by the host's vCPU (F2), which equals the largest size except for burstables.
        CASE
            WHEN c.estimation_class IN ('compute', 'gpu') AND c.host_embodied_kgco2e IS NOT NULL
                 AND $coefficient_profile = 'ccf'
                THEN c.host_embodied_kgco2e / 1000 * (c.quantity / c.instance_vcpu) / k.lifespan_h
                     * (c.instance_vcpu / c.family_largest_vcpu)
            WHEN c.estimation_class IN ('compute', 'gpu') AND c.host_embodied_kgco2e IS NOT NULL
                THEN c.host_embodied_kgco2e / 1000 * c.quantity / k.lifespan_h * (c.instance_vcpu / c.platform_vcpu)
        END AS embodied_tco2e
    FROM cloud AS c
    CROSS JOIN coef AS k
),
cloud_energy AS (
    SELECT
        u.*,
        COALESCE(p.min_watts, u.cpu_min_w, u.avg_min_w) AS min_w,
        COALESCE(p.max_watts, u.cpu_max_w, u.avg_max_w) AS max_w,
        -- a processor list of CCF's map (`ccf`) has no row of its own in p: its averaged watts are cpu_*_w
        u.vcpu_hours * (COALESCE(p.min_watts, u.cpu_min_w, u.avg_min_w)
            + u.util * (COALESCE(p.max_watts, u.cpu_max_w, u.avg_max_w) - COALESCE(p.min_watts, u.cpu_min_w, u.avg_min_w)))
            / 1000 * u.pue * u.compute_replication AS compute_kwh,
        u.gpu_hours * (u.gpu_min_w + u.util * (u.gpu_max_w - u.gpu_min_w)) / 1000 * u.pue * u.compute_replication
            AS gpu_kwh,
        u.memory_gb_hours * u.mem_kwh * u.pue * u.compute_replication AS memory_kwh,
        u.storage_tb_hours * u.storage_wh / 1000 * u.replication * u.pue AS storage_kwh,
        u.network_gb * u.net_kwh * u.pue AS network_kwh
    FROM usage AS u
    LEFT JOIN factors.aws_processor_coefficients AS p ON p.processor = u.processor AND p.kind = 'cpu'
),
-- The text of each cloud row's estimate: every component with the coefficients it used, and for
-- `default` the fixes (F1-F7) that made it differ from CCF.
cloud_formula AS (
    SELECT
        e.*,
        e.compute_kwh + COALESCE(e.gpu_kwh, 0) + COALESCE(e.memory_kwh, 0) + COALESCE(e.storage_kwh, 0)
            + e.network_kwh AS usage_kwh,
        concat_ws('; ',
            CASE WHEN e.vcpu_hours > 0 THEN
                'compute: vcpu_hours'
                || CASE
                    WHEN e.baseline_utilisation IS NOT NULL THEN ' (vcpu ' || e.instance_vcpu || ' x burstable baseline '
                        || e.baseline_utilisation || ' / ' || e.burst_ref || ' x hours)'
                    WHEN e.estimation_class = 'serverless_lambda' AND $coefficient_profile = 'ccf'
                        THEN ' (gb_seconds / 3600, as CCF)'
                    WHEN e.estimation_class = 'serverless_lambda'
                        THEN ' (gb_seconds / 3600 x ' || e.mb_per_gb || ' / ' || e.lambda_mb_per_vcpu || ' MB per vCPU)'
                    ELSE '' END
                || ' x (min_w ' || e.min_w || ' + ' || e.util || ' x (max_w ' || e.max_w || ' - min_w)) ['
                || COALESCE(e.processor, 'AWS average') || '] / 1000 x pue ' || e.pue
                || CASE WHEN e.compute_replication <> 1 THEN ' x replication ' || e.compute_replication ELSE '' END
            END,
            CASE WHEN e.gpu_hours > 0 THEN
                'gpu: gpus ' || e.gpu_count || ' x hours x (min_w ' || e.gpu_min_w || ' + ' || e.util || ' x (max_w '
                || e.gpu_max_w || ' - min_w)) [' || e.gpu_processor || '] / 1000 x pue ' || e.pue
            END,
            CASE WHEN e.memory_gb_hours > 0 THEN
                'memory: gb_hours'
                || CASE
                    WHEN e.estimation_class = 'serverless_lambda' THEN ' (gb_seconds / 3600)'
                    WHEN e.estimation_class = 'serverless_fargate' THEN ' (Fargate GB-hours)'
                    ELSE ' (largest size ' || e.family_largest_memory_gb || ' GB per chip beyond '
                        || COALESCE(e.gb_per_chip, e.avg_gb_per_chip) || ' GB/chip, x ' || e.memory_gb || ' / '
                        || e.family_largest_memory_gb || ' x hours)' END
                || ' x ' || e.mem_kwh || ' kWh/GB-hour x pue ' || e.pue
                || CASE WHEN e.compute_replication <> 1 THEN ' x replication ' || e.compute_replication ELSE '' END
            END,
            CASE WHEN e.storage_tb_hours > 0 OR e.estimation_class IN ('storage_ssd', 'storage_hdd') THEN
                CASE WHEN e.storage_wh = e.ssd_wh THEN 'ssd' ELSE 'hdd' END || ' storage: '
                || CASE
                    WHEN e.estimation_class = 'serverless_fargate' THEN 'Fargate GB-hours / 1000 (as CCF)'
                    WHEN e.is_byte_hours AND e.bytes_per_tb IS NOT NULL THEN 'gb_months / 2^40 (CCF ByteHrs reading)'
                    WHEN e.unit = 'GB-Hours' THEN 'gb_hours / 1000'
                    ELSE 'gb_months x hours_in_month ' || e.hours_in_month || ' / 1000' END
                || ' x ' || e.storage_wh || ' Wh/TB-hour / 1000 x replication ' || e.replication
                || ' [' || COALESCE(e.replication_key, 'default') || '] x pue ' || e.pue
            END,
            CASE WHEN e.estimation_class = 'network' THEN
                'network ('
                || CASE
                    WHEN e.is_inbound THEN 'inbound: not attributed, the sender''s outbound row carries it'
                    WHEN suffix(e.usage_type, 'AWS-Out-Bytes') THEN 'inter-region'
                    WHEN suffix(e.usage_type, 'DataTransfer-Regional-Bytes') THEN 'intra-region'
                    WHEN suffix(e.usage_type, 'DataTransfer-Out-Bytes') THEN 'internet'
                    ELSE 'outbound' END
                || '): gb x ' || e.net_kwh || ' kWh/GB x pue ' || e.pue
            END,
            CASE WHEN e.embodied_tco2e IS NOT NULL AND $coefficient_profile = 'ccf' THEN
                'embodied: ' || e.host_embodied_kgco2e || ' kgCO2e / 1000 x (hours / vcpu ' || e.instance_vcpu || ') / '
                || e.lifespan_h || ' x vcpu / largest size vcpu ' || e.family_largest_vcpu
                || ', added to kWh as embodied_tco2e / grid factor (as CCF)'
            WHEN e.embodied_tco2e IS NOT NULL THEN
                'embodied: ' || e.host_embodied_kgco2e || ' kgCO2e / 1000 x hours / ' || e.lifespan_h || ' x vcpu '
                || e.instance_vcpu || ' / host vcpu ' || e.platform_vcpu || ' (tCO2e, not energy)'
            END
        ) AS usage_formula,
        -- the documented fixes that make this `default` row differ from `ccf` (F5, the grid factor, is
        -- on every cloud row of `default`)
        CASE WHEN $coefficient_profile <> 'ccf' THEN concat_ws(' ',
            CASE WHEN e.estimation_class IN ('storage_ssd', 'storage_hdd') AND e.is_byte_hours THEN 'F1' END,
            CASE WHEN e.embodied_tco2e IS NOT NULL THEN 'F2 F3' END,
            CASE WHEN e.estimation_class = 'serverless_lambda'
                      OR (e.estimation_class = 'serverless_fargate' AND (e.is_fargate_memory OR e.is_arm)) THEN 'F4' END,
            'F5',
            CASE WHEN e.replication_key = 's3' THEN 'F6' END,
            -- F8: the processor from the instance's host CPU, not CCF's per-type map (e.g. r5: Skylake vs
            -- CCF's Cascade Lake and Skylake averaged)
            CASE WHEN e.estimation_class IN ('compute', 'gpu') AND e.instance_type IS NOT NULL
                      AND COALESCE(e.ccf_processors, 'Unknown') IS DISTINCT FROM COALESCE(e.host_processor, 'Unknown')
                THEN 'F8' END,
            CASE WHEN e.estimation_class IN ('compute', 'gpu') AND e.replication_key <> 'rds_multi_az' THEN 'F7' END,
            -- usage without a coefficient takes its kWh per cost from rows the fixes above changed
            CASE WHEN e.estimation_class = 'unclassified' THEN 'via-cost-ratio' END
        ) END AS fixes
    FROM cloud_energy AS e
),
-- FOCUS usage of Azure, Google Cloud and OCI, classified in ledger/activity_focus.sql: CCF's method with each
-- provider's own coefficients (factors.cloud_provider_coefficients: CCF's Azure and Google Cloud constants, OCI a
-- flagged fallback), the processor of the row's VM size, machine family or shape where its coefficient_key names
-- one (factors.cloud_machine_types, factors.oci_shapes), sizes named by Azure SKUs (factors.azure_sku_sizes), GPU
-- watts (factors.cloud_processor_coefficients) and the replication factor CCF gives the service. Storage is
-- multiplied by its replication in both profiles; compute and memory only in `ccf` (as CCF), or in `default` where
-- the replicas are running nodes (a standard cache's replica, an HA database's standby: as F7's Multi-AZ).
provider_coef AS (
    SELECT
        provider,
        MAX(CASE WHEN coefficient = 'min_watts_per_vcpu' THEN value END) AS avg_min_w,
        MAX(CASE WHEN coefficient = 'max_watts_per_vcpu' THEN value END) AS avg_max_w,
        MAX(CASE WHEN coefficient = 'average_cpu_utilisation' THEN value END) AS util,
        MAX(CASE WHEN coefficient = 'ssd_wh_per_tb_hour' THEN value END) AS ssd_wh,
        MAX(CASE WHEN coefficient = 'hdd_wh_per_tb_hour' THEN value END) AS hdd_wh,
        MAX(CASE WHEN coefficient = 'memory_kwh_per_gb_hour' THEN value END) AS mem_kwh,
        MAX(CASE WHEN coefficient = 'network_kwh_per_gb' THEN value END) AS net_kwh,
        MAX(CASE WHEN coefficient = 'pue' THEN value END) AS fleet_pue,
        MAX(CASE WHEN coefficient = 'replication_default' THEN value END) AS r_default
    FROM factors.cloud_provider_coefficients
    WHERE region = ''
    GROUP BY provider
),
focus_usage AS (
    SELECT
        a.activity_id,
        a.provider,
        a.estimation_class,
        a.vcpu,
        a.coefficient_key,
        NULLIF(regexp_extract(COALESCE(a.coefficient_key, ''), '^(vm|plan|family|shape|cache|disk|gpu):', 1), '')
            AS key_kind,
        NULLIF(regexp_extract(COALESCE(a.coefficient_key, ''), '^(vm|plan|family|shape|cache|disk|gpu):([^;]+)', 2), '')
            AS key_value,
        NULLIF(regexp_extract(COALESCE(a.coefficient_key, ''), 'replication:([^;]+)', 1), '') AS replication_key,
        -- Google Cloud's usage units in the units below (issue 14): core seconds -> hours, RAM byte-seconds ->
        -- GB-hours, disk byte-seconds -> GB-months, bytes -> GB (decimal GB, 10^9 bytes)
        CASE
            WHEN regexp_matches(lower(COALESCE(a.unit, '')), '^seconds?$') THEN a.quantity / 3600
            WHEN lower(a.unit) = 'byte-seconds' AND a.estimation_class = 'memory' THEN a.quantity / 1e9 / 3600
            WHEN lower(a.unit) = 'byte-seconds' THEN a.quantity / 1e9 / 3600
                / date_diff('hour', CAST(a.period_month AS TIMESTAMP), CAST(a.period_month AS TIMESTAMP) + INTERVAL 1 MONTH)
            WHEN regexp_matches(lower(COALESCE(a.unit, '')), '^bytes?$') THEN a.quantity / 1e9
            ELSE a.quantity
        END AS quantity,
        CASE
            WHEN regexp_matches(lower(COALESCE(a.unit, '')), '^(seconds?|byte-seconds|bytes?)$')
                THEN '(' || a.unit || ' converted) '
            ELSE ''
        END AS unit_note,
        regexp_matches(lower(COALESCE(a.unit, '')), 'ocpu') AS is_ocpu,
        CASE WHEN regexp_matches(lower(COALESCE(a.unit, '')), 'gib|gibibyte') THEN 1.073741824 ELSE 1 END
            AS gb_per_unit,
        date_diff('hour', CAST(a.period_month AS TIMESTAMP), CAST(a.period_month AS TIMESTAMP) + INTERVAL 1 MONTH)
            AS hours_in_month,
        k.util, k.mem_kwh, k.ssd_wh, k.hdd_wh, k.net_kwh, k.avg_min_w, k.avg_max_w, k.r_default,
        COALESCE(rp.value, k.fleet_pue) AS pue,
        CASE WHEN rp.value IS NOT NULL THEN a.provider || ' ' || lower(a.region) ELSE a.provider || ' fleet' END
            AS pue_basis
    FROM act AS a
    JOIN provider_coef AS k ON k.provider = a.provider
    LEFT JOIN factors.cloud_provider_coefficients AS rp
        ON rp.provider = a.provider AND rp.coefficient = 'pue' AND rp.region = lower(a.region)
    WHERE a.activity_type = 'cloud_usage' AND a.source_kind = 'focus' AND a.provider <> 'aws'
      AND a.estimation_class <> 'unclassified' AND a.flag IS DISTINCT FROM 'negative_usage'
),
focus_sized AS (
    SELECT
        u.*,
        -- watts per vCPU: the VM size's / machine family's processors (CCF's average of them), the OCI shape's
        -- stand-in processor, else the provider's average (CCF's MIN/MAX_WATTS_AVG or _MEDIAN)
        COALESCE(m.min_watts, sh.min_watts, u.avg_min_w) AS min_w,
        COALESCE(m.max_watts, sh.max_watts, u.avg_max_w) AS max_w,
        CASE
            WHEN m.min_watts IS NOT NULL THEN u.provider || ' ' || u.key_kind || ' ' || u.key_value || ': ' || m.processors
            WHEN sh.min_watts IS NOT NULL THEN 'oci shape ' || u.key_value || ': ' || sh.processor
            WHEN m.machine_key IS NOT NULL THEN u.provider || ' ' || u.key_kind || ' ' || u.key_value
                || ': processor unknown to CCF, ' || u.provider || ' average'
            ELSE u.provider || ' average processor'
        END AS processor_basis,
        COALESCE(sh.vcpu_per_ocpu, 2) AS vcpu_per_ocpu,
        -- GPUs: an Azure GPU VM size's count and model; a Google Cloud GPU SKU's quantity is GPU time
        CASE WHEN u.key_kind = 'vm' THEN m.gpu_count WHEN u.key_kind = 'gpu' THEN 1 ELSE 0 END AS gpu_count,
        COALESCE(g.processor, gv.processor) AS gpu_processor,
        COALESCE(g.min_watts, gv.min_watts) AS gpu_min_w,
        COALESCE(g.max_watts, gv.max_watts) AS gpu_max_w,
        z.memory_gb AS sku_memory_gb,
        z.storage_gb AS sku_storage_gb,
        COALESCE(r.value, u.r_default) AS replication
    FROM focus_usage AS u
    LEFT JOIN factors.cloud_machine_types AS m
        ON m.provider = u.provider AND m.machine_key = u.key_value AND u.key_kind IN ('vm', 'family')
    LEFT JOIN factors.oci_shapes AS sh ON u.key_kind = 'shape' AND sh.shape = u.key_value
    LEFT JOIN factors.cloud_processor_coefficients AS g
        ON g.kind = 'gpu' AND u.key_kind = 'gpu' AND g.provider = u.provider AND lower(g.processor) = u.key_value
    LEFT JOIN factors.cloud_processor_coefficients AS gv
        ON gv.kind = 'gpu' AND u.key_kind = 'vm' AND gv.provider = u.provider AND gv.processor = m.gpu_processor
    LEFT JOIN factors.azure_sku_sizes AS z
        ON z.sku_key = u.key_value
        AND ((u.key_kind = 'cache' AND z.kind = 'cache') OR (u.key_kind = 'disk' AND z.kind IN ('ssd_disk', 'hdd_disk')))
    LEFT JOIN factors.cloud_provider_coefficients AS r
        ON r.provider = u.provider AND r.region = '' AND r.coefficient = 'replication_' || u.replication_key
),
focus_parts AS (
    SELECT
        *,
        CASE
            WHEN $coefficient_profile = 'ccf'
                 OR replication_key IN ('redis_cache', 'cloud_memory_store_redis', 'cloud_sql_high_availability')
                THEN replication
            ELSE 1
        END AS node_replication,
        CASE WHEN estimation_class IN ('compute', 'gpu') AND key_kind IS DISTINCT FROM 'gpu' THEN
            quantity * COALESCE(vcpu, CASE WHEN is_ocpu THEN vcpu_per_ocpu ELSE 1 END) END AS vcpu_hours,
        CASE WHEN estimation_class = 'gpu' THEN quantity * gpu_count END AS gpu_hours
    FROM focus_sized
),
focus_formula AS (
    SELECT
        activity_id,
        CASE estimation_class
            WHEN 'compute' THEN vcpu_hours * (min_w + util * (max_w - min_w)) / 1000 * pue * node_replication
            WHEN 'gpu' THEN (COALESCE(vcpu_hours, 0) * (min_w + util * (max_w - min_w))
                + gpu_hours * (gpu_min_w + util * (gpu_max_w - gpu_min_w))) / 1000 * pue * node_replication
            WHEN 'memory' THEN quantity * COALESCE(sku_memory_gb, gb_per_unit) * mem_kwh * pue * node_replication
            WHEN 'storage_ssd' THEN quantity * COALESCE(sku_storage_gb, gb_per_unit) * hours_in_month / 1000
                * ssd_wh / 1000 * replication * pue
            WHEN 'storage_hdd' THEN quantity * COALESCE(sku_storage_gb, gb_per_unit) * hours_in_month / 1000
                * hdd_wh / 1000 * replication * pue
            WHEN 'network' THEN quantity * gb_per_unit * net_kwh * pue
        END AS focus_kwh,
        unit_note || CASE estimation_class
            WHEN 'network' THEN 'network (outbound): gb' || CASE WHEN gb_per_unit <> 1 THEN ' (GiB x 1.073741824)' ELSE '' END
                || ' x ' || net_kwh || ' kWh/GB'
            WHEN 'memory' THEN 'memory: gb_hours'
                || CASE
                    WHEN sku_memory_gb IS NOT NULL THEN ' (hours x ' || sku_memory_gb || ' GB of cache tier ' || key_value || ')'
                    WHEN gb_per_unit <> 1 THEN ' (GiB x 1.073741824)'
                    ELSE '' END
                || ' x ' || mem_kwh || ' kWh/GB-hour'
            WHEN 'storage_ssd' THEN 'ssd storage: gb_months'
            WHEN 'storage_hdd' THEN 'hdd storage: gb_months'
            ELSE concat_ws('; ',
                CASE WHEN vcpu_hours IS NOT NULL THEN 'compute: vcpu_hours ('
                    || CASE
                        WHEN vcpu IS NOT NULL AND key_kind = 'plan' THEN 'hours x ' || vcpu || ' vCPU of plan ' || key_value
                        WHEN vcpu IS NOT NULL THEN 'hours x ' || vcpu || ' vCPU of the VM'
                        WHEN is_ocpu THEN 'OCPU-hours x ' || vcpu_per_ocpu || ' vCPU per OCPU'
                        ELSE 'vCPU-hours as billed' END
                    || ') x (min_w ' || min_w || ' + ' || util || ' x (max_w ' || max_w || ' - min_w)) ['
                    || processor_basis || '] / 1000' END,
                CASE WHEN gpu_hours IS NOT NULL THEN 'gpu: ' || gpu_count || ' x hours x (min_w ' || gpu_min_w || ' + '
                    || util || ' x (max_w ' || gpu_max_w || ' - min_w)) [' || gpu_processor || '] / 1000' END)
        END
        || CASE WHEN estimation_class IN ('storage_ssd', 'storage_hdd') THEN
            CASE
                WHEN sku_storage_gb IS NOT NULL THEN ' (disk-months x ' || sku_storage_gb || ' GB of tier ' || key_value || ')'
                WHEN gb_per_unit <> 1 THEN ' (GiB x 1.073741824)'
                ELSE '' END
            || ' x hours_in_month ' || hours_in_month || ' / 1000 x '
            || CASE WHEN estimation_class = 'storage_ssd' THEN ssd_wh ELSE hdd_wh END || ' Wh/TB-hour / 1000 x replication '
            || replication || ' [' || COALESCE(replication_key, 'default') || ']' ELSE '' END
        || ' x pue ' || pue || ' [' || pue_basis || ']'
        || CASE
            WHEN estimation_class IN ('compute', 'gpu', 'memory') AND node_replication <> 1
                THEN ' x replication ' || node_replication || ' [' || replication_key || ']'
            WHEN estimation_class IN ('compute', 'gpu', 'memory') AND replication_key IS NOT NULL
                THEN ' (CCF''s replication ' || replication || ' [' || replication_key
                    || '] not applied to processors and memory: F7)'
            ELSE '' END
        || ' (' || provider || ' coefficients: ' || CASE WHEN provider = 'oci'
            THEN 'fallback, CCF has none for OCI' ELSE 'Cloud Carbon Footprint' END || ')'
            AS focus_formula
    FROM focus_parts
),
-- Where the grid factor comes from, per activity: cloud rows by the region's geography (`default`) or
-- CCF's region list (`ccf`; FOCUS rows of other providers use the geography in both profiles, CCF's list
-- being AWS's).
geo AS (
    SELECT
        a.*,
        COALESCE(g.geography, cg.geography, a.geography) AS factor_geography,
        a.activity_type = 'cloud_usage' AND a.provider = 'aws' AND a.source_kind IN ('aws_cur', 'aws_cur2', 'focus')
            AS is_cur_usage,
        a.activity_type = 'cloud_usage' AND a.source_kind = 'focus' AND a.provider <> 'aws' AS is_focus_usage
    FROM act AS a
    LEFT JOIN factors.aws_region_grid AS g
        ON a.provider = 'aws' AND g.region_code = a.region
    -- a region written by its display name or another spelling ('US East', 'EastUS2', OCI's 'IAD') finds its code
    LEFT JOIN factors.cloud_region_aliases AS ra
        ON ra.provider = a.provider AND ra.alias_key = lower(a.region)
    LEFT JOIN factors.cloud_region_grid AS cg
        ON cg.provider = a.provider AND cg.region_code = COALESCE(ra.region_code, lower(a.region))
),
-- As-of factor resolution: for the geography and item, a direct factor before a lifecycle one (EEA's
-- direct intensities before Ember's lifecycle ones for EU countries, docs/factors.md), then the newest data
-- year not after the activity's year; an older year is recorded as a fallback on the result. `ccf` cloud
-- rows take CCF's factor for the region whatever the year (as CCF does), or CCF's average of its regions
-- for one it does not list. The choice depends only on what factor_keys holds, so it is made once per
-- distinct key (a few hundred) rather than once per activity (a 10M-line-item month has ~260k: ranking
-- every activity's candidate factors was the stage's largest cost, docs/performance.md).
factor_keys AS (
    SELECT DISTINCT
        factor_geography,
        year(period_month) AS activity_year,
        region,
        -- unclassified FOCUS usage too: it is estimated from its provider-month's kWh per cost (issue 14)
        (is_cur_usage AND $coefficient_profile <> 'ccf') OR is_focus_usage AS wants_grid,
        is_cur_usage AND $coefficient_profile = 'ccf' AS wants_ccf
    FROM geo
),
candidates AS (
    SELECT
        k.*,
        f.factor_id, f.value, f.unit, f.activity_unit, f.boundary, f.data_year, f.geography,
        ROW_NUMBER() OVER (
            PARTITION BY k.factor_geography, k.activity_year, k.region, k.wants_grid, k.wants_ccf
            ORDER BY CASE WHEN f.geography = 'aws-region:unknown' THEN 1 ELSE 0 END,
                CASE f.boundary WHEN 'direct' THEN 0 WHEN 'lifecycle' THEN 1 ELSE 2 END,
                f.data_year DESC, f.factor_id
        ) AS pick
    FROM factor_keys AS k
    JOIN factors.emission_factors AS f
        ON (
            k.wants_grid AND f.item = 'electricity_grid' AND f.geography = k.factor_geography
                AND f.data_year <= k.activity_year
        )
        OR (
            k.wants_ccf AND f.item = 'electricity_grid_ccf'
                AND f.geography IN ('aws-region:' || k.region, 'aws-region:unknown')
        )
),
factored AS (
    SELECT
        a.*,
        f.factor_id, f.value AS factor_value, f.unit AS factor_unit, f.activity_unit AS factor_activity_unit,
        f.boundary AS factor_boundary, f.data_year AS factor_data_year,
        CASE
            WHEN f.factor_id IS NULL THEN NULL
            WHEN a.is_cur_usage AND $coefficient_profile = 'ccf' AND f.geography = 'aws-region:unknown'
                THEN 'ccf_unknown_region_average'
            WHEN a.is_cur_usage AND $coefficient_profile = 'ccf' THEN 'ccf_region'
            WHEN f.data_year = year(a.period_month) THEN 'exact'
            ELSE 'older_year'
        END AS factor_resolution,
        conv.multiplier AS to_factor_unit,
        c.usage_kwh, c.usage_formula, c.fixes, c.embodied_tco2e, c.replication_key, c.is_inbound,
        fz.focus_kwh, fz.focus_formula
    FROM geo AS a
    LEFT JOIN candidates AS f
        ON f.pick = 1
       AND f.factor_geography IS NOT DISTINCT FROM a.factor_geography
       AND f.activity_year = year(a.period_month)
       AND f.region IS NOT DISTINCT FROM a.region
       AND f.wants_grid = ((a.is_cur_usage AND $coefficient_profile <> 'ccf') OR a.is_focus_usage)
       AND f.wants_ccf = (a.is_cur_usage AND $coefficient_profile = 'ccf')
    LEFT JOIN factors.unit_conversions AS conv
        ON conv.from_unit = 'kwh'
       AND conv.to_unit = f.activity_unit
    LEFT JOIN cloud_formula AS c ON c.activity_id = a.activity_id
    LEFT JOIN focus_formula AS fz ON fz.activity_id = a.activity_id
),
-- `ccf` reports embodied emissions as kWh (embodied tCO2e / the region's grid factor, defect 3); the
-- electricity-related kWh stay apart so tco2e counts embodied once in both profiles.
with_embodied AS (
    SELECT
        *,
        CASE
            WHEN $coefficient_profile = 'ccf' AND embodied_tco2e IS NOT NULL
                THEN embodied_tco2e * 1000 / NULLIF(factor_value, 0)
            ELSE 0
        END AS embodied_pseudo_kwh
    FROM factored
),
-- kWh per unit of cost of the provider-month's estimated billing rows (same service and pricing unit, else
-- the same pricing unit, else all): how CCF estimates usage it has no coefficient for. Per provider: AWS
-- rows (CUR, CUR 2.0, AWS's FOCUS) lend to AWS rows, each other provider's FOCUS rows to its own.
cost_ratios AS (
    SELECT
        provider, period_month, service, unit, GROUPING(service, unit) AS grouping_level,
        -- summed as DECIMAL: a DOUBLE sum's last digits depend on the order parallel threads add in, and
        -- the ratio is printed in every formula (a re-run must change nothing, not even a formula's text)
        CAST(SUM(CAST(CASE WHEN is_cur_usage THEN usage_kwh + embodied_pseudo_kwh ELSE focus_kwh END
            AS DECIMAL(38, 12))) AS DOUBLE)
            / NULLIF(CAST(SUM(cost) AS DOUBLE), 0) AS kwh_per_cost
    FROM with_embodied
    WHERE estimation_class <> 'unclassified'
      AND ((is_cur_usage AND usage_kwh IS NOT NULL) OR (is_focus_usage AND focus_kwh IS NOT NULL))
      -- CCF's Lambda path (seconds units) does not add to its kWh-per-cost accumulator
      AND NOT ($coefficient_profile = 'ccf' AND estimation_class = 'serverless_lambda')
      -- nor does inbound transfer, which CCF drops without an estimate (NatGateway-Bytes, priced per GB,
      -- would otherwise take a lower kWh per cost than CCF's)
      AND NOT ($coefficient_profile = 'ccf' AND COALESCE(is_inbound, false))
    GROUP BY GROUPING SETS ((provider, period_month, service, unit), (provider, period_month, unit),
        (provider, period_month))
),
-- Each row with its provider-month's kWh per cost where it is unclassified usage: joined to the few rows of
-- cost_ratios, not to a per-activity table (joining every activity back by its id held both sides of a
-- 2.6M-row join in memory at a 100M-line month; docs/performance.md, Profile 43).
with_ratio AS (
    SELECT
        w.*,
        (w.is_cur_usage OR w.is_focus_usage) AND w.estimation_class = 'unclassified' AS is_ratio_row,
        -- `ccf`: as CCF's AWS billing path, which passes no service to its unknown estimator: the same
        -- pricing unit only, else 0 kWh
        COALESCE(r1.kwh_per_cost, r2.kwh_per_cost, r3.kwh_per_cost,
            CASE WHEN $coefficient_profile = 'ccf' THEN 0 END) AS kwh_per_cost,
        CASE
            WHEN r1.kwh_per_cost IS NOT NULL THEN 'same service and unit'
            WHEN r2.kwh_per_cost IS NOT NULL THEN 'same pricing unit'
            WHEN r3.kwh_per_cost IS NOT NULL THEN 'all estimated rows'
            WHEN $coefficient_profile = 'ccf' THEN 'no estimated row with this pricing unit: 0, as CCF'
        END AS ratio_basis
    FROM with_embodied AS w
    LEFT JOIN cost_ratios AS r1 ON r1.grouping_level = 0 AND $coefficient_profile <> 'ccf'
        AND r1.period_month = w.period_month
        AND r1.provider = w.provider
        AND r1.service IS NOT DISTINCT FROM w.service AND r1.unit IS NOT DISTINCT FROM w.unit
    LEFT JOIN cost_ratios AS r2 ON r2.grouping_level = 2 AND r2.period_month = w.period_month
        AND r2.provider = w.provider AND r2.unit IS NOT DISTINCT FROM w.unit
    LEFT JOIN cost_ratios AS r3 ON r3.grouping_level = 3 AND $coefficient_profile <> 'ccf'
        AND r3.period_month = w.period_month
        AND r3.provider = w.provider
),
-- The last fallback, so that usage is never a silent zero (issue 14): unclassified usage with a positive
-- cost and no kWh per cost of its provider and month is estimated from spend with the US EPA's supply-chain
-- factor for NAICS 518210 "Data Processing, Hosting, and Related Services" (USEEIO v1.3, kgCO2e per US
-- dollar of its data year), flagged estimated_from_spend. Spend in another currency goes through the
-- year's exchange rate (factors.exchange_rates) and is deflated to the factor's dollars where a price index
-- is loaded, as spend-based own operations are. checks/cloud_spend_fallback_share.sql blocks a run where
-- too much of a provider-month rests on it.
spend_factor AS (
    SELECT factor_id, value, unit, boundary, data_year,
        ROW_NUMBER() OVER (ORDER BY data_year DESC, factor_id) AS pick
    FROM factors.emission_factors
    WHERE item = 'naics:518210' AND activity_unit = 'usd'
),
spend_rates AS (
    -- the newest exchange rate not after the activity's year, per currency and year: a handful of keys
    SELECT k.currency, k.activity_year, x.units_per_usd, x.year AS rate_year,
        ROW_NUMBER() OVER (PARTITION BY k.currency, k.activity_year ORDER BY x.year DESC) AS pick
    FROM (
        SELECT DISTINCT currency, year(period_month) AS activity_year FROM with_embodied WHERE currency <> 'USD'
    ) AS k
    JOIN factors.exchange_rates AS x ON upper(x.currency) = k.currency AND x.year <= k.activity_year
),
spend_price_index AS (
    SELECT year, value FROM factors.price_indices
    WHERE index_name = (SELECT MIN(index_name) FROM factors.price_indices)
),
spend_rows AS (
    SELECT
        w.*,
        COALESCE(w.is_ratio_row AND w.kwh_per_cost IS NULL AND w.cost > 0 AND w.flag IS DISTINCT FROM 'negative_usage'
            AND w.flag IS DISTINCT FROM 'counted_in_ec2_rows', false) AS is_spend_fallback,
        f.factor_id AS spend_factor_id, f.value AS spend_factor_value, f.unit AS spend_factor_unit,
        f.boundary AS spend_factor_boundary, f.data_year AS spend_factor_data_year,
        r.units_per_usd, r.rate_year, pa.value AS price_index_activity, pf.value AS price_index_factor
    FROM with_ratio AS w
    LEFT JOIN spend_factor AS f ON f.pick = 1
    LEFT JOIN spend_rates AS r ON r.currency = w.currency AND r.activity_year = year(w.period_month) AND r.pick = 1
    LEFT JOIN spend_price_index AS pa ON pa.year = year(w.period_month)
    LEFT JOIN spend_price_index AS pf ON pf.year = f.data_year
),
spend_fallback AS (
    SELECT
        *,
        CASE WHEN is_spend_fallback THEN
            CASE WHEN currency = 'USD' THEN CAST(cost AS DOUBLE) ELSE CAST(cost AS DOUBLE) / units_per_usd END
                * COALESCE(price_index_factor / price_index_activity, 1)
        END AS spend_usd,
        CASE WHEN is_spend_fallback THEN
            'unclassified, and no estimated usage of this provider and month to take a kWh per cost from: cost '
            || CAST(cost AS DOUBLE) || ' ' || currency
            || CASE WHEN currency <> 'USD' THEN ' / ' || COALESCE(CAST(units_per_usd AS VARCHAR), 'NULL')
                || ' per USD (' || COALESCE(CAST(rate_year AS VARCHAR), 'no exchange rate') || ')' ELSE '' END
            || CASE WHEN price_index_activity IS NOT NULL AND price_index_factor IS NOT NULL
                THEN ' deflated from ' || year(period_month) || ' to ' || spend_factor_data_year || ' dollars'
                ELSE '' END
            || ' x ' || COALESCE(CAST(spend_factor_value AS VARCHAR), 'NULL')
            || ' kgCO2e/USD [USEEIO data processing & hosting, spend-based fallback] / 1000'
        END AS spend_formula
    FROM spend_rows
),
energy_kwh AS (
    SELECT
        w.*,
        CASE
            WHEN w.flag = 'negative_usage' THEN NULL
            WHEN w.is_cur_usage AND w.estimation_class = 'unclassified' AND w.flag = 'counted_in_ec2_rows' THEN NULL
            WHEN w.is_ratio_row THEN CAST(w.cost AS DOUBLE) * w.kwh_per_cost
            WHEN w.is_focus_usage THEN w.focus_kwh
            WHEN w.is_cur_usage THEN w.usage_kwh
        END AS electric_kwh,
        CASE
            WHEN w.flag = 'negative_usage'
                THEN 'not estimated: negative usage (kept and flagged, never netted; checks/negative_usage.sql)'
            WHEN w.is_spend_fallback THEN w.spend_formula
            WHEN w.is_cur_usage AND w.estimation_class = 'unclassified' AND w.flag = 'counted_in_ec2_rows'
                THEN 'not estimated: the EC2 instance rows carry this ECS usage'
            WHEN w.is_ratio_row
                THEN 'unclassified: cost x kwh_per_cost ' || COALESCE(CAST(w.kwh_per_cost AS VARCHAR), 'NULL')
                    || ' of this month''s estimated ' || w.provider || ' billing rows ('
                    || COALESCE(w.ratio_basis, 'none estimated') || ')'
            WHEN w.is_focus_usage THEN w.focus_formula
            WHEN w.is_cur_usage THEN w.usage_formula
        END AS energy_formula
    FROM spend_fallback AS w
),
resolved AS (
    SELECT
        *,
        CASE
            WHEN is_cur_usage THEN electric_kwh + embodied_pseudo_kwh
            WHEN is_focus_usage THEN electric_kwh
        END AS kwh
    FROM energy_kwh
),
location_rows AS (
    SELECT
        is_spend_fallback,
        activity_id, period_month, 'location' AS method,
        CASE WHEN activity_type = 'cloud_usage' THEN 'estimated_usage' ELSE 'activity' END AS basis,
        scope, scope3_category,
        kwh AS energy_kwh,
        CASE WHEN is_spend_fallback THEN spend_factor_id ELSE factor_id END AS factor_id,
        CASE WHEN is_spend_fallback THEN spend_factor_value ELSE factor_value END AS factor_value,
        CASE WHEN is_spend_fallback THEN spend_factor_unit ELSE factor_unit END AS factor_unit,
        CASE WHEN is_spend_fallback THEN spend_factor_boundary ELSE factor_boundary END AS factor_boundary,
        CASE WHEN is_spend_fallback THEN spend_factor_data_year ELSE factor_data_year END AS factor_data_year,
        CASE WHEN is_spend_fallback THEN 'spend_fallback' ELSE factor_resolution END AS factor_resolution,
        CASE
            WHEN is_spend_fallback THEN '[' || $coefficient_profile || '] ' || energy_formula
            WHEN is_cur_usage THEN '[' || $coefficient_profile || '] ' || energy_formula
                || '; tco2e = (kwh' || CASE WHEN embodied_pseudo_kwh > 0 THEN ' - embodied kwh' ELSE '' END
                || ') x factor_kgco2e_per_kwh / 1000'
                || CASE WHEN embodied_tco2e IS NOT NULL THEN ' + embodied_tco2e' ELSE '' END
                || CASE WHEN fixes IS NOT NULL THEN '; fixes: ' || fixes ELSE '' END
            WHEN is_focus_usage THEN '[' || $coefficient_profile || '] ' || energy_formula
                || CASE WHEN kwh IS NOT NULL THEN '; tco2e = kwh x factor_kgco2e_per_kwh / 1000' ELSE '' END
            WHEN kwh IS NOT NULL THEN '(' || energy_formula || ') x factor_kgco2e_per_kwh / 1000'
            ELSE 'quantity x unit_conversion x factor_kgco2e_per_unit / 1000'
        END AS formula,
        CASE
            WHEN is_spend_fallback THEN spend_usd * spend_factor_value / 1000
            WHEN factor_id IS NULL OR to_factor_unit IS NULL THEN NULL
            WHEN is_cur_usage AND electric_kwh IS NOT NULL
                THEN electric_kwh * factor_value / 1000 + COALESCE(embodied_tco2e, 0)
            WHEN is_focus_usage THEN kwh * factor_value / 1000
            WHEN kwh IS NOT NULL THEN kwh * factor_value / 1000
            WHEN NOT is_cur_usage THEN quantity * to_factor_unit * factor_value / 1000
        END AS tco2e,
        CASE
            WHEN flag IS NOT NULL AND flag <> 'no_usage_coefficient' THEN flag
            WHEN is_spend_fallback AND spend_usd IS NULL THEN 'no_exchange_rate'
            WHEN is_spend_fallback AND spend_factor_value IS NULL THEN 'no_factor'
            WHEN is_spend_fallback THEN 'estimated_from_spend'
            -- estimated from cost but in a region without a grid factor: say what is missing
            WHEN (is_cur_usage OR is_focus_usage) AND estimation_class = 'unclassified' AND electric_kwh IS NOT NULL
                 AND factor_id IS NULL
                THEN 'no_factor'
            WHEN (is_cur_usage OR is_focus_usage) AND estimation_class = 'unclassified' AND electric_kwh IS NOT NULL
                THEN 'estimated_from_cost'
            WHEN estimation_class = 'unclassified' THEN 'no_usage_coefficient'
            WHEN (is_cur_usage OR is_focus_usage) AND kwh IS NULL
                THEN 'no_energy_estimate'
            WHEN factor_id IS NULL THEN 'no_factor'
            WHEN to_factor_unit IS NULL THEN 'unit_not_convertible'
        END AS flag,
        embodied_tco2e
    FROM resolved
),
location_based AS (
    SELECT
        activity_id, period_month, method, basis, scope, scope3_category, energy_kwh, factor_id, factor_value,
        factor_unit, factor_boundary, factor_data_year, factor_resolution, formula, tco2e, flag, embodied_tco2e
    FROM location_rows
),
-- Market-based cloud estimates: the location factor as a recorded fallback (no instrument is known for a
-- provider's usage). Cloud embodied emissions are not electricity: the same in both methods, and in both
-- methods' tco2e. (Own operations' market rows: emissions/own_operations_emissions.sql.)
market_based AS (
    SELECT
        activity_id, period_month, 'market' AS method, basis, scope, scope3_category,
        energy_kwh,
        -- the location row's factor (the spend-based fallback's where it applies)
        factor_id,
        factor_value,
        factor_unit,
        factor_boundary,
        factor_data_year,
        CASE WHEN is_spend_fallback THEN 'spend_fallback' ELSE 'location_fallback' END AS factor_resolution,
        formula,
        tco2e,
        flag,
        embodied_tco2e
    FROM location_rows
)
SELECT * FROM location_based
UNION ALL
SELECT * FROM market_based
